//! Sessions: username/password login (provider and tenant) and logout of the current session.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::{LOGIN_TTL_MS, bearer, caller, check_version, is_system};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{Ctx, SessionKind, World, new_uuid};

/// Logout Current Session (API 36.0 and later): ends the session of the access token → 204.
pub(super) fn logout_current(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    check_version(w, req)?;
    let token = bearer(req).map(str::to_string);
    caller(w, ctx, token.as_deref())?;
    if let Some(t) = token {
        w.sessions.remove(&t);
        w.dirty = true;
    }
    Ok(Resp::no_content())
}

pub(super) fn login_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    login(w, ctx, req, false)
}

pub(super) fn login_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
