//! API tokens: validation, lifetimes, the paged token query, in-place updates and the IAM settings.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// The set-up of the token tests: a sim, the fleet admin's access token, and the path of the
/// realm's API token collection.
async fn start() -> (Sim, String, String) {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let base = format!("{IAM}/ssorealms/{}/api-tokens", sim.realm());
    (sim, at, base)
}

/// The body that creates the API_CLIENT token `n` of the API client `client`.
fn client_token(client: &str, api_token_ttl: Value, access_token_ttl: Value) -> Value {
    json!({ "apiClientId": client, "tokenName": "n", "tokenType": "API_CLIENT", "apiTokenTtl": api_token_ttl, "accessTokenTtl": access_token_ttl })
}

#[tokio::test]
async fn tokens_validation_get_delete_and_ttls() {
    let (sim, at, base) = start().await;
    sim.client_with_roles("c", &["vcf_admin"]).await;
    let mk = |ttl: Value, att: Value| client_token("c", ttl, att);
    for (ttl, att) in [
        (json!(0), json!(30)),
        (json!(259201), json!(30)),
        (json!("abc"), json!(30)),
        (json!(true), json!(30)),
        (json!(60), json!(0)),
        (json!(60), json!(481)),
        (json!(4_294_967_296i64), json!(30)),
        // The old guessed shape: TTLs as strings (the reference has int32).
        (json!("60"), json!("30")),
        (json!("60"), json!(30)),
    ] {
        assert_error(&sim.post(&base, &at, &mk(ttl, att)).await, 400);
    }
    for body in [
        // The old guessed token type.
        json!({ "apiClientId": "c", "tokenName": "n", "tokenType": "SSO_USER" }),
        json!({ "apiClientId": "ghost", "tokenName": "n", "tokenType": "API_CLIENT" }),
        json!({ "apiClientId": "c", "tokenName": "n", "tokenType": "ROBOT" }),
    ] {
        assert_error(&sim.post(&base, &at, &body).await, 400);
    }
    let t = sim.post(&base, &at, &mk(json!(60), json!(5))).await;
    assert_eq!(t.status, 201, "{}", t.text);
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
    let (sim, at, base) = start().await;
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
                "fields": { "apiClientId": "bulk", "tokenName": "b", "tokenType": "API_CLIENT", "apiTokenTtl": 40320, "accessTokenTtl": 30 } })),
        )
        .await;
    assert_eq!(created["created"].as_array().expect("created").len(), 120);
    let body = json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "terms": ["bulk"], "operator": "EQUALS" } ], "anyOf": [] }, "filters": { "tokenType": ["API_CLIENT"] } });
    let q = |page: i64, size: i64, sort: &str| {
        let sim = &sim;
        let at = at.clone();
        let body = body.clone();
        let path = format!("{base}/query?page={page}&pageSize={size}&sortOrder={sort}");
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

    // One search term, without paging.
    let search = |field: &str, term: &str, operator: &str| {
        let (sim, at, path) = (&sim, &at, format!("{base}/query"));
        let body = json!({ "searchTerms": { "allOf": [ { "field": field, "terms": [term], "operator": operator } ] } });
        async move { sim.post(&path, at, &body).await }
    };
    let by_name = search("TOKEN_NAME", "b-7", "EQUALS").await;
    assert_eq!(by_name.body["pageInfo"]["totalCount"], 1);
    let like = search("TOKEN_NAME", "b-11", "LIKE").await;
    assert_eq!(like.body["pageInfo"]["totalCount"], 11); // b-11, b-110..b-119
    assert_error(&search("COLOR", "x", "LIKE").await, 400);
    assert_error(&search("CLIENT_ID", "x", "REGEX").await, 400);
}

/// updateApiToken edits name, description and access-token TTL in place (204, no body); the
/// token is named by `id` in the body. Anything else is refused.
#[tokio::test]
async fn token_patch_edits_in_place_and_settings_give_the_ttls() {
    let (sim, at, base) = start().await;
    sim.client_with_roles("p", &["vcf_viewer"]).await;
    let t = sim
        .post(&base, &at, &client_token("p", json!(600), json!(30)))
        .await;
    assert_eq!(t.status, 201, "{}", t.text);
    let id = t.body["id"].clone();
    let patch = |body: Value| {
        let (sim, base, at) = (&sim, &base, &at);
        async move { sim.call(Method::PATCH, base, Some(at), Some(&body)).await }
    };
    let ok = patch(
        json!({ "id": id, "tokenName": "renamed", "tokenDescription": "d2", "accessTokenTtl": 60 }),
    )
    .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert!(ok.text.is_empty());
    let g = sim
        .get(&format!("{base}/{}", id.as_str().expect("id")), &at)
        .await;
    assert_eq!(g.body["tokenName"], "renamed");
    assert_eq!(g.body["tokenDescription"], "d2");
    assert_eq!(g.body["accessTokenTtl"], 60);
    assert_eq!(g.body["apiTokenTtl"], 600);
    assert_error(&patch(json!({ "tokenName": "no id" })).await, 400);
    assert_error(&patch(json!({ "id": id, "apiTokenTtl": 60 })).await, 400);
    assert_error(
        &patch(json!({ "id": id, "accessTokenTtl": "60" })).await,
        400,
    );
    assert_error(
        &patch(json!({ "id": "00000000-0000-0000-0000-000000000000", "tokenName": "x" })).await,
        404,
    );

    let settings = sim.get(&format!("{IAM}/settings"), &at).await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    for k in ["apiTokenTtl", "accessTokenTtl", "apiTokenRetentionPeriod"] {
        assert!(settings.body[k].is_i64(), "{k}: {}", settings.text);
    }
    assert_eq!(settings.body["allUsersGroupEnabled"], false);
}
