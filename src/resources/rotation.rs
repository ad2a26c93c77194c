//! What the rotating token resources (`vcf_api_token`, `vcf_director_api_token`) share beyond
//! `rotation_triggers`: overlap rotation (`previous_token_grace`: the rotated-out token stays
//! valid for a grace period and is revoked by the first plan/apply after it), `revoke_on_destroy`,
//! and the rotation signal (`ready_for_rotation`, `rotation_due_at`).
//!
//! The previous token is tracked by id and revoke time only; its secret never stays in state.
//! Whether the grace has ended is judged by the server's clock (its `Date` header), like
//! `rotate_before`. A previous token that is already gone on the server is not an error: it
//! leaves the state with a warning, so no apply ever fails on it.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::framework::duration;
use crate::framework::validate::Check;
use crate::framework::{Attribute, AttributePath, Block, Diagnostics, Value};
use crate::resources::rfc3339_from_millis;

pub const GRACE: &str = "previous_token_grace";
pub const PREVIOUS_ID: &str = "previous_token_id";
pub const REVOKE_AFTER: &str = "previous_token_revoke_after";
pub const REVOKE_ON_DESTROY: &str = "revoke_on_destroy";
pub const READY: &str = "ready_for_rotation";
pub const DUE_AT: &str = "rotation_due_at";

/// Adds several attributes to a schema block (the rotation attributes of a resource).
pub trait BlockExt {
    fn attributes(self, attributes: Vec<Attribute>) -> Self;
}

impl BlockExt for Block {
    fn attributes(self, attributes: Vec<Attribute>) -> Self {
        attributes.into_iter().fold(self, Block::attribute)
    }
}

fn duration_check(v: &Value) -> Option<String> {
    duration::parse(v.as_str()?).err()
}

/// The attributes of overlap rotation and `revoke_on_destroy`. `what` names the token in
/// descriptions ("API token", "Director API token").
pub fn overlap_attributes(what: &str, never_expires: bool) -> Vec<Attribute> {
    let keep_note = if never_expires {
        format!(
            " A {what} never expires, so a token left behind stays valid until it is revoked outside Terraform (the \
             `vcf_director_api_tokens` data source lists it)."
        )
    } else {
        " A token left behind stays valid until it expires.".to_string()
    };
    vec![
        Attribute::string(GRACE)
            .optional()
            .description(&format!(
                "Overlap rotation: a duration such as `\"72h\"`. A rotation then creates the new token **in place** \
                 (an update, not a replacement) and keeps the previous {what} valid for this long, so consumers that \
                 pick up the new secret on their own schedule keep working. The first plan/apply after the grace \
                 (judged by the server's clock) revokes the previous token as an in-place update. The previous \
                 token's id and revoke time are in `previous_token_id` and `previous_token_revoke_after`; its secret \
                 is not kept. A previous token already deleted on the server is dropped with a warning, never an \
                 error. A second rotation within the grace revokes the older previous token at once (one previous \
                 token at most)."
            ))
            .validator(Check::new("must be a duration such as `72h`", duration_check)),
        Attribute::string(PREVIOUS_ID).computed().description(&format!(
            "With `previous_token_grace`: the id of the rotated-out {what} that is still valid, until \
             `previous_token_revoke_after`. Null when there is none."
        )),
        Attribute::string(REVOKE_AFTER).computed().description(
            "With `previous_token_grace`: when the grace of `previous_token_id` ends (RFC 3339, by the server's \
             clock); the first plan/apply after it revokes that token. Set at rotation: changing \
             `previous_token_grace` later does not move it.",
        ),
        Attribute::bool(REVOKE_ON_DESTROY).optional().description(&format!(
            "Default `true`: destroying the resource (including the destroy half of a replacement) revokes the \
             token and a previous token still in its grace. `false` leaves them valid on the server and only \
             forgets them (the value must be applied to the state before the destroy). To stop managing one \
             token without revoking it, `removed {{ lifecycle {{ destroy = false }} }}` (Terraform 1.7+) is the \
             configuration-only alternative.{keep_note}"
        )),
    ]
}

/// The rotation signal attributes.
pub fn signal_attributes(due_description: &str) -> Vec<Attribute> {
    vec![
        Attribute::bool(READY).computed().description(
            "True once the token is due for rotation (`rotation_due_at` has passed by the server's clock), \
             refreshed on every plan, for `check` blocks, outputs and other resources. Unknown in a plan that \
             rotates the token.",
        ),
        Attribute::string(DUE_AT)
            .computed()
            .description(due_description),
    ]
}

/// Validation shared by both resources: `previous_token_grace` (`grace`, when set) against the
/// token's lifetime (`ttl_minutes`) and `rotate_before`.
pub fn validate_grace(
    grace: Option<&str>,
    ttl_minutes: Option<i64>,
    rotate_before: Option<&str>,
    diags: &mut Diagnostics,
) {
    let Some(text) = grace else {
        return;
    };
    let Ok(grace) = duration::parse(text) else {
        return;
    };
    if let Some(ttl) = ttl_minutes {
        let ttl_secs = u64::try_from(ttl).unwrap_or(0).saturating_mul(60);
        if grace.as_secs() >= ttl_secs {
            diags.attr_error(
                AttributePath::attr(GRACE),
                "previous_token_grace is not shorter than the token's lifetime",
                format!(
                    "previous_token_grace ({text}) is at or above ttl ({ttl} minutes): a previous token would expire \
                     before its grace ends. Choose a grace shorter than ttl (and than rotate_before)."
                ),
            );
            return;
        }
    }
    if let Some(before) = rotate_before
        && let Ok(window) = duration::parse(before)
        && grace > window
    {
        diags.attr_error(
            AttributePath::attr(GRACE),
            "previous_token_grace is longer than rotate_before",
            format!(
                "previous_token_grace ({text}) is longer than rotate_before ({before}): a token rotated because it \
                 nears expiry has at most rotate_before left, so it would expire before its grace ends. Choose a \
                 grace no longer than rotate_before."
            ),
        );
    }
}

/// `(ready_for_rotation, rotation_due_at)` for a token due at `due_ms`, at `now_ms`. A token
/// with no due time is never ready.
pub fn signal_parts(due_ms: Option<i64>, now_ms: i64) -> (bool, Option<String>) {
    match due_ms {
        Some(due) => (now_ms > due, rfc3339_from_millis(due)),
        None => (false, None),
    }
}

pub fn local_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A server's clock, learnt from the `Date` header of its answers (local clock until then).
#[derive(Default)]
pub struct ServerClock {
    offset_ms: Mutex<Option<i64>>,
}

impl ServerClock {
    pub fn note(&self, date_header: Option<&str>) {
        let Some(t) = date_header.and_then(|d| httpdate::parse_http_date(d).ok()) else {
            return;
        };
        let Ok(d) = t.duration_since(UNIX_EPOCH) else {
            return;
        };
        let server = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        if let Ok(mut slot) = self.offset_ms.lock() {
            *slot = Some(server.saturating_sub(local_now_ms()));
        }
    }

    /// Whether an answer has told the server's clock yet.
    pub fn known(&self) -> bool {
        self.offset_ms.lock().ok().is_some_and(|s| s.is_some())
    }

    pub fn now_ms(&self) -> i64 {
        let offset = self.offset_ms.lock().ok().and_then(|s| *s).unwrap_or(0);
        local_now_ms().saturating_add(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
