//! Contract A: SDDC Manager.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

async fn login_key(sim: &Sim, key: &str) -> String {
    let res = sim
        .call(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({ "apiKey": key })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["accessToken"].as_str().expect("at").to_string()
}

async fn service_user(sim: &Sim, admin: &str, name: &str, role: &str) -> Value {
    let roles = sim.get("/v1/roles", admin).await;
    let role_id = roles.body["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .find(|r| r["name"] == role)
        .expect("role")["id"]
        .clone();
    let res = sim
        .post(
            "/v1/users",
            admin,
            &json!([{ "name": name, "domain": "vsphere.local", "type": "SERVICE", "role": { "id": role_id } }]),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["pageMetadata"]["totalElements"], 1, "{}", res.text);
    res.body["elements"][0].clone()
}

/// The name of the role with id `id`, from `GET /v1/roles`.
async fn role_name(sim: &Sim, admin: &str, id: &Value) -> String {
    let roles = sim.get("/v1/roles", admin).await;
    roles.body["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .find(|r| &r["id"] == id)
        .expect("role")["name"]
        .as_str()
        .expect("name")
        .to_string()
}

/// Seed 000, steps 1-5: token pair, bearer call, refresh, service account, invalidation.
#[tokio::test]
async fn seed_000_flow() {
    let sim = Sim::start().await;
    let pair = sim.sddc_admin().await;
    let access = pair["accessToken"].as_str().expect("accessToken");
    // TokenPair: refreshToken is a RefreshToken object {"id"}, never the old bare string.
    assert!(pair["refreshToken"].is_object(), "{pair}");
    let refresh = pair["refreshToken"]["id"]
        .as_str()
        .expect("refreshToken.id");
    assert_eq!(access.split('.').count(), 3, "access token is a JWT");
    let c = jwt_claims(access);
    assert_eq!(
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"),
        3600
    );

    let domains = sim.get("/v1/domains", access).await;
    assert_eq!(domains.status, 200);
    assert!(domains.body["elements"][0]["name"].is_string());

    let r = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(refresh)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // 200 "Returns string": the new access token as a bare JSON string.
    let new_access = r.body.as_str().expect("a bare JSON string");
    assert_ne!(new_access, access);
    assert_eq!(sim.get("/v1/domains", new_access).await.status, 200);

    let svc = service_user(&sim, access, "svc-automation", "OPERATOR").await;
    assert_eq!(svc["type"], "SERVICE");
    // The role is `{"id"}` only, as in the reference.
    assert_eq!(svc["role"].as_object().expect("role").len(), 1, "{svc}");
    assert_eq!(
        role_name(&sim, new_access, &svc["role"]["id"]).await,
        "OPERATOR"
    );
    assert!(svc["apiKey"].is_string());
    assert!(svc["creationTimestamp"].is_string());

    let d = sim
        .call(
            Method::DELETE,
            "/v1/tokens/refresh-token",
            Some(access),
            Some(&json!(refresh)),
        )
        .await;
    assert_eq!(d.status, 204, "{}", d.text);
    let again = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(refresh)),
        )
        .await;
    assert!(again.status == 401 || again.status == 404);
    assert_error(&again, again.status);
}

#[tokio::test]
async fn bad_credentials_and_missing_fields() {
    let sim = Sim::start().await;
    let res = sim
        .call(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({ "username": "administrator@vsphere.local", "password": "nope" })),
        )
        .await;
    assert_error(&res, 401);
    let res = sim
        .call(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({ "username": 5 })),
        )
        .await;
    assert_error(&res, 400);
    let res = sim
        .call(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({ "apiKey": "x" })),
        )
        .await;
    assert_error(&res, 401);
    assert_error(&sim.get("/v1/roles", "garbage").await, 401);
    let none = sim.call(Method::GET, "/v1/roles", None, None).await;
    assert_error(&none, 401);
}

#[tokio::test]
async fn access_and_refresh_ttl_follow_the_clock() {
    let sim = Sim::start().await;
    let pair = sim.sddc_admin().await;
    let access = pair["accessToken"].as_str().expect("at");
    let refresh = pair["refreshToken"]["id"].as_str().expect("rt");
    sim.advance_minutes(59.0).await;
    assert_eq!(sim.get("/v1/roles", access).await.status, 200);
    sim.advance_minutes(2.0).await;
    assert_error(&sim.get("/v1/roles", access).await, 401);
    let r = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(refresh)),
        )
        .await;
    assert_eq!(r.status, 200);
    sim.advance_minutes(24.0 * 60.0).await;
    let r = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(refresh)),
        )
        .await;
    assert_error(&r, 401);
}

#[tokio::test]
async fn users_roles_and_service_api_keys() {
    let sim = Sim::start().await;
    let admin = sim.sddc_admin().await["accessToken"]
        .as_str()
        .expect("at")
        .to_string();
    let roles = sim.get("/v1/roles", &admin).await;
    assert_eq!(roles.status, 200);
    let names: Vec<&str> = roles.body["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .map(|r| {
            assert!(r["id"].is_string() && r["description"].is_string());
            r["name"].as_str().expect("name")
        })
        .collect();
    assert_eq!(names, ["ADMIN", "OPERATOR", "VIEWER"]);

    let svc = service_user(&sim, &admin, "svc-a", "VIEWER").await;
    let id = svc["id"].as_str().expect("id");
    let key = svc["apiKey"].as_str().expect("apiKey");
    let list = sim.get("/v1/users", &admin).await;
    assert_eq!(list.status, 200);
    let found = list.body["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .find(|u| u["id"] == id)
        .expect("listed");
    assert!(found.get("apiKey").is_none(), "apiKey is shown only once");
    assert_eq!(
        role_name(&sim, &admin, &found["role"]["id"]).await,
        "VIEWER"
    );
    assert!(list.body["pageMetadata"].is_object(), "{}", list.text);

    // The api key authenticates.
    let at = login_key(&sim, key).await;
    assert_eq!(sim.get("/v1/domains", &at).await.status, 200);

    // USER and GROUP get no key; duplicates conflict; bad input is a 400.
    let role_id = &svc["role"]["id"];
    let u = sim
        .post(
            "/v1/users",
            &admin,
            &json!([{ "name": "jdoe", "domain": "rainpole.io", "type": "USER", "role": { "id": role_id } }]),
        )
        .await;
    assert_eq!(u.status, 201);
    assert!(u.body["elements"][0].get("apiKey").is_none());
    let dup = sim
        .post(
            "/v1/users",
            &admin,
            &json!([{ "name": "svc-a", "domain": "vsphere.local", "type": "SERVICE", "role": { "id": role_id } }]),
        )
        .await;
    assert_error(&dup, 409);
    let bad = sim
        .post(
            "/v1/users",
            &admin,
            &json!([{ "name": "x", "type": "ROBOT", "role": { "id": role_id } }]),
        )
        .await;
    assert_error(&bad, 400);
    assert_error(
        &sim.post("/v1/users", &admin, &json!({ "name": "x" })).await,
        400,
    );
    let bad_role = sim
        .post(
            "/v1/users",
            &admin,
            &json!([{ "name": "y", "type": "USER", "role": { "id": "nope" } }]),
        )
        .await;
    assert_error(&bad_role, 400);

    let del = sim.delete(&format!("/v1/users/{id}"), &admin).await;
    assert_eq!(del.status, 204);
    assert_error(&sim.delete(&format!("/v1/users/{id}"), &admin).await, 404);
    // A deleted user's token stops working, and its key too.
    assert_error(&sim.get("/v1/domains", &at).await, 401);
    let res = sim
        .call(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({ "apiKey": key })),
        )
        .await;
    assert_error(&res, 401);
}

#[tokio::test]
async fn operator_and_viewer_permissions() {
    let sim = Sim::start().await;
    let admin = sim.sddc_admin().await["accessToken"]
        .as_str()
        .expect("at")
        .to_string();
    let op = service_user(&sim, &admin, "svc-op", "OPERATOR").await;
    let viewer = service_user(&sim, &admin, "svc-view", "VIEWER").await;
    let op_at = login_key(&sim, op["apiKey"].as_str().expect("key")).await;
    let v_at = login_key(&sim, viewer["apiKey"].as_str().expect("key")).await;
    for at in [&op_at, &v_at] {
        assert_eq!(sim.get("/v1/roles", at).await.status, 200);
        assert_eq!(sim.get("/v1/domains", at).await.status, 200);
        let res = sim.get("/v1/users", at).await;
        assert_error(&res, 403);
        assert!(res.body["message"].as_str().expect("msg").contains("ADMIN"));
        let res = sim
            .post(
                "/v1/users",
                at,
                &json!([{ "name": "z", "type": "USER", "role": { "id": op["role"]["id"] } }]),
            )
            .await;
        assert_error(&res, 403);
        assert!(res.body["message"].as_str().expect("msg").contains("ADMIN"));
        let res = sim
            .delete(&format!("/v1/users/{}", op["id"].as_str().expect("id")), at)
            .await;
        assert_error(&res, 403);
    }
}

#[tokio::test]
async fn lockout_after_five_bad_passwords() {
    let sim = Sim::start().await;
    let user = sim.ready_str("sddc_manager", "username");
    let good = sim.ready_str("sddc_manager", "password");
    let login = |pw: String| {
        let user = user.clone();
        let sim = &sim;
        async move {
            sim.call(
                Method::POST,
                "/v1/tokens",
                None,
                Some(&json!({ "username": user, "password": pw })),
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_error(&login("wrong".into()).await, 401);
    }
    let locked = login(good.clone()).await;
    assert_error(&locked, 401);
    assert!(
        locked.body["message"]
            .as_str()
            .expect("message")
            .contains("locked"),
        "{}",
        locked.text
    );
    sim.advance_minutes(16.0).await;
    assert_eq!(login(good).await.status, 200);
}

#[tokio::test]
async fn malformed_and_oversized_bodies() {
    let sim = Sim::start().await;
    let raw = |body: Vec<u8>| {
        sim.client
            .post(format!("{}/v1/tokens", sim.url))
            .header("content-type", "application/json")
            .body(body)
    };
    assert_error(&finish(raw(b"{not json".to_vec())).await, 400);
    assert_error(&finish(raw(b"[1,2]".to_vec())).await, 400);
    assert_error(&finish(raw(Vec::new())).await, 400);
    let mut big = b"{\"username\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', (1 << 20) + 10));
    big.extend(b"\"}");
    assert_error(&finish(raw(big)).await, 400);
    // The server is still fine.
    assert!(sim.sddc_admin().await["accessToken"].is_string());
}

#[tokio::test]
async fn jwt_claims_are_wall_clock_under_time_scale() {
    let sim = Sim::start_with(&["--time-scale", "60"]).await;
    let pair = sim.sddc_admin().await;
    let c = jwt_claims(pair["accessToken"].as_str().expect("at"));
    let life = c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat");
    assert!(
        (59..=60).contains(&life),
        "60 simulated minutes = 60 real seconds, got {life}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    assert!((c["iat"].as_i64().expect("iat") - now).abs() <= 5);
}

/// The old guessed bodies `{"refreshToken": …}` are refused with 400 by both refresh-token
/// calls, and change nothing: the refresh token still works afterwards.
#[tokio::test]
async fn old_refresh_token_object_bodies_are_refused() {
    let sim = Sim::start().await;
    let pair = sim.sddc_admin().await;
    let access = pair["accessToken"].as_str().expect("at");
    let refresh = pair["refreshToken"]["id"].as_str().expect("rt");
    for body in [
        json!({ "refreshToken": refresh }),
        json!({ "refreshToken": { "id": refresh } }),
        json!({ "id": refresh }),
        json!(""),
        json!([refresh]),
    ] {
        for (method, path, bearer) in [
            (Method::PATCH, "/v1/tokens/access-token/refresh", None),
            (Method::DELETE, "/v1/tokens/refresh-token", Some(access)),
        ] {
            let r = sim.call(method.clone(), path, bearer, Some(&body)).await;
            assert_error(&r, 400);
            assert!(
                r.body["message"]
                    .as_str()
                    .expect("message")
                    .contains("JSON string"),
                "{method} {path} {body}: {}",
                r.text
            );
        }
    }
    let r = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(refresh)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body.is_string(), "{}", r.text);
    // Unknown ids: 404 for both calls.
    for (method, path) in [
        (Method::PATCH, "/v1/tokens/access-token/refresh"),
        (Method::DELETE, "/v1/tokens/refresh-token"),
    ] {
        let r = sim
            .call(method, path, Some(access), Some(&json!("no-such-id")))
            .await;
        assert_error(&r, 404);
    }
}

/// The advance_clock fault moves the clock at one request: the access token issued before it
/// is expired for that very request.
#[tokio::test]
async fn advance_clock_fault_expires_the_token_at_that_request() {
    let sim = Sim::start().await;
    let access = sim.sddc_admin().await["accessToken"]
        .as_str()
        .expect("at")
        .to_string();
    sim.ctl(
        Method::POST,
        "/faults",
        Some(json!({ "path": "/v1/roles", "kind": "advance_clock", "advance_seconds": 3660, "times": 1 })),
    )
    .await;
    assert_error(&sim.get("/v1/roles", &access).await, 401);
    let bad = sim
        .call(
            Method::POST,
            "/_sim/faults",
            None,
            Some(&json!({ "path": "*", "kind": "advance_clock" })),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}
