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

use super::{ComponentRole, Fleet, RoleJson, WRITE_ROLE, fail, fleet, paths, s};

/// One role as the `vcf_roles` data source shows it.
pub fn role_value(r: &RoleJson) -> Value {
    Value::object([
        ("name", Value::string(&r.role_name)),
        (
            "display_name",
            Value::opt_string(r.role_display_name.clone()),
        ),
        ("description", Value::opt_string(r.role_description.clone())),
        ("type", Value::opt_string(r.role_type.clone())),
        ("built_in", Value::Bool(r.built_in())),
        (
            "component_roles",
            Value::List(
                r.component_roles
                    .iter()
                    .map(|c| {
                        Value::object([
                            ("component_type", Value::string(&c.component_type)),
                            (
                                "roles",
                                Value::List(c.roles.iter().map(Value::string).collect()),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// The role names of one `component_roles` element, sorted, without duplicates.
fn element_roles(c: &Value) -> Vec<String> {
    let mut roles: Vec<String> = c
        .attr("roles")
        .elements()
        .map(|e| {
            e.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    roles.dedup();
    roles
}

/// The API form of `component_roles`, in configuration order.
fn components_from(v: &Value) -> Vec<ComponentRole> {
    v.attr("component_roles")
        .elements()
        .map(|e| {
            e.iter()
                .filter_map(|c| {
                    Some(ComponentRole {
                        component_type: s(c, "component_type")?,
                        roles: element_roles(c),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `component_roles` as state: the server's entries in the order of `base` (the prior state or
/// plan), so that a server reordering them is no change; entries `base` lacks come last.
fn components_value(server: &[ComponentRole], base: &Value) -> Value {
    let order: Vec<String> = components_from(base)
        .into_iter()
        .map(|c| c.component_type)
        .collect();
    let mut list: Vec<&ComponentRole> = server.iter().collect();
    list.sort_by_key(|c| {
        order
            .iter()
            .position(|t| *t == c.component_type)
            .unwrap_or(usize::MAX)
    });
    Value::List(
        list.into_iter()
            .map(|c| {
                let mut roles = c.roles.clone();
                roles.sort();
                roles.dedup();
                Value::object([
                    ("component_type", Value::string(&c.component_type)),
                    (
                        "roles",
                        Value::Set(roles.into_iter().map(Value::String).collect()),
                    ),
                ])
            })
            .collect(),
    )
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

/// At plan time, when the provider is configured: each component role named in
/// `component_roles` must be one the component offers (`getComponentRoleSummaries`). The
/// diagnostic points at the element and lists the valid names. Components that list no roles,
/// and lists that cannot be read, are left to the apply.
async fn check_component_roles(f: Fleet<'_>, planned: &Value, diags: &mut Diagnostics) {
    let Some(items) = planned.attr("component_roles").elements() else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let (Some(component), true) = (
            item.attr("component_type").as_str(),
            item.attr("roles").is_wholly_known(),
        ) else {
            continue;
        };
        if !paths::COMPONENT_TYPES.contains(&component) {
            continue;
        }
        let valid = match f.component_role_names(component).await {
            Ok(v) if !v.is_empty() => v,
            _ => continue,
        };
        let unknown: Vec<String> = element_roles(item)
            .into_iter()
            .filter(|r| !valid.contains(r))
            .collect();
        if !unknown.is_empty() {
            diags.attr_error(
                AttributePath::attr("component_roles")
                    .join_index(i as i64)
                    .join_attr("roles"),
                "Unknown component role",
                format!(
                    "{} {} not a role of {component}. Its roles: {}.",
                    unknown
                        .iter()
                        .map(|r| format!("{r:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if unknown.len() == 1 { "is" } else { "are" },
                    valid.join(", ")
                ),
            );
        }
    }
}

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

/// State JSON of schema version 0 in the version 1 shape: the realm dropped, the id the name,
/// component roles grouped by component (`NSX` renamed `NSX_MANAGER`).
fn upgrade_v0(raw: &[u8]) -> Result<Vec<u8>, String> {
    use serde_json::{Value as J, json};
    let old: J = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    let name = old
        .get("name")
        .and_then(J::as_str)
        .ok_or("no name in the stored state")?;
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for c in old
        .get("component_roles")
        .and_then(J::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let (Some(comp), Some(role)) = (
            c.get("component").and_then(J::as_str),
            c.get("role_name").and_then(J::as_str),
        ) else {
            continue;
        };
        let comp = if comp == "NSX" { "NSX_MANAGER" } else { comp };
        match grouped.iter_mut().find(|(k, _)| k == comp) {
            Some((_, roles)) => roles.push(role.to_string()),
            None => grouped.push((comp.to_string(), vec![role.to_string()])),
        }
    }
    let new = json!({
        "id": name,
        "name": name,
        "display_name": null,
        "description": old.get("description").cloned().unwrap_or(J::Null),
        "component_roles": grouped
            .into_iter()
            .map(|(c, roles)| json!({ "component_type": c, "roles": roles }))
            .collect::<Vec<_>>(),
    });
    serde_json::to_vec(&new).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(t: &str, roles: &[&str]) -> Value {
        Value::object([
            ("component_type", Value::string(t)),
            (
                "roles",
                Value::Set(roles.iter().map(|r| Value::string(*r)).collect()),
            ),
        ])
    }

    /// The server may list components in another order: state keeps the configured order.
    #[test]
    fn state_keeps_the_configured_component_order() {
        let base = Value::object([(
            "component_roles",
            Value::List(vec![
                component("NSX_MANAGER", &["Auditor"]),
                component("VCENTER", &["Admin"]),
            ]),
        )]);
        let server = vec![
            ComponentRole {
                component_type: "VCENTER".into(),
                roles: vec!["Admin".into()],
            },
            ComponentRole {
                component_type: "HCX".into(),
                roles: vec!["Administrator".into()],
            },
            ComponentRole {
                component_type: "NSX_MANAGER".into(),
                roles: vec!["Auditor".into(), "Auditor".into()],
            },
        ];
        let v = components_value(&server, &base);
        let types: Vec<&str> = v
            .elements()
            .unwrap_or(&[])
            .iter()
            .filter_map(|c| c.attr("component_type").as_str())
            .collect();
        assert_eq!(types, ["NSX_MANAGER", "VCENTER", "HCX"]);
        assert_eq!(
            v.elements().unwrap_or(&[])[0],
            component("NSX_MANAGER", &["Auditor"])
        );
    }

    #[test]
    fn validate_points_at_the_offending_entry() {
        let config = Value::object([(
            "component_roles",
            Value::List(vec![
                component("VCENTER", &["Admin"]),
                component("NSX_MANAGER", &[]),
                component("VCENTER", &["Read-only"]),
            ]),
        )]);
        let mut d = Diagnostics::default();
        CustomRole.validate(&config, &mut d);
        let text = format!("{d:?}");
        assert!(text.contains("Component listed twice"), "{text}");
        assert!(text.contains("No roles for the component"), "{text}");
        assert_eq!(d.iter().count(), 2, "{text}");
    }

    #[test]
    fn version_0_state_is_upgraded() {
        let old =
            br#"{"id":"r1/fleet-admin","sso_realm_id":"r1","name":"fleet-admin","description":"d",
            "component_roles":[{"component":"VCF_OPERATIONS","role_name":"Administrator"},
                               {"component":"NSX","role_name":"Auditor"},
                               {"component":"NSX","role_name":"Network Operator"}]}"#;
        let mut d = Diagnostics::default();
        let v = CustomRole.upgrade_state(0, old, &mut d);
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(v.attr("id").as_str(), Some("fleet-admin"));
        assert!(v.attr("sso_realm_id").is_null());
        assert_eq!(v.attr("description").as_str(), Some("d"));
        let comps = v.attr("component_roles").elements().unwrap_or(&[]).to_vec();
        assert_eq!(comps.len(), 2);
        assert_eq!(
            comps[1],
            component("NSX_MANAGER", &["Auditor", "Network Operator"])
        );
        let mut d = Diagnostics::default();
        assert!(CustomRole.upgrade_state(0, b"{}", &mut d).is_null());
        assert!(d.has_errors());
    }

    #[test]
    fn import_is_by_name() {
        let mut d = Diagnostics::default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let ctx = Ctx::new(None, false);
        let v = rt.block_on(CustomRole.import(&ctx, "fleet-auditor", &mut d));
        assert_eq!(v.attr("name").as_str(), Some("fleet-auditor"));
        assert_eq!(v.attr("id").as_str(), Some("fleet-auditor"));
        let bad = rt.block_on(CustomRole.import(&ctx, "realm-1/fleet-auditor", &mut d));
        assert!(bad.is_null());
        assert!(format!("{d:?}").contains("without the SSO realm"), "{d:?}");
    }
}
