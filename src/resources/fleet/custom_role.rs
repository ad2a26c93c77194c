//! Resource `vcf_custom_role`: a custom VCF role, made of the roles of VCF components (vCenter,
//! NSX Manager, VCF Operations, …). VCF roles are fleet-wide (VCF Operations API `createRole`,
//! `getRole`, `updateRoleDefinition`, `deleteRole` under `/roles`), not kept per SSO realm.
//! Built-in roles are the product's and are refused.

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Nesting, Resource, Schema, Type, Value,
};

pub use super::custom_role_state::role_value;
use super::custom_role_state::*;
use super::{Fleet, RoleJson, WRITE_ROLE, fail, fleet, paths, s};

pub struct CustomRole;

impl CustomRole {
    pub(super) fn state(r: &RoleJson, base: &Value) -> Value {
        let mut v = base.clone();
        v.set_attr("id", Value::string(&r.role_name));
        v.set_attr("name", Value::string(&r.role_name));
        let description = match r.role_description.as_deref() {
            None | Some("") if base.attr("description").is_null() => Value::Null,
            d => Value::opt_string(d.map(str::to_string)),
        };
        v.set_attr("description", description);
        v.set_attr(
            "display_name",
            Value::opt_string(
                r.role_display_name
                    .clone()
                    .or_else(|| base.attr("display_name").as_str().map(str::to_string)),
            ),
        );
        v.set_attr(
            "component_roles",
            components_value(&r.component_roles, base),
        );
        v
    }

    async fn write(
        &self,
        ctx: &Ctx,
        planned: &Value,
        create: bool,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let f = fleet(ctx, diags)?;
        let name = s(planned, "name")?;
        if create {
            match f.role(&name).await {
                Ok(Some(r)) if r.built_in() => {
                    builtin_error(diags, &name);
                    return None;
                }
                Ok(_) => {}
                Err(e) => return fail(diags, e),
            }
        }
        let body = RoleJson {
            role_name: name.clone(),
            role_display_name: s(planned, "display_name"),
            role_description: s(planned, "description"),
            role_type: None,
            component_roles: components_from(planned),
            created_by: None,
            updated_by: None,
            created_at: None,
            updated_at: None,
        };
        let res = if create {
            let call = Call::post(paths::ROLES)
                .success(&[201])
                .json(&body)
                .what(format!("create VCF custom role {name:?}"))
                .needs_role(WRITE_ROLE)
                .import_hint("vcf_custom_role", name.clone());
            let lookup_name = name.as_str();
            f.api
                .create_with_lookup(call, || async move {
                    f.invalidate_roles();
                    f.role(lookup_name).await
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
        match res {
            Ok(r) => Some(Self::state(&r, planned)),
            Err(e) => fail(diags, e),
        }
    }
}

#[async_trait]
impl Resource for CustomRole {
    fn type_name(&self) -> &'static str {
        "vcf_custom_role"
    }

    fn schema(&self) -> Schema {
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

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(items) = config.attr("component_roles").elements() else {
            return;
        };
        if items.is_empty() {
            diags.attr_error(
                AttributePath::attr("component_roles"),
                "No component roles",
                "A custom role needs at least one component role.",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = AttributePath::attr("component_roles").join_index(i as i64);
            if let Some(t) = item.attr("component_type").as_str() {
                if seen.contains(&t) {
                    diags.attr_error(
                        at.join_attr("component_type"),
                        "Component listed twice",
                        format!(
                            "{t} appears in more than one component_roles entry; list all of its roles in one \
                             entry's roles."
                        ),
                    );
                }
                seen.push(t);
            }
            if item
                .attr("roles")
                .elements()
                .is_some_and(<[Value]>::is_empty)
            {
                diags.attr_error(
                    at.join_attr("roles"),
                    "No roles for the component",
                    "Each component_roles entry needs at least one role of its component.",
                );
            }
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        // Destroy plans and providers without fleet credentials are not checked here.
        if plan.planned.is_null() {
            return;
        }
        let Some(vcf) = ctx.data::<crate::resources::VcfContext>() else {
            return;
        };
        let Ok(api) = vcf.clients.operations() else {
            return;
        };
        let f = Fleet { vcf, api };
        if let Some(name) = plan.planned.attr("name").as_str() {
            // Assignments of this role planned later in the run must not call it unknown.
            f.plan_custom_role(name);
        }
        if plan.planned.attr("component_roles") != plan.prior.attr("component_roles") {
            check_component_roles(f, &plan.planned, diags).await;
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.write(ctx, planned, true, diags)
            .await
            .unwrap_or(Value::Null)
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(f) = fleet(ctx, diags) else {
            return Value::Null;
        };
        let Some(name) = s(state, "name") else {
            return Value::Null;
        };
        match f.role(&name).await {
            Ok(Some(r)) if r.built_in() => {
                builtin_error(diags, &name);
                Value::Null
            }
            Ok(Some(r)) => Self::state(&r, state),
            Ok(None) => {
                diags.warning(
                    "Custom role no longer exists",
                    format!("VCF custom role {name:?} was deleted outside Terraform; it is removed from the state."),
                );
                Value::Null
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.write(ctx, planned, false, diags)
            .await
            .unwrap_or_else(|| prior.clone())
    }

    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some(f) = fleet(ctx, diags) else {
            return;
        };
        let Some(name) = s(state, "name") else {
            return;
        };
        let res = f
            .api
            .call(
                Call::delete(paths::fill(paths::ROLE, &[&name]))
                    .success(&[204])
                    .what(format!("delete VCF custom role {name:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        f.invalidate_roles();
        match res {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    /// Version 0 kept `sso_realm_id` and one `{component, role_name}` per component role.
    fn upgrade_state(&self, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Value {
        if version != 0 {
            diags.error(
                "Unable to upgrade resource state",
                format!("vcf_custom_role has no upgrade from schema version {version} to 1."),
            );
            return Value::Null;
        }
        let upgraded = upgrade_v0(raw_json);
        match upgraded.and_then(|j| {
            crate::framework::json::decode(
                &j,
                &self.schema().block.value_type(),
                crate::framework::json::Extra::Drop,
            )
            .map_err(|e| e.to_string())
        }) {
            Ok(v) => v,
            Err(e) => {
                diags.error(
                    "Unable to upgrade resource state",
                    format!(
                        "The vcf_custom_role state of an earlier build could not be read ({e}). Remove it with \
                         `terraform state rm` and import the role again by its name."
                    ),
                );
                Value::Null
            }
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        use crate::framework::IdentityAttribute;
        Some(crate::framework::IdentitySchema::new(
            0,
            vec![IdentityAttribute::required(
                "name",
                "The custom role's name (VCF roles are fleet-wide).",
            )],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.attr("name").as_str().map(str::to_string)
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        if id.is_empty() || id.contains('/') {
            let hint = match id.split_once('/') {
                Some((_, name)) if !name.is_empty() && !name.contains('/') => format!(
                    " VCF roles are fleet-wide: import it as {name:?}, without the SSO realm."
                ),
                _ => String::new(),
            };
            diags.error(
                "Invalid import ID",
                format!("vcf_custom_role is imported by the role's name; got {id:?}.{hint}"),
            );
            return Value::Null;
        }
        Value::object([
            ("id", Value::string(id)),
            ("name", Value::string(id)),
            ("display_name", Value::Null),
            ("description", Value::Null),
            ("component_roles", Value::List(Vec::new())),
        ])
    }
}

#[cfg(test)]
mod tests;
