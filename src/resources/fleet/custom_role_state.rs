//! What `vcf_custom_role` keeps apart from its operations: the state of a role and of its
//! `component_roles` (in the configured order), the plan-time checks of component roles and
//! built-in names, and the upgrade of version 0 states.

use crate::framework::model::ToValue;
use crate::framework::{AttributePath, Diagnostics, Value};

use super::{ComponentRole, Fleet, RoleJson, paths, s};

/// One role as the `vcf_roles` data source shows it.
pub fn role_value(r: &RoleJson) -> Value {
    super::roles_data::RoleModel::from(r).to_value()
}

/// The role names of one `component_roles` element, sorted, without duplicates.
pub(super) fn element_roles(c: &Value) -> Vec<String> {
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
pub(super) fn components_from(v: &Value) -> Vec<ComponentRole> {
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
pub(super) fn components_value(server: &[ComponentRole], base: &Value) -> Value {
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

pub(super) fn builtin_error(diags: &mut Diagnostics, name: &str) {
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
pub(super) async fn check_component_roles(f: Fleet<'_>, planned: &Value, diags: &mut Diagnostics) {
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

/// State JSON of schema version 0 in the version 1 shape: the realm dropped, the id the name,
/// component roles grouped by component (`NSX` renamed `NSX_MANAGER`).
pub(super) fn upgrade_v0(raw: &[u8]) -> Result<Vec<u8>, String> {
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
