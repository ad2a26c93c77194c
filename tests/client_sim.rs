//! The client layer against vcf-sim: authentication counts (one login for many requests, one
//! refresh for many 401s, one re-auth for a dead refresh token, one attempt for a wrong
//! password), retries under injected faults, create-with-lookup after a lost answer, and the
//! error messages of transport failures. Counted with the sim's `/_sim/stats`, never timed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Control, Sim};
use serde_json::{Value, json};
use terraform_provider_vcf::client::{
    ApiClient, ApiError, Call, Clients, Clock, Config, Created, DirectorConfig,
    DirectorCredentials, ErrorKind, FleetCredentials, OperationsConfig, SddcConfig,
    SddcCredentials, TransportOptions,
};
use terraform_provider_vcf::framework::Secret;

fn transport(sim: &Sim, parallel: u32, retries: u32) -> TransportOptions {
    TransportOptions {
        ca_file: Some(sim.ca_file().to_string()),
        parallel_requests: parallel,
        max_retries: retries,
        request_timeout: Duration::from_secs(20),
        ..TransportOptions::default()
    }
}

fn sddc_config(sim: &Sim, password: &str, parallel: u32) -> Config {
    Config {
        transport: transport(sim, parallel, 5),
        sddc_manager: Some(SddcConfig {
            host: sim.host(),
            credentials: SddcCredentials::Password {
                username: sim.ready["sddc_manager"]["username"]
                    .as_str()
                    .expect("user")
                    .into(),
                password: Secret::new(password),
            },
        }),
        ..Config::default()
    }
}

/// The tenant `org` of the sim's Director, signed in with `credentials`.
fn director_config(sim: &Sim, org: &str, credentials: DirectorCredentials) -> Config {
    Config {
        transport: transport(sim, 8, 5),
        director: Some(DirectorConfig {
            host: sim.host(),
            org: Some(org.to_string()),
            credentials,
            flavor: None,
        }),
        ..Config::default()
    }
}

fn sddc_password(sim: &Sim) -> String {
    sim.ready["sddc_manager"]["password"]
        .as_str()
        .expect("password")
        .into()
}

fn fleet_token_config(sim: &Sim) -> Config {
    let ops = &sim.ready["operations"];
    Config {
        transport: transport(sim, 8, 5),
        operations: Some(OperationsConfig {
            host: sim.host(),
            credentials: FleetCredentials::ApiToken {
                token: Secret::new(ops["api_token"].as_str().expect("token")),
                token_endpoint_url: ops["token_endpoint_url"]
                    .as_str()
                    .expect("endpoint")
                    .parse()
                    .expect("url"),
            },
        }),
        ..Config::default()
    }
}

/// Runs `n` calls of `make()` at once (each on its own task) and returns their results.
async fn concurrently(
    api: &ApiClient,
    n: usize,
    make: impl Fn(usize) -> Call,
) -> Vec<Result<u16, ApiError>> {
    let api = Arc::new(api.clone());
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let api = api.clone();
            let call = make(i);
            tokio::spawn(async move { api.call(call).await.map(|r| r.status) })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// Fails unless every result is a 200, naming the first error.
fn assert_all_200(results: &[Result<u16, ApiError>]) {
    assert!(
        results.iter().all(|r| matches!(r, Ok(200))),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
}

fn domains() -> Call {
    Call::get("/v1/domains").what("list domains")
}

/// SDDC Manager's login, as the sim counts it.
const SDDC_LOGIN: &str = "POST /v1/tokens";
/// SDDC Manager's access-token refresh, as the sim counts it.
const SDDC_REFRESH: &str = "PATCH /v1/tokens/access-token/refresh";
/// The domain listing, as the sim counts it.
const SDDC_DOMAINS: &str = "GET /v1/domains";
/// The create of an API client, as the sim counts it.
const API_CLIENT_CREATE: &str =
    "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients";

/// Clients signed in to the sim's SDDC Manager as its administrator, `parallel` requests at a
/// time.
fn sddc_admin_clients(sim: &Sim, parallel: u32) -> Clients {
    Clients::new(&sddc_config(sim, &sddc_password(sim), parallel)).expect("clients")
}

/// The error of one domain listing through fresh clients of `cfg` (the test fails if it
/// succeeds; `what` names the failure expected).
async fn domains_error(cfg: &Config, what: &str) -> ApiError {
    Clients::new(cfg)
        .expect("clients")
        .sddc_manager()
        .expect("sddc")
        .call(domains())
        .await
        .expect_err(what)
}

/// Installs the fault `rule` and zeroes the sim's request counts.
async fn fault_and_reset_stats(ctl: &Control, rule: Value) {
    ctl.fault(rule).await;
    ctl.reset_stats().await;
}

/// The VCF Operations (fleet) client of `clients`.
fn operations_api(clients: &Clients) -> &ApiClient {
    clients.operations().expect("operations")
}

/// The Cloud Director client of `clients`.
fn director_api(clients: &Clients) -> &ApiClient {
    clients.director().expect("director")
}

/// Sends `n` GETs of `path` at once through the family client `pick` takes from fresh clients of
/// `cfg`; asserts that all answer 200 and that the sim counted `login` exactly once so far.
async fn assert_one_login_for_many(
    ctl: &Control,
    cfg: &Config,
    pick: fn(&Clients) -> &ApiClient,
    n: usize,
    path: &'static str,
    login: &str,
) {
    let clients = Clients::new(cfg).expect("clients");
    let results = concurrently(pick(&clients), n, |_| Call::get(path)).await;
    assert_all_200(&results);
    assert_eq!(ctl.count(login, None).await, 1, "{login}");
}

/// The create of API client `id` in `realm`, with its import hint.
fn create_api_client(realm: &str, id: &str) -> Call {
    Call::post(format!("/ssorealms/{realm}/api-clients"))
        .json(&json!({"clientId": id, "clientName": id, "clientDescription": "test"}))
        .what(format!("create API client {id:?}"))
        .import_hint("vcf_api_client", format!("{realm}/{id}"))
}

/// Looks API client `id` of `realm` up: the object, or `None` when the API answers 404.
async fn find_api_client(
    api: ApiClient,
    realm: String,
    id: String,
) -> Result<Option<Value>, ApiError> {
    match api
        .json::<Value>(Call::get(format!("/ssorealms/{realm}/api-clients/{id}")))
        .await
    {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// How many API clients of `realm` carry the id `id`.
async fn count_api_clients(api: &ApiClient, realm: &str, id: &str) -> usize {
    let v: Value = api
        .json(Call::post(format!("/ssorealms/{realm}/api-clients/query")).json(&json!({})))
        .await
        .expect("list");
    v["apiClients"]
        .as_array()
        .expect("apiClients")
        .iter()
        .filter(|c| c["clientId"] == id)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_requests_authenticate_once() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = sddc_admin_clients(&sim, 8);
    let api = clients.sddc_manager().expect("sddc");
    let results = concurrently(api, 500, |_| domains()).await;
    assert_all_200(&results);
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 1);
    assert_eq!(ctl.count(SDDC_REFRESH, None).await, 0);
    assert_eq!(ctl.count(SDDC_DOMAINS, Some("200")).await, 500);

    // Shutdown invalidates the refresh token, once.
    clients.shutdown().await;
    assert_eq!(
        ctl.count("DELETE /v1/tokens/refresh-token", Some("204"))
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_and_director_authenticate_once_for_many_requests() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);

    // Fleet IAM with the ready line's vidb_ API token.
    let clients = Clients::new(&fleet_token_config(&sim)).expect("clients");
    let results = concurrently(operations_api(&clients), 300, |_| {
        Call::get("/ssorealms").what("list SSO realms")
    })
    .await;
    assert_all_200(&results);
    assert_eq!(ctl.count("POST /acs/t/CUSTOMER/token", None).await, 1);

    // Fleet IAM with user and password.
    let ops = &sim.ready["operations"];
    let cfg = Config {
        transport: transport(&sim, 8, 5),
        operations: Some(OperationsConfig {
            host: sim.host(),
            credentials: FleetCredentials::Password {
                username: ops["username"].as_str().expect("user").into(),
                password: Secret::new(ops["password"].as_str().expect("password")),
                auth_source: None,
            },
        }),
        ..Config::default()
    };
    let login = "POST /suite-api/api/auth/token/acquire";
    assert_one_login_for_many(&ctl, &cfg, operations_api, 200, "/ssorealms", login).await;

    // Director: session login, then an API token of the same tenant.
    let d = &sim.ready["director"];
    let org = d["org"].as_str().expect("org").to_string();
    let cfg = director_config(
        &sim,
        &org,
        DirectorCredentials::Password {
            username: d["username"].as_str().expect("user").into(),
            password: Secret::new(d["password"].as_str().expect("password")),
        },
    );
    let login = "POST /cloudapi/1.0.0/sessions";
    assert_one_login_for_many(&ctl, &cfg, director_api, 200, "/api/org", login).await;

    let created = ctl
        .post(
            "/objects",
            json!({"op": "create", "kind": "director_token", "fields": {"name": "ci"}}),
        )
        .await;
    let api_token = created["created"][0]["refresh_token"]
        .as_str()
        .expect("token")
        .to_string();
    let cfg = director_config(
        &sim,
        &org,
        DirectorCredentials::ApiToken {
            token: Secret::new(api_token),
        },
    );
    let login = "POST /oauth/tenant/{org}/token";
    assert_one_login_for_many(&ctl, &cfg, director_api, 200, "/api/org", login).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_401s_share_one_refresh() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = sddc_admin_clients(&sim, 64);
    let api = clients.sddc_manager().expect("sddc");
    // Open 50 pooled connections (slow answers force one connection per request).
    ctl.fault(json!({"path": "/v1/domains", "kind": "latency", "latency_ms": [100, 100]}))
        .await;
    let warm = concurrently(api, 50, |_| domains()).await;
    assert!(warm.iter().all(|r| r.is_ok()));
    ctl.delete("/faults").await;

    // Every access token the sim issued dies; the refresh answers slowly, so all 50 requests
    // meet the 401 before any fresh token exists.
    ctl.post("/objects", json!({"op": "delete", "kind": "sessions"}))
        .await;
    fault_and_reset_stats(
        &ctl,
        json!({"path": "/v1/tokens/access-token/refresh", "kind": "latency", "latency_ms": [2000, 2000]}),
    )
    .await;
    let results = concurrently(api, 50, |_| domains()).await;
    assert_all_200(&results);
    assert_eq!(ctl.count(SDDC_REFRESH, None).await, 1);
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 0);
    assert_eq!(ctl.count(SDDC_DOMAINS, Some("401")).await, 50);
    assert_eq!(ctl.count(SDDC_DOMAINS, Some("200")).await, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_refresh_token_leads_to_exactly_one_reauth() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = sddc_admin_clients(&sim, 8);
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("first call");
    ctl.advance(25 * 3600).await; // past the 24 h refresh token and the 60 min access token
    ctl.reset_stats().await;
    let results = concurrently(api, 20, |_| domains()).await;
    assert_all_200(&results);
    // The dead refresh token is tried once: 401 when expired, 404 once the sim pruned it.
    let dead =
        ctl.count(SDDC_REFRESH, Some("401")).await + ctl.count(SDDC_REFRESH, Some("404")).await;
    assert_eq!(dead, 1);
    assert_eq!(ctl.count(SDDC_REFRESH, None).await, 1);
    assert_eq!(ctl.count(SDDC_LOGIN, Some("200")).await, 1);
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_token_is_refreshed_before_it_expires() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clock = Clock::default();
    let clients = Clients::with_clock(&sddc_config(&sim, &sddc_password(&sim), 8), clock.clone())
        .expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("first call");
    // 44 minutes in: nothing to do yet.
    ctl.advance(44 * 60).await;
    clock.advance(Duration::from_secs(44 * 60));
    ctl.reset_stats().await;
    api.call(domains()).await.expect("call");
    assert_eq!(ctl.count(SDDC_REFRESH, None).await, 0);
    // 46 minutes in (past 75% of 60): one proactive refresh, no 401.
    ctl.advance(2 * 60).await;
    clock.advance(Duration::from_secs(2 * 60));
    let results = concurrently(api, 20, |_| domains()).await;
    assert_all_200(&results);
    assert_eq!(ctl.count(SDDC_REFRESH, Some("200")).await, 1);
    assert_eq!(ctl.count(SDDC_DOMAINS, Some("401")).await, 0);
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_one_attempt_and_a_clear_error() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let wrong = "not-the-password-4711";
    let clients = Clients::new(&sddc_config(&sim, wrong, 8)).expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    let results = concurrently(api, 20, |_| domains()).await;
    for r in &results {
        let e = r.as_ref().expect_err("rejected");
        assert_eq!(e.kind(), ErrorKind::CredentialsRejected, "{e}");
        let text = e.to_string();
        assert!(text.contains("rejected the credentials"), "{text}");
        assert!(text.contains("sddc_manager.password"), "{text}");
        assert!(!text.contains(wrong), "{text}");
    }
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 1);
    assert_eq!(ctl.count(SDDC_LOGIN, Some("401")).await, 1);
    assert_eq!(ctl.count(SDDC_DOMAINS, None).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_account_is_reported_as_locked() {
    let sim = Sim::start();
    // Five separate provider runs with a wrong password lock the account (sim default 5).
    for _ in 0..5 {
        let clients = Clients::new(&sddc_config(&sim, "wrong", 8)).expect("clients");
        let _ = clients.sddc_manager().expect("sddc").call(domains()).await;
    }
    let e = domains_error(&sddc_config(&sim, &sddc_password(&sim), 8), "locked").await;
    assert_eq!(e.kind(), ErrorKind::AccountLocked, "{e}");
    assert!(e.to_string().contains("locked"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_503_and_429_are_retried_and_counted() {
    let sim = Sim::start_with(vcf_sim::Options {
        seed: Some(42),
        ..Default::default()
    });
    let ctl = Control::new(&sim);
    let mut cfg = sddc_config(&sim, &sddc_password(&sim), 8);
    cfg.transport.max_retries = 10;
    let clients = Clients::new(&cfg).expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("authenticate first");
    ctl.reset_stats().await;
    ctl.fault(json!({"path": "/v1/domains", "kind": "error", "status": 503, "probability": 0.10}))
        .await;
    ctl.fault(
        json!({"path": "/v1/domains", "kind": "rate_limit", "retry_after": 1, "probability": 0.05}),
    )
    .await;
    let n = 1000u64;
    let results = concurrently(api, n as usize, |_| domains()).await;
    assert_all_200(&results);
    let ok = ctl.count(SDDC_DOMAINS, Some("200")).await;
    let e503 = ctl.count(SDDC_DOMAINS, Some("503")).await;
    let e429 = ctl.count(SDDC_DOMAINS, Some("429")).await;
    let total = ctl.count(SDDC_DOMAINS, None).await;
    assert_eq!(ok, n);
    // Every extra request answers an injected fault, and nothing else was sent.
    assert_eq!(total - n, e503 + e429);
    assert_eq!(ctl.count(SDDC_LOGIN, None).await, 0);
    // Per attempt, a fault fires with p = 0.10 + 0.90 * 0.05 = 0.145.
    let rate = (e503 + e429) as f64 / total as f64;
    eprintln!(
        "1000 requests: {total} attempts, {e503} x 503, {e429} x 429, fault rate {rate:.3} (injected 0.145)"
    );
    assert!((rate - 0.145).abs() < 0.04, "fault rate {rate}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_idempotent_post_is_not_retried() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = sddc_admin_clients(&sim, 8);
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("authenticate first");
    fault_and_reset_stats(
        &ctl,
        json!({"path": "/v1/users", "method": "POST", "kind": "error", "status": 503, "times": 1}),
    )
    .await;
    let call = Call::post("/v1/users")
        .json(&json!([{"name": "svc-a", "domain": "vsphere.local", "type": "SERVICE", "role": {"id": "x"}}]))
        .what("create SDDC Manager user \"svc-a\"");
    let e = api.call(call).await.expect_err("503");
    assert_eq!(e.kind(), ErrorKind::Server, "{e}");
    assert_eq!(ctl.count("POST /v1/users", None).await, 1);
    // Sent once, so the error speaks of no retries.
    assert!(!e.to_string().contains("attempt"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_retries_are_counted_in_the_error() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let mut cfg = sddc_config(&sim, &sddc_password(&sim), 8);
    cfg.transport.max_retries = 2;
    let clients = Clients::new(&cfg).expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("authenticate first");
    fault_and_reset_stats(
        &ctl,
        json!({"path": "/v1/domains", "kind": "error", "status": 502}),
    )
    .await;
    let e = api.call(domains()).await.expect_err("502");
    assert_eq!(e.kind(), ErrorKind::Server, "{e}");
    assert_eq!(ctl.count(SDDC_DOMAINS, Some("502")).await, 3);
    assert!(e.to_string().contains("Gave up after 3 attempt(s)"), "{e}");

    // A create the server keeps refusing with 503 goes max_retries + 1 times, then says that
    // nothing was created.
    fault_and_reset_stats(
        &ctl,
        json!({"path": "/v1/users", "method": "POST", "kind": "error", "status": 503}),
    )
    .await;
    let call = Call::post("/v1/users")
        .json(&json!([{"name": "svc-b", "domain": "vsphere.local", "type": "SERVICE", "role": {"id": "x"}}]))
        .what("create SDDC Manager user \"svc-b\"");
    let e = api
        .create_with_lookup(call, || async { Ok(None::<Value>) })
        .await
        .expect_err("503 every time");
    assert_eq!(ctl.count("POST /v1/users", Some("503")).await, 3);
    let text = e.to_string();
    assert!(
        text.contains("did not take the request") && text.contains("Gave up after 3 attempt(s)"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_with_lookup_finds_the_object_after_a_reset() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let realm = sim.ready["sso_realm_id"]
        .as_str()
        .expect("realm")
        .to_string();
    let clients = Clients::new(&fleet_token_config(&sim)).expect("clients");
    let api = clients.operations().expect("operations");
    api.call(Call::get("/ssorealms"))
        .await
        .expect("authenticate first");
    let lookup = |id: &str| find_api_client(api.clone(), realm.clone(), id.to_string());

    // Applied, then the connection is reset: the lookup recovers the object, no duplicate.
    fault_and_reset_stats(
        &ctl,
        json!({"path": "*/api-clients", "method": "POST", "kind": "reset_after", "times": 1}),
    )
    .await;
    let got = api
        .create_with_lookup(create_api_client(&realm, "ci-after"), || lookup("ci-after"))
        .await
        .expect("recovered");
    assert!(got.is_recovered());
    assert_eq!(got.into_inner()["clientId"], "ci-after");
    assert_eq!(ctl.count(API_CLIENT_CREATE, None).await, 1);
    assert_eq!(count_api_clients(api, &realm, "ci-after").await, 1);

    for (rule, id, expect) in [
        // Reset before it was applied: the lookup finds nothing, so the create goes again and
        // makes the object once.
        (
            json!({"path": "*/api-clients", "method": "POST", "kind": "reset_before", "times": 1}),
            "ci-before",
            "created on the second attempt",
        ),
        // A gateway error (the sim leaves the world untouched): looked up, not found, sent again.
        (
            json!({"path": "*/api-clients", "method": "POST", "kind": "error", "status": 502, "times": 1}),
            "ci-gateway",
            "created after a 502",
        ),
    ] {
        fault_and_reset_stats(&ctl, rule).await;
        let got = api
            .create_with_lookup(create_api_client(&realm, id), || lookup(id))
            .await
            .expect(expect);
        assert!(!got.is_recovered(), "{id}");
        assert_eq!(ctl.count(API_CLIENT_CREATE, None).await, 2, "{id}");
        assert_eq!(count_api_clients(api, &realm, id).await, 1, "{id}");
    }

    // 503 says the server did not take the request: sent again without a lookup.
    fault_and_reset_stats(
        &ctl,
        json!({"path": "*/api-clients", "method": "POST", "kind": "error", "status": 503, "times": 1}),
    )
    .await;
    api.create_with_lookup(create_api_client(&realm, "ci-busy"), || async {
        panic!("no lookup after a 503");
        #[allow(unreachable_code)]
        Ok(None::<Value>)
    })
    .await
    .expect("created after a 503");
    assert_eq!(ctl.count(API_CLIENT_CREATE, None).await, 2);
    assert_eq!(count_api_clients(api, &realm, "ci-busy").await, 1);

    // A normal create answers Fresh; creating it again is a 409 with the import ID.
    let fresh: Created<Value> = api
        .create_with_lookup(create_api_client(&realm, "ci-fresh"), || lookup("ci-fresh"))
        .await
        .expect("created");
    assert!(!fresh.is_recovered());
    let e = api
        .create_with_lookup(create_api_client(&realm, "ci-fresh"), || lookup("ci-fresh"))
        .await
        .expect_err("exists");
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(
        e.to_string().contains(&format!(
            "terraform import vcf_api_client.<name> \"{realm}/ci-fresh\""
        )),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_names_the_needed_role() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "sddc_user", "fields": {"name": "viewer@vsphere.local", "role": "VIEWER", "password": "Viewer1!"}}),
    )
    .await;
    let mut cfg = sddc_config(&sim, "Viewer1!", 8);
    if let Some(SddcConfig {
        credentials: SddcCredentials::Password { username, .. },
        ..
    }) = cfg.sddc_manager.as_mut()
    {
        *username = "viewer@vsphere.local".into();
    }
    let clients = Clients::new(&cfg).expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    let e = api
        .call(
            Call::post("/v1/users")
                .json(&json!([{"name": "svc-b", "type": "SERVICE", "role": {"id": "x"}}]))
                .what("create SDDC Manager user \"svc-b\"")
                .needs_role("the ADMIN role"),
        )
        .await
        .expect_err("403");
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert!(e.to_string().contains("needs the ADMIN role"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_say_what_to_fix() {
    let sim = Sim::start();
    // Not trusting the sim's CA: a TLS error naming the trust used and the fix.
    let mut cfg = sddc_config(&sim, &sddc_password(&sim), 8);
    cfg.transport.ca_file = None;
    let e = domains_error(&cfg, "untrusted").await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("system trust store") && text.contains("ca_file"),
        "{text}"
    );

    // Nothing listening: connection refused, naming the host.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut cfg = sddc_config(&sim, "x", 8);
    cfg.transport.max_retries = 1;
    if let Some(s) = cfg.sddc_manager.as_mut() {
        s.host = format!("127.0.0.1:{port}");
    }
    let e = domains_error(&cfg, "refused").await;
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(e.to_string().contains("connection refused"), "{e}");

    // A name that does not resolve.
    if let Some(s) = cfg.sddc_manager.as_mut() {
        s.host = "sddc.does-not-exist.invalid".into();
    }
    let e = domains_error(&cfg, "dns").await;
    assert_eq!(e.kind(), ErrorKind::Dns, "{e}");
    assert!(e.to_string().contains("sddc.does-not-exist.invalid"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_time_out_with_advice() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let mut cfg = sddc_config(&sim, &sddc_password(&sim), 8);
    cfg.transport.request_timeout = Duration::from_secs(1);
    cfg.transport.max_retries = 1;
    let clients = Clients::new(&cfg).expect("clients");
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("authenticate first");
    ctl.fault(json!({"path": "/v1/domains", "kind": "latency", "latency_ms": [4000, 4000]}))
        .await;
    let e = api.call(domains()).await.expect_err("timeout");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.is_ambiguous());
    assert!(e.to_string().contains("request_timeout"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_requests_bounds_requests_in_flight() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = sddc_admin_clients(&sim, 4);
    let api = clients.sddc_manager().expect("sddc");
    api.call(domains()).await.expect("authenticate first");
    ctl.fault(json!({"path": "/v1/domains", "kind": "latency", "latency_ms": [300, 300]}))
        .await;
    // 16 requests of 300 ms each, at most 4 at a time: at least 4 waves. (A lower bound only,
    // so a slow machine cannot make this fail.)
    let start = std::time::Instant::now();
    let results = concurrently(api, 16, |_| domains()).await;
    assert_all_200(&results);
    assert!(
        start.elapsed() >= Duration::from_millis(4 * 300),
        "16 requests finished in {:?}: more than 4 were in flight",
        start.elapsed()
    );
}
