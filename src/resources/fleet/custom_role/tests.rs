//! Unit tests of `vcf_custom_role`: state ordering, validation paths, the version 0 upgrade and import.

use super::*;
use crate::resources::fleet::ComponentRole;

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
