//! SDDC Manager user management (`docs/dev/api-contract.md` § A): the paths, the wire (JSON)
//! types, the calls the SDDC types share and what they share within one provider process
//! ([`SddcState`]).
//!
//! The reference's User has an optional `id` and a role that is `{"id"}` only: answers are
//! decoded tolerantly, the role name comes from `GET /v1/roles`, and a missing `id` is looked up
//! by name.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ApiError, Call};
use crate::framework::{Ctx, Failure, Secret};
use crate::resources::shared::{REFRESH_MAX_AGE, SharedReads};
use crate::resources::{VcfContext, vcf};

/// The paths of SDDC Manager user management (`docs/dev/api-contract.md` § A).
pub mod paths {
    pub const USERS: &str = "/v1/users";
    pub const ROLES: &str = "/v1/roles";
    pub fn user(id: &str) -> String {
        format!("/v1/users/{}", crate::client::path_segment(id))
    }
}

/// User management needs this role (seed 000); named in the 403 diagnostics.
pub const NEEDS_ADMIN: &str = "the SDDC Manager ADMIN role (user management); the account in \
                               sddc_manager.username has a lower one";

pub const ROLE_NAMES: [&str; 3] = ["ADMIN", "OPERATOR", "VIEWER"];
pub const USER_TYPES: [&str; 3] = ["USER", "GROUP", "SERVICE"];

/// A page of the API (PageOfUser, PageOfRole): the elements; `pageMetadata` is ignored.
#[derive(Deserialize)]
pub struct Elements<T> {
    #[serde(default = "Vec::new")]
    pub elements: Vec<T>,
}

#[derive(Deserialize, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A user's role: the reference shows `{"id"}` only; a `name` is used when an appliance sends one.
#[derive(Deserialize, Clone, Default)]
pub struct RoleRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// User (`…/vmware-cloud-foundation-api/latest/data-structures/User/`): `name` and `type`
/// required, everything else optional; unknown fields are ignored.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(rename = "type")]
    pub user_type: String,
    #[serde(default)]
    pub role: RoleRef,
    /// Only in the create answer, only for SERVICE accounts. Never printed.
    #[serde(default, deserialize_with = "crate::resources::secret_opt")]
    pub api_key: Option<Secret>,
    #[serde(default)]
    pub creation_timestamp: Option<String>,
}

/// The body of `POST /v1/users` is an array of these.
#[derive(Serialize)]
pub struct NewUser<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
    #[serde(rename = "type")]
    pub user_type: &'a str,
    pub role: NewRole<'a>,
}

#[derive(Serialize)]
pub struct NewRole<'a> {
    pub id: &'a str,
}

impl User {
    /// The id, when the answer has a non-empty one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref().filter(|i| !i.is_empty())
    }

    /// The role id, when the answer has a non-empty one.
    pub fn role_id(&self) -> Option<&str> {
        self.role.id.as_deref().filter(|r| !r.is_empty())
    }

    /// The role name: the answer's own, else the one `roles` gives the role id.
    pub fn role_name(&self, roles: &[Role]) -> Option<String> {
        if let Some(n) = self.role.name.as_deref().filter(|n| !n.is_empty()) {
            return Some(n.to_string());
        }
        let id = self.role.id.as_deref()?;
        roles.iter().find(|r| r.id == id).map(|r| r.name.clone())
    }

    /// Whether this is the user `name` (in `domain`, when one is given), compared as SDDC
    /// Manager compares names: without regard to case.
    pub fn is_named(&self, name: &str, domain: Option<&str>) -> bool {
        self.name.eq_ignore_ascii_case(name)
            && domain.is_none_or(|d| {
                self.domain
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            })
    }

    /// `name@domain`, or the name alone.
    pub fn who(name: &str, domain: Option<&str>) -> String {
        match domain {
            Some(d) => format!("{name}@{d}"),
            None => name.to_string(),
        }
    }
}

/// `GET /v1/roles`.
pub async fn list_roles(api: &ApiClient) -> Result<Vec<Role>, ApiError> {
    let r: Elements<Role> = api
        .json(
            Call::get(paths::ROLES)
                .success(&[200])
                .what("list SDDC Manager roles"),
        )
        .await?;
    Ok(r.elements)
}

/// `GET /v1/users`.
pub async fn list_users(api: &ApiClient) -> Result<Vec<User>, ApiError> {
    let r: Elements<User> = api
        .json(
            Call::get(paths::USERS)
                .success(&[200])
                .what("list SDDC Manager users")
                .needs_role(NEEDS_ADMIN),
        )
        .await?;
    Ok(r.elements)
}

/// The id of the user `name` (in `domain`, when one is given), looked up in `GET /v1/users`:
/// for a create whose answer had none (the reference's User.id is optional).
pub async fn find_user_id(
    api: &ApiClient,
    name: &str,
    domain: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let users = list_users(api).await?;
    Ok(users
        .iter()
        .filter(|u| u.is_named(name, domain))
        .find_map(|u| u.id().map(str::to_string)))
}

/// The configured provider context and its SDDC Manager client, or the failure saying why not
/// (provider not configured, or no `sddc_manager` block).
pub fn sddc_manager(ctx: &Ctx) -> Result<(&VcfContext, &ApiClient), Failure> {
    let vcf = vcf(ctx)?;
    Ok((vcf, vcf.clients.sddc_manager()?))
}

/// What `vcf_sddc_user` shares within one provider process: the user list that refresh reads.
/// The API has no read of one user, so without it every user's refresh lists all users; with it
/// the reads of one plan share one list, fetched by the first of them (the others wait for it).
/// A create or delete in this process forgets it; so does a minute's age.
#[derive(Debug)]
pub struct SddcState {
    users: SharedReads<Arc<Vec<User>>>,
    /// The roles, for naming the role of users whose answer carries only its id.
    roles: SharedReads<Arc<Vec<Role>>>,
}

impl Default for SddcState {
    fn default() -> Self {
        SddcState {
            users: SharedReads::aged(REFRESH_MAX_AGE),
            roles: SharedReads::aged(REFRESH_MAX_AGE),
        }
    }
}

/// The one key of the shared reads: the provider talks to one SDDC Manager.
const ALL_USERS: &str = "";

impl SddcState {
    /// The users as refresh sees them: the process's shared list.
    pub async fn users(&self, api: &ApiClient) -> Result<Arc<Vec<User>>, ApiError> {
        self.users
            .get(ALL_USERS, || async { list_users(api).await.map(Arc::new) })
            .await
    }

    /// The roles as refresh sees them: shared like [`users`](Self::users).
    pub async fn roles(&self, api: &ApiClient) -> Result<Arc<Vec<Role>>, ApiError> {
        self.roles
            .get(ALL_USERS, || async { list_roles(api).await.map(Arc::new) })
            .await
    }

    /// After a create or delete: the next refresh lists the users again.
    pub fn forget_users(&self) {
        self.users.forget(ALL_USERS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_user_shapes_decode() {
        // The reference's example: the role is `{"id"}` only, pageMetadata beside elements.
        let json = r#"{"elements":[{"id":"6f1c","name":"svc-ci","domain":"vsphere.local","type":"SERVICE",
            "role":{"id":"r2"},"creationTimestamp":"2026-05-14T05:12:51.488Z","extra":{"x":1}}],
            "pageMetadata":{"pageNumber":0,"pageSize":1,"totalElements":1,"totalPages":1}}"#;
        let r: Elements<User> = serde_json::from_str(json).unwrap();
        let u = &r.elements[0];
        let roles = vec![Role {
            id: "r2".into(),
            name: "OPERATOR".into(),
            description: None,
        }];
        assert_eq!(u.role_name(&roles).as_deref(), Some("OPERATOR"));
        assert_eq!(u.role_name(&[]), None);
        assert!(u.is_named("SVC-CI", Some("vSphere.local")));
        assert!(u.is_named("svc-ci", None));
        assert!(!u.is_named("svc-ci", Some("other.local")));
        // No id and no role: still decodes; the id is then looked up, the role kept from state.
        let bare: User = serde_json::from_str(r#"{"name":"g","type":"GROUP"}"#).unwrap();
        assert_eq!(bare.id(), None);
        assert_eq!(bare.role_id(), None);
        // What the provider truly needs is named when missing.
        let e = serde_json::from_str::<User>(r#"{"type":"USER"}"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("name"), "{e}");
    }
}
