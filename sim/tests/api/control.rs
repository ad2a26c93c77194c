//! The control API: faults, stats, clock, out-of-band changes, persistence, help, config.

use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

async fn fault(sim: &Sim, rule: Value) -> Value {
    sim.ctl(Method::POST, "/faults", Some(rule)).await
}

#[tokio::test]
async fn error_rate_limit_and_unauthorized_faults() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let path = format!("{IAM}/ssorealms");
    let rule = fault(
        &sim,
        json!({ "path": "*/ssorealms", "kind": "error", "status": 502, "times": 1 }),
    )
    .await;
    assert!(rule["id"].as_u64().is_some());
    assert_error(&sim.get(&path, &at).await, 502);
    assert_eq!(sim.get(&path, &at).await.status, 200);

    fault(
        &sim,
        json!({ "path": "*/ssorealms", "kind": "rate_limit", "retry_after": 7, "times": 1 }),
    )
    .await;
    let r = sim.get(&path, &at).await;
    assert_error(&r, 429);
    assert_eq!(r.headers["retry-after"], "7");

    fault(
        &sim,
        json!({ "path": "*/ssorealms", "method": "GET", "kind": "unauthorized", "times": 1 }),
    )
    .await;
    assert_error(&sim.get(&path, &at).await, 401);
    assert_eq!(sim.get(&path, &at).await.status, 200);

    // The method filter is honoured.
    fault(
        &sim,
        json!({ "path": "/v1/tokens", "method": "DELETE", "kind": "error", "status": 500 }),
    )
    .await;
    assert!(sim.sddc_admin().await["accessToken"].is_string());

    let stats = sim.ctl(Method::GET, "/stats", None).await;
    let key = format!("GET {IAM}/ssorealms");
    assert_eq!(stats["endpoints"][&key]["502"], 1);
    assert_eq!(stats["endpoints"][&key]["429"], 1);
    assert_eq!(stats["endpoints"][&key]["401"], 1);
    assert_eq!(stats["endpoints"][&key]["200"], 2);
    assert_eq!(stats["endpoints"]["POST /acs/t/CUSTOMER/token"]["200"], 1);
    assert_eq!(stats["total"], 7);
    sim.ctl(Method::DELETE, "/stats", None).await;
    assert_eq!(sim.ctl(Method::GET, "/stats", None).await["total"], 0);

    // Rules are listed and removable; bad rules are 400s.
    let rules = sim.ctl(Method::GET, "/faults", None).await;
    let id = rules["rules"][0]["id"].as_u64().expect("id");
    sim.ctl(Method::DELETE, &format!("/faults/{id}"), None)
        .await;
    let bad = sim
        .call(
            Method::POST,
            "/_sim/faults",
            None,
            Some(&json!({ "path": "*", "kind": "explode" })),
        )
        .await;
    assert_error(&bad, 400);
    let bad = sim
        .call(
            Method::POST,
            "/_sim/faults",
            None,
            Some(&json!({ "path": "*", "kind": "latency" })),
        )
        .await;
    assert_error(&bad, 400);
}

#[tokio::test]
async fn latency_fault_delays() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    fault(
        &sim,
        json!({ "path": "*", "kind": "latency", "latency_ms": [150, 150], "times": 1 }),
    )
    .await;
    let t0 = Instant::now();
    assert_eq!(sim.get(&format!("{IAM}/ssorealms"), &at).await.status, 200);
    assert!(t0.elapsed().as_millis() >= 150);
}

#[tokio::test]
async fn reset_before_does_not_apply_the_write() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let base = format!("{IAM}/ssorealms/{realm}/api-clients");
    fault(
        &sim,
        json!({ "path": "*/api-clients", "method": "POST", "kind": "reset_before", "times": 1 }),
    )
    .await;
    let err = sim
        .client
        .post(format!("{}{base}", sim.url))
        .bearer_auth(&at)
        .json(&json!({ "clientId": "rb", "clientName": "rb" }))
        .send()
        .await;
    assert!(err.is_err(), "the connection must be reset");
    assert_error(&sim.get(&format!("{base}/rb"), &at).await, 404);
    let stats = sim.ctl(Method::GET, "/stats", None).await;
    assert_eq!(
        stats["endpoints"][format!("POST {IAM}/ssorealms/{{realm}}/api-clients")]["reset"],
        1
    );
}

#[tokio::test]
async fn reset_after_applies_the_write() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let base = format!("{IAM}/ssorealms/{realm}/api-clients");
    fault(
        &sim,
        json!({ "path": "*/api-clients", "method": "POST", "kind": "reset_after", "times": 1 }),
    )
    .await;
    let err = sim
        .client
        .post(format!("{}{base}", sim.url))
        .bearer_auth(&at)
        .json(&json!({ "clientId": "ra", "clientName": "ra" }))
        .send()
        .await;
    assert!(err.is_err(), "the connection must be reset");
    // The write happened: a naive retry gets a 409.
    assert_eq!(sim.get(&format!("{base}/ra"), &at).await.status, 200);
    assert_error(
        &sim.post(&base, &at, &json!({ "clientId": "ra", "clientName": "ra" }))
            .await,
        409,
    );
}

async fn statuses(seed: &str) -> Vec<u16> {
    let sim = Sim::start_with(&["--seed", seed]).await;
    let pair = sim.sddc_admin().await;
    let at = pair["accessToken"].as_str().expect("at").to_string();
    fault(
        &sim,
        json!({ "path": "/v1/roles", "kind": "error", "status": 503, "probability": 0.5 }),
    )
    .await;
    let mut out = Vec::new();
    for _ in 0..24 {
        out.push(sim.get("/v1/roles", &at).await.status);
    }
    out
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let a = statuses("1234").await;
    let b = statuses("1234").await;
    assert_eq!(a, b);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn out_of_band_changes_and_dump() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let (_, _, _) = sim.client_with_roles("drift", &["vcf_viewer"]).await;
    let q = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query"),
            &at,
            &json!({ "searchTerms": { "allOf": [ { "field": "CLIENT_ID", "terms": ["drift"], "operator": "EQUALS" } ] } }),
        )
        .await;
    let id = q.body["apiTokens"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Expire it out of band.
    let p = sim
        .ctl(
            Method::POST,
            "/objects",
            Some(json!({ "op": "patch", "kind": "api_token", "id": id, "fields": { "expiration_date": 0 } })),
        )
        .await;
    assert_eq!(p["tokenStatus"], "EXPIRED");
    let bad = sim
        .call(
            Method::POST,
            "/_sim/objects",
            None,
            Some(&json!({ "op": "patch", "kind": "api_token", "id": id, "fields": { "nope": 1 } })),
        )
        .await;
    assert_error(&bad, 400);
    let bad = sim
        .call(
            Method::POST,
            "/_sim/objects",
            None,
            Some(&json!({ "op": "patch", "kind": "api_token", "id": id, "fields": { "revoked": "yes" } })),
        )
        .await;
    assert_error(&bad, 400);
    // Rename the client out of band, then delete it.
    sim.ctl(
        Method::POST,
        "/objects",
        Some(json!({ "op": "patch", "kind": "api_client", "id": "drift", "fields": { "client_name": "renamed" } })),
    )
    .await;
    let c = sim
        .get(&format!("{IAM}/ssorealms/{realm}/api-clients/drift"), &at)
        .await;
    assert_eq!(c.body["clientName"], "renamed");
    sim.ctl(
        Method::POST,
        "/objects",
        Some(json!({ "op": "delete", "kind": "api_client", "id": "drift" })),
    )
    .await;
    assert_error(
        &sim.get(&format!("{IAM}/ssorealms/{realm}/api-clients/drift"), &at)
            .await,
        404,
    );
    // Kill every session: the next call is a 401.
    sim.ctl(
        Method::POST,
        "/objects",
        Some(json!({ "op": "delete", "kind": "sessions" })),
    )
    .await;
    assert_error(&sim.get(&format!("{IAM}/ssorealms"), &at).await, 401);

    let dump = sim.ctl(Method::GET, "/state", None).await;
    assert!(
        !dump["fleet"]["clients"]
            .as_array()
            .expect("clients")
            .is_empty()
    );
    let routes = sim.ctl(Method::GET, "/routes", None).await;
    assert!(
        routes["routes"]
            .as_array()
            .expect("routes")
            .iter()
            .any(|r| r["contract"] == "ASSUMED")
    );
    let clock = sim.ctl(Method::GET, "/clock", None).await;
    let after = sim
        .ctl(Method::POST, "/clock/advance", Some(json!({ "hours": 2 })))
        .await;
    assert!(
        after["now_ms"].as_i64().expect("now") - clock["now_ms"].as_i64().expect("now")
            >= 7_200_000
    );
    assert_error(
        &sim.call(Method::GET, "/_sim/nothing", None, None).await,
        404,
    );
}

#[tokio::test]
async fn restart_keeps_state() {
    let dir = temp_dir();
    let mut sim = Sim::start_in(dir.clone(), &[], true);
    sim.advance_minutes(120.0).await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let (_, vidb, _) = sim.client_with_roles("persisted", &["vcf_viewer"]).await;
    let sddc = sim.sddc_admin().await;
    let clock = sim.ctl(Method::GET, "/clock", None).await["now_ms"]
        .as_i64()
        .expect("now");
    let api_token = sim.ready_str("operations", "api_token");
    sim.terminate();
    drop(sim);

    let sim = Sim::start_in(dir.clone(), &[], false);
    assert_eq!(sim.ready_str("operations", "api_token"), api_token);
    let now = sim.ctl(Method::GET, "/clock", None).await["now_ms"]
        .as_i64()
        .expect("now");
    assert!(now >= clock, "the advanced clock survives");
    // Old access tokens still work; objects are there; secrets still exchange.
    assert_eq!(
        sim.get(
            &format!("{IAM}/ssorealms/{realm}/api-clients/persisted"),
            &at
        )
        .await
        .status,
        200
    );
    assert_eq!(sim.exchange(&vidb).await.status, 200);
    let rt = sddc["refreshToken"]["id"].as_str().expect("rt");
    let r = sim
        .call(
            Method::PATCH,
            "/v1/tokens/access-token/refresh",
            None,
            Some(&json!(rt)),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn config_file_seeds_the_world() {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cfg = dir.join("sim.toml");
    std::fs::write(
        &cfg,
        r#"
[sddc_manager]
users = [{ name = "root@corp.local", domain = "corp.local", password = "pw-1", role = "ADMIN" }]

[[realms]]
name = "lab-idb"
vcf_instances = [{ name = "lab-vcf01" }]

[[custom_roles]]
name = "token-admin"
component_roles = [["VCF_OPERATIONS", "Administrator"]]

[director]
orgs = [{ name = "acme", users = [{ name = "ops", password = "pw-2" }] }]
"#,
    )
    .expect("write");
    let cfg_s = cfg.to_string_lossy().to_string();
    let sim = Sim::start_in(dir.join("state"), &["--config", &cfg_s], false);
    assert_eq!(sim.ready_str("sddc_manager", "username"), "root@corp.local");
    assert_eq!(sim.ready_str("director", "org"), "acme");
    let at = sim.fleet_admin().await;
    let realms = sim.get(&format!("{IAM}/ssorealms"), &at).await;
    assert_eq!(realms.body["ssoRealms"][0]["name"], "lab-idb");
    assert_eq!(
        realms.body["ssoRealms"][0]["ssoRealmCoverage"][0]["name"],
        "lab-vcf01"
    );
    let roles = sim.get(&format!("{IAM}/roles/token-admin"), &at).await;
    assert!(roles.text.contains("token-admin"));
    assert!(sim.sddc_admin().await["accessToken"].is_string());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_flags_and_control_api() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vcf-sim"))
        .arg("--help")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--listen",
        "--state-dir",
        "--config",
        "--time-scale",
        "--seed",
        "--insecure-http",
        "--admin-secret",
        "--log-requests",
        "/_sim/clock/advance",
        "/_sim/faults",
        "/_sim/stats",
        "/_sim/objects",
        "/_sim/state",
        "reset_after",
        "apiKey",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let sim = Sim::start().await;
    assert_error(
        &sim.call(Method::GET, "/nothing/here", None, None).await,
        404,
    );
    assert_error(&sim.call(Method::PUT, "/v1/tokens", None, None).await, 405);
}

#[tokio::test]
async fn time_scale_speeds_up_the_clock() {
    let sim = Sim::start_with(&["--time-scale", "1000"]).await;
    let a = sim.ctl(Method::GET, "/clock", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let b = sim.ctl(Method::GET, "/clock", None).await;
    assert_eq!(a["time_scale"], 1000.0);
    assert!(b["now_ms"].as_i64().expect("b") - a["now_ms"].as_i64().expect("a") >= 100_000);
}

#[tokio::test]
async fn insecure_http_for_debugging() {
    let sim = Sim::start_with(&["--insecure-http"]).await;
    assert!(sim.url.starts_with("http://"));
    let res = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{}/_sim/health", sim.url))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn extreme_numbers_do_not_crash() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let q = sim
        .post(
            &format!(
                "{IAM}/ssorealms/{realm}/api-tokens/query?page=9223372036854775807&pageSize=50"
            ),
            &at,
            &json!({}),
        )
        .await;
    assert_eq!(q.status, 200);
    assert_eq!(q.body["apiTokens"], json!([]));
    let session = sim.director_login().await;
    let d = sim
        .get(
            "/cloudapi/1.0.0/tokens?page=9223372036854775807&pageSize=128",
            &session,
        )
        .await;
    assert_eq!(d.status, 200);
    let huge = sim
        .call(
            Method::POST,
            "/_sim/clock/advance",
            None,
            Some(&json!({ "ms": 1e300 })),
        )
        .await;
    assert_error(&huge, 400);
    let q = sim
        .post(
            &format!("{IAM}/ssorealms/{realm}/api-tokens/query?page=1e3"),
            &at,
            &json!({}),
        )
        .await;
    assert_error(&q, 400);
    assert_eq!(sim.ctl(Method::GET, "/health", None).await["ok"], true);
}

#[tokio::test]
async fn error_fault_with_retry_after() {
    let sim = Sim::start().await;
    fault(
        &sim,
        json!({ "path": "/v1/tokens", "kind": "error", "status": 503, "retry_after": 2, "times": 1 }),
    )
    .await;
    let body = json!({ "username": sim.ready_str("sddc_manager", "username"), "password": sim.ready_str("sddc_manager", "password") });
    let r = sim
        .call(Method::POST, "/v1/tokens", None, Some(&body))
        .await;
    assert_error(&r, 503);
    assert_eq!(r.headers["retry-after"], "2");
    assert_eq!(
        sim.call(Method::POST, "/v1/tokens", None, Some(&body))
            .await
            .status,
        200
    );
}

/// `other_writer`: the read is answered with the set as it was, and the set changes right
/// after it; `times: 1` once, without `times` after every read (toggle).
#[tokio::test]
async fn other_writer_changes_the_set_right_after_a_read() {
    let sim = Sim::start().await;
    let at = sim.fleet_admin().await;
    let realm = sim.realm();
    let (uuid, _, _) = sim
        .client_with_roles("ow", &["vcf_viewer", "vcf_operator"])
        .await;
    let path = format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles");
    let roles = |b: &Value| -> Vec<String> {
        let mut r: Vec<String> = b["vcfRoleAssignments"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|a| a["roleName"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        r.sort();
        r
    };
    let glob = format!("*/principals/{uuid}/roles");
    let bad = sim
        .call(
            Method::POST,
            "/_sim/faults",
            None,
            Some(&json!({ "path": glob, "kind": "other_writer", "role": "vcf_operator" })),
        )
        .await;
    assert_error(&bad, 400);
    fault(
        &sim,
        json!({ "path": glob, "kind": "other_writer", "role": "vcf_operator",
                "change": "revoke", "times": 1 }),
    )
    .await;
    // The read that triggers it still sees both roles; the next read sees the revocation.
    assert_eq!(
        roles(&sim.get(&path, &at).await.body),
        ["vcf_operator", "vcf_viewer"]
    );
    assert_eq!(roles(&sim.get(&path, &at).await.body), ["vcf_viewer"]);
    assert_eq!(
        roles(&sim.get(&path, &at).await.body),
        ["vcf_viewer"],
        "once"
    );
    fault(
        &sim,
        json!({ "path": glob, "kind": "other_writer", "role": "vcf_operator", "change": "toggle" }),
    )
    .await;
    assert_eq!(roles(&sim.get(&path, &at).await.body), ["vcf_viewer"]);
    assert_eq!(
        roles(&sim.get(&path, &at).await.body),
        ["vcf_operator", "vcf_viewer"]
    );
    assert_eq!(roles(&sim.get(&path, &at).await.body), ["vcf_viewer"]);
}
