//! Unit tests of the fleet family's shared pieces: paths, answer shapes, schemas.

use super::*;
use crate::framework::Secret;
#[test]
fn paths_fill_and_encode_segments() {
    assert_eq!(
        paths::fill(paths::CLIENT, &["r1", "ci bot/x"]),
        "/ssorealms/r1/api-clients/ci%20bot%2Fx"
    );
    assert_eq!(
        paths::fill(paths::TOKEN_REGENERATE, &["r", "t"]),
        "/ssorealms/r/api-tokens/t/regenerate"
    );
    assert_eq!(paths::fill(paths::REALMS, &[]), "/ssorealms");
}

#[test]
fn seed_001_shapes_decode() {
    let t: TokenJson = serde_json::from_str(
        r#"{"id":"27a2","apiClientId":"IamClient","tokenName":"apitoken-test1000","apiTokenTtl":40320,
        "accessTokenTtl":30,"tokenType":"API_CLIENT","token":"vidb_MjdhMj","tokenLastChars":"DQxMQ",
        "creationDate":1779354411000,"expirationDate":1781773611000,"lastUsedDate":1779354411000,
        "tokenStatus":"ACTIVE","tokenEndpointUrl":"https://i/acs/t/CUSTOMER/token"}"#,
    )
    .unwrap();
    assert_eq!(t.token.as_ref().map(Secret::expose), Some("vidb_MjdhMj"));
    assert!(!format!("{t:?}").contains("vidb_"));
    let a: AssignmentsJson = serde_json::from_str(
        r#"{"vcfRoleAssignments":[{"roleName":"sddc_admin","roleScope":{"scopeType":"VCF_INSTANCE",
        "resources":[{"id":"b"},{"id":"a"}]},"expiresAt":null}]}"#,
    )
    .unwrap();
    assert_eq!(a.vcf_role_assignments[0].resource_ids(), vec!["a", "b"]);
    let out = serde_json::to_value(&AssignmentsJson {
        vcf_role_assignments: vec![AssignmentJson {
            role_name: "vcf_viewer".into(),
            role_scope: ScopeJson {
                scope_type: "SSO_REALM".into(),
                resources: vec![],
            },
            expires_at: None,
        }],
    })
    .unwrap();
    assert_eq!(
        out,
        serde_json::json!({"vcfRoleAssignments":[{"roleName":"vcf_viewer",
            "roleScope":{"scopeType":"SSO_REALM"},"expiresAt":null}]})
    );
}

/// The reference's own getRoleAssignment example omits `scopeType` and adds fields the
/// provider does not use: the assignment still decodes, with the implied scope type.
#[test]
fn assignments_decode_without_scope_type() {
    let a: AssignmentsJson = serde_json::from_str(
        r#"{"vcfRoleAssignments":[
          {"roleName":"VCF_Admin","roleDisplayName":"VCF Administrator","roleScope":{"resources":[]}},
          {"roleName":"sddc_admin","roleScope":{"resources":[{"id":"i1","name":"sfo"}],"ssoName":"EMEA"}},
          {"roleName":"vcf_viewer","roleScope":{"resources":null}},
          {"roleName":"vcf_operator","roleScope":{"scopeType":"SSO_REALM","resources":[]},"expiresAt":1750526688158}]}"#,
    )
    .unwrap();
    let types: Vec<&str> = a
        .vcf_role_assignments
        .iter()
        .map(|x| x.role_scope.scope_type.as_str())
        .collect();
    assert_eq!(
        types,
        ["SSO_REALM", "VCF_INSTANCE", "SSO_REALM", "SSO_REALM"]
    );
    assert_eq!(a.vcf_role_assignments[1].resource_ids(), vec!["i1"]);
    assert_eq!(a.vcf_role_assignments[3].expires_at, Some(1750526688158));
    // An implied scope compares equal to the configured one it matches.
    let configured = AssignmentJson {
        role_name: "VCF_Admin".into(),
        role_scope: ScopeJson {
            scope_type: "SSO_REALM".into(),
            resources: vec![],
        },
        expires_at: None,
    };
    assert!(a.vcf_role_assignments[0].same_binding(&configured));
    // A scope without roleName still fails, naming the field.
    let e = serde_json::from_str::<AssignmentsJson>(
        r#"{"vcfRoleAssignments":[{"roleScope":{"scopeType":"SSO_REALM"}}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("roleName"), "{e}");
    // A set without the required list is not an empty set.
    let e = serde_json::from_str::<AssignmentsJson>("{}").unwrap_err();
    assert!(e.to_string().contains("vcfRoleAssignments"), "{e}");
}

/// VcfRole and VcfRoles as the reference's examples show them (getVCFRolesPaginated,
/// createRole), and the body the provider sends for createRole / updateRoleDefinition.
#[test]
fn roles_decode_and_encode_in_the_reference_shape() {
    let l: RoleList = serde_json::from_str(
        r#"{"vcfRoles":[{"roleName":"administrator","roleDisplayName":"Administrator",
          "roleDescription":"VC Administrator Role","type":"CUSTOM",
          "componentRoles":[{"componentType":"VCENTER","roles":["Admin"]}],
          "createdBy":"admin","updatedBy":"admin","createdAt":1724927355,"updatedAt":1725424086},
          {"roleName":"vcf_admin","type":"BUILT_IN","componentRoles":null}],
          "pageInfo":{"totalCount":2,"page":0,"pageSize":50},"links":[]}"#,
    )
    .unwrap();
    assert_eq!(l.vcf_roles.len(), 2);
    assert!(!l.vcf_roles[0].built_in() && l.vcf_roles[1].built_in());
    assert_eq!(l.vcf_roles[0].component_roles[0].roles, vec!["Admin"]);
    assert_eq!(l.page_info.and_then(|p| p.total_count), Some(2));
    // A page without its list is not an empty page.
    for body in [
        "{}",
        r#"{"vcfRoles":null}"#,
        r#"{"pageInfo":{"totalCount":0}}"#,
    ] {
        let e = serde_json::from_str::<RoleList>(body).err().expect(body);
        assert!(
            e.to_string().contains("vcfRoles") || e.to_string().contains("null"),
            "{e}"
        );
    }
    let e = serde_json::from_str::<RealmList>("{}")
        .err()
        .expect("realms");
    assert!(e.to_string().contains("ssoRealms"), "{e}");
    assert!(serde_json::from_str::<RealmList>(r#"{"ssoRealms":[]}"#).is_ok());
    let e = serde_json::from_str::<RoleJson>(r#"{"name":"old","builtIn":false}"#).unwrap_err();
    assert!(e.to_string().contains("roleName"), "{e}");
    let body = serde_json::to_value(RoleJson {
        role_name: "custom-administrator".into(),
        role_display_name: None,
        role_description: Some("d".into()),
        role_type: Some("CUSTOM".into()),
        component_roles: vec![ComponentRole {
            component_type: "NSX_MANAGER".into(),
            roles: vec!["network_engineer".into()],
        }],
        created_by: Some("x".into()),
        updated_by: None,
        created_at: Some(1),
        updated_at: None,
    })
    .unwrap();
    assert_eq!(
        body,
        serde_json::json!({"roleName":"custom-administrator","roleDescription":"d",
            "componentRoles":[{"componentType":"NSX_MANAGER","roles":["network_engineer"]}]})
    );
    let s: ComponentRoleSummaries = serde_json::from_str(
        r#"{"componentRoleSummaries":[{"componentType":"VCENTER","name":"Admin","type":"BUILT_IN"},{}]}"#,
    )
    .unwrap();
    assert_eq!(s.component_role_summaries[0].name.as_deref(), Some("Admin"));
}

#[test]
fn rfc3339_round_trip() {
    assert_eq!(millis_from_rfc3339("1970-01-01T00:00:01Z"), Some(1000));
    assert_eq!(millis_from_rfc3339("1970-01-01T02:00:01+02:00"), Some(1000));
    assert_eq!(millis_from_rfc3339("yesterday"), None);
}
