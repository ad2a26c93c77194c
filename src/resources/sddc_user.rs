//! Resource `vcf_sddc_user` (an SDDC Manager user, group or SERVICE account with one of the
//! roles ADMIN, OPERATOR, VIEWER) and data source `vcf_sddc_roles` — `docs/dev/api-contract.md`
//! § A: `POST /v1/users` (201 PageOfUser), `GET /v1/users` (PageOfUser), `DELETE /v1/users/{id}`
//! (204) and `GET /v1/roles` (PageOfRole). The API cannot change a user, so every configurable
//! attribute forces replacement. A SERVICE account's `apiKey` is in the create answer only: it
//! is kept in state (sensitive) and is null after an import. The reference's User has an
//! optional `id` and a role that is `{"id"}` only: answers are decoded tolerantly, the role name
//! comes from `GET /v1/roles`, and a missing `id` is looked up by name.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ApiError, Call, path_segment};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::validate::{Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, DataSource, Diagnostics, Nesting, Resource, Schema, Type,
    Value,
};
use crate::resources::VcfContext;
use crate::resources::shared::{REFRESH_MAX_AGE, SharedReads};

use super::family_client;
use crate::client::Family;

mod moved;

/// The paths of SDDC Manager user management (`docs/dev/api-contract.md` § A).
mod paths {
    pub const USERS: &str = "/v1/users";
    pub const ROLES: &str = "/v1/roles";
    pub fn user(id: &str) -> String {
        format!("/v1/users/{}", crate::client::path_segment(id))
    }
}

/// User management needs this role (seed 000); named in the 403 diagnostics.
const NEEDS_ADMIN: &str = "the SDDC Manager ADMIN role (user management); the account in \
                           sddc_manager.username has a lower one";

pub const ROLE_NAMES: [&str; 3] = ["ADMIN", "OPERATOR", "VIEWER"];
pub const USER_TYPES: [&str; 3] = ["USER", "GROUP", "SERVICE"];

#[derive(Deserialize)]
struct Elements<T> {
    #[serde(default = "Vec::new")]
    elements: Vec<T>,
}

#[derive(Deserialize, Clone)]
struct Role {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// A user's role: the reference shows `{"id"}` only; a `name` is used when an appliance sends one.
#[derive(Deserialize, Clone, Default)]
struct RoleRef {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// User (`…/vmware-cloud-foundation-api/latest/data-structures/User/`): `name` and `type`
/// required, everything else optional; unknown fields are ignored.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct User {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    domain: Option<String>,
    #[serde(rename = "type")]
    user_type: String,
    #[serde(default)]
    role: RoleRef,
    /// Only in the create answer, only for SERVICE accounts. Never printed.
    #[serde(default, deserialize_with = "super::secret_opt")]
    api_key: Option<crate::framework::Secret>,
    #[serde(default)]
    creation_timestamp: Option<String>,
}

#[derive(Serialize)]
struct NewUser<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    #[serde(rename = "type")]
    user_type: &'a str,
    role: NewRole<'a>,
}

#[derive(Serialize)]
struct NewRole<'a> {
    id: &'a str,
}

impl User {
    fn id(&self) -> Option<&str> {
        self.id.as_deref().filter(|i| !i.is_empty())
    }

    /// The role name: the answer's own, else the one `roles` gives the role id.
    fn role_name(&self, roles: &[Role]) -> Option<String> {
        if let Some(n) = self.role.name.as_deref().filter(|n| !n.is_empty()) {
            return Some(n.to_string());
        }
        let id = self.role.id.as_deref()?;
        roles.iter().find(|r| r.id == id).map(|r| r.name.clone())
    }
}

async fn list_roles(api: &ApiClient) -> Result<Vec<Role>, crate::client::ApiError> {
    let r: Elements<Role> = api
        .json(
            Call::get(paths::ROLES)
                .success(&[200])
                .what("list SDDC Manager roles"),
        )
        .await?;
    Ok(r.elements)
}

async fn list_users(api: &ApiClient) -> Result<Vec<User>, crate::client::ApiError> {
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

/// The one key of [`SddcState::users`]: the provider talks to one SDDC Manager.
const ALL_USERS: &str = "";

/// The users as refresh sees them: the process's shared list (see [`SddcState`]).
async fn shared_users(ctx: &Ctx, api: &ApiClient) -> Result<Arc<Vec<User>>, ApiError> {
    let Some(state) = ctx.data::<VcfContext>() else {
        return list_users(api).await.map(Arc::new);
    };
    state
        .sddc
        .users
        .get(ALL_USERS, || async { list_users(api).await.map(Arc::new) })
        .await
}

/// The roles as refresh sees them: shared like [`shared_users`].
async fn shared_roles(ctx: &Ctx, api: &ApiClient) -> Result<Arc<Vec<Role>>, ApiError> {
    let Some(state) = ctx.data::<VcfContext>() else {
        return list_roles(api).await.map(Arc::new);
    };
    state
        .sddc
        .roles
        .get(ALL_USERS, || async { list_roles(api).await.map(Arc::new) })
        .await
}

fn forget_users(ctx: &Ctx) {
    if let Some(state) = ctx.data::<VcfContext>() {
        state.sddc.users.forget(ALL_USERS);
    }
}

fn replace_on_change(a: Attribute) -> Attribute {
    a.plan_modifier(UseStateForUnknown)
        .plan_modifier(RequiresReplace)
}

/// `vcf_sddc_user`.
pub struct SddcUser;

/// After a refused create: the error that names the user of that name which exists already,
/// with the import that adopts it (`None` when there is none, or the look-up fails).
async fn existing_user(
    api: &ApiClient,
    name: &str,
    domain: Option<&str>,
    refused: &ApiError,
) -> Option<crate::framework::Diagnostic> {
    let users = list_users(api).await.ok()?;
    let u = users.iter().find(|u| {
        u.name.eq_ignore_ascii_case(name)
            && domain.is_none_or(|d| {
                u.domain
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            })
    })?;
    let id = u.id()?;
    let who = match u.domain.as_deref() {
        Some(d) => format!("{}@{d}", u.name),
        None => u.name.clone(),
    };
    let mut facts = vec![format!("id {id}"), format!("type {}", u.user_type)];
    if let Some(t) = &u.creation_timestamp {
        facts.push(format!("created {t}"));
    }
    let key_note = if u.user_type.eq_ignore_ascii_case("SERVICE") {
        " An adopted SERVICE account has no api_key in the state (SDDC Manager shows the key only when it \
         creates the account); change rotation_triggers once afterwards to replace the account and get a key."
    } else {
        ""
    };
    Some(
        crate::framework::Diagnostic::error(
            "SDDC Manager user already exists",
            format!(
                "SDDC Manager refused to create {who:?} (HTTP {status}) because it already has that user ({facts}) — \
                 made outside Terraform, or removed from this state with `terraform state rm`. To manage it with \
                 this resource, add this block to the configuration, with `to` set to this resource's address \
                 (Terraform names it above), and apply again:\n\n\
                 import {{\n  to = vcf_sddc_user.EXAMPLE\n  id = \"{id}\"\n}}\n\n\
                 or run: terraform import 'vcf_sddc_user.EXAMPLE' '{id}'\n\n\
                 The import keeps the user as it is; a configuration that differs from it (type, role, domain) \
                 then plans its replacement.{key_note} To start over instead, delete the user in SDDC Manager \
                 (DELETE /v1/users/{id}) and apply again.\n\nThe answer of SDDC Manager: {answer}",
                answer = refused.detail(),
                status = refused.status().unwrap_or_default(),
                facts = facts.join(", "),
            ),
        )
        .at(AttributePath::attr("name")),
    )
}

/// The state of one user with id `id`; `role_id` is the answer's (or, without one, what the
/// caller knows); `api_key` and `rotation_triggers` come from the caller (the API never shows
/// them again).
fn user_value(
    u: &User,
    id: &str,
    role_name: &str,
    role_id: Value,
    api_key: Value,
    rotation_triggers: Value,
) -> Value {
    let role_id = match u.role.id.as_deref() {
        Some(r) if !r.is_empty() => Value::string(r),
        _ => role_id,
    };
    Value::object([
        ("id", Value::string(id)),
        ("name", Value::string(&u.name)),
        ("domain", Value::opt_string(u.domain.as_deref())),
        ("type", Value::string(&u.user_type)),
        ("role", Value::string(role_name)),
        ("role_id", role_id),
        (
            "creation_timestamp",
            Value::opt_string(u.creation_timestamp.as_deref()),
        ),
        ("api_key", api_key),
        ("rotation_triggers", rotation_triggers),
    ])
}

#[async_trait]
impl Resource for SddcUser {
    fn type_name(&self) -> &'static str {
        "vcf_sddc_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "An SDDC Manager user, group or service account with one role (seed 000: never automate under a \
                 personal login; give each automation a SERVICE account with the least role that works). For a \
                 SERVICE account SDDC Manager returns an API key once, at creation; it is kept in state as the \
                 sensitive `api_key`. SDDC Manager cannot change a user, so changing any argument replaces it (a \
                 new id and, for SERVICE accounts, a new key). Managing users needs the ADMIN role.\n\n\
                 Import with the user id: `terraform import vcf_sddc_user.ci <id>`. An imported SERVICE account has \
                 a null `api_key` (the API never shows it again); to get a key under Terraform, change \
                 `rotation_triggers` once to replace the account.\n\n\
                 Moving from VMware's provider (`vmware/vcf`): a `moved { from = vcf_user.<name>  to = \
                 vcf_sddc_user.<name> }` block (Terraform 1.8+) takes over a `vcf_user` without re-creating it, so \
                 the account keeps its id and API key. `role_name` becomes `role` and `type` is upper-cased; the \
                 `timeouts` block is dropped (each request is bounded by the provider's `request_timeout`); an \
                 empty `api_key` (what VMware's provider stores after a refresh, since the API shows the key only \
                 at creation) becomes null; `role_id` is filled by the refresh that follows the move. Other \
                 resource types and schema versions are refused with a diagnostic. See the guide \
                 \"Adopting existing VCF identities\".",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("The user id SDDC Manager assigned.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(replace_on_change(
                Attribute::string("name")
                    .validator(PathSegment)
                    .required()
                    .description("User, group or service account name, for example `svc-automation`. Changing it replaces the user.")
                    .validator(Length::at_least(1)),
            ))
            .attribute(replace_on_change(
                Attribute::string("domain")
                    .optional()
                    .computed()
                    .description("SSO domain of the user or group, for example `vsphere.local`; SDDC Manager's default when unset. Changing it replaces the user.")
                    .validator(Length::at_least(1)),
            ))
            .attribute(replace_on_change(
                Attribute::string("type")
                    .required()
                    .description("`USER`, `GROUP` or `SERVICE` (an account that authenticates with an API key). Changing it replaces the user.")
                    .validator(OneOf::new(&USER_TYPES)),
            ))
            .attribute(replace_on_change(
                Attribute::string("role")
                    .required()
                    .description("Role by name: `ADMIN` (everything, including credential and user management), `OPERATOR` (writes except credential and user management) or `VIEWER` (reads only). The provider resolves it to the role id. Changing it replaces the user.")
                    .validator(OneOf::new(&ROLE_NAMES)),
            ))
            .attribute(replace_on_change(
                Attribute::new("rotation_triggers", Type::map(Type::String))
                    .optional()
                    .description("Arbitrary values; any change replaces the user, which gives a SERVICE account a new `api_key` (for example `{ rotated = time_rotating.key.id }`).")
            ))
            .attribute(
                Attribute::string("role_id")
                    .computed()
                    .description("Id of `role` in this SDDC Manager.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(
                Attribute::string("creation_timestamp")
                    .computed()
                    .description("When SDDC Manager created the user, as it reports it (ISO 8601).")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(
                Attribute::string("api_key")
                    .computed()
                    .sensitive()
                    .description("The API key of a SERVICE account, shown once by SDDC Manager at creation (exchange it at `POST /v1/tokens` as `{\"apiKey\": …}`). Null for users and groups, and after an import.")
                    .plan_modifier(UseStateForUnknown),
            ),
        )
    }

    /// A plan that creates or changes an account fails at once when the provider has no
    /// sddc_manager block, instead of at apply.
    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut crate::framework::traits::PlanChange<'_>,
        diags: &mut Diagnostics,
    ) {
        if plan.planned.is_null() {
            return;
        }
        // Unknown provider configuration: checked again at apply.
        if let Some(state) = ctx.data::<crate::resources::VcfContext>()
            && let Err(d) = state.clients.sddc_manager()
        {
            diags.push(d);
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(api) = family_client(ctx, Family::SddcManager, diags) else {
            return Value::Null;
        };
        let (Some(name), Some(user_type), Some(role_name)) = (
            planned.attr("name").as_str(),
            planned.attr("type").as_str(),
            planned.attr("role").as_str(),
        ) else {
            diags.error(
                "Incomplete configuration",
                "name, type and role must be known to create an SDDC Manager user.",
            );
            return Value::Null;
        };
        let domain = planned.attr("domain").as_str();
        let roles = match list_roles(api).await {
            Ok(r) => r,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        let Some(role) = roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(role_name))
        else {
            let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            diags.attr_error(
                AttributePath::attr("role"),
                "Unknown SDDC Manager role",
                format!(
                    "SDDC Manager has no role named {role_name:?}; its roles are: {}.",
                    known.join(", ")
                ),
            );
            return Value::Null;
        };
        let who = match domain {
            Some(d) => format!("{name}@{d}"),
            None => name.to_string(),
        };
        let body = [NewUser {
            name,
            domain,
            user_type,
            role: NewRole { id: &role.id },
        }];
        let call = Call::post(paths::USERS)
            .json(&body)
            .success(&[201])
            .what(format!("create SDDC Manager {user_type} {who:?}"))
            .needs_role(NEEDS_ADMIN);
        let lookup = || async {
            let users = list_users(api).await?;
            Ok(users
                .into_iter()
                .find(|u| {
                    u.name.eq_ignore_ascii_case(name)
                        && domain.is_none_or(|d| {
                            u.domain
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(d))
                        })
                })
                .map(|u| Elements { elements: vec![u] }))
        };
        let created = api
            .create_with_lookup::<Elements<User>, _, _>(call, lookup)
            .await;
        forget_users(ctx);
        let created = match created {
            Ok(c) => c,
            Err(e) => {
                // The reference documents a refused create as 400 and no conflict answer: a user
                // that exists already may get either. When one of this name exists, the error
                // says how to adopt it.
                if matches!(e.status(), Some(409) | Some(400))
                    && let Some(d) = existing_user(api, name, domain, &e).await
                {
                    diags.push(d);
                    return Value::Null;
                }
                let mut d = e.to_diagnostic();
                if e.kind() == crate::client::ErrorKind::Conflict {
                    d.detail.push_str(&format!(
                        " A user {who:?} may already exist: find its id with GET /v1/users and import it \
                         (terraform import 'vcf_sddc_user.EXAMPLE' '<id>'), or choose another name."
                    ));
                }
                diags.push(d);
                return Value::Null;
            }
        };
        let recovered = created.is_recovered();
        let Some(user) = created.into_inner().elements.into_iter().next() else {
            diags.error(
                "Unexpected response",
                format!("SDDC Manager answered the creation of {who:?} without the new user."),
            );
            return Value::Null;
        };
        // The reference's User.id is optional: without one in the answer, find it by name.
        let id = match user.id() {
            Some(i) => i.to_string(),
            None => {
                let found = list_users(api).await.map(|users| {
                    users.into_iter().find_map(|u| {
                        let same = u.name.eq_ignore_ascii_case(name)
                            && domain.is_none_or(|d| {
                                u.domain
                                    .as_deref()
                                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
                            });
                        same.then(|| u.id().map(str::to_string)).flatten()
                    })
                });
                match found {
                    Ok(Some(i)) => i,
                    Ok(None) => {
                        diags.error(
                            "Unexpected response",
                            format!(
                                "SDDC Manager created {who:?} but answered without the user's `id`, and GET /v1/users \
                                 does not list an id for it either; the provider needs the id to manage the user. \
                                 Import it by id (terraform import vcf_sddc_user.<name> <id>) once SDDC Manager shows it."
                            ),
                        );
                        return Value::Null;
                    }
                    Err(e) => {
                        diags.push(e.to_diagnostic());
                        return Value::Null;
                    }
                }
            }
        };
        let api_key = match (&user.api_key, user.user_type.as_str()) {
            (Some(k), _) => Value::string(k.expose()),
            (None, "SERVICE") => {
                diags.warning(
                    "API key not received",
                    format!(
                        "The SERVICE account {who:?} was created{}, but its API key, which SDDC Manager shows only once, \
                         did not reach the provider. Change rotation_triggers (or taint the resource) to replace the account \
                         and receive a new key.",
                        if recovered { " (the answer was lost and the account found afterwards)" } else { "" }
                    ),
                );
                Value::Null
            }
            _ => Value::Null,
        };
        user_value(
            &user,
            &id,
            &role.name,
            Value::string(&role.id),
            api_key,
            planned.attr("rotation_triggers").clone(),
        )
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(api) = family_client(ctx, Family::SddcManager, diags) else {
            return Value::Null;
        };
        let Some(id) = state.attr("id").as_str() else {
            return Value::Null;
        };
        let users = match shared_users(ctx, api).await {
            Ok(u) => u,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        let Some(user) = users.iter().find(|u| u.id() == Some(id)).cloned() else {
            diags.warning(
                "SDDC Manager user no longer exists",
                format!(
                    "vcf_sddc_user {:?} (id {id}) was deleted outside Terraform; it is removed from the state and the \
                     next apply creates it again.",
                    state.attr("name").as_str().unwrap_or("")
                ),
            );
            return Value::Null;
        };
        let role_name = match (user.role_name(&[]), user.role.id.as_deref()) {
            (Some(n), _) => n,
            // No role in the answer: keep what the state says.
            (None, None) => state.attr("role").as_str().unwrap_or("").to_string(),
            (None, Some(role_id)) => match shared_roles(ctx, api).await {
                Ok(roles) => user
                    .role_name(&roles)
                    .unwrap_or_else(|| role_id.to_string()),
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return Value::Null;
                }
            },
        };
        user_value(
            &user,
            id,
            &role_name,
            state.attr("role_id").clone(),
            state.attr("api_key").clone(),
            state.attr("rotation_triggers").clone(),
        )
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: &Value,
        planned: &Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Value {
        // Every configurable attribute forces replacement, so nothing changes in place.
        planned.clone()
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some(api) = family_client(ctx, Family::SddcManager, diags) else {
            return;
        };
        let Some(id) = state.attr("id").as_str() else {
            return;
        };
        let name = state.attr("name").as_str().unwrap_or("");
        let call = Call::delete(paths::user(id))
            .success(&[204])
            .what(format!("delete SDDC Manager user {name:?} ({id})"))
            .needs_role(NEEDS_ADMIN);
        let result = api.call(call).await;
        forget_users(ctx);
        match result {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        Some(crate::framework::IdentitySchema::new(
            0,
            vec![crate::framework::IdentityAttribute::required(
                "id",
                "The SDDC Manager user id.",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.attr("id").as_str().map(str::to_string)
    }

    /// `moved` from VMware's `vcf_user` (see `moved.rs`).
    fn move_sources(&self) -> Vec<crate::framework::MoveSource> {
        moved::sources()
    }

    fn move_state(
        &self,
        _source: &crate::framework::MoveSource,
        state: &crate::framework::SourceState,
        diags: &mut Diagnostics,
    ) -> Value {
        moved::from_vcf_user(state, diags)
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        let id = id.trim();
        if id.is_empty() || path_segment(id) != id {
            diags.error(
                "Invalid import ID",
                format!(
                    "vcf_sddc_user is imported by its SDDC Manager user id (a UUID from GET /v1/users), got {id:?}."
                ),
            );
            return Value::Null;
        }
        Value::object([
            ("id", Value::string(id)),
            ("name", Value::Null),
            ("domain", Value::Null),
            ("type", Value::Null),
            ("role", Value::Null),
            ("role_id", Value::Null),
            ("creation_timestamp", Value::Null),
            ("api_key", Value::Null),
            ("rotation_triggers", Value::Null),
        ])
    }
}

/// `vcf_sddc_roles`.
pub struct SddcRoles;

#[async_trait]
impl DataSource for SddcRoles {
    fn type_name(&self) -> &'static str {
        "vcf_sddc_roles"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Lists the roles of SDDC Manager (ADMIN, OPERATOR, VIEWER) with their ids.")
                .attribute(
                    Attribute::nested(
                        "roles",
                        Nesting::List,
                        vec![
                            Attribute::string("id").computed().description("Role id."),
                            Attribute::string("name")
                                .computed()
                                .description("Role name: `ADMIN`, `OPERATOR` or `VIEWER`."),
                            Attribute::string("description")
                                .computed()
                                .description("What the role allows, as SDDC Manager describes it."),
                        ],
                    )
                    .computed()
                    .description("Every role, in the order SDDC Manager returns them."),
                )
                .attribute(
                    Attribute::new("ids", Type::map(Type::String))
                        .computed()
                        .description("Role ids by role name, for example `ids[\"OPERATOR\"]`."),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx, _config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(api) = family_client(ctx, Family::SddcManager, diags) else {
            return Value::Null;
        };
        let roles = match list_roles(api).await {
            Ok(r) => r,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        Value::object([
            (
                "roles",
                Value::List(
                    roles
                        .iter()
                        .map(|r| {
                            Value::object([
                                ("id", Value::string(&r.id)),
                                ("name", Value::string(&r.name)),
                                ("description", Value::opt_string(r.description.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "ids",
                Value::Map(
                    roles
                        .iter()
                        .map(|r| (r.name.clone(), Value::string(&r.id)))
                        .collect(),
                ),
            ),
        ])
    }
}

/// `list "vcf_sddc_user"`: the users, groups and service accounts of SDDC Manager.
pub struct SddcUserList;

#[async_trait]
impl crate::framework::ListResource for SddcUserList {
    fn type_name(&self) -> &'static str {
        "vcf_sddc_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds SDDC Manager users, groups and service accounts.").attribute(
                Attribute::string("type")
                    .optional()
                    .description("Only principals of this type: `USER`, `GROUP` or `SERVICE`.")
                    .validator(OneOf::new(&["USER", "GROUP", "SERVICE"])),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut crate::framework::ListSink) {
        let mut diags = Diagnostics::new();
        let Some(api) = family_client(ctx, Family::SddcManager, &mut diags) else {
            return sink.diagnostics(diags).await;
        };
        let listed = match list_users(api).await {
            Ok(users) => match list_roles(api).await {
                Ok(roles) => Ok((users, roles)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let (users, roles) = match listed {
            Ok(x) => x,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return sink.diagnostics(diags).await;
            }
        };
        let only = config.attr("type").as_str();
        for u in users
            .iter()
            .filter(|u| only.is_none_or(|t| t == u.user_type))
        {
            // A user without an id cannot be imported or managed.
            let Some(id) = u.id() else { continue };
            let role_name = u
                .role_name(&roles)
                .or_else(|| u.role.id.clone())
                .unwrap_or_default();
            let label = format!("{} ({}, {role_name})", u.name, u.user_type);
            let value = user_value(u, id, &role_name, Value::Null, Value::Null, Value::Null);
            if !sink.send(value, label).await {
                return;
            }
        }
    }
}

/// For the fuzz targets (`crate::fuzzing`): SDDC Manager user and role answers decoded and
/// turned into state as the resource does.
#[doc(hidden)]
pub fn fuzz_json(body: &[u8]) {
    if let Ok(u) = serde_json::from_slice::<User>(body) {
        let _ = user_value(&u, "x", "ADMIN", Value::Null, Value::Null, Value::Null);
    }
    if let Ok(l) = serde_json::from_slice::<Elements<User>>(body) {
        for u in &l.elements {
            let _ = user_value(
                u,
                u.id().unwrap_or(""),
                &u.role_name(&[]).unwrap_or_default(),
                Value::Null,
                Value::Null,
                Value::Null,
            );
        }
    }
    let _ = serde_json::from_slice::<Elements<Role>>(body).map(|l| l.elements.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::msgpack;

    #[test]
    fn seed_000_create_answer_maps_to_the_schema_without_printing_the_key() {
        let json = r#"{"elements":[{"id":"6f1c","name":"svc-ci","domain":"vsphere.local","type":"SERVICE",
            "role":{"id":"r2","name":"OPERATOR"},"apiKey":"k3yMaterial","creationTimestamp":"2026-05-14T05:12:51.488Z"}]}"#;
        let r: Elements<User> = serde_json::from_str(json).unwrap();
        let u = &r.elements[0];
        assert_eq!(format!("{:?}", u.api_key), "Some(***)");
        let v = user_value(
            u,
            u.id().unwrap(),
            "OPERATOR",
            Value::Null,
            Value::string(u.api_key.as_ref().unwrap().expose()),
            Value::Null,
        );
        assert_eq!(v.attr("api_key").as_str(), Some("k3yMaterial"));
        assert_eq!(v.attr("role_id").as_str(), Some("r2"));
        msgpack::encode(&v, &SddcUser.schema().value_type()).unwrap();
        let imported = import_state("6f1c");
        msgpack::encode(&imported, &SddcUser.schema().value_type()).unwrap();
    }

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
        // No id and no role: still decodes; the id is then looked up, the role kept from state.
        let bare: User = serde_json::from_str(r#"{"name":"g","type":"GROUP"}"#).unwrap();
        assert_eq!(bare.id(), None);
        let v = user_value(
            &bare,
            "9",
            "VIEWER",
            Value::string("r3"),
            Value::Null,
            Value::Null,
        );
        assert_eq!(v.attr("role_id").as_str(), Some("r3"));
        assert_eq!(v.attr("id").as_str(), Some("9"));
        // What the provider truly needs is named when missing.
        let e = serde_json::from_str::<User>(r#"{"type":"USER"}"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("name"), "{e}");
    }

    fn import_state(id: &str) -> Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut d = Diagnostics::new();
        let v = rt.block_on(SddcUser.import(&Ctx::default(), id, &mut d));
        assert!(!d.has_errors());
        v
    }

    #[test]
    fn import_rejects_ids_that_are_not_path_safe() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut d = Diagnostics::new();
        rt.block_on(SddcUser.import(&Ctx::default(), "a/b", &mut d));
        assert!(d.has_errors());
    }
}
