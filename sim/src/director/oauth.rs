//! The OAuth token endpoint (API-token refresh grant and JWT bearer) and OAuth client
//! registration, under `/oauth` or `/tm/oauth` depending on the flavour.

use serde_json::{Value, json};

use super::{
    API_ACCESS_TTL_S, CLOUD_DIRECTOR_VERSIONS, JWT_BEARER, VCF_AUTOMATION_VERSIONS, bearer, caller,
    deny_api_token_session, manages_own, oauth_of, org_by_name, system_org, vcfa,
};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{Ctx, DirToken, Org, SessionKind, World, new_uuid, random_alnum};

pub(super) fn token_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = system_org(w)?;
    token(w, ctx, req, org)
}

pub(super) fn token_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = org_by_name(w, req.param(0))?;
    token(w, ctx, req, org)
}

pub(super) fn tm_token_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = system_org(w)?;
    token(w, ctx, req, org)
}

pub(super) fn tm_token_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = org_by_name(w, req.param(0))?;
    token(w, ctx, req, org)
}

pub(super) fn tm_register_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = system_org(w)?;
    register(w, ctx, req, org)
}

pub(super) fn tm_register_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, true)?;
    let org = org_by_name(w, req.param(0))?;
    register(w, ctx, req, org)
}

/// The unauthenticated version list: `versionInfo` with the served versions.
pub(super) fn versions(w: &mut World, _ctx: &Ctx, _req: &Req) -> HResult {
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

pub(super) fn register_provider(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    oauth_of(w, req, false)?;
    let org = system_org(w)?;
    register(w, ctx, req, org)
}

pub(super) fn register_tenant(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
