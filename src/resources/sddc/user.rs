//! Resource `vcf_sddc_user`: an SDDC Manager user, group or SERVICE account with one of the
//! roles ADMIN, OPERATOR, VIEWER — `docs/dev/api-contract.md` § A: `POST /v1/users` (201
//! PageOfUser), `GET /v1/users` (PageOfUser) and `DELETE /v1/users/{id}` (204); the calls and
//! wire types are in [`api`](super::api). The API cannot change a user, so every configurable
//! attribute forces replacement. A SERVICE account's `apiKey` is in the create answer only: it
//! is kept in state (sensitive) and is null after an import.

use async_trait::async_trait;

use crate::client::{Call, path_segment};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema, Model,
    MoveSource, Plan, Read, Schema, Secret, SourceState, Type, TypedResource, Val, Value,
};
use crate::resources::VcfContext;

use super::api::{
    Elements, NEEDS_ADMIN, NewRole, NewUser, ROLE_NAMES, USER_TYPES, User, find_user_id,
    list_roles, list_users, paths, sddc_manager,
};
use super::{user_exists, user_moved};

/// `vcf_sddc_user`.
pub struct SddcUser;

fn replace_on_change(a: Attribute) -> Attribute {
    a.plan_modifier(UseStateForUnknown)
        .plan_modifier(RequiresReplace)
}

/// The schema of `vcf_sddc_user`.
fn user_schema() -> Schema {
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

crate::model! {
    /// `vcf_sddc_user`.
    pub struct SddcUserModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub domain: Val<String>,
        pub r#type: Val<String>,
        pub role: Val<String>,
        pub rotation_triggers: crate::resources::rotating::Triggers,
        pub role_id: Val<String>,
        pub creation_timestamp: Val<String>,
        pub api_key: Val<Secret>,
    }
}

crate::model! {
    /// The identity of a `vcf_sddc_user`.
    pub struct SddcUserIdentity {
        pub id: Val<String>,
    }
}

impl SddcUserModel {
    /// The state of user `u` with id `id` and role `role_name`, as the API shows it: the role
    /// id is the answer's (null without one); `api_key` and `rotation_triggers`, which the API
    /// never shows, are null (see [`with_known`](Self::with_known)).
    pub fn from_user(u: &User, id: &str, role_name: &str) -> Self {
        SddcUserModel {
            id: id.into(),
            name: u.name.as_str().into(),
            domain: u.domain.clone().into(),
            r#type: u.user_type.as_str().into(),
            role: role_name.into(),
            rotation_triggers: Val::Null,
            role_id: u.role_id().map(str::to_string).into(),
            creation_timestamp: u.creation_timestamp.clone().into(),
            api_key: Val::Null,
        }
    }

    /// Adds what the provider knows and the answer does not show: `role_id` when the answer has
    /// none, the API key and the rotation triggers.
    pub fn with_known(
        mut self,
        role_id: Val<String>,
        api_key: Val<Secret>,
        rotation_triggers: crate::resources::rotating::Triggers,
    ) -> Self {
        if self.role_id.is_null() {
            self.role_id = role_id;
        }
        self.api_key = api_key;
        self.rotation_triggers = rotation_triggers;
        self
    }
}

#[async_trait]
impl TypedResource for SddcUser {
    type Model = SddcUserModel;

    fn type_name(&self) -> &'static str {
        "vcf_sddc_user"
    }

    fn schema(&self) -> Schema {
        user_schema()
    }

    /// A plan that creates or changes an account fails at once when the provider has no
    /// sddc_manager block, instead of at apply.
    async fn modify_plan(
        &self,
        ctx: &Ctx,
        _plan: &mut Plan<'_, SddcUserModel>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        // Unknown provider configuration: checked again at apply.
        if let Some(vcf) = ctx.data::<VcfContext>() {
            vcf.clients.sddc_manager()?;
        }
        Ok(())
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: SddcUserModel,
        _config: SddcUserModel,
        diags: &mut Diagnostics,
    ) -> Result<SddcUserModel> {
        let (vcf, api) = sddc_manager(ctx)?;
        let (Some(name), Some(user_type), Some(role_name)) = (
            plan.name.as_deref(),
            plan.r#type.as_deref(),
            plan.role.as_deref(),
        ) else {
            return Err(Failure::error(
                "Incomplete configuration",
                "name, type and role must be known to create an SDDC Manager user.",
            ));
        };
        let domain = plan.domain.as_deref();
        let roles = list_roles(api).await?;
        let Some(role) = roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(role_name))
        else {
            let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            return Err(Failure::at(
                crate::attr_path!(SddcUserModel, role),
                "Unknown SDDC Manager role",
                format!(
                    "SDDC Manager has no role named {role_name:?}; its roles are: {}.",
                    known.join(", ")
                ),
            ));
        };
        let who = User::who(name, domain);
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
                .find(|u| u.is_named(name, domain))
                .map(|u| Elements { elements: vec![u] }))
        };
        let created = api
            .create_with_lookup::<Elements<User>, _, _>(call, lookup)
            .await;
        vcf.sddc.forget_users();
        let created = match created {
            Ok(c) => c,
            Err(e) => return Err(user_exists::refused_create(api, name, domain, e).await),
        };
        let recovered = created.is_recovered();
        let Some(user) = created.into_inner().elements.into_iter().next() else {
            return Err(Failure::error(
                "Unexpected response",
                format!("SDDC Manager answered the creation of {who:?} without the new user."),
            ));
        };
        let id = match user.id() {
            Some(i) => i.to_string(),
            None => find_user_id(api, name, domain).await?.ok_or_else(|| {
                Failure::error(
                    "Unexpected response",
                    format!(
                        "SDDC Manager created {who:?} but answered without the user's `id`, and GET /v1/users \
                         does not list an id for it either; the provider needs the id to manage the user. \
                         Import it by id (terraform import vcf_sddc_user.<name> <id>) once SDDC Manager shows it."
                    ),
                )
            })?,
        };
        let api_key = match (&user.api_key, user.user_type.as_str()) {
            (Some(k), _) => Val::Known(k.clone()),
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
                Val::Null
            }
            _ => Val::Null,
        };
        Ok(SddcUserModel::from_user(&user, &id, &role.name).with_known(
            role.id.as_str().into(),
            api_key,
            plan.rotation_triggers,
        ))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: SddcUserModel,
        _diags: &mut Diagnostics,
    ) -> Result<Read<SddcUserModel>> {
        let (vcf, api) = sddc_manager(ctx)?;
        let name = state.name.as_deref().unwrap_or("");
        let Some(id) = state.id.as_deref() else {
            // Never written so (create, import and move all set the id): nothing to refresh.
            return Ok(Read::gone(
                "SDDC Manager user no longer exists",
                format!(
                    "vcf_sddc_user {name:?} has no id in the state; it is removed from the state and the next \
                     apply creates it again."
                ),
            ));
        };
        let users = vcf.sddc.users(api).await?;
        let Some(user) = users.iter().find(|u| u.id() == Some(id)) else {
            return Ok(Read::gone(
                "SDDC Manager user no longer exists",
                format!(
                    "vcf_sddc_user {name:?} (id {id}) was deleted outside Terraform; it is removed from the state and the \
                     next apply creates it again."
                ),
            ));
        };
        let role_name = match (user.role_name(&[]), user.role.id.as_deref()) {
            (Some(n), _) => n,
            // No role in the answer: keep what the state says.
            (None, None) => state.role.as_deref().unwrap_or("").to_string(),
            (None, Some(role_id)) => {
                let roles = vcf.sddc.roles(api).await?;
                user.role_name(&roles)
                    .unwrap_or_else(|| role_id.to_string())
            }
        };
        Ok(Read::Found(
            SddcUserModel::from_user(user, id, &role_name).with_known(
                state.role_id,
                state.api_key,
                state.rotation_triggers,
            ),
        ))
    }

    // No update: every configurable attribute forces replacement, so nothing changes in place.

    async fn delete(
        &self,
        ctx: &Ctx,
        state: SddcUserModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        let (vcf, api) = sddc_manager(ctx)?;
        let Some(id) = state.id.as_deref() else {
            return Ok(());
        };
        let name = state.name.as_deref().unwrap_or("");
        let call = Call::delete(paths::user(id))
            .success(&[204])
            .what(format!("delete SDDC Manager user {name:?} ({id})"))
            .needs_role(NEEDS_ADMIN);
        let result = api.call(call).await;
        vcf.sddc.forget_users();
        match result {
            Err(e) if !e.is_not_found() => Err(e.into()),
            _ => Ok(()),
        }
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<SddcUserModel> {
        let id = id.trim();
        if id.is_empty() || path_segment(id) != id {
            return Err(Failure::error(
                "Invalid import ID",
                format!(
                    "vcf_sddc_user is imported by its SDDC Manager user id (a UUID from GET /v1/users), got {id:?}."
                ),
            ));
        }
        Ok(SddcUserModel {
            id: id.into(),
            ..Default::default()
        })
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![IdentityAttribute::required(
                "id",
                "The SDDC Manager user id.",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        SddcUserIdentity::decode(identity).ok()?.id.into_option()
    }

    /// `moved` from VMware's `vcf_user` (see [`user_moved`]).
    fn move_sources(&self) -> Vec<MoveSource> {
        user_moved::sources()
    }

    fn move_state(&self, _source: &MoveSource, state: &SourceState) -> Result<SddcUserModel> {
        user_moved::from_vcf_user(state)
    }
}

/// For the fuzz targets (`crate::fuzzing`): SDDC Manager user and role answers decoded and
/// turned into state as the resource does.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_json(body: &[u8]) {
    use crate::framework::model::ToValue;
    if let Ok(u) = serde_json::from_slice::<User>(body) {
        let _ = SddcUserModel::from_user(&u, "x", "ADMIN").to_value();
    }
    if let Ok(l) = serde_json::from_slice::<Elements<User>>(body) {
        for u in &l.elements {
            let role_name = u.role_name(&[]).unwrap_or_default();
            let _ = SddcUserModel::from_user(u, u.id().unwrap_or(""), &role_name).to_value();
        }
    }
    let _ = serde_json::from_slice::<Elements<super::api::Role>>(body).map(|l| l.elements.len());
}

#[cfg(test)]
mod tests;
