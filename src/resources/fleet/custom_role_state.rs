//! What `vcf_custom_role` keeps apart from its operations: the state of a role and of its
//! `component_roles` (in the configured order), the plan-time checks of component roles and
//! built-in names, and the upgrade of version 0 states.

use crate::framework::typed::Result;
use crate::framework::{Diagnostics, Failure, SetOf, Val};

use super::custom_role::{ComponentRoleModel, CustomRoleModel};
use super::{ComponentRole, Fleet, RoleJson, paths};

impl ComponentRoleModel {
    /// The known role names of the entry, sorted, without duplicates.
    fn role_names(&self) -> Vec<String> {
        let mut roles: Vec<String> = self
            .roles
            .get()
            .map(|set| set.0.iter().filter_map(|r| r.get().cloned()).collect())
            .unwrap_or_default();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The state of one component of a role: its roles sorted, without duplicates.
    fn of(c: &ComponentRole) -> Self {
        let mut roles = c.roles.clone();
        roles.sort();
        roles.dedup();
        ComponentRoleModel {
            component_type: c.component_type.as_str().into(),
            roles: Val::Known(SetOf(roles.into_iter().map(Val::Known).collect())),
        }
    }
}

impl CustomRoleModel {
    /// The state of role `r`. `base` (the plan, the prior state or an import) decides whether
    /// the server's empty description is null, gives the display name the server leaves out,
    /// and orders `component_roles`.
    pub(super) fn of(r: &RoleJson, base: &CustomRoleModel) -> Self {
        let description = match r.role_description.as_deref() {
            None | Some("") if base.description.is_null() => None,
            d => d.map(str::to_string),
        };
        CustomRoleModel {
            id: r.role_name.as_str().into(),
            name: r.role_name.as_str().into(),
            display_name: r
                .role_display_name
                .clone()
                .or_else(|| base.display_name.get().cloned())
                .into(),
            description: description.into(),
            component_roles: Val::Known(components_state(&r.component_roles, base)),
        }
    }

    /// The role's name; the schema requires it, so only a provider bug leaves it unset.
    pub(super) fn known_name(&self) -> Result<&str> {
        self.name.as_deref().ok_or_else(|| {
            Failure::error(
                "Provider bug: name is not known",
                "The custom role's name is not known here. Please report this issue to the provider developers.",
            )
        })
    }

    /// The known entries of `component_roles`, in configuration order.
    fn known_components(&self) -> impl Iterator<Item = &ComponentRoleModel> {
        self.component_roles
            .get()
            .into_iter()
            .flatten()
            .filter_map(Val::get)
    }

    /// The API form of `component_roles`, in configuration order (entries whose component is
    /// not known are left out).
    pub(super) fn components(&self) -> Vec<ComponentRole> {
        self.known_components()
            .filter_map(|c| {
                Some(ComponentRole {
                    component_type: c.component_type.get()?.clone(),
                    roles: c.role_names(),
                })
            })
            .collect()
    }
}

/// `component_roles` as state: the server's entries in the order of `base` (the prior state or
/// plan), so that a server reordering them is no change; entries `base` lacks come last.
pub(super) fn components_state(
    server: &[ComponentRole],
    base: &CustomRoleModel,
) -> Vec<Val<ComponentRoleModel>> {
    let order: Vec<String> = base
        .components()
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
    list.into_iter()
        .map(|c| Val::Known(ComponentRoleModel::of(c)))
        .collect()
}

/// The error for a built-in role's name.
pub(super) fn builtin_role(name: &str) -> Failure {
    Failure::at(
        crate::attr_path!(CustomRoleModel, name),
        "Built-in role cannot be managed",
        format!(
            "{name:?} is a built-in VCF role; built-in roles belong to the product and cannot be created, changed or \
             deleted. Choose another name for a custom role, and assign built-in roles with vcf_role_assignment."
        ),
    )
}

/// At plan time, when the provider is configured: each component role named in
/// `component_roles` must be one the component offers (`getComponentRoleSummaries`). The
/// diagnostic points at the element and lists the valid names. Components that list no roles,
/// and lists that cannot be read, are left to the apply.
pub(super) async fn check_component_roles(f: Fleet<'_>, planned: &CustomRoleModel) -> Result<()> {
    let Some(items) = planned.component_roles.get() else {
        return Ok(());
    };
    let mut errors = Diagnostics::new();
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.get() else {
            continue;
        };
        // Roles not known yet are checked once they are.
        let roles_known = match &item.roles {
            Val::Unknown => false,
            Val::Null => true,
            Val::Known(set) => set.0.iter().all(Val::is_known),
        };
        let (Some(component), true) = (item.component_type.as_deref(), roles_known) else {
            continue;
        };
        if !paths::COMPONENT_TYPES.contains(&component) {
            continue;
        }
        let valid = match f.component_role_names(component).await {
            Ok(v) if !v.is_empty() => v,
            _ => continue,
        };
        let unknown: Vec<String> = item
            .role_names()
            .into_iter()
            .filter(|r| !valid.contains(r))
            .collect();
        if !unknown.is_empty() {
            errors.attr_error(
                crate::attr_path!(
                    at crate::attr_path!(CustomRoleModel, component_roles).join_index(i as i64),
                    ComponentRoleModel,
                    roles
                ),
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
    if errors.has_errors() {
        return Err(errors.into());
    }
    Ok(())
}

/// State JSON of schema version 0 in the version 1 shape: the realm dropped, the id the name,
/// component roles grouped by component (`NSX` renamed `NSX_MANAGER`).
pub(super) fn upgrade_v0(raw: &[u8]) -> std::result::Result<Vec<u8>, String> {
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
