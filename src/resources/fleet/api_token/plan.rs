//! Validation and planning of `vcf_api_token`: the rotation settings checked against each other,
//! and a plan that rotates when the triggers change or the token is due.

use crate::framework::duration;
use crate::framework::traits::PlanChange;
use crate::framework::{AttributePath, Ctx, Diagnostics, Value};
use crate::resources::rotation;

use super::super::{millis_from_rfc3339, plan_realm};
use super::state::{ROTATED, due_ms};

/// `previous_token_grace` against the other rotation settings.
fn validate_overlap(config: &Value, diags: &mut Diagnostics) {
    // Unknown (a variable not known yet) may still turn out null: checked again at plan.
    if !config.attr(rotation::GRACE).is_known() || config.attr(rotation::GRACE).is_null() {
        return;
    }
    match config.attr("rotation_strategy").as_str() {
        Some("regenerate") => diags.attr_error(
            AttributePath::attr(rotation::GRACE),
            "previous_token_grace conflicts with rotation_strategy = \"regenerate\"",
            "The regenerate call invalidates the old secret at once, so there is no previous token to keep. \
             Remove rotation_strategy to rotate with an overlap (a new token in place, the previous one valid for \
             previous_token_grace), or remove previous_token_grace to regenerate.",
        ),
        Some("replace") => diags.attr_error(
            AttributePath::attr(rotation::GRACE),
            "previous_token_grace conflicts with rotation_strategy = \"replace\"",
            "With previous_token_grace a rotation is an in-place update that keeps the previous token valid for \
             the grace, not a replacement. Remove rotation_strategy (or previous_token_grace).",
        ),
        _ => {}
    }
    rotation::validate_grace(
        config,
        config.attr("ttl").as_i64(),
        config.attr("rotate_before").as_str(),
        diags,
    );
}

/// Checks beyond the schema's validators.
pub(super) fn validate(config: &Value, diags: &mut Diagnostics) {
    validate_overlap(config, diags);
    // A window at or above the lifetime would make every plan rotate the token.
    let (Some(before), Some(ttl)) = (
        config
            .attr("rotate_before")
            .as_str()
            .and_then(|t| duration::parse(t).ok()),
        config.attr("ttl").as_i64(),
    ) else {
        return;
    };
    let ttl_secs = u64::try_from(ttl).unwrap_or(0).saturating_mul(60);
    if before.as_secs() >= ttl_secs {
        diags.attr_error(
            AttributePath::attr("rotate_before"),
            "rotate_before is not shorter than the token's lifetime",
            format!(
                "rotate_before ({}) is at or above ttl ({ttl} minutes), so every plan would rotate the token. \
                 Choose a window shorter than ttl, for example a quarter of it.",
                config.attr("rotate_before").as_str().unwrap_or("")
            ),
        );
    }
}

/// Plans a create or update: realm, existing tokens, lifetimes, and rotation.
pub(super) async fn modify_plan(ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
    plan_realm(ctx, plan, diags).await;
    crate::resources::existing::plan_api_token(ctx, plan, diags).await;
    if !plan.planned.is_null() {
        super::super::settings::check_token_ttls(
            ctx,
            plan,
            &[
                ("ttl", |s| s.api_token_ttl),
                ("access_token_ttl", |s| s.access_token_ttl),
            ],
            diags,
        )
        .await;
    }
    if plan.prior.is_null() {
        if !plan.planned.is_null() {
            // A new token has no previous one.
            rotation::clear_previous(&mut plan.planned);
        }
        return;
    }
    let overlap = rotation::overlap(plan.config);
    let strategy = plan
        .planned
        .attr("rotation_strategy")
        .as_str()
        .unwrap_or("replace")
        .to_string();
    let triggers = plan.planned.attr("rotation_triggers");
    let triggers_changed = triggers != plan.prior.attr("rotation_triggers");
    let mut due = false;
    if let Some(before) = plan
        .planned
        .attr("rotate_before")
        .as_str()
        .and_then(|t| duration::parse(t).ok())
        && let Some(exp) = plan
            .prior
            .attr("expires_at")
            .as_str()
            .and_then(millis_from_rfc3339)
        && let Some(vcf) = ctx.data::<crate::resources::VcfContext>()
    {
        let left = exp.saturating_sub(vcf.fleet.now_ms());
        let window = i64::try_from(before.as_millis()).unwrap_or(i64::MAX);
        if left < window {
            due = true;
            diags.attr_warning(
                AttributePath::attr("rotate_before"),
                "API token due for rotation",
                format!(
                    "API token {:?} ({}) expires at {}, within rotate_before ({}); this plan rotates it ({}).",
                    plan.prior.attr("name").as_str().unwrap_or(""),
                    plan.prior.attr("id").as_str().unwrap_or(""),
                    plan.prior.attr("expires_at").as_str().unwrap_or(""),
                    plan.planned.attr("rotate_before").as_str().unwrap_or(""),
                    if overlap {
                        "a new token in place; the previous one stays valid for previous_token_grace"
                    } else if strategy == "regenerate" {
                        "regenerate in place"
                    } else {
                        "replace"
                    },
                ),
            );
        }
    }
    // With overlap rotation a new lifetime is a rotation in place too (the token is created
    // anew either way), so that consumers keep the previous token for the grace.
    let ttl_path = AttributePath::attr("ttl");
    let ttl_rotation = overlap && plan.requires_replace.contains(&ttl_path);
    if ttl_rotation {
        plan.requires_replace.retain(|p| *p != ttl_path);
    }
    let now = ctx
        .data::<crate::resources::VcfContext>()
        .map(|c| c.fleet.now_ms());
    if !(triggers_changed || due || ttl_rotation) {
        match now {
            Some(now) => {
                rotation::plan_previous(plan.prior, &mut plan.planned, now, "API token", diags);
                let due_at = due_ms(&plan.planned);
                rotation::plan_signal(plan.prior, &mut plan.planned, due_at, now);
            }
            None => {
                for name in [rotation::PREVIOUS_ID, rotation::REVOKE_AFTER] {
                    plan.planned.set_attr(name, plan.prior.attr(name).clone());
                }
            }
        }
        return;
    }
    for name in ROTATED {
        plan.planned.set_attr(name, Value::Unknown);
    }
    rotation::unknown_signal(&mut plan.planned);
    if overlap {
        // In place: the current token becomes the previous one.
        plan.planned
            .set_attr(rotation::PREVIOUS_ID, plan.prior.attr("id").clone());
        plan.planned
            .set_attr(rotation::REVOKE_AFTER, Value::Unknown);
        return;
    }
    if strategy == "regenerate" {
        match now {
            Some(now) => {
                rotation::plan_previous(plan.prior, &mut plan.planned, now, "API token", diags)
            }
            None => {
                for name in [rotation::PREVIOUS_ID, rotation::REVOKE_AFTER] {
                    plan.planned.set_attr(name, plan.prior.attr(name).clone());
                }
            }
        }
        return;
    }
    plan.requires_replace
        .push(AttributePath::attr(if triggers_changed {
            "rotation_triggers"
        } else {
            "expires_at"
        }));
}
