//! Contract B: fleet IAM and its authentication.

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
            &json!({ "apiClientId": "IamClient", "tokenName": "apitoken-test1000", "tokenDescription": "API Token for testing", "tokenType": "API_CLIENT", "apiTokenTtl": "40320", "accessTokenTtl": "30" }),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
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
    assert_ne!(r.body["id"], id);
    assert_eq!(r.body["tokenName"], "apitoken-test1000");
    assert_eq!(r.body["apiTokenTtl"], 40320);
    assert_eq!(r.body["tokenStatus"], "ACTIVE");
    let new_secret = r.body["token"].as_str().expect("token");
    assert_ne!(new_secret, secret);
    let old = sim
        .get(&format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}"), &at)
        .await;
    assert_ne!(old.body["tokenStatus"], "ACTIVE");
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
    // Regenerating the old one again is refused.
    let again = sim
        .call(
            Method::POST,
            &format!("{IAM}/ssorealms/{realm_id}/api-tokens/{id}/regenerate"),
            Some(&at),
            None,
        )
        .await;
    assert_error(&again, 409);
}

#[tokio::test]
async fn api_clients_crud() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let base = format!("{IAM}/ssorealms/{realm}/api-clients");
    let c = sim
        .post(
            &base,
            &at,
            &json!({ "clientId": "c1", "clientName": "one", "clientDescription": "d" }),
        )
        .await;
    assert_eq!(c.status, 201, "createApiClient answers 201: {}", c.text);
    assert_error(
        &sim.post(
            &base,
            &at,
            &json!({ "clientId": "c1", "clientName": "again" }),
        )
        .await,
        409,
    );
    assert_error(
        &sim.post(&base, &at, &json!({ "clientName": "no id" }))
            .await,
        400,
    );
    // clientName is required.
    assert_error(
        &sim.post(&base, &at, &json!({ "clientId": "c9" })).await,
        400,
    );
    assert_error(
        &sim.post(&base, &at, &json!({ "clientId": 7, "clientName": "n" }))
            .await,
        400,
    );
    assert_error(
        &sim.post(
            &base,
            &at,
            &json!({ "clientId": "has space", "clientName": "n" }),
        )
        .await,
        400,
    );

    // The only list is the paged query; the collection has no GET.
    assert_error(&sim.get(&base, &at).await, 405);
    let list = sim
        .post(&format!("{base}/query?page=0&pageSize=50"), &at, &json!({}))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.body["pageInfo"]["totalCount"].is_u64());
    assert!(
        list.body["apiClients"]
            .as_array()
            .expect("apiClients")
            .iter()
            .any(|x| x["clientId"] == "c1")
    );
    let one = sim.get(&format!("{base}/c1"), &at).await;
    assert_eq!(one.body, c.body);

    // Update: PATCH on the collection, the client named by clientUuid; 204 without a body.
    let uuid = c.body["clientUuid"].clone();
    let upd = sim
        .call(
            Method::PATCH,
            &base,
            Some(&at),
            Some(&json!({ "clientUuid": uuid, "clientId": "c1", "clientName": "uno", "clientDescription": "new" })),
        )
        .await;
    assert_eq!(upd.status, 204, "{}", upd.text);
    assert!(upd.text.is_empty());
    let one = sim.get(&format!("{base}/c1"), &at).await;
    assert_eq!(one.body["clientName"], "uno");
    assert_eq!(one.body["clientDescription"], "new");
    assert_eq!(one.body["clientUuid"], uuid);
    let patch = |body: Value| {
        let (sim, base, at) = (&sim, &base, &at);
        async move { sim.call(Method::PATCH, base, Some(at), Some(&body)).await }
    };
    assert_error(&patch(json!({ "clientName": "no uuid" })).await, 400);
    assert_error(
        &patch(json!({ "clientUuid": uuid, "clientId": "c2" })).await,
        400,
    );
    assert_error(
        &patch(json!({ "clientUuid": "00000000-0000-0000-0000-000000000000" })).await,
        404,
    );
    // The old guessed update (PUT on the client) does not exist.
    assert_error(
        &sim.put(&format!("{base}/c1"), &at, &json!({ "clientName": "x" }))
            .await,
        405,
    );

    // Delete cascades to its tokens.
    let t = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens"),
            &at,
            &json!({ "apiClientId": "c1", "tokenName": "t", "tokenType": "API_CLIENT", "apiTokenTtl": 60, "accessTokenTtl": 5 }),
        )
        .await;
    assert_eq!(t.status, 200);
    assert_eq!(sim.delete(&format!("{base}/c1"), &at).await.status, 204);
    assert_error(&sim.get(&format!("{base}/c1"), &at).await, 404);
    assert_error(&sim.delete(&format!("{base}/c1"), &at).await, 404);
    let tid = t.body["id"].as_str().expect("id");
    assert_error(
        &sim.get(&format!("{IAM}/ssorealms/{realm}/api-tokens/{tid}"), &at)
            .await,
        404,
    );
    assert_error(
        &sim.exchange(t.body["token"].as_str().expect("t")).await,
        400,
    );
    assert_error(
        &sim.post(
            &format!("{IAM}/ssorealms/nope/api-clients/query"),
            &at,
            &json!({}),
        )
        .await,
        404,
    );
}

/// The client query pages (0-based) and narrows by CLIENT_ID / CLIENT_NAME search terms.
#[tokio::test]
async fn api_client_query_pages_and_searches() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let base = format!("{IAM}/ssorealms/{realm}/api-clients");
    for i in 0..60 {
        let c = sim
            .post(
                &base,
                &at,
                &json!({ "clientId": format!("bulk-{i:02}"), "clientName": format!("Bulk {i}") }),
            )
            .await;
        assert_eq!(c.status, 201, "{}", c.text);
    }
    let terms = json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "operator": "LIKE", "terms": ["bulk-"] } ] } });
    let p0 = sim
        .post(&format!("{base}/query?page=0&pageSize=50"), &at, &terms)
        .await;
    let p1 = sim
        .post(&format!("{base}/query?page=1&pageSize=50"), &at, &terms)
        .await;
    assert_eq!(p0.body["pageInfo"]["totalCount"], 60);
    assert_eq!(p0.body["apiClients"].as_array().expect("page 0").len(), 50);
    assert_eq!(p1.body["apiClients"].as_array().expect("page 1").len(), 10);
    let by_name = sim
        .post(
            &format!("{base}/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_NAME", "operator": "EQUALS", "terms": ["Bulk 7"] } ] } }),
        )
        .await;
    let hits = by_name.body["apiClients"].as_array().expect("hits");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["clientId"], "bulk-07");
    assert_error(
        &sim.post(&format!("{base}/query?pageSize=0"), &at, &json!({}))
            .await,
        400,
    );
    assert_error(
        &sim.post(&format!("{base}/query?page=x"), &at, &json!({}))
            .await,
        400,
    );
}

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
async fn tokens_validation_get_delete_and_ttls() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    sim.client_with_roles("c", &["vcf_admin"]).await;
    let base = format!("{IAM}/ssorealms/{realm}/api-tokens");
    let mk = |ttl: Value, att: Value| json!({ "apiClientId": "c", "tokenName": "n", "tokenType": "API_CLIENT", "apiTokenTtl": ttl, "accessTokenTtl": att });
    for (ttl, att) in [
        (json!("0"), json!("30")),
        (json!("259201"), json!("30")),
        (json!("abc"), json!("30")),
        (json!(true), json!("30")),
        (json!("60"), json!("0")),
    ] {
        assert_error(&sim.post(&base, &at, &mk(ttl, att)).await, 400);
    }
    assert_error(
        &sim.post(
            &base,
            &at,
            &json!({ "apiClientId": "ghost", "tokenName": "n", "tokenType": "API_CLIENT" }),
        )
        .await,
        400,
    );
    assert_error(
        &sim.post(
            &base,
            &at,
            &json!({ "apiClientId": "c", "tokenName": "n", "tokenType": "ROBOT" }),
        )
        .await,
        400,
    );
    let t = sim.post(&base, &at, &mk(json!("60"), json!("5"))).await;
    assert_eq!(t.status, 200, "{}", t.text);
    let id = t.body["id"].as_str().expect("id");
    let secret = t.body["token"].as_str().expect("secret");
    let g = sim.get(&format!("{base}/{id}"), &at).await;
    assert_eq!(g.status, 200);
    assert!(g.body.get("token").is_none());
    assert_eq!(g.body["tokenStatus"], "ACTIVE");

    // Access token lives accessTokenTtl minutes.
    let ex = sim.exchange(secret).await;
    assert_eq!(ex.body["expires_in"], 300);
    let cat = ex.body["access_token"].as_str().expect("at").to_string();
    assert_eq!(sim.get(&format!("{IAM}/ssorealms"), &cat).await.status, 200);
    sim.advance_minutes(6.0).await;
    assert_error(&sim.get(&format!("{IAM}/ssorealms"), &cat).await, 401);
    // lastUsedDate moved with the exchange.
    let g2 = sim.get(&format!("{base}/{id}"), &at).await;
    assert!(g2.body["lastUsedDate"].as_i64() >= g.body["lastUsedDate"].as_i64());

    // The API token expires after apiTokenTtl minutes.
    sim.advance_minutes(60.0).await;
    let at = sim.fleet_admin().await;
    assert_eq!(
        sim.get(&format!("{base}/{id}"), &at).await.body["tokenStatus"],
        "EXPIRED"
    );
    let ex = sim.exchange(secret).await;
    assert_error(&ex, 400);
    assert_eq!(ex.body["error"], "invalid_grant");

    assert_eq!(sim.delete(&format!("{base}/{id}"), &at).await.status, 204);
    assert_error(&sim.get(&format!("{base}/{id}"), &at).await, 404);
    assert_error(&sim.delete(&format!("{base}/{id}"), &at).await, 404);
}

#[tokio::test]
async fn query_paging_sort_and_filters() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    sim.ctl(
        Method::POST,
        "/objects",
        Some(json!({ "op": "create", "kind": "api_client", "fields": { "clientId": "bulk" } })),
    )
    .await;
    let created = sim
        .ctl(
            Method::POST,
            "/objects",
            Some(json!({ "op": "create", "kind": "api_token", "count": 120,
                "fields": { "apiClientId": "bulk", "tokenName": "b", "tokenType": "API_CLIENT", "apiTokenTtl": "40320", "accessTokenTtl": "30" } })),
        )
        .await;
    assert_eq!(created["created"].as_array().expect("created").len(), 120);
    let body = json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "terms": ["bulk"], "operator": "EQUALS" } ], "anyOf": [] }, "filters": { "tokenType": ["API_CLIENT"] } });
    let q = |page: i64, size: i64, sort: &str| {
        let sim = &sim;
        let at = at.clone();
        let body = body.clone();
        let path = format!(
            "{IAM}/ssorealms/{realm}/api-tokens/query?page={page}&pageSize={size}&sortOrder={sort}"
        );
        async move { sim.post(&path, &at, &body).await }
    };
    let mut seen = Vec::new();
    for (page, n) in [(0, 50), (1, 50), (2, 20), (3, 0)] {
        let r = q(page, 50, "ASCENDING").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["pageInfo"]["totalCount"], 120);
        assert_eq!(r.body["pageInfo"]["page"], page);
        let items = r.body["apiTokens"].as_array().expect("tokens");
        assert_eq!(items.len(), n);
        seen.extend(items.iter().map(|t| t["id"].clone()));
    }
    seen.sort_by_key(|v| v.to_string());
    seen.dedup();
    assert_eq!(seen.len(), 120, "pages do not overlap");
    let asc = q(0, 5, "ASCENDING").await.body["apiTokens"].clone();
    let desc = q(23, 5, "DESCENDING").await.body["apiTokens"].clone();
    let mut rev: Vec<Value> = desc.as_array().expect("d").clone();
    rev.reverse();
    assert_eq!(&rev, asc.as_array().expect("a"));
    assert_error(&q(0, 51, "ASCENDING").await, 400);
    assert_error(&q(0, 0, "ASCENDING").await, 400);
    assert_error(&q(-1, 10, "ASCENDING").await, 400);
    assert_error(&q(0, 10, "SIDEWAYS").await, 400);

    let by_name = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "TOKEN_NAME", "terms": ["b-7"], "operator": "EQUALS" } ] } }),
        )
        .await;
    assert_eq!(by_name.body["pageInfo"]["totalCount"], 1);
    let like = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "TOKEN_NAME", "terms": ["b-11"], "operator": "LIKE" } ] } }),
        )
        .await;
    assert_eq!(like.body["pageInfo"]["totalCount"], 11); // b-11, b-110..b-119
    let bad = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "COLOR", "terms": ["x"], "operator": "LIKE" } ] } }),
        )
        .await;
    assert_error(&bad, 400);
    let bad_op = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "terms": ["x"], "operator": "REGEX" } ] } }),
        )
        .await;
    assert_error(&bad_op, 400);
}

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
async fn username_password_acquire_and_token_endpoint_errors() {
    let sim = Sim::start().await;
    let realm = sim.realm();
    let ok = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.r("operations", "username"), "password": sim.r("operations", "password"), "authSource": "LOCAL" })),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let token = ok.body["token"].as_str().expect("token");
    assert!(ok.body["validity"].is_i64());
    let ops = format!("OpsToken {token}");
    assert_eq!(sim.get(&format!("{IAM}/ssorealms"), &ops).await.status, 200);
    assert_eq!(
        sim.get(&format!("{IAM}/roles?page=0&pageSize=50"), &ops)
            .await
            .status,
        200
    );
    // The user (vcf_admin) can create a token for itself.
    let t = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens"),
            &ops,
            &json!({ "tokenName": "mine", "tokenType": "SSO_USER", "apiTokenTtl": "43200", "accessTokenTtl": "30" }),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["tokenType"], "SSO_USER");
    assert_eq!(t.body["principalName"], sim.r("operations", "username"));

    let bad = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.r("operations", "username"), "password": "wrong" })),
        )
        .await;
    assert_error(&bad, 401);
    for _ in 0..4 {
        sim.call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.r("operations", "username"), "password": "wrong" })),
        )
        .await;
    }
    let locked = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.r("operations", "username"), "password": sim.r("operations", "password") })),
        )
        .await;
    assert_error(&locked, 401);
    assert!(locked.text.contains("locked"));

    let wrong_grant = sim
        .form(
            "/acs/t/CUSTOMER/token",
            &[("grant_type", "password"), ("username", "a")],
        )
        .await;
    assert_error(&wrong_grant, 400);
    assert_eq!(wrong_grant.body["error"], "unsupported_grant_type");
    let unknown = sim.exchange("vidb_bm9wZSNub3Bl").await;
    assert_eq!(unknown.body["error"], "invalid_grant");
    assert_error(&sim.form("/acs/t/CUSTOMER/token", &[]).await, 400);
}

/// The OpsToken security scheme carries token/acquire sessions, Bearer carries VCF SSO access
/// tokens; each under the other scheme is refused, as the reference's schemes say.
#[tokio::test]
async fn acquired_tokens_are_ops_tokens_and_sso_tokens_are_bearer() {
    let sim = Sim::start().await;
    let realms = format!("{IAM}/ssorealms");
    let ops = sim.ops_session().await;
    let raw = ops.trim_start_matches("OpsToken ").to_string();
    assert_eq!(sim.get(&realms, &ops).await.status, 200);
    let legacy = sim
        .client
        .get(format!("{}{realms}", sim.url))
        .header("authorization", format!("vRealizeOpsToken {raw}"))
        .send()
        .await
        .expect("send");
    assert_eq!(legacy.status().as_u16(), 200, "the older scheme name");
    // The old guessed shape: the acquired token as a bearer.
    assert_error(&sim.get(&realms, &raw).await, 401);

    let sso = sim.fleet_admin().await;
    assert_eq!(sim.get(&realms, &sso).await.status, 200);
    assert_error(&sim.get(&realms, &format!("OpsToken {sso}")).await, 401);
    let basic = sim
        .client
        .get(format!("{}{realms}", sim.url))
        .header("authorization", format!("Basic {raw}"))
        .send()
        .await
        .expect("send");
    assert_eq!(basic.status().as_u16(), 401);
}

#[tokio::test]
async fn release_ends_the_acquired_session_only() {
    let sim = Sim::start().await;
    let realms = format!("{IAM}/ssorealms");
    let release = "/suite-api/api/auth/token/release";
    let sso = sim.fleet_admin().await;
    assert_error(
        &sim.call(Method::POST, release, Some(&sso), None).await,
        401,
    );
    assert_error(&sim.call(Method::POST, release, None, None).await, 401);
    let ops = sim.ops_session().await;
    let done = sim.call(Method::POST, release, Some(&ops), None).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.is_empty(), "release answers without a body");
    assert_error(&sim.get(&realms, &ops).await, 401);
    assert_error(
        &sim.call(Method::POST, release, Some(&ops), None).await,
        401,
    );
    assert_eq!(
        sim.get(&realms, &sso).await.status,
        200,
        "other sessions live on"
    );
}

/// The identity broker takes an API token in the `api_token` field of its own grant; the old
/// guessed shape (an OAuth refresh grant carrying the API token) is refused.
#[tokio::test]
async fn the_token_endpoint_takes_the_api_token_grant_only() {
    let sim = Sim::start().await;
    let t = sim.r("operations", "api_token");
    let ok = sim.exchange(&t).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert!(ok.body["expires_in"].is_i64());
    let old = sim
        .form(
            "/acs/t/CUSTOMER/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &t)],
        )
        .await;
    assert_error(&old, 400);
    assert_eq!(old.body["error"], "invalid_grant");
    let missing = sim
        .form(
            "/acs/t/CUSTOMER/token",
            &[(
                "grant_type",
                "urn:custom:vcf:params:oauth:grant-type:api-token",
            )],
        )
        .await;
    assert_error(&missing, 400);
    assert_eq!(missing.body["error"], "invalid_request");
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
