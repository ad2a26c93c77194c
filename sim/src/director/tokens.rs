//! API tokens: the list the caller may see, typed token creation, revocation, and the org list.

use serde_json::{Value, json};

use super::{
    Caller, PAGE_SIZE_MAX, bearer, caller, check_version, deny_api_token_session, is_system,
    manages_all,
};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{Ctx, DirToken, SessionKind, World, new_uuid, random_alnum};

fn visible(c: &Caller, orgs_system: bool, t: &DirToken) -> bool {
    if t.owner_user_id == c.user.id {
        return true;
    }
    if !manages_all(&c.user) {
        return false;
    }
    orgs_system || t.org_id == c.org.id
}

pub(super) fn list_tokens(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
pub(super) fn create_typed_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

pub(super) fn revoke_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

pub(super) fn org_list(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
