use super::*;

#[derive(Default)]
struct Token {
    previous_token_grace: Val<String>,
    previous_token_id: Val<String>,
    previous_token_revoke_after: Val<String>,
    revoke_on_destroy: Val<bool>,
    ready_for_rotation: Val<bool>,
    rotation_due_at: Val<String>,
}
crate::rotating_fields!(Token);

#[test]
fn grace_ends_at_the_revoke_time() {
    let mut s = Token::default();
    assert_eq!(grace_ended(&mut s, 0), None);
    keep_previous(&mut s, "old", 1_000_000, 60_000);
    assert_eq!(grace_ended(&mut s, 1_059_999), None);
    assert_eq!(grace_ended(&mut s, 1_060_000).as_deref(), Some("old"));
    s.previous_token_revoke_after = "garbage".into();
    assert_eq!(grace_ended(&mut s, 0).as_deref(), Some("old"));
    clear_previous(&mut s);
    assert_eq!(grace_ended(&mut s, i64::MAX), None);
}

#[test]
fn grace_and_overlap_come_from_the_setting() {
    let mut s = Token::default();
    assert!(!overlap(&s));
    assert_eq!(grace_ms(&s), 0);
    s.previous_token_grace = Val::Unknown;
    assert!(overlap(&s), "unknown counts as overlap");
    s.previous_token_grace = "2m".into();
    assert_eq!(grace_ms(&s), 120_000);
}

#[test]
fn plan_previous_keeps_it_during_the_grace_and_drops_it_after() {
    let mut prior = Token::default();
    keep_previous(&mut prior, "old", 0, 1000);
    let mut planned = Token::default();
    let mut d = Diagnostics::new();
    plan_previous(&mut prior, &mut planned, 999, "API token", &mut d);
    assert_eq!(planned.previous_token_id.as_deref(), Some("old"));
    assert!(d.is_empty());
    plan_previous(&mut prior, &mut planned, 1000, "API token", &mut d);
    assert!(planned.previous_token_id.is_null());
    assert_eq!(d.0.len(), 1);
}

#[test]
fn signal_keeps_the_refreshed_value_while_the_due_time_stays() {
    let mut prior = Token::default();
    set_signal(&mut prior, Some(1000), 999);
    assert_eq!(prior.ready_for_rotation, Val::Known(false));
    let mut planned = Token::default();
    plan_signal(&mut prior, &mut planned, Some(1000), 5000);
    assert_eq!(planned.ready_for_rotation, Val::Known(false), "kept");
    plan_signal(&mut prior, &mut planned, Some(2000), 5000);
    assert_eq!(planned.ready_for_rotation, Val::Known(true), "judged anew");
    set_signal(&mut prior, None, 5000);
    assert_eq!(prior.ready_for_rotation, Val::Known(false));
    assert!(prior.rotation_due_at.is_null());
    unknown_signal(&mut prior);
    assert!(prior.ready_for_rotation.is_unknown());
}

#[test]
fn revoke_on_destroy_defaults_to_true() {
    let mut s = Token::default();
    assert!(revoke_on_destroy(&s));
    s.revoke_on_destroy = Val::Known(false);
    assert!(!revoke_on_destroy(&s));
}

#[test]
fn grace_must_fit_the_lifetime_and_the_window() {
    let mut d = Diagnostics::new();
    validate_grace(Some("72h"), Some(40320), Some("168h"), &mut d);
    assert!(!d.has_errors());
    let mut d = Diagnostics::new();
    validate_grace(Some("672h"), Some(40320), None, &mut d);
    assert!(d.has_errors(), "grace at the ttl");
    let mut d = Diagnostics::new();
    validate_grace(Some("200h"), Some(40320), Some("168h"), &mut d);
    assert!(d.has_errors(), "grace above rotate_before");
    let mut d = Diagnostics::new();
    validate_grace(Some("1000d"), None, None, &mut d);
    assert!(!d.has_errors(), "no lifetime, no bound");
    let mut d = Diagnostics::new();
    validate_grace(None, Some(1), Some("1s"), &mut d);
    assert!(d.is_empty(), "no grace, nothing to check");
}

#[test]
fn signal_flips_after_the_due_time() {
    assert!(!signal_parts(Some(1000), 1000).0);
    assert!(signal_parts(Some(1000), 1001).0);
    assert_eq!(signal_parts(None, 1001), (false, None));
}
