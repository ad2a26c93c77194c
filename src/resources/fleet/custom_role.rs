//! Resource `vcf_custom_role`: a VCF custom role composed of component roles (seed 002). The
//! whole roles API is ASSUMED (contract B). Built-in roles are the product's and are refused.

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::PlanChange;
use crate::framework::validate::{Length, OneOf};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Nesting, Resource, Schema, Value,
};

use super::fleet_realm;
use super::{
    ComponentRole, Fleet, RoleJson, WRITE_ROLE, fail, fleet, paths, plan_realm, realm_attribute,
    realm_state_value, s,
};

const COMPONENTS: [&str; 5] = ["VCENTER", "NSX", "VCF_OPERATIONS", "VCF_AUTOMATION", "HCX"];

/// One role as the `vcf_roles` data source shows it.
pub fn role_value(r: &RoleJson) -> Value {
    Value::object([
        ("name", Value::string(&r.name)),
        ("display_name", Value::opt_string(r.display_name.clone())),
        ("description", Value::opt_string(r.description.clone())),
        ("built_in", Value::Bool(r.built_in)),
        (
            "component_roles",
            Value::List(
                r.component_roles
                    .iter()
                    .map(|c| {
                        Value::object([
                            ("component", Value::string(&c.component)),
                            ("role_name", Value::string(&c.role_name)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn components_from(v: &Value) -> Vec<ComponentRole> {
    let mut out: Vec<ComponentRole> = v
        .attr("component_roles")
        .elements()
        .map(|e| {
            e.iter()
                .filter_map(|c| {
                    Some(ComponentRole {
                        component: s(c, "component")?,
                        role_name: s(c, "role_name")?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

fn builtin_error(diags: &mut Diagnostics, name: &str) {
    diags.attr_error(
        AttributePath::attr("name"),
        "Built-in role cannot be managed",
        format!(
            "{name:?} is a built-in VCF role; built-in roles belong to the product and cannot be created, changed or \
             deleted. Choose another name for a custom role, and assign built-in roles with vcf_role_assignment."
        ),
    );
}

pub struct CustomRole;

impl CustomRole {
    fn state(r: &RoleJson, realm_value: Value, realm_id: &str, base: &Value) -> Value {
        let mut v = base.clone();
        v.set_attr("id", Value::string(format!("{realm_id}/{}", r.name)));
        v.set_attr("sso_realm_id", realm_value);
        v.set_attr("name", Value::string(&r.name));
        let description = match r.description.as_deref() {
            None | Some("") if base.attr("description").is_null() => Value::Null,
            d => Value::opt_string(d.map(str::to_string)),
        };
        v.set_attr("description", description);
        v.set_attr(
            "component_roles",
            Value::Set(
                r.component_roles
                    .iter()
                    .map(|c| {
                        Value::object([
                            ("component", Value::string(&c.component)),
                            ("role_name", Value::string(&c.role_name)),
                        ])
                    })
                    .collect(),
            ),
        );
        v
    }

    async fn find(
        f: Fleet<'_>,
        realm: &str,
        name: &str,
    ) -> Result<Option<RoleJson>, crate::client::ApiError> {
        Ok(f.roles(realm).await?.into_iter().find(|r| r.name == name))
    }

    async fn write(
        &self,
        ctx: &Ctx,
        planned: &Value,
        create: bool,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let f = fleet(ctx, diags)?;
        let realm = f
            .realm(planned.attr("sso_realm_id"), "sso_realm_id", diags)
            .await?;
        let name = s(planned, "name")?;
        if create {
            match Self::find(f, &realm.id, &name).await {
                Ok(Some(r)) if r.built_in => {
                    builtin_error(diags, &name);
                    return None;
                }
                Ok(_) => {}
                Err(e) => return fail(diags, e),
            }
        }
        let body = RoleJson {
            name: name.clone(),
            display_name: None,
            description: s(planned, "description"),
            built_in: false,
            component_roles: components_from(planned),
        };
        let res = if create {
            let call = Call::post(paths::fill(paths::ROLES, &[&realm.id]))
                .json(&body)
                .what(format!("create VCF custom role {name:?}"))
                .needs_role(WRITE_ROLE)
                .import_hint("vcf_custom_role", format!("{}/{name}", realm.id));
            let (realm_id, lookup_name) = (realm.id.as_str(), name.as_str());
            f.api
                .create_with_lookup(call, || async move {
                    f.invalidate_roles(realm_id);
                    Self::find(f, realm_id, lookup_name).await
                })
                .await
                .map(|c| c.into_inner())
        } else {
            f.api
                .json::<RoleJson>(
                    Call::put(paths::fill(paths::ROLE, &[&realm.id, &name]))
                        .json(&body)
                        .idempotent(true)
                        .what(format!("update VCF custom role {name:?}"))
                        .needs_role(WRITE_ROLE),
                )
                .await
        };
        f.invalidate_roles(&realm.id);
        match res {
            Ok(r) => Some(Self::state(
                &r,
                realm_state_value(planned.attr("sso_realm_id"), realm),
                &realm.id,
                planned,
            )),
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
            Attribute::string("component")
                .required()
                .description("`VCENTER`, `NSX`, `VCF_OPERATIONS`, `VCF_AUTOMATION` or `HCX`.")
                .validator(OneOf::new(&COMPONENTS)),
            Attribute::string("role_name")
                .required()
                .description(
                    "A built-in or custom role of that component, for example `Administrator`.",
                )
                .validator(Length::at_least(1)),
        ];
        Schema::new(
            0,
            Block::new(
                "A VCF custom role: a fleet-level role made of component roles (vCenter, NSX, VCF Operations, \
                 VCF Automation, HCX), which API tokens of principals assigned to it carry. Built-in roles \
                 (`vcf_admin`, `vcf_viewer`, `sddc_admin`, …) cannot be managed.\n\n\
                 The custom-role API is not in the published examples; the provider follows the assumed contract \
                 `POST/PUT/DELETE …/ssorealms/{realm}/roles[/{name}]`.\n\n\
                 Import ID: `<sso_realm_id>/<name>`.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("`<sso_realm_id>/<name>`, also the import ID.")
                    .plan_modifier(UseStateForUnknown),
            )
            .attribute(realm_attribute())
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("Role name, used as `role_name` in assignments. Changing it replaces the role.")
                    .validator(Length::between(1, 128))
                    .plan_modifier(RequiresReplace),
            )
            .attribute(
                Attribute::string("description")
                    .optional()
                    .description("Description. Updated in place."),
            )
            .attribute(
                Attribute::nested("component_roles", Nesting::Set, component)
                    .required()
                    .description("The component roles the role grants (at least one). Updated in place."),
            ),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config
            .attr("component_roles")
            .elements()
            .is_some_and(<[Value]>::is_empty)
        {
            diags.attr_error(
                AttributePath::attr("component_roles"),
                "No component roles",
                "A custom role needs at least one component role.",
            );
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        if let Some((f, realm)) = plan_realm(ctx, plan, diags).await
            && let Some(name) = plan.planned.attr("name").as_str()
        {
            // Assignments of this role planned later in the run must not call it unknown.
            f.plan_custom_role(&realm.id, name);
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
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return Value::Null;
        };
        let Some(name) = s(state, "name") else {
            return Value::Null;
        };
        match Self::find(f, &realm.id, &name).await {
            Ok(Some(r)) if r.built_in => {
                builtin_error(diags, &name);
                Value::Null
            }
            Ok(Some(r)) => Self::state(&r, state.attr("sso_realm_id").clone(), &realm.id, state),
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
        let Some((f, realm)) = fleet_realm(ctx, state, diags).await else {
            return;
        };
        let Some(name) = s(state, "name") else {
            return;
        };
        let res = f
            .api
            .call(
                Call::delete(paths::fill(paths::ROLE, &[&realm.id, &name]))
                    .what(format!("delete VCF custom role {name:?}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        f.invalidate_roles(&realm.id);
        match res {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }

    fn identity_schema(&self) -> Option<crate::framework::IdentitySchema> {
        use crate::framework::IdentityAttribute;
        Some(crate::framework::IdentitySchema::new(
            0,
            vec![
                IdentityAttribute::required("sso_realm_id", super::REALM_IDENTITY),
                IdentityAttribute::required("name", "The custom role's name."),
            ],
        ))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        let realm = identity.attr("sso_realm_id").as_str()?;
        Some(format!("{realm}/{}", identity.attr("name").as_str()?))
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        match id.split_once('/') {
            Some((realm, name)) if !realm.is_empty() && !name.is_empty() => Value::object([
                ("id", Value::string(id)),
                ("sso_realm_id", Value::string(realm)),
                ("name", Value::string(name)),
                ("description", Value::Null),
                ("component_roles", Value::Set(Vec::new())),
            ]),
            _ => {
                diags.error(
                    "Invalid import ID",
                    format!("vcf_custom_role is imported as <sso_realm_id>/<name>; got {id:?}."),
                );
                Value::Null
            }
        }
    }
}
