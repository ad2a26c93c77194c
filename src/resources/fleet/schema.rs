//! Schema pieces and value helpers the fleet types share.

use crate::framework::model::{FromValue, ToValue};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, AttributePath, Ctx, Diagnostics, Failure, Val, Value};

use super::*;

// ---------------------------------------------------------------------------------------------
// Schema pieces and value helpers

/// At plan time: resolves the realm of a planned create or update and, when the configuration
/// leaves `sso_realm_id` out, fills in the default realm's id so the plan shows it. `None` when
/// the realm is not known yet (it depends on another resource) or cannot be resolved (the
/// diagnostic says why).
pub async fn plan_realm<'a>(
    ctx: &'a Ctx,
    plan: &mut PlanChange<'_>,
    diags: &mut Diagnostics,
) -> Option<(Fleet<'a>, &'a RealmJson)> {
    let path = AttributePath::attr("sso_realm_id");
    let realm_id = |v: &Value| Val::<String>::from_value(v, &path).unwrap_or_default();
    let mut planned = realm_id(plan.planned.attr("sso_realm_id"));
    let configured = realm_id(plan.config.attr("sso_realm_id"));
    match plan_realm_of(ctx, &mut planned, &configured).await {
        Ok(found) => {
            if plan.planned.attr("sso_realm_id").is_unknown() && planned.is_known() {
                plan.planned.set_attr("sso_realm_id", planned.to_value());
            }
            found
        }
        Err(f) => {
            diags.extend(f.diags);
            None
        }
    }
}

/// [`plan_realm`] for typed resource code, on the planned and configured `sso_realm_id`: fills
/// in the default realm's id when the configuration leaves it out. `Ok(None)` while the
/// configured realm is not known yet.
pub async fn plan_realm_of<'a>(
    ctx: &'a Ctx,
    planned: &mut Val<String>,
    configured: &Val<String>,
) -> Result<Option<(Fleet<'a>, &'a RealmJson)>, Failure> {
    if configured.is_unknown() {
        return Ok(None);
    }
    let f = fleet_of(ctx)?;
    let lookup = if planned.is_known() {
        &*planned
    } else {
        configured
    };
    let realm = f.realm_of(lookup, "sso_realm_id").await?;
    if planned.is_unknown() && configured.is_null() {
        *planned = Val::Known(realm.id.clone());
    }
    Ok(Some((f, realm)))
}

/// `sso_realm_id` of a resource: optional, defaults to the provider's realm, replaces on change.
pub fn realm_attribute() -> Attribute {
    Attribute::string("sso_realm_id")
        .validator(PathSegment)
        .optional()
        .computed()
        .description(
            "SSO realm, by id or name (see data source `vcf_sso_realm`). Defaults to the provider's \
             `default_sso_realm`. Changing it creates a new object in the other realm.",
        )
        .validator(Length::at_least(1))
        .plan_modifier(RequiresReplace)
        .plan_modifier(UseStateForUnknown)
}

/// `sso_realm_id` of a data source: optional, defaults to the provider's realm.
pub fn realm_lookup_attribute() -> Attribute {
    Attribute::string("sso_realm_id")
        .validator(PathSegment)
        .optional()
        .description("SSO realm, by id or name. Defaults to the provider's `default_sso_realm`.")
        .validator(Length::at_least(1))
}

/// Description of `sso_realm_id` in identities.
pub const REALM_IDENTITY: &str = "SSO realm: its id (as `terraform query` reports it), or its name when \
                                  the configuration names the realm by name.";

/// The realm value to keep in state: what the configuration says, else the resolved id.
pub fn realm_state_value(configured: &Value, realm: &RealmJson) -> Value {
    match configured.as_str() {
        Some(s) => Value::string(s),
        None => Value::string(&realm.id),
    }
}

/// A string attribute of a state, plan or configuration.
pub fn s(v: &Value, name: &str) -> Option<String> {
    v.attr(name).as_str().map(str::to_string)
}

/// RFC 3339 text as milliseconds since the epoch.
pub fn millis_from_rfc3339(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}
