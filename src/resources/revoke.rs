//! What the token-revoking actions (`vcf_api_token_revoke`, `vcf_director_api_token_revoke`)
//! share: the selector arguments — exactly one of `token_id`, `name_prefix` and
//! `all_tokens = true` — with their checks, and the revocation itself: one progress message per
//! token as it is revoked, a summary at the end, already-gone tokens noted rather than failed,
//! and a stop before the next token when Terraform cancels the run.
//!
//! Progress messages name tokens by name and id only, never by any part of their secret.

use std::future::Future;

use crate::client::{ApiError, ErrorKind};
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{ActionSink, Attribute, AttributePath, Diagnostics, Val};

/// The selector arguments, in schema order.
pub const SELECTORS: [&str; 3] = ["token_id", "name_prefix", "all_tokens"];

/// What a configuration selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    TokenId(String),
    NamePrefix(String),
    All,
}

/// The three selector attributes; `scope` says whose tokens they choose from ("of the API
/// client", "visible to the provider's session").
pub fn selector_attributes(scope: &str, id_example: &str) -> Vec<Attribute> {
    vec![
        Attribute::string("token_id")
            .optional()
            .validator(PathSegment)
            .validator(Length::at_least(1))
            .description(&format!(
                "Revoke the one token with this id ({id_example}). A token that is already gone is \
                 noted, not an error. Set exactly one of `token_id`, `name_prefix` and `all_tokens`."
            )),
        Attribute::string("name_prefix")
            .optional()
            .validator(Length::at_least(1))
            .description(&format!(
                "Revoke every token {scope} whose name starts with this text (case-sensitive), \
                 whether or not any Terraform state knows it."
            )),
        Attribute::bool("all_tokens")
            .optional()
            .description(&format!(
                "`true`: revoke every token {scope}. `false` selects nothing."
            )),
    ]
}

/// The selector arguments of an action's configuration.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub token_id: &'a Val<String>,
    pub name_prefix: &'a Val<String>,
    pub all_tokens: &'a Val<bool>,
}

impl Selection<'_> {
    /// Whether each selector argument is set (known and not null, and `true` for
    /// `all_tokens`), in schema order; `None` while it is unknown.
    fn states(&self) -> [(&'static str, Option<bool>); 3] {
        fn set<T>(v: &Val<T>) -> Option<bool> {
            (!v.is_unknown()).then(|| !v.is_null())
        }
        [
            (SELECTORS[0], set(self.token_id)),
            (SELECTORS[1], set(self.name_prefix)),
            (
                SELECTORS[2],
                (!self.all_tokens.is_unknown()).then(|| self.all_tokens.get() == Some(&true)),
            ),
        ]
    }
}

/// Exactly one selector: a diagnostic on each selector set beside an earlier one, or (when every
/// selector is known and none selects) on `all_tokens = false` or on the whole configuration.
/// Unknown selectors may still turn out either way, so they are checked once known.
pub fn check_selector(config: Selection<'_>, diags: &mut Diagnostics) {
    let states = config.states();
    let set: Vec<&str> = states
        .iter()
        .filter(|(_, s)| *s == Some(true))
        .map(|(n, _)| *n)
        .collect();
    for extra in set.iter().skip(1) {
        diags.attr_error(
            AttributePath::attr(extra),
            "Conflicting token selectors",
            format!(
                "{extra} cannot be set together with {}: set exactly one of token_id, name_prefix and \
                 all_tokens, so that the action revokes exactly what it says.",
                set[0]
            ),
        );
    }
    if !set.is_empty() || states.iter().any(|(_, s)| s.is_none()) {
        return;
    }
    if config.all_tokens.get() == Some(&false) {
        diags.attr_error(
            AttributePath::attr("all_tokens"),
            "No token selected",
            "all_tokens = false selects no token: set all_tokens = true to revoke every token, or choose \
             tokens with token_id or name_prefix.",
        );
    } else {
        diags.error(
            "No token selected",
            "Set exactly one of token_id (one token), name_prefix (every token whose name starts with \
             it) and all_tokens = true (every token).",
        );
    }
}

/// The selector of a wholly known configuration that passed [`check_selector`].
pub fn selector(config: Selection<'_>) -> Option<Selector> {
    if let Some(id) = config.token_id.as_deref() {
        return Some(Selector::TokenId(id.to_string()));
    }
    if let Some(p) = config.name_prefix.as_deref() {
        return Some(Selector::NamePrefix(p.to_string()));
    }
    (config.all_tokens.get() == Some(&true)).then_some(Selector::All)
}

/// One token the action is to revoke.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    /// The token's name, if known.
    pub name: Option<String>,
    /// Known to be gone already (a `token_id` nobody lists any more): reported, not revoked.
    pub gone: bool,
}

impl Candidate {
    pub fn new(id: impl Into<String>, name: Option<String>) -> Self {
        Candidate {
            id: id.into(),
            name,
            gone: false,
        }
    }

    fn label(&self, kind: &str) -> String {
        match &self.name {
            Some(n) => format!("{kind} {n:?} ({})", self.id),
            None => format!("{kind} {}", self.id),
        }
    }
}

/// What one revocation call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// The token existed and is revoked now.
    Now,
    /// The API answered that the token does not exist (404): it was already gone.
    AlreadyGone,
}

/// The tally of one invocation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub revoked: Vec<String>,
    pub gone: Vec<String>,
    pub failed: Vec<String>,
    pub skipped: Vec<String>,
}

/// Revokes each candidate in turn with `revoke`, streaming one progress message per token and a
/// summary at the end. `kind` names the tokens ("API token"), `scope` says which were selected
/// (for the messages). Failures become error diagnostics and the action goes on with the next
/// token (an incident responder wants every other token revoked regardless) — except when the
/// credentials themselves are refused (401, 403, locked), which would refuse every other token
/// the same way. When Terraform stops listening, no further token is revoked. Tokens not tried
/// are named in an error.
pub async fn revoke_each<F, Fut>(
    kind: &str,
    scope: &str,
    candidates: Vec<Candidate>,
    sink: &mut ActionSink,
    diags: &mut Diagnostics,
    mut revoke: F,
) -> Tally
where
    F: FnMut(Candidate) -> Fut,
    Fut: Future<Output = Result<Revoked, ApiError>>,
{
    let mut tally = Tally::default();
    if candidates.is_empty() {
        sink.progress(format!("No {kind} matches {scope}; nothing to revoke."))
            .await;
        diags.warning(
            format!("No {kind} matched"),
            format!(
                "No {kind} matches {scope}, so nothing was revoked. Check the selector (list tokens with the \
                 data sources of this provider) if you expected a match."
            ),
        );
        return tally;
    }
    let n = candidates.len();
    sink.progress(format!(
        "{n} {kind}{} {scope}: revoking.",
        if n == 1 { "" } else { "s" }
    ))
    .await;
    let mut rest = candidates.into_iter();
    let mut refused = false;
    for c in rest.by_ref() {
        if c.gone {
            sink.progress(format!("{} is already gone.", c.label(kind)))
                .await;
            tally.gone.push(c.id);
            continue;
        }
        if sink.is_cancelled() || refused {
            tally.skipped.push(c.id);
            break;
        }
        let label = c.label(kind);
        let id = c.id.clone();
        match revoke(c).await {
            Ok(Revoked::Now) => {
                sink.progress(format!("Revoked {label}.")).await;
                tally.revoked.push(id);
            }
            Ok(Revoked::AlreadyGone) => {
                sink.progress(format!("{label} is already gone.")).await;
                tally.gone.push(id);
            }
            Err(e) => {
                sink.progress(format!("Could not revoke {label}: {}.", e.summary()))
                    .await;
                refused = matches!(
                    e.kind(),
                    ErrorKind::Unauthorized
                        | ErrorKind::Forbidden
                        | ErrorKind::CredentialsRejected
                        | ErrorKind::AccountLocked
                );
                diags.push(e.to_diagnostic());
                tally.failed.push(id);
            }
        }
    }
    tally.skipped.extend(rest.filter(|c| !c.gone).map(|c| c.id));
    if !tally.skipped.is_empty() {
        let (summary, why) = if refused {
            (
                "Revocation stopped",
                "the provider's credentials were refused, as they would be for every other token",
            )
        } else {
            ("Revocation cancelled", "the run was cancelled")
        };
        diags.error(
            summary,
            format!(
                "Not every selected token was tried: {why}. {} of {n} {kind}s revoked; not tried: {}. Invoke the \
                 action again to revoke the rest.",
                tally.revoked.len(),
                tally.skipped.join(", ")
            ),
        );
    }
    sink.progress(summary(kind, &tally)).await;
    tally
}

/// The closing message: how many tokens were revoked and which.
pub fn summary(kind: &str, t: &Tally) -> String {
    let list = |ids: &[String]| {
        if ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids.join(", "))
        }
    };
    let mut out = format!(
        "Summary: {} {kind}{} revoked{}",
        t.revoked.len(),
        if t.revoked.len() == 1 { "" } else { "s" },
        list(&t.revoked)
    );
    if !t.gone.is_empty() {
        out.push_str(&format!("; {} already gone{}", t.gone.len(), list(&t.gone)));
    }
    if !t.failed.is_empty() {
        out.push_str(&format!("; {} failed{}", t.failed.len(), list(&t.failed)));
    }
    if !t.skipped.is_empty() {
        out.push_str(&format!(
            "; {} not tried{}",
            t.skipped.len(),
            list(&t.skipped)
        ));
    }
    out.push('.');
    out
}

#[cfg(test)]
mod tests {
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
        let s = |t: &str| Val::Known(t.to_string());
        // One selector: fine, and it is what `selector` returns.
        for (c, want) in [
            (
                config(s("t1"), Val::Null, Val::Null),
                Selector::TokenId("t1".into()),
            ),
            (
                config(Val::Null, s("ci-"), Val::Known(false)),
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
            checked(&config(s("t1"), s("ci-"), Val::Null)),
            vec![(
                "Conflicting token selectors".to_string(),
                Some("name_prefix".to_string())
            )]
        );
        assert_eq!(
            checked(&config(s("t1"), s("ci-"), Val::Known(true))).len(),
            2
        );
        assert_eq!(
            checked(&config(Val::Null, s("ci-"), Val::Known(true))),
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
        assert!(checked(&config(s("t1"), Val::Unknown, Val::Unknown)).is_empty());
        assert_eq!(checked(&config(s("t1"), s("x"), Val::Unknown)).len(), 1);
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
            Candidate {
                gone: true,
                ..Candidate::new("t0", None)
            },
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
}
