//! Resource `vcf_api_token`: an API client's token, with rotation. Its state from the API's
//! answers is in `state`, validation and planning in `plan`, update and rotation in `update`.
//!
//! Rotation: `rotation_triggers` changes force a new token; `rotate_before` makes the
//! plan rotate by itself once the token is that close to expiry (judged by the server's clock,
//! from its `Date` header); `rotation_strategy` chooses between replacement (new token, old one
//! revoked; with `create_before_destroy` both overlap) and the regenerate call (an in-place
//! update that yields a new secret; the id stays unless the appliance gives a new one).
//!
//! Reads go through the per-client token list ([`super::Fleet::client_tokens`]): one paged
//! query per (realm, client) serves every token of a plan.

use async_trait::async_trait;

use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Check, IntBetween, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, IdentitySchema, Plan, Read, Schema,
    Secret, Type, TypedResource, Val, Value,
};
use crate::resources::rotating::{self, BlockExt, duration_check};

use super::{fleet_realm_of, realm_attribute};

mod plan;
mod state;
#[cfg(test)]
mod tests;
mod update;

pub(crate) use state::unusable;
use update::{NewToken, revoke};

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .description(description)
        .plan_modifier(UseStateForUnknown)
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "An API token of an API client (`vidb_…`), which automation exchanges for access tokens at \
             `token_endpoint_url`. The secret `token` is shown by the API once and kept (sensitive) in the \
             state; protect the state accordingly. The token carries exactly the VCF roles of its client.\n\n\
             **Rotation.** Change `rotation_triggers` (for example from a `time_rotating` resource) to rotate \
             on demand; set `rotate_before` to have a plain `terraform plan` rotate the token once it is that \
             close to expiry, so a scheduled apply never lets it lapse. With `rotation_strategy = \"replace\"` \
             (default) a new token is created and the old one revoked; add \
             `lifecycle { create_before_destroy = true }` so both work during the switch. With `\"regenerate\"` \
             the API's regenerate call replaces the secret in place (new `token`, the old one invalid at \
             once; the `id` stays, or changes if the appliance gives a new one). With `previous_token_grace` \
             (overlap rotation) a rotation creates the new token in place and keeps the previous one valid \
             for the grace; the first plan/apply after it revokes it. `ready_for_rotation` and \
             `rotation_due_at` tell `check` blocks and other resources when rotation is due.\n\n\
             `description` and `access_token_ttl` are updated in place; `name`, `ttl` and `api_client_id` \
             replace the token (`name` is part of the token's identity).\n\n\
             A token revoked, expired or deleted outside Terraform disappears from the state on refresh (with \
             a warning), so the next apply creates a new one.\n\n\
             Import ID: `<sso_realm_id>/<api_client_id>/<token_id>`. An imported token has no `token` value \
             (the API never shows it again); rotate it to get one.",
        )
        .attribute(computed("id", "Token id. Changes on every rotation."))
        .attribute(realm_attribute())
        .attribute(
            Attribute::string("api_client_id")
                .validator(PathSegment)
                .required()
                .description("`client_id` of the API client that owns the token. Changing it replaces the token.")
                .validator(Length::at_least(1))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .description("Token name, a label (names need not be unique). Changing it replaces the token.")
                .validator(Length::between(1, 256))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::string("description")
                .optional()
                .description("Description. Updated in place."),
        )
        .attribute(
            Attribute::number("ttl")
                .optional()
                .computed()
                .description(
                    "Lifetime of the token in minutes, 1 to 259200 (180 days). The product documents API \
                     tokens as living 30 to 180 days (43200 to 259200 minutes); the server rejects values it \
                     does not accept. Defaults to the server's default. Changing it replaces the token.",
                )
                .validator(IntBetween(1, 259_200))
                .plan_modifier(RequiresReplace)
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::number("access_token_ttl")
                .optional()
                .computed()
                .description(
                    "Lifetime in minutes of the access tokens the token is exchanged for, 1 to 480 (the \
                     reference's ceiling of the IAM setting; for example 30). Defaults to the server's default. \
                     Updated in place.",
                )
                .validator(IntBetween(1, 480))
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::new("rotation_triggers", Type::map(Type::String))
                .optional()
                .description(
                    "Arbitrary strings; any change rotates the token (a replacement, or an in-place \
                     regenerate with `rotation_strategy = \"regenerate\"`). For example \
                     `{ rotated = time_rotating.token.id }`.",
                ),
        )
        .attribute(
            Attribute::string("rotate_before")
                .optional()
                .description(
                    "A duration such as `\"168h\"` or `\"14d\"`: when the token expires sooner than this, \
                     `terraform plan` rotates it without any configuration change and warns. Expiry is judged \
                     by the server's clock.",
                )
                .validator(Check::new("must be a duration such as `168h`", duration_check)),
        )
        .attribute(
            Attribute::string("rotation_strategy")
                .optional()
                .description(
                    "`replace` (default): rotation creates a new token and revokes the old one. `regenerate`: \
                     rotation is an in-place update through the API's regenerate call (new secret, no \
                     overlap). Changing this setting alone rotates nothing.",
                )
                .validator(OneOf::new(&["replace", "regenerate"])),
        )
        .attribute(
            Attribute::string("token")
                .computed()
                .sensitive()
                .description("The secret `vidb_…` token. Shown by the API only when created or regenerated.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(computed("token_last_chars", "Last characters of the token, to recognise it without the secret."))
        .attribute(computed("status", "`ACTIVE`, `EXPIRED` or `UNKNOWN` (a revoked token is gone)."))
        .attribute(computed("created_at", "Creation time (RFC 3339)."))
        .attribute(computed("expires_at", "Expiry time (RFC 3339)."))
        .attribute(computed("last_used_at", "When the token was last used (RFC 3339), as of the last refresh."))
        .attribute(crate::resources::existing::attribute("the API client"))
        .attribute(computed("token_endpoint_url", "OAuth 2.0 token endpoint where the token is exchanged for access tokens (the identity broker's `api_token` grant)."))
        .attribute(computed("oidc_issuer_url", "OIDC issuer of the access tokens."))
        .attributes(rotating::overlap_attributes("API token", false))
        .attributes(rotating::signal_attributes(
            "When the token is due for rotation (RFC 3339): `rotate_before` ahead of `expires_at`, or \
             `expires_at` without `rotate_before`. With `rotate_before` set, the plan after this time rotates \
             the token by itself.",
        )),
    )
}

crate::model! {
    /// `vcf_api_token`.
    pub struct ApiTokenModel {
        pub id: Val<String>,
        pub sso_realm_id: Val<String>,
        pub api_client_id: Val<String>,
        pub name: Val<String>,
        pub description: Val<String>,
        pub ttl: Val<i64>,
        pub access_token_ttl: Val<i64>,
        pub rotation_triggers: rotating::Triggers,
        pub rotate_before: Val<String>,
        pub rotation_strategy: Val<String>,
        pub token: Val<Secret>,
        pub token_last_chars: Val<String>,
        pub status: Val<String>,
        pub created_at: Val<String>,
        pub expires_at: Val<String>,
        pub last_used_at: Val<String>,
        pub on_existing_token: Val<String>,
        pub token_endpoint_url: Val<String>,
        pub oidc_issuer_url: Val<String>,
        pub previous_token_grace: Val<String>,
        pub previous_token_id: Val<String>,
        pub previous_token_revoke_after: Val<String>,
        pub revoke_on_destroy: Val<bool>,
        pub ready_for_rotation: Val<bool>,
        pub rotation_due_at: Val<String>,
    }
}

crate::rotating_fields!(ApiTokenModel);

/// A string that the schema requires, or that a state always has: only a provider bug leaves it
/// unset here. `attribute` is its path (`crate::attr_path!(ApiTokenModel, field)`).
fn known(v: &Val<String>, attribute: AttributePath) -> Result<&str> {
    v.as_deref().ok_or_else(|| {
        Failure::at(
            attribute.clone(),
            format!("Provider bug: {attribute} is not known"),
            format!(
                "The API token's {attribute} is not known here. Please report this issue to the provider developers."
            ),
        )
    })
}

/// `vcf_api_token`.
pub struct ApiToken;

#[async_trait]
impl TypedResource for ApiToken {
    type Model = ApiTokenModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_token"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ApiTokenModel, diags: &mut Diagnostics) {
        plan::validate(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, ApiTokenModel>,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        plan::modify_plan(ctx, plan, diags).await;
        Ok(())
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: ApiTokenModel,
        _config: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        let (f, realm) = fleet_realm_of(ctx, &plan.sso_realm_id).await?;
        let client = known(
            &plan.api_client_id,
            crate::attr_path!(ApiTokenModel, api_client_id),
        )?;
        known(&plan.name, crate::attr_path!(ApiTokenModel, name))?;
        let mut base = plan.clone();
        // What the configuration says, else the resolved id.
        if base.sso_realm_id.get().is_none() {
            base.sso_realm_id = realm.id.as_str().into();
        }
        Self::create_new(f, &realm.id, client, &base, NewToken::First, diags).await
    }

    async fn read(
        &self,
        ctx: &Ctx,
        mut state: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<Read<ApiTokenModel>> {
        let (f, realm) = fleet_realm_of(ctx, &state.sso_realm_id).await?;
        let client = known(
            &state.api_client_id,
            crate::attr_path!(ApiTokenModel, api_client_id),
        )?
        .to_string();
        let id = known(&state.id, crate::attr_path!(ApiTokenModel, id))?.to_string();
        let name = state.name.as_deref().unwrap_or_default().to_string();
        let Some(t) = Self::find(f, &realm.id, &client, &id).await? else {
            return Ok(Read::gone(
                "API token no longer exists",
                format!(
                    "API token {name:?} ({id}) of API client {client:?} was deleted outside Terraform; it is \
                     removed from the state and the next apply creates a new one.{}",
                    rotating::previous_left_behind(&mut state, "vcf_api_token_revoke")
                ),
            ));
        };
        let now = f.state().now_ms();
        if let Some(why) = unusable(&t, now) {
            // Distinct summaries, because Terraform folds warnings that share one.
            let summary = if why.contains("xpired") || why.contains("EXPIRED") {
                "API token expired"
            } else {
                "API token not active"
            };
            return Ok(Read::gone(
                summary,
                format!(
                    "API token {name:?} ({id}) of API client {client:?} {why}; it is removed from the state \
                     and the next apply creates a new one.{}",
                    rotating::previous_left_behind(&mut state, "vcf_api_token_revoke")
                ),
            ));
        }
        let mut m = ApiTokenModel::from_api(&t, &state, now);
        Self::read_previous(f, &realm.id, &client, &mut m, diags).await?;
        Ok(Read::Found(m))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: ApiTokenModel,
        plan: ApiTokenModel,
        _config: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        self.update_token(ctx, prior, plan, diags).await
    }

    async fn delete(&self, ctx: &Ctx, state: ApiTokenModel, diags: &mut Diagnostics) -> Result<()> {
        let (Some(client), Some(id)) = (state.api_client_id.as_deref(), state.id.as_deref()) else {
            return Ok(());
        };
        let previous = state.previous_token_id.as_deref();
        if !rotating::revoke_on_destroy(&state) {
            diags.warning(
                "API token left valid",
                format!(
                    "revoke_on_destroy is false: API token {id}{} of API client {client:?} stays valid on the server \
                     until it expires ({}); Terraform no longer manages it.",
                    previous
                        .map(|p| format!(" (and the previous token {p})"))
                        .unwrap_or_default(),
                    state.expires_at.as_deref().unwrap_or("expiry unknown"),
                ),
            );
            return Ok(());
        }
        let (f, realm) = fleet_realm_of(ctx, &state.sso_realm_id).await?;
        let mut errors = Diagnostics::new();
        for token in std::iter::once(id).chain(previous) {
            if let Err(e) = revoke(f, &realm.id, client, token).await {
                errors.push(e.to_diagnostic());
            }
        }
        if errors.has_errors() {
            return Err(errors.into());
        }
        Ok(())
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        super::api_token_list::token_identity_schema()
    }

    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        super::api_token_list::import_token_by_identity(self, ctx, identity, diags).await
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        let parts: Vec<&str> = id.split('/').collect();
        let [realm, client, token] = parts.as_slice() else {
            return Err(invalid_import_id(id));
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(invalid_import_id(id));
        }
        Ok(ApiTokenModel {
            sso_realm_id: (*realm).into(),
            api_client_id: (*client).into(),
            id: (*token).into(),
            ..ApiTokenModel::default()
        })
    }
}

fn invalid_import_id(id: &str) -> Failure {
    Failure::error(
        "Invalid import ID",
        format!(
            "vcf_api_token is imported as <sso_realm_id>/<api_client_id>/<token_id>; got {id:?}."
        ),
    )
}

/// For the fuzz targets (`crate::fuzzing`): a token answer turned into state.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_state(t: &super::TokenJson) {
    use crate::framework::model::ToValue;
    let _ =
        ApiTokenModel::from_api(t, &ApiTokenModel::default(), rotating::local_now_ms()).to_value();
    let _ = unusable(t, 0);
}
