//! API clients: create, the paged query, read, update and delete.

use serde_json::{Value, json};

use super::access::{Access, authorize};
use super::params::{body_obj, opt_str, paging, valid_ident};
use super::query::{Field, QueryBody};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{ApiClient, Ctx, World, new_uuid};

pub fn client_json(c: &ApiClient) -> Value {
    json!({
        "clientId": c.client_id,
        "clientUuid": c.client_uuid,
        "clientName": c.client_name,
        "clientDescription": c.client_description,
    })
}

/// Create an API client directly in the world (used by the API and by out-of-band creation).
pub fn insert_client(
    w: &mut World,
    realm: &str,
    client_id: &str,
    name: Option<String>,
    description: Option<String>,
) -> Result<ApiClient, ApiError> {
    valid_ident(client_id, "clientId")?;
    if w.fleet
        .clients
        .iter()
        .any(|c| c.realm_id == realm && c.client_id.eq_ignore_ascii_case(client_id))
    {
        return Err(ApiError::conflict(format!(
            "An API client with clientId {client_id} already exists in this SSO realm"
        )));
    }
    let c = ApiClient {
        realm_id: realm.to_string(),
        client_id: client_id.to_string(),
        client_uuid: new_uuid(),
        client_name: name.unwrap_or_else(|| client_id.to_string()),
        client_description: description.unwrap_or_default(),
    };
    w.fleet.clients.push(c.clone());
    w.dirty = true;
    Ok(c)
}

pub(super) fn create_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let o = body_obj(req)?;
    let client_id =
        opt_str(&o, "clientId")?.ok_or_else(|| ApiError::bad_request("clientId is required"))?;
    // ApiClient.clientName is required in the reference.
    let name = opt_str(&o, "clientName")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("clientName is required"))?;
    let c = insert_client(
        w,
        &realm,
        &client_id,
        Some(name),
        opt_str(&o, "clientDescription")?,
    )?;
    Ok(Resp::json(201, &client_json(&c)))
}

fn find_client(w: &World, realm: &str, client_id: &str) -> Result<usize, ApiError> {
    w.fleet
        .clients
        .iter()
        .position(|c| c.realm_id == realm && c.client_id == client_id)
        .ok_or_else(|| ApiError::not_found(format!("API client {client_id} not found")))
}

/// The paged client query: `page` (0-based) and `pageSize` default to 0 and 50; the body is a
/// ClientTokenQuery (its search terms on CLIENT_ID / CLIENT_NAME apply; token filters do not).
pub(super) fn query_clients(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let (page, page_size) = paging(req)?;
    let q: QueryBody = if req.body.iter().all(u8::is_ascii_whitespace) {
        QueryBody::default()
    } else {
        req.json()?
    };
    let mut hits: Vec<&ApiClient> = w
        .fleet
        .clients
        .iter()
        .filter(|c| c.realm_id == realm)
        .filter(|c| q.search_terms.matches(|f| client_field(c, f)))
        .collect();
    hits.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    let total = hits.len();
    let items: Vec<Value> = hits
        .into_iter()
        .skip(page.saturating_mul(page_size).clamp(0, i64::MAX) as usize)
        .take(page_size as usize)
        .map(client_json)
        .collect();
    Ok(Resp::ok(json!({
        "apiClients": items,
        "pageInfo": { "totalCount": total, "page": page, "pageSize": page_size },
        "links": [],
    })))
}

fn client_field(c: &ApiClient, f: Field) -> Option<&str> {
    match f {
        Field::ClientId => Some(&c.client_id),
        Field::ClientName => Some(&c.client_name),
        Field::TokenName | Field::PrincipalName => None,
    }
}

pub(super) fn get_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let i = find_client(w, &realm, req.param(1))?;
    Ok(Resp::ok(client_json(&w.fleet.clients[i])))
}

/// updateApiClient: the client is named by `clientUuid` in the body; 204 without a body.
pub(super) fn update_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let o = body_obj(req)?;
    let uuid = opt_str(&o, "clientUuid")?
        .ok_or_else(|| ApiError::bad_request("clientUuid is required"))?;
    let i = w
        .fleet
        .clients
        .iter()
        .position(|c| c.realm_id == realm && c.client_uuid == uuid)
        .ok_or_else(|| ApiError::not_found(format!("API client {uuid} not found")))?;
    if let Some(id) = opt_str(&o, "clientId")?
        && id != w.fleet.clients[i].client_id
    {
        return Err(ApiError::bad_request(
            "clientId is immutable; create a new API client instead",
        ));
    }
    let name = opt_str(&o, "clientName")?;
    if name.as_deref() == Some("") {
        return Err(ApiError::bad_request("clientName must not be empty"));
    }
    let desc = opt_str(&o, "clientDescription")?;
    let c = &mut w.fleet.clients[i];
    if let Some(n) = name {
        c.client_name = n;
    }
    if let Some(d) = desc {
        c.client_description = d;
    }
    w.dirty = true;
    Ok(Resp::no_content())
}

/// Remove a client with its tokens and role assignments.
pub fn remove_client(w: &mut World, realm: &str, client_id: &str) -> Result<(), ApiError> {
    let i = find_client(w, realm, client_id)?;
    let c = w.fleet.clients.remove(i);
    w.fleet
        .tokens
        .retain(|t| !(t.realm_id == realm && t.api_client_id.as_deref() == Some(client_id)));
    w.fleet
        .assignments
        .remove(&format!("{realm}/{}", c.client_uuid));
    w.dirty = true;
    Ok(())
}

pub(super) fn delete_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    remove_client(w, &realm, req.param(1))?;
    Ok(Resp::no_content())
}
