//! API clients: CRUD and the paged client query.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

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
    assert_eq!(t.status, 201);
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
