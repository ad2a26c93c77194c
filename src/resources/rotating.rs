//! What the rotating token resources (`vcf_api_token`, `vcf_director_api_token`) share beyond
//! `rotation_triggers`: overlap rotation (`previous_token_grace`: the rotated-out token stays
//! valid for a grace period and is revoked by the first plan/apply after it), `revoke_on_destroy`,
//! and the rotation signal (`ready_for_rotation`, `rotation_due_at`).
//!
//! The previous token is tracked by id and revoke time only; its secret never stays in state.
//! Whether the grace has ended is judged by the server's clock (its `Date` header), like
//! `rotate_before`. A previous token that is already gone on the server is not an error: it
//! leaves the state with a warning, so no apply ever fails on it.
//!
//! Typed: both token models implement [`Rotating`] (with
//! [`rotating_fields!`](crate::rotating_fields)), and the plan and apply steps of overlap
//! rotation and of the rotation signal work on any of them.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::framework::duration;
use crate::framework::validate::Check;
use crate::framework::{Attribute, AttributePath, Block, Diagnostics, Val, Value};
use crate::resources::rfc3339_from_millis;

/// `rotation_triggers`: arbitrary values, any of which may be unknown at plan time.
pub type Triggers = Val<BTreeMap<String, Val<String>>>;

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

/// The check of a duration setting (`previous_token_grace`, `rotate_before`, …): why the text
/// is not a duration, if it is not.
pub fn duration_check(v: &Value) -> Option<String> {
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

/// The rotation attributes of a token model.
pub trait Rotating {
    fn previous_token_grace(&self) -> &Val<String>;
    fn previous_token_id(&mut self) -> &mut Val<String>;
    fn previous_token_revoke_after(&mut self) -> &mut Val<String>;
    fn revoke_on_destroy_setting(&self) -> &Val<bool>;
    fn ready_for_rotation(&mut self) -> &mut Val<bool>;
    fn rotation_due_at(&mut self) -> &mut Val<String>;
}

/// Implements [`Rotating`] for a model with the rotation attributes as fields.
#[macro_export]
macro_rules! rotating_fields {
    ($model:ty) => {
        impl $crate::resources::rotating::Rotating for $model {
            fn previous_token_grace(&self) -> &$crate::framework::Val<String> {
                &self.previous_token_grace
            }
            fn previous_token_id(&mut self) -> &mut $crate::framework::Val<String> {
                &mut self.previous_token_id
            }
            fn previous_token_revoke_after(&mut self) -> &mut $crate::framework::Val<String> {
                &mut self.previous_token_revoke_after
            }
            fn revoke_on_destroy_setting(&self) -> &$crate::framework::Val<bool> {
                &self.revoke_on_destroy
            }
            fn ready_for_rotation(&mut self) -> &mut $crate::framework::Val<bool> {
                &mut self.ready_for_rotation
            }
            fn rotation_due_at(&mut self) -> &mut $crate::framework::Val<String> {
                &mut self.rotation_due_at
            }
        }
    };
}

/// Whether the configuration asks for overlap rotation. Unknown counts as yes (a plan with an
/// unknown setting rotates in place; validation at apply time has the value).
pub fn overlap(config: &impl Rotating) -> bool {
    !config.previous_token_grace().is_null()
}

/// The grace as a number of milliseconds (0 when unset or invalid).
pub fn grace_ms(state: &impl Rotating) -> i64 {
    duration_ms(state.previous_token_grace())
}

/// A duration setting as a number of milliseconds (0 when unset or invalid).
pub fn duration_ms(setting: &Val<String>) -> i64 {
    setting
        .as_deref()
        .and_then(|t| duration::parse(t).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Sets the previous-token attributes of a rotation's new state: the rotated-out token `old_id`,
/// revoked `grace_ms` after `now_ms`.
pub fn keep_previous(state: &mut impl Rotating, old_id: &str, now_ms: i64, grace_ms: i64) {
    *state.previous_token_id() = old_id.into();
    *state.previous_token_revoke_after() =
        rfc3339_from_millis(now_ms.saturating_add(grace_ms)).into();
}

/// What a warning that drops a token from the state adds when the state also tracks a previous
/// token: that one leaves the state too, and Terraform no longer revokes it.
pub fn previous_left_behind(state: &mut impl Rotating, action: &str) -> String {
    match state.previous_token_id().as_deref() {
        Some(prev) => format!(
            " The previous token {prev}, kept for its grace, leaves the state with it and is no longer revoked by \
             Terraform: revoke it with the {action} action (token_id = \"{prev}\") once nothing uses it."
        ),
        None => String::new(),
    }
}

pub fn clear_previous(state: &mut impl Rotating) {
    *state.previous_token_id() = Val::Null;
    *state.previous_token_revoke_after() = Val::Null;
}

/// The previous token's id when its grace has ended at `now_ms`. A revoke time that cannot be
/// read counts as ended (the token is revoked rather than kept forever).
pub fn grace_ended(state: &mut impl Rotating, now_ms: i64) -> Option<String> {
    let id = state.previous_token_id().as_deref()?.to_string();
    let ended = state
        .previous_token_revoke_after()
        .as_deref()
        .and_then(crate::resources::fleet::millis_from_rfc3339)
        .is_none_or(|at| now_ms >= at);
    ended.then_some(id)
}

/// Plans the previous-token attributes of an update that does not rotate: unchanged while the
/// grace lasts; null (the apply revokes it) once it has ended, with a warning saying so.
pub fn plan_previous<M: Rotating>(
    prior: &mut M,
    planned: &mut M,
    now_ms: i64,
    what: &str,
    diags: &mut Diagnostics,
) {
    *planned.previous_token_id() = prior.previous_token_id().clone();
    *planned.previous_token_revoke_after() = prior.previous_token_revoke_after().clone();
    if let Some(id) = grace_ended(prior, now_ms) {
        clear_previous(planned);
        diags.attr_warning(
            AttributePath::attr(PREVIOUS_ID),
            "Previous token's grace has ended",
            format!(
                "The grace of the previous {what} {id} ended at {}; this plan revokes it (an in-place update). \
                 Consumers must use the current token.",
                prior
                    .previous_token_revoke_after()
                    .as_deref()
                    .unwrap_or("an unreadable time")
            ),
        );
    }
}

/// Whether destroying the resource revokes its tokens (the default).
pub fn revoke_on_destroy(state: &impl Rotating) -> bool {
    state.revoke_on_destroy_setting().get() != Some(&false)
}

pub fn set_signal(state: &mut impl Rotating, due_ms: Option<i64>, now_ms: i64) {
    let (ready, due) = signal_parts(due_ms, now_ms);
    *state.ready_for_rotation() = Val::Known(ready);
    *state.rotation_due_at() = due.into();
}

/// Plans the signal of an update that does not rotate. `ready_for_rotation` is the refreshed
/// (prior) value when the due time stays the same, so that the plan Terraform repeats during
/// apply agrees with the first one; it is judged at `now_ms` only when the due time changes
/// (a new `rotate_before`) or the prior state has none.
pub fn plan_signal<M: Rotating>(prior: &mut M, planned: &mut M, due_ms: Option<i64>, now_ms: i64) {
    let (ready, due) = signal_parts(due_ms, now_ms);
    let due: Val<String> = due.into();
    let keep = *prior.rotation_due_at() == due && prior.ready_for_rotation().get().is_some();
    *planned.ready_for_rotation() = if keep {
        prior.ready_for_rotation().clone()
    } else {
        Val::Known(ready)
    };
    *planned.rotation_due_at() = due;
}

pub fn unknown_signal(state: &mut impl Rotating) {
    *state.ready_for_rotation() = Val::Unknown;
    *state.rotation_due_at() = Val::Unknown;
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
mod tests;
