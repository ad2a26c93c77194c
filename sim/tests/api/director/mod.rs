//! Contract C: Cloud Director / VCF Automation API tokens.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

mod vcf_automation;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// register + jwt-bearer exchange under the Cloud Director OAuth paths; returns the token
/// response.
async fn create_token(sim: &Sim, session: &str, org: &str, name: &str) -> Res {
    create_token_at(sim, "/oauth", session, org, name).await
}

/// register + jwt-bearer exchange under `prefix` (`/oauth` or `/tm/oauth`).
async fn create_token_at(sim: &Sim, prefix: &str, session: &str, org: &str, name: &str) -> Res {
    let reg = sim
        .post(
            &format!("{prefix}/tenant/{org}/register"),
            session,
            &json!({ "client_name": name }),
        )
        .await;
    assert_eq!(reg.status, 200, "{}", reg.text);
    let client_id = reg.body["client_id"]
        .as_str()
        .expect("client_id")
        .to_string();
    sim.form(
        &format!("{prefix}/tenant/{org}/token"),
        &[
            ("grant_type", JWT_BEARER),
            ("client_id", &client_id),
            ("assertion", session),
        ],
    )
    .await
}

/// Seed 004: exchange an API token for an access token, then call the API with it.
#[tokio::test]
async fn seed_004_exchange() {
    let sim = Sim::start().await;
    let org = sim.ready_str("director", "org");
    let session = sim.director_login().await;
    let created = create_token(&sim, &session, &org, "automation").await;
    assert_eq!(created.status, 200, "{}", created.text);
    let api_token = created.body["refresh_token"]
        .as_str()
        .expect("refresh_token");

    let ex = sim
        .form(
            &format!("/oauth/tenant/{org}/token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", api_token),
            ],
        )
        .await;
    assert_eq!(ex.status, 200, "{}", ex.text);
    assert_eq!(ex.body["token_type"], "Bearer");
    assert_eq!(ex.body["expires_in"], 2_592_000);
    assert_eq!(ex.body["refresh_token"], Value::Null);
    let at = ex.body["access_token"].as_str().expect("access_token");

    let orgs = sim
        .client
        .get(format!("{}/api/org", sim.url))
        .bearer_auth(at)
        .header("accept", "application/*+xml;version=36.1")
        .send()
        .await
        .expect("send");
    assert_eq!(orgs.status().as_u16(), 200);
    assert!(
        orgs.headers()["content-type"]
            .to_str()
            .expect("ct")
            .contains("orglist+xml")
    );
    let xml = orgs.text().await.expect("text");
    assert!(xml.contains("<OrgList") && xml.contains(&format!("name=\"{org}\"")));

    // The provider variant of the endpoint rejects a tenant token.
    let wrong = sim
        .form(
            "/oauth/provider/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", api_token),
            ],
        )
        .await;
    assert_error(&wrong, 400);
}

#[tokio::test]
async fn api_token_sessions_cannot_manage_tokens() {
    let sim = Sim::start().await;
    let org = sim.ready_str("director", "org");
    let session = sim.director_login().await;
    let created = create_token(&sim, &session, &org, "t1").await;
    let at = created.body["access_token"].as_str().expect("at");
    let reg = sim
        .post(
            &format!("/oauth/tenant/{org}/register"),
            at,
            &json!({ "client_name": "x" }),
        )
        .await;
    assert_error(&reg, 403);
    assert_error(&sim.get("/cloudapi/1.0.0/tokens", at).await, 403);
    let list = sim
        .get("/cloudapi/1.0.0/tokens?filter=(type==REFRESH)", &session)
        .await;
    let id = list.body["values"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_error(
        &sim.delete(&format!("/cloudapi/1.0.0/tokens/{id}"), at)
            .await,
        403,
    );
    // It can still read.
    assert_eq!(sim.get("/api/org", at).await.status, 200);
}

#[tokio::test]
async fn list_page_and_revoke() {
    let sim = Sim::start().await;
    let org = sim.ready_str("director", "org");
    let session = sim.director_login().await;
    let first = create_token(&sim, &session, &org, "first").await;
    let secret = first.body["refresh_token"]
        .as_str()
        .expect("secret")
        .to_string();
    let api_at = first.body["access_token"].as_str().expect("at").to_string();
    sim.ctl(
        Method::POST,
        "/objects",
        Some(json!({ "op": "create", "kind": "director_token", "count": 29, "fields": { "name": "bulk" } })),
    )
    .await;
    let p1 = sim
        .get(
            "/cloudapi/1.0.0/tokens?filter=(type==REFRESH)&page=1&pageSize=25",
            &session,
        )
        .await;
    assert_eq!(p1.status, 200, "{}", p1.text);
    assert_eq!(p1.body["resultTotal"], 30);
    assert_eq!(p1.body["pageCount"], 2);
    assert_eq!(p1.body["page"], 1);
    assert_eq!(p1.body["pageSize"], 25);
    let v = p1.body["values"].as_array().expect("values");
    assert_eq!(v.len(), 25);
    assert!(
        v[0]["id"]
            .as_str()
            .expect("id")
            .starts_with("urn:vcloud:token:")
    );
    assert_eq!(v[0]["name"], "first");
    assert_eq!(v[0]["type"], "REFRESH");
    assert_eq!(v[0]["owner"]["name"], sim.ready_str("director", "username"));
    assert!(v[0]["owner"]["id"].is_string());
    assert!(v[0].get("refresh_token").is_none() && !p1.text.contains(&secret));
    let p2 = sim
        .get(
            "/cloudapi/1.0.0/tokens?filter=(type==REFRESH)&page=2&pageSize=25",
            &session,
        )
        .await;
    assert_eq!(p2.body["values"].as_array().expect("values").len(), 5);
    assert_error(
        &sim.get("/cloudapi/1.0.0/tokens?pageSize=500", &session)
            .await,
        400,
    );
    assert_error(
        &sim.get("/cloudapi/1.0.0/tokens?page=0", &session).await,
        400,
    );

    // Tokens never expire.
    sim.advance_minutes(400.0 * 24.0 * 60.0).await;
    let session = sim.director_login().await;
    let ex = sim
        .form(
            &format!("/oauth/tenant/{org}/token"),
            &[("grant_type", "refresh_token"), ("refresh_token", &secret)],
        )
        .await;
    assert_eq!(ex.status, 200, "{}", ex.text);
    let fresh_at = ex.body["access_token"].as_str().expect("at").to_string();

    let id = v[0]["id"].as_str().expect("id");
    assert_eq!(
        sim.delete(&format!("/cloudapi/1.0.0/tokens/{id}"), &session)
            .await
            .status,
        204
    );
    assert_error(
        &sim.delete(&format!("/cloudapi/1.0.0/tokens/{id}"), &session)
            .await,
        404,
    );
    let ex = sim
        .form(
            &format!("/oauth/tenant/{org}/token"),
            &[("grant_type", "refresh_token"), ("refresh_token", &secret)],
        )
        .await;
    assert_error(&ex, 400);
    assert_eq!(ex.body["error"], "invalid_grant");
    // Sessions opened with a revoked token end with it.
    assert_error(&sim.get("/api/org", &fresh_at).await, 401);
    assert_error(&sim.get("/api/org", &api_at).await, 401);
}

#[tokio::test]
async fn client_ids_are_single_use_and_logins_checked() {
    let sim = Sim::start().await;
    let org = sim.ready_str("director", "org");
    let session = sim.director_login().await;
    let reg = sim
        .post(
            &format!("/oauth/tenant/{org}/register"),
            &session,
            &json!({ "client_name": "once" }),
        )
        .await;
    let cid = reg.body["client_id"].as_str().expect("cid").to_string();
    let form = [
        ("grant_type", JWT_BEARER),
        ("client_id", cid.as_str()),
        ("assertion", session.as_str()),
    ];
    assert_eq!(
        sim.form(&format!("/oauth/tenant/{org}/token"), &form)
            .await
            .status,
        200
    );
    assert_error(
        &sim.form(&format!("/oauth/tenant/{org}/token"), &form).await,
        400,
    );
    assert_error(
        &sim.post(
            &format!("/oauth/tenant/{org}/register"),
            &session,
            &json!({}),
        )
        .await,
        400,
    );
    assert_error(
        &sim.form(
            &format!("/oauth/tenant/{org}/token"),
            &[("grant_type", "magic")],
        )
        .await,
        400,
    );

    // Provider login.
    let p = sim
        .director_basic(
            "/cloudapi/1.0.0/sessions/provider",
            "administrator",
            "System",
            "VMware123!VMware123!",
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["org"]["name"], "System");
    assert!(p.headers.contains_key("x-vmware-vcloud-access-token"));
    // A tenant user cannot use the provider endpoint.
    let t = sim
        .director_basic(
            "/cloudapi/1.0.0/sessions/provider",
            &sim.ready_str("director", "username"),
            &org,
            &sim.ready_str("director", "password"),
        )
        .await;
    assert_error(&t, 401);
    // Lockout.
    for _ in 0..5 {
        let r = sim
            .director_basic(
                "/cloudapi/1.0.0/sessions",
                &sim.ready_str("director", "username"),
                &org,
                "bad",
            )
            .await;
        assert_error(&r, 401);
    }
    let locked = sim
        .director_basic(
            "/cloudapi/1.0.0/sessions",
            &sim.ready_str("director", "username"),
            &org,
            &sim.ready_str("director", "password"),
        )
        .await;
    assert_error(&locked, 401);
    assert!(locked.text.contains("locked"));
    assert_error(
        &sim.call(Method::POST, "/cloudapi/1.0.0/sessions", None, None)
            .await,
        401,
    );
}

const DIRECTOR_CONFIG: &str = r#"
[director]
orgs = [
  { name = "acme", users = [
      { name = "boss", password = "pw-boss", role = "Organization Administrator" },
      { name = "worker", password = "pw-worker", role = "vApp User" },
      { name = "kiosk", password = "pw-kiosk", role = "Console Access Only" } ] },
  { name = "other", users = [ { name = "x", password = "pw-x", role = "Organization Administrator" } ] },
  { name = "System", users = [ { name = "administrator", password = "pw-sys", role = "System Administrator" } ] },
]
"#;

async fn login(sim: &Sim, path: &str, user: &str, org: &str, pw: &str) -> String {
    let r = sim.director_basic(path, user, org, pw).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.headers["x-vmware-vcloud-access-token"]
        .to_str()
        .expect("token")
        .to_string()
}

fn names(res: &Res) -> Vec<String> {
    let mut v: Vec<String> = res.body["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn token_visibility_rights_and_provider_flow() {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cfg = dir.join("d.toml");
    std::fs::write(&cfg, DIRECTOR_CONFIG).expect("write");
    let cfg_s = cfg.to_string_lossy().to_string();
    let sim = Sim::start_in(dir.join("state"), &["--config", &cfg_s], false);
    let s = "/cloudapi/1.0.0/sessions";
    let boss = login(&sim, s, "boss", "acme", "pw-boss").await;
    let worker = login(&sim, s, "worker", "acme", "pw-worker").await;
    let kiosk = login(&sim, s, "kiosk", "acme", "pw-kiosk").await;
    let x = login(&sim, s, "x", "other", "pw-x").await;
    assert_eq!(
        create_token(&sim, &boss, "acme", "boss-t").await.status,
        200
    );
    assert_eq!(
        create_token(&sim, &worker, "acme", "worker-t").await.status,
        200
    );
    assert_eq!(create_token(&sim, &x, "other", "x-t").await.status, 200);
    // No "Manage user's own API token" right.
    assert_error(
        &sim.post(
            "/oauth/tenant/acme/register",
            &kiosk,
            &json!({ "client_name": "k" }),
        )
        .await,
        403,
    );
    // A session of another org cannot register here.
    assert_error(
        &sim.post(
            "/oauth/tenant/acme/register",
            &x,
            &json!({ "client_name": "k" }),
        )
        .await,
        403,
    );
    let list = |t: String| {
        let sim = &sim;
        async move { sim.get("/cloudapi/1.0.0/tokens", &t).await }
    };
    assert_eq!(names(&list(worker.clone()).await), ["worker-t"]);
    assert_eq!(names(&list(boss.clone()).await), ["boss-t", "worker-t"]);
    assert_eq!(names(&list(x.clone()).await), ["x-t"]);
    // The worker cannot revoke the boss's token (it does not even see it); the boss can revoke
    // the worker's.
    let all = list(boss.clone()).await;
    let id_of = |n: &str| {
        all.body["values"]
            .as_array()
            .expect("values")
            .iter()
            .find(|t| t["name"] == n)
            .expect("token")["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    assert_error(
        &sim.delete(
            &format!("/cloudapi/1.0.0/tokens/{}", id_of("boss-t")),
            &worker,
        )
        .await,
        404,
    );
    assert_eq!(
        sim.delete(
            &format!("/cloudapi/1.0.0/tokens/{}", id_of("worker-t")),
            &boss
        )
        .await
        .status,
        204
    );

    // Provider: System administrator sees every org's tokens and makes its own at /oauth/provider.
    let sys = login(
        &sim,
        "/cloudapi/1.0.0/sessions/provider",
        "administrator",
        "System",
        "pw-sys",
    )
    .await;
    assert_eq!(names(&list(sys.clone()).await), ["boss-t", "x-t"]);
    let reg = sim
        .post(
            "/oauth/provider/register",
            &sys,
            &json!({ "client_name": "sys-t" }),
        )
        .await;
    assert_eq!(reg.status, 200);
    let cid = reg.body["client_id"].as_str().expect("cid").to_string();
    let made = sim
        .form(
            "/oauth/provider/token",
            &[
                ("grant_type", JWT_BEARER),
                ("client_id", &cid),
                ("assertion", &sys),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.text);
    let secret = made.body["refresh_token"].as_str().expect("secret");
    let ex = sim
        .form(
            "/oauth/provider/token",
            &[("grant_type", "refresh_token"), ("refresh_token", secret)],
        )
        .await;
    assert_eq!(ex.status, 200);
    assert_eq!(ex.body["expires_in"], 2_592_000);
    let at = ex.body["access_token"].as_str().expect("at");
    let orgs = sim.get("/api/org", at).await;
    assert!(orgs.text.contains("name=\"acme\"") && orgs.text.contains("name=\"other\""));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Create Token creates only the documented PROXY / EXTENSION types; a PROXY token is listed
/// with its type and is not an API token (its value is refused by the refresh grant).
#[tokio::test]
async fn typed_tokens_are_proxy_or_extension_only() {
    let sim = Sim::start().await;
    let session = sim.director_login().await;
    let org = sim.ready_str("director", "org");
    for bad in [
        json!({ "name": "r", "type": "REFRESH" }),
        json!({ "name": "e", "type": "EXTENSION" }),
        json!({ "type": "PROXY" }),
    ] {
        let r = sim.post("/cloudapi/1.0.0/tokens", &session, &bad).await;
        assert_error(&r, 400);
    }
    let p = sim
        .post(
            "/cloudapi/1.0.0/tokens",
            &session,
            &json!({ "name": "px", "type": "PROXY" }),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["type"], "PROXY");
    let secret = p.body["token"].as_str().expect("token");
    let ex = sim
        .form(
            &format!("/oauth/tenant/{org}/token"),
            &[("grant_type", "refresh_token"), ("refresh_token", secret)],
        )
        .await;
    assert_error(&ex, 400);
    let list = sim
        .get(
            "/cloudapi/1.0.0/tokens?page=1&pageSize=128&filter=(name==px)",
            &session,
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["values"][0]["type"], "PROXY", "{}", list.text);
    assert!(list.body["values"][0]["org"]["name"].is_string());
}
