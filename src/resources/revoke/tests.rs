//! Unit tests of what the revoke actions share: the selectors and the revocation loop.

use super::*;
use crate::framework::action::ActionEvent;
use tokio::sync::mpsc;

type Config = (Val<String>, Val<String>, Val<bool>);

fn config(token_id: Val<String>, name_prefix: Val<String>, all_tokens: Val<bool>) -> Config {
    (token_id, name_prefix, all_tokens)
}

fn selection(c: &Config) -> Selection<'_> {
    Selection {
        token_id: &c.0,
        name_prefix: &c.1,
        all_tokens: &c.2,
    }
}

fn checked(c: &Config) -> Vec<(String, Option<String>)> {
    let mut d = Diagnostics::new();
    check_selector(selection(c), &mut d);
    d.iter()
        .map(|d| {
            (
                d.summary.clone(),
                d.attribute.as_ref().map(|p| p.to_string()),
            )
        })
        .collect()
}

#[test]
fn exactly_one_selector() {
    // One selector: fine, and it is what `selector` returns.
    for (c, want) in [
        (
            config(Val::from("t1"), Val::Null, Val::Null),
            Selector::TokenId("t1".into()),
        ),
        (
            config(Val::Null, Val::from("ci-"), Val::Known(false)),
            Selector::NamePrefix("ci-".into()),
        ),
        (
            config(Val::Null, Val::Null, Val::Known(true)),
            Selector::All,
        ),
    ] {
        assert!(checked(&c).is_empty(), "{c:?}");
        assert_eq!(selector(selection(&c)), Some(want));
    }
    // Two or three: an error on each one after the first.
    assert_eq!(
        checked(&config(Val::from("t1"), Val::from("ci-"), Val::Null)),
        vec![(
            "Conflicting token selectors".to_string(),
            Some("name_prefix".to_string())
        )]
    );
    assert_eq!(
        checked(&config(Val::from("t1"), Val::from("ci-"), Val::Known(true))).len(),
        2
    );
    assert_eq!(
        checked(&config(Val::Null, Val::from("ci-"), Val::Known(true))),
        vec![(
            "Conflicting token selectors".to_string(),
            Some("all_tokens".to_string())
        )]
    );
    // None: on all_tokens when it is false, else on the configuration.
    assert_eq!(
        checked(&config(Val::Null, Val::Null, Val::Known(false))),
        vec![(
            "No token selected".to_string(),
            Some("all_tokens".to_string())
        )]
    );
    assert_eq!(
        checked(&config(Val::Null, Val::Null, Val::Null)),
        vec![("No token selected".to_string(), None)]
    );
    // Unknown selectors wait: nothing to say while one may still be set or unset, but a
    // known conflict is a conflict already.
    assert!(checked(&config(Val::Unknown, Val::Null, Val::Null)).is_empty());
    assert!(checked(&config(Val::from("t1"), Val::Unknown, Val::Unknown)).is_empty());
    assert_eq!(
        checked(&config(Val::from("t1"), Val::from("x"), Val::Unknown)).len(),
        1
    );
}

#[test]
fn name_selectors_choose_by_name_and_say_what_they_chose() {
    let all = Selector::All;
    let prefix = Selector::NamePrefix("ci-".into());
    let id = Selector::TokenId("t1".into());
    assert!(all.chooses_name(None) && all.chooses_name(Some("x")));
    assert!(prefix.chooses_name(Some("ci-a")));
    assert!(!prefix.chooses_name(Some("CI-a")) && !prefix.chooses_name(None));
    assert!(!id.chooses_name(Some("t1")));
    let whose = "of API client \"ci\"";
    assert_eq!(all.scope(whose), whose);
    assert_eq!(
        prefix.scope(whose),
        "of API client \"ci\" whose name starts with \"ci-\""
    );
    assert_eq!(id.scope(whose), "of API client \"ci\" with id t1");
}

async fn run(
    candidates: Vec<Candidate>,
    outcomes: Vec<Result<Revoked, ApiError>>,
    cancel_after: Option<usize>,
) -> (Tally, Vec<String>, Diagnostics, Vec<String>) {
    let (tx, mut rx) = mpsc::channel(64);
    let mut sink = ActionSink::new(tx);
    let mut diags = Diagnostics::new();
    let mut calls = Vec::new();
    let mut outcomes = outcomes.into_iter();
    let tally = revoke_each(
        "API token",
        "of API client \"ci\"",
        candidates,
        &mut sink,
        &mut diags,
        |c| {
            calls.push(c.id.clone());
            // Terraform stops listening during this call.
            if cancel_after == Some(calls.len()) {
                rx.close();
            }
            let out = outcomes.next().expect("an outcome");
            async move { out }
        },
    )
    .await;
    let mut seen = Vec::new();
    while let Ok(ActionEvent::Progress(m)) = rx.try_recv() {
        seen.push(m);
    }
    (tally, seen, diags, calls)
}

#[tokio::test]
async fn each_token_is_reported_and_failures_do_not_stop_the_rest() {
    let cands = vec![
        Candidate::new("t1", Some("ci-a".into())),
        Candidate::gone("t0"),
        Candidate::new("t2", Some("ci-b".into())),
        Candidate::new("t3", Some("ci-c".into())),
        Candidate::new("t4", Some("ci-d".into())),
    ];
    let (tally, msgs, diags, calls) = run(
        cands,
        vec![
            Ok(Revoked::Now),
            Err(ApiError::new(ErrorKind::Server, "Server error", "HTTP 500")),
            Ok(Revoked::AlreadyGone),
            Ok(Revoked::Now),
        ],
        None,
    )
    .await;
    // The token known to be gone is not called.
    assert_eq!(calls, vec!["t1", "t2", "t3", "t4"]);
    assert_eq!(tally.revoked, vec!["t1", "t4"]);
    assert_eq!(tally.gone, vec!["t0", "t3"]);
    assert_eq!(tally.failed, vec!["t2"]);
    assert_eq!(
        msgs,
        vec![
            "5 API tokens of API client \"ci\": revoking.",
            "Revoked API token \"ci-a\" (t1).",
            "API token t0 is already gone.",
            "Could not revoke API token \"ci-b\" (t2): Server error.",
            "API token \"ci-c\" (t3) is already gone.",
            "Revoked API token \"ci-d\" (t4).",
            "Summary: 2 API tokens revoked (t1, t4); 2 already gone (t0, t3); 1 failed (t2).",
        ]
    );
    assert_eq!(diags.iter().count(), 1);
    assert!(diags.has_errors());
}

#[tokio::test]
async fn nothing_matched_is_a_warning() {
    let (tally, msgs, diags, calls) = run(Vec::new(), Vec::new(), None).await;
    assert_eq!(tally, Tally::default());
    assert!(calls.is_empty());
    assert_eq!(
        msgs,
        vec!["No API token matches of API client \"ci\"; nothing to revoke."]
    );
    assert!(!diags.has_errors());
    assert_eq!(diags.iter().next().unwrap().summary, "No API token matched");
}

#[tokio::test]
async fn refused_credentials_stop_before_the_next_token() {
    let cands = (1..=4)
        .map(|i| Candidate::new(format!("t{i}"), None))
        .collect();
    let (tally, msgs, diags, calls) = run(
        cands,
        vec![
            Ok(Revoked::Now),
            Err(ApiError::new(
                ErrorKind::Forbidden,
                "Permission denied",
                "needs a role",
            )),
        ],
        None,
    )
    .await;
    assert_eq!(calls, vec!["t1", "t2"]);
    assert_eq!(tally.failed, vec!["t2"]);
    assert_eq!(tally.skipped, vec!["t3", "t4"]);
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(summaries, vec!["Permission denied", "Revocation stopped"]);
    assert_eq!(
        msgs.last().unwrap(),
        "Summary: 1 API token revoked (t1); 1 failed (t2); 2 not tried (t3, t4)."
    );
}

#[tokio::test]
async fn cancellation_stops_before_the_next_token() {
    let cands = (1..=4)
        .map(|i| Candidate::new(format!("t{i}"), None))
        .collect();
    let (tally, _, diags, calls) = run(
        cands,
        vec![Ok(Revoked::Now), Ok(Revoked::Now), Ok(Revoked::Now)],
        Some(2),
    )
    .await;
    assert_eq!(calls, vec!["t1", "t2"]);
    assert_eq!(tally.revoked, vec!["t1", "t2"]);
    assert_eq!(tally.skipped, vec!["t3", "t4"]);
    assert!(diags.has_errors());
    assert_eq!(diags.iter().next().unwrap().summary, "Revocation cancelled");
}
