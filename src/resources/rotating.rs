//! The rotation attributes of the rotating token resources, typed: both token models implement
//! [`Rotating`] (with [`rotating_fields!`](crate::rotating_fields)), and the plan and apply steps
//! of overlap rotation and of the rotation signal work on any of them. See
//! [`rotation`](super::rotation) for what the attributes mean.

use crate::framework::duration;
use crate::framework::{AttributePath, Diagnostics, Val};
use crate::resources::rfc3339_from_millis;

use super::rotation::{PREVIOUS_ID, signal_parts};

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
    state
        .previous_token_grace()
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

#[cfg(test)]
mod tests {
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
}
