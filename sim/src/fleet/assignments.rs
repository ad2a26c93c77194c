//! Role assignments of a principal: the whole set is read, replaced or removed at once; and the
//! `other_writer` fault that changes a set behind the provider's back.

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{Access, authorize, fleet_role};
use crate::http::{ApiError, HResult, Req, Resp};
use crate::world::{Assignment, Ctx, World};

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

/// The realm and the principal a request names (its first two parameters), once the caller may
/// `access` the realm and the principal is found in it.
fn principal_of(
    w: &mut World,
    ctx: &Ctx,
    req: &Req,
    access: Access,
) -> Result<(String, String), ApiError> {
    let realm = req.param(0).to_string();
    let principal = req.param(1).to_string();
    authorize(w, ctx, req, Some(&realm), access)?;
    if !principal_exists(w, &realm, &principal) {
        return Err(ApiError::not_found(format!(
            "Principal {principal} not found in SSO realm {realm}"
        )));
    }
    Ok((realm, principal))
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

pub(super) fn put_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let (realm, principal) = principal_of(w, ctx, req, Access::Write)?;
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

pub(super) fn delete_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let (realm, principal) = principal_of(w, ctx, req, Access::Write)?;
    w.fleet.assignments.remove(&format!("{realm}/{principal}"));
    w.dirty = true;
    Ok(Resp::no_content())
}

pub(super) fn get_assignments(w: &mut World, ctx: &Ctx, req: &Req) -> HResult {
    let (realm, principal) = principal_of(w, ctx, req, Access::Read)?;
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
