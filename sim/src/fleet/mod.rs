//! Contract B: VCF Operations fleet IAM (seed 001) and VCF roles (seed 002), plus the two ways to
//! authenticate to it (API-token refresh grant at the identity broker's token endpoint, and
//! username/password acquire). Every path, body and status of this family is in this folder, one
//! file per API group; the route table below says which ones are ASSUMED.
//!
//! Permission model (seed 002): a request is judged from the VCF roles assigned to the caller's
//! principal (API client or SSO user) in the realm of the path, nothing else. Any unexpired
//! assignment allows reads (GET and the token query); writes need, at SSO_REALM scope, a role
//! containing the component role `VCF_OPERATIONS/Administrator` (built-in `vcf_admin`, or a custom
//! role built on it, like seed 002's `vcf-fleet-admin`).

use crate::routes::{Contract::*, Route};

macro_rules! iam {
    ($p:literal) => {
        concat!("/suite-api/api/fleet-management/iam", $p)
    };
}

mod access;
mod assignments;
mod auth;
mod clients;
mod params;
mod query;
mod realms;
mod roles;
mod settings;
mod tokens;

pub use assignments::{assignment_json, other_writer, parse_assignments};
pub use clients::{client_json, insert_client, remove_client};
pub use roles::{builtin_roles, insert_role, role_json};
pub use tokens::{TokenSpec, new_token, token_from_body, token_json};

use assignments::{delete_assignments, get_assignments, put_assignments};
use auth::{acquire, release, token_endpoint};
use clients::{create_client, delete_client, get_client, query_clients, update_client};
use realms::list_realms;
use roles::{
    component_role_summaries, create_role, delete_role, get_role, list_roles, update_role,
};
use settings::get_settings;
use tokens::{create_token, delete_token, get_token, query_tokens, regenerate_token, update_token};

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
