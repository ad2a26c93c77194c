//! Contract A: SDDC Manager tokens, users and roles (seed 000). Every path, body and status of
//! this family is in this file; the table below says which ones are ASSUMED.
//!
//! Authentication: `POST /v1/tokens` with `{"username","password"}` or, for SERVICE accounts,
//! `{"apiKey"}` (the key returned once by `POST /v1/users`). Both give the same token pair.

use serde_json::{Value, json};

use crate::http::{ApiError, HResult, Req, Resp};
use crate::routes::{Contract::*, Route};
use crate::world::{
    Ctx, RefreshToken, SddcUser, SessionKind, World, iso8601, new_uuid, random_b64,
};

pub const ACCESS_TTL_MS: i64 = 60 * 60_000;
pub const REFRESH_TTL_MS: i64 = 24 * 60 * 60_000;

pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        template: "/v1/tokens",
        contract: Seen,
        handler: create_tokens,
    },
    // Body and answer: bare JSON strings (the refresh-token id in, the access token out).
    Route {
        method: "PATCH",
        template: "/v1/tokens/access-token/refresh",
        contract: Seen,
        handler: refresh,
    },
    // Body: the refresh-token id as a bare JSON string; 204.
    Route {
        method: "DELETE",
        template: "/v1/tokens/refresh-token",
        contract: Seen,
        handler: invalidate_refresh,
    },
    // 201 PageOfUser.
    Route {
        method: "POST",
        template: "/v1/users",
        contract: Seen,
        handler: create_users,
    },
    Route {
        method: "GET",
        template: "/v1/users",
        contract: Assumed,
        handler: list_users,
    },
    Route {
        method: "DELETE",
        template: "/v1/users/{id}",
        contract: Assumed,
        handler: delete_user,
    },
    Route {
        method: "GET",
        template: "/v1/roles",
        contract: Assumed,
        handler: list_roles,
    },
    // The example API call of seed 000.
    Route {
        method: "GET",
        template: "/v1/domains",
        contract: Seen,
        handler: list_domains,
    },
];

/// What an endpoint needs: user and credential management needs ADMIN (VIEWER and OPERATOR get
/// 403 naming the role). Other writes would need OPERATOR; the contract has none besides users.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    UserManagement,
}

struct Caller {
    user: SddcUser,
}

fn authorize(w: &mut World, ctx: &Ctx, req: &Req, need: Need) -> Result<Caller, ApiError> {
    let token = req
        .auth_credential(&["Bearer"])
        .ok_or_else(|| ApiError::unauthorized("Missing Authorization: Bearer <accessToken>"))?;
    let session = w
        .session(token, ctx.now)
        .ok_or_else(ApiError::token_expired)?;
    let SessionKind::Sddc { user_id } = session.kind else {
        return Err(ApiError::unauthorized(
            "The token is not an SDDC Manager access token",
        ));
    };
    let user = w
        .sddc
        .users
        .iter()
        .find(|u| u.id == user_id)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("The user of this token no longer exists"))?;
    let role = w
        .sddc
        .roles
        .iter()
        .find(|r| r.id == user.role_id)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    match need {
        Need::UserManagement if role != "ADMIN" => Err(ApiError::forbidden(format!(
            "User and credential management requires the ADMIN role; {} has the {role} role",
            user.name
        ))),
        Need::Read if role == "VIEWER" && req.method != hyper::Method::GET => {
            Err(ApiError::forbidden(format!(
                "The VIEWER role is read-only; {} {} requires the OPERATOR or ADMIN role",
                req.method, req.path
            )))
        }
        _ => Ok(Caller { user }),
    }
}

fn issue_pair(w: &mut World, ctx: &Ctx, user_id: &str, subject: &str) -> Value {
    let exp = ctx.now + ACCESS_TTL_MS;
    let access = w.mint_jwt(subject, "sddc-manager", ctx, exp);
    w.add_session(
        access.clone(),
        SessionKind::Sddc {
            user_id: user_id.to_string(),
        },
        exp,
    );
    let refresh = new_uuid();
    w.sddc.refresh_tokens.insert(
        refresh.clone(),
        RefreshToken {
            user_id: user_id.to_string(),
            expires_ms: ctx.now + REFRESH_TTL_MS,
        },
    );
    // TokenPair: the refresh token is a RefreshToken object `{"id"}`, never a bare string.
    json!({ "accessToken": access, "refreshToken": { "id": refresh } })
}

fn create_tokens(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let body: Value = req.json()?;
    let Some(obj) = body.as_object() else {
        return Err(ApiError::bad_request("body must be a JSON object"));
    };
    if let Some(key) = obj.get("apiKey") {
        let key = key
            .as_str()
            .ok_or_else(|| ApiError::bad_request("apiKey must be a string"))?;
        let user = w
            .sddc
            .users
            .iter()
            .find(|u| u.user_type == "SERVICE" && u.api_key.as_deref() == Some(key))
            .cloned()
            .ok_or_else(|| ApiError::new(401, "INVALID_CREDENTIALS", "Invalid API key"))?;
        return Ok(Resp::ok(issue_pair(w, ctx, &user.id, &user.name)));
    }
    let username = str_field(obj, "username")?;
    let password = str_field(obj, "password")?;
    let user = w
        .sddc
        .users
        .iter()
        .find(|u| {
            u.name.eq_ignore_ascii_case(username)
                || format!("{}@{}", u.name, u.domain).eq_ignore_ascii_case(username)
        })
        .cloned();
    let ok = user
        .as_ref()
        .is_some_and(|u| u.password.as_deref() == Some(password));
    w.check_login(
        &format!("sddc:{}", username.to_ascii_lowercase()),
        ok,
        ctx.now,
    )?;
    let user = user.ok_or_else(|| ApiError::unauthorized("Invalid username or password"))?;
    Ok(Resp::ok(issue_pair(w, ctx, &user.id, &user.name)))
}

fn str_field<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
        None => Err(ApiError::bad_request(format!("{name} is required"))),
    }
}

/// The refresh-token id: the body of both refresh-token calls is a bare JSON string
/// (reference: "Request Body string … Required"). The old guessed `{"refreshToken": …}`
/// object is refused with 400, as a real appliance refuses a body it cannot read as a string.
fn refresh_token_of(req: &Req) -> Result<String, ApiError> {
    match req.json::<Value>()? {
        Value::String(s) if !s.is_empty() => Ok(s),
        Value::String(_) => Err(ApiError::bad_request(
            "the body must be the refresh-token id as a JSON string, not an empty string",
        )),
        _ => Err(ApiError::bad_request(
            "the body must be the refresh-token id as a JSON string (for example \"6d0b…\"), \
             not an object or another JSON value",
        )),
    }
}

fn refresh(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let rt = refresh_token_of(req)?;
    let r = w
        .sddc
        .refresh_tokens
        .get(&rt)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Refresh token not found or invalidated"))?;
    if r.expires_ms <= ctx.now {
        w.sddc.refresh_tokens.remove(&rt);
        w.dirty = true;
        return Err(ApiError::new(
            401,
            "REFRESH_TOKEN_EXPIRED",
            "The refresh token has expired; authenticate again",
        ));
    }
    let user = w
        .sddc
        .users
        .iter()
        .find(|u| u.id == r.user_id)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("The user of this refresh token no longer exists"))?;
    let exp = ctx.now + ACCESS_TTL_MS;
    let access = w.mint_jwt(&user.name, "sddc-manager", ctx, exp);
    w.add_session(access.clone(), SessionKind::Sddc { user_id: user.id }, exp);
    // 200 "Returns string": the new access token as a bare JSON string.
    Ok(Resp::ok(json!(access)))
}

fn invalidate_refresh(w: &mut World, _ctx: &Ctx, req: &Req) -> HResult {
    let rt = refresh_token_of(req)?;
    if w.sddc.refresh_tokens.remove(&rt).is_none() {
        return Err(ApiError::not_found("Refresh token not found"));
    }
    w.dirty = true;
    Ok(Resp::no_content())
}

/// User as the reference shows it: the role is `{"id"}` only (clients name it from
/// `GET /v1/roles`); `apiKey` only where asked for (the create answer of a SERVICE user).
pub fn user_json(_w: &World, u: &SddcUser, with_key: bool) -> Value {
    let mut v = json!({
        "id": u.id,
        "name": u.name,
        "domain": u.domain,
        "type": u.user_type,
        "role": { "id": u.role_id },
        "creationTimestamp": u.creation_timestamp,
    });
    if with_key && let Some(k) = &u.api_key {
        v["apiKey"] = json!(k);
    }
    v
}

fn create_users(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, Need::UserManagement)?;
    let body: Value = req.json()?;
    let specs = body
        .as_array()
        .ok_or_else(|| ApiError::bad_request("body must be a JSON array of user specs"))?;
    if specs.is_empty() {
        return Err(ApiError::bad_request("at least one user spec is required"));
    }
    let mut new_users = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let o = s
            .as_object()
            .ok_or_else(|| ApiError::bad_request(format!("[{i}] must be an object")))?;
        let name = str_field(o, "name").map_err(|e| prefix(i, e))?;
        let domain = match o.get("domain") {
            None | Some(Value::Null) => "vsphere.local",
            Some(Value::String(d)) => d.as_str(),
            Some(_) => {
                return Err(ApiError::bad_request(format!(
                    "[{i}].domain must be a string"
                )));
            }
        };
        let ty = str_field(o, "type").map_err(|e| prefix(i, e))?;
        if !matches!(ty, "USER" | "GROUP" | "SERVICE") {
            return Err(ApiError::bad_request(format!(
                "[{i}].type must be one of USER, GROUP, SERVICE; got {ty:?}"
            )));
        }
        let role_id = o
            .get("role")
            .and_then(Value::as_object)
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("[{i}].role.id is required")))?;
        if !w.sddc.roles.iter().any(|r| r.id == role_id) {
            return Err(ApiError::bad_request(format!(
                "[{i}].role.id {role_id:?} is not a known role (GET /v1/roles)"
            )));
        }
        if name.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "[{i}].name must not be empty"
            )));
        }
        let dup = |u: &SddcUser| {
            u.name.eq_ignore_ascii_case(name) && u.domain.eq_ignore_ascii_case(domain)
        };
        if w.sddc.users.iter().any(dup) || new_users.iter().any(dup) {
            return Err(ApiError::conflict(format!(
                "User {name}@{domain} already exists"
            )));
        }
        new_users.push(SddcUser {
            id: new_uuid(),
            name: name.to_string(),
            domain: domain.to_string(),
            user_type: ty.to_string(),
            role_id: role_id.to_string(),
            creation_timestamp: iso8601(ctx.now),
            password: None,
            api_key: (ty == "SERVICE").then(|| random_b64(24)),
        });
    }
    let elements: Vec<Value> = new_users.iter().map(|u| user_json(w, u, true)).collect();
    w.sddc.users.extend(new_users);
    w.dirty = true;
    // 201 Created with a PageOfUser.
    Ok(Resp::json(201, &page_of(elements)))
}

/// A one-page `PageOf…` answer: `elements` and the read-only `pageMetadata`.
fn page_of(elements: Vec<Value>) -> Value {
    let n = elements.len();
    json!({
        "elements": elements,
        "pageMetadata": { "pageNumber": 0, "pageSize": n, "totalElements": n, "totalPages": 1 },
    })
}

fn prefix(i: usize, mut e: ApiError) -> ApiError {
    e.message = format!("[{i}].{}", e.message);
    e
}

fn list_users(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, Need::UserManagement)?;
    let elements: Vec<Value> = w
        .sddc
        .users
        .iter()
        .map(|u| user_json(w, u, false))
        .collect();
    Ok(Resp::ok(page_of(elements)))
}

fn delete_user(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let caller = authorize(w, ctx, req, Need::UserManagement)?;
    let id = req.param(0);
    if caller.user.id == id {
        return Err(ApiError::bad_request("A user cannot delete itself"));
    }
    let before = w.sddc.users.len();
    w.sddc.users.retain(|u| u.id != id);
    if w.sddc.users.len() == before {
        return Err(ApiError::not_found(format!("User {id} not found")));
    }
    w.sddc.refresh_tokens.retain(|_, r| r.user_id != id);
    w.dirty = true;
    Ok(Resp::no_content())
}

fn list_roles(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, Need::Read)?;
    let elements: Vec<Value> = w
        .sddc
        .roles
        .iter()
        .map(|r| json!({ "id": r.id, "name": r.name, "description": r.description }))
        .collect();
    Ok(Resp::ok(page_of(elements)))
}

fn list_domains(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, Need::Read)?;
    Ok(Resp::ok(json!({ "elements": [
        { "id": "b2fa5b2c-7f0e-4bd2-9b2f-1c9c3a8d6e01", "name": "sfo-m01", "type": "MANAGEMENT", "status": "ACTIVE" }
    ]})))
}
