//! The permission model: VCF roles decide, in the realm of the path only.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn permissions_follow_vcf_roles_only() {
    let sim = Sim::start().await;
    let realm = sim.realm();
    let (_, _, viewer) = sim.client_with_roles("viewer", &["vcf_viewer"]).await;
    let (_, _, nobody) = sim.client_with_roles("nobody", &[]).await;
    let (_, _, admin) = sim.client_with_roles("admin2", &["vcf_admin"]).await;
    let clients = format!("{IAM}/ssorealms/{realm}/api-clients");
    // Viewer: reads yes, writes no.
    assert_eq!(
        sim.get(&format!("{IAM}/ssorealms"), &viewer).await.status,
        200
    );
    assert_eq!(
        sim.post(&format!("{clients}/query"), &viewer, &json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        sim.post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &viewer,
            &json!({})
        )
        .await
        .status,
        200
    );
    let w = sim
        .post(
            &clients,
            &viewer,
            &json!({ "clientId": "v", "clientName": "v" }),
        )
        .await;
    assert_error(&w, 403);
    assert!(
        w.body["message"]
            .as_str()
            .expect("m")
            .contains("vcf_viewer")
    );
    assert_error(
        &sim.call(
            Method::PATCH,
            &clients,
            Some(&viewer),
            Some(&json!({ "clientUuid": "any", "clientName": "x" })),
        )
        .await,
        403,
    );
    assert_error(
        &sim.delete(&format!("{clients}/admin2"), &viewer).await,
        403,
    );
    // No role at all: nothing.
    assert_error(&sim.get(&format!("{IAM}/ssorealms"), &nobody).await, 403);
    assert_error(
        &sim.post(&format!("{clients}/query"), &nobody, &json!({}))
            .await,
        403,
    );
    // Admin: writes.
    assert_eq!(
        sim.post(
            &clients,
            &admin,
            &json!({ "clientId": "by-admin", "clientName": "by-admin" })
        )
        .await
        .status,
        201
    );

    // sddc_admin at VCF_INSTANCE scope reads, but does not manage IAM.
    let at = sim.fleet_admin().await;
    let (uuid, vidb, _) = sim.client_with_roles("inst", &[]).await;
    sim.put(
        &format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles"),
        &at,
        &json!({ "vcfRoleAssignments": [ { "roleName": "sddc_admin", "roleScope": { "scopeType": "VCF_INSTANCE", "resources": [ { "id": sim.instance() } ] } } ] }),
    )
    .await;
    let inst = sim.exchange(&vidb).await.body["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    assert_eq!(
        sim.post(&format!("{clients}/query"), &inst, &json!({}))
            .await
            .status,
        200
    );
    assert_error(
        &sim.post(
            &clients,
            &inst,
            &json!({ "clientId": "i", "clientName": "i" }),
        )
        .await,
        403,
    );

    // An expired assignment does not count.
    let (uuid, vidb, _) = sim.client_with_roles("temp", &[]).await;
    sim.put(
        &format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles"),
        &at,
        &json!({ "vcfRoleAssignments": [ { "roleName": "vcf_admin", "roleScope": { "scopeType": "SSO_REALM" }, "expiresAt": 1000 } ] }),
    )
    .await;
    let temp = sim.exchange(&vidb).await.body["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    assert_error(
        &sim.post(&format!("{clients}/query"), &temp, &json!({}))
            .await,
        403,
    );

    // Unknown and missing bearer tokens are 401.
    assert_error(
        &sim.post(&format!("{clients}/query"), "nonsense", &json!({}))
            .await,
        401,
    );
    assert_error(
        &sim.call(
            Method::POST,
            &format!("{clients}/query"),
            None,
            Some(&json!({})),
        )
        .await,
        401,
    );
    // An SDDC Manager token is not a fleet token.
    let sddc = sim.sddc_admin().await["accessToken"]
        .as_str()
        .expect("at")
        .to_string();
    assert_error(
        &sim.post(&format!("{clients}/query"), &sddc, &json!({}))
            .await,
        401,
    );
}

#[tokio::test]
async fn roles_count_only_in_their_own_realm() {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cfg = dir.join("f.toml");
    std::fs::write(
        &cfg,
        r#"
[[realms]]
name = "realm-a"
vcf_instances = [{ name = "a-vcf" }]

[[realms]]
name = "realm-b"
vcf_instances = [{ name = "b-vcf" }]
"#,
    )
    .expect("write");
    let cfg_s = cfg.to_string_lossy().to_string();
    let sim = Sim::start_in(dir.join("state"), &["--config", &cfg_s], false);
    let at = sim.fleet_admin().await;
    let realms = sim.get(&format!("{IAM}/ssorealms"), &at).await;
    let list = realms.body["ssoRealms"].as_array().expect("realms");
    assert_eq!(list.len(), 2);
    let b = list
        .iter()
        .find(|r| r["name"] == "realm-b")
        .expect("realm-b")["id"]
        .as_str()
        .expect("id")
        .to_string();
    // The bootstrap client is vcf_admin in realm-a only.
    assert_error(
        &sim.post(
            &format!("{IAM}/ssorealms/{b}/api-clients/query"),
            &at,
            &json!({}),
        )
        .await,
        403,
    );
    let a = sim.realm();
    assert_eq!(
        sim.post(
            &format!("{IAM}/ssorealms/{a}/api-clients/query"),
            &at,
            &json!({})
        )
        .await
        .status,
        200
    );
    // An instance of realm-b is not a valid scope in realm-a.
    let b_instance = list
        .iter()
        .find(|r| r["name"] == "realm-b")
        .expect("realm-b")["vcfInstanceId"]
        .clone();
    let (uuid, _, _) = sim.client_with_roles("cross", &[]).await;
    let res = sim
        .put(
            &format!("{IAM}/ssorealms/{a}/principals/{uuid}/roles"),
            &at,
            &json!({ "vcfRoleAssignments": [ { "roleName": "vcf_viewer", "roleScope": { "scopeType": "VCF_INSTANCE", "resources": [ { "id": b_instance } ] } } ] }),
        )
        .await;
    assert_error(&res, 400);
    let _ = std::fs::remove_dir_all(&dir);
}
