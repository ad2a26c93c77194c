//! Resource `vcf_custom_role`: a custom VCF role, made of the roles of VCF components (vCenter,
//! NSX Manager, VCF Operations, …). VCF roles are fleet-wide (VCF Operations API `createRole`,
//! `getRole`, `updateRoleDefinition`, `deleteRole` under `/roles`), not kept per SSO realm.
//! Built-in roles are the product's and are refused. Its state, plan-time checks and state
//! upgrade are in [`super::custom_role_state`]; the list resource is in
//! [`super::custom_role_list`].

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::json;
use crate::framework::model::Model;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::typed::Result;
use crate::framework::validate::{Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema, Nesting, Plan,
    Read, Schema, SetOf, Type, TypedResource, Val, Value,
};

use super::custom_role_state::{builtin_role, check_component_roles, upgrade_v0};
pub use super::roles_data::role_value;
use super::{RoleJson, WRITE_ROLE, fleet_of, paths};

fn schema() -> Schema {
    let component = vec![
        Attribute::string("component_type")
            .required()
            .description(
                "The VCF component: `VCENTER`, `NSX_MANAGER`, `VCF_OPERATIONS`, `VCF_AUTOMATION`, `HCX`, \
                 `VCF_ORCHESTRATOR` or `VCF_SALT_RAAS`. Each component appears once.",
            )
            .validator(OneOf::new(&paths::COMPONENT_TYPES)),
        Attribute::new("roles", Type::set(Type::String))
            .required()
            .description(
                "Roles of that component the VCF role grants (at least one), for example `[\"Admin\"]` for \
                 vCenter. Checked at plan time against the roles the component offers.",
            ),
    ];
    Schema::new(
        1,
        Block::new(
            "A custom VCF role: a fleet-wide role made of the roles of VCF components (vCenter, NSX Manager, \
             VCF Operations, VCF Automation, HCX, VCF Orchestrator, Salt), which principals assigned to it \
             carry. VCF roles belong to the whole fleet, not to an SSO realm; assign one in any realm with \
             `vcf_role_assignment`. Built-in roles (`vcf_admin`, `vcf_viewer`, `sddc_admin`, …) cannot be \
             managed.\n\n\
             When the provider is configured, the component roles are checked at plan time against the \
             roles each component offers (VCF Operations lists them per component).\n\n\
             Import ID: the role's `name`.\n\n\
             **Changed** (schema version 1, from builds that used per-realm role paths): `sso_realm_id` is \
             gone (roles are fleet-wide), each `component_roles` entry is `{ component_type, roles = [...] }` \
             with every role of one component in one entry (it was one `{ component, role_name }` per role), \
             `NSX` is `NSX_MANAGER`, and the import ID is the name alone. To migrate, rewrite the \
             configuration in the new shape; state written by those builds is upgraded automatically \
             (the next plan shows no change when the role on the appliance matches).",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .description("The role's name, also the import ID.")
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::string("name")
                .validator(PathSegment)
                .required()
                .description(
                    "Role name, unique in the fleet and used as `role_name` in assignments. Changing it \
                     replaces the role.",
                )
                .validator(Length::between(1, 128))
                .plan_modifier(RequiresReplace),
        )
        .attribute(
            Attribute::string("display_name")
                .optional()
                .computed()
                .description(
                    "Display name. Defaults to what the server makes of it (the name). Updated in place.",
                )
                .plan_modifier(UseStateForUnknown),
        )
        .attribute(
            Attribute::string("description")
                .optional()
                .description("Description. Updated in place."),
        )
        .attribute(
            Attribute::nested("component_roles", Nesting::List, component)
                .required()
                .description(
                    "The component roles the role grants: one entry per component (at least one). \
                     Updated in place.",
                ),
        ),
    )
}

crate::model! {
    /// One `component_roles` entry: the roles the custom role grants on one component. A
    /// configuration may leave a role unknown until apply, hence the `Val` elements.
    pub struct ComponentRoleModel {
        pub component_type: Val<String>,
        pub roles: Val<SetOf<Val<String>>>,
    }
}

crate::model! {
    /// `vcf_custom_role`. An entry of `component_roles` may be wholly unknown in a plan.
    pub struct CustomRoleModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub display_name: Val<String>,
        pub description: Val<String>,
        pub component_roles: Val<Vec<Val<ComponentRoleModel>>>,
    }
}

crate::model! {
    /// The resource identity of `vcf_custom_role`.
    struct IdentityModel {
        name: Val<String>,
    }
}

/// `vcf_custom_role`.
pub struct CustomRole;

/// Creates (`create`) or updates the role as `plan` says; its state as the server answers.
async fn write(ctx: &Ctx, plan: &CustomRoleModel, create: bool) -> Result<CustomRoleModel> {
    let f = fleet_of(ctx)?;
    let name = plan.known_name()?;
    if create && f.role(name).await?.is_some_and(|r| r.built_in()) {
        return Err(builtin_role(name));
    }
    let body = RoleJson {
        role_name: name.to_string(),
        role_display_name: plan.display_name.get().cloned(),
        role_description: plan.description.get().cloned(),
        role_type: None,
        component_roles: plan.components(),
        created_by: None,
        updated_by: None,
        created_at: None,
        updated_at: None,
    };
    let written = if create {
        let call = Call::post(paths::ROLES)
            .success(&[201])
            .json(&body)
            .what(format!("create VCF custom role {name:?}"))
            .needs_role(WRITE_ROLE)
            .import_hint("vcf_custom_role", name);
        f.api
            .create_with_lookup(call, || async move {
                f.invalidate_roles();
                f.role(name).await
            })
            .await
            .map(|c| c.into_inner())
    } else {
        f.api
            .json::<RoleJson>(
                Call::put(paths::ROLES)
                    .success(&[200])
                    .json(&body)
                    .idempotent(true)
                    .what(format!("update VCF custom role {name:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await
    };
    f.invalidate_roles();
    Ok(CustomRoleModel::of(&written?, plan))
}

#[async_trait]
impl TypedResource for CustomRole {
    type Model = CustomRoleModel;

    fn type_name(&self) -> &'static str {
        "vcf_custom_role"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &CustomRoleModel, diags: &mut Diagnostics) {
        let Some(items) = config.component_roles.get() else {
            return;
        };
        if items.is_empty() {
            diags.attr_error(
                crate::attr_path!(CustomRoleModel, component_roles),
                "No component roles",
                "A custom role needs at least one component role.",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(item) = item.get() else {
                continue;
            };
            let at = crate::attr_path!(CustomRoleModel, component_roles).join_index(i as i64);
            if let Some(t) = item.component_type.as_deref() {
                if seen.contains(&t) {
                    diags.attr_error(
                        crate::attr_path!(at at, ComponentRoleModel, component_type),
                        "Component listed twice",
                        format!(
                            "{t} appears in more than one component_roles entry; list all of its roles in one \
                             entry's roles."
                        ),
                    );
                }
                seen.push(t);
            }
            if item.roles.get().is_some_and(|r| r.0.is_empty()) {
                diags.attr_error(
                    crate::attr_path!(at at, ComponentRoleModel, roles),
                    "No roles for the component",
                    "Each component_roles entry needs at least one role of its component.",
                );
            }
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        plan: &mut Plan<'_, CustomRoleModel>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        // Providers without fleet credentials are not checked here.
        let Ok(f) = fleet_of(ctx) else {
            return Ok(());
        };
        if let Some(name) = plan.planned.name.as_deref() {
            // Assignments of this role planned later in the run must not call it unknown.
            f.plan_custom_role(name);
        }
        let prior = plan.prior.as_ref().map(|p| &p.component_roles);
        if prior != Some(&plan.planned.component_roles) {
            check_component_roles(f, &plan.planned).await?;
        }
        Ok(())
    }

    async fn create(
        &self,
        ctx: &Ctx,
        plan: CustomRoleModel,
        _config: CustomRoleModel,
        _diags: &mut Diagnostics,
    ) -> Result<CustomRoleModel> {
        write(ctx, &plan, true).await
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: CustomRoleModel,
        _diags: &mut Diagnostics,
    ) -> Result<Read<CustomRoleModel>> {
        let f = fleet_of(ctx)?;
        let name = state.known_name()?;
        match f.role(name).await? {
            Some(r) if r.built_in() => Err(builtin_role(name)),
            Some(r) => Ok(Read::Found(CustomRoleModel::of(&r, &state))),
            None => Ok(Read::gone(
                "Custom role no longer exists",
                format!(
                    "VCF custom role {name:?} was deleted outside Terraform; it is removed from the state."
                ),
            )),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: CustomRoleModel,
        plan: CustomRoleModel,
        _config: CustomRoleModel,
        _diags: &mut Diagnostics,
    ) -> Result<CustomRoleModel> {
        // What failed to change keeps the prior state.
        write(ctx, &plan, false)
            .await
            .map_err(|f| f.with_state(&prior))
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        state: CustomRoleModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        let f = fleet_of(ctx)?;
        let name = state.known_name()?;
        let deleted = f
            .api
            .call(
                Call::delete(paths::fill(paths::ROLE, &[name]))
                    .success(&[204])
                    .what(format!("delete VCF custom role {name:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        f.invalidate_roles();
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Version 0 kept `sso_realm_id` and one `{component, role_name}` per component role.
    fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<CustomRoleModel> {
        if version != 0 {
            return Err(Failure::error(
                "Unable to upgrade resource state",
                format!("vcf_custom_role has no upgrade from schema version {version} to 1."),
            ));
        }
        let upgraded = upgrade_v0(raw_json)
            .and_then(|j| {
                json::decode(&j, &schema().block.value_type(), json::Extra::Drop)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| {
                Failure::error(
                    "Unable to upgrade resource state",
                    format!(
                        "The vcf_custom_role state of an earlier build could not be read ({e}). Remove it with \
                         `terraform state rm` and import the role again by its name."
                    ),
                )
            })?;
        Ok(CustomRoleModel::decode(&upgraded)?)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![IdentityAttribute::required(
                "name",
                "The custom role's name (VCF roles are fleet-wide).",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        IdentityModel::decode(identity).ok()?.name.into_option()
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        id: &str,
        _diags: &mut Diagnostics,
    ) -> Result<CustomRoleModel> {
        if id.is_empty() || id.contains('/') {
            let hint = match id.split_once('/') {
                Some((_, name)) if !name.is_empty() && !name.contains('/') => format!(
                    " VCF roles are fleet-wide: import it as {name:?}, without the SSO realm."
                ),
                _ => String::new(),
            };
            return Err(Failure::error(
                "Invalid import ID",
                format!("vcf_custom_role is imported by the role's name; got {id:?}.{hint}"),
            ));
        }
        Ok(CustomRoleModel {
            id: id.into(),
            name: id.into(),
            display_name: Val::Null,
            description: Val::Null,
            component_roles: Val::Known(Vec::new()),
        })
    }
}

#[cfg(test)]
mod tests;
