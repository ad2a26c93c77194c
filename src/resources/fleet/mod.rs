//! Contract B, VCF Operations fleet IAM, as the fleet resources use it: every path with its
//! SEEN/ASSUMED mark in one table, the JSON shapes, realm resolution (`sso_realm_id` or the
//! provider's `default_sso_realm`, a name or an id), and the state the fleet resources share
//! inside one provider process: per-principal write locks for role assignments, the token
//! snapshot that lets one paged query serve every token read of a plan, and the server's clock.
//!
//! Correcting an ASSUMED path against a real appliance is a change to [`paths`] only; vcf-sim
//! implements the same table (`sim/src/fleet.rs`).

pub mod api_client;
pub mod api_token;
pub mod custom_role;
pub mod list;
pub mod revoke_action;
pub mod rmw;
pub mod role_lists;
pub mod roles;
pub mod settings;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};

use crate::client::{ApiClient, ApiError, Call, Response};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, AttributePath, Ctx, Diagnostic, Diagnostics, Secret, Value};
use crate::resources::shared::{REFRESH_MAX_AGE, SharedReads};
use crate::resources::{VcfContext, context};

/// Every call of contract B the resources make. `{…}` segments are filled by [`paths::fill`].
pub mod paths {
    use crate::client::path_segment;

    /// Whether an endpoint is shown in the seeds or assumed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Contract {
        Seen,
        Assumed,
    }
    use Contract::*;

    pub const REALMS: &str = "/ssorealms";
    pub const CLIENTS: &str = "/ssorealms/{realm}/api-clients";
    pub const CLIENT_QUERY: &str = "/ssorealms/{realm}/api-clients/query";
    pub const CLIENT: &str = "/ssorealms/{realm}/api-clients/{clientId}";
    pub const PRINCIPAL_ROLES: &str = "/ssorealms/{realm}/principals/{principalId}/roles";
    pub const TOKENS: &str = "/ssorealms/{realm}/api-tokens";
    pub const TOKEN_QUERY: &str = "/ssorealms/{realm}/api-tokens/query";
    pub const SETTINGS: &str = "/settings";
    pub const TOKEN_REGENERATE: &str = "/ssorealms/{realm}/api-tokens/{id}/regenerate";
    pub const TOKEN: &str = "/ssorealms/{realm}/api-tokens/{id}";
    /// VCF roles are fleet-wide: not under an SSO realm.
    pub const ROLES: &str = "/roles";
    pub const ROLE: &str = "/roles/{name}";
    pub const COMPONENT_ROLE_SUMMARIES: &str = "/components/roles/summaries";

    /// (method, path, contract, what the provider relies on).
    #[rustfmt::skip]
    pub const ENDPOINTS: &[(&str, &str, Contract, &str)] = &[
        ("GET", REALMS, Seen, "{ssoRealms:[{id,name,vcfInstanceId,ssoRealmCoverage}]}"),
        ("POST", CLIENTS, Seen, "createApiClient {clientId,clientName (required),clientDescription} -> 201 client with clientUuid; 409 on a duplicate clientId (UNCONFIRMED)"),
        ("PATCH", CLIENTS, Seen, "updateApiClient {clientUuid,clientId,clientName,clientDescription} -> 204, no body"),
        ("POST", CLIENT_QUERY, Seen, "page (0-based), pageSize; ClientTokenQuery -> {apiClients, pageInfo{totalCount}}"),
        ("GET", CLIENT, Seen, "getApiClient -> client; 404 when gone"),
        ("DELETE", CLIENT, Seen, "deleteApiClient -> 204; revokes the client's tokens"),
        ("GET", PRINCIPAL_ROLES, Seen, "getRoleAssignment 200 {vcfRoleAssignments:[{roleName,roleScope:{scopeType?,resources:[{id}]},expiresAt}]}; a missing scopeType is implied (UNCONFIRMED)"),
        ("PUT", PRINCIPAL_ROLES, Seen, "updateRoleAssignment: replaces the principal's whole set; 200 with no body"),
        ("DELETE", PRINCIPAL_ROLES, Seen, "deleteRoleAssignments: removes every assignment of the principal; 204"),
        ("POST", TOKENS, Seen, "generateApiToken: 201 token with its secret (only here and on regenerate); TTLs int32 minutes"),
        ("GET", SETTINGS, Seen, "getIamSettings: GlobalIamSettings {apiTokenTtl, accessTokenTtl, apiTokenRetentionPeriod, ...} in minutes"),
        ("PATCH", TOKENS, Seen, "updateApiToken {id, tokenName, tokenDescription, accessTokenTtl} -> 204"),
        ("POST", TOKEN_QUERY, Seen, "queryApiTokens: page/pageSize/sortOrder; CLIENT_ID / TOKEN_NAME LIKE; pageSize 50 (the default)"),
        ("POST", TOKEN_REGENERATE, Seen, "reGenerateApiToken: 200 token with a new secret; the id may stay or change"),
        ("GET", TOKEN, Assumed, "getApiToken: token without its secret; 404 when gone (UNCONFIRMED)"),
        ("DELETE", TOKEN, Assumed, "deleteApiToken: 204 = revoked (gone)"),
        ("GET", ROLES, Seen, "getVCFRolesPaginated: page and pageSize required; 200 {vcfRoles:[VcfRole],pageInfo}"),
        ("GET", ROLE, Seen, "getRole: 200 VcfRole; 404 when there is no such role (UNCONFIRMED)"),
        ("POST", ROLES, Seen, "createRole: VcfRole {roleName,roleDisplayName,roleDescription,componentRoles} -> 201 VcfRole; 409 on a duplicate name (UNCONFIRMED)"),
        ("PUT", ROLES, Seen, "updateRoleDefinition: VcfRole with roleName in the body -> 200 VcfRole; built-ins refused (status UNCONFIRMED)"),
        ("DELETE", ROLE, Seen, "deleteRole: 204; built-ins refused, and roles still assigned (status UNCONFIRMED)"),
        ("GET", COMPONENT_ROLE_SUMMARIES, Seen, "getComponentRoleSummaries: componentType filter; 200 {componentRoleSummaries:[{componentType,name,...}]}"),
    ];

    /// The page size of the role list (`getVCFRolesPaginated`'s documented default).
    pub const ROLE_PAGE_SIZE: i64 = 50;
    /// `VcfComponentRole.componentType` values a custom role can use (VCF Operations API 9.1.1
    /// data structure VcfComponentRole; UNKNOWN is the enum's catch-all and not offered).
    pub const COMPONENT_TYPES: [&str; 7] = [
        "VCENTER",
        "NSX_MANAGER",
        "VCF_OPERATIONS",
        "VCF_AUTOMATION",
        "HCX",
        "VCF_ORCHESTRATOR",
        "VCF_SALT_RAAS",
    ];

    /// The page size of the paged queries (the reference's default; no larger page is
    /// documented).
    pub const TOKEN_PAGE_SIZE: i64 = 50;
    pub const CLIENT_PAGE_SIZE: i64 = 50;
    /// SEEN: the query field and operator of seed 001 step 4.
    pub const QUERY_FIELD_CLIENT_ID: &str = "CLIENT_ID";
    pub const QUERY_OPERATOR: &str = "LIKE";
    /// ASSUMED: the token-name field of the query (used with the SEEN `LIKE` operator, which
    /// matches anywhere in the name; callers filter the exact rule themselves).
    pub const QUERY_FIELD_TOKEN_NAME: &str = "TOKEN_NAME";
    /// The exact-match operator of ClientTokenSearchTerm (LIKE, EQUALS, EMPTY, NOT_EMPTY).
    pub const QUERY_OPERATOR_EQUALS: &str = "EQUALS";
    /// ClientTokenFilters.tokenStatus values of tokens that may still work: ACTIVE, and UNKNOWN
    /// (which says nothing; the expiry date decides).
    pub const USABLE_TOKEN_STATUSES: [&str; 2] = ["ACTIVE", "UNKNOWN"];

    /// `template` with each `{…}` segment replaced, in order, by the percent-encoded argument.
    pub fn fill(template: &str, args: &[&str]) -> String {
        let mut out = String::with_capacity(template.len() + 40);
        let mut args = args.iter();
        for seg in template.split('/').skip(1) {
            out.push('/');
            if seg.starts_with('{') {
                out.push_str(&path_segment(args.next().copied().unwrap_or("")));
            } else {
                out.push_str(seg);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// JSON shapes

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RealmJson {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub vcf_instance_id: Option<String>,
    #[serde(default)]
    pub sso_realm_coverage: Vec<CoverageJson>,
    #[serde(default)]
    pub vidb_resource_id: Option<String>,
    #[serde(default)]
    pub idp_id: Option<String>,
    #[serde(default)]
    pub total_configured_components: Option<i64>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CoverageJson {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sso_entity_type: Option<String>,
}

impl RealmJson {
    /// The VCF instances the realm covers: the valid `VCF_INSTANCE` scope resources.
    pub fn vcf_instances(&self) -> impl Iterator<Item = &CoverageJson> {
        self.sso_realm_coverage
            .iter()
            .filter(|c| c.sso_entity_type.as_deref() == Some("VCF_INSTANCE"))
    }
}

/// SsoRealms, the answer of `getSsoRealmList`. `ssoRealms` is optional in the reference, yet
/// an answer without it (`{}` from something in front of the API) is a decode error naming the
/// request, not "no realms" (docs/dev/api-contract.md B2).
#[derive(Deserialize)]
pub struct RealmList {
    #[serde(rename = "ssoRealms")]
    pub sso_realms: Vec<RealmJson>,
}

/// An API client. `clientUuid` is optional in the reference; the provider needs it (it is the
/// client's principal id), so [`ClientJson::checked`] refuses an answer without it.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ClientJson {
    pub client_id: String,
    #[serde(default)]
    pub client_uuid: String,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub client_description: Option<String>,
}

impl ClientJson {
    /// The client, when the answer carries what the provider needs of it.
    pub fn checked(self, what: &str) -> Result<ClientJson, ApiError> {
        if self.client_uuid.is_empty() {
            return Err(ApiError::new(
                crate::client::ErrorKind::Decode,
                "Unexpected response",
                format!(
                    "{what}: the answer describes API client {:?} without its clientUuid, which the provider \
                     needs as the client's principal_id.",
                    self.client_id
                ),
            ));
        }
        Ok(self)
    }
}

/// One page of the API client query (`apiClients` is required in the reference).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientPage {
    pub api_clients: Vec<ClientJson>,
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentsJson {
    /// Required (VcfRoleAssignments): an answer without it (`{}` from something in front of
    /// the API) is a decode error, not "no assignments", which would drop them from state.
    pub vcf_role_assignments: Vec<AssignmentJson>,
}

/// One VCF role assignment. Its identity is (role, scope type, scope resources);
/// `expires_at` is a property of it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentJson {
    pub role_name: String,
    pub role_scope: ScopeJson,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A role scope. `scopeType` is Required in the reference's RoleScope, yet the reference's own
/// `getRoleAssignment` example omits it; a scope read without one gets [`implied_scope_type`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", from = "ScopeWire")]
pub struct ScopeJson {
    pub scope_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceRef>,
}

/// RoleScope as it may arrive: `scopeType` and `resources` both possibly missing or null.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeWire {
    #[serde(default)]
    scope_type: Option<String>,
    #[serde(default)]
    resources: Option<Vec<ResourceRef>>,
}

impl From<ScopeWire> for ScopeJson {
    fn from(w: ScopeWire) -> ScopeJson {
        let resources = w.resources.unwrap_or_default();
        ScopeJson {
            scope_type: w
                .scope_type
                .unwrap_or_else(|| implied_scope_type(&resources).to_string()),
            resources,
        }
    }
}

/// UNCONFIRMED (docs/dev/api-contract.md B6): the scope type of an assignment read without
/// `scopeType`. An SSO_REALM scope takes no resources and a VCF_INSTANCE scope needs at least
/// one, so a scope without resources is read as SSO_REALM and one with resources as
/// VCF_INSTANCE. Such an assignment then compares equal to the configured one it matches.
pub fn implied_scope_type(resources: &[ResourceRef]) -> &'static str {
    if resources.is_empty() {
        "SSO_REALM"
    } else {
        "VCF_INSTANCE"
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub id: String,
}

impl AssignmentJson {
    /// Sorted scope resource ids.
    pub fn resource_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .role_scope
            .resources
            .iter()
            .map(|r| r.id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Same role at the same scope (ignoring expiry and resource order).
    pub fn same_binding(&self, other: &AssignmentJson) -> bool {
        self.role_name == other.role_name
            && self.role_scope.scope_type == other.role_scope.scope_type
            && self.resource_ids() == other.resource_ids()
    }
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct TokenCreate<'a> {
    pub api_client_id: &'a str,
    pub token_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_description: Option<&'a str>,
    pub token_type: &'static str,
    /// Minutes, a JSON integer (ApiToken.apiTokenTtl is int32).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_token_ttl: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_ttl: Option<i64>,
}

fn de_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::new))
}

/// An API token. `token` (the secret) is only in the answers of create and regenerate. Every
/// field is optional in the reference; an empty `id` means the answer had none.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TokenJson {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub api_client_id: Option<String>,
    #[serde(default)]
    pub token_name: Option<String>,
    #[serde(default)]
    pub token_description: Option<String>,
    #[serde(default)]
    pub api_token_ttl: Option<i64>,
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    #[serde(default, deserialize_with = "de_secret")]
    pub token: Option<Secret>,
    #[serde(default)]
    pub token_last_chars: Option<String>,
    #[serde(default)]
    pub creation_date: Option<i64>,
    #[serde(default)]
    pub expiration_date: Option<i64>,
    #[serde(default)]
    pub last_used_date: Option<i64>,
    #[serde(default)]
    pub token_status: Option<String>,
    #[serde(default)]
    pub token_endpoint_url: Option<String>,
    #[serde(default)]
    pub oidc_issuer_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPage {
    #[serde(default)]
    pub page_info: Option<PageInfo>,
    /// Required in the reference (ApiTokens): an answer without it is a decode error, not an
    /// empty list.
    pub api_tokens: Vec<TokenJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    #[serde(default)]
    pub total_count: Option<i64>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// VcfComponentRole: the roles of one VCF component that a VCF role grants.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct ComponentRole {
    pub component_type: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub roles: Vec<String>,
}

/// VcfRole. Only `roleName` is required to read one; `type` and the audit fields are the
/// server's and never sent.
#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RoleJson {
    pub role_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_description: Option<String>,
    /// BUILT_IN, CUSTOM or UNKNOWN.
    #[serde(default, rename = "type", skip_serializing)]
    pub role_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub component_roles: Vec<ComponentRole>,
    #[serde(default, skip_serializing)]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing)]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing)]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing)]
    pub updated_at: Option<i64>,
}

impl RoleJson {
    /// A role of the product, which cannot be changed or deleted.
    pub fn built_in(&self) -> bool {
        self.role_type.as_deref() == Some("BUILT_IN")
    }
}

/// VcfRoles, one page of `getVCFRolesPaginated`. `vcfRoles` is optional in the reference, yet
/// every fleet has built-in roles, so an answer without it (`{}`, or `null`) is a decode error
/// naming the request, never "no roles" (which would make live custom roles look deleted;
/// docs/dev/api-contract.md B5).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleList {
    pub vcf_roles: Vec<RoleJson>,
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

/// ComponentRoleSummaries: the roles a component offers for custom VCF roles.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentRoleSummaries {
    #[serde(default, deserialize_with = "null_as_default")]
    pub component_role_summaries: Vec<ComponentRoleSummary>,
}

/// ComponentRoleSummary; every field is optional in the reference.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ComponentRoleSummary {
    #[serde(default)]
    pub component_type: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Shared state

/// One edit of a principal's assignment set (add, replace or remove this resource's entry).
pub type AssignmentChange = Box<dyn Fn(&mut Vec<AssignmentJson>) + Send + Sync>;
type Outcome = Result<Vec<AssignmentJson>, ApiError>;

struct Job {
    change: AssignmentChange,
    done: tokio::sync::oneshot::Sender<Outcome>,
}

/// Serialises the writes to one principal's assignments inside the process (the API only
/// replaces the whole set). Writers queue their edit, then take `write`; the holder applies every
/// queued edit with one read and one write, so N concurrent resources on one principal cost a
/// few round trips rather than N.
#[derive(Default)]
pub struct PrincipalQueue {
    /// Held for every write to the principal, including authoritative whole-set writes.
    pub write: tokio::sync::Mutex<()>,
    pending: Mutex<Vec<Job>>,
}

/// State the fleet resources share within one provider process.
pub struct FleetState {
    realms: tokio::sync::OnceCell<Vec<RealmJson>>,
    /// The fleet's VCF roles, until a custom role changes in this process.
    roles: SharedReads<Vec<RoleJson>>,
    /// Each component type's role names (component role summaries).
    component_roles: SharedReads<Vec<String>>,
    /// The IAM settings (`GET /settings`), read once per process.
    settings: tokio::sync::OnceCell<settings::SettingsJson>,
    principals: Mutex<HashMap<String, Arc<PrincipalQueue>>>,
    /// Each API client's tokens as one paged query saw them, by `<realm>/<client id>`.
    tokens: SharedReads<Arc<Vec<TokenJson>>>,
    /// Role assignments as refresh read them, by `<realm>/<principal>`.
    assignment_reads: SharedReads<Vec<AssignmentJson>>,
    /// Server clock minus local clock, from the last `Date` header seen.
    server_offset_ms: Mutex<Option<i64>>,
    /// Token refresh without the per-client query: every token is read with its own GET.
    single_token_reads: bool,
    /// Names of custom roles planned in this run: assignments of them planned later
    /// in the same run (Terraform plans dependencies first) are not "unknown roles".
    planned_roles: Mutex<std::collections::HashSet<String>>,
}

impl fmt::Debug for FleetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FleetState")
    }
}

fn local_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl FleetState {
    /// Shared state; `batched_token_reads` false makes every token read its own GET.
    pub fn new(batched_token_reads: bool) -> Self {
        FleetState {
            realms: tokio::sync::OnceCell::new(),
            roles: SharedReads::until_forgotten(),
            component_roles: SharedReads::aged(REFRESH_MAX_AGE),
            settings: tokio::sync::OnceCell::new(),
            principals: Mutex::default(),
            tokens: SharedReads::aged(REFRESH_MAX_AGE),
            assignment_reads: SharedReads::aged(REFRESH_MAX_AGE),
            server_offset_ms: Mutex::default(),
            single_token_reads: !batched_token_reads,
            planned_roles: Mutex::default(),
        }
    }

    /// Remembers the server's clock from an answer's `Date` header.
    pub fn note_server_date(&self, resp: &Response) {
        let Some(t) = resp
            .header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
        else {
            return;
        };
        let Ok(d) = t.duration_since(UNIX_EPOCH) else {
            return;
        };
        let server = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        if let Ok(mut slot) = self.server_offset_ms.lock() {
            *slot = Some(server.saturating_sub(local_now_ms()));
        }
    }

    /// Now, by the server's clock when an answer told it (token expiry is the server's
    /// judgement), else by the local clock.
    pub fn now_ms(&self) -> i64 {
        let offset = self
            .server_offset_ms
            .lock()
            .ok()
            .and_then(|s| *s)
            .unwrap_or(0);
        local_now_ms().saturating_add(offset)
    }

    /// The write queue of one principal's role assignments.
    pub fn principal_queue(&self, realm: &str, principal: &str) -> Arc<PrincipalQueue> {
        let key = format!("{realm}/{principal}");
        let mut m = self.principals.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key).or_default().clone()
    }

    /// Forgets the shared token list of one client (after a create, regenerate or delete).
    pub fn invalidate_tokens(&self, realm: &str, client_id: &str) {
        self.tokens.forget(&format!("{realm}/{client_id}"));
    }

    /// Forgets what refresh read of one principal's assignments (after a write to it).
    pub fn invalidate_assignments(&self, realm: &str, principal: &str) {
        self.assignment_reads
            .forget(&format!("{realm}/{principal}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Access for resources

/// The configured provider's fleet IAM client and shared state.
#[derive(Clone, Copy)]
pub struct Fleet<'a> {
    pub vcf: &'a VcfContext,
    pub api: &'a ApiClient,
}

/// The fleet client, or an error diagnostic (provider not configured, or no `operations` block).
/// The fleet client, or the failure saying why there is none (typed resource code).
pub fn fleet_of(ctx: &Ctx) -> Result<Fleet<'_>, crate::framework::Failure> {
    let vcf = crate::resources::vcf(ctx)?;
    let api = vcf.clients.operations()?;
    Ok(Fleet { vcf, api })
}

pub fn fleet<'a>(ctx: &'a Ctx, diags: &mut Diagnostics) -> Option<Fleet<'a>> {
    let vcf = context(ctx, diags)?;
    match vcf.clients.operations() {
        Ok(api) => Some(Fleet { vcf, api }),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// The fleet client and the realm `value`'s `sso_realm_id` names (or the provider's default
/// realm), or the error diagnostics of whichever is missing.
pub async fn fleet_realm<'a>(
    ctx: &'a Ctx,
    value: &Value,
    diags: &mut Diagnostics,
) -> Option<(Fleet<'a>, &'a RealmJson)> {
    let f = fleet(ctx, diags)?;
    let realm = f
        .realm(value.attr("sso_realm_id"), "sso_realm_id", diags)
        .await?;
    Some((f, realm))
}

/// The role every fleet IAM write needs (named in 403 messages).
pub const WRITE_ROLE: &str =
    "a VCF role with VCF_OPERATIONS/Administrator at SSO_REALM scope (vcf_admin)";

/// Pushes an API error and returns `None`.
pub fn fail<T>(diags: &mut Diagnostics, e: ApiError) -> Option<T> {
    diags.push(e.to_diagnostic());
    None
}

impl<'a> Fleet<'a> {
    pub fn state(&self) -> &'a FleetState {
        &self.vcf.fleet
    }

    /// Every realm (one request per provider process).
    pub async fn realms(&self) -> Result<&'a Vec<RealmJson>, ApiError> {
        let api = self.api;
        let state = self.state();
        state
            .realms
            .get_or_try_init(|| async move {
                let resp = api
                    .call(Call::get(paths::REALMS).what("list SSO realms"))
                    .await?;
                state.note_server_date(&resp);
                resp.json::<RealmList>().map(|r| r.sso_realms)
            })
            .await
    }

    /// The realm `configured` names (a name or id), else the provider's `default_sso_realm`.
    /// Errors point at `path`.
    pub async fn realm(
        &self,
        configured: &Value,
        path: &str,
        diags: &mut Diagnostics,
    ) -> Option<&'a RealmJson> {
        let wanted = match configured.as_str() {
            Some(s) => s.to_string(),
            None => match &self.vcf.default_sso_realm {
                Some(d) => d.clone(),
                None => {
                    diags.attr_error(
                        AttributePath::attr(path),
                        "No SSO realm",
                        format!(
                            "Set {path} (an SSO realm id or name, see data source vcf_sso_realm) or the provider's default_sso_realm."
                        ),
                    );
                    return None;
                }
            },
        };
        let realms = match self.realms().await {
            Ok(r) => r,
            Err(e) => return fail(diags, e),
        };
        let found = realms
            .iter()
            .find(|r| r.id == wanted)
            .or_else(|| realms.iter().find(|r| r.name == wanted));
        if found.is_none() {
            let names: Vec<String> = realms
                .iter()
                .map(|r| format!("{} ({})", r.name, r.id))
                .collect();
            let d = Diagnostic::error(
                "SSO realm not found",
                format!(
                    "No SSO realm has the id or name {wanted:?}. Realms visible to the provider's credentials: {}.",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
            diags.push(if configured.is_null() {
                d
            } else {
                d.at(AttributePath::attr(path))
            });
        }
        found
    }

    /// Every VCF role of the fleet, built-in and custom, read page by page (one listing per
    /// process until a custom role changes).
    pub async fn roles(&self) -> Result<Vec<RoleJson>, ApiError> {
        let api = self.api;
        self.state()
            .roles
            .get("", || async move {
                let mut out = Vec::new();
                let mut page = 0i64;
                loop {
                    let p: RoleList = api
                        .json(
                            Call::get(paths::ROLES)
                                .query("page", page)
                                .query("pageSize", paths::ROLE_PAGE_SIZE)
                                .success(&[200])
                                .what("list VCF roles"),
                        )
                        .await?;
                    let n = p.vcf_roles.len() as i64;
                    let total = p.page_info.and_then(|i| i.total_count);
                    out.extend(p.vcf_roles);
                    page += 1;
                    let seen = page.saturating_mul(paths::ROLE_PAGE_SIZE);
                    if n < paths::ROLE_PAGE_SIZE
                        || total.is_some_and(|t| seen >= t)
                        || page > 10_000
                    {
                        break;
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Page `page` (0-based) of the realm's API clients, narrowed by `search` (ClientTokenQuery
    /// `searchTerms`; `None` for all). Also says whether a further page may follow.
    pub async fn clients_page(
        &self,
        realm: &str,
        search: Option<&serde_json::Value>,
        page: i64,
    ) -> Result<(Vec<ClientJson>, bool), ApiError> {
        let body = match search {
            Some(terms) => serde_json::json!({ "searchTerms": terms }),
            None => serde_json::json!({}),
        };
        let p: ClientPage = self
            .api
            .json(
                Call::post(paths::fill(paths::CLIENT_QUERY, &[realm]))
                    .query("page", page)
                    .query("pageSize", paths::CLIENT_PAGE_SIZE)
                    .json(&body)
                    .idempotent(true)
                    .success(&[200])
                    .what("list API clients"),
            )
            .await?;
        let n = p.api_clients.len() as i64;
        let total = p.page_info.and_then(|i| i.total_count);
        let seen = (page + 1).saturating_mul(paths::CLIENT_PAGE_SIZE);
        let more = n >= paths::CLIENT_PAGE_SIZE && total.is_none_or(|t| seen < t) && page < 10_000;
        let clients = p
            .api_clients
            .into_iter()
            .map(|c| c.checked("list API clients"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((clients, more))
    }

    /// The appliance's IAM settings (one request per provider process).
    pub async fn settings(&self) -> Result<&'a settings::SettingsJson, ApiError> {
        let api = self.api;
        self.state()
            .settings
            .get_or_try_init(|| async move {
                api.json(
                    Call::get(paths::SETTINGS)
                        .success(&[200])
                        .what("read the IAM settings"),
                )
                .await
            })
            .await
    }

    /// Every API client of the realm, page by page.
    pub async fn all_clients(&self, realm: &str) -> Result<Vec<ClientJson>, ApiError> {
        let mut out = Vec::new();
        let mut page = 0;
        loop {
            let (list, more) = self.clients_page(realm, None, page).await?;
            out.extend(list);
            if !more {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// One VCF role by name (`getRole`), `None` when there is none.
    pub async fn role(&self, name: &str) -> Result<Option<RoleJson>, ApiError> {
        self.api
            .json_if_found::<RoleJson>(
                Call::get(paths::fill(paths::ROLE, &[name]))
                    .success(&[200])
                    .what(format!("read VCF role {name:?}")),
            )
            .await
    }

    /// The role names a component offers for custom VCF roles (component role summaries,
    /// one request per component type and process, for a minute).
    pub async fn component_role_names(
        &self,
        component_type: &str,
    ) -> Result<Vec<String>, ApiError> {
        let api = self.api;
        self.state()
            .component_roles
            .get(component_type, || async move {
                let s: ComponentRoleSummaries = api
                    .json(
                        Call::get(paths::COMPONENT_ROLE_SUMMARIES)
                            .query("componentType", component_type)
                            .success(&[200])
                            .what(format!("list the {component_type} component roles")),
                    )
                    .await?;
                Ok(s.component_role_summaries
                    .into_iter()
                    .filter(|c| {
                        c.component_type
                            .as_deref()
                            .is_none_or(|t| t == component_type)
                    })
                    .filter_map(|c| c.name)
                    .collect())
            })
            .await
    }

    /// Records that a custom role `name` is planned to exist after this run.
    pub fn plan_custom_role(&self, name: &str) {
        if let Ok(mut set) = self.state().planned_roles.lock() {
            set.insert(name.to_string());
        }
    }

    /// Whether a custom role `name` was planned in this run.
    pub fn custom_role_planned(&self, name: &str) -> bool {
        self.state()
            .planned_roles
            .lock()
            .is_ok_and(|set| set.contains(name))
    }

    /// Forgets the cached role list (after a custom role changed).
    pub fn invalidate_roles(&self) {
        self.state().roles.forget("");
    }

    /// The principal's role assignments, always fresh (writes read right before they write).
    pub async fn assignments(
        &self,
        realm: &str,
        principal: &str,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        self.api
            .json::<AssignmentsJson>(
                Call::get(paths::fill(paths::PRINCIPAL_ROLES, &[realm, principal]))
                    .success(&[200])
                    .what(format!(
                        "read the role assignments of principal {principal}"
                    )),
            )
            .await
            .map(|a| a.vcf_role_assignments)
    }

    /// Applies `change` to the principal's assignment set: queued behind other writers of this
    /// process, read right before the write, written only when something changed. Returns the
    /// set as the server stored it.
    pub async fn modify_assignments(
        &self,
        realm: &str,
        principal: &str,
        change: AssignmentChange,
    ) -> Outcome {
        let q = self.state().principal_queue(realm, principal);
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        q.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Job { change, done: tx });
        {
            let _held = q.write.lock().await;
            // A previous holder may have applied this edit with its own (holders answer every
            // edit they took before they let go of the lock).
            if let Ok(done) = rx.try_recv() {
                return done;
            }
            self.apply_pending(realm, principal, &q).await;
        }
        rx.await.unwrap_or_else(|_| {
            Err(ApiError::new(
                crate::client::ErrorKind::Transport,
                "Role assignment write abandoned",
                format!("The write of principal {principal}'s role assignments was abandoned; run Terraform again."),
            ))
        })
    }

    /// Applies every queued edit of the principal with one read and (when something changed)
    /// one write. Edits queued while the read is in flight join the same write: they are
    /// applied to the set that read returned, so they too are based on a read made under the
    /// lock.
    async fn apply_pending(&self, realm: &str, principal: &str, q: &PrincipalQueue) {
        let take = || std::mem::take(&mut *q.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let mut jobs = take();
        let current = match self.assignments(realm, principal).await {
            Ok(c) => c,
            Err(e) => {
                for j in jobs {
                    let _ = j.done.send(Err(e.clone()));
                }
                return;
            }
        };
        jobs.extend(take());
        let together = self
            .write_changes(realm, principal, current, jobs.iter().map(|j| &j.change))
            .await;
        match together {
            // The server refused the combined set: one edit may be at fault, so each gets its
            // own read and write and its own answer.
            Err(e) if jobs.len() > 1 && e.status() == Some(400) => {
                for j in jobs {
                    let r = match self.assignments(realm, principal).await {
                        Ok(current) => {
                            self.write_changes(
                                realm,
                                principal,
                                current,
                                std::iter::once(&j.change),
                            )
                            .await
                        }
                        Err(e) => Err(e),
                    };
                    let _ = j.done.send(r);
                }
            }
            r => {
                for j in jobs {
                    let _ = j.done.send(r.clone());
                }
            }
        }
    }

    /// Applies `changes` to `current` (as just read) and writes the result when it differs,
    /// re-reading before and after the write so that no change of another writer is undone
    /// ([`rmw`]).
    async fn write_changes<'c>(
        &self,
        realm: &str,
        principal: &str,
        current: Vec<AssignmentJson>,
        changes: impl Iterator<Item = &'c AssignmentChange>,
    ) -> Outcome {
        let edits: Vec<&AssignmentChange> = changes.collect();
        self.write_optimistic(realm, principal, current, &edits)
            .await
    }

    /// The principal's role assignments for a refresh: one GET per principal serves every
    /// `vcf_role_assignment` of it in the process, until a write to the principal.
    pub async fn cached_assignments(
        &self,
        realm: &str,
        principal: &str,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        self.state()
            .assignment_reads
            .get(&format!("{realm}/{principal}"), || {
                self.assignments(realm, principal)
            })
            .await
    }

    /// Replaces the principal's whole assignment set and returns the set as the server then
    /// reads it. The PUT (`updateRoleAssignment`) answers 200 with no body, so the set is read
    /// again with a GET; an empty set is written with `deleteRoleAssignments` (204), which
    /// removes every assignment of the principal.
    pub async fn put_assignments(
        &self,
        realm: &str,
        principal: &str,
        list: Vec<AssignmentJson>,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        let path = paths::fill(paths::PRINCIPAL_ROLES, &[realm, principal]);
        let call = if list.is_empty() {
            Call::delete(path)
                .success(&[204])
                .what(format!(
                    "remove all role assignments of principal {principal}"
                ))
                .needs_role(WRITE_ROLE)
        } else {
            Call::put(path)
                .success(&[200])
                .json(&AssignmentsJson {
                    vcf_role_assignments: list.clone(),
                })
                .idempotent(true)
                .what(format!(
                    "write the role assignments of principal {principal}"
                ))
                .needs_role(WRITE_ROLE)
        };
        let written = self.api.call(call).await;
        // After the write, so that no read made during it stays cached.
        self.state().invalidate_assignments(realm, principal);
        written?;
        if list.is_empty() {
            return Ok(Vec::new());
        }
        self.assignments(realm, principal).await
    }

    /// Every API_CLIENT token of one client, from one paged query shared by all callers of the
    /// process until a write to that client's tokens (or a minute passes).
    pub async fn client_tokens(
        &self,
        realm: &str,
        client_id: &str,
    ) -> Result<Arc<Vec<TokenJson>>, ApiError> {
        if self.state().single_token_reads {
            // Every lookup misses an empty list and reads its token with its own GET.
            return Ok(Arc::default());
        }
        self.state()
            .tokens
            .get(&format!("{realm}/{client_id}"), || async move {
                self.query_tokens(realm, client_id).await.map(Arc::new)
            })
            .await
    }

    /// Runs the token query for one client, every page, keeping exact client matches (the SEEN
    /// operator is LIKE).
    pub async fn query_tokens(
        &self,
        realm: &str,
        client_id: &str,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let body = serde_json::json!({
            "searchTerms": {
                "allOf": [{
                    "field": paths::QUERY_FIELD_CLIENT_ID,
                    "terms": [client_id],
                    "operator": paths::QUERY_OPERATOR,
                }],
                "anyOf": [],
            },
            "filters": { "tokenType": ["API_CLIENT"] },
        });
        self.token_query_pages(
            realm,
            client_id,
            &body,
            format!("query the API tokens of API client {client_id:?}"),
        )
        .await
    }

    /// The usable tokens named exactly `name` of one client, from one query (paged like
    /// [`Fleet::query_tokens`], but narrowed by the server to the name and to the statuses
    /// ACTIVE and UNKNOWN, so it is one request unless the client has more than a page of
    /// tokens of that name): what a create looks for before it makes another token of the name.
    pub async fn tokens_named(
        &self,
        realm: &str,
        client_id: &str,
        name: &str,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let body = serde_json::json!({
            "searchTerms": {
                "allOf": [
                    {
                        "field": paths::QUERY_FIELD_CLIENT_ID,
                        "terms": [client_id],
                        "operator": paths::QUERY_OPERATOR,
                    },
                    {
                        "field": paths::QUERY_FIELD_TOKEN_NAME,
                        "terms": [name],
                        "operator": paths::QUERY_OPERATOR_EQUALS,
                    },
                ],
                "anyOf": [],
            },
            "filters": {
                "tokenType": ["API_CLIENT"],
                "tokenStatus": paths::USABLE_TOKEN_STATUSES,
            },
        });
        let mut list = self
            .token_query_pages(
                realm,
                client_id,
                &body,
                format!("look up the API tokens named {name:?} of API client {client_id:?}"),
            )
            .await?;
        list.retain(|t| t.token_name.as_deref() == Some(name));
        Ok(list)
    }

    /// Every page of one token query (`body` is its ClientTokenQuery), keeping tokens with an id
    /// of exactly `client_id`.
    async fn token_query_pages(
        &self,
        realm: &str,
        client_id: &str,
        body: &serde_json::Value,
        what: String,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let mut out = Vec::new();
        let mut page = 0i64;
        loop {
            let resp = self
                .api
                .call(
                    Call::post(paths::fill(paths::TOKEN_QUERY, &[realm]))
                        .query("page", page)
                        .query("pageSize", paths::TOKEN_PAGE_SIZE)
                        .query("sortOrder", "ASCENDING")
                        .json(body)
                        .idempotent(true)
                        .what(what.clone()),
                )
                .await?;
            self.state().note_server_date(&resp);
            let p: TokenPage = resp.json()?;
            let n = p.api_tokens.len() as i64;
            let total = p.page_info.and_then(|i| i.total_count);
            out.extend(
                p.api_tokens
                    .into_iter()
                    .filter(|t| !t.id.is_empty() && t.api_client_id.as_deref() == Some(client_id)),
            );
            page += 1;
            let seen = page.saturating_mul(paths::TOKEN_PAGE_SIZE);
            if n < paths::TOKEN_PAGE_SIZE || total.is_some_and(|t| seen >= t) || page > 10_000 {
                break;
            }
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Schema pieces and value helpers

/// At plan time: resolves the realm of a planned create or update and, when the configuration
/// leaves `sso_realm_id` out, fills in the default realm's id so the plan shows it. `None` when
/// the realm is not known yet (it depends on another resource) or cannot be resolved (the
/// diagnostic says why).
pub async fn plan_realm<'a>(
    ctx: &'a Ctx,
    plan: &mut PlanChange<'_>,
    diags: &mut Diagnostics,
) -> Option<(Fleet<'a>, &'a RealmJson)> {
    let planned = plan.planned.attr("sso_realm_id").clone();
    let configured = plan.config.attr("sso_realm_id").clone();
    if configured.is_unknown() {
        return None;
    }
    let f = fleet(ctx, diags)?;
    let lookup = if planned.is_known() {
        planned
    } else {
        configured.clone()
    };
    let realm = f.realm(&lookup, "sso_realm_id", diags).await?;
    if plan.planned.attr("sso_realm_id").is_unknown() && configured.is_null() {
        plan.planned
            .set_attr("sso_realm_id", Value::string(&realm.id));
    }
    Some((f, realm))
}

/// `sso_realm_id` of a resource: optional, defaults to the provider's realm, replaces on change.
pub fn realm_attribute() -> Attribute {
    Attribute::string("sso_realm_id")
        .validator(PathSegment)
        .optional()
        .computed()
        .description(
            "SSO realm, by id or name (see data source `vcf_sso_realm`). Defaults to the provider's \
             `default_sso_realm`. Changing it creates a new object in the other realm.",
        )
        .validator(Length::at_least(1))
        .plan_modifier(RequiresReplace)
        .plan_modifier(UseStateForUnknown)
}

/// `sso_realm_id` of a data source: optional, defaults to the provider's realm.
pub fn realm_lookup_attribute() -> Attribute {
    Attribute::string("sso_realm_id")
        .validator(PathSegment)
        .optional()
        .description("SSO realm, by id or name. Defaults to the provider's `default_sso_realm`.")
        .validator(Length::at_least(1))
}

/// Description of `sso_realm_id` in identities.
pub const REALM_IDENTITY: &str = "SSO realm: its id (as `terraform query` reports it), or its name when \
                                  the configuration names the realm by name.";

/// The realm value to keep in state: what the configuration says, else the resolved id.
pub fn realm_state_value(configured: &Value, realm: &RealmJson) -> Value {
    match configured.as_str() {
        Some(s) => Value::string(s),
        None => Value::string(&realm.id),
    }
}

/// A string attribute of a state, plan or configuration.
pub fn s(v: &Value, name: &str) -> Option<String> {
    v.attr(name).as_str().map(str::to_string)
}

/// RFC 3339 text as milliseconds since the epoch.
pub fn millis_from_rfc3339(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_and_encode_segments() {
        assert_eq!(
            paths::fill(paths::CLIENT, &["r1", "ci bot/x"]),
            "/ssorealms/r1/api-clients/ci%20bot%2Fx"
        );
        assert_eq!(
            paths::fill(paths::TOKEN_REGENERATE, &["r", "t"]),
            "/ssorealms/r/api-tokens/t/regenerate"
        );
        assert_eq!(paths::fill(paths::REALMS, &[]), "/ssorealms");
    }

    #[test]
    fn seed_001_shapes_decode() {
        let t: TokenJson = serde_json::from_str(
            r#"{"id":"27a2","apiClientId":"IamClient","tokenName":"apitoken-test1000","apiTokenTtl":40320,
            "accessTokenTtl":30,"tokenType":"API_CLIENT","token":"vidb_MjdhMj","tokenLastChars":"DQxMQ",
            "creationDate":1779354411000,"expirationDate":1781773611000,"lastUsedDate":1779354411000,
            "tokenStatus":"ACTIVE","tokenEndpointUrl":"https://i/acs/t/CUSTOMER/token"}"#,
        )
        .unwrap();
        assert_eq!(t.token.as_ref().map(Secret::expose), Some("vidb_MjdhMj"));
        assert!(!format!("{t:?}").contains("vidb_"));
        let a: AssignmentsJson = serde_json::from_str(
            r#"{"vcfRoleAssignments":[{"roleName":"sddc_admin","roleScope":{"scopeType":"VCF_INSTANCE",
            "resources":[{"id":"b"},{"id":"a"}]},"expiresAt":null}]}"#,
        )
        .unwrap();
        assert_eq!(a.vcf_role_assignments[0].resource_ids(), vec!["a", "b"]);
        let out = serde_json::to_value(&AssignmentsJson {
            vcf_role_assignments: vec![AssignmentJson {
                role_name: "vcf_viewer".into(),
                role_scope: ScopeJson {
                    scope_type: "SSO_REALM".into(),
                    resources: vec![],
                },
                expires_at: None,
            }],
        })
        .unwrap();
        assert_eq!(
            out,
            serde_json::json!({"vcfRoleAssignments":[{"roleName":"vcf_viewer",
                "roleScope":{"scopeType":"SSO_REALM"},"expiresAt":null}]})
        );
    }

    /// The reference's own getRoleAssignment example omits `scopeType` and adds fields the
    /// provider does not use: the assignment still decodes, with the implied scope type.
    #[test]
    fn assignments_decode_without_scope_type() {
        let a: AssignmentsJson = serde_json::from_str(
            r#"{"vcfRoleAssignments":[
              {"roleName":"VCF_Admin","roleDisplayName":"VCF Administrator","roleScope":{"resources":[]}},
              {"roleName":"sddc_admin","roleScope":{"resources":[{"id":"i1","name":"sfo"}],"ssoName":"EMEA"}},
              {"roleName":"vcf_viewer","roleScope":{"resources":null}},
              {"roleName":"vcf_operator","roleScope":{"scopeType":"SSO_REALM","resources":[]},"expiresAt":1750526688158}]}"#,
        )
        .unwrap();
        let types: Vec<&str> = a
            .vcf_role_assignments
            .iter()
            .map(|x| x.role_scope.scope_type.as_str())
            .collect();
        assert_eq!(
            types,
            ["SSO_REALM", "VCF_INSTANCE", "SSO_REALM", "SSO_REALM"]
        );
        assert_eq!(a.vcf_role_assignments[1].resource_ids(), vec!["i1"]);
        assert_eq!(a.vcf_role_assignments[3].expires_at, Some(1750526688158));
        // An implied scope compares equal to the configured one it matches.
        let configured = AssignmentJson {
            role_name: "VCF_Admin".into(),
            role_scope: ScopeJson {
                scope_type: "SSO_REALM".into(),
                resources: vec![],
            },
            expires_at: None,
        };
        assert!(a.vcf_role_assignments[0].same_binding(&configured));
        // A scope without roleName still fails, naming the field.
        let e = serde_json::from_str::<AssignmentsJson>(
            r#"{"vcfRoleAssignments":[{"roleScope":{"scopeType":"SSO_REALM"}}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("roleName"), "{e}");
        // A set without the required list is not an empty set.
        let e = serde_json::from_str::<AssignmentsJson>("{}").unwrap_err();
        assert!(e.to_string().contains("vcfRoleAssignments"), "{e}");
    }

    /// VcfRole and VcfRoles as the reference's examples show them (getVCFRolesPaginated,
    /// createRole), and the body the provider sends for createRole / updateRoleDefinition.
    #[test]
    fn roles_decode_and_encode_in_the_reference_shape() {
        let l: RoleList = serde_json::from_str(
            r#"{"vcfRoles":[{"roleName":"administrator","roleDisplayName":"Administrator",
              "roleDescription":"VC Administrator Role","type":"CUSTOM",
              "componentRoles":[{"componentType":"VCENTER","roles":["Admin"]}],
              "createdBy":"admin","updatedBy":"admin","createdAt":1724927355,"updatedAt":1725424086},
              {"roleName":"vcf_admin","type":"BUILT_IN","componentRoles":null}],
              "pageInfo":{"totalCount":2,"page":0,"pageSize":50},"links":[]}"#,
        )
        .unwrap();
        assert_eq!(l.vcf_roles.len(), 2);
        assert!(!l.vcf_roles[0].built_in() && l.vcf_roles[1].built_in());
        assert_eq!(l.vcf_roles[0].component_roles[0].roles, vec!["Admin"]);
        assert_eq!(l.page_info.and_then(|p| p.total_count), Some(2));
        // A page without its list is not an empty page.
        for body in [
            "{}",
            r#"{"vcfRoles":null}"#,
            r#"{"pageInfo":{"totalCount":0}}"#,
        ] {
            let e = serde_json::from_str::<RoleList>(body).err().expect(body);
            assert!(
                e.to_string().contains("vcfRoles") || e.to_string().contains("null"),
                "{e}"
            );
        }
        let e = serde_json::from_str::<RealmList>("{}")
            .err()
            .expect("realms");
        assert!(e.to_string().contains("ssoRealms"), "{e}");
        assert!(serde_json::from_str::<RealmList>(r#"{"ssoRealms":[]}"#).is_ok());
        let e = serde_json::from_str::<RoleJson>(r#"{"name":"old","builtIn":false}"#).unwrap_err();
        assert!(e.to_string().contains("roleName"), "{e}");
        let body = serde_json::to_value(RoleJson {
            role_name: "custom-administrator".into(),
            role_display_name: None,
            role_description: Some("d".into()),
            role_type: Some("CUSTOM".into()),
            component_roles: vec![ComponentRole {
                component_type: "NSX_MANAGER".into(),
                roles: vec!["network_engineer".into()],
            }],
            created_by: Some("x".into()),
            updated_by: None,
            created_at: Some(1),
            updated_at: None,
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"roleName":"custom-administrator","roleDescription":"d",
                "componentRoles":[{"componentType":"NSX_MANAGER","roles":["network_engineer"]}]})
        );
        let s: ComponentRoleSummaries = serde_json::from_str(
            r#"{"componentRoleSummaries":[{"componentType":"VCENTER","name":"Admin","type":"BUILT_IN"},{}]}"#,
        )
        .unwrap();
        assert_eq!(s.component_role_summaries[0].name.as_deref(), Some("Admin"));
    }

    /// Every attribute of every fleet type is described; secrets are sensitive.
    #[test]
    fn every_attribute_is_described() {
        use crate::framework::schema::{AttrType, Block};
        use crate::framework::{DataSource, Resource};
        fn walk(block: &Block, owner: &str) {
            assert!(
                !block.description.is_empty() || owner.contains('.'),
                "{owner}"
            );
            for a in &block.attributes {
                assert!(
                    a.description.len() > 5,
                    "{owner}.{} has no description",
                    a.name
                );
                if let AttrType::Nested(_, inner) = &a.ty {
                    walk(
                        &Block {
                            attributes: inner.clone(),
                            ..Default::default()
                        },
                        &format!("{owner}.{}", a.name),
                    );
                }
            }
        }
        let resources: Vec<Box<dyn Resource>> = vec![
            Box::new(api_client::ApiClientResource),
            Box::new(roles::RoleAssignment),
            Box::new(roles::PrincipalRoles),
            Box::new(api_token::ApiToken),
            Box::new(custom_role::CustomRole),
        ];
        for r in &resources {
            walk(&r.schema().block, r.type_name());
        }
        let data: Vec<Box<dyn DataSource>> = vec![
            Box::new(api_client::ApiClientData),
            Box::new(api_token::ApiTokens),
            Box::new(roles::PrincipalRolesData),
            Box::new(roles::RolesData),
        ];
        for d in &data {
            walk(&d.schema().block, d.type_name());
        }
        let token = api_token::ApiToken.schema();
        assert!(
            token
                .block
                .get_attribute("token")
                .is_some_and(|a| a.sensitive)
        );
    }

    /// Every ASSUMED row of contract B is in the table, and every table path is one the
    /// resources use.
    #[test]
    fn endpoint_table_marks_assumed_calls() {
        let assumed: Vec<(&str, &str)> = paths::ENDPOINTS
            .iter()
            .filter(|e| e.2 == paths::Contract::Assumed)
            .map(|e| (e.0, e.1))
            .collect();
        for want in [("GET", paths::TOKEN), ("DELETE", paths::TOKEN)] {
            assert!(assumed.contains(&want), "{want:?}");
        }
        for confirmed in [
            ("PUT", paths::PRINCIPAL_ROLES),
            ("DELETE", paths::PRINCIPAL_ROLES),
            ("GET", paths::ROLES),
            ("GET", paths::ROLE),
            ("POST", paths::ROLES),
            ("PUT", paths::ROLES),
            ("DELETE", paths::ROLE),
            ("GET", paths::COMPONENT_ROLE_SUMMARIES),
        ] {
            assert!(!assumed.contains(&confirmed), "{confirmed:?}");
            assert!(
                paths::ENDPOINTS.iter().any(|e| (e.0, e.1) == confirmed),
                "{confirmed:?}"
            );
        }
    }

    #[test]
    fn rfc3339_round_trip() {
        assert_eq!(millis_from_rfc3339("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(millis_from_rfc3339("1970-01-01T02:00:01+02:00"), Some(1000));
        assert_eq!(millis_from_rfc3339("yesterday"), None);
    }
}
