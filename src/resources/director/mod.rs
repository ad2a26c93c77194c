//! Resource `vcf_director_api_token` and data source `vcf_director_api_tokens`: Cloud Director /
//! VCF Automation API tokens of the user the provider logs in as (contract C, seeds 003/004).
//!
//! Listing and revoking follow the references (`GET /cloudapi/1.0.0/tokens` with 1-based pages of
//! at most 128, `DELETE /cloudapi/1.0.0/tokens/{id}` 204; Cloud Director OpenAPI 39.1 and VCF
//! Automation vm-apps-org-access-control 9.1). The references document `POST
//! /cloudapi/1.0.0/tokens` only for PROXY and EXTENSION tokens, not for API (refresh) tokens:
//! creating an API token — register an OAuth client for the token's name, then exchange the
//! provider's own session token (a jwt-bearer assertion) for the API token, which the answer shows
//! once — is UNCONFIRMED and lives in [`unconfirmed`] only. Tokens never expire and cannot be read
//! back. A session opened with an API token cannot create, list or revoke tokens, so the provider
//! refuses at plan time when its own `director` block authenticates with one.

use std::collections::HashSet;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::client::contract::director as auth_paths;
use crate::client::error::OpContext;
use crate::client::http::Request;
use crate::client::{ApiClient, ApiError, AuthMethod, Call, ErrorKind, Family};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, DataSource, Diagnostics, Nesting, Resource, Schema,
    Secret, Type, Value,
};
use crate::resources::VcfContext;

use super::rotation::{self, BlockExt, ServerClock};
use super::{family_client, secret_opt};

mod api_token_revoke;
pub use api_token_revoke::DirectorApiTokenRevoke;

/// The documented token calls (api-contract.md § C).
mod paths {
    use crate::client::path_segment;

    /// `GET ?filter=(name==…)&page=&pageSize=` (FIQL filter; 1-based pages) → Tokens
    /// `{resultTotal, pageCount, page, pageSize, values:[Token]}`, 200.
    pub const TOKENS: &str = "/cloudapi/1.0.0/tokens";
    /// The reference's maximum `pageSize`.
    pub const PAGE_SIZE: u32 = 128;
    /// `DELETE` → 204.
    pub fn token_by_id(id: &str) -> String {
        format!("{TOKENS}/{}", path_segment(id))
    }
    /// The token types the references document for `POST /cloudapi/1.0.0/tokens` (Token.type
    /// "PROXY or EXTENSION"): tokens of these types are not API tokens and are left out.
    pub const NOT_API_TOKEN_TYPES: [&str; 2] = ["PROXY", "EXTENSION"];
}

/// UNCONFIRMED — the one place of Director token management that no reference documents: how an
/// API (refresh) token is created. The references list API tokens in `GET
/// /cloudapi/1.0.0/tokens` (Token.requireRotation "only applies for refresh tokens") but document
/// creation only for PROXY/EXTENSION tokens. The provider registers an OAuth client for the
/// token's name and exchanges its own session token for the API token at the flavor's token
/// endpoint, as the Cloud Director UI does. An appliance (or the reference's operation page for
/// `/oauth/.../register`) confirms it.
mod unconfirmed {
    use crate::client::contract::director::Flavor;

    /// `POST {"client_name"}` → `{"client_id"}` (bearer: the provider's session), beside the
    /// flavor's token endpoint.
    pub fn register(flavor: Flavor, org: Option<&str>) -> String {
        flavor.register_path(org)
    }
    /// Form `grant_type=<JWT_BEARER>&client_id=…&assertion=<session token>` →
    /// `{"refresh_token": <API token>}`, at the flavor's token endpoint.
    pub fn token(flavor: Flavor, org: Option<&str>) -> String {
        flavor.token_path(org)
    }
    pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
}

/// The right named in 403 diagnostics.
const NEEDS_RIGHT: &str = "a Director session opened with user and password (director.username / \
                           director.password) whose role holds the right \"Manage user's own API \
                           token\"; sessions opened with an API token cannot create, view or revoke \
                           tokens";

#[derive(Serialize)]
struct Register<'a> {
    client_name: &'a str,
}

#[derive(Deserialize)]
struct Registered {
    client_id: String,
}

#[derive(Deserialize)]
struct Exchanged {
    #[serde(default, deserialize_with = "secret_opt")]
    refresh_token: Option<Secret>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenPage {
    #[serde(default)]
    page_count: Option<u32>,
    #[serde(default)]
    values: Vec<TokenEntry>,
}

/// Token (`…/vmware-cloud-director-openapi/latest/data-structures/Token`): `id` and `name`
/// required; unknown fields ignored.
#[derive(Deserialize, Clone)]
pub(super) struct TokenEntry {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) owner: Option<Owner>,
    /// The token's organization (EntityReference).
    #[serde(default)]
    pub(super) org: Option<Owner>,
    #[serde(default, rename = "type")]
    token_type: Option<String>,
    /// Token.expirationTimeUtc (date-time, optional): when Director expires the token. The
    /// products' API tokens are not known to carry one.
    #[serde(default, rename = "expirationTimeUtc")]
    expiration_time_utc: Option<String>,
}

impl TokenEntry {
    /// An API token: not one of the documented PROXY / EXTENSION types.
    fn is_api_token(&self) -> bool {
        self.token_type.as_deref().is_none_or(|t| {
            !paths::NOT_API_TOKEN_TYPES
                .iter()
                .any(|x| x.eq_ignore_ascii_case(t))
        })
    }
}

#[derive(Deserialize, Clone)]
pub(super) struct Owner {
    #[serde(default)]
    pub(super) name: Option<String>,
}

/// The organization as the token paths want it: None for the provider (System) organization.
fn tenant(org: Option<&str>) -> Option<&str> {
    (!auth_paths::is_provider(org)).then_some(org).flatten()
}

/// The organization's display name: `System` for the provider organization.
pub(super) fn org_name(org: Option<&str>) -> String {
    match tenant(org) {
        Some(o) => o.to_string(),
        None => "System".to_string(),
    }
}

/// A name that can go into a FIQL filter without quoting.
fn filterable(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            matches!(
                c,
                ';' | ',' | '(' | ')' | '=' | '!' | '<' | '>' | '"' | '\''
            )
        })
}

/// Every API token the provider's session may see, optionally only those named `name`.
pub(super) async fn list_tokens(
    api: &ApiClient,
    name: Option<&str>,
) -> Result<Vec<TokenEntry>, ApiError> {
    list_tokens_noting(api, name, None).await
}

/// [`list_tokens`], noting the server's clock from the answers in `clock`.
async fn list_tokens_noting(
    api: &ApiClient,
    name: Option<&str>,
    clock: Option<&ServerClock>,
) -> Result<Vec<TokenEntry>, ApiError> {
    let filter = name
        .filter(|n| filterable(n))
        .map(|n| format!("(name=={n})"));
    let mut out = Vec::new();
    let mut page = 1u32;
    loop {
        let mut call = Call::get(paths::TOKENS);
        if let Some(f) = &filter {
            call = call.query("filter", f);
        }
        let resp = api
            .call(
                call.query("page", page)
                    .query("pageSize", paths::PAGE_SIZE)
                    .what("list Director API tokens")
                    .needs_role(NEEDS_RIGHT),
            )
            .await?;
        if let Some(c) = clock {
            c.note(resp.header("date"));
        }
        let p: TokenPage = resp.json()?;
        let empty = p.values.is_empty();
        out.extend(p.values.into_iter().filter(TokenEntry::is_api_token));
        let last = p.page_count.unwrap_or(page);
        if empty || page >= last || page >= 10_000 {
            break;
        }
        page += 1;
    }
    if let Some(n) = name {
        out.retain(|t| t.name == n);
    }
    Ok(out)
}

async fn revoke(api: &ApiClient, id: &str, name: &str) -> Result<(), ApiError> {
    match api
        .call(
            Call::delete(paths::token_by_id(id))
                .success(&[204])
                .what(format!("revoke Director API token {name:?} ({id})"))
                .needs_role(NEEDS_RIGHT),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// The diagnostic for a provider whose Director session was opened with an API token.
fn api_token_session_refusal() -> crate::framework::Diagnostic {
    crate::framework::Diagnostic::error(
        "Director API tokens cannot be created with an API-token session",
        "The provider's director block authenticates with an API token (director.api_token or \
         VCF_DIRECTOR_API_TOKEN). Cloud Director does not let a session opened with an API token create, \
         view or revoke API tokens, so this token cannot be managed with it. Configure the director block \
         (or a second, aliased provider used by this resource) with director.username and director.password \
         of the user who should own the token; the token belongs to that user in director.org.",
    )
}

/// `vcf_director_api_token`.
#[derive(Default)]
pub struct DirectorApiToken {
    /// Creates run one at a time in a process, so that the token a create made is the only new
    /// one of its name when it is looked up afterwards.
    create_lock: tokio::sync::Mutex<()>,
    /// Director's clock (from its `Date` header), which judges the grace of previous tokens.
    clock: ServerClock,
}

fn token_value(t: &TokenEntry, org: &str, token: Value, rotation_triggers: Value) -> Value {
    let mut v = Value::object([
        ("id", Value::string(&t.id)),
        ("name", Value::string(&t.name)),
        ("org", Value::string(org)),
        (
            "owner",
            Value::opt_string(t.owner.as_ref().and_then(|o| o.name.clone())),
        ),
        ("token", token),
        ("rotation_triggers", rotation_triggers),
        (rotation::GRACE, Value::Null),
        (crate::resources::existing::ATTRIBUTE, Value::Null),
        (rotation::PREVIOUS_ID, Value::Null),
        (rotation::REVOKE_AFTER, Value::Null),
        (rotation::REVOKE_ON_DESTROY, Value::Null),
        (rotation::READY, Value::Bool(false)),
        (rotation::DUE_AT, Value::Null),
    ]);
    rotation::set_signal(&mut v, expires_ms(t), rotation::local_now_ms());
    v
}

/// When Director expires the token, if it says so.
fn expires_ms(t: &TokenEntry) -> Option<i64> {
    t.expiration_time_utc
        .as_deref()
        .and_then(crate::resources::fleet::millis_from_rfc3339)
}

/// A state built by [`token_value`] completed with the settings of `base` (the planned or prior
/// state): the configuration's rotation and look-up settings and the previous token.
fn with_settings(mut v: Value, base: &Value) -> Value {
    for name in [
        crate::resources::existing::ATTRIBUTE,
        rotation::GRACE,
        rotation::REVOKE_ON_DESTROY,
        rotation::PREVIOUS_ID,
        rotation::REVOKE_AFTER,
    ] {
        let b = base.attr(name);
        v.set_attr(
            name,
            if b.is_unknown() {
                Value::Null
            } else {
                b.clone()
            },
        );
    }
    v
}

impl DirectorApiToken {
    /// Plans an update: a change of `rotation_triggers` replaces the token, or with
    /// `previous_token_grace` rotates it in place (the current token becomes the previous one);
    /// otherwise a previous token whose grace has ended is planned away (the apply revokes it).
    async fn plan_rotation(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        if plan.planned.attr("rotation_triggers") != plan.prior.attr("rotation_triggers") {
            if rotation::overlap(plan.config) {
                for name in ["id", "token", "owner"] {
                    plan.planned.set_attr(name, Value::Unknown);
                }
                plan.planned
                    .set_attr(rotation::PREVIOUS_ID, plan.prior.attr("id").clone());
                plan.planned
                    .set_attr(rotation::REVOKE_AFTER, Value::Unknown);
                rotation::unknown_signal(&mut plan.planned);
            } else {
                plan.requires_replace
                    .push(AttributePath::attr("rotation_triggers"));
            }
            return;
        }
        if !plan.prior.attr(rotation::PREVIOUS_ID).is_null()
            && !self.clock.known()
            && let Some(api) = ctx
                .data::<VcfContext>()
                .and_then(|c| c.clients.director().ok())
        {
            // No answer of Director in this process yet (the plan Terraform repeats during apply
            // runs in a new one): learn its clock before judging the grace. A failure here
            // leaves the local clock; the apply then reports the real error.
            let name = plan.prior.attr("name").as_str();
            let _ = list_tokens_noting(api, name, Some(&self.clock)).await;
        }
        let now = self.clock.now_ms();
        rotation::plan_previous(
            plan.prior,
            &mut plan.planned,
            now,
            "Director API token",
            diags,
        );
        let due = plan
            .prior
            .attr(rotation::DUE_AT)
            .as_str()
            .and_then(crate::resources::fleet::millis_from_rfc3339);
        rotation::plan_signal(plan.prior, &mut plan.planned, due, now);
    }

    async fn create_token(
        &self,
        state: &VcfContext,
        api: &ApiClient,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<(TokenEntry, Secret)> {
        let org = tenant(state.director_org.as_deref());
        let shown = org_name(org);
        let _one_at_a_time = self.create_lock.lock().await;
        let fail = |diags: &mut Diagnostics, e: ApiError| {
            diags.push(e.to_diagnostic());
            None
        };
        let before: HashSet<String> = match list_tokens(api, Some(name)).await {
            Ok(l) => l.into_iter().map(|t| t.id).collect(),
            Err(e) => return fail(diags, e),
        };
        // The first call logged in, so the flavor is known (configured or detected).
        let flavor = state
            .clients
            .director_flavor()
            .unwrap_or(crate::client::contract::director::Flavor::CloudDirector);
        let registered: Registered = match api
            .json(
                Call::post(unconfirmed::register(flavor, org))
                    .json(&Register { client_name: name })
                    .what(format!(
                        "register the OAuth client of Director API token {name:?} (organization {shown})"
                    ))
                    .needs_role(NEEDS_RIGHT),
            )
            .await
        {
            Ok(r) => r,
            Err(e) => return fail(diags, e),
        };
        let assertion = match api.authenticator().bearer().await {
            Ok(b) => b,
            Err(e) => return fail(diags, e),
        };
        let mut req = Request::form(
            api.url(&unconfirmed::token(flavor, org), &[]),
            &[
                ("grant_type", unconfirmed::JWT_BEARER),
                ("client_id", &registered.client_id),
                ("assertion", assertion.expose()),
            ],
        )
        .idempotent(false);
        req.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        let op = OpContext {
            what: format!("create Director API token {name:?} (organization {shown})"),
            needs_role: Some(NEEDS_RIGHT.into()),
            ..OpContext::default()
        };
        let secret = match state.clients.http().send(&req, None, &op).await {
            Ok(resp) => match resp.json::<Exchanged>() {
                Ok(Exchanged {
                    refresh_token: Some(s),
                }) if !s.is_empty() => Some(s),
                Ok(_) => {
                    diags.error(
                        "Unexpected response",
                        format!(
                            "Cloud Director answered the creation of API token {name:?} without the token."
                        ),
                    );
                    None
                }
                Err(e) => return fail(diags, e),
            },
            Err(e) if e.is_ambiguous() => None,
            Err(e) => return fail(diags, e),
        };
        let new: Vec<TokenEntry> = match list_tokens(api, Some(name)).await {
            Ok(l) => l.into_iter().filter(|t| !before.contains(&t.id)).collect(),
            Err(e) => {
                diags.push(e.to_diagnostic());
                Vec::new()
            }
        };
        match (secret, new.as_slice()) {
            (Some(s), [one]) => Some((one.clone(), s)),
            (secret, _) => {
                // The token exists but cannot be tracked (its value or its id is unknown): revoke
                // what this create made, so nothing usable is left behind.
                for t in &new {
                    if let Err(e) = revoke(api, &t.id, name).await {
                        diags.push(e.to_diagnostic());
                    }
                }
                if !diags.has_errors() {
                    diags.error(
                        "Director API token not created",
                        format!(
                            "The creation of API token {name:?} {}; the provider revoked the {} token(s) \
                             it found for it. Running Terraform again is safe.",
                            if secret.is_none() {
                                "lost its answer, which is the only place the token is shown"
                            } else {
                                "succeeded, but the new token could not be told apart in the token list"
                            },
                            new.len()
                        ),
                    );
                }
                None
            }
        }
    }
}

#[async_trait]
impl Resource for DirectorApiToken {
    fn type_name(&self) -> &'static str {
        "vcf_director_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "A Cloud Director / VCF Automation API token of the user the provider logs in as. Applications \
                 exchange it for access tokens with an OAuth refresh grant at `/oauth/tenant/<org>/token` (or \
                 `/oauth/provider/token`) on Cloud Director, at `/tm/oauth/tenant/<org>/token` on VCF Automation \
                 (see `director.flavor`). The token is shown once, at creation, and kept \
                 in state as the sensitive `token`; Director tokens never expire. Destroying the resource revokes the \
                 token; a token revoked outside Terraform disappears from the state and the next apply creates a new \
                 one. Changing any argument replaces the token.\n\n\
                 The provider's `director` block must log in with `username` and `password`: sessions opened with an \
                 API token cannot create, view or revoke tokens, and the plan fails saying so. The user needs the \
                 right \"Manage user's own API token\".\n\n\
                 With `previous_token_grace` (overlap rotation) a change of `rotation_triggers` creates the new token \
                 in place and keeps the previous one valid for the grace; the first plan/apply after it revokes it. \
                 `revoke_on_destroy = false` leaves the token valid when the resource is destroyed.\n\n\
                 Import with the token id (`urn:vcloud:token:…`); `token` is null after an import.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("The token id, `urn:vcloud:token:…`.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("Token name as shown in the user's preferences; choose one that says which application holds it. Changing it replaces the token.")
                    .validator(Length::at_least(1))
                    .plan_modifier(RequiresReplace),
            )
            .attribute(
                Attribute::string("org")
                    .validator(PathSegment)
                    .optional()
                    .computed()
                    .description("Organization of the token: the provider's `director.org` (`System` for the provider organization). A token belongs to the user the provider logs in as, so when set it must equal `director.org`; it documents the scope in the configuration. Changing it replaces the token.")
                    .validator(Length::at_least(1))
                    .plan_modifier(UseStateForUnknown)
                    .plan_modifier(RequiresReplace),
            )
            .attribute(
                Attribute::new("rotation_triggers", Type::map(Type::String))
                    .optional()
                    .description("Arbitrary values; any change rotates the token, for example `{ rotated = time_rotating.vcd.id }`: a replacement (a new token is created and the old one revoked), or with `previous_token_grace` an in-place update that keeps the old token valid for the grace."),
            )
            .attribute(
                crate::resources::existing::attribute("the Director user the provider logs in as"),
            )
            .attribute(
                Attribute::string("owner")
                    .computed()
                    .description("Name of the user who owns the token.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(
                Attribute::string("token")
                    .computed()
                    .sensitive()
                    .description("The API token, shown once by Cloud Director at creation. Null after an import.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attributes(rotation::overlap_attributes("Director API token", true))
            .attributes(rotation::signal_attributes(
                "When the token is due for rotation (RFC 3339): the expiry Director reports for it \
                 (`expirationTimeUtc`). Null for tokens without one — Cloud Director and VCF Automation API tokens \
                 do not expire —, so rotate them on a schedule with `rotation_triggers` (for example from \
                 `time_rotating`).",
            )),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        rotation::validate_grace(config, None, None, diags);
        if config.attr(rotation::REVOKE_ON_DESTROY).as_bool() == Some(false) {
            diags.attr_warning(
                AttributePath::attr(rotation::REVOKE_ON_DESTROY),
                "Director API tokens left behind never expire",
                "With revoke_on_destroy = false, every destroy and every rotation by replacement leaves a Director \
                 API token valid on the server, and Director API tokens do not expire: revoke them outside \
                 Terraform when they are no longer used (the vcf_director_api_tokens data source lists them), or \
                 use previous_token_grace for an overlap that ends on its own.",
            );
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        if !plan.prior.is_null() {
            let id = plan.prior.attr("id").clone();
            let previous = plan.prior.attr(rotation::PREVIOUS_ID).clone();
            crate::resources::existing::remember_replaced(ctx, plan, &[&id, &previous]);
            self.plan_rotation(ctx, plan, diags).await;
            return;
        }
        // A new token has no previous one.
        rotation::clear_previous(&mut plan.planned);
        // Unknown provider configuration: checked again at apply.
        let Some(state) = ctx.data::<VcfContext>() else {
            return;
        };
        let api = match state.clients.director() {
            Ok(api) => api,
            Err(d) => {
                diags.push(d);
                return;
            }
        };
        if api.auth_method() == AuthMethod::ApiToken {
            diags.push(api_token_session_refusal());
            return;
        }
        let provider_org = org_name(state.director_org.as_deref());
        match plan.config.attr("org").as_str() {
            Some(o) if !o.eq_ignore_ascii_case(&provider_org) => diags.attr_error(
                AttributePath::attr("org"),
                "Organization differs from the provider's",
                format!(
                    "org is {o:?}, but the provider logs in to {provider_org:?} (director.org). A Director API token \
                     belongs to the user who creates it, in that user's organization: use a provider (alias) whose \
                     director block logs in to {o:?}, or set org = {provider_org:?}."
                ),
            ),
            Some(_) => {}
            None => plan.planned.set_attr("org", Value::string(provider_org)),
        }
        crate::resources::existing::plan_director_token(ctx, plan, diags, state, api).await;
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(state) = crate::resources::context(ctx, diags) else {
            return Value::Null;
        };
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return Value::Null;
        };
        if api.auth_method() == AuthMethod::ApiToken {
            diags.push(api_token_session_refusal());
            return Value::Null;
        }
        let Some(name) = planned.attr("name").as_str() else {
            diags.error(
                "Incomplete configuration",
                "name must be known to create a Director API token.",
            );
            return Value::Null;
        };
        let Some((entry, secret)) = self.create_token(state, api, name, diags).await else {
            return Value::Null;
        };
        // The planned org as written (it matched director.org ignoring case), else the provider's.
        let org = planned
            .attr("org")
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| org_name(state.director_org.as_deref()));
        with_settings(
            token_value(
                &entry,
                &org,
                Value::string(secret.expose()),
                planned.attr("rotation_triggers").clone(),
            ),
            planned,
        )
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return Value::Null;
        };
        let Some(id) = state.attr("id").as_str() else {
            return Value::Null;
        };
        let name = state.attr("name").as_str();
        let listed = match list_tokens_noting(api, name, Some(&self.clock)).await {
            Ok(l) => l,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        let found = listed.iter().find(|t| t.id == id).cloned();
        let Some(t) = found else {
            diags.warning(
                "Director API token revoked",
                format!(
                    "vcf_director_api_token {:?} ({id}) was revoked outside Terraform; it is removed from the state and \
                     the next apply creates a new token.{}",
                    name.unwrap_or(""),
                    rotation::previous_left_behind(state, "vcf_director_api_token_revoke")
                ),
            );
            return Value::Null;
        };
        let org = state
            .attr("org")
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| {
                org_name(
                    ctx.data::<VcfContext>()
                        .and_then(|c| c.director_org.as_deref()),
                )
            });
        let mut v = with_settings(
            token_value(
                &t,
                &org,
                state.attr("token").clone(),
                state.attr("rotation_triggers").clone(),
            ),
            state,
        );
        rotation::set_signal(&mut v, expires_ms(&t), self.clock.now_ms());
        if let Some(prev) = state.attr(rotation::PREVIOUS_ID).as_str()
            && !listed.iter().any(|t| t.id == prev)
        {
            // Gone on the server before its grace ended: nothing left to revoke, never an error.
            diags.warning(
                "Previous Director API token already gone",
                format!(
                    "The previous Director API token {prev} of vcf_director_api_token {:?} was revoked outside \
                     Terraform before its grace ended; it is dropped from the state.",
                    name.unwrap_or("")
                ),
            );
            rotation::clear_previous(&mut v);
        }
        v
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        // Only overlap rotation and the end of a grace change anything in place; every other
        // argument change is a replacement.
        let rotate = !planned.attr("id").is_known();
        let superseded = prior
            .attr(rotation::PREVIOUS_ID)
            .as_str()
            .filter(|old| planned.attr(rotation::PREVIOUS_ID).as_str() != Some(*old))
            .map(str::to_string);
        if !rotate && superseded.is_none() {
            return crate::resources::existing::unchanged(prior, planned);
        }
        let Some(state) = crate::resources::context(ctx, diags) else {
            return prior.clone();
        };
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return prior.clone();
        };
        let name = prior.attr("name").as_str().unwrap_or_default().to_string();
        if rotate && api.auth_method() == AuthMethod::ApiToken {
            diags.push(api_token_session_refusal());
            return prior.clone();
        }
        // The superseded previous token goes first: when its revoke fails, nothing else is
        // changed and the state still tracks it, so the next apply tries again (Director API
        // tokens never expire: one dropped from the state would stay valid for good).
        let mut base = prior.clone();
        if let Some(old) = &superseded {
            if let Err(e) = revoke(api, old, &name).await {
                diags.push(e.to_diagnostic());
                return base;
            }
            rotation::clear_previous(&mut base);
        }
        let mut new = planned.clone();
        if rotate {
            let Some(old_id) = prior.attr("id").as_str() else {
                return base;
            };
            // Director's clock for the grace (this process has seen no answer yet).
            if let Err(e) = list_tokens_noting(api, Some(&name), Some(&self.clock)).await {
                diags.push(e.to_diagnostic());
                return base;
            }
            let Some((entry, secret)) = self.create_token(state, api, &name, diags).await else {
                return base;
            };
            let org = prior
                .attr("org")
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| org_name(state.director_org.as_deref()));
            new = with_settings(
                token_value(
                    &entry,
                    &org,
                    Value::string(secret.expose()),
                    planned.attr("rotation_triggers").clone(),
                ),
                planned,
            );
            let now = self.clock.now_ms();
            rotation::set_signal(&mut new, expires_ms(&entry), now);
            rotation::keep_previous(&mut new, old_id, now, rotation::grace_ms(planned));
        }
        new
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some(id) = state.attr("id").as_str() else {
            return;
        };
        let name = state.attr("name").as_str().unwrap_or("");
        let previous = state.attr(rotation::PREVIOUS_ID).as_str();
        if !rotation::revoke_on_destroy(state) {
            diags.warning(
                "Director API token left valid",
                format!(
                    "revoke_on_destroy is false: Director API token {name:?} ({id}){} stays valid on the server and \
                     does not expire; Terraform no longer manages it.",
                    previous
                        .map(|p| format!(" and the previous token {p}"))
                        .unwrap_or_default()
                ),
            );
            return;
        }
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return;
        };
        for token in std::iter::once(id).chain(previous) {
            if let Err(e) = revoke(api, token, name).await {
                diags.push(e.to_diagnostic());
            }
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        Some(crate::framework::IdentitySchema::new(
            0,
            vec![crate::framework::IdentityAttribute::required(
                "id",
                "The token id, `urn:vcloud:token:…`.",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.attr("id").as_str().map(str::to_string)
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        let Some(state) = crate::resources::context(ctx, diags) else {
            return Value::Null;
        };
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return Value::Null;
        };
        let found = match list_tokens(api, None).await {
            Ok(l) => l.into_iter().find(|t| t.id == id.trim()),
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        match found {
            Some(t) => token_value(
                &t,
                &org_name(state.director_org.as_deref()),
                Value::Null,
                Value::Null,
            ),
            None => {
                diags.error(
                    "Director API token not found",
                    format!(
                        "No API token with id {id:?} is visible to the provider's Director session (its own tokens, or \
                         its organization's with \"Manage all users' API tokens\"). Token ids look like \
                         urn:vcloud:token:…; list them with the vcf_director_api_tokens data source."
                    ),
                );
                Value::Null
            }
        }
    }
}

/// `vcf_director_api_tokens`.
pub struct DirectorApiTokens;

#[async_trait]
impl DataSource for DirectorApiTokens {
    fn type_name(&self) -> &'static str {
        "vcf_director_api_tokens"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Lists the Cloud Director / VCF Automation API tokens the provider's session may see: its user's own, \
                 or with the right \"Manage all users' API tokens\" every user's of the organization (all \
                 organizations for System administrators). Names and ids only: token values are never readable. \
                 Needs a session opened with user and password.",
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Only tokens with exactly this name.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::nested(
                    "tokens",
                    Nesting::List,
                    vec![
                        Attribute::string("id").computed().description("Token id, `urn:vcloud:token:…`."),
                        Attribute::string("name").computed().description("Token name."),
                        Attribute::string("owner").computed().description("Name of the user who owns it."),
                    ],
                )
                .computed()
                .description("The tokens, in the order Director lists them."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return Value::Null;
        };
        let name = config.attr("name").as_str();
        let tokens = match list_tokens(api, name).await {
            Ok(l) => l,
            Err(e) => {
                let mut d = e.to_diagnostic();
                if e.kind() == ErrorKind::Forbidden && api.auth_method() == AuthMethod::ApiToken {
                    d.detail.push_str(" The provider's director block uses an API token; use username and password.");
                }
                diags.push(d);
                return Value::Null;
            }
        };
        Value::object([
            ("name", Value::opt_string(name)),
            (
                "tokens",
                Value::List(
                    tokens
                        .iter()
                        .map(|t| {
                            Value::object([
                                ("id", Value::string(&t.id)),
                                ("name", Value::string(&t.name)),
                                (
                                    "owner",
                                    Value::opt_string(
                                        t.owner.as_ref().and_then(|o| o.name.clone()),
                                    ),
                                ),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

/// `list "vcf_director_api_token"`: the API tokens the provider's Director session may see,
/// streamed page by page.
pub struct DirectorApiTokenList;

#[async_trait]
impl crate::framework::ListResource for DirectorApiTokenList {
    fn type_name(&self) -> &'static str {
        "vcf_director_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds the Director / VCF Automation API tokens the provider's session may see (its user's own, or \
                 its organization's with \"Manage all users' API tokens\").",
            )
            .attribute(
                Attribute::string("name_prefix")
                    .optional()
                    .description("Only tokens whose name starts with this text."),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut crate::framework::ListSink) {
        let mut diags = Diagnostics::new();
        let Some(state) = crate::resources::context(ctx, &mut diags) else {
            return sink.diagnostics(diags).await;
        };
        let Some(api) = family_client(ctx, Family::Director, &mut diags) else {
            return sink.diagnostics(diags).await;
        };
        let org = org_name(state.director_org.as_deref());
        let prefix = config.attr("name_prefix").as_str().unwrap_or_default();
        let mut page = 1u32;
        loop {
            let p: TokenPage = match api
                .json(
                    Call::get(paths::TOKENS)
                        .query("page", page)
                        .query("pageSize", paths::PAGE_SIZE)
                        .what("list Director API tokens")
                        .needs_role(NEEDS_RIGHT),
                )
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return sink.diagnostics(diags).await;
                }
            };
            for t in p
                .values
                .iter()
                .filter(|t| t.is_api_token() && t.name.starts_with(prefix))
            {
                if !sink
                    .send(
                        token_value(t, &org, Value::Null, Value::Null),
                        t.name.clone(),
                    )
                    .await
                {
                    return;
                }
            }
            let last = p.page_count.unwrap_or(page);
            if p.values.is_empty() || page >= last || page >= 10_000 {
                return;
            }
            page += 1;
        }
    }
}

/// For the fuzz targets (`crate::fuzzing`): Director token answers decoded and turned into
/// state as the resource does.
#[doc(hidden)]
pub fn fuzz_json(body: &[u8]) {
    let _ = serde_json::from_slice::<Registered>(body).map(|r| r.client_id.len());
    let _ = serde_json::from_slice::<Exchanged>(body).map(|e| e.refresh_token.is_some());
    if let Ok(p) = serde_json::from_slice::<TokenPage>(body) {
        let _ = p.page_count;
        for t in &p.values {
            let _ = token_value(t, "rainpole", Value::Null, Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::msgpack;

    #[test]
    fn list_answer_maps_to_both_schemas() {
        let json = r#"{"resultTotal":1,"pageCount":1,"page":1,"pageSize":128,"values":[
            {"id":"urn:vcloud:token:1","name":"ci","type":"REFRESH","owner":{"name":"tenant-admin","id":"u"}}]}"#;
        let p: TokenPage = serde_json::from_str(json).unwrap();
        assert!(p.values[0].is_api_token());
        let v = token_value(&p.values[0], "rainpole", Value::Null, Value::Null);
        // The documented PROXY and EXTENSION tokens are not API tokens.
        let proxy: TokenEntry = serde_json::from_str(
            r#"{"id":"urn:vcloud:token:2","name":"p","type":"PROXY","extra":1}"#,
        )
        .unwrap();
        assert!(!proxy.is_api_token());
        assert_eq!(v.attr("owner").as_str(), Some("tenant-admin"));
        msgpack::encode(&v, &DirectorApiToken::default().schema().value_type()).unwrap();
    }

    #[test]
    fn organizations_and_filters() {
        assert_eq!(tenant(None), None);
        assert_eq!(tenant(Some("system")), None);
        assert_eq!(tenant(Some("rainpole")), Some("rainpole"));
        assert_eq!(org_name(None), "System");
        use crate::client::contract::director::Flavor;
        assert_eq!(
            unconfirmed::register(Flavor::CloudDirector, Some("a b")),
            "/oauth/tenant/a%20b/register"
        );
        assert_eq!(
            unconfirmed::register(Flavor::VcfAutomation, Some("a")),
            "/tm/oauth/tenant/a/register"
        );
        assert_eq!(
            unconfirmed::token(Flavor::CloudDirector, None),
            "/oauth/provider/token"
        );
        assert!(filterable("ci-bot 1"));
        assert!(!filterable("a;b"));
        assert!(!filterable(""));
    }

    #[test]
    fn exchange_answer_keeps_the_token_secret() {
        let e: Exchanged =
            serde_json::from_str(r#"{"access_token":"x","refresh_token":"s3cr3t"}"#).unwrap();
        let s = e.refresh_token.unwrap();
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "s3cr3t");
    }
}
