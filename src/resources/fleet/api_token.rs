//! Resource `vcf_api_token` (an API client's token, with rotation) and data source
//! `vcf_api_tokens`.
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
use crate::framework::duration;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Check, IntBetween, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, DataSource, Diagnostics, Nesting, Resource, Schema, Type,
    Value,
};
use crate::resources::rfc3339_from_millis;

use super::fleet_realm;
use super::{
    Fleet, TokenCreate, TokenJson, WRITE_ROLE, fail, fleet, millis_from_rfc3339, paths, plan_realm,
    realm_attribute, realm_lookup_attribute, realm_state_value, s,
};

/// Computed attributes that a rotation changes.
const ROTATED: [&str; 7] = [
    "id",
    "token",
    "token_last_chars",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
];

fn duration_check(v: &Value) -> Option<String> {
    duration::parse(v.as_str()?).err()
}

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .description(description)
        .plan_modifier(UseStateForUnknown)
}

fn time_value(ms: Option<i64>) -> Value {
    Value::opt_string(ms.and_then(rfc3339_from_millis))
}

/// `base` (the planned or prior state) completed from the API's token object.
pub(super) fn token_state(t: &TokenJson, base: &Value) -> Value {
    let mut v = base.clone();
    let keep_or = |v: &mut Value, name: &str, new: Value| {
        if !new.is_null() {
            v.set_attr(name, new);
        } else if v.attr(name).is_unknown() {
            v.set_attr(name, Value::Null);
        }
    };
    // An answer without an id (optional in the reference) keeps the id the state knows.
    keep_or(
        &mut v,
        "id",
        Value::opt_string((!t.id.is_empty()).then(|| t.id.clone())),
    );
    keep_or(
        &mut v,
        "api_client_id",
        Value::opt_string(t.api_client_id.clone()),
    );
    keep_or(&mut v, "name", Value::opt_string(t.token_name.clone()));
    let description = match t.token_description.as_deref() {
        Some("") | None if base.attr("description").is_null() => Value::Null,
        d => Value::opt_string(d.map(str::to_string)),
    };
    v.set_attr("description", description);
    keep_or(
        &mut v,
        "ttl",
        t.api_token_ttl.map_or(Value::Null, Value::from),
    );
    keep_or(
        &mut v,
        "access_token_ttl",
        t.access_token_ttl.map_or(Value::Null, Value::from),
    );
    // The secret is in create and regenerate answers only; reads keep the stored one.
    match &t.token {
        Some(secret) => v.set_attr("token", Value::string(secret.expose())),
        None if v.attr("token").is_unknown() => v.set_attr("token", Value::Null),
        None => {}
    }
    keep_or(
        &mut v,
        "token_last_chars",
        Value::opt_string(t.token_last_chars.clone()),
    );
    keep_or(&mut v, "status", Value::opt_string(t.token_status.clone()));
    keep_or(&mut v, "created_at", time_value(t.creation_date));
    keep_or(&mut v, "expires_at", time_value(t.expiration_date));
    keep_or(&mut v, "last_used_at", time_value(t.last_used_date));
    keep_or(
        &mut v,
        "token_endpoint_url",
        Value::opt_string(t.token_endpoint_url.clone()),
    );
    keep_or(
        &mut v,
        "oidc_issuer_url",
        Value::opt_string(t.oidc_issuer_url.clone()),
    );
    v
}

/// Why a token read from the API cannot be used any more, if it cannot. The reference's
/// statuses are ACTIVE, EXPIRED and UNKNOWN (a revoked token is simply gone); UNKNOWN says
/// nothing, so the expiry date decides.
pub(crate) fn unusable(t: &TokenJson, now_ms: i64) -> Option<String> {
    match t.token_status.as_deref() {
        Some("ACTIVE") | Some("UNKNOWN") | None => {}
        Some(other) => return Some(format!("is {other}")),
    }
    match t.expiration_date {
        Some(exp) if exp <= now_ms => Some(format!(
            "expired at {}",
            rfc3339_from_millis(exp).unwrap_or_default()
        )),
        _ => None,
    }
}

pub struct ApiToken;

impl ApiToken {
    /// The token with `id` of `client`: from the client's shared token list, else one GET (a
    /// token made after the list was read). `None` when it is gone.
    async fn find(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        id: &str,
    ) -> Result<Option<TokenJson>, ApiError> {
        let tokens = f.client_tokens(realm, client).await?;
        if let Some(t) = tokens.iter().find(|t| t.id == id) {
            return Ok(Some(t.clone()));
        }
        f.api
            .json_if_found::<TokenJson>(
                Call::get(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[200])
                    .what(format!("read API token {id}")),
            )
            .await
    }
}

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
                 once; the `id` stays, or changes if the appliance gives a new one).\n\n\
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
            .attribute(computed("oidc_issuer_url", "OIDC issuer of the access tokens.")),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
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

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        plan_realm(ctx, plan, diags).await;
        crate::resources::existing::plan_api_token(ctx, plan, diags).await;
        if !plan.planned.is_null() {
            super::settings::check_token_ttls(
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
            return;
        }
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
            && let Some(vcf) = ctx.data::<crate::provider::VcfContext>()
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
                        if strategy == "regenerate" { "regenerate in place" } else { "replace" },
                    ),
                );
            }
        }
        if !(triggers_changed || due) {
            return;
        }
        for name in ROTATED {
            plan.planned.set_attr(name, Value::Unknown);
        }
        if strategy != "regenerate" {
            plan.requires_replace
                .push(AttributePath::attr(if triggers_changed {
                    "rotation_triggers"
                } else {
                    "expires_at"
                }));
        }
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
                None => token_state(&t, state),
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
                             and the next apply creates a new one."
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
                         removed from the state and the next apply creates a new one."
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
        let rotate = !planned.attr("id").is_known();
        // A null (removed) description is known, so clearing it counts as an edit too.
        let edited = ["description", "access_token_ttl"]
            .iter()
            .any(|a| planned.attr(a).is_known() && planned.attr(a) != prior.attr(a));
        if !rotate && !edited {
            // Only rotation settings changed: nothing to send.
            return crate::resources::existing::unchanged(prior, planned);
        }
        let Some(f) = fleet(ctx, diags) else {
            return prior.clone();
        };
        let Some(realm) = f
            .realm(prior.attr("sso_realm_id"), "sso_realm_id", diags)
            .await
        else {
            return prior.clone();
        };
        let (Some(client), Some(id)) = (s(prior, "api_client_id"), s(prior, "id")) else {
            return prior.clone();
        };
        let mut current = prior.clone();
        if edited {
            let mut body = serde_json::json!({
                "id": id,
                "tokenName": s(planned, "name").unwrap_or_default(),
                "tokenDescription": s(planned, "description").unwrap_or_default(),
            });
            if let Some(a) = planned.attr("access_token_ttl").as_i64() {
                body["accessTokenTtl"] = a.into();
            }
            let res = f
                .api
                .call(
                    Call::patch(paths::fill(paths::TOKENS, &[&realm.id]))
                        .json(&body)
                        .idempotent(true)
                        .success(&[204])
                        .what(format!("update API token {id}"))
                        .needs_role(WRITE_ROLE),
                )
                .await;
            f.state().invalidate_tokens(&realm.id, &client);
            if let Err(e) = res {
                return fail(diags, e).unwrap_or_else(|| prior.clone());
            }
            // The edit is applied; the state says so even if what follows fails.
            for a in ["description", "access_token_ttl"] {
                current.set_attr(a, planned.attr(a).clone());
            }
        }
        if !rotate {
            return match Self::find(f, &realm.id, &client, &id).await {
                Ok(Some(t)) => token_state(&t, planned),
                Ok(None) => {
                    diags.error(
                        "API token vanished",
                        format!("API token {id} was updated but is gone when read back; run Terraform again."),
                    );
                    current
                }
                Err(e) => fail(diags, e).unwrap_or(current),
            };
        }
        let res = f
            .api
            .json::<TokenJson>(
                Call::post(paths::fill(paths::TOKEN_REGENERATE, &[&realm.id, &id]))
                    .idempotent(false)
                    .success(&[200])
                    .what(format!("regenerate API token {id}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        f.state().invalidate_tokens(&realm.id, &client);
        match res {
            Ok(t) => {
                let mut base = planned.clone();
                // The regenerated token keeps its id unless the answer names another.
                base.set_attr("id", Value::string(&id));
                token_state(&t, &base)
            }
            Err(e) => fail(diags, e).unwrap_or(current),
        }
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        let (Some(client), Some(id)) = (s(state, "api_client_id"), s(state, "id")) else {
            return;
        };
        let res = f
            .api
            .call(
                Call::delete(paths::fill(paths::TOKEN, &[&realm.id, &id]))
                    .success(&[204])
                    .what(format!("revoke API token {id}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        f.state().invalidate_tokens(&realm.id, &client);
        match res {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        super::list::token_identity_schema()
    }

    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        super::list::import_token_by_identity(self, ctx, identity, diags).await
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

// ---------------------------------------------------------------------------------------------

pub struct ApiTokens;

#[async_trait]
impl DataSource for ApiTokens {
    fn type_name(&self) -> &'static str {
        "vcf_api_tokens"
    }

    fn schema(&self) -> Schema {
        let token = vec![
            Attribute::string("id").computed().description("Token id."),
            Attribute::string("name").computed().description("Token name."),
            Attribute::string("description").computed().description("Description."),
            Attribute::string("status").computed().description("`ACTIVE`, `EXPIRED` or `UNKNOWN`."),
            Attribute::string("token_last_chars").computed().description("Last characters of the secret."),
            Attribute::string("created_at").computed().description("Creation time (RFC 3339)."),
            Attribute::string("expires_at").computed().description("Expiry time (RFC 3339)."),
            Attribute::string("last_used_at").computed().description("Last use (RFC 3339)."),
            Attribute::number("seconds_until_expiry")
                .computed()
                .description("Seconds until expiry by the server's clock (negative once expired): alert on it."),
        ];
        Schema::new(
            0,
            Block::new(
                "The API tokens of one API client (never their secrets), for monitoring expiry: for example a \
                 `check` block that fails when a token expires within 14 days.",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("api_client_id")
                    .validator(PathSegment)
                    .required()
                    .description("`client_id` of the API client.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Only tokens with exactly this name."),
            )
            .attribute(
                Attribute::bool("active_only")
                    .optional()
                    .description("Only `ACTIVE` tokens (default false: all)."),
            )
            .attribute(
                Attribute::nested("tokens", Nesting::List, token)
                    .computed()
                    .description("The matching tokens, oldest first."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let Some(client) = s(config, "api_client_id") else {
            return Value::Null;
        };
        let list = match f.query_tokens(&realm.id, &client).await {
            Ok(l) => l,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        let now = f.state().now_ms();
        let name = s(config, "name");
        let active_only = config.attr("active_only").as_bool() == Some(true);
        let items = list
            .iter()
            .filter(|t| name.is_none() || t.token_name == name)
            .filter(|t| !active_only || t.token_status.as_deref() == Some("ACTIVE"))
            .map(|t| {
                Value::object([
                    ("id", Value::string(&t.id)),
                    ("name", Value::opt_string(t.token_name.clone())),
                    (
                        "description",
                        Value::opt_string(t.token_description.clone()),
                    ),
                    ("status", Value::opt_string(t.token_status.clone())),
                    (
                        "token_last_chars",
                        Value::opt_string(t.token_last_chars.clone()),
                    ),
                    ("created_at", time_value(t.creation_date)),
                    ("expires_at", time_value(t.expiration_date)),
                    ("last_used_at", time_value(t.last_used_date)),
                    (
                        "seconds_until_expiry",
                        t.expiration_date
                            .map_or(Value::Null, |e| Value::from(e.saturating_sub(now) / 1000)),
                    ),
                ])
            })
            .collect();
        let mut v = config.clone();
        v.set_attr("tokens", Value::List(items));
        v
    }
}

/// For the fuzz targets (`crate::fuzzing`): a token answer turned into state.
#[doc(hidden)]
pub fn fuzz_state(t: &TokenJson) {
    let base = Value::Object(Default::default());
    let _ = token_state(t, &base);
    let _ = unusable(t, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Resource;

    #[test]
    fn rotate_before_at_or_above_the_ttl_is_refused() {
        let config = |before: &str, ttl: i64| {
            Value::object([
                ("rotate_before", Value::string(before)),
                ("ttl", Value::from(ttl)),
            ])
        };
        let mut d = Diagnostics::new();
        ApiToken.validate(&config("168h", 40320), &mut d);
        assert!(!d.has_errors(), "a week before a 28-day token is fine");
        for (before, ttl) in [("672h", 40320), ("700h", 40320), ("2h", 60)] {
            let mut d = Diagnostics::new();
            ApiToken.validate(&config(before, ttl), &mut d);
            assert!(d.has_errors(), "{before} with ttl {ttl}");
        }
    }
}
