//! The Cloud Director / VCF Automation token API (contract C, seeds 003/004): paths, wire JSON
//! types, and the calls the token types share.
//!
//! Listing and revoking follow the references (`GET /cloudapi/1.0.0/tokens` with 1-based pages of
//! at most 128, `DELETE /cloudapi/1.0.0/tokens/{id}` 204; Cloud Director OpenAPI 39.1 and VCF
//! Automation vm-apps-org-access-control 9.1). The references document `POST
//! /cloudapi/1.0.0/tokens` only for PROXY and EXTENSION tokens, not for API (refresh) tokens:
//! creating an API token — register an OAuth client for the token's name, then exchange the
//! provider's own session token (a jwt-bearer assertion) for the API token, which the answer shows
//! once — is UNCONFIRMED and lives in [`unconfirmed`] and [`create_api_token`] only. Tokens never
//! expire and cannot be read back. A session opened with an API token cannot create, list or
//! revoke tokens.

use std::collections::HashSet;

use reqwest::header::{ACCEPT, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::client::contract::director::{self as auth_paths, Flavor};
use crate::client::error::OpContext;
use crate::client::http::Request;
use crate::client::{ApiClient, ApiError, Call};
use crate::framework::{Ctx, Diagnostics, Failure, Secret};
use crate::resources::revoke::Revoked;
use crate::resources::rotating::ServerClock;
use crate::resources::{VcfContext, secret_opt, vcf};

/// The documented token calls (api-contract.md § C).
pub(super) mod paths {
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
pub(super) mod unconfirmed {
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
pub(super) const NEEDS_RIGHT: &str = "a Director session opened with user and password (director.username / \
                           director.password) whose role holds the right \"Manage user's own API \
                           token\"; sessions opened with an API token cannot create, view or revoke \
                           tokens";

#[derive(Serialize)]
struct Register<'a> {
    client_name: &'a str,
}

#[derive(Deserialize)]
pub(super) struct Registered {
    pub(super) client_id: String,
}

#[derive(Deserialize)]
pub(super) struct Exchanged {
    #[serde(default, deserialize_with = "secret_opt")]
    pub(super) refresh_token: Option<Secret>,
}

/// One page of `GET /cloudapi/1.0.0/tokens`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenPage {
    #[serde(default)]
    pub(super) page_count: Option<u32>,
    #[serde(default)]
    pub(super) values: Vec<TokenEntry>,
}

impl TokenPage {
    /// Whether this page (number `page`) is the last one to fetch.
    pub(super) fn is_last(&self, page: u32) -> bool {
        self.values.is_empty() || page >= self.page_count.unwrap_or(page) || page >= 10_000
    }
}

/// Token (`…/vmware-cloud-director-openapi/latest/data-structures/Token`): `id` and `name`
/// required; unknown fields ignored.
#[derive(Deserialize, Clone)]
pub(crate) struct TokenEntry {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) owner: Option<Owner>,
    /// The token's organization (EntityReference).
    #[serde(default)]
    pub(crate) org: Option<Owner>,
    #[serde(default, rename = "type")]
    token_type: Option<String>,
    /// Token.expirationTimeUtc (date-time, optional): when Director expires the token. The
    /// products' API tokens are not known to carry one.
    #[serde(default, rename = "expirationTimeUtc")]
    expiration_time_utc: Option<String>,
}

impl TokenEntry {
    /// An API token: not one of the documented PROXY / EXTENSION types.
    pub(super) fn is_api_token(&self) -> bool {
        self.token_type.as_deref().is_none_or(|t| {
            !paths::NOT_API_TOKEN_TYPES
                .iter()
                .any(|x| x.eq_ignore_ascii_case(t))
        })
    }

    /// The name of the user who owns the token, if Director says.
    pub(super) fn owner_name(&self) -> Option<&str> {
        self.owner.as_ref().and_then(|o| o.name.as_deref())
    }

    /// When Director expires the token, if it says so.
    pub(super) fn expires_ms(&self) -> Option<i64> {
        self.expiration_time_utc
            .as_deref()
            .and_then(crate::resources::fleet::millis_from_rfc3339)
    }
}

#[derive(Deserialize, Clone)]
pub(crate) struct Owner {
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// The organization as the token paths want it: None for the provider (System) organization.
pub(super) fn tenant(org: Option<&str>) -> Option<&str> {
    (!auth_paths::is_provider(org)).then_some(org).flatten()
}

/// The organization's display name: `System` for the provider organization.
pub(crate) fn org_name(org: Option<&str>) -> String {
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

/// The provider context and its Director client, or the failure saying why there is none
/// (provider not configured, or no `director` block).
pub(super) fn director(ctx: &Ctx) -> Result<(&VcfContext, &ApiClient), Failure> {
    let vcf = vcf(ctx)?;
    Ok((vcf, vcf.clients.director()?))
}

/// Page `page` of the token list, optionally FIQL-filtered, noting the server's clock in `clock`.
pub(super) async fn token_page(
    api: &ApiClient,
    filter: Option<&str>,
    page: u32,
    clock: Option<&ServerClock>,
) -> Result<TokenPage, ApiError> {
    let mut call = Call::get(paths::TOKENS);
    if let Some(f) = filter {
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
    resp.json()
}

/// Every API token the provider's session may see, optionally only those named `name`.
pub(crate) async fn list_tokens(
    api: &ApiClient,
    name: Option<&str>,
) -> Result<Vec<TokenEntry>, ApiError> {
    list_tokens_noting(api, name, None).await
}

/// [`list_tokens`], noting the server's clock from the answers in `clock`.
pub(super) async fn list_tokens_noting(
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
        let p = token_page(api, filter.as_deref(), page, clock).await?;
        let last = p.is_last(page);
        out.extend(p.values.into_iter().filter(TokenEntry::is_api_token));
        if last {
            break;
        }
        page += 1;
    }
    if let Some(n) = name {
        out.retain(|t| t.name == n);
    }
    Ok(out)
}

/// Revokes one token (`name` is for messages); the API's 404 means it was already gone.
pub(super) async fn revoke_token(
    api: &ApiClient,
    id: &str,
    name: &str,
) -> Result<Revoked, ApiError> {
    match api
        .call(
            Call::delete(paths::token_by_id(id))
                .success(&[204])
                .what(format!("revoke Director API token {name:?} ({id})"))
                .needs_role(NEEDS_RIGHT),
        )
        .await
    {
        Ok(_) => Ok(Revoked::Now),
        Err(e) if e.is_not_found() => Ok(Revoked::AlreadyGone),
        Err(e) => Err(e),
    }
}

/// Creates an API token named `name` for the provider's user (UNCONFIRMED, see
/// [`unconfirmed`]) and finds it in the token list: the new token and its secret. The caller
/// runs creates one at a time, so the token this made is the only new one of its name. A token
/// that was made but cannot be tracked (its value or its id unknown) is revoked again.
pub(super) async fn create_api_token(
    vcf: &VcfContext,
    api: &ApiClient,
    name: &str,
) -> Result<(TokenEntry, Secret), Failure> {
    let org = tenant(vcf.director_org.as_deref());
    let shown = org_name(org);
    let before: HashSet<String> = list_tokens(api, Some(name))
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    // The first call logged in, so the flavor is known (configured or detected).
    let flavor = vcf
        .clients
        .director_flavor()
        .unwrap_or(Flavor::CloudDirector);
    let registered: Registered = api
        .json(
            Call::post(unconfirmed::register(flavor, org))
                .json(&Register { client_name: name })
                .what(format!(
                    "register the OAuth client of Director API token {name:?} (organization {shown})"
                ))
                .needs_role(NEEDS_RIGHT),
        )
        .await?;
    let assertion = api.authenticator().bearer().await?;
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
    let mut diags = Diagnostics::new();
    let secret = match vcf.clients.http().send(&req, None, &op).await {
        Ok(resp) => match resp.json::<Exchanged>()? {
            Exchanged {
                refresh_token: Some(s),
            } if !s.is_empty() => Some(s),
            _ => {
                diags.error(
                    "Unexpected response",
                    format!(
                        "Cloud Director answered the creation of API token {name:?} without the token."
                    ),
                );
                None
            }
        },
        Err(e) if e.is_ambiguous() => None,
        Err(e) => return Err(e.into()),
    };
    let new: Vec<TokenEntry> = match list_tokens(api, Some(name)).await {
        Ok(l) => l.into_iter().filter(|t| !before.contains(&t.id)).collect(),
        Err(e) => {
            diags.push(e.to_diagnostic());
            Vec::new()
        }
    };
    if let (Some(s), [one]) = (&secret, new.as_slice()) {
        return Ok((one.clone(), s.clone()));
    }
    // The token exists but cannot be tracked (its value or its id is unknown): revoke what
    // this create made, so nothing usable is left behind.
    for t in &new {
        if let Err(e) = revoke_token(api, &t.id, name).await {
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
    Err(diags.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_api_tokens() {
        let json = r#"{"resultTotal":1,"pageCount":1,"page":1,"pageSize":128,"values":[
            {"id":"urn:vcloud:token:1","name":"ci","type":"REFRESH","owner":{"name":"tenant-admin","id":"u"}}]}"#;
        let p: TokenPage = serde_json::from_str(json).unwrap();
        assert!(p.values[0].is_api_token());
        assert!(p.is_last(1));
        assert_eq!(p.values[0].owner_name(), Some("tenant-admin"));
        // The documented PROXY and EXTENSION tokens are not API tokens.
        let proxy: TokenEntry = serde_json::from_str(
            r#"{"id":"urn:vcloud:token:2","name":"p","type":"PROXY","extra":1}"#,
        )
        .unwrap();
        assert!(!proxy.is_api_token());
    }

    #[test]
    fn organizations_and_filters() {
        assert_eq!(tenant(None), None);
        assert_eq!(tenant(Some("system")), None);
        assert_eq!(tenant(Some("rainpole")), Some("rainpole"));
        assert_eq!(org_name(None), "System");
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
