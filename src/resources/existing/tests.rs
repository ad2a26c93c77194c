use super::*;

crate::model! {
    struct Token {
        id: Val<String>,
        name: Val<String>,
        on_existing_token: Val<String>,
        previous_token_id: Val<String>,
    }
}
token_model!(Token);

/// A token whose `on_existing_token` is `mode`.
fn token(mode: Val<String>) -> Token {
    Token {
        name: "t".into(),
        on_existing_token: mode,
        ..Token::default()
    }
}

/// Runs `f` on the plan of `config` from `prior` with the prior private data `private`;
/// returns what it gives and the planned private data.
fn with_plan<T>(
    prior: Option<Token>,
    config: Token,
    private: &[u8],
    f: impl FnOnce(&mut Plan<'_, Token>) -> T,
) -> (T, Option<Vec<u8>>) {
    let (mut replace, mut planned_private) = (Vec::new(), None);
    let mut plan = Plan {
        prior,
        planned: config.clone(),
        config,
        requires_replace: &mut replace,
        prior_private: private,
        planned_private: &mut planned_private,
    };
    let out = f(&mut plan);
    (out, planned_private)
}

#[test]
fn modes_and_when_to_look() {
    let planning = Ctx::new(None, false);
    let applying = Ctx::new(None, true);
    let check = |ctx: &Ctx, prior: Option<Token>, config: Token, private: &[u8]| {
        with_plan(prior, config, private, |p| should_check(ctx, p)).0
    };
    let warn = token(Val::Null);
    assert_eq!(
        check(&planning, None, warn.clone(), b"").map(|c| c.0),
        Some(Mode::Warn)
    );
    // The apply's re-plan never looks.
    assert!(check(&applying, None, warn.clone(), b"").is_none());
    assert!(check(&planning, None, token("ignore".into()), b"").is_none());
    assert!(check(&planning, None, token(Val::Unknown), b"").is_none());
    // An update does not look; it records what a replacement would replace.
    let prior = Token {
        id: "old".into(),
        ..Token::default()
    };
    assert!(check(&planning, Some(prior.clone()), warn.clone(), b"").is_none());
    let (_, private) = with_plan(Some(prior.clone()), warn.clone(), b"{\"other\":1}", |p| {
        remember_replaced(&planning, p)
    });
    let private = private.expect("private data");
    let v: serde_json::Value = serde_json::from_slice(&private).unwrap();
    assert_eq!(v, serde_json::json!({"other": 1, "vcf_replaces": ["old"]}));
    // The second half of the replacement: not in warn mode (Terraform drops its warnings),
    // in fail mode with the replaced id excluded.
    assert!(check(&planning, None, warn.clone(), &private).is_none());
    assert_eq!(
        check(&planning, None, token("fail".into()), &private),
        Some((Mode::Fail, vec!["old".to_string()]))
    );
    // The apply's re-plan records nothing.
    let (_, private) = with_plan(Some(prior), warn, b"", |p| remember_replaced(&applying, p));
    assert!(private.is_none());
}

#[test]
fn an_update_that_sends_nothing_keeps_the_prior_values_planned_unknown() {
    let prior = Token {
        id: "t1".into(),
        name: "t".into(),
        ..Token::default()
    };
    let planned = Token {
        id: Val::Unknown,
        name: "t".into(),
        previous_token_id: Val::Unknown,
        on_existing_token: "fail".into(),
    };
    let kept = unchanged(&prior, &planned).unwrap();
    assert_eq!(kept.id.as_deref(), Some("t1"));
    assert!(kept.previous_token_id.is_null());
    assert_eq!(kept.on_existing_token.as_deref(), Some("fail"));
}

#[test]
fn report_names_ids_import_and_revoke() {
    let found = vec![
        Existing {
            id: "t1".into(),
            import_id: "r/c/t1".into(),
            revoke: "DELETE …/t1".into(),
            facts: vec!["created 2026-01-01T00:00:00Z".into()],
        },
        Existing {
            id: "t2".into(),
            import_id: "r/c/t2".into(),
            revoke: "DELETE …/t2".into(),
            facts: vec![],
        },
    ];
    let mut d = Diagnostics::new();
    report::<Token>(
        &mut d,
        Mode::Warn,
        Report {
            what: "API token",
            resource_type: "vcf_api_token",
            name: "ci",
            holder: "API client \"c\"".into(),
            found: found.clone(),
        },
    );
    assert!(!d.has_errors());
    let text = format!("{:?}", d);
    for want in [
        "t1 (created 2026-01-01T00:00:00Z)",
        "- t2",
        "to = vcf_api_token.EXAMPLE",
        "id = \\\"r/c/t1\\\"",
        "DELETE …/t1; DELETE …/t2",
        "2 usable API tokens",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let mut d = Diagnostics::new();
    report::<Token>(
        &mut d,
        Mode::Fail,
        Report {
            what: "API token",
            resource_type: "vcf_api_token",
            name: "ci",
            holder: "API client \"c\"".into(),
            found,
        },
    );
    assert!(d.has_errors());
    assert!(format!("{d:?}").contains("Nothing was created"));
}
