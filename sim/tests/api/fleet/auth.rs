//! Authentication: username/password sessions (acquire, release), the OpsToken and Bearer
//! schemes, and the identity broker's token endpoint.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn username_password_acquire_and_token_endpoint_errors() {
    let sim = Sim::start().await;
    let realm = sim.realm();
    let ok = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.ready_str("operations", "username"), "password": sim.ready_str("operations", "password"), "authSource": "LOCAL" })),
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
            &json!({ "tokenName": "mine", "tokenType": "USER", "apiTokenTtl": 43200, "accessTokenTtl": 30 }),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.text);
    assert_eq!(t.body["tokenType"], "USER");
    assert_eq!(
        t.body["principalName"],
        sim.ready_str("operations", "username")
    );

    let bad = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.ready_str("operations", "username"), "password": "wrong" })),
        )
        .await;
    assert_error(&bad, 401);
    for _ in 0..4 {
        sim.call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.ready_str("operations", "username"), "password": "wrong" })),
        )
        .await;
    }
    let locked = sim
        .call(
            Method::POST,
            "/suite-api/api/auth/token/acquire",
            None,
            Some(&json!({ "username": sim.ready_str("operations", "username"), "password": sim.ready_str("operations", "password") })),
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
    let t = sim.ready_str("operations", "api_token");
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
