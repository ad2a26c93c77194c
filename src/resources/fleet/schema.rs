//! Schema pieces and value helpers the fleet types share.

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Ctx, Failure, Val};

use super::*;

// ---------------------------------------------------------------------------------------------
// Schema pieces and value helpers

/// At plan time: resolves the realm of a planned create or update from the planned and
/// configured `sso_realm_id`, and fills in the default realm's id when the configuration
/// leaves it out, so the plan shows it. `Ok(None)` while the
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
    let realm = f.realm_of(lookup).await?;
    if planned.is_unknown() && configured.is_null() {
        *planned = Val::Known(realm.id.clone());
    }
    Ok(Some((f, realm)))
}

/// The SSO realm attribute of every fleet type: in schemas, identities and the diagnostics
/// that name it.
pub const REALM_ATTRIBUTE: &str = "sso_realm_id";

/// `sso_realm_id` of a resource: optional, defaults to the provider's realm, replaces on change.
pub fn realm_attribute() -> Attribute {
    Attribute::string(REALM_ATTRIBUTE)
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
    Attribute::string(REALM_ATTRIBUTE)
        .validator(PathSegment)
        .optional()
        .description("SSO realm, by id or name. Defaults to the provider's `default_sso_realm`.")
        .validator(Length::at_least(1))
}

/// Description of `sso_realm_id` in identities.
pub const REALM_IDENTITY: &str = "SSO realm: its id (as `terraform query` reports it), or its name when \
                                  the configuration names the realm by name.";

/// RFC 3339 text as milliseconds since the epoch.
pub fn millis_from_rfc3339(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}
