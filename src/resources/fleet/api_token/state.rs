//! The state of a `vcf_api_token` built from the API's token object, and when it is due for
//! rotation.

use crate::framework::Value;
use crate::framework::duration;
use crate::resources::rfc3339_from_millis;
use crate::resources::rotation;

use super::super::{TokenJson, millis_from_rfc3339};

/// Computed attributes that a rotation changes.
pub(super) const ROTATED: [&str; 7] = [
    "id",
    "token",
    "token_last_chars",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
];

pub(in crate::resources::fleet) fn duration_check(v: &Value) -> Option<String> {
    duration::parse(v.as_str()?).err()
}

fn time_value(ms: Option<i64>) -> Value {
    Value::opt_string(ms.and_then(rfc3339_from_millis))
}

/// `base` (the planned or prior state) completed from the API's token object, judging the
/// rotation signal by the local clock (see [`token_state_at`]).
pub(in crate::resources::fleet) fn token_state(t: &TokenJson, base: &Value) -> Value {
    token_state_at(t, base, rotation::local_now_ms())
}

/// When a token whose state is `v` is due for rotation: `rotate_before` ahead of its expiry,
/// or its expiry without `rotate_before`.
pub(super) fn due_ms(v: &Value) -> Option<i64> {
    let exp = v
        .attr("expires_at")
        .as_str()
        .and_then(millis_from_rfc3339)?;
    let window = v
        .attr("rotate_before")
        .as_str()
        .and_then(|t| duration::parse(t).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Some(exp.saturating_sub(window))
}

/// [`token_state`] with the rotation signal judged at `now_ms`.
pub(in crate::resources::fleet) fn token_state_at(
    t: &TokenJson,
    base: &Value,
    now_ms: i64,
) -> Value {
    let mut v = token_fields(t, base);
    for name in [rotation::PREVIOUS_ID, rotation::REVOKE_AFTER] {
        if v.attr(name).is_unknown() {
            v.set_attr(name, Value::Null);
        }
    }
    let due = due_ms(&v);
    rotation::set_signal(&mut v, due, now_ms);
    v
}

fn token_fields(t: &TokenJson, base: &Value) -> Value {
    let mut v = base.clone();
    let keep_or = |v: &mut Value, name: &str, new: Value| {
        if !new.is_null() {
            v.set_attr(name, new);
        } else if v.attr(name).is_unknown() {
            v.set_attr(name, Value::Null);
        }
    };
    // An answer without an id (optional in the reference) keeps the id the state knows.
    keep_or(
        &mut v,
        "id",
        Value::opt_string((!t.id.is_empty()).then(|| t.id.clone())),
    );
    keep_or(
        &mut v,
        "api_client_id",
        Value::opt_string(t.api_client_id.clone()),
    );
    keep_or(&mut v, "name", Value::opt_string(t.token_name.clone()));
    let description = match t.token_description.as_deref() {
        Some("") | None if base.attr("description").is_null() => Value::Null,
        d => Value::opt_string(d.map(str::to_string)),
    };
    v.set_attr("description", description);
    keep_or(
        &mut v,
        "ttl",
        t.api_token_ttl.map_or(Value::Null, Value::from),
    );
    keep_or(
        &mut v,
        "access_token_ttl",
        t.access_token_ttl.map_or(Value::Null, Value::from),
    );
    // The secret is in create and regenerate answers only; reads keep the stored one.
    match &t.token {
        Some(secret) => v.set_attr("token", Value::string(secret.expose())),
        None if v.attr("token").is_unknown() => v.set_attr("token", Value::Null),
        None => {}
    }
    keep_or(
        &mut v,
        "token_last_chars",
        Value::opt_string(t.token_last_chars.clone()),
    );
    keep_or(&mut v, "status", Value::opt_string(t.token_status.clone()));
    keep_or(&mut v, "created_at", time_value(t.creation_date));
    keep_or(&mut v, "expires_at", time_value(t.expiration_date));
    keep_or(&mut v, "last_used_at", time_value(t.last_used_date));
    keep_or(
        &mut v,
        "token_endpoint_url",
        Value::opt_string(t.token_endpoint_url.clone()),
    );
    keep_or(
        &mut v,
        "oidc_issuer_url",
        Value::opt_string(t.oidc_issuer_url.clone()),
    );
    v
}

/// Why a token read from the API cannot be used any more, if it cannot. The reference's
/// statuses are ACTIVE, EXPIRED and UNKNOWN (a revoked token is simply gone); UNKNOWN says
/// nothing, so the expiry date decides.
pub(crate) fn unusable(t: &TokenJson, now_ms: i64) -> Option<String> {
    match t.token_status.as_deref() {
        Some("ACTIVE") | Some("UNKNOWN") | None => {}
        Some(other) => return Some(format!("is {other}")),
    }
    match t.expiration_date {
        Some(exp) if exp <= now_ms => Some(format!(
            "expired at {}",
            rfc3339_from_millis(exp).unwrap_or_default()
        )),
        _ => None,
    }
}
