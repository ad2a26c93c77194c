use super::*;

/// A configuration with the rotation settings a test needs.
fn config(
    grace: Option<&str>,
    ttl: i64,
    before: Option<&str>,
    strategy: Option<&str>,
) -> ApiTokenModel {
    ApiTokenModel {
        previous_token_grace: grace.map(str::to_string).into(),
        ttl: Val::Known(ttl),
        rotate_before: before.map(str::to_string).into(),
        rotation_strategy: strategy.map(str::to_string).into(),
        ..ApiTokenModel::default()
    }
}

fn errors(config: &ApiTokenModel) -> bool {
    let mut d = Diagnostics::new();
    TypedResource::validate(&ApiToken, config, &mut d);
    d.has_errors()
}

#[test]
fn previous_token_grace_conflicts_are_refused_on_the_attribute() {
    assert!(
        !errors(&config(Some("72h"), 40320, Some("168h"), None)),
        "overlap alone is fine"
    );
    for bad in [
        config(Some("72h"), 40320, Some("168h"), Some("regenerate")),
        config(Some("72h"), 40320, Some("168h"), Some("replace")),
        config(Some("72h"), 40320, Some("24h"), None),
        config(Some("700h"), 40320, Some("168h"), None),
    ] {
        assert!(errors(&bad), "{bad:?}");
    }
}

#[test]
fn rotate_before_at_or_above_the_ttl_is_refused() {
    assert!(
        !errors(&config(None, 40320, Some("168h"), None)),
        "a week before a 28-day token is fine"
    );
    for (before, ttl) in [("672h", 40320), ("700h", 40320), ("2h", 60)] {
        assert!(
            errors(&config(None, ttl, Some(before), None)),
            "{before} with ttl {ttl}"
        );
    }
}
