//! Resource `vcf_api_token`: an API client's token, with rotation. Its state from the API's
//! answers is in `state`, validation and planning in `plan`, update and rotation in `update`.
//!
//! Rotation (design.md): `rotation_triggers` changes force a new token; `rotate_before` makes the
//! plan rotate by itself once the token is that close to expiry (judged by the server's clock,
//! from its `Date` header); `rotation_strategy` chooses between replacement (new token, old one
//! revoked; with `create_before_destroy` both overlap) and the regenerate call (an in-place
//! update that yields a new secret; the id stays unless the appliance gives a new one).
//!
//! Reads go through the per-client token list ([`super::Fleet::client_tokens`]): one paged
//! query per (realm, client) serves every token of a plan.

use async_trait::async_trait;

use crate::client::{ApiError, Call};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Check, IntBetween, Length, OneOf, PathSegment};
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Resource, Schema, Type, Value};
use crate::resources::rotation::{self, BlockExt};

use super::{
    TokenCreate, WRITE_ROLE, fail, fleet_realm, paths, realm_attribute, realm_state_value, s,
};

mod plan;
mod state;
#[cfg(test)]
mod tests;
mod update;

use state::token_state_at;
pub(crate) use state::unusable;
pub(super) use state::{duration_check, token_state};
use update::revoke;

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .description(description)
        .plan_modifier(UseStateForUnknown)
}

pub struct ApiToken;
#[async_trait]
impl Resource for ApiToken {
    fn type_name(&self) -> &'static str {
        "vcf_api_token"
    }

    fn schema(&self) -> Schema {
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
            .attributes(rotation::overlap_attributes("API token", false))
            .attributes(rotation::signal_attributes(
                "When the token is due for rotation (RFC 3339): `rotate_before` ahead of `expires_at`, or \
                 `expires_at` without `rotate_before`. With `rotate_before` set, the plan after this time rotates \
                 the token by itself.",
            )),
        )
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        plan::validate(config, diags);
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        plan::modify_plan(ctx, plan, diags).await;
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, planned, diags).await else {
            return Value::Null;
        };
        let (Some(client), Some(name)) = (s(planned, "api_client_id"), s(planned, "name")) else {
            return Value::Null;
        };
        let description = s(planned, "description");
        let body = TokenCreate {
            api_client_id: &client,
            token_name: &name,
            token_description: description.as_deref(),
            token_type: "API_CLIENT",
            api_token_ttl: planned.attr("ttl").as_i64(),
            access_token_ttl: planned.attr("access_token_ttl").as_i64(),
        };
        let started = f.state().now_ms();
        let call = Call::post(paths::fill(paths::TOKENS, &[&realm.id]))
            .json(&body)
            .success(&[201])
            .what(format!(
                "create API token {name:?} of API client {client:?}"
            ))
            .needs_role(WRITE_ROLE);
        let realm_id = realm.id.clone();
        let lookup = || async {
            // The newest token of that name created since this create started.
            let list = f.query_tokens(&realm_id, &client).await?;
            Ok(list
                .into_iter()
                .filter(|t| {
                    t.token_name.as_deref() == Some(name.as_str())
                        && t.creation_date.is_some_and(|c| c >= started - 120_000)
                })
                .max_by_key(|t| t.creation_date))
        };
        let created = f.api.create_with_lookup(call, lookup).await;
        f.state().invalidate_tokens(&realm.id, &client);
        let mut base = planned.clone();
        base.set_attr(
            "sso_realm_id",
            realm_state_value(planned.attr("sso_realm_id"), realm),
        );
        match created {
            Ok(c) if c.get().id.is_empty() => fail(
                diags,
                ApiError::new(
                    crate::client::ErrorKind::Decode,
                    "Unexpected response",
                    format!("The answer to creating API token {name:?} carries no token id."),
                ),
            )
            .unwrap_or(Value::Null),
            Ok(c) => {
                if c.is_recovered() {
                    diags.warning(
                        "API token secret lost in transit",
                        format!(
                            "The answer to creating API token {name:?} was lost, so its secret is unknown; the token \
                             exists and is in the state without `token`. Change rotation_triggers (or taint it) to \
                             get a token whose secret Terraform knows."
                        ),
                    );
                }
                token_state(&c.into_inner(), &base)
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return Value::Null;
        };
        let (Some(client), Some(id)) = (s(state, "api_client_id"), s(state, "id")) else {
            return Value::Null;
        };
        let name = s(state, "name").unwrap_or_default();
        match Self::find(f, &realm.id, &client, &id).await {
            Ok(Some(t)) => match unusable(&t, f.state().now_ms()) {
                None => {
                    let mut v = token_state_at(&t, state, f.state().now_ms());
                    Self::read_previous(f, &realm.id, &client, &mut v, diags).await;
                    v
                }
                Some(why) => {
                    // Distinct summaries, because Terraform folds warnings that share one.
                    let summary = if why.contains("xpired") || why.contains("EXPIRED") {
                        "API token expired"
                    } else {
                        "API token not active"
                    };
                    diags.warning(
                        summary,
                        format!(
                            "API token {name:?} ({id}) of API client {client:?} {why}; it is removed from the state \
                             and the next apply creates a new one.{}",
                            rotation::previous_left_behind(state, "vcf_api_token_revoke")
                        ),
                    );
                    Value::Null
                }
            },
            Ok(None) => {
                diags.warning(
                    "API token no longer exists",
                    format!(
                        "API token {name:?} ({id}) of API client {client:?} was deleted outside Terraform; it is \
                         removed from the state and the next apply creates a new one.{}",
                        rotation::previous_left_behind(state, "vcf_api_token_revoke")
                    ),
                );
                Value::Null
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }
    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.update_token(ctx, prior, planned, diags).await
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let (Some(client), Some(id)) = (s(state, "api_client_id"), s(state, "id")) else {
            return;
        };
        let previous = s(state, rotation::PREVIOUS_ID);
        if !rotation::revoke_on_destroy(state) {
            diags.warning(
                "API token left valid",
                format!(
                    "revoke_on_destroy is false: API token {id}{} of API client {client:?} stays valid on the server \
                     until it expires ({}); Terraform no longer manages it.",
                    previous
                        .as_deref()
                        .map(|p| format!(" (and the previous token {p})"))
                        .unwrap_or_default(),
                    state.attr("expires_at").as_str().unwrap_or("expiry unknown"),
                ),
            );
            return;
        }
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        for token in std::iter::once(id).chain(previous) {
            if let Err(e) = revoke(f, &realm.id, &client, &token).await {
                diags.push(e.to_diagnostic());
            }
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        super::api_token_list::token_identity_schema()
    }

    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        super::api_token_list::import_token_by_identity(self, ctx, identity, diags).await
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        let parts: Vec<&str> = id.split('/').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
            diags.error(
                "Invalid import ID",
                format!("vcf_api_token is imported as <sso_realm_id>/<api_client_id>/<token_id>; got {id:?}."),
            );
            return Value::Null;
        }
        let mut v = Value::object(
            self.schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        v.set_attr("sso_realm_id", Value::string(parts[0]));
        v.set_attr("api_client_id", Value::string(parts[1]));
        v.set_attr("id", Value::string(parts[2]));
        v
    }
}

/// For the fuzz targets (`crate::fuzzing`): a token answer turned into state.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_state(t: &super::TokenJson) {
    let base = Value::Object(Default::default());
    let _ = token_state(t, &base);
    let _ = unusable(t, 0);
}
