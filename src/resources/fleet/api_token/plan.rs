//! Validation and planning of `vcf_api_token`: the rotation settings checked against each other,
//! and a plan that rotates when the triggers change or the token is due.

use crate::framework::duration;
use crate::framework::{AttributePath, Ctx, Diagnostics, Plan, Val};
use crate::resources::{VcfContext, existing, rotating};

use super::super::settings::{PlannedTtl, check_token_ttls};
use super::super::{millis_from_rfc3339, plan_realm_of};
use super::ApiTokenModel;

/// `previous_token_grace` against the other rotation settings.
fn validate_overlap(config: &ApiTokenModel, diags: &mut Diagnostics) {
    // Unknown (a variable not known yet) may still turn out null: checked again at plan.
    let Val::Known(grace) = &config.previous_token_grace else {
        return;
    };
    match config.rotation_strategy.as_deref() {
        Some("regenerate") => diags.attr_error(
            AttributePath::attr(rotating::GRACE),
            "previous_token_grace conflicts with rotation_strategy = \"regenerate\"",
            "The regenerate call invalidates the old secret at once, so there is no previous token to keep. \
             Remove rotation_strategy to rotate with an overlap (a new token in place, the previous one valid for \
             previous_token_grace), or remove previous_token_grace to regenerate.",
        ),
        Some("replace") => diags.attr_error(
            AttributePath::attr(rotating::GRACE),
            "previous_token_grace conflicts with rotation_strategy = \"replace\"",
            "With previous_token_grace a rotation is an in-place update that keeps the previous token valid for \
             the grace, not a replacement. Remove rotation_strategy (or previous_token_grace).",
        ),
        _ => {}
    }
    rotating::validate_grace(
        Some(grace.as_str()),
        config.ttl.get().copied(),
        config.rotate_before.as_deref(),
        diags,
    );
}

/// Checks beyond the schema's validators.
pub(super) fn validate(config: &ApiTokenModel, diags: &mut Diagnostics) {
    validate_overlap(config, diags);
    // A window at or above the lifetime would make every plan rotate the token.
    let (Some(text), Some(ttl)) = (config.rotate_before.as_deref(), config.ttl.get()) else {
        return;
    };
    let Ok(before) = duration::parse(text) else {
        return;
    };
    let ttl_secs = u64::try_from(*ttl).unwrap_or(0).saturating_mul(60);
    if before.as_secs() >= ttl_secs {
        diags.attr_error(
            crate::attr_path!(ApiTokenModel, rotate_before),
            "rotate_before is not shorter than the token's lifetime",
            format!(
                "rotate_before ({text}) is at or above ttl ({ttl} minutes), so every plan would rotate the token. \
                 Choose a window shorter than ttl, for example a quarter of it."
            ),
        );
    }
}

/// The planned value of a TTL when the plan creates the token or changes it: what is checked
/// against the appliance's settings.
fn new_ttl(planned: &Val<i64>, prior: Option<&Val<i64>>) -> Option<i64> {
    let v = *planned.get()?;
    prior.is_none_or(|p| p.get() != Some(&v)).then_some(v)
}

/// Plans a create or update: realm, existing tokens, lifetimes, and rotation.
pub(super) async fn modify_plan(
    ctx: &Ctx,
    plan: &mut Plan<'_, ApiTokenModel>,
    diags: &mut Diagnostics,
) {
    // An unresolvable realm is reported; the other checks of the plan still run.
    if let Err(f) = plan_realm_of(
        ctx,
        &mut plan.planned.sso_realm_id,
        &plan.config.sso_realm_id,
    )
    .await
    {
        diags.extend(f.diags);
    }
    existing::plan_api_token(ctx, plan, diags).await;
    let prior = plan.prior.as_ref();
    let ttls: [PlannedTtl; 2] = [
        (
            "ttl",
            new_ttl(&plan.planned.ttl, prior.map(|p| &p.ttl)),
            |s| s.api_token_ttl,
        ),
        (
            "access_token_ttl",
            new_ttl(
                &plan.planned.access_token_ttl,
                prior.map(|p| &p.access_token_ttl),
            ),
            |s| s.access_token_ttl,
        ),
    ];
    check_token_ttls(ctx, &ttls, diags).await;
    let Some(mut prior) = plan.prior.clone() else {
        // A new token has no previous one.
        rotating::clear_previous(&mut plan.planned);
        return;
    };
    let overlap = rotating::overlap(&plan.config);
    let regenerate = plan.planned.rotation_strategy.as_deref() == Some("regenerate");
    let triggers_changed = plan.planned.rotation_triggers != prior.rotation_triggers;
    let now = ctx.data::<VcfContext>().map(|c| c.fleet.now_ms());
    let due = due_for_rotation(&prior, &plan.planned, now, overlap, regenerate, diags);
    // With overlap rotation a new lifetime is a rotation in place too (the token is created
    // anew either way), so that consumers keep the previous token for the grace.
    let ttl_path = crate::attr_path!(ApiTokenModel, ttl);
    let ttl_rotation = overlap && plan.requires_replace.contains(&ttl_path);
    if ttl_rotation {
        plan.requires_replace.retain(|p| *p != ttl_path);
    }
    let planned = &mut plan.planned;
    if !(triggers_changed || due || ttl_rotation) {
        plan_previous(&mut prior, planned, now, diags);
        if let Some(now) = now {
            let due_at = planned.due_ms();
            rotating::plan_signal(&mut prior, planned, due_at, now);
        }
        return;
    }
    planned.plan_rotated();
    if overlap {
        // In place: the current token becomes the previous one.
        planned.previous_token_id = prior.id.clone();
        planned.previous_token_revoke_after = Val::Unknown;
        return;
    }
    if regenerate {
        plan_previous(&mut prior, planned, now, diags);
        return;
    }
    plan.requires_replace.push(if triggers_changed {
        crate::attr_path!(ApiTokenModel, rotation_triggers)
    } else {
        crate::attr_path!(ApiTokenModel, expires_at)
    });
}

/// The previous token of an update that does not replace the token: planned away once its
/// grace has ended (judged at `now`), kept as it is when the provider is not configured yet.
fn plan_previous(
    prior: &mut ApiTokenModel,
    planned: &mut ApiTokenModel,
    now: Option<i64>,
    diags: &mut Diagnostics,
) {
    match now {
        Some(now) => rotating::plan_previous(prior, planned, now, "API token", diags),
        None => {
            planned.previous_token_id = prior.previous_token_id.clone();
            planned.previous_token_revoke_after = prior.previous_token_revoke_after.clone();
        }
    }
}

/// Whether the token expires within `rotate_before` (by the server's clock at `now`), with a
/// warning saying how this plan rotates it.
fn due_for_rotation(
    prior: &ApiTokenModel,
    planned: &ApiTokenModel,
    now: Option<i64>,
    overlap: bool,
    regenerate: bool,
    diags: &mut Diagnostics,
) -> bool {
    let (Some(before_text), Some(expires_at), Some(now)) = (
        planned.rotate_before.as_deref(),
        prior.expires_at.as_deref(),
        now,
    ) else {
        return false;
    };
    let (Ok(before), Some(exp)) = (
        duration::parse(before_text),
        millis_from_rfc3339(expires_at),
    ) else {
        return false;
    };
    let left = exp.saturating_sub(now);
    let window = i64::try_from(before.as_millis()).unwrap_or(i64::MAX);
    if left >= window {
        return false;
    }
    diags.attr_warning(
        crate::attr_path!(ApiTokenModel, rotate_before),
        "API token due for rotation",
        format!(
            "API token {:?} ({}) expires at {expires_at}, within rotate_before ({before_text}); this plan rotates it \
             ({}).",
            prior.name.as_deref().unwrap_or(""),
            prior.id.as_deref().unwrap_or(""),
            if overlap {
                "a new token in place; the previous one stays valid for previous_token_grace"
            } else if regenerate {
                "regenerate in place"
            } else {
                "replace"
            },
        ),
    );
    true
}
