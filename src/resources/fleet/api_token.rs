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
use crate::resources::rotation::{self, BlockExt};

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

/// `base` (the planned or prior state) completed from the API's token object, judging the
/// rotation signal by the local clock (see [`token_state_at`]).
pub(super) fn token_state(t: &TokenJson, base: &Value) -> Value {
    token_state_at(t, base, rotation::local_now_ms())
}

/// When a token whose state is `v` is due for rotation: `rotate_before` ahead of its expiry,
/// or its expiry without `rotate_before`.
fn due_ms(v: &Value) -> Option<i64> {
    let exp = v
        .attr("expires_at")
        .as_str()
        .and_then(millis_from_rfc3339)?;
    let window = v
        .attr("rotate_before")
        .as_str()
        .and_then(|t| duration::parse(t).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Some(exp.saturating_sub(window))
}

/// [`token_state`] with the rotation signal judged at `now_ms`.
pub(super) fn token_state_at(t: &TokenJson, base: &Value, now_ms: i64) -> Value {
    let mut v = token_fields(t, base);
    for name in [rotation::PREVIOUS_ID, rotation::REVOKE_AFTER] {
        if v.attr(name).is_unknown() {
            v.set_attr(name, Value::Null);
        }
    }
    let due = due_ms(&v);
    rotation::set_signal(&mut v, due, now_ms);
    v
}

fn token_fields(t: &TokenJson, base: &Value) -> Value {
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

impl ApiToken {
    /// Overlap rotation: creates the token that succeeds `old_id` (same name, the planned
    /// settings) and returns the new state, with `old_id` as the previous token. The old token
    /// is left alone. A new token whose secret was lost in transit is revoked again and the
    /// rotation reported as failed (the state keeps the old token), since a successor without
    /// a known secret is of no use to consumers.
    #[allow(clippy::too_many_arguments)]
    async fn create_successor(
        f: Fleet<'_>,
        realm: &super::RealmJson,
        client: &str,
        old_id: &str,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let name = s(planned, "name").unwrap_or_default();
        let description = s(planned, "description");
        let body = TokenCreate {
            api_client_id: client,
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
                "create the successor of API token {old_id} ({name:?}) of API client {client:?}"
            ))
            .needs_role(WRITE_ROLE);
        // Tokens of this client known before the create: never taken for the new one.
        let known: Vec<String> = [Some(old_id), prior.attr(rotation::PREVIOUS_ID).as_str()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let lookup = || async {
            let list = f.query_tokens(&realm.id, client).await?;
            Ok(list
                .into_iter()
                .filter(|t| {
                    t.token_name.as_deref() == Some(name.as_str())
                        && !known.contains(&t.id)
                        && t.creation_date.is_some_and(|c| c >= started - 120_000)
                })
                .max_by_key(|t| t.creation_date))
        };
        let created = f.api.create_with_lookup(call, lookup).await;
        f.state().invalidate_tokens(&realm.id, client);
        let t = match created {
            Ok(c) if c.get().id.is_empty() => {
                diags.error(
                    "Unexpected response",
                    format!("The answer to creating the successor of API token {old_id} carries no token id."),
                );
                return None;
            }
            Ok(c) if c.is_recovered() => {
                let lost = c.into_inner().id;
                let revoked = revoke(f, &realm.id, client, &lost).await;
                diags.error(
                    "API token not rotated",
                    format!(
                        "The answer to creating the successor of API token {old_id} was lost, so its secret is \
                         unknown; the provider {} it. The current token is unchanged and running Terraform again \
                         is safe.",
                        if revoked.is_ok() { "revoked" } else { "could not revoke" }
                    ),
                );
                return None;
            }
            Ok(c) => c.into_inner(),
            Err(e) => {
                diags.push(e.to_diagnostic());
                return None;
            }
        };
        let now = f.state().now_ms();
        let mut v = token_state_at(&t, planned, now);
        rotation::keep_previous(&mut v, old_id, now, rotation::grace_ms(planned));
        Some(v)
    }

    /// Refresh of the previous token: one deleted on the server leaves the state with a warning
    /// (it is nothing to revoke any more; never an error).
    async fn read_previous(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        v: &mut Value,
        diags: &mut Diagnostics,
    ) {
        let Some(prev) = s(v, rotation::PREVIOUS_ID) else {
            return;
        };
        match Self::find(f, realm, client, &prev).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                diags.warning(
                    "Previous API token already gone",
                    format!(
                        "The previous API token {prev} of API client {client:?} was deleted outside Terraform before \
                         its grace ended; it is dropped from the state (nothing left to revoke)."
                    ),
                );
                rotation::clear_previous(v);
            }
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }
}

/// Revokes (deletes) one token; `Ok(false)` when it was already gone.
async fn revoke(f: Fleet<'_>, realm: &str, client: &str, id: &str) -> Result<bool, ApiError> {
    let r = f.revoke_token(realm, client, id).await?;
    Ok(r == crate::resources::revoke::Revoked::Now)
}

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
        let rotate = !planned.attr("id").is_known();
        // With overlap rotation the new token is created with the planned settings: no edit.
        // A rotation in place is an overlap unless it regenerates (also when the grace was
        // unknown at plan time and turned out unset: the previous token is then revoked by the
        // next apply).
        let overlap = rotate
            && (rotation::overlap(planned)
                || planned.attr("rotation_strategy").as_str() != Some("regenerate"));
        // A null (removed) description is known, so clearing it counts as an edit too.
        let edited = !overlap
            && ["description", "access_token_ttl"]
                .iter()
                .any(|a| planned.attr(a).is_known() && planned.attr(a) != prior.attr(a));
        // A previous token whose grace ended, or that a new rotation supersedes.
        let superseded = prior
            .attr(rotation::PREVIOUS_ID)
            .as_str()
            .filter(|old| planned.attr(rotation::PREVIOUS_ID).as_str() != Some(*old))
            .map(str::to_string);
        if !rotate && !edited && superseded.is_none() {
            // Only settings changed: nothing to send.
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
        // The superseded previous token goes first: when its revoke fails, nothing else is
        // changed and the state still tracks it, so the next apply tries again (a rotation that
        // went on would have to drop one of the two tokens from the state).
        if let Some(old) = &superseded {
            match revoke(f, &realm.id, &client, old).await {
                Ok(true) => {}
                Ok(false) => diags.warning(
                    "Previous API token already gone",
                    format!(
                        "The previous API token {old} of API client {client:?} was already deleted on the server; \
                         nothing was left to revoke."
                    ),
                ),
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return prior.clone();
                }
            }
            rotation::clear_previous(&mut current);
        }
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
        if overlap {
            match Self::create_successor(f, realm, &client, &id, prior, planned, diags).await {
                Some(v) => v,
                None => return current,
            }
        } else if rotate {
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
                    token_state_at(&t, &base, f.state().now_ms())
                }
                Err(e) => return fail(diags, e).unwrap_or(current),
            }
        } else if edited {
            match Self::find(f, &realm.id, &client, &id).await {
                Ok(Some(t)) => token_state_at(&t, planned, f.state().now_ms()),
                Ok(None) => {
                    diags.error(
                        "API token vanished",
                        format!("API token {id} was updated but is gone when read back; run Terraform again."),
                    );
                    return current;
                }
                Err(e) => return fail(diags, e).unwrap_or(current),
            }
        } else {
            planned.clone()
        }
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
    fn previous_token_grace_conflicts_are_refused_on_the_attribute() {
        let config = |extra: &[(&str, Value)]| {
            let mut v = Value::object([
                (rotation::GRACE, Value::string("72h")),
                ("ttl", Value::from(40320)),
                ("rotate_before", Value::string("168h")),
                ("rotation_strategy", Value::Null),
            ]);
            for (k, x) in extra {
                v.set_attr(k, x.clone());
            }
            v
        };
        let mut d = Diagnostics::new();
        ApiToken.validate(&config(&[]), &mut d);
        assert!(!d.has_errors(), "overlap alone is fine");
        for bad in [
            config(&[("rotation_strategy", Value::string("regenerate"))]),
            config(&[("rotation_strategy", Value::string("replace"))]),
            config(&[("rotate_before", Value::string("24h"))]),
            config(&[(rotation::GRACE, Value::string("700h"))]),
        ] {
            let mut d = Diagnostics::new();
            ApiToken.validate(&bad, &mut d);
            assert!(d.has_errors(), "{bad:?}");
        }
    }

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
