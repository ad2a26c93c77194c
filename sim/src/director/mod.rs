//! Contract C: VMware Cloud Director / VCF Automation API tokens (`docs/dev/api-contract.md` § C).
//! Every path, body and status of this family is in this folder, one file per API group.
//!
//! The sim plays one of two products (`--director-flavor`, or `[director] flavor`):
//! `cloud_director` (OAuth under `/oauth`, cloudapi versions 37.0–39.1) or `vcf_automation`
//! (OAuth under `/tm/oauth` as in org-management-vm-apps-org 9.1, versions 9.0.0 and 9.1.0). The
//! other product's OAuth paths are 404, and a cloudapi call whose `Accept` names a version the
//! product does not serve is 406. `GET /api/versions` lists the served versions.
//!
//! Rules (seed 003/004): API tokens never expire and are revocable; a session opened with an API
//! token cannot create tokens or view/revoke tokens (403). Every user holds "Manage user's own API
//! token" except the role "Console Access Only"; "Organization Administrator" (own org) and
//! "System Administrator" (every org) also hold "Manage all users' API tokens".

use crate::http::{ApiError, Req};
use crate::routes::{Contract::*, Route};
use crate::world::{Ctx, DirUser, Org, SessionKind, World};

mod oauth;
mod sessions;
mod tokens;

pub use tokens::remove_token;

use oauth::{
    register_provider, register_tenant, tm_register_provider, tm_register_tenant,
    tm_token_provider, tm_token_tenant, token_provider, token_tenant, versions,
};
use sessions::{login_provider, login_tenant, logout_current};
use tokens::{create_typed_token, list_tokens, org_list, revoke_token};

/// `expires_in` of an access token obtained with an API token (seed 004).
pub const API_ACCESS_TTL_S: i64 = 2_592_000;
/// Lifetime of a session opened with user and password.
pub const LOGIN_TTL_MS: i64 = 24 * 60 * 60_000;
pub const PAGE_SIZE_MAX: i64 = 128;
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub const CLOUD_DIRECTOR: &str = "cloud_director";
pub const VCF_AUTOMATION: &str = "vcf_automation";
/// cloudapi versions each product serves (UNCONFIRMED ranges; the references show 39.1 for
/// Cloud Director 10.6 and 9.1.0 for VCF Automation 9.1).
const CLOUD_DIRECTOR_VERSIONS: &[&str] = &[
    "37.0", "37.1", "37.2", "37.3", "38.0", "38.1", "39.0", "39.1",
];
const VCF_AUTOMATION_VERSIONS: &[&str] = &["9.0.0", "9.1.0"];

fn vcfa(w: &World) -> bool {
    w.director.flavor == VCF_AUTOMATION
}

/// OAuth of the other product is not there: 404 as for any unknown path.
fn oauth_of(w: &World, req: &Req, tm: bool) -> Result<(), ApiError> {
    if vcfa(w) == tm {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "No API at {} {}",
            req.method, req.path
        )))
    }
}

/// A cloudapi call must not ask for a version this product does not serve (406).
fn check_version(w: &World, req: &Req) -> Result<(), ApiError> {
    let Some(accept) = req.header("accept") else {
        return Ok(());
    };
    let served = if vcfa(w) {
        VCF_AUTOMATION_VERSIONS
    } else {
        CLOUD_DIRECTOR_VERSIONS
    };
    for part in accept.split(',') {
        if let Some(v) = part
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("version="))
            .next()
        {
            let v = v.trim();
            if !served.contains(&v) {
                return Err(ApiError::new(
                    406,
                    "NOT_ACCEPTABLE",
                    format!(
                        "API version {v} is not supported; supported versions: {}",
                        served.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    Route { method: "POST", template: "/oauth/provider/token", contract: Seen, handler: token_provider },
    Route { method: "POST", template: "/oauth/tenant/{org}/token", contract: Seen, handler: token_tenant },
    Route { method: "POST", template: "/oauth/provider/register", contract: Assumed, handler: register_provider },
    Route { method: "POST", template: "/oauth/tenant/{org}/register", contract: Assumed, handler: register_tenant },
    Route { method: "POST", template: "/tm/oauth/provider/token", contract: Assumed, handler: tm_token_provider },
    Route { method: "POST", template: "/tm/oauth/tenant/{org}/token", contract: Seen, handler: tm_token_tenant },
    Route { method: "POST", template: "/tm/oauth/provider/register", contract: Assumed, handler: tm_register_provider },
    Route { method: "POST", template: "/tm/oauth/tenant/{org}/register", contract: Assumed, handler: tm_register_tenant },
    Route { method: "GET", template: "/api/versions", contract: Seen, handler: versions },
    Route { method: "POST", template: "/cloudapi/1.0.0/sessions", contract: Assumed, handler: login_tenant },
    Route { method: "POST", template: "/cloudapi/1.0.0/sessions/provider", contract: Assumed, handler: login_provider },
    Route { method: "DELETE", template: "/cloudapi/1.0.0/sessions/current", contract: Seen, handler: logout_current },
    Route { method: "GET", template: "/cloudapi/1.0.0/tokens", contract: Seen, handler: list_tokens },
    Route { method: "POST", template: "/cloudapi/1.0.0/tokens", contract: Seen, handler: create_typed_token },
    Route { method: "DELETE", template: "/cloudapi/1.0.0/tokens/{id}", contract: Assumed, handler: revoke_token },
    // The example API call of seed 004.
    Route { method: "GET", template: "/api/org", contract: Seen, handler: org_list },
];

fn is_system(o: &Org) -> bool {
    o.name.eq_ignore_ascii_case("System")
}

fn org_by_name(w: &World, name: &str) -> Result<Org, ApiError> {
    w.director
        .orgs
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Organization {name} not found")))
}

fn system_org(w: &World) -> Result<Org, ApiError> {
    w.director
        .orgs
        .iter()
        .find(|o| is_system(o))
        .cloned()
        .ok_or_else(|| ApiError::not_found("The provider (System) organization is not configured"))
}

fn manages_all(u: &DirUser) -> bool {
    u.role == "Organization Administrator" || u.role == "System Administrator"
}

fn manages_own(u: &DirUser) -> bool {
    u.role != "Console Access Only"
}

struct Caller {
    org: Org,
    user: DirUser,
    api_token_id: Option<String>,
}

fn caller(w: &mut World, ctx: &Ctx, token: Option<&str>) -> Result<Caller, ApiError> {
    let token = token
        .ok_or_else(|| ApiError::unauthorized("Missing Authorization: Bearer <access token>"))?;
    let s = w
        .session(token, ctx.now)
        .ok_or_else(ApiError::token_expired)?;
    let SessionKind::Director {
        org_id,
        user_id,
        api_token_id,
    } = s.kind
    else {
        return Err(ApiError::unauthorized(
            "The token is not a Director access token",
        ));
    };
    let user = w
        .director
        .users
        .iter()
        .find(|u| u.id == user_id)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("The user of this session no longer exists"))?;
    let org = w
        .director
        .orgs
        .iter()
        .find(|o| o.id == org_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::unauthorized("The organization of this session no longer exists")
        })?;
    Ok(Caller {
        org,
        user,
        api_token_id,
    })
}

fn bearer(req: &Req) -> Option<&str> {
    req.auth_credential(&["Bearer"])
        .or_else(|| req.header("x-vmware-vcloud-access-token"))
}

fn deny_api_token_session(c: &Caller, what: &str) -> Result<(), ApiError> {
    if c.api_token_id.is_some() {
        return Err(ApiError::forbidden(format!(
            "A session opened with an API token cannot {what}; log in with user and password"
        )));
    }
    Ok(())
}
