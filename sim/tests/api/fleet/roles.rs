//! VCF roles: built-in and custom roles, the refused old shapes, role pages and component role
//! summaries.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn custom_roles_and_builtins() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let base = format!("{IAM}/roles");
    let list = sim.get(&format!("{base}?page=0&pageSize=50"), &at).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let roles = list.body["vcfRoles"].as_array().expect("vcfRoles");
    for name in ["vcf_viewer", "sddc_admin", "vcf_admin", "vcf_operator"] {
        let r = roles.iter().find(|r| r["roleName"] == name).expect(name);
        assert_eq!(r["type"], "BUILT_IN");
        assert!(r["roleDisplayName"].is_string() && r["roleDescription"].is_string());
        assert!(r["componentRoles"][0]["componentType"].is_string());
        assert!(r["componentRoles"][0]["roles"][0].is_string());
        assert!(r["createdBy"].is_string() && r["updatedAt"].is_i64(), "{r}");
    }
    assert_eq!(list.body["pageInfo"]["totalCount"], roles.len());
    let role = json!({ "roleName": "vcf-fleet-admin", "roleDisplayName": "Fleet admin", "roleDescription": "seed 002",
        "componentRoles": [ { "componentType": "VCF_OPERATIONS", "roles": ["Administrator"] } ] });
    let c = sim.post(&base, &at, &role).await;
    assert_eq!(c.status, 201, "{}", c.text);
    assert_eq!(c.body["type"], "CUSTOM");
    assert_eq!(c.body["roleName"], "vcf-fleet-admin");
    assert_eq!(
        c.body["componentRoles"][0]["roles"],
        json!(["Administrator"])
    );
    assert_error(&sim.post(&base, &at, &role).await, 409);
    let got = sim.get(&format!("{base}/vcf-fleet-admin"), &at).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["roleDescription"], "seed 002");
    assert_error(&sim.get(&format!("{base}/ghost"), &at).await, 404);
    assert_error(
        &sim.post(&base, &at, &json!({ "roleName": "x", "componentRoles": [ { "componentType": "TOASTER", "roles": ["a"] } ] })).await,
        400,
    );
    assert_error(
        &sim.post(
            &base,
            &at,
            &json!({ "roleName": "x", "componentRoles": [] }),
        )
        .await,
        400,
    );
    assert_error(
        &sim.post(&base, &at, &json!({ "roleName": "x", "componentRoles": [ { "componentType": "VCENTER", "roles": [] } ] }))
            .await,
        400,
    );
    // Built-in roles cannot be updated or deleted.
    assert_error(
        &sim.put(
            &base,
            &at,
            &json!({ "roleName": "vcf_admin", "componentRoles": [ { "componentType": "NSX_MANAGER", "roles": ["Auditor"] } ] }),
        )
        .await,
        400,
    );
    assert_error(&sim.delete(&format!("{base}/vcf_viewer"), &at).await, 400);
    let upd = sim
        .put(
            &base,
            &at,
            &json!({ "roleName": "vcf-fleet-admin", "roleDescription": "changed", "componentRoles": [
                { "componentType": "VCF_OPERATIONS", "roles": ["Administrator"] },
                { "componentType": "NSX_MANAGER", "roles": ["Auditor", "Network Operator"] },
                { "componentType": "VCF_ORCHESTRATOR", "roles": ["Workflow Designer"] } ] }),
        )
        .await;
    assert_eq!(upd.status, 200, "{}", upd.text);
    assert_eq!(upd.body["componentRoles"].as_array().expect("c").len(), 3);
    assert_eq!(upd.body["roleDescription"], "changed");
    assert_eq!(
        upd.body["roleDisplayName"], "Fleet admin",
        "kept when not sent"
    );
    assert_error(
        &sim.put(&base, &at, &json!({ "roleName": "ghost", "componentRoles": [ { "componentType": "VCENTER", "roles": ["Admin"] } ] })).await,
        404,
    );
    // The type filter.
    let custom = sim
        .get(&format!("{base}?page=0&pageSize=50&type=CUSTOM"), &at)
        .await;
    let names: Vec<&str> = custom.body["vcfRoles"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["roleName"].as_str())
        .collect();
    assert_eq!(names, ["vcf-fleet-admin"], "{}", custom.text);
    let builtin = sim
        .get(&format!("{base}?page=0&pageSize=50&type=BUILT_IN"), &at)
        .await;
    assert!(
        builtin.body["vcfRoles"]
            .as_array()
            .expect("list")
            .iter()
            .all(|r| r["type"] == "BUILT_IN")
    );

    // A client holding only the custom role may write (it has VCF_OPERATIONS Administrator).
    let realm = sim.realm();
    let (uuid, _, cat) = sim.client_with_roles("fleet", &["vcf-fleet-admin"]).await;
    let w = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-clients"),
            &cat,
            &json!({ "clientId": "made-by-custom-role", "clientName": "made-by-custom-role" }),
        )
        .await;
    assert_eq!(w.status, 201, "{}", w.text);
    // In use: cannot be deleted until unassigned.
    assert_error(
        &sim.delete(&format!("{base}/vcf-fleet-admin"), &at).await,
        409,
    );
    sim.delete(
        &format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles"),
        &at,
    )
    .await;
    let del = sim.delete(&format!("{base}/vcf-fleet-admin"), &at).await;
    assert_eq!(del.status, 204, "{}", del.text);
    assert_error(
        &sim.delete(&format!("{base}/vcf-fleet-admin"), &at).await,
        404,
    );
}

/// VCF roles are fleet-wide and the old guessed shapes get what a real appliance answers: the
/// realm-scoped role paths do not exist (404), role lists need `page` and `pageSize` (400
/// without), bodies need `roleName` and `componentRoles[{componentType, roles}]` (400 for
/// `name` / `component` + `roleName` entries and for `NSX`), the role to update is named in the
/// body (PUT /roles/{name} is 405), and component roles must be ones the component offers.
#[tokio::test]
async fn roles_are_fleet_wide_and_old_shapes_are_refused() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let old_base = format!("{IAM}/ssorealms/{realm}/roles");
    let old_body = json!({ "name": "old-style", "displayName": "Old", "description": "d",
        "componentRoles": [ { "component": "VCF_OPERATIONS", "roleName": "Administrator" } ] });
    assert_error(&sim.get(&old_base, &at).await, 404);
    assert_error(&sim.post(&old_base, &at, &old_body).await, 404);
    assert_error(
        &sim.put(&format!("{old_base}/vcf_admin"), &at, &old_body)
            .await,
        404,
    );
    assert_error(
        &sim.delete(&format!("{old_base}/vcf_admin"), &at).await,
        404,
    );

    let base = format!("{IAM}/roles");
    for q in [
        "",
        "?page=0",
        "?pageSize=50",
        "?page=-1&pageSize=50",
        "?page=0&pageSize=0",
        "?page=x&pageSize=50",
        "?page=0&pageSize=51",
        "?page=0&pageSize=50&type=SYSTEM",
        "?page=0&pageSize=50&sortOrder=UP",
    ] {
        assert_error(&sim.get(&format!("{base}{q}"), &at).await, 400);
    }
    assert_error(&sim.post(&base, &at, &old_body).await, 400);
    let nsx = json!({ "roleName": "net-audit", "componentRoles": [ { "componentType": "NSX", "roles": ["Auditor"] } ] });
    assert_error(&sim.post(&base, &at, &nsx).await, 400);
    let mixed = json!({ "roleName": "net-audit", "componentRoles": [ { "componentType": "NSX_MANAGER", "roleName": "Auditor" } ] });
    assert_error(&sim.post(&base, &at, &mixed).await, 400);
    let not_offered = json!({ "roleName": "net-audit", "componentRoles": [ { "componentType": "NSX_MANAGER", "roles": ["Toaster"] } ] });
    let refused = sim.post(&base, &at, &not_offered).await;
    assert_error(&refused, 400);
    assert!(refused.text.contains("Toaster"), "{}", refused.text);
    let good = json!({ "roleName": "net-audit", "componentRoles": [ { "componentType": "NSX_MANAGER", "roles": ["Auditor"] } ] });
    assert_eq!(sim.post(&base, &at, &good).await.status, 201);
    let r = sim
        .call(
            Method::PUT,
            &format!("{base}/net-audit"),
            Some(&at),
            Some(&good),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
    // An assignment of a custom role works in any realm: the role is the fleet's.
    let (uuid, _, _) = sim.client_with_roles("anywhere", &["net-audit"]).await;
    let got = sim
        .get(
            &format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles"),
            &at,
        )
        .await;
    assert_eq!(got.body["vcfRoleAssignments"][0]["roleName"], "net-audit");
    // Reads need a role in some realm; writes the IAM write role.
    let (_, _, reader) = sim.client_with_roles("role-reader", &["vcf_viewer"]).await;
    assert_eq!(
        sim.get(&format!("{base}?page=0&pageSize=10"), &reader)
            .await
            .status,
        200
    );
    assert_error(&sim.post(&base, &reader, &json!({ "roleName": "r2", "componentRoles": [ { "componentType": "VCENTER", "roles": ["Admin"] } ] })).await, 403);
    assert_error(
        &sim.delete(&format!("{base}/net-audit"), &reader).await,
        403,
    );
}

/// Role lists are paged (0-based pages), and component role summaries list what each
/// component offers, filtered by `componentType`.
#[tokio::test]
async fn role_pages_and_component_role_summaries() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    for i in 0..7 {
        let c = sim
            .post(
                &format!("{IAM}/roles"),
                &at,
                &json!({ "roleName": format!("paged-{i}"), "componentRoles": [ { "componentType": "VCENTER", "roles": ["Read-only"] } ] }),
            )
            .await;
        assert_eq!(c.status, 201, "{}", c.text);
    }
    let mut seen = Vec::new();
    for page in 0..4 {
        let p = sim
            .get(
                &format!("{IAM}/roles?page={page}&pageSize=3&sortBy=ROLE_NAME&sortOrder=ASCENDING"),
                &at,
            )
            .await;
        assert_eq!(p.status, 200, "{}", p.text);
        assert_eq!(p.body["pageInfo"]["totalCount"], 11);
        assert_eq!(p.body["pageInfo"]["page"], page);
        for r in p.body["vcfRoles"].as_array().expect("list") {
            seen.push(r["roleName"].as_str().expect("name").to_string());
        }
    }
    assert_eq!(seen.len(), 11, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    let all = sim
        .get(&format!("{IAM}/components/roles/summaries"), &at)
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    let list = all.body["componentRoleSummaries"].as_array().expect("list");
    for t in [
        "VCENTER",
        "NSX_MANAGER",
        "VCF_OPERATIONS",
        "VCF_AUTOMATION",
        "HCX",
        "VCF_ORCHESTRATOR",
    ] {
        assert!(list.iter().any(|c| c["componentType"] == t), "{t}");
    }
    let nsx = sim
        .get(
            &format!("{IAM}/components/roles/summaries?componentType=NSX_MANAGER"),
            &at,
        )
        .await;
    let names: Vec<&str> = nsx.body["componentRoleSummaries"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| {
            assert_eq!(c["componentType"], "NSX_MANAGER");
            c["name"].as_str().expect("name")
        })
        .collect();
    assert!(names.contains(&"Auditor"), "{names:?}");
    assert_error(
        &sim.get(
            &format!("{IAM}/components/roles/summaries?componentType=NSX"),
            &at,
        )
        .await,
        400,
    );
}
