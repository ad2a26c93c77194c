//! Contract B as the fleet resources use it: every path with its SEEN/ASSUMED mark in one
//! table ([`paths`]), and the JSON shapes of the answers and requests.

use serde::{Deserialize, Deserializer, Serialize};

use crate::client::ApiError;
use crate::framework::Secret;

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

/// GlobalIamSettings. The TTLs are minutes; every field is optional here so that an appliance
/// that adds or drops one still decodes.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct SettingsJson {
    #[serde(default)]
    pub api_token_ttl: Option<i64>,
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    #[serde(default)]
    pub api_token_retention_period: Option<i64>,
    #[serde(default)]
    pub all_users_group_enabled: Option<bool>,
    #[serde(default)]
    pub jit_inactive_user_enabled: Option<bool>,
    #[serde(default)]
    pub jit_inactive_user_ttl: Option<i64>,
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
