//! VCF roles: the built-in ones, the paged list, custom roles (create, update, delete) and the
//! roles of each component a custom role can combine.

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{Access, Caller, authorize, fleet_role, principal_name};
use super::params::{enum_query, required_int, valid_ident};
use super::{COMPONENT_ROLE_CATALOGUE, COMPONENTS, ROLE_PAGE_SIZE_MAX};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{Ctx, VcfRole, World};

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

/// `getVCFRolesPaginated`: `page` and `pageSize` are required; `type`, `sortBy` and
/// `sortOrder` are optional filters.
pub(super) fn list_roles(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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

pub(super) fn get_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
pub(super) fn create_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
pub(super) fn update_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
pub(super) fn delete_role(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
pub(super) fn component_role_summaries(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
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
