//! Authentication: username/password sessions (`token/acquire`, `token/release`) and the identity
//! broker's token endpoint (API-token grant).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::json;

use super::access::session_principal;
use super::params::{body_obj, opt_str};
use super::{ACQUIRE_TTL_MS, GRANT_TYPE_API_TOKEN};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{ApiToken, Ctx, SessionKind, World, iso8601, new_uuid};

pub(super) fn acquire(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let o = body_obj(req)?;
    let username =
        opt_str(&o, "username")?.ok_or_else(|| ApiError::bad_request("username is required"))?;
    let password =
        opt_str(&o, "password")?.ok_or_else(|| ApiError::bad_request("password is required"))?;
    let _auth_source = opt_str(&o, "authSource")?;
    let user = w
        .fleet
        .users
        .iter()
        .find(|u| u.name.eq_ignore_ascii_case(&username))
        .cloned();
    let ok = user.as_ref().is_some_and(|u| u.password == password);
    w.check_login(
        &format!("ops:{}", username.to_ascii_lowercase()),
        ok,
        ctx.now,
    )?;
    let user = user.ok_or_else(|| ApiError::unauthorized("Invalid username or password"))?;
    let token = format!("{}::{}", new_uuid(), new_uuid());
    let validity = ctx.now + ACQUIRE_TTL_MS;
    w.add_session(
        token.clone(),
        SessionKind::Fleet {
            realm_id: user.realm_id,
            principal_id: user.id,
            api_token_id: None,
            acquired: true,
        },
        validity,
    );
    Ok(Resp::ok(json!({
        "token": token,
        "validity": ctx.client_time(validity),
        "expiresAt": iso8601(ctx.client_time(validity)),
        "roles": [],
    })))
}

/// `releaseToken`: ends the session of the OpsToken it is sent with (200, no body).
pub(super) fn release(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    session_principal(w, ctx, req)?;
    let (_, token) = req
        .authorization()
        .ok_or_else(|| ApiError::unauthorized("Missing Authorization"))?;
    let token = token.to_string();
    if !matches!(
        w.sessions.get(&token).map(|s| &s.kind),
        Some(SessionKind::Fleet { acquired: true, .. })
    ) {
        return Err(ApiError::unauthorized(
            "Only a session token from token/acquire can be released",
        ));
    }
    w.sessions.remove(&token);
    Ok(Resp::empty(200))
}

/// Find the token object of a `vidb_` secret.
pub fn token_by_secret<'a>(w: &'a World, secret: &str) -> Option<&'a ApiToken> {
    let b64 = secret.strip_prefix("vidb_")?;
    let b64 = b64.trim_end_matches('=');
    let raw = URL_SAFE_NO_PAD
        .decode(b64)
        .or_else(|_| STANDARD_NO_PAD.decode(b64))
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, _) = text.split_once('#')?;
    w.fleet
        .tokens
        .iter()
        .find(|t| t.id == id && t.secret == secret)
}

pub(super) fn token_endpoint(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let form = req.form()?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("grant_type") {
        Some(GRANT_TYPE_API_TOKEN) => {}
        // The broker issues no refresh tokens to API clients: an API token sent as one is not
        // a refresh token it knows.
        Some("refresh_token") => {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                "The refresh token is invalid or expired",
            ));
        }
        Some(g) => {
            return Err(ApiError::oauth(
                400,
                "unsupported_grant_type",
                format!("grant_type {g:?} is not supported"),
            ));
        }
        None => {
            return Err(ApiError::oauth(
                400,
                "invalid_request",
                "grant_type is required",
            ));
        }
    }
    let secret = get("api_token")
        .ok_or_else(|| ApiError::oauth(400, "invalid_request", "api_token is required"))?;
    let t = token_by_secret(w, secret)
        .cloned()
        .ok_or_else(|| ApiError::oauth(400, "invalid_grant", "The API token is not valid"))?;
    match t.status(ctx.now) {
        "ACTIVE" => {}
        s => {
            return Err(ApiError::oauth(
                400,
                "invalid_grant",
                format!("The API token is {s}"),
            ));
        }
    }
    let exp = ctx
        .now
        .saturating_add(t.access_token_ttl.saturating_mul(60_000));
    let access = w.mint_jwt(&t.principal_name, "vcf-fleet", ctx, exp);
    w.add_session(
        access.clone(),
        SessionKind::Fleet {
            realm_id: t.realm_id.clone(),
            principal_id: t.principal_id.clone(),
            api_token_id: Some(t.id.clone()),
            acquired: false,
        },
        exp,
    );
    if let Some(x) = w.fleet.tokens.iter_mut().find(|x| x.id == t.id) {
        x.last_used_date = ctx.now;
    }
    Ok(Resp::ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": t.access_token_ttl.saturating_mul(60),
    })))
}
