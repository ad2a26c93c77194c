//! Hostile and broken servers (issue 16, the client layer): each test selects a hostile
//! behaviour in vcf-sim (its fault control API) or feeds the provider a value meant to break
//! it, and checks what the user gets through the real terraform binary, or what the client
//! layer sends, counted in the sim's `/_sim/stats`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    Control, REQUIRED_PROVIDERS, Sim, SyncControl, flatten_whitespace, fleet_workdir, terraforms,
    text, viewer_api_client_hcl,
};
use serde_json::Value;
use terraform_provider_vcf::client::{
    Call, Clients, Config, ErrorKind, FleetCredentials, OperationsConfig, TransportOptions,
    path_segment,
};
use terraform_provider_vcf::framework::Secret;

fn fleet_config(sim: &Sim) -> Config {
    let ops = &sim.ready["operations"];
    Config {
        transport: TransportOptions {
            ca_file: Some(sim.ca_file().to_string()),
            max_retries: 1,
            request_timeout: Duration::from_secs(20),
            ..TransportOptions::default()
        },
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

/// Every endpoint (`METHOD /template`) the sim counted a request on.
fn endpoints(stats: &Value) -> Vec<String> {
    stats["endpoints"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Finding 1: dot segments

#[test]
fn dot_segments_are_refused_on_their_attribute_and_in_import_ids() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "dots" {{
  client_id = ".."
}}

resource "vcf_custom_role" "dot" {{
  name = "."
  component_roles = [
    {{ component_type = "VCF_OPERATIONS", roles = ["Administrator"] }},
  ]
}}

resource "vcf_role_assignment" "up" {{
  principal_id = ".."
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}

resource "vcf_api_token" "up" {{
  api_client_id = "."
  name          = "t"
}}
"#
        ));
        ctl.reset_stats();
        let (ok, diags) = wd.diagnostics(&["validate", "-json", "-no-color"]);
        assert!(!ok, "Terraform {}: validate passed", tf.version);
        for line in [
            r#"client_id = "..""#,
            r#"name = ".""#,
            r#"principal_id = "..""#,
            r#"api_client_id = ".""#,
        ] {
            let d = diags
                .iter()
                .find(|d| {
                    flatten_whitespace(d["snippet"]["code"].as_str().unwrap_or_default())
                        .contains(line)
                        && d["detail"]
                            .as_str()
                            .is_some_and(|t| t.contains("must not be `.` or `..`"))
                })
                .unwrap_or_else(|| {
                    panic!(
                        "Terraform {}: no dot-segment diagnostic on `{line}`: {diags:#?}",
                        tf.version
                    )
                });
            assert_eq!(d["severity"], "error", "{d}");
        }

        // Import IDs: refused before any request.
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_api_client\" \"x\" {{\n  client_id = \"x\"\n}}\n"
        ));
        for id in ["flt-idb02/..", "flt-idb02/.", "../x"] {
            let out = wd.run(&[
                "import",
                "-no-color",
                "-input=false",
                "vcf_api_client.x",
                id,
            ]);
            let t = flatten_whitespace(&text(&out));
            assert!(!out.status.success(), "import {id} succeeded: {t}");
            assert!(t.contains("Invalid import ID"), "import {id}: {t}");
        }
        let seen = endpoints(&ctl.stats());
        assert!(
            !seen
                .iter()
                .any(|e| e.contains("api-clients") || e == "unmatched"),
            "Terraform {}: requests reached the API: {seen:?}",
            tf.version
        );
    }
}

#[tokio::test]
async fn a_dot_segment_never_reaches_the_server() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = Clients::new(&fleet_config(&sim)).expect("clients");
    let api = clients.operations().expect("fleet");
    let realm = sim.ready["sso_realm_id"]
        .as_str()
        .expect("realm")
        .to_string();
    // Authenticate first, so that only the calls below are counted.
    api.call(Call::get("/ssorealms")).await.expect("realms");
    ctl.reset_stats().await;
    for bad in [".", ".."] {
        let seg = path_segment(bad);
        for call in [
            Call::delete(format!("/ssorealms/{realm}/api-clients/{seg}")),
            Call::put(format!("/ssorealms/{realm}/principals/{seg}/roles")).json(&Vec::<u8>::new()),
            Call::delete(format!("/roles/{seg}")),
            Call::get(format!("/ssorealms/{seg}/api-tokens/x")),
        ] {
            let what = format!("{} {}", call.method(), call.path());
            let e = api.call(call).await.expect_err(&what);
            assert_eq!(e.kind(), ErrorKind::Config, "{what}: {e}");
            assert!(e.to_string().contains("sent nothing"), "{what}: {e}");
        }
    }
    let stats = ctl.stats().await;
    assert_eq!(
        stats["total"].as_u64(),
        Some(0),
        "requests reached the sim: {:?}",
        endpoints(&stats)
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 2: credentials echoed in error answers

/// A password with every character the echo formats escape differently.
const ECHO_PASSWORD: &str = r#"Echo'd "pass" <&> \ é/1"#;

/// A sim whose SDDC Manager, VCF Operations and Director users log in with [`ECHO_PASSWORD`].
fn echo_sim() -> Sim {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("sim.toml");
    let pw = format!("'''{ECHO_PASSWORD}'''");
    std::fs::write(
        &cfg,
        format!(
            r#"[sddc_manager]
users = [{{ name = "administrator@vsphere.local", password = {pw}, role = "ADMIN" }}]

[operations]
users = [{{ name = "admin", password = {pw}, roles = ["vcf_admin"] }}]

[[director.orgs]]
name = "rainpole"
users = [{{ name = "tenant-admin", password = {pw} }}]

[[director.orgs]]
name = "System"
users = [{{ name = "administrator", password = {pw}, role = "System Administrator" }}]
"#
        ),
    )
    .expect("write sim config");
    let sim = Sim::start_with(vcf_sim::Options {
        config: Some(cfg.clone()),
        ..Default::default()
    });
    assert_eq!(
        sim.ready["sddc_manager"]["password"].as_str(),
        Some(ECHO_PASSWORD)
    );
    sim
}

/// `s` the way the echo formats of the sim write it, also after the provider JSON-encoded or
/// form-encoded it in its request (computed here independently of the provider's scrubber).
fn echoed_forms(s: &str) -> Vec<String> {
    let json = |x: &str| {
        let j = serde_json::to_string(x).expect("json");
        j[1..j.len() - 1].to_string()
    };
    let xml = |x: &str| {
        x.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\'', "&apos;")
            .replace('"', "&quot;")
    };
    let form = |x: &str| {
        let mut o = String::new();
        for b in x.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    o.push(b as char)
                }
                b' ' => o.push('+'),
                _ => o.push_str(&format!("%{b:02X}")),
            }
        }
        o
    };
    let mut out = Vec::new();
    for sent in [s.to_string(), json(s), form(s)] {
        out.push(json(&sent));
        out.push(xml(&sent));
        out.push(sent.replace('\'', "''"));
        out.push(sent);
    }
    out.sort();
    out.dedup();
    out
}

/// Fails when any artifact of `wd` (trace logs, stdout, stderr) holds `secret` in any of its
/// echoed forms. Names the form's index and the file, never the secret.
fn assert_not_echoed(wd: &common::Workdir, secret: &str, what: &str) {
    let forms = echoed_forms(secret);
    for e in std::fs::read_dir(wd.artifacts_dir())
        .expect("artifacts")
        .flatten()
    {
        let bytes = std::fs::read(e.path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for (i, f) in forms.iter().enumerate() {
            assert!(
                !text.contains(f.as_str()),
                "{what} (echo form #{i}) appears in {}",
                e.file_name().to_string_lossy()
            );
        }
    }
}

/// What is echoed, the fault rule, the configuration, and its environment.
type EchoCase<'a> = (String, Value, &'a str, &'a [(&'a str, String)]);

#[test]
fn credentials_echoed_by_the_server_appear_nowhere() {
    let sim = echo_sim();
    let ctl = SyncControl::new(&sim);
    let host = sim.host();
    let ready = sim.ready.clone();
    let formats = ["jackson", "text", "yaml", "xml"];
    // (family, login path, configuration, extra environment)
    let sddc_env = [
        ("VCF_SDDC_MANAGER_HOST", host.clone()),
        (
            "VCF_SDDC_MANAGER_USERNAME",
            ready["sddc_manager"]["username"].as_str().unwrap().into(),
        ),
        ("VCF_SDDC_MANAGER_PASSWORD", ECHO_PASSWORD.into()),
    ];
    let ops_env = [
        ("VCF_OPERATIONS_HOST", host.clone()),
        (
            "VCF_OPERATIONS_USERNAME",
            ready["operations"]["username"].as_str().unwrap().into(),
        ),
        ("VCF_OPERATIONS_PASSWORD", ECHO_PASSWORD.into()),
    ];
    let token_env = [
        ("VCF_OPERATIONS_HOST", host.clone()),
        (
            "VCF_OPERATIONS_API_TOKEN",
            ready["operations"]["api_token"].as_str().unwrap().into(),
        ),
        (
            "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
            ready["operations"]["token_endpoint_url"]
                .as_str()
                .unwrap()
                .into(),
        ),
    ];
    let dir_env = [
        ("VCF_DIRECTOR_HOST", host.clone()),
        ("VCF_DIRECTOR_ORG", "rainpole".to_string()),
        ("VCF_DIRECTOR_USERNAME", "tenant-admin".to_string()),
        ("VCF_DIRECTOR_PASSWORD", ECHO_PASSWORD.into()),
    ];
    let sddc_cfg = "data \"vcf_sddc_roles\" \"all\" {}\n";
    let ops_cfg = "data \"vcf_sso_realm\" \"r\" {\n  name = \"flt-idb02\"\n}\n";
    let dir_cfg = "data \"vcf_director_api_tokens\" \"all\" {}\n";
    let mut cases: Vec<EchoCase<'_>> = Vec::new();
    for f in formats {
        cases.push((
            format!("SDDC Manager login, {f}"),
            serde_json::json!({"path": "/v1/tokens", "method": "POST", "kind": "echo", "format": f}),
            sddc_cfg,
            &sddc_env,
        ));
        cases.push((
            format!("VCF Operations token/acquire, {f}"),
            serde_json::json!({"path": "/suite-api/api/auth/token/acquire", "kind": "echo", "format": f}),
            ops_cfg,
            &ops_env,
        ));
    }
    cases.push((
        "API-token exchange at the identity broker, yaml".into(),
        serde_json::json!({"path": "/acs/*", "kind": "echo", "format": "yaml"}),
        ops_cfg,
        &token_env,
    ));
    cases.push((
        "fleet IAM call with the OpsToken, jackson".into(),
        serde_json::json!({"path": "/suite-api/api/fleet-management/*", "kind": "echo", "format": "jackson"}),
        ops_cfg,
        &ops_env,
    ));
    cases.push((
        "Director session, xml".into(),
        serde_json::json!({"path": "/cloudapi/*/sessions*", "method": "POST", "kind": "echo", "format": "xml"}),
        dir_cfg,
        &dir_env,
    ));
    cases.push((
        "SDDC Manager refresh (bare refresh-token id)".into(),
        serde_json::json!({"path": "/v1/tokens/access-token/refresh", "kind": "echo", "format": "refresh_id"}),
        sddc_cfg,
        &sddc_env,
    ));
    for tf in terraforms() {
        for (what, rule, cfg, env) in &cases {
            let mut wd = common::Workdir::new(&tf).env("VCF_CA_FILE", sim.ca_file());
            for (k, v) in env.iter() {
                wd.set_env(k, v);
            }
            wd.write_config(&format!(
                "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\n{cfg}"
            ));
            ctl.delete("/faults");
            ctl.post("/faults", rule.clone());
            if what.contains("refresh") {
                // A 401 on the first API call makes the provider refresh its access token.
                ctl.post(
                    "/faults",
                    serde_json::json!({"path": "/v1/roles", "kind": "unauthorized", "times": 1}),
                );
            }
            ctl.reset_stats();
            let out = wd.run(&["plan", "-no-color", "-input=false"]);
            let t = flatten_whitespace(&text(&out));
            let echoed = ctl.stats()["endpoints"]
                .as_object()
                .map(|m| {
                    m.values()
                        .any(|v| v.get("400").and_then(Value::as_u64).unwrap_or(0) > 0)
                })
                .unwrap_or(false);
            assert!(
                echoed,
                "Terraform {}: {what}: the echo fault never fired: {t}",
                tf.version
            );
            if !what.contains("refresh") {
                assert!(!out.status.success(), "{what}: plan passed: {t}");
                assert!(t.contains("HTTP 400"), "{what}: {t}");
            }
            assert_not_echoed(&wd, ECHO_PASSWORD, &format!("{what}: the password"));
            for s in common::leaks::sim_secrets(
                sim.url(),
                &std::fs::read(sim.ca_file()).expect("ca"),
                &sim.ready,
            )
            .expect("sim secrets")
            {
                if s.value.len() >= 6 {
                    assert_not_echoed(&wd, &s.value, &format!("{what}: {}", s.kind));
                }
            }
        }
    }
    ctl.delete("/faults");
}

// ---------------------------------------------------------------------------------------------
// Finding 5: response size

#[tokio::test]
async fn a_huge_chunked_answer_is_cut_off_at_16_mib() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let clients = Clients::new(&fleet_config(&sim)).expect("clients");
    let api = clients.operations().expect("fleet");
    api.call(Call::get("/ssorealms")).await.expect("realms");
    ctl.fault(serde_json::json!({
        "path": "/suite-api/api/fleet-management/iam/ssorealms",
        "kind": "huge_body",
        "size_mb": 40,
        "times": 2,
    }))
    .await;
    // The sim's answer announces no length (chunked), so only a running limit stops it.
    let pem = std::fs::read(sim.ca_file()).expect("CA file");
    let raw = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).expect("pem"))
        .build()
        .expect("client")
        .get(format!(
            "{}/suite-api/api/fleet-management/iam/ssorealms",
            sim.url()
        ))
        .send()
        .await
        .expect("raw answer");
    assert_eq!(raw.status(), 200);
    assert!(raw.content_length().is_none(), "{:?}", raw.headers());
    drop(raw);
    let e = api
        .call(Call::get("/ssorealms"))
        .await
        .expect_err("a 40 MiB answer");
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("larger than 16 MiB"), "{e}");
}

#[test]
fn a_huge_answer_fails_the_plan_clearly() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    ctl.fault(serde_json::json!({
        "path": "/suite-api/api/fleet-management/iam/ssorealms",
        "kind": "huge_body",
    }));
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"r\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
        let (code, t) = wd.plan_code();
        assert_eq!(code, 1, "Terraform {}: {t}", tf.version);
        assert!(t.contains("Response too large"), "{t}");
        assert!(t.contains("larger than 16 MiB"), "{t}");
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 6: "gone" only when the API says so

#[test]
fn an_html_404_from_a_load_balancer_does_not_drop_objects_from_state() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        let client_id = format!("lb-{}", tf.version.replace('.', "-"));
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{}",
            viewer_api_client_hcl("lb", &client_id, "lb")
        ));
        wd.apply();
        ctl.delete("/faults");
        for path in [
            "/suite-api/api/fleet-management/iam/ssorealms/*/api-clients*",
            "/suite-api/api/fleet-management/iam/ssorealms/*/principals/*",
        ] {
            ctl.fault(serde_json::json!({ "path": path, "kind": "html", "status": 404 }));
        }
        let (code, t) = wd.plan_code();
        ctl.delete("/faults");
        assert_eq!(code, 1, "Terraform {}: the plan must fail: {t}", tf.version);
        assert!(t.contains("HTTP 404 without the API's error body"), "{t}");
        assert!(t.contains("not take the object as deleted"), "{t}");
        let list = text(&wd.run(&["state", "list"]));
        for addr in ["vcf_api_client.lb", "vcf_role_assignment.lb"] {
            assert!(list.contains(addr), "{addr} left the state: {list}");
        }
        wd.assert_no_changes("after the load balancer's 404s");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 10: smaller ones

/// Answers with `status` counted over every endpoint.
fn answers(stats: &Value, status: &str) -> u64 {
    stats["endpoints"]
        .as_object()
        .map(|m| m.values().filter_map(|v| v[status].as_u64()).sum())
        .unwrap_or(0)
}

#[tokio::test]
async fn request_timeout_bounds_all_attempts_of_a_request() {
    let sim = Sim::start();
    let ctl = Control::new(&sim);
    let mut cfg = fleet_config(&sim);
    cfg.transport.request_timeout = Duration::from_secs(2);
    cfg.transport.max_retries = 5;
    let clients = Clients::new(&cfg).expect("clients");
    let api = clients.operations().expect("fleet");
    api.call(Call::get("/ssorealms")).await.expect("realms");
    ctl.reset_stats().await;
    // Each answer asks for a one-second wait: five retries take five seconds or more.
    ctl.fault(serde_json::json!({
        "path": "/suite-api/api/fleet-management/iam/ssorealms",
        "kind": "error", "status": 503, "retry_after": 1,
    }))
    .await;
    let e = api.call(Call::get("/ssorealms")).await.expect_err("503s");
    let sent = answers(&ctl.stats().await, "503");
    assert!(
        (1..=2).contains(&sent),
        "{sent} attempts within a 2s request_timeout: {e}"
    );
    assert!(e.to_string().contains("request_timeout (2s)"), "{e}");
}

#[test]
fn a_redirect_is_named_with_its_location() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"r\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
        // The login (token endpoint) and an API call, each answered by a login page's redirect.
        for path in ["/acs/*", "/suite-api/api/fleet-management/iam/ssorealms"] {
            ctl.delete("/faults");
            ctl.fault(serde_json::json!({ "path": path, "kind": "html", "status": 302 }));
            let (code, t) = wd.plan_code();
            assert_eq!(code, 1, "Terraform {}: {path}: {t}", tf.version);
            assert!(t.contains("HTTP 302"), "{path}: {t}");
            assert!(
                t.contains("https://sso.lb.example/login?next=%2F"),
                "{path}: no Location: {t}"
            );
            assert!(!t.contains("cannot read"), "{path}: {t}");
        }
        ctl.delete("/faults");
    }
}

#[test]
fn control_characters_from_the_server_do_not_reach_the_terminal() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    ctl.fault(serde_json::json!({
        "path": "/suite-api/api/fleet-management/iam/ssorealms",
        "kind": "html",
        "status": 400,
        "body": "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mrejected\u{1b}[0m\u{0}\u{9b}1m",
    }));
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"r\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
        let out = wd.run(&["plan", "-no-color", "-input=false"]);
        assert!(!out.status.success());
        let t = text(&out);
        assert!(t.contains("rejected"), "{t}");
        assert!(t.contains("\\u{1b}[31m"), "{t}");
        for c in ['\u{1b}', '\u{0}', '\u{7}', '\u{9b}'] {
            assert!(
                !t.contains(c),
                "Terraform {}: {c:?} reached the terminal: {t:?}",
                tf.version
            );
        }
    }
}

/// Requests to the identity broker's token endpoint, any status.
fn token_requests(stats: &Value) -> u64 {
    stats["endpoints"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.contains("/acs/"))
                .flat_map(|(_, v)| v.as_object().into_iter().flat_map(|o| o.values()))
                .filter_map(Value::as_u64)
                .sum()
        })
        .unwrap_or(0)
}

fn three_realm_reads() -> String {
    let mut hcl = format!("{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n");
    for i in 0..3 {
        hcl.push_str(&format!(
            "\ndata \"vcf_sso_realm\" \"r{i}\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
    }
    hcl.push_str("\ndata \"vcf_roles\" \"all\" {}\n");
    hcl
}

/// Makes the sim's token endpoint answer every request with `answer` (a token response).
fn token_endpoint_answers(ctl: &SyncControl, answer: Value) {
    ctl.fault(serde_json::json!({
        "path": "/acs/*",
        "kind": "answer",
        "body": answer.to_string(),
    }));
}

/// Plans [`three_realm_reads`] with Terraform `tf`, counting requests from zero: the exit code
/// of `plan -detailed-exitcode` and the output.
fn plan_three_realm_reads(ctl: &SyncControl, sim: &Sim, tf: &common::Terraform) -> (i32, String) {
    let wd = fleet_workdir(tf, sim);
    wd.write_config(&three_realm_reads());
    ctl.reset_stats();
    wd.plan_code()
}

#[test]
fn a_token_issued_expired_fails_at_once() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let expired = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"sub":"x","iat":{},"exp":{}}}"#,
            now - 7200,
            now - 3600
        ))
    );
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    token_endpoint_answers(
        &ctl,
        serde_json::json!({"access_token": expired, "token_type": "Bearer", "expires_in": 3600}),
    );
    for tf in terraforms() {
        let (code, t) = plan_three_realm_reads(&ctl, &sim, &tf);
        assert_eq!(code, 1, "Terraform {}: {t}", tf.version);
        assert!(t.contains("Access token expired on arrival"), "{t}");
        assert!(t.contains("NTP"), "{t}");
        let asked = token_requests(&ctl.stats());
        assert_eq!(asked, 1, "token requests for one provider run: {asked}");
    }
}

#[test]
fn expires_in_as_a_string_is_accepted() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    // A real access token of the sim, answered with `expires_in` as a string.
    let url = sim.ready["operations"]["token_endpoint_url"]
        .as_str()
        .expect("endpoint")
        .to_string();
    let api_token = sim.ready["operations"]["api_token"]
        .as_str()
        .expect("token")
        .to_string();
    let pem = std::fs::read(sim.ca_file()).expect("CA");
    let access: String = ctl.block_on(async move {
        let http = reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).expect("pem"))
            .build()
            .expect("client");
        let v: Value = http
            .post(url)
            .form(&common::fleet_token_form(&api_token))
            .send()
            .await
            .expect("token endpoint")
            .json()
            .await
            .expect("json");
        v["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    });
    token_endpoint_answers(
        &ctl,
        serde_json::json!({"access_token": access, "token_type": "Bearer", "expires_in": "3600"}),
    );
    for tf in terraforms() {
        let (code, t) = plan_three_realm_reads(&ctl, &sim, &tf);
        assert_eq!(code, 0, "Terraform {}: {t}", tf.version);
        assert_eq!(token_requests(&ctl.stats()), 1);
    }
}

#[test]
fn also_requires_checks_consider_the_environment_fallbacks() {
    let sim = Sim::start();
    let password = sim.ready["sddc_manager"]["password"]
        .as_str()
        .expect("password")
        .to_string();
    let user = sim.ready["sddc_manager"]["username"]
        .as_str()
        .expect("user")
        .to_string();
    for tf in terraforms() {
        let mut wd = common::Workdir::new(&tf)
            .env("VCF_CA_FILE", sim.ca_file())
            .env("TF_VAR_sddc_password", &password);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
variable "sddc_password" {{
  type      = string
  sensitive = true
}}

provider "vcf" {{
  sddc_manager {{
    host     = "{host}"
    password = var.sddc_password
  }}
}}

data "vcf_sddc_roles" "all" {{}}
"#,
            host = sim.host()
        ));
        // Without the user name anywhere: refused at validate, naming the variable.
        let (ok, diags) = wd.diagnostics(&["validate", "-json", "-no-color"]);
        assert!(
            !ok,
            "Terraform {}: validate passed without a user",
            tf.version
        );
        assert!(
            diags.iter().any(|d| d["detail"]
                .as_str()
                .is_some_and(|t| t.contains("VCF_SDDC_MANAGER_USERNAME"))),
            "{diags:#?}"
        );
        // With the user name from VCF_SDDC_MANAGER_USERNAME: valid, and the plan works.
        wd.set_env("VCF_SDDC_MANAGER_USERNAME", &user);
        wd.ok(&["validate", "-no-color"]);
        let (code, t) = wd.plan_code();
        assert_eq!(code, 0, "Terraform {}: {t}", tf.version);
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 9 (wording): a protocol-version failure is not called a certificate problem

/// A server that answers every ClientHello with a fatal `protocol_version` alert, as one that
/// speaks only TLS 1.0/1.1 does. Returns its `host:port`.
fn tls10_only_server() -> String {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            // TLS record: alert (21), version 3.1, length 2: fatal (2), protocol_version (70).
            let _ = s.write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]);
        }
    });
    addr
}

#[test]
fn a_tls_1_0_only_server_is_named_a_protocol_problem() {
    let host = tls10_only_server();
    for tf in terraforms() {
        let wd = common::Workdir::new(&tf)
            .env("VCF_SDDC_MANAGER_HOST", &host)
            .env("VCF_SDDC_MANAGER_USERNAME", "administrator@vsphere.local")
            .env("VCF_SDDC_MANAGER_PASSWORD", "not-sent-anywhere-1");
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sddc_roles\" \"all\" {{}}\n"
        ));
        let (code, t) = wd.plan_code();
        assert_eq!(code, 1, "Terraform {}: {t}", tf.version);
        assert!(t.contains("TLS handshake failed"), "{t}");
        assert!(t.contains("no TLS protocol version"), "{t}");
        assert!(t.contains("TLS 1.2 and 1.3"), "{t}");
        assert!(
            !t.contains("ca_file"),
            "a protocol problem got certificate advice: {t}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 9: TLS trust like curl's --cacert

/// Writes a self-signed CA:TRUE certificate for `sans`, valid until `not_after`, as the sim's
/// own certificate (and as its `ca.pem`). Returns the certificate's PEM.
fn self_signed_ca_as_server(dir: &std::path::Path, sans: &[&str], expired: bool) -> String {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut p =
        rcgen::CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "self-signed appliance");
    if expired {
        p.not_before = time::macros::datetime!(2020-01-01 00:00:00 UTC);
        p.not_after = time::macros::datetime!(2021-01-01 00:00:00 UTC);
    }
    let cert = p.self_signed(&key).expect("cert");
    std::fs::write(dir.join("server.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("server-key.pem"), key.serialize_pem()).expect("write");
    std::fs::write(dir.join("ca.pem"), cert.pem()).expect("write");
    cert.pem()
}

fn realm_plan(
    tf: &common::Terraform,
    host: &str,
    api_token: &str,
    endpoint: &str,
    ca: &Path,
) -> (i32, String) {
    let wd = common::Workdir::new(tf)
        .env("VCF_OPERATIONS_HOST", host)
        .env("VCF_OPERATIONS_API_TOKEN", api_token)
        .env("VCF_OPERATIONS_TOKEN_ENDPOINT_URL", endpoint)
        .env("VCF_CA_FILE", ca.to_str().expect("path"));
    wd.write_config(&format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"r\" {{\n  name = \"flt-idb02\"\n}}\n"
    ));
    wd.plan_code()
}

#[test]
fn the_servers_own_leaf_in_ca_file_is_trusted() {
    let sim = Sim::start();
    let leaf = sim.dir.path().join("server.pem");
    assert!(leaf.exists(), "the sim keeps its leaf in server.pem");
    let ops = &sim.ready["operations"];
    for tf in terraforms() {
        let (code, t) = realm_plan(
            &tf,
            &sim.host(),
            ops["api_token"].as_str().expect("token"),
            ops["token_endpoint_url"].as_str().expect("endpoint"),
            &leaf,
        );
        assert_eq!(
            code, 0,
            "Terraform {}: the leaf as ca_file: {t}",
            tf.version
        );
    }
}

#[test]
fn a_self_signed_ca_certificate_serving_as_the_servers_own_is_trusted_for_its_names_only() {
    for (sans, expired, works) in [
        (&["localhost", "127.0.0.1"][..], false, true),
        (&["vcf.example"][..], false, false),
        (&["localhost", "127.0.0.1"][..], true, false),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        self_signed_ca_as_server(dir.path(), sans, expired);
        let ca = dir.path().join("ca.pem");
        let sim = Sim::start_with_own_tls(dir);
        let ops = &sim.ready["operations"];
        for tf in terraforms() {
            let (code, t) = realm_plan(
                &tf,
                &sim.host(),
                ops["api_token"].as_str().expect("token"),
                ops["token_endpoint_url"].as_str().expect("endpoint"),
                &ca,
            );
            if works {
                assert_eq!(code, 0, "Terraform {}: {sans:?}: {t}", tf.version);
            } else {
                assert_eq!(
                    code, 1,
                    "Terraform {}: {sans:?} expired={expired}: {t}",
                    tf.version
                );
                assert!(t.contains("TLS handshake failed"), "{t}");
                let why = if expired {
                    "xpired"
                } else {
                    "not valid for name"
                };
                assert!(t.contains(why), "{sans:?}: {t}");
            }
        }
    }
}
