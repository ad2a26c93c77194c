//! Data source `vcf_iam_settings` (`GET /settings`, GlobalIamSettings) and the plan-time check
//! of API token TTLs against the settings.

use async_trait::async_trait;
use serde::Deserialize;

use crate::framework::{Attribute, traits::PlanChange};
use crate::framework::{AttributePath, Block, Ctx, DataSource, Diagnostics, Schema, Value};

use super::{fail, fleet};

/// GlobalIamSettings. The TTLs are minutes; every field is optional here so that an appliance
/// that adds or drops one still decodes.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct SettingsJson {
    #[serde(default)]
    pub api_token_ttl: Option<i64>,
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    #[serde(default)]
    pub api_token_retention_period: Option<i64>,
    #[serde(default)]
    pub all_users_group_enabled: Option<bool>,
    #[serde(default)]
    pub jit_inactive_user_enabled: Option<bool>,
    #[serde(default)]
    pub jit_inactive_user_ttl: Option<i64>,
}

/// Picks one TTL of the settings.
pub type Pick = fn(&SettingsJson) -> Option<i64>;

/// At plan time, when the provider is configured: warns on `attribute` (minutes) when it is
/// above the appliance's setting `limit`. A warning, not an error, because the reference does
/// not say whether the settings are ceilings or defaults for new tokens (UNCONFIRMED); an
/// appliance that refuses the value still fails the apply with its own message.
pub async fn check_token_ttls(
    ctx: &Ctx,
    plan: &PlanChange<'_>,
    pairs: &[(&str, Pick)],
    diags: &mut Diagnostics,
) {
    let wanted: Vec<(&str, i64, Pick)> = pairs
        .iter()
        .filter_map(|(attr, pick)| {
            let v = plan.planned.attr(attr).as_i64()?;
            let changed = plan.prior.is_null() || plan.prior.attr(attr).as_i64() != Some(v);
            changed.then_some((*attr, v, *pick))
        })
        .collect();
    if wanted.is_empty() {
        return;
    }
    let mut quiet = Diagnostics::new();
    let Some(f) = fleet(ctx, &mut quiet) else {
        return;
    };
    let settings = match f.settings().await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(error = %e, "IAM settings not readable; TTLs not checked at plan time");
            return;
        }
    };
    for (attr, v, pick) in wanted {
        if let Some(limit) = pick(settings).filter(|l| v > *l) {
            diags.attr_warning(
                AttributePath::attr(attr),
                "TTL above the appliance's IAM setting",
                format!(
                    "{attr} = {v} minutes, but the IAM settings of VCF Operations give {limit} minutes (see data \
                     source vcf_iam_settings); the appliance may refuse or shorten the token."
                ),
            );
        }
    }
}

/// Data source `vcf_iam_settings`.
pub struct IamSettings;

#[async_trait]
impl DataSource for IamSettings {
    fn type_name(&self) -> &'static str {
        "vcf_iam_settings"
    }

    fn schema(&self) -> Schema {
        let minutes =
            |name: &str, what: &'static str| Attribute::number(name).computed().description(what);
        Schema::new(
            0,
            Block::new(
                "The IAM settings of VCF Operations (`GET /settings`): the TTLs that API tokens and the access \
                 tokens exchanged for them get, and how long expired tokens are kept. Use them to choose `ttl` \
                 and `access_token_ttl` of `vcf_api_token`, or in a `check` block.",
            )
            .attribute(minutes("api_token_ttl", "API token TTL (`apiTokenTtl`), in minutes."))
            .attribute(minutes(
                "access_token_ttl",
                "Access token TTL (`accessTokenTtl`), in minutes.",
            ))
            .attribute(minutes(
                "api_token_retention_period",
                "How long expired API tokens are kept (`apiTokenRetentionPeriod`), in minutes.",
            ))
            .attribute(
                Attribute::bool("all_users_group_enabled")
                    .computed()
                    .description("Whether the all-users group is enabled (`allUsersGroupEnabled`)."),
            )
            .attribute(
                Attribute::bool("jit_inactive_user_enabled")
                    .computed()
                    .description(
                        "Whether just-in-time users are deactivated when inactive (`jitInactiveUserEnabled`).",
                    ),
            )
            .attribute(minutes(
                "jit_inactive_user_ttl",
                "Inactivity after which a just-in-time user is deactivated (`jitInactiveUserTtl`), in minutes.",
            )),
        )
    }

    async fn read(&self, ctx: &Ctx, _config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(f) = fleet(ctx, diags) else {
            return Value::Null;
        };
        let s = match f.settings().await {
            Ok(s) => s,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        let n = |v: Option<i64>| v.map_or(Value::Null, Value::from);
        let b = |v: Option<bool>| v.map_or(Value::Null, Value::Bool);
        Value::object([
            ("api_token_ttl", n(s.api_token_ttl)),
            ("access_token_ttl", n(s.access_token_ttl)),
            (
                "api_token_retention_period",
                n(s.api_token_retention_period),
            ),
            ("all_users_group_enabled", b(s.all_users_group_enabled)),
            ("jit_inactive_user_enabled", b(s.jit_inactive_user_enabled)),
            ("jit_inactive_user_ttl", n(s.jit_inactive_user_ttl)),
        ])
    }
}
