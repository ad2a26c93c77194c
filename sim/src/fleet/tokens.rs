//! API tokens: create, the paged query, read, regenerate, update and delete.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::access::{Access, authorize, principal_name};
use super::params::{body_obj, opt_str, paging};
use super::query::{Field, QueryBody};
use super::{ACCESS_TOKEN_TTL_MAX, API_TOKEN_TTL_MAX, OIDC_ISSUER_PATH, TOKEN_ENDPOINT_PATH};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{ApiToken, Ctx, World, new_uuid, random_alnum};

pub struct TokenSpec {
    pub realm_id: String,
    pub api_client_id: Option<String>,
    pub principal_id: String,
    pub principal_name: String,
    pub token_name: String,
    pub token_description: String,
    pub api_token_ttl: i64,
    pub access_token_ttl: i64,
    pub token_type: String,
}

/// A new token object with a fresh id and secret (`vidb_` + base64 of `id#random`).
/// A fresh `vidb_` secret for token `id`. URL-safe base64, so the secret survives naive form
/// encoding (no '+' or '/').
fn secret_for(id: &str) -> String {
    format!(
        "vidb_{}",
        URL_SAFE_NO_PAD.encode(format!("{id}#{}", random_alnum(40)))
    )
}

pub fn new_token(spec: TokenSpec, now: i64) -> ApiToken {
    let id = new_uuid();
    let secret = secret_for(&id);
    let created = now - now.rem_euclid(1000);
    ApiToken {
        id,
        realm_id: spec.realm_id,
        api_client_id: spec.api_client_id,
        principal_id: spec.principal_id,
        principal_name: spec.principal_name,
        token_name: spec.token_name,
        token_description: spec.token_description,
        api_token_ttl: spec.api_token_ttl,
        access_token_ttl: spec.access_token_ttl,
        token_type: spec.token_type,
        secret,
        creation_date: created,
        expiration_date: created.saturating_add(spec.api_token_ttl.saturating_mul(60_000)),
        last_used_date: created,
    }
}

pub fn token_json(t: &ApiToken, ctx: &Ctx, with_secret: bool) -> Value {
    let last: String = {
        let chars: Vec<char> = t.secret.chars().collect();
        chars[chars.len().saturating_sub(5)..].iter().collect()
    };
    let mut v = json!({
        "id": t.id,
        "apiClientId": t.api_client_id,
        "tokenName": t.token_name,
        "tokenDescription": t.token_description,
        "apiTokenTtl": t.api_token_ttl,
        "accessTokenTtl": t.access_token_ttl,
        "tokenType": t.token_type,
        "tokenLastChars": last,
        "principalName": t.principal_name,
        "creationDate": t.creation_date,
        "expirationDate": t.expiration_date,
        "lastUsedDate": t.last_used_date,
        "tokenStatus": t.status(ctx.now),
        "tokenEndpointUrl": format!("{}{TOKEN_ENDPOINT_PATH}", ctx.base_url),
        "oidcIssuerUrl": format!("{}{OIDC_ISSUER_PATH}", ctx.base_url),
    });
    if with_secret {
        v["token"] = json!(t.secret);
    }
    v
}

/// A TTL in minutes: an int32 in the reference (ApiToken), so a string is refused.
fn ttl(
    o: &serde_json::Map<String, Value>,
    k: &str,
    default: i64,
    max: i64,
) -> Result<i64, ApiError> {
    let v = match o.get(k) {
        None | Some(Value::Null) => default,
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|v| i32::try_from(*v).is_ok())
            .ok_or_else(|| ApiError::bad_request(format!("{k} must be an int32")))?,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "JSON parse error: cannot deserialize value of type `int` from {} for {k}",
                if other.is_string() {
                    "String"
                } else {
                    "a non-number"
                }
            )));
        }
    };
    if !(1..=max).contains(&v) {
        return Err(ApiError::bad_request(format!(
            "{k} must be between 1 and {max} minutes; got {v}"
        )));
    }
    Ok(v)
}

/// Build a token for a create request body (also used by out-of-band bulk creation).
pub fn token_from_body(
    w: &World,
    realm: &str,
    caller_principal: Option<&str>,
    o: &serde_json::Map<String, Value>,
    now: i64,
) -> Result<ApiToken, ApiError> {
    let token_type = opt_str(o, "tokenType")?.unwrap_or_else(|| "API_CLIENT".into());
    let token_name = opt_str(o, "tokenName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("tokenName is required"))?;
    let token_description = opt_str(o, "tokenDescription")?.unwrap_or_default();
    let api_token_ttl = ttl(o, "apiTokenTtl", 43_200, API_TOKEN_TTL_MAX)?;
    let access_token_ttl = ttl(o, "accessTokenTtl", 30, ACCESS_TOKEN_TTL_MAX)?;
    let (api_client_id, principal_id, principal_name) = match token_type.as_str() {
        "API_CLIENT" => {
            let cid = opt_str(o, "apiClientId")?.ok_or_else(|| {
                ApiError::bad_request("apiClientId is required for API_CLIENT tokens")
            })?;
            let c = w
                .fleet
                .clients
                .iter()
                .find(|c| c.realm_id == realm && c.client_id == cid)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "apiClientId {cid} is not an API client of this SSO realm"
                    ))
                })?;
            (Some(cid.clone()), c.client_uuid.clone(), cid)
        }
        "USER" => {
            let p = caller_principal
                .filter(|p| w.fleet.users.iter().any(|u| &u.id == p))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "USER tokens are created by an SSO user for itself (log in with username/password)",
                    )
                })?;
            (None, p.to_string(), principal_name(w, p))
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "tokenType must be API_CLIENT or USER; got {other:?}"
            )));
        }
    };
    Ok(new_token(
        TokenSpec {
            realm_id: realm.to_string(),
            api_client_id,
            principal_id,
            principal_name,
            token_name,
            token_description,
            api_token_ttl,
            access_token_ttl,
            token_type,
        },
        now,
    ))
}

pub(super) fn create_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    let caller = authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let o = body_obj(req)?;
    let t = token_from_body(w, &realm, Some(&caller.principal_id), &o, ctx.now)?;
    let out = token_json(&t, ctx, true);
    w.fleet.tokens.push(t);
    w.dirty = true;
    Ok(Resp::json(201, &out))
}

fn token_field(t: &ApiToken, f: Field) -> Option<&str> {
    match f {
        Field::ClientId => Some(t.api_client_id.as_deref().unwrap_or(&t.principal_name)),
        Field::ClientName => None,
        Field::TokenName => Some(&t.token_name),
        Field::PrincipalName => Some(&t.principal_name),
    }
}

pub(super) fn query_tokens(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let (page, page_size) = paging(req)?;
    let sort = req.query_value("sortOrder").unwrap_or("ASCENDING");
    if sort != "ASCENDING" && sort != "DESCENDING" {
        return Err(ApiError::bad_request(format!(
            "sortOrder must be ASCENDING or DESCENDING; got {sort:?}"
        )));
    }
    let q: QueryBody = if req.body.iter().all(u8::is_ascii_whitespace) {
        QueryBody::default()
    } else {
        req.json()?
    };
    for s in &q.filters.token_type {
        if !["API_CLIENT", "USER", "UNKNOWN"].contains(&s.as_str()) {
            return Err(ApiError::bad_request(format!(
                "filters.tokenType values must be API_CLIENT, USER or UNKNOWN; got {s:?}"
            )));
        }
    }
    let mut hits: Vec<&ApiToken> = w
        .fleet
        .tokens
        .iter()
        .filter(|t| t.realm_id == realm)
        .filter(|t| q.search_terms.matches(|f| token_field(t, f)))
        .filter(|t| q.filters.token_type.is_empty() || q.filters.token_type.contains(&t.token_type))
        .filter(|t| {
            q.filters.token_status.is_empty()
                || q.filters
                    .token_status
                    .iter()
                    .any(|s| s == t.status(ctx.now))
        })
        .collect();
    hits.sort_by(|a, b| (a.creation_date, &a.id).cmp(&(b.creation_date, &b.id)));
    if sort == "DESCENDING" {
        hits.reverse();
    }
    let total = hits.len();
    let items: Vec<Value> = hits
        .into_iter()
        .skip(page.saturating_mul(page_size).clamp(0, i64::MAX) as usize)
        .take(page_size as usize)
        .map(|t| token_json(t, ctx, false))
        .collect();
    Ok(Resp::ok(json!({
        "pageInfo": { "totalCount": total, "page": page, "pageSize": page_size, "sortOrder": sort },
        "apiTokens": items,
    })))
}

fn find_token(w: &World, realm: &str, id: &str) -> Result<usize, ApiError> {
    w.fleet
        .tokens
        .iter()
        .position(|t| t.realm_id == realm && t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("API token {id} not found")))
}

/// reGenerateApiToken: "regenerates the secret value for an existing API token" whose status is
/// ACTIVE. The token keeps its id; the old secret stops working at once and the lifetime starts
/// again.
pub(super) fn regenerate_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let i = find_token(w, &realm, req.param(1))?;
    let old = w.fleet.tokens[i].clone();
    if old.status(ctx.now) != "ACTIVE" {
        return Err(ApiError::bad_request(format!(
            "API token {} is {} and cannot be regenerated",
            old.id,
            old.status(ctx.now)
        )));
    }
    let mut t = new_token(
        TokenSpec {
            realm_id: old.realm_id,
            api_client_id: old.api_client_id,
            principal_id: old.principal_id,
            principal_name: old.principal_name,
            token_name: old.token_name,
            token_description: old.token_description,
            api_token_ttl: old.api_token_ttl,
            access_token_ttl: old.access_token_ttl,
            token_type: old.token_type,
        },
        ctx.now,
    );
    // The secret names the token id; a regenerated secret names the same id.
    t.secret = secret_for(&old.id);
    t.id = old.id;
    let out = token_json(&t, ctx, true);
    w.fleet.tokens[i] = t;
    w.dirty = true;
    Ok(Resp::ok(out))
}

/// updateApiToken: PATCH on the collection with the token's `id` in the body; only
/// `tokenName`, `tokenDescription` and `accessTokenTtl` can change. 204 without a body.
pub(super) fn update_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let o = body_obj(req)?;
    let id = opt_str(&o, "id")?.ok_or_else(|| ApiError::bad_request("id is required"))?;
    let i = find_token(w, &realm, &id)?;
    for k in o.keys() {
        if !["id", "tokenName", "tokenDescription", "accessTokenTtl"].contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "{k} cannot be patched; only tokenName, tokenDescription and accessTokenTtl can"
            )));
        }
    }
    let name = opt_str(&o, "tokenName")?;
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request("tokenName must not be empty"));
    }
    let desc = opt_str(&o, "tokenDescription")?;
    let access = match o.get("accessTokenTtl") {
        None | Some(Value::Null) => None,
        Some(_) => Some(ttl(&o, "accessTokenTtl", 0, ACCESS_TOKEN_TTL_MAX)?),
    };
    let t = &mut w.fleet.tokens[i];
    if let Some(n) = name {
        t.token_name = n;
    }
    if let Some(d) = desc {
        t.token_description = d;
    }
    if let Some(a) = access {
        t.access_token_ttl = a;
    }
    w.dirty = true;
    Ok(Resp::no_content())
}

pub(super) fn get_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let i = find_token(w, &realm, req.param(1))?;
    Ok(Resp::ok(token_json(&w.fleet.tokens[i], ctx, false)))
}

pub(super) fn delete_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let i = find_token(w, &realm, req.param(1))?;
    w.fleet.tokens.remove(i);
    w.dirty = true;
    Ok(Resp::no_content())
}
