//! Contract B: VCF Operations fleet IAM (seed 001) and VCF roles (seed 002), plus the two ways to
//! authenticate to it (API-token refresh grant at the identity broker's token endpoint, and
//! username/password acquire). Every path, body and status of this family is in this file; the
//! table below says which ones are ASSUMED.
//!
//! Permission model (seed 002): a request is judged from the VCF roles assigned to the caller's
//! principal (API client or SSO user) in the realm of the path, nothing else. Any unexpired
//! assignment allows reads (GET and the token query); writes need, at SSO_REALM scope, a role
//! containing the component role `VCF_OPERATIONS/Administrator` (built-in `vcf_admin`, or a custom
//! role built on it, like seed 002's `vcf-fleet-admin`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{ApiError, HResult, Req, Resp};
use crate::routes::{Contract::*, Route};
use crate::world::{
    ApiClient, ApiToken, Assignment, Ctx, SessionKind, VcfRole, World, iso8601, new_uuid,
    random_alnum,
};

macro_rules! iam {
    ($p:literal) => {
        concat!("/suite-api/api/fleet-management/iam", $p)
    };
}

/// Path of the identity broker token endpoint (on the sim's own host and port).
pub const TOKEN_ENDPOINT_PATH: &str = "/acs/t/CUSTOMER/token";
pub const OIDC_ISSUER_PATH: &str = "/acs/t/CUSTOMER";
/// The token-endpoint grant of an API token (TokenFormData `api_token`).
pub const GRANT_TYPE_API_TOKEN: &str = "urn:custom:vcf:params:oauth:grant-type:api-token";
/// Lifetime of a username/password (`token/acquire`) token.
pub const ACQUIRE_TTL_MS: i64 = 6 * 60 * 60_000;
pub const API_TOKEN_TTL_MAX: i64 = 259_200;
pub const ACCESS_TOKEN_TTL_MAX: i64 = 480;
pub const PAGE_SIZE_MAX: i64 = 50;
/// `VcfComponentRole.componentType` values a custom role may use (VCF Operations API 9.1.1,
/// data structure VcfComponentRole, without the catch-all UNKNOWN).
pub const COMPONENTS: [&str; 7] = [
    "VCENTER",
    "NSX_MANAGER",
    "VCF_OPERATIONS",
    "VCF_AUTOMATION",
    "HCX",
    "VCF_ORCHESTRATOR",
    "VCF_SALT_RAAS",
];
/// The role page size the reference documents as the default; the largest page the sim serves
/// (UNCONFIRMED as a limit).
pub const ROLE_PAGE_SIZE_MAX: i64 = 50;

/// Each component's own roles, as `getComponentRoleSummaries` lists them: the names a custom
/// VCF role can combine. The names are the sim's; the reference lists none.
pub const COMPONENT_ROLE_CATALOGUE: &[(&str, &[&str])] = &[
    (
        "VCENTER",
        &[
            "Admin",
            "Read-only",
            "Virtual Machine Power User",
            "No access",
        ],
    ),
    (
        "NSX_MANAGER",
        &[
            "Enterprise Admin",
            "Auditor",
            "Network Operator",
            "network_engineer",
            "Security Engineer",
        ],
    ),
    (
        "VCF_OPERATIONS",
        &["Administrator", "ReadOnly", "PowerUser"],
    ),
    (
        "VCF_AUTOMATION",
        &["Provider Administrator", "Auditor", "System Administrator"],
    ),
    ("HCX", &["Administrator", "System Administrator"]),
    (
        "VCF_ORCHESTRATOR",
        &["Orchestrator Administrator", "Workflow Designer"],
    ),
    ("VCF_SALT_RAAS", &["Superuser"]),
];

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    Route { method: "GET", template: iam!("/ssorealms"), contract: Seen, handler: list_realms },
    // createApiClient, updateApiClient (PATCH with clientUuid in the body), the paged query (the
    // only list: there is no GET of the collection), getApiClient, deleteApiClient.
    Route { method: "POST", template: iam!("/ssorealms/{realm}/api-clients"), contract: Seen, handler: create_client },
    Route { method: "PATCH", template: iam!("/ssorealms/{realm}/api-clients"), contract: Seen, handler: update_client },
    Route { method: "POST", template: iam!("/ssorealms/{realm}/api-clients/query"), contract: Seen, handler: query_clients },
    Route { method: "GET", template: iam!("/ssorealms/{realm}/api-clients/{clientId}"), contract: Seen, handler: get_client },
    Route { method: "DELETE", template: iam!("/ssorealms/{realm}/api-clients/{clientId}"), contract: Seen, handler: delete_client },
    Route { method: "PUT", template: iam!("/ssorealms/{realm}/principals/{principalId}/roles"), contract: Seen, handler: put_assignments },
    Route { method: "GET", template: iam!("/ssorealms/{realm}/principals/{principalId}/roles"), contract: Seen, handler: get_assignments },
    Route { method: "DELETE", template: iam!("/ssorealms/{realm}/principals/{principalId}/roles"), contract: Seen, handler: delete_assignments },
    Route { method: "POST", template: iam!("/ssorealms/{realm}/api-tokens"), contract: Seen, handler: create_token },
    Route { method: "PATCH", template: iam!("/ssorealms/{realm}/api-tokens"), contract: Seen, handler: update_token },
    Route { method: "GET", template: iam!("/settings"), contract: Seen, handler: get_settings },
    // TOKEN_NAME field, EQUALS operator and the pageSize limit of 50 are ASSUMED.
    Route { method: "POST", template: iam!("/ssorealms/{realm}/api-tokens/query"), contract: Seen, handler: query_tokens },
    Route { method: "POST", template: iam!("/ssorealms/{realm}/api-tokens/{id}/regenerate"), contract: Seen, handler: regenerate_token },
    Route { method: "GET", template: iam!("/ssorealms/{realm}/api-tokens/{id}"), contract: Assumed, handler: get_token },
    Route { method: "DELETE", template: iam!("/ssorealms/{realm}/api-tokens/{id}"), contract: Assumed, handler: delete_token },
    // VCF roles are fleet-wide; /ssorealms/{id}/roles does not exist (404).
    Route { method: "GET", template: iam!("/roles"), contract: Seen, handler: list_roles },
    Route { method: "POST", template: iam!("/roles"), contract: Seen, handler: create_role },
    Route { method: "PUT", template: iam!("/roles"), contract: Seen, handler: update_role },
    Route { method: "GET", template: iam!("/roles/{name}"), contract: Seen, handler: get_role },
    Route { method: "DELETE", template: iam!("/roles/{name}"), contract: Seen, handler: delete_role },
    Route { method: "GET", template: iam!("/components/roles/summaries"), contract: Seen, handler: component_role_summaries },
    Route { method: "POST", template: "/suite-api/api/auth/token/acquire", contract: Seen, handler: acquire },
    Route { method: "POST", template: "/suite-api/api/auth/token/release", contract: Seen, handler: release },
    Route { method: "POST", template: TOKEN_ENDPOINT_PATH, contract: Assumed, handler: token_endpoint },
];

pub fn builtin_roles() -> Vec<VcfRole> {
    let r = |name: &str, display: &str, desc: &str, comps: &[(&str, &str)]| VcfRole {
        name: name.into(),
        display_name: display.into(),
        description: desc.into(),
        built_in: true,
        component_roles: crate::world::group_component_roles(
            &comps
                .iter()
                .map(|(c, r)| (c.to_string(), r.to_string()))
                .collect::<Vec<_>>(),
        ),
        created_by: "system".into(),
        updated_by: "system".into(),
        created_at: 0,
        updated_at: 0,
    };
    vec![
        r(
            "vcf_admin",
            "VCF Administrator",
            "Full administration of the VCF fleet, including identity and access management",
            &[
                ("VCENTER", "Admin"),
                ("NSX_MANAGER", "Enterprise Admin"),
                ("VCF_OPERATIONS", "Administrator"),
                ("VCF_AUTOMATION", "Provider Administrator"),
                ("HCX", "Administrator"),
            ],
        ),
        r(
            "vcf_operator",
            "VCF Operator",
            "Day-2 operations of the fleet without identity and access management",
            &[
                ("VCENTER", "Virtual Machine Power User"),
                ("NSX_MANAGER", "Network Operator"),
                ("VCF_OPERATIONS", "PowerUser"),
            ],
        ),
        r(
            "vcf_viewer",
            "VCF Viewer",
            "Read-only access to the fleet",
            &[
                ("VCENTER", "Read-only"),
                ("NSX_MANAGER", "Auditor"),
                ("VCF_OPERATIONS", "ReadOnly"),
                ("VCF_AUTOMATION", "Auditor"),
            ],
        ),
        r(
            "sddc_admin",
            "SDDC Administrator",
            "Administration of the vCenter and NSX of a VCF instance",
            &[("VCENTER", "Admin"), ("NSX_MANAGER", "Enterprise Admin")],
        ),
    ]
}

fn grants_iam_write(role: &VcfRole) -> bool {
    role.component_roles
        .iter()
        .any(|(c, r)| c == "VCF_OPERATIONS" && r.iter().any(|r| r == "Administrator"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

pub struct Caller {
    pub principal_id: String,
}

fn realm_exists(w: &World, realm: &str) -> Result<(), ApiError> {
    if w.fleet.realms.iter().any(|r| r.id == realm) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("SSO realm {realm} not found")))
    }
}

fn principal_name(w: &World, principal: &str) -> String {
    if let Some(c) = w.fleet.clients.iter().find(|c| c.client_uuid == principal) {
        return c.client_id.clone();
    }
    if let Some(u) = w.fleet.users.iter().find(|u| u.id == principal) {
        return u.name.clone();
    }
    principal.to_string()
}

/// A VCF role by name; roles are fleet-wide, the same in every realm.
fn fleet_role<'a>(w: &'a World, name: &str) -> Option<&'a VcfRole> {
    w.fleet.custom_roles.iter().find(|r| r.name == name)
}

/// The principal of the request's token. The OpsToken security scheme carries `token/acquire`
/// session tokens (`OpsToken`, and its older name `vRealizeOpsToken`); the Bearer scheme
/// carries VCF SSO access tokens. A token under the other scheme is refused with 401.
fn session_principal(w: &mut World, ctx: &Ctx, req: &Req) -> Result<String, ApiError> {
    let (scheme, token) = req.authorization().ok_or_else(|| {
        ApiError::unauthorized(
            "Missing Authorization: OpsToken <session token> or Bearer <VCF SSO access token>",
        )
    })?;
    let ops = ["OpsToken", "vRealizeOpsToken"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme));
    if !ops && !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(ApiError::unauthorized(format!(
            "Unsupported authorization scheme {scheme:?}"
        )));
    }
    let session = w.session(token, ctx.now).ok_or_else(|| {
        ApiError::new(
            401,
            "TOKEN_EXPIRED",
            "The access token is invalid or has expired",
        )
    })?;
    let SessionKind::Fleet {
        principal_id,
        acquired,
        ..
    } = session.kind
    else {
        return Err(ApiError::unauthorized(
            "The token is not a VCF Operations access token",
        ));
    };
    match (acquired, ops) {
        (true, false) => Err(ApiError::unauthorized(
            "A session token from token/acquire is sent as Authorization: OpsToken <token>",
        )),
        (false, true) => Err(ApiError::unauthorized(
            "A VCF SSO access token is sent as Authorization: Bearer <token>",
        )),
        _ => Ok(principal_id),
    }
}

/// Authenticate the bearer and check the caller's VCF roles in `realm` (any realm when `None`).
fn authorize(
    w: &mut World,
    ctx: &Ctx,
    req: &Req,
    realm: Option<&str>,
    access: Access,
) -> Result<Caller, ApiError> {
    let principal_id = session_principal(w, ctx, req)?;
    if let Some(r) = realm {
        realm_exists(w, r)?;
    }
    // The caller's unexpired assignments, with the realm each one is in.
    let held: Vec<(&str, &Assignment)> = w
        .fleet
        .assignments
        .iter()
        .filter_map(|(key, list)| {
            let (k_realm, k_principal) = key.split_once('/')?;
            let wanted = k_principal == principal_id && realm.is_none_or(|r| r == k_realm);
            wanted.then_some((k_realm, list))
        })
        .flat_map(|(r, list)| list.iter().map(move |a| (r, a)))
        .filter(|(_, a)| a.expires_at.is_none_or(|e| e > ctx.now))
        .collect();
    let name = principal_name(w, &principal_id);
    if held.is_empty() {
        return Err(ApiError::forbidden(format!(
            "Principal {name} holds no VCF role{}; API tokens carry only the VCF-level roles of their principal",
            realm
                .map(|r| format!(" in SSO realm {r}"))
                .unwrap_or_default()
        )));
    }
    let may_write = held.iter().any(|(_, a)| {
        a.scope_type == "SSO_REALM" && fleet_role(w, &a.role_name).is_some_and(grants_iam_write)
    });
    if access == Access::Write && !may_write {
        let names: Vec<&str> = held.iter().map(|(_, a)| a.role_name.as_str()).collect();
        return Err(ApiError::forbidden(format!(
            "Principal {name} holds VCF roles [{}]; {} {} needs, at SSO_REALM scope, a VCF role with the VCF_OPERATIONS Administrator component role (e.g. vcf_admin). Only VCF-level roles count",
            names.join(", "),
            req.method,
            req.path
        )));
    }
    Ok(Caller { principal_id })
}

// ---------------------------------------------------------------------------------------------
// Realms

fn list_realms(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    let realms: Vec<Value> = w
        .fleet
        .realms
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "vidbResourceId": r.vidb_resource_id,
                "vcfInstanceId": r.vcf_instance_id,
                "issues": [],
                "ssoRealmCoverage": r.coverage.iter().map(|c| json!({
                    "id": c.id, "name": c.name, "ssoEntityType": c.entity_type,
                })).collect::<Vec<_>>(),
                "totalConfiguredComponents": r.coverage.len() + 1,
                "idpId": r.idp_id,
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            })
        })
        .collect();
    Ok(Resp::ok(json!({ "ssoRealms": realms })))
}

// ---------------------------------------------------------------------------------------------
// API clients

pub fn client_json(c: &ApiClient) -> Value {
    json!({
        "clientId": c.client_id,
        "clientUuid": c.client_uuid,
        "clientName": c.client_name,
        "clientDescription": c.client_description,
    })
}

fn opt_str(o: &serde_json::Map<String, Value>, k: &str) -> Result<Option<String>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{k} must be a string"))),
    }
}

fn body_obj(req: &Req) -> Result<serde_json::Map<String, Value>, ApiError> {
    match req.json::<Value>()? {
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::bad_request("body must be a JSON object")),
    }
}

fn valid_ident(s: &str, what: &str) -> Result<(), ApiError> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} must be 1-128 characters of letters, digits, '-', '_' or '.'; got {s:?}"
        )))
    }
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

fn create_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
fn query_clients(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

fn get_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let i = find_client(w, &realm, req.param(1))?;
    Ok(Resp::ok(client_json(&w.fleet.clients[i])))
}

/// updateApiClient: the client is named by `clientUuid` in the body; 204 without a body.
fn update_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

fn delete_client(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    remove_client(w, &realm, req.param(1))?;
    Ok(Resp::no_content())
}

// ---------------------------------------------------------------------------------------------
// Role assignments

/// One VcfRoleAssignment as `getRoleAssignment` answers it, with the optional fields the
/// provider does not use (`roleDisplayName`, `ssoName`, resource names) filled in.
pub fn assignment_json(w: &World, realm: &str, a: &Assignment) -> Value {
    let realm_obj = w.fleet.realms.iter().find(|r| r.id == realm);
    let resources: Vec<Value> = a
        .resources
        .iter()
        .map(|id| {
            let name = realm_obj
                .and_then(|r| r.coverage.iter().find(|c| &c.id == id))
                .map(|c| c.name.clone());
            match name {
                Some(n) => json!({ "id": id, "name": n }),
                None => json!({ "id": id }),
            }
        })
        .collect();
    let mut scope = json!({ "scopeType": a.scope_type, "resources": resources });
    if let Some(r) = realm_obj {
        scope["ssoName"] = json!(r.name);
    }
    let mut out = json!({ "roleName": a.role_name, "roleScope": scope });
    if let Some(r) = fleet_role(w, &a.role_name) {
        out["roleDisplayName"] = json!(r.display_name);
    }
    if let Some(e) = a.expires_at {
        out["expiresAt"] = json!(e);
    }
    out
}

/// `updateRoleAssignment` answers 200 with no body.
fn ok_without_body() -> Resp {
    let mut r = Resp::no_content();
    r.status = 200;
    r
}

fn principal_exists(w: &World, realm: &str, principal: &str) -> bool {
    w.fleet
        .clients
        .iter()
        .any(|c| c.realm_id == realm && c.client_uuid == principal)
        || w.fleet
            .users
            .iter()
            .any(|u| u.realm_id == realm && u.id == principal)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentsBody {
    vcf_role_assignments: Vec<AssignmentIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentIn {
    role_name: String,
    role_scope: ScopeIn,
    #[serde(default)]
    expires_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeIn {
    scope_type: ScopeType,
    #[serde(default)]
    resources: Option<Vec<ResourceIn>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ScopeType {
    SsoRealm,
    VcfInstance,
}

#[derive(Deserialize)]
struct ResourceIn {
    id: String,
}

/// Validate a whole assignment set against the realm's roles and coverage.
pub fn parse_assignments(w: &World, realm: &str, body: &[u8]) -> Result<Vec<Assignment>, ApiError> {
    let parsed: AssignmentsBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
    let realm_obj = w
        .fleet
        .realms
        .iter()
        .find(|r| r.id == realm)
        .ok_or_else(|| ApiError::not_found(format!("SSO realm {realm} not found")))?;
    let mut out: Vec<Assignment> = Vec::new();
    for (i, a) in parsed.vcf_role_assignments.into_iter().enumerate() {
        if fleet_role(w, &a.role_name).is_none() {
            return Err(ApiError::bad_request(format!(
                "vcfRoleAssignments[{i}].roleName {:?} is not a VCF role",
                a.role_name
            )));
        }
        let resources: Vec<String> = a
            .role_scope
            .resources
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.id)
            .collect();
        let scope_type = match a.role_scope.scope_type {
            ScopeType::SsoRealm => {
                if !resources.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "vcfRoleAssignments[{i}]: an SSO_REALM scope takes no resources"
                    )));
                }
                "SSO_REALM"
            }
            ScopeType::VcfInstance => {
                if resources.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "vcfRoleAssignments[{i}]: a VCF_INSTANCE scope needs at least one resource id"
                    )));
                }
                for id in &resources {
                    if !realm_obj
                        .coverage
                        .iter()
                        .any(|c| &c.id == id && c.entity_type == "VCF_INSTANCE")
                    {
                        return Err(ApiError::bad_request(format!(
                            "vcfRoleAssignments[{i}]: {id} is not a VCF instance covered by this SSO realm"
                        )));
                    }
                }
                "VCF_INSTANCE"
            }
        };
        let a = Assignment {
            role_name: a.role_name,
            scope_type: scope_type.into(),
            resources,
            expires_at: a.expires_at,
        };
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

fn put_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    let principal = req.param(1).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    if !principal_exists(w, &realm, &principal) {
        return Err(ApiError::not_found(format!(
            "Principal {principal} not found in SSO realm {realm}"
        )));
    }
    let list = parse_assignments(w, &realm, &req.body)?;
    let key = format!("{realm}/{principal}");
    if list.is_empty() {
        w.fleet.assignments.remove(&key);
    } else {
        w.fleet.assignments.insert(key, list);
    }
    w.dirty = true;
    Ok(ok_without_body())
}

fn delete_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    let principal = req.param(1).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    if !principal_exists(w, &realm, &principal) {
        return Err(ApiError::not_found(format!(
            "Principal {principal} not found in SSO realm {realm}"
        )));
    }
    w.fleet.assignments.remove(&format!("{realm}/{principal}"));
    w.dirty = true;
    Ok(Resp::no_content())
}

fn get_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    let principal = req.param(1).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    if !principal_exists(w, &realm, &principal) {
        return Err(ApiError::not_found(format!(
            "Principal {principal} not found in SSO realm {realm}"
        )));
    }
    let out: Vec<Value> = w
        .fleet
        .assignments
        .get(&format!("{realm}/{principal}"))
        .map(|l| l.iter().map(|a| assignment_json(w, &realm, a)).collect())
        .unwrap_or_default();
    Ok(Resp::ok(json!({ "vcfRoleAssignments": out })))
}

/// The `other_writer` fault: after a GET of a principal's assignments (`key` is the matched
/// route) was answered, another writer changes that principal's set. Other requests, and roles
/// the fleet does not have, leave the world alone.
pub fn other_writer(w: &mut World, key: &str, req: &Req, rule: &crate::faults::FaultRule) {
    use crate::faults::WriterChange;
    if !key.starts_with("GET ") || !key.ends_with("/principals/{principalId}/roles") {
        return;
    }
    let (Some(role), Some(change)) = (rule.role.as_deref(), rule.change) else {
        return;
    };
    let k = format!("{}/{}", req.param(0), req.param(1));
    let held = w
        .fleet
        .assignments
        .get(&k)
        .is_some_and(|l| l.iter().any(|a| a.role_name == role));
    let revoke = match change {
        WriterChange::Revoke => true,
        WriterChange::Assign => false,
        WriterChange::Toggle => held,
    };
    if revoke {
        if let Some(l) = w.fleet.assignments.get_mut(&k) {
            l.retain(|a| a.role_name != role);
            if l.is_empty() {
                w.fleet.assignments.remove(&k);
            }
        }
    } else if fleet_role(w, role).is_some() && !held {
        w.fleet.assignments.entry(k).or_default().push(Assignment {
            role_name: role.to_string(),
            scope_type: "SSO_REALM".into(),
            resources: Vec::new(),
            expires_at: None,
        });
    }
    w.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// API tokens

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

fn create_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    let caller = authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let o = body_obj(req)?;
    let t = token_from_body(w, &realm, Some(&caller.principal_id), &o, ctx.now)?;
    let out = token_json(&t, ctx, true);
    w.fleet.tokens.push(t);
    w.dirty = true;
    Ok(Resp::json(201, &out))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct QueryBody {
    search_terms: SearchTerms,
    filters: Filters,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SearchTerms {
    all_of: Vec<Term>,
    any_of: Vec<Term>,
}

#[derive(Deserialize)]
struct Term {
    field: Field,
    terms: Vec<String>,
    #[serde(default = "default_op")]
    operator: Operator,
}

fn default_op() -> Operator {
    Operator::Like
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Field {
    ClientId,
    ClientName,
    TokenName,
    PrincipalName,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Operator {
    Like,
    Equals,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Filters {
    token_type: Vec<String>,
    token_status: Vec<String>,
}

impl SearchTerms {
    /// Every `allOf` term and (when there are any) one `anyOf` term hold for the object whose
    /// fields `value` gives (`None`: the object has no such field, and the term fails).
    fn matches<'a>(&self, value: impl Fn(Field) -> Option<&'a str>) -> bool {
        let hit = |t: &Term| value(t.field).is_some_and(|v| t.matches(v));
        self.all_of.iter().all(hit) && (self.any_of.is_empty() || self.any_of.iter().any(hit))
    }
}

fn token_field(t: &ApiToken, f: Field) -> Option<&str> {
    match f {
        Field::ClientId => Some(t.api_client_id.as_deref().unwrap_or(&t.principal_name)),
        Field::ClientName => None,
        Field::TokenName => Some(&t.token_name),
        Field::PrincipalName => Some(&t.principal_name),
    }
}

impl Term {
    fn matches(&self, value: &str) -> bool {
        self.terms.iter().any(|term| match self.operator {
            Operator::Equals => value == term,
            Operator::Like => {
                let needle = term.trim_matches(|c| c == '%' || c == '*').to_lowercase();
                value.to_lowercase().contains(&needle)
            }
        })
    }
}

fn query_param(req: &Req, name: &str, default: i64) -> Result<i64, ApiError> {
    match req.query_value(name) {
        None | Some("") => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiError::bad_request(format!("query parameter {name} must be an integer"))
        }),
    }
}

/// `page` (0-based, default 0) and `pageSize` (default 50) of the paged queries.
fn paging(req: &Req) -> Result<(i64, i64), ApiError> {
    let page = query_param(req, "page", 0)?;
    let page_size = query_param(req, "pageSize", 50)?;
    if page < 0 {
        return Err(ApiError::bad_request("page must be >= 0"));
    }
    if !(1..=PAGE_SIZE_MAX).contains(&page_size) {
        return Err(ApiError::bad_request(format!(
            "pageSize must be between 1 and {PAGE_SIZE_MAX}"
        )));
    }
    Ok((page, page_size))
}

fn query_tokens(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
fn regenerate_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

/// getIamSettings: GlobalIamSettings, TTLs in minutes, with the reference example's values
/// (its defaults). Whether a real appliance caps new tokens at them is not documented, so the
/// sim does not: it enforces only the absolute ranges (API tokens up to 259200 minutes, access
/// tokens up to 480).
fn get_settings(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    Ok(Resp::ok(json!({
        "apiTokenTtl": 43_200,
        "accessTokenTtl": ACCESS_TOKEN_TTL_MAX,
        "apiTokenRetentionPeriod": 43_200,
        "allUsersGroupEnabled": false,
        "jitInactiveUserEnabled": false,
        "jitInactiveUserTtl": 10_080,
    })))
}

/// updateApiToken: PATCH on the collection with the token's `id` in the body; only
/// `tokenName`, `tokenDescription` and `accessTokenTtl` can change. 204 without a body.
fn update_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

fn get_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Read)?;
    let i = find_token(w, &realm, req.param(1))?;
    Ok(Resp::ok(token_json(&w.fleet.tokens[i], ctx, false)))
}

fn delete_token(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let realm = req.param(0).to_string();
    authorize(w, ctx, req, Some(&realm), Access::Write)?;
    let i = find_token(w, &realm, req.param(1))?;
    w.fleet.tokens.remove(i);
    w.dirty = true;
    Ok(Resp::no_content())
}

// ---------------------------------------------------------------------------------------------
// VCF roles

/// A VcfRole as the API answers it.
pub fn role_json(r: &VcfRole) -> Value {
    json!({
        "roleName": r.name,
        "roleDisplayName": r.display_name,
        "roleDescription": r.description,
        "type": if r.built_in { "BUILT_IN" } else { "CUSTOM" },
        "componentRoles": r.component_roles.iter().map(|(c, roles)| json!({ "componentType": c, "roles": roles })).collect::<Vec<_>>(),
        "createdBy": r.created_by,
        "updatedBy": r.updated_by,
        "createdAt": r.created_at,
        "updatedAt": r.updated_at,
    })
}

/// A required integer query parameter of at least `min`.
fn required_int(req: &Req, name: &str, min: i64) -> Result<i64, ApiError> {
    let v = req
        .query_value(name)
        .ok_or_else(|| ApiError::bad_request(format!("query parameter {name} is required")))?;
    match v.parse::<i64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "query parameter {name} must be an integer of at least {min}; got {v:?}"
        ))),
    }
}

/// An optional enum query parameter.
fn enum_query<'a>(req: &'a Req, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, ApiError> {
    match req.query_value(name) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(ApiError::bad_request(format!(
            "query parameter {name} must be one of {}; got {v:?}",
            allowed.join(", ")
        ))),
    }
}

/// `getVCFRolesPaginated`: `page` and `pageSize` are required; `type`, `sortBy` and
/// `sortOrder` are optional filters.
fn list_roles(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    let page = required_int(req, "page", 0)?;
    let size = required_int(req, "pageSize", 1)?;
    if size > ROLE_PAGE_SIZE_MAX {
        return Err(ApiError::bad_request(format!(
            "pageSize must be at most {ROLE_PAGE_SIZE_MAX}"
        )));
    }
    let kind = enum_query(req, "type", &["BUILT_IN", "CUSTOM", "UNKNOWN"])?;
    let sort_by = enum_query(
        req,
        "sortBy",
        &["ROLE_TYPE", "ROLE_NAME", "ROLE_DISPLAY_NAME"],
    )?;
    let order = enum_query(req, "sortOrder", &["ASCENDING", "DESCENDING"])?;
    let mut roles: Vec<&VcfRole> = w
        .fleet
        .custom_roles
        .iter()
        .filter(|r| match kind {
            Some("BUILT_IN") => r.built_in,
            Some("CUSTOM") => !r.built_in,
            Some(_) => false,
            None => true,
        })
        .collect();
    match sort_by {
        Some("ROLE_TYPE") => roles.sort_by_key(|r| (!r.built_in, r.name.clone())),
        Some("ROLE_DISPLAY_NAME") => roles.sort_by(|a, b| a.display_name.cmp(&b.display_name)),
        Some(_) => roles.sort_by(|a, b| a.name.cmp(&b.name)),
        None => {}
    }
    if order == Some("DESCENDING") {
        roles.reverse();
    }
    let total = roles.len() as i64;
    let list: Vec<Value> = roles
        .into_iter()
        .skip(usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX))
        .take(usize::try_from(size).unwrap_or(0))
        .map(role_json)
        .collect();
    let mut info = json!({ "totalCount": total, "page": page, "pageSize": size });
    if let Some(b) = sort_by {
        info["sortBy"] = json!(b);
    }
    if let Some(o) = order {
        info["sortOrder"] = json!(o);
    }
    Ok(Resp::ok(json!({ "vcfRoles": list, "pageInfo": info })))
}

fn get_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    let name = req.param(0);
    // UNCONFIRMED: the status of an unknown role (the reference documents only 200).
    let r = fleet_role(w, name)
        .ok_or_else(|| ApiError::not_found(format!("VCF role {name} not found")))?;
    Ok(Resp::ok(role_json(r)))
}

/// A VcfRole request body: `roleName` and `componentRoles` are required, so the old guessed
/// shape (`name`, `component`/`roleName` entries) is a 400. Other fields are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleBody {
    role_name: String,
    #[serde(default)]
    role_display_name: Option<String>,
    #[serde(default)]
    role_description: Option<String>,
    component_roles: Vec<ComponentRoleIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ComponentRoleIn {
    component_type: String,
    roles: Vec<String>,
}

fn role_body(req: &Req) -> Result<RoleBody, ApiError> {
    serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("invalid VcfRole body: {e}")))
}

/// Validates `componentRoles` (minItems 1, each with a known componentType and at least one of
/// that component's roles) and merges entries of the same component.
fn component_roles(list: Vec<ComponentRoleIn>) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    if list.is_empty() {
        return Err(ApiError::bad_request(
            "componentRoles must contain at least one component role",
        ));
    }
    let mut pairs = Vec::new();
    for (i, c) in list.into_iter().enumerate() {
        if !COMPONENTS.contains(&c.component_type.as_str()) {
            return Err(ApiError::bad_request(format!(
                "componentRoles[{i}].componentType must be one of {}; got {:?}",
                COMPONENTS.join(", "),
                c.component_type
            )));
        }
        if c.roles.is_empty() {
            return Err(ApiError::bad_request(format!(
                "componentRoles[{i}].roles must contain at least one role"
            )));
        }
        let known = COMPONENT_ROLE_CATALOGUE
            .iter()
            .find(|(t, _)| *t == c.component_type)
            .map(|(_, l)| *l)
            .unwrap_or(&[]);
        for r in c.roles {
            if !known.contains(&r.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "componentRoles[{i}].roles: {r:?} is not a role of {}; its roles: {}",
                    c.component_type,
                    known.join(", ")
                )));
            }
            pairs.push((c.component_type.clone(), r));
        }
    }
    Ok(crate::world::group_component_roles(&pairs))
}

fn caller_name(w: &World, c: &Caller) -> String {
    principal_name(w, &c.principal_id)
}

/// `createRole`: 201 with the role.
fn create_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let caller = authorize(w, ctx, req, None, Access::Write)?;
    let who = caller_name(w, &caller);
    let out = insert_role(w, ctx, &req.body, &who)?;
    w.dirty = true;
    Ok(Resp::json(201, &out))
}

/// Creates a custom role from a VcfRole body (the API and out-of-band creation); returns it as
/// the API shows it.
pub fn insert_role(w: &mut World, ctx: &Ctx, body: &[u8], who: &str) -> Result<Value, ApiError> {
    let b: RoleBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid VcfRole body: {e}")))?;
    valid_ident(&b.role_name, "roleName")?;
    if fleet_role(w, &b.role_name).is_some() {
        // UNCONFIRMED: the reference says names are checked for conflicts, not with which status.
        return Err(ApiError::conflict(format!(
            "VCF role {} already exists",
            b.role_name
        )));
    }
    let role = VcfRole {
        display_name: b.role_display_name.unwrap_or_else(|| b.role_name.clone()),
        name: b.role_name,
        description: b.role_description.unwrap_or_default(),
        built_in: false,
        component_roles: component_roles(b.component_roles)?,
        created_by: who.to_string(),
        updated_by: who.to_string(),
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let out = role_json(&role);
    w.fleet.custom_roles.push(role);
    Ok(out)
}

/// The index of the custom role `name`: 404 when there is none, 400 for a built-in role
/// (UNCONFIRMED status: the reference says built-ins cannot be updated or deleted).
fn find_custom_role(w: &World, name: &str) -> Result<usize, ApiError> {
    let i = w
        .fleet
        .custom_roles
        .iter()
        .position(|r| r.name == name)
        .ok_or_else(|| ApiError::not_found(format!("VCF role {name} not found")))?;
    if w.fleet.custom_roles[i].built_in {
        return Err(ApiError::bad_request(format!(
            "VCF role {name} is built in and cannot be updated or deleted"
        )));
    }
    Ok(i)
}

/// `updateRoleDefinition`: `PUT /roles` with the role's name in the body; 200 with the role.
fn update_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let caller = authorize(w, ctx, req, None, Access::Write)?;
    let b = role_body(req)?;
    let i = find_custom_role(w, &b.role_name)?;
    let comps = component_roles(b.component_roles)?;
    let who = caller_name(w, &caller);
    let r = &mut w.fleet.custom_roles[i];
    if let Some(d) = b.role_display_name {
        r.display_name = d;
    }
    if let Some(d) = b.role_description {
        r.description = d;
    }
    r.component_roles = comps;
    r.updated_by = who;
    r.updated_at = ctx.now;
    let out = role_json(r);
    w.dirty = true;
    Ok(Resp::ok(out))
}

/// `deleteRole`: 204. A role still assigned to a principal is refused (409, UNCONFIRMED: the
/// reference asks to remove the assignments first).
fn delete_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Write)?;
    let name = req.param(0).to_string();
    let i = find_custom_role(w, &name)?;
    let in_use = w
        .fleet
        .assignments
        .values()
        .any(|l| l.iter().any(|a| a.role_name == name));
    if in_use {
        return Err(ApiError::conflict(format!(
            "VCF role {name} is assigned to principals; remove the assignments first"
        )));
    }
    w.fleet.custom_roles.remove(i);
    w.dirty = true;
    Ok(Resp::no_content())
}

/// `getComponentRoleSummaries`: the roles of each component (or of `componentType`).
fn component_role_summaries(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    authorize(w, ctx, req, None, Access::Read)?;
    let mut all = COMPONENTS.to_vec();
    all.push("UNKNOWN");
    let wanted = enum_query(req, "componentType", &all)?;
    let list: Vec<Value> = COMPONENT_ROLE_CATALOGUE
        .iter()
        .filter(|(t, _)| wanted.is_none_or(|w| w == *t))
        .flat_map(|(t, names)| {
            names.iter().map(move |n| {
                json!({ "componentType": t, "name": n, "displayName": n, "type": "BUILT_IN" })
            })
        })
        .collect();
    Ok(Resp::ok(json!({ "componentRoleSummaries": list })))
}

// ---------------------------------------------------------------------------------------------
// Authentication

fn acquire(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
fn release(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

fn token_endpoint(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
