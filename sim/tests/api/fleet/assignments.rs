//! Role assignments: whole sets, SSO user principals, and the answers of put, get and delete.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn role_assignments_are_a_whole_set() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let (uuid, _, _) = sim
        .client_with_roles("p1", &["vcf_viewer", "vcf_operator"])
        .await;
    let path = format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles");
    assert_eq!(
        sim.get(&path, &at).await.body["vcfRoleAssignments"]
            .as_array()
            .expect("list")
            .len(),
        2
    );
    let one = json!({ "vcfRoleAssignments": [ { "roleName": "vcf_admin", "roleScope": { "scopeType": "SSO_REALM" }, "expiresAt": 4102444800000i64 } ] });
    assert_eq!(sim.put(&path, &at, &one).await.status, 200);
    let got = sim.get(&path, &at).await.body;
    assert_eq!(got["vcfRoleAssignments"].as_array().expect("list").len(), 1);
    assert_eq!(got["vcfRoleAssignments"][0]["expiresAt"], 4102444800000i64);
    assert_eq!(
        sim.put(&path, &at, &json!({ "vcfRoleAssignments": [] }))
            .await
            .status,
        200
    );
    assert_eq!(
        sim.get(&path, &at).await.body["vcfRoleAssignments"],
        json!([])
    );

    let bad = [
        json!({ "vcfRoleAssignments": [ { "roleName": "no_such_role", "roleScope": { "scopeType": "SSO_REALM" } } ] }),
        json!({ "vcfRoleAssignments": [ { "roleName": "vcf_viewer", "roleScope": { "scopeType": "PLANET" } } ] }),
        json!({ "vcfRoleAssignments": [ { "roleName": "vcf_viewer", "roleScope": { "scopeType": "VCF_INSTANCE" } } ] }),
        json!({ "vcfRoleAssignments": [ { "roleName": "vcf_viewer", "roleScope": { "scopeType": "VCF_INSTANCE", "resources": [ { "id": "elsewhere" } ] } } ] }),
        json!({ "vcfRoleAssignments": "all" }),
        json!({}),
    ];
    for b in bad {
        assert_error(&sim.put(&path, &at, &b).await, 400);
    }
    let ghost =
        format!("{IAM}/ssorealms/{realm}/principals/00000000-0000-0000-0000-000000000000/roles");
    assert_error(&sim.get(&ghost, &at).await, 404);
    assert_error(&sim.put(&ghost, &at, &one).await, 404);
}

#[tokio::test]
async fn sso_user_principals_get_roles_and_log_in() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let u = sim
        .ctl(
            Method::POST,
            "/objects",
            Some(json!({ "op": "create", "kind": "sso_user", "fields": { "name": "jane@rainpole.io", "password": "pw" } })),
        )
        .await;
    let id = u["id"].as_str().expect("id");
    let path = format!("{IAM}/ssorealms/{realm}/principals/{id}/roles");
    assert_eq!(
        sim.get(&path, &at).await.body["vcfRoleAssignments"],
        json!([])
    );
    let login =
        json!({ "username": "jane@rainpole.io", "password": "pw", "authSource": "vsphere.local" });
    let acquired = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&login),
        )
        .await;
    let tok = format!("OpsToken {}", acquired.body["token"].as_str().expect("t"));
    assert_error(&sim.get(&format!("{IAM}/ssorealms"), &tok).await, 403);
    sim.put(
        &path,
        &at,
        &json!({ "vcfRoleAssignments": [ { "roleName": "vcf_viewer", "roleScope": { "scopeType": "SSO_REALM" } } ] }),
    )
    .await;
    assert_eq!(sim.get(&format!("{IAM}/ssorealms"), &tok).await.status, 200);
}

/// `updateRoleAssignment` answers 200 with an empty body (a client expecting the set back gets
/// nothing to decode), `getRoleAssignment` returns the set with the reference's optional
/// fields, and `deleteRoleAssignments` removes every assignment with 204.
#[tokio::test]
async fn role_assignment_put_has_no_body_and_delete_removes_all() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let instance = sim.instance();
    let (uuid, _, _) = sim.client_with_roles("nobody", &[]).await;
    let path = format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles");
    let set = json!({ "vcfRoleAssignments": [
        { "roleName": "vcf_viewer", "roleScope": { "resources": [], "scopeType": "SSO_REALM" } },
        { "roleName": "sddc_admin", "roleScope": { "resources": [ { "id": instance } ], "scopeType": "VCF_INSTANCE" } }
    ]});
    let put = sim.put(&path, &at, &set).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert!(put.text.is_empty(), "PUT answers no body: {:?}", put.text);

    let got = sim.get(&path, &at).await;
    assert_eq!(got.status, 200);
    let list = got.body["vcfRoleAssignments"].as_array().expect("list");
    assert_eq!(list.len(), 2, "{}", got.text);
    let viewer = list
        .iter()
        .find(|a| a["roleName"] == "vcf_viewer")
        .expect("viewer");
    assert!(viewer["roleDisplayName"].is_string(), "{viewer}");
    assert!(viewer["roleScope"]["ssoName"].is_string(), "{viewer}");
    assert!(
        viewer.get("expiresAt").is_none(),
        "optional, omitted: {viewer}"
    );
    let sddc = list
        .iter()
        .find(|a| a["roleName"] == "sddc_admin")
        .expect("sddc");
    assert_eq!(sddc["roleScope"]["scopeType"], "VCF_INSTANCE");
    assert_eq!(sddc["roleScope"]["resources"][0]["id"], instance.as_str());
    assert!(
        sddc["roleScope"]["resources"][0]["name"].is_string(),
        "{sddc}"
    );

    let del = sim.delete(&path, &at).await;
    assert_eq!(del.status, 204, "{}", del.text);
    assert!(del.text.is_empty());
    assert_eq!(
        sim.get(&path, &at).await.body["vcfRoleAssignments"],
        json!([])
    );
    // Deleting an empty set again is fine; an unknown principal is 404.
    assert_eq!(sim.delete(&path, &at).await.status, 204);
    let ghost =
        format!("{IAM}/ssorealms/{realm}/principals/00000000-0000-0000-0000-000000000000/roles");
    assert_error(&sim.delete(&ghost, &at).await, 404);
    // Writes need the IAM write role; a reader cannot remove assignments.
    let (_, _, reader) = sim.client_with_roles("reader", &["vcf_viewer"]).await;
    assert_error(&sim.delete(&path, &reader).await, 403);
    // POST and PATCH are not operations of this path.
    for m in [Method::POST, Method::PATCH] {
        let r = sim.call(m.clone(), &path, Some(&at), Some(&set)).await;
        assert_eq!(r.status, 405, "{m}: {}", r.text);
    }
}
