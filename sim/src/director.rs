//! Contract C: VMware Cloud Director / VCF Automation API tokens (`docs/dev/api-contract.md` § C).
//! Every path, body and status of this family is in this file.
//!
//! The sim plays one of two products (`--director-flavor`, or `[director] flavor`):
//! `cloud_director` (OAuth under `/oauth`, cloudapi versions 37.0–39.1) or `vcf_automation`
//! (OAuth under `/tm/oauth` as in org-management-vm-apps-org 9.1, versions 9.0.0 and 9.1.0). The
//! other product's OAuth paths are 404, and a cloudapi call whose `Accept` names a version the
//! product does not serve is 406. `GET /api/versions` lists the served versions.
//!
//! Rules (seed 003/004): API tokens never expire and are revocable; a session opened with an API
//! token cannot create tokens or view/revoke tokens (403). Every user holds "Manage user's own API
//! token" except the role "Console Access Only"; "Organization Administrator" (own org) and
//! "System Administrator" (every org) also hold "Manage all users' API tokens".

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::http::{ApiError, HResult, Req, Resp};
use crate::routes::{Contract::*, Route};
use crate::world::{Ctx, DirToken, DirUser, Org, SessionKind, World, new_uuid, random_alnum};

/// `expires_in` of an access token obtained with an API token (seed 004).
pub const API_ACCESS_TTL_S: i64 = 2_592_000;
/// Lifetime of a session opened with user and password.
pub const LOGIN_TTL_MS: i64 = 24 * 60 * 60_000;
pub const PAGE_SIZE_MAX: i64 = 128;
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub const CLOUD_DIRECTOR: &str = "cloud_director";
pub const VCF_AUTOMATION: &str = "vcf_automation";
/// cloudapi versions each product serves (UNCONFIRMED ranges; the references show 39.1 for
/// Cloud Director 10.6 and 9.1.0 for VCF Automation 9.1).
const CLOUD_DIRECTOR_VERSIONS: &[&str] = &[
    "37.0", "37.1", "37.2", "37.3", "38.0", "38.1", "39.0", "39.1",
];
const VCF_AUTOMATION_VERSIONS: &[&str] = &["9.0.0", "9.1.0"];

fn vcfa(w: &World) -> bool {
    w.director.flavor == VCF_AUTOMATION
}

/// OAuth of the other product is not there: 404 as for any unknown path.
fn oauth_of(w: &World, req: &Req, tm: bool) -> Result<(), ApiError> {
    if vcfa(w) == tm {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "No API at {} {}",
            req.method, req.path
        )))
    }
}

/// A cloudapi call must not ask for a version this product does not serve (406).
fn check_version(w: &World, req: &Req) -> Result<(), ApiError> {
    let Some(accept) = req.header("accept") else {
        return Ok(());
    };
    let served = if vcfa(w) {
        VCF_AUTOMATION_VERSIONS
    } else {
        CLOUD_DIRECTOR_VERSIONS
    };
    for part in accept.split(',') {
        if let Some(v) = part
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("version="))
            .next()
        {
            let v = v.trim();
            if !served.contains(&v) {
                return Err(ApiError::new(
                    406,
                    "NOT_ACCEPTABLE",
                    format!(
                        "API version {v} is not supported; supported versions: {}",
                        served.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    Route { method: "POST", template: "/oauth/provider/token", contract: Seen, handler: token_provider },
    Route { method: "POST", template: "/oauth/tenant/{org}/token", contract: Seen, handler: token_tenant },
    Route { method: "POST", template: "/oauth/provider/register", contract: Assumed, handler: register_provider },
    Route { method: "POST", template: "/oauth/tenant/{org}/register", contract: Assumed, handler: register_tenant },
    Route { method: "POST", template: "/tm/oauth/provider/token", contract: Assumed, handler: tm_token_provider },
    Route { method: "POST", template: "/tm/oauth/tenant/{org}/token", contract: Seen, handler: tm_token_tenant },
    Route { method: "POST", template: "/tm/oauth/provider/register", contract: Assumed, handler: tm_register_provider },
    Route { method: "POST", template: "/tm/oauth/tenant/{org}/register", contract: Assumed, handler: tm_register_tenant },
    Route { method: "GET", template: "/api/versions", contract: Seen, handler: versions },
    Route { method: "POST", template: "/cloudapi/1.0.0/sessions", contract: Assumed, handler: login_tenant },
    Route { method: "POST", template: "/cloudapi/1.0.0/sessions/provider", contract: Assumed, handler: login_provider },
    Route { method: "DELETE", template: "/cloudapi/1.0.0/sessions/current", contract: Seen, handler: logout_current },
    Route { method: "GET", template: "/cloudapi/1.0.0/tokens", contract: Seen, handler: list_tokens },
    Route { method: "POST", template: "/cloudapi/1.0.0/tokens", contract: Seen, handler: create_typed_token },
    Route { method: "DELETE", template: "/cloudapi/1.0.0/tokens/{id}", contract: Assumed, handler: revoke_token },
    // The example API call of seed 004.
    Route { method: "GET", template: "/api/org", contract: Seen, handler: org_list },
];

fn is_system(o: &Org) -> bool {
    o.name.eq_ignore_ascii_case("System")
}

fn org_by_name(w: &World, name: &str) -> Result<Org, ApiError> {
    w.director
        .orgs
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Organization {name} not found")))
}

fn system_org(w: &World) -> Result<Org, ApiError> {
    w.director
        .orgs
        .iter()
        .find(|o| is_system(o))
        .cloned()
        .ok_or_else(|| ApiError::not_found("The provider (System) organization is not configured"))
}

fn manages_all(u: &DirUser) -> bool {
    u.role == "Organization Administrator" || u.role == "System Administrator"
}

fn manages_own(u: &DirUser) -> bool {
    u.role != "Console Access Only"
}

struct Caller {
    org: Org,
    user: DirUser,
    api_token_id: Option<String>,
}

fn caller(w: &mut World, ctx: &Ctx, token: Option<&str>) -> Result<Caller, ApiError> {
    let token = token
        .ok_or_else(|| ApiError::unauthorized("Missing Authorization: Bearer <access token>"))?;
    let s = w.session(token, ctx.now).ok_or_else(|| {
        ApiError::new(
            401,
            "TOKEN_EXPIRED",
            "The access token is invalid or has expired",
        )
    })?;
    let SessionKind::Director {
        org_id,
        user_id,
        api_token_id,
    } = s.kind
    else {
        return Err(ApiError::unauthorized(
            "The token is not a Director access token",
        ));
    };
    let user = w
        .director
        .users
        .iter()
        .find(|u| u.id == user_id)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("The user of this session no longer exists"))?;
    let org = w
        .director
        .orgs
        .iter()
        .find(|o| o.id == org_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::unauthorized("The organization of this session no longer exists")
        })?;
    Ok(Caller {
        org,
        user,
        api_token_id,
    })
}

fn bearer(req: &Req) -> Option<&str> {
    req.auth_credential(&["Bearer"])
        .or_else(|| req.header("x-vmware-vcloud-access-token"))
}

fn deny_api_token_session(c: &Caller, what: &str) -> Result<(), ApiError> {
    if c.api_token_id.is_some() {
        return Err(ApiError::forbidden(format!(
            "A session opened with an API token cannot {what}; log in with user and password"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OAuth token endpoint

fn token_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = system_org(w)?;
    token(w, ctx, req, org)
}

fn token_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = org_by_name(w, req.param(0))?;
    token(w, ctx, req, org)
}

fn tm_token_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = system_org(w)?;
    token(w, ctx, req, org)
}

fn tm_token_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = org_by_name(w, req.param(0))?;
    token(w, ctx, req, org)
}

fn tm_register_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = system_org(w)?;
    register(w, ctx, req, org)
}

fn tm_register_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = org_by_name(w, req.param(0))?;
    register(w, ctx, req, org)
}

/// The unauthenticated version list: `versionInfo` with the served versions.
fn versions(w: &mut World, _ctx: &Ctx, _req: &Req) -> HResult {
    let served = if vcfa(w) {
        VCF_AUTOMATION_VERSIONS
    } else {
        CLOUD_DIRECTOR_VERSIONS
    };
    let info: Vec<Value> = served
        .iter()
        .map(|v| json!({ "version": v, "deprecated": false }))
        .collect();
    Ok(Resp::ok(json!({ "versionInfo": info })))
}

fn issue_api_access(w: &mut World, ctx: &Ctx, t: &DirToken) -> String {
    let exp = ctx.now + API_ACCESS_TTL_S * 1000;
    let access = w.mint_jwt(&t.owner_user_id, "vcd", ctx, exp);
    w.add_session(
        access.clone(),
        SessionKind::Director {
            org_id: t.org_id.clone(),
            user_id: t.owner_user_id.clone(),
            api_token_id: Some(t.id.clone()),
        },
        exp,
    );
    access
}

fn token(w: &mut World, ctx: &Ctx, req: &Req, org: Org) -> HResult {
    let form = req.form()?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let grant = get("grant_type")
        .ok_or_else(|| ApiError::oauth(400, "invalid_request", "grant_type is required"))?;
    if grant == "refresh_token" {
        let secret = get("refresh_token")
            .ok_or_else(|| ApiError::oauth(400, "invalid_request", "refresh_token is required"))?;
        let t = w
            .director
            .tokens
            .iter()
            .find(|t| t.secret == secret && t.org_id == org.id && t.token_type == "REFRESH")
            .cloned()
            .ok_or_else(|| {
                ApiError::oauth(
                    400,
                    "invalid_grant",
                    "The API token is not valid for this organization",
                )
            })?;
        if !w.director.users.iter().any(|u| u.id == t.owner_user_id) {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                "The owner of this API token no longer exists",
            ));
        }
        let access = issue_api_access(w, ctx, &t);
        return Ok(Resp::ok(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": API_ACCESS_TTL_S,
            "refresh_token": null,
        })));
    }
    if grant == JWT_BEARER {
        let client_id = get("client_id")
            .ok_or_else(|| ApiError::oauth(400, "invalid_request", "client_id is required"))?;
        let assertion = get("assertion")
            .ok_or_else(|| ApiError::oauth(400, "invalid_request", "assertion is required"))?;
        let c = caller(w, ctx, Some(&assertion)).map_err(|e| {
            ApiError::oauth(400, "invalid_grant", format!("assertion: {}", e.message))
        })?;
        if c.org.id != org.id {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                "The assertion belongs to another organization",
            ));
        }
        if c.api_token_id.is_some() {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                "A session opened with an API token cannot create API tokens",
            ));
        }
        let idx = w
            .director
            .clients
            .iter()
            .position(|x| x.client_id == client_id && x.org_id == org.id && x.user_id == c.user.id)
            .ok_or_else(|| {
                ApiError::oauth(400, "invalid_client", "Unknown client_id for this user")
            })?;
        if w.director.clients[idx].used {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                "This client_id has already been exchanged for an API token",
            ));
        }
        w.director.clients[idx].used = true;
        let t = DirToken {
            id: format!("urn:vcloud:token:{}", new_uuid()),
            name: w.director.clients[idx].name.clone(),
            org_id: org.id.clone(),
            owner_user_id: c.user.id.clone(),
            secret: random_alnum(32),
            created: ctx.now,
            token_type: "REFRESH".into(),
        };
        w.director.tokens.push(t.clone());
        w.dirty = true;
        let access = issue_api_access(w, ctx, &t);
        return Ok(Resp::ok(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": API_ACCESS_TTL_S,
            "refresh_token": t.secret,
        })));
    }
    Err(ApiError::oauth(
        400,
        "unsupported_grant_type",
        format!("grant_type {grant:?} is not supported"),
    ))
}

// ---------------------------------------------------------------------------------------------
// Client registration

fn register_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = system_org(w)?;
    register(w, ctx, req, org)
}

fn register_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = org_by_name(w, req.param(0))?;
    register(w, ctx, req, org)
}

fn register(w: &mut World, ctx: &Ctx, req: &Req, org: Org) -> HResult {
    let c = caller(w, ctx, bearer(req))?;
    deny_api_token_session(&c, "create API tokens")?;
    if c.org.id != org.id {
        return Err(ApiError::forbidden(
            "The session belongs to another organization",
        ));
    }
    if !manages_own(&c.user) {
        return Err(ApiError::forbidden(
            "Creating API tokens needs the right \"Manage user's own API token\"",
        ));
    }
    let body: Value = req.json()?;
    let name = match body.get("client_name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None => {
            return Err(ApiError::bad_request("client_name is required"));
        }
        Some(_) => return Err(ApiError::bad_request("client_name must be a string")),
    };
    let client_id = new_uuid();
    w.director.clients.push(crate::world::DirClient {
        client_id: client_id.clone(),
        org_id: org.id,
        user_id: c.user.id,
        name: name.clone(),
        used: false,
    });
    w.dirty = true;
    Ok(Resp::ok(json!({
        "client_id": client_id,
        "client_name": name,
        "grant_types": [JWT_BEARER],
    })))
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// Logout Current Session (API 36.0 and later): ends the session of the access token → 204.
fn logout_current(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    check_version(w, req)?;
    let token = bearer(req).map(str::to_string);
    caller(w, ctx, token.as_deref())?;
    if let Some(t) = token {
        w.sessions.remove(&t);
        w.dirty = true;
    }
    Ok(Resp::no_content())
}

fn login_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    login(w, ctx, req, false)
}

fn login_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    login(w, ctx, req, true)
}

fn login(w: &mut World, ctx: &Ctx, req: &Req, provider: bool) -> HResult {
    check_version(w, req)?;
    let cred = req.auth_credential(&["Basic"]).ok_or_else(|| {
        ApiError::unauthorized("Missing Authorization: Basic base64(user@org:password)")
    })?;
    let decoded = STANDARD
        .decode(cred)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::unauthorized("Malformed Basic credentials"))?;
    let (who, password) = decoded
        .split_once(':')
        .ok_or_else(|| ApiError::unauthorized("Malformed Basic credentials"))?;
    let (user_name, org_name) = who
        .rsplit_once('@')
        .ok_or_else(|| ApiError::unauthorized("The user must be given as user@org"))?;
    let org = w
        .director
        .orgs
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(org_name))
        .cloned();
    let user = org.as_ref().and_then(|o| {
        w.director
            .users
            .iter()
            .find(|u| u.org_id == o.id && u.name.eq_ignore_ascii_case(user_name))
            .cloned()
    });
    let ok = user.as_ref().is_some_and(|u| u.password == password);
    w.check_login(
        &format!("director:{}", who.to_ascii_lowercase()),
        ok,
        ctx.now,
    )?;
    let (Some(org), Some(user)) = (org, user) else {
        return Err(ApiError::unauthorized("Invalid username or password"));
    };
    if provider != is_system(&org) {
        return Err(ApiError::unauthorized(if provider {
            "Only users of the System organization can use /sessions/provider"
        } else {
            "Users of the System organization log in at /cloudapi/1.0.0/sessions/provider"
        }));
    }
    let exp = ctx.now + LOGIN_TTL_MS;
    let access = w.mint_jwt(&user.id, "vcd", ctx, exp);
    w.add_session(
        access.clone(),
        SessionKind::Director {
            org_id: org.id.clone(),
            user_id: user.id.clone(),
            api_token_id: None,
        },
        exp,
    );
    let org_ref = json!({ "name": org.name, "id": org.id });
    Ok(Resp::ok(json!({
        "id": format!("urn:vcloud:session:{}", new_uuid()),
        "user": { "name": user.name, "id": user.id },
        "org": org_ref,
        "operatingOrg": org_ref,
        "roles": [user.role],
        "sessionIdleTimeoutMinutes": 30,
    }))
    .with_header("x-vmware-vcloud-access-token", access)
    .with_header("x-vmware-vcloud-token-type", "Bearer".into()))
}

// ---------------------------------------------------------------------------------------------
// Tokens

fn visible(c: &Caller, orgs_system: bool, t: &DirToken) -> bool {
    if t.owner_user_id == c.user.id {
        return true;
    }
    if !manages_all(&c.user) {
        return false;
    }
    orgs_system || t.org_id == c.org.id
}

fn list_tokens(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    check_version(w, req)?;
    let c = caller(w, ctx, bearer(req))?;
    deny_api_token_session(&c, "view API tokens")?;
    let page = int_param(req, "page", 1)?;
    let page_size = int_param(req, "pageSize", 25)?;
    if page < 1 {
        return Err(ApiError::bad_request("page must be >= 1"));
    }
    if !(1..=PAGE_SIZE_MAX).contains(&page_size) {
        return Err(ApiError::bad_request(format!(
            "pageSize must be between 1 and {PAGE_SIZE_MAX}"
        )));
    }
    let mut conds: Vec<(String, String)> = Vec::new();
    if let Some(f) = req.query_value("filter") {
        let inner = f.trim().trim_start_matches('(').trim_end_matches(')');
        for part in inner.split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once("==")
                .ok_or_else(|| ApiError::bad_request(format!("unsupported filter {part:?}")))?;
            let k = k.trim();
            if k != "type" && k != "name" {
                return Err(ApiError::bad_request(format!(
                    "unsupported filter field {k:?} (type, name)"
                )));
            }
            conds.push((k.to_string(), v.trim().to_string()));
        }
    }
    let sys = is_system(&c.org);
    let mut hits: Vec<&DirToken> = w
        .director
        .tokens
        .iter()
        .filter(|t| visible(&c, sys, t))
        .filter(|t| {
            conds.iter().all(|(k, v)| match k.as_str() {
                "type" => &t.token_type == v,
                _ => &t.name == v,
            })
        })
        .collect();
    hits.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    let total = hits.len() as i64;
    let values: Vec<Value> = hits
        .into_iter()
        .skip((page - 1).saturating_mul(page_size) as usize)
        .take(page_size as usize)
        .map(|t| {
            let owner = w
                .director
                .users
                .iter()
                .find(|u| u.id == t.owner_user_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let org = w.director.orgs.iter().find(|o| o.id == t.org_id);
            json!({
                "id": t.id,
                "name": t.name,
                "type": t.token_type,
                "requireRotation": if t.token_type == "REFRESH" { json!(false) } else { Value::Null },
                "owner": { "name": owner, "id": t.owner_user_id },
                "org": { "name": org.map(|o| o.name.as_str()), "id": t.org_id },
            })
        })
        .collect();
    Ok(Resp::ok(json!({
        "resultTotal": total,
        "pageCount": (total as u64).div_ceil(page_size as u64),
        "page": page,
        "pageSize": page_size,
        "associations": null,
        "values": values,
    })))
}

/// Create Token (`POST /cloudapi/1.0.0/tokens`, TokenParameters `{name, type, extensionId}`):
/// only the documented types PROXY and EXTENSION; the answer shows the token once.
fn create_typed_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    check_version(w, req)?;
    let c = caller(w, ctx, bearer(req))?;
    let body: Value = req.json()?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("name is required"))?
        .to_string();
    let ty = body.get("type").and_then(Value::as_str).unwrap_or("PROXY");
    if ty != "PROXY" && ty != "EXTENSION" {
        return Err(ApiError::bad_request(format!(
            "Invalid token type {ty:?}: valid types are [\"PROXY\", \"EXTENSION\"]"
        )));
    }
    if ty == "EXTENSION" && body.get("extensionId").and_then(Value::as_str).is_none() {
        return Err(ApiError::bad_request(
            "extensionId is required for EXTENSION tokens",
        ));
    }
    let t = DirToken {
        id: format!("urn:vcloud:token:{}", new_uuid()),
        name,
        org_id: c.org.id.clone(),
        owner_user_id: c.user.id.clone(),
        secret: random_alnum(32),
        created: ctx.now,
        token_type: ty.to_string(),
    };
    w.director.tokens.push(t.clone());
    w.dirty = true;
    Ok(Resp::ok(json!({
        "id": t.id,
        "name": t.name,
        "token": t.secret,
        "type": t.token_type,
        "owner": { "name": c.user.name, "id": c.user.id },
        "org": { "name": c.org.name, "id": c.org.id },
    })))
}

fn int_param(req: &Req, name: &str, default: i64) -> Result<i64, ApiError> {
    match req.query_value(name) {
        None | Some("") => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiError::bad_request(format!("query parameter {name} must be an integer"))
        }),
    }
}

/// Remove a Director API token and the sessions opened with it.
pub fn remove_token(w: &mut World, id: &str) -> Result<(), ApiError> {
    let i = w
        .director
        .tokens
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("Token {id} not found")))?;
    w.director.tokens.remove(i);
    w.sessions.retain(
        |_, s| !matches!(&s.kind, SessionKind::Director { api_token_id: Some(t), .. } if t == id),
    );
    w.dirty = true;
    Ok(())
}

fn revoke_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    check_version(w, req)?;
    let c = caller(w, ctx, bearer(req))?;
    deny_api_token_session(&c, "revoke API tokens")?;
    let id = req.param(0).to_string();
    let sys = is_system(&c.org);
    let t = w
        .director
        .tokens
        .iter()
        .find(|t| t.id == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Token {id} not found")))?;
    if !visible(&c, sys, &t) {
        // Other users' tokens are invisible without "Manage all users' API tokens".
        return Err(ApiError::not_found(format!("Token {id} not found")));
    }
    remove_token(w, &id)?;
    Ok(Resp::no_content())
}

fn org_list(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let c = caller(w, ctx, bearer(req))?;
    let sys = is_system(&c.org);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<OrgList xmlns=\"http://www.vmware.com/vcloud/v1.5\" type=\"application/vnd.vmware.vcloud.orgList+xml\">",
    );
    for o in w.director.orgs.iter().filter(|o| sys || o.id == c.org.id) {
        let uuid = o.id.rsplit(':').next().unwrap_or("");
        xml.push_str(&format!(
            "<Org href=\"{}/api/org/{uuid}\" type=\"application/vnd.vmware.vcloud.org+xml\" name=\"{}\"/>",
            ctx.base_url,
            o.name.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
        ));
    }
    xml.push_str("</OrgList>");
    Ok(Resp {
        status: 200,
        content_type: "application/vnd.vmware.vcloud.orglist+xml;version=36.1",
        headers: Vec::new(),
        body: xml.into_bytes(),
    })
}
