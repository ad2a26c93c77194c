//! Data source `vcf_iam_settings` (`GET /settings`, GlobalIamSettings) and the plan-time check
//! of API token TTLs against the settings.

use async_trait::async_trait;

use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, Schema, TypedDataSource, Val,
};

use super::{SettingsJson, fleet_of};

/// Picks one TTL of the settings.
pub type Pick = fn(&SettingsJson) -> Option<i64>;

/// A TTL of a plan: the attribute, its planned value in minutes when the plan sets it anew (a
/// create, or a changed value; `None` otherwise), and the setting it is checked against.
pub type PlannedTtl = (&'static str, Option<i64>, Pick);

/// At plan time, when the provider is configured: warns on each TTL of `ttls` that is above
/// the appliance's setting `limit`. A warning, not an error, because the reference does not say
/// whether the settings are ceilings or defaults for new tokens (UNCONFIRMED); an appliance that
/// refuses the value still fails the apply with its own message.
pub async fn check_token_ttls(ctx: &Ctx, ttls: &[PlannedTtl], diags: &mut Diagnostics) {
    let wanted: Vec<(&str, i64, Pick)> = ttls
        .iter()
        .filter_map(|(attr, v, pick)| Some((*attr, (*v)?, *pick)))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let Ok(f) = fleet_of(ctx) else {
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

crate::model! {
    /// `vcf_iam_settings`: the settings, every one computed (TTLs in minutes).
    pub struct IamSettingsModel {
        pub api_token_ttl: Val<i64>,
        pub access_token_ttl: Val<i64>,
        pub api_token_retention_period: Val<i64>,
        pub all_users_group_enabled: Val<bool>,
        pub jit_inactive_user_enabled: Val<bool>,
        pub jit_inactive_user_ttl: Val<i64>,
    }
}

impl From<&SettingsJson> for IamSettingsModel {
    fn from(s: &SettingsJson) -> Self {
        IamSettingsModel {
            api_token_ttl: s.api_token_ttl.into(),
            access_token_ttl: s.access_token_ttl.into(),
            api_token_retention_period: s.api_token_retention_period.into(),
            all_users_group_enabled: s.all_users_group_enabled.into(),
            jit_inactive_user_enabled: s.jit_inactive_user_enabled.into(),
            jit_inactive_user_ttl: s.jit_inactive_user_ttl.into(),
        }
    }
}

/// Data source `vcf_iam_settings`.
pub struct IamSettings;

#[async_trait]
impl TypedDataSource for IamSettings {
    type Model = IamSettingsModel;

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

    async fn read(
        &self,
        ctx: &Ctx,
        _config: IamSettingsModel,
        _diags: &mut Diagnostics,
    ) -> Result<IamSettingsModel, Failure> {
        let settings = fleet_of(ctx)?.settings().await?;
        Ok(settings.into())
    }
}
