//! Unit tests of `vcf_custom_role`: state ordering, validation paths, the version 0 upgrade and import.

use super::*;
use crate::framework::Resource;
use crate::framework::model::ToValue;
use crate::resources::fleet::ComponentRole;

fn component(t: &str, roles: &[&str]) -> Val<ComponentRoleModel> {
    Val::Known(ComponentRoleModel {
        component_type: t.into(),
        roles: Val::Known(SetOf(roles.iter().map(|r| Val::from(*r)).collect())),
    })
}

fn role(components: Vec<Val<ComponentRoleModel>>) -> CustomRoleModel {
    CustomRoleModel {
        name: "fleet-admin".into(),
        component_roles: Val::Known(components),
        ..CustomRoleModel::default()
    }
}

/// The server may list components in another order: state keeps the configured order.
#[test]
fn state_keeps_the_configured_component_order() {
    let base = role(vec![
        component("NSX_MANAGER", &["Auditor"]),
        component("VCENTER", &["Admin"]),
    ]);
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
    let v = super::super::custom_role_state::components_state(&server, &base);
    let types: Vec<&str> = v
        .iter()
        .filter_map(|c| c.get()?.component_type.as_deref())
        .collect();
    assert_eq!(types, ["NSX_MANAGER", "VCENTER", "HCX"]);
    assert_eq!(
        v[0].to_value(),
        component("NSX_MANAGER", &["Auditor"]).to_value()
    );
}

#[test]
fn validate_points_at_the_offending_entry() {
    let config = role(vec![
        component("VCENTER", &["Admin"]),
        component("NSX_MANAGER", &[]),
        component("VCENTER", &["Read-only"]),
    ]);
    let mut d = Diagnostics::default();
    Resource::validate(&CustomRole, &config.to_value(), &mut d);
    let text = format!("{d:?}");
    assert!(text.contains("Component listed twice"), "{text}");
    assert!(text.contains("No roles for the component"), "{text}");
    assert_eq!(d.iter().count(), 2, "{text}");
}

/// A configuration may hold roles, or whole entries, not known until apply.
#[test]
fn validate_accepts_unknown_entries_and_roles() {
    let config = role(vec![
        Val::Unknown,
        Val::Known(ComponentRoleModel {
            component_type: Val::Unknown,
            roles: Val::Known(SetOf(vec![Val::Unknown])),
        }),
    ]);
    let mut d = Diagnostics::default();
    Resource::validate(&CustomRole, &config.to_value(), &mut d);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn version_0_state_is_upgraded() {
    let old =
        br#"{"id":"r1/fleet-admin","sso_realm_id":"r1","name":"fleet-admin","description":"d",
        "component_roles":[{"component":"VCF_OPERATIONS","role_name":"Administrator"},
                           {"component":"NSX","role_name":"Auditor"},
                           {"component":"NSX","role_name":"Network Operator"}]}"#;
    let mut d = Diagnostics::default();
    let v = Resource::upgrade_state(&CustomRole, 0, old, &mut d);
    assert!(!d.has_errors(), "{d:?}");
    let m = CustomRoleModel::decode(&v).expect("the upgraded state is a custom role");
    // Exactly the model's attributes: `sso_realm_id` is gone.
    assert_eq!(m.to_value(), v);
    assert_eq!(m.id.as_deref(), Some("fleet-admin"));
    assert_eq!(m.description.as_deref(), Some("d"));
    assert!(m.display_name.is_null());
    let comps = m.component_roles.into_option().unwrap_or_default();
    assert_eq!(comps.len(), 2);
    assert_eq!(
        comps[1].to_value(),
        component("NSX_MANAGER", &["Auditor", "Network Operator"]).to_value()
    );
    let mut d = Diagnostics::default();
    assert!(Resource::upgrade_state(&CustomRole, 0, b"{}", &mut d).is_null());
    assert!(format!("{d:?}").contains("could not be read"), "{d:?}");
    let mut d = Diagnostics::default();
    assert!(Resource::upgrade_state(&CustomRole, 2, old, &mut d).is_null());
    assert!(
        format!("{d:?}").contains("no upgrade from schema version 2 to 1"),
        "{d:?}"
    );
}

#[test]
fn import_is_by_name() {
    let mut d = Diagnostics::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let ctx = Ctx::new(None, false);
    let m = rt
        .block_on(TypedResource::import(
            &CustomRole,
            &ctx,
            "fleet-auditor",
            &mut d,
        ))
        .expect("a name imports");
    assert_eq!(m.name.as_deref(), Some("fleet-auditor"));
    assert_eq!(m.id.as_deref(), Some("fleet-auditor"));
    let bad = rt.block_on(Resource::import(
        &CustomRole,
        &ctx,
        "realm-1/fleet-auditor",
        &mut d,
    ));
    assert!(bad.is_null());
    assert!(format!("{d:?}").contains("without the SSO realm"), "{d:?}");
}
