//! Who may call: the caller's principal from its token and the VCF roles it holds in the
//! realm of the path (the permission model of seed 002, see the family's module comment).

use crate::http::{ApiError, Req};
use crate::world::{Assignment, Ctx, SessionKind, VcfRole, World};

fn grants_iam_write(role: &VcfRole) -> bool {
    role.component_roles
        .iter()
        .any(|(c, r)| c == "VCF_OPERATIONS" && r.iter().any(|r| r == "Administrator"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
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

pub(super) fn principal_name(w: &World, principal: &str) -> String {
    if let Some(c) = w.fleet.clients.iter().find(|c| c.client_uuid == principal) {
        return c.client_id.clone();
    }
    if let Some(u) = w.fleet.users.iter().find(|u| u.id == principal) {
        return u.name.clone();
    }
    principal.to_string()
}

/// A VCF role by name; roles are fleet-wide, the same in every realm.
pub(super) fn fleet_role<'a>(w: &'a World, name: &str) -> Option<&'a VcfRole> {
    w.fleet.custom_roles.iter().find(|r| r.name == name)
}

/// The principal of the request's token. The OpsToken security scheme carries `token/acquire`
/// session tokens (`OpsToken`, and its older name `vRealizeOpsToken`); the Bearer scheme
/// carries VCF SSO access tokens. A token under the other scheme is refused with 401.
pub(super) fn session_principal(w: &mut World, ctx: &Ctx, req: &Req) -> Result<String, ApiError> {
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
    let session = w
        .session(token, ctx.now)
        .ok_or_else(ApiError::token_expired)?;
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
pub(super) fn authorize(
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
