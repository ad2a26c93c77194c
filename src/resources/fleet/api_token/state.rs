//! The state of a `vcf_api_token` built from the API's token object, and when it is due for
//! rotation.

use crate::framework::{Secret, Val};
use crate::resources::rfc3339_from_millis;
use crate::resources::rotating;

use super::super::{TokenJson, millis_from_rfc3339};
use super::ApiTokenModel;

/// `slot` set to `new` when the answer has it; else unchanged, or null where it was unknown.
fn keep_or<T>(slot: &mut Val<T>, new: Option<T>) {
    match new {
        Some(v) => *slot = Val::Known(v),
        None if slot.is_unknown() => *slot = Val::Null,
        None => {}
    }
}

fn time_of(ms: Option<i64>) -> Option<String> {
    ms.and_then(rfc3339_from_millis)
}

impl ApiTokenModel {
    /// `base` (the planned or prior state) completed from the API's token object `t`, with the
    /// rotation signal judged at `now_ms`.
    pub(in crate::resources::fleet) fn from_api(t: &TokenJson, base: &Self, now_ms: i64) -> Self {
        let mut m = base.clone();
        // An answer without an id (optional in the reference) keeps the id the state knows.
        keep_or(&mut m.id, (!t.id.is_empty()).then(|| t.id.clone()));
        keep_or(&mut m.api_client_id, t.api_client_id.clone());
        keep_or(&mut m.name, t.token_name.clone());
        m.description = match t.token_description.as_deref() {
            Some("") | None if base.description.is_null() => Val::Null,
            d => d.map(str::to_string).into(),
        };
        keep_or(&mut m.ttl, t.api_token_ttl);
        keep_or(&mut m.access_token_ttl, t.access_token_ttl);
        // The secret is in create and regenerate answers only; reads keep the stored one.
        keep_or(
            &mut m.token,
            t.token.as_ref().map(|s| Secret::new(s.expose())),
        );
        keep_or(&mut m.token_last_chars, t.token_last_chars.clone());
        keep_or(&mut m.status, t.token_status.clone());
        keep_or(&mut m.created_at, time_of(t.creation_date));
        keep_or(&mut m.expires_at, time_of(t.expiration_date));
        keep_or(&mut m.last_used_at, time_of(t.last_used_date));
        keep_or(&mut m.token_endpoint_url, t.token_endpoint_url.clone());
        keep_or(&mut m.oidc_issuer_url, t.oidc_issuer_url.clone());
        for previous in [&mut m.previous_token_id, &mut m.previous_token_revoke_after] {
            if previous.is_unknown() {
                *previous = Val::Null;
            }
        }
        let due = m.due_ms();
        rotating::set_signal(&mut m, due, now_ms);
        m
    }

    /// When this token is due for rotation: `rotate_before` ahead of its expiry, or its expiry
    /// without `rotate_before`.
    pub(super) fn due_ms(&self) -> Option<i64> {
        let exp = self.expires_at.as_deref().and_then(millis_from_rfc3339)?;
        Some(exp.saturating_sub(rotating::duration_ms(&self.rotate_before)))
    }

    /// The attributes that a rotation changes, planned unknown.
    pub(super) fn plan_rotated(&mut self) {
        for computed in [
            &mut self.id,
            &mut self.token_last_chars,
            &mut self.status,
            &mut self.created_at,
            &mut self.expires_at,
            &mut self.last_used_at,
        ] {
            *computed = Val::Unknown;
        }
        self.token = Val::Unknown;
        rotating::unknown_signal(self);
    }
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
