//! Seed 001 replayed with the seed's own bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Seed 001, steps 0-5, with the seed's own bodies.
#[tokio::test]
async fn seed_001_steps_0_to_5() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;

    // Step 0: realms.
    let realms = sim.get(&format!("{IAM}/ssorealms"), &at).await;
    assert_eq!(realms.status, 200);
    let realm = realms.body["ssoRealms"]
        .as_array()
        .expect("ssoRealms")
        .iter()
        .find(|r| r["name"] == "flt-idb02")
        .expect("flt-idb02")
        .clone();
    for k in ["id", "vidbResourceId", "vcfInstanceId", "idpId"] {
        assert!(realm[k].is_string(), "{k}");
    }
    assert_eq!(realm["issues"], json!([]));
    assert!(realm["createdAt"].is_i64() && realm["updatedAt"].is_i64());
    assert!(realm["totalConfiguredComponents"].is_u64());
    let cov = realm["ssoRealmCoverage"].as_array().expect("coverage");
    assert!(
        cov.iter()
            .any(|c| c["name"] == "sfo-vcf02" && c["ssoEntityType"] == "VCF_INSTANCE")
    );
    assert!(
        cov.iter()
            .any(|c| c["ssoEntityType"] == "MANAGEMENT_COMPONENT")
    );
    let realm_id = realm["id"].as_str().expect("id");
    let instance = realm["vcfInstanceId"].as_str().expect("instance");

    // Step 1: API client.
    let c = sim
        .post(
            &format!("{IAM}/ssorealms/{realm_id}/api-clients"),
            &at,
            &json!({ "clientId": "IamClient", "clientName": "Iam Client", "clientDescription": "API client for IAM functional testing" }),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    assert_eq!(c.body["clientId"], "IamClient");
    assert_eq!(c.body["clientName"], "Iam Client");
    assert_eq!(
        c.body["clientDescription"],
        "API client for IAM functional testing"
    );
    let uuid = c.body["clientUuid"].as_str().expect("clientUuid");

    // Step 2: roles, then read them back.
    let set = json!({ "vcfRoleAssignments": [
        { "roleName": "vcf_viewer", "roleScope": { "scopeType": "SSO_REALM" }, "expiresAt": null },
        { "roleName": "sddc_admin", "roleScope": { "scopeType": "VCF_INSTANCE", "resources": [ { "id": instance } ] }, "expiresAt": null }
    ]});
    let p = sim
        .put(
            &format!("{IAM}/ssorealms/{realm_id}/principals/{uuid}/roles"),
            &at,
            &set,
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    let g = sim
        .get(
            &format!("{IAM}/ssorealms/{realm_id}/principals/{uuid}/roles"),
            &at,
        )
        .await;
    assert_eq!(g.status, 200);
    let list = g.body["vcfRoleAssignments"].as_array().expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["roleName"], "vcf_viewer");
    assert_eq!(list[0]["roleScope"]["scopeType"], "SSO_REALM");
    assert_eq!(list[0]["expiresAt"], Value::Null);
    assert_eq!(list[1]["roleScope"]["scopeType"], "VCF_INSTANCE");
    assert_eq!(list[1]["roleScope"]["resources"][0]["id"], instance);

    // Step 3: token.
    let t = sim
        .post(
            &format!("{IAM}/ssorealms/{realm_id}/api-tokens"),
            &at,
            &json!({ "apiClientId": "IamClient", "tokenName": "apitoken-test1000", "tokenDescription": "API Token for testing", "tokenType": "API_CLIENT", "apiTokenTtl": 40320, "accessTokenTtl": 30 }),
        )
        .await;
    assert_eq!(t.status, 201, "generateApiToken answers 201: {}", t.text);
    let tok = &t.body;
    assert_eq!(tok["apiClientId"], "IamClient");
    assert_eq!(tok["tokenName"], "apitoken-test1000");
    assert_eq!(tok["apiTokenTtl"], 40320);
    assert_eq!(tok["accessTokenTtl"], 30);
    assert_eq!(tok["tokenType"], "API_CLIENT");
    assert_eq!(tok["tokenStatus"], "ACTIVE");
    let secret = tok["token"].as_str().expect("token");
    assert!(secret.starts_with("vidb_"));
    assert_eq!(
        tok["tokenLastChars"].as_str().expect("last"),
        &secret[secret.len() - 5..]
    );
    assert_eq!(
        tok["expirationDate"].as_i64().expect("exp") - tok["creationDate"].as_i64().expect("c"),
        40320 * 60_000
    );
    assert!(tok["lastUsedDate"].is_i64());
    assert!(
        tok["tokenEndpointUrl"]
            .as_str()
            .expect("endpoint")
            .ends_with("/acs/t/CUSTOMER/token")
    );
    assert!(
        tok["oidcIssuerUrl"]
            .as_str()
            .expect("issuer")
            .ends_with("/acs/t/CUSTOMER")
    );
    let id = tok["id"].as_str().expect("id");

    // Step 4: query.
    let q = sim
        .post(
            &format!("{IAM}/ssorealms/{realm_id}/api-tokens/query?page=0&pageSize=50&sortOrder=ASCENDING"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "terms": ["IamClient"], "operator": "LIKE" } ], "anyOf": [] }, "filters": { "tokenType": ["API_CLIENT"] } }),
        )
        .await;
    assert_eq!(q.status, 200, "{}", q.text);
    assert_eq!(
        q.body["pageInfo"],
        json!({ "totalCount": 1, "page": 0, "pageSize": 50, "sortOrder": "ASCENDING" })
    );
    let found = &q.body["apiTokens"][0];
    assert_eq!(found["id"], id);
    assert_eq!(found["principalName"], "IamClient");
    assert!(found.get("token").is_none(), "the secret is never listed");

    // Step 5: regenerate.
    let r = sim
        .call(
            Method::POST,
            &format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}/regenerate"),
            Some(&at),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // "Regenerates the secret value for an existing API Token": same token, new secret.
    assert_eq!(r.body["id"], id);
    assert_eq!(r.body["tokenName"], "apitoken-test1000");
    assert_eq!(r.body["apiTokenTtl"], 40320);
    assert_eq!(r.body["tokenStatus"], "ACTIVE");
    let new_secret = r.body["token"].as_str().expect("token");
    assert_ne!(new_secret, secret);
    let same = sim
        .get(&format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}"), &at)
        .await;
    assert_eq!(same.body["tokenStatus"], "ACTIVE");
    assert_error(&sim.exchange(secret).await, 400);
    let ex = sim.exchange(new_secret).await;
    assert_eq!(ex.status, 200);
    assert_eq!(ex.body["expires_in"], 1800);
    assert_eq!(ex.body["token_type"], "Bearer");
    // The client is vcf_viewer + sddc_admin: it can read, not write (seed 002).
    let cat = ex.body["access_token"].as_str().expect("at");
    assert_eq!(sim.get(&format!("{IAM}/ssorealms"), cat).await.status, 200);
    let w = sim
        .post(
            &format!("{IAM}/ssorealms/{realm_id}/api-clients"),
            cat,
            &json!({ "clientId": "x", "clientName": "x" }),
        )
        .await;
    assert_error(&w, 403);
    // Regenerating a token that is gone is a 404.
    assert_eq!(
        sim.delete(&format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}"), &at)
            .await
            .status,
        204
    );
    let again = sim
        .call(
            Method::POST,
            &format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}/regenerate"),
            Some(&at),
            None,
        )
        .await;
    assert_error(&again, 404);
}
