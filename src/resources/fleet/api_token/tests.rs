use super::*;
use crate::framework::Resource;

#[test]
fn previous_token_grace_conflicts_are_refused_on_the_attribute() {
    let config = |extra: &[(&str, Value)]| {
        let mut v = Value::object([
            (rotation::GRACE, Value::string("72h")),
            ("ttl", Value::from(40320)),
            ("rotate_before", Value::string("168h")),
            ("rotation_strategy", Value::Null),
        ]);
        for (k, x) in extra {
            v.set_attr(k, x.clone());
        }
        v
    };
    let mut d = Diagnostics::new();
    ApiToken.validate(&config(&[]), &mut d);
    assert!(!d.has_errors(), "overlap alone is fine");
    for bad in [
        config(&[("rotation_strategy", Value::string("regenerate"))]),
        config(&[("rotation_strategy", Value::string("replace"))]),
        config(&[("rotate_before", Value::string("24h"))]),
        config(&[(rotation::GRACE, Value::string("700h"))]),
    ] {
        let mut d = Diagnostics::new();
        ApiToken.validate(&bad, &mut d);
        assert!(d.has_errors(), "{bad:?}");
    }
}

#[test]
fn rotate_before_at_or_above_the_ttl_is_refused() {
    let config = |before: &str, ttl: i64| {
        Value::object([
            ("rotate_before", Value::string(before)),
            ("ttl", Value::from(ttl)),
        ])
    };
    let mut d = Diagnostics::new();
    ApiToken.validate(&config("168h", 40320), &mut d);
    assert!(!d.has_errors(), "a week before a 28-day token is fine");
    for (before, ttl) in [("672h", 40320), ("700h", 40320), ("2h", 60)] {
        let mut d = Diagnostics::new();
        ApiToken.validate(&config(before, ttl), &mut d);
        assert!(d.has_errors(), "{before} with ttl {ttl}");
    }
}
