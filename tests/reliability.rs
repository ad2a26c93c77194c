//! Reliability under faults and crashes, with real Terraform against vcf-sim.
//!
//! Faults: `terraform apply` of N API clients, 2·N role assignments and N API tokens against
//! vcf-sim while the sim injects faults on every API call — 5% 5xx (502/503/504), 3% 429 with
//! `Retry-After`, 1% connection resets before the request is applied, 1% resets after it was
//! applied (the duplicate-creating case) and 1% 401s on valid access tokens. The apply succeeds,
//! or fails with clear errors and the next apply (faults still on; at most `MAX_APPLIES` in all)
//! finishes; the sim then holds exactly the declared objects (no duplicates, no orphans); a
//! re-plan under the same faults is empty; a destroy under faults leaves nothing behind.
//!
//! N is `VCF_REL_CLIENTS` (default 10 here, so CI stays short); `scripts/reliability` runs the
//! issue's full size, N = 100 (100 clients, 200 assignments, 100 tokens). The fault RNG seed is
//! `VCF_REL_SEED` (default 9) so a run can be replayed.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, fleet_workdir, terraforms, text};
use serde_json::{Value, json};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(n: u64) -> String {
    config_with(n, "")
}

/// [`config`] with extra arguments in every token (e.g. a `depends_on`).
fn config_with(n: u64, token_extra: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "c" {{
  count       = {n}
  client_id   = "rel-${{count.index}}"
  description = "reliability client ${{count.index}}"
}}

resource "vcf_role_assignment" "viewer" {{
  count        = {n}
  principal_id = vcf_api_client.c[count.index].principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}

resource "vcf_role_assignment" "operator" {{
  count        = {n}
  principal_id = vcf_api_client.c[count.index].principal_id
  role_name    = "vcf_operator"
  scope_type   = "SSO_REALM"
}}

resource "vcf_api_token" "t" {{
  count         = {n}
  api_client_id = vcf_api_client.c[count.index].client_id
  name          = "rel-token-${{count.index}}"
  ttl           = 40320
  {token_extra}
}}
"#
    )
}

/// The fault mix of the issue, on every API path. 401s only where an access token is sent (the
/// fleet API), not on the token endpoint that issues it.
pub fn add_faults(ctl: &SyncControl) {
    ctl.delete("/faults");
    for rule in [
        json!({"path": "*", "kind": "error", "status": 503, "probability": 0.02}),
        json!({"path": "*", "kind": "error", "status": 502, "probability": 0.02}),
        json!({"path": "*", "kind": "error", "status": 504, "probability": 0.01}),
        json!({"path": "*", "kind": "rate_limit", "retry_after": 1, "probability": 0.03}),
        json!({"path": "*", "kind": "reset_before", "probability": 0.01}),
        json!({"path": "*", "kind": "reset_after", "probability": 0.01}),
        json!({"path": "/suite-api/*", "kind": "unauthorized", "probability": 0.01}),
    ] {
        ctl.fault(rule);
    }
}

/// Faults that fired, by kind, from `/_sim/stats` (status → count summed over endpoints).
fn fired(ctl: &SyncControl) -> BTreeMap<String, u64> {
    let mut by = BTreeMap::new();
    if let Some(eps) = ctl.stats()["endpoints"].as_object() {
        for statuses in eps.values() {
            for (st, n) in statuses.as_object().into_iter().flatten() {
                *by.entry(st.clone()).or_insert(0) += n.as_u64().unwrap_or(0);
            }
        }
    }
    by
}

/// Most applies [`apply_converges`] runs. Each create is sent once (a create whose answer is a
/// 502/504 or a reset is looked up, never resent), so under faults an apply may end with "not
/// created, running Terraform again is safe" errors and the next one finishes the job.
const MAX_APPLIES: u32 = 6;

/// Applies until an apply succeeds, at most [`MAX_APPLIES`] times, with the faults still on.
/// Every failed apply must fail clearly: each error names the operation and its request, and
/// the HTTP status or the broken connection. Returns the number of applies it took.
fn apply_converges(wd: &Workdir, what: &str) -> u32 {
    let args = ["apply", "-auto-approve", "-no-color", "-input=false"];
    for attempt in 1..=MAX_APPLIES {
        let out = wd.run(&args);
        if out.status.success() {
            return attempt;
        }
        let t = text(&out);
        let errors: Vec<String> = t
            .split("Error: ")
            .skip(1)
            .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert!(
            !errors.is_empty(),
            "Terraform {}: {what}: a failed apply must say why:\n{}",
            wd.tf.version,
            tail(&t)
        );
        for e in &errors {
            let names_request = [" (POST ", " (PUT ", " (GET ", " (DELETE "]
                .iter()
                .any(|m| e.contains(m));
            let names_cause = e.contains("HTTP ") || e.to_lowercase().contains("connection");
            assert!(
                names_request && names_cause,
                "Terraform {}: {what}: unclear error: {e}",
                wd.tf.version
            );
        }
        eprintln!(
            "reliability: Terraform {}: {what}: apply {attempt} failed (allowed), errors:\n{}",
            wd.tf.version,
            errors
                .iter()
                .map(|e| format!("Error: {}", e.chars().take(400).collect::<String>()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    panic!(
        "Terraform {}: {what}: {MAX_APPLIES} applies did not converge",
        wd.tf.version
    );
}

fn tail(s: &str) -> &str {
    let mut at = s.len().saturating_sub(6000);
    while !s.is_char_boundary(at) {
        at += 1;
    }
    &s[at..]
}

/// Checks that the sim holds exactly the declared objects: `n` clients `rel-*`, two assignments
/// on each, one unrevoked token per client with its name, and that the Terraform state points at
/// them.
fn assert_exact(ctl: &SyncControl, wd: &Workdir, n: u64) {
    let v = &wd.tf.version;
    let state = ctl.state();
    let realm = state["fleet"]["realms"][0]["id"]
        .as_str()
        .expect("realm id")
        .to_string();
    let clients: Vec<&Value> = state["fleet"]["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .filter(|c| {
            c["client_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("rel-"))
        })
        .collect();
    let ids: BTreeSet<String> = clients
        .iter()
        .map(|c| c["client_id"].as_str().unwrap_or_default().to_string())
        .collect();
    let want: BTreeSet<String> = (0..n).map(|i| format!("rel-{i}")).collect();
    assert_eq!(clients.len() as u64, n, "{v}: clients in the sim: {ids:?}");
    assert_eq!(ids, want, "{v}: client ids");

    for c in &clients {
        let id = c["client_id"].as_str().unwrap_or_default();
        let uuid = c["client_uuid"].as_str().unwrap_or_default();
        let roles: Vec<String> = state["fleet"]["assignments"][format!("{realm}/{uuid}")]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| format!("{}@{}", x["role_name"], x["scope_type"]))
                    .collect()
            })
            .unwrap_or_default();
        let mut sorted = roles.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec![
                "\"vcf_operator\"@\"SSO_REALM\"".to_string(),
                "\"vcf_viewer\"@\"SSO_REALM\"".to_string()
            ],
            "{v}: assignments of {id}"
        );
        let tokens: Vec<&Value> = state["fleet"]["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .filter(|t| t["api_client_id"] == id)
            .collect();
        let live: Vec<&&Value> = tokens.iter().filter(|t| t["revoked"] != true).collect();
        let idx = id.trim_start_matches("rel-");
        assert_eq!(
            live.len(),
            1,
            "{v}: tokens of {id} (duplicate or missing): {:?}",
            tokens
                .iter()
                .map(|t| (&t["id"], &t["token_name"], &t["revoked"]))
                .collect::<Vec<_>>()
        );
        assert_eq!(live[0]["token_name"], format!("rel-token-{idx}"), "{v}");
        assert_eq!(
            tokens.len(),
            1,
            "{v}: {id} has revoked leftovers besides its token"
        );
    }
    // No assignment on a principal that is not a declared client (besides the bootstrap).
    let uuids: BTreeSet<&str> = clients
        .iter()
        .filter_map(|c| c["client_uuid"].as_str())
        .collect();
    for (k, _) in state["fleet"]["assignments"]
        .as_object()
        .expect("assignments")
    {
        let p = k.rsplit('/').next().unwrap_or_default();
        let known = uuids.contains(p)
            || state["fleet"]["clients"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(state["fleet"]["users"].as_array().into_iter().flatten())
                .any(|c| c["client_uuid"] == p || c["id"] == p);
        assert!(known, "{v}: assignment on an unknown principal {k}");
    }

    // The Terraform state points at exactly these objects.
    let out = wd.run(&["show", "-json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("show -json");
    let res = doc["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(res.len() as u64, 4 * n, "{v}: resources in the state");
    let sim_tokens: BTreeSet<&str> = state["fleet"]["tokens"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str())
        .collect();
    for r in res.iter().filter(|r| r["type"] == "vcf_api_token") {
        let id = r["values"]["id"].as_str().unwrap_or_default();
        assert!(sim_tokens.contains(id), "{v}: state token {id} not in sim");
    }
    for r in res.iter().filter(|r| r["type"] == "vcf_api_client") {
        let p = r["values"]["principal_id"].as_str().unwrap_or_default();
        assert!(uuids.contains(p), "{v}: state client {p} not in sim");
    }
}

/// The sim's fleet objects of one kind (`clients`, `tokens`) that this file's tests declare:
/// those whose `field` (`client_id`, `api_client_id`) starts with `rel-`.
fn rel_objects<'a>(state: &'a Value, kind: &str, field: &str) -> Vec<&'a Value> {
    state["fleet"][kind]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o[field].as_str().is_some_and(|id| id.starts_with("rel-")))
        .collect()
}

#[test]
fn apply_under_faults_converges_to_exactly_the_declared_objects() {
    let n = env_num("VCF_REL_CLIENTS", 10);
    let seed = env_num("VCF_REL_SEED", 9);
    let mut tfs = terraforms();
    if n > 20 {
        // The full size runs once (scripts/reliability), with the first Terraform.
        tfs.truncate(1);
    }
    for tf in tfs {
        let v = tf.version.clone();
        let sim = Sim::start_with(vcf_sim::Options {
            seed: Some(seed),
            ..Default::default()
        });
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&config(n));
        add_faults(&ctl);
        let started = std::time::Instant::now();
        let applies = apply_converges(&wd, "create");
        let create_s = started.elapsed().as_secs_f64();
        let faults = fired(&ctl);
        assert_exact(&ctl, &wd, n);

        let (code, plan) = wd.plan_code();
        assert_eq!(code, 0, "{v}: re-plan under faults must be empty:\n{plan}");
        ctl.delete("/faults");
        let (code, plan) = wd.plan_code();
        assert_eq!(
            code, 0,
            "{v}: re-plan without faults must be empty:\n{plan}"
        );

        add_faults(&ctl);
        let mut destroys = 1;
        while !wd
            .run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .status
            .success()
        {
            destroys += 1;
            assert!(
                destroys <= MAX_APPLIES,
                "{v}: destroy under faults did not converge"
            );
        }
        ctl.delete("/faults");
        let state = ctl.state();
        let left = rel_objects(&state, "clients", "client_id");
        assert!(left.is_empty(), "{v}: clients left after destroy: {left:?}");
        let toks = rel_objects(&state, "tokens", "api_client_id").len();
        assert_eq!(toks, 0, "{v}: tokens left after destroy");
        eprintln!(
            "reliability: Terraform {v}: N={n} ({} resources), seed {seed}: create took {applies} apply(s), \
             {create_s:.1}s; destroy took {destroys}; answers during create {faults:?}",
            4 * n
        );
        // The faults really fired (else this test proves nothing).
        let injected: u64 = ["429", "502", "503", "504", "reset", "401"]
            .iter()
            .map(|k| faults.get(*k).copied().unwrap_or(0))
            .sum();
        assert!(injected > 0, "{v}: no fault fired: {faults:?}");
    }
}

/// Crash: the provider process is killed with SIGKILL in the middle of an apply (its creates
/// held in flight by sim latency), then `terraform apply` runs again: it converges to exactly the
/// declared objects — no duplicate, no orphan — and the re-plan is empty. An API client that the
/// server created but whose answer died with the provider is refused with a 409 that says to
/// import it; the test does what the error says (`terraform import`) and applies again.
#[test]
fn provider_killed_mid_apply_then_apply_converges() {
    let n = 8;
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start_with(vcf_sim::Options {
            seed: Some(3),
            ..Default::default()
        });
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        // Tokens start once every client exists, so the kill (during client creates) never
        // lands on a token create: see the limit in RELIABILITY.md.
        wd.write_config(&config_with(n, "depends_on = [vcf_api_client.c]"));
        // Every write waits, so the kill lands while creates are in flight at the server.
        ctl.fault(json!({"path": "/suite-api/*", "method": "POST", "kind": "latency", "latency_ms": [300, 700]}));
        ctl.fault(json!({"path": "/suite-api/*", "method": "PUT", "kind": "latency", "latency_ms": [300, 700]}));
        let log = wd.path().join("apply-1.log");
        // The output of the killed apply (crash output included) goes to the secrets check.
        wd.artifact(&log, "output of the apply whose provider was killed");
        let mut child = std::process::Command::new(&wd.tf.path)
            .args(["apply", "-auto-approve", "-no-color", "-input=false"])
            .current_dir(wd.path())
            .env("TF_CLI_CONFIG_FILE", wd.path().join("terraform.rc"))
            .envs(wd_env(&sim))
            .envs(wd.trace_log_env("killed-apply"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .stdout(std::fs::File::create(&log).expect("log"))
            .stderr(
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&log)
                    .expect("log"),
            )
            .spawn()
            .expect("terraform starts");
        // Wait until a few clients exist, so the apply is well under way.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let created = "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients";
        while ctl.count(created, Some("201")) < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "{v}: the apply made no progress: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            assert!(
                child.try_wait().expect("wait").is_none(),
                "{v}: apply ended early"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let pids = common::procs::descendants_running(child.id(), &common::provider_bin());
        assert!(
            !pids.is_empty(),
            "{v}: no provider process under terraform {}",
            child.id()
        );
        for pid in &pids {
            let st = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .expect("kill");
            assert!(st.success(), "{v}: kill {pid}");
        }
        let status = child.wait().expect("terraform ends");
        let first = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            !status.success(),
            "{v}: the apply survived the kill?\n{first}"
        );
        eprintln!(
            "reliability: Terraform {v}: provider {pids:?} killed with {} API clients created; terraform said:\n{}",
            ctl.count(created, Some("201")),
            first
                .split("Error: ")
                .skip(1)
                .map(|e| e.split_whitespace().take(40).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\nError: ")
        );

        // What the kill left: objects the sim holds that the Terraform state does not know.
        let in_state = |ty: &str| -> usize {
            let out = wd.run(&["show", "-json"]);
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            doc["values"]["root_module"]["resources"]
                .as_array()
                .map(|l| l.iter().filter(|r| r["type"] == ty).count())
                .unwrap_or(0)
        };
        let state = ctl.state();
        let sim_clients = rel_objects(&state, "clients", "client_id").len();
        let sim_tokens = rel_objects(&state, "tokens", "api_client_id").len();
        eprintln!(
            "reliability: Terraform {v}: after the kill the sim holds {sim_clients} clients and {sim_tokens} tokens, \
             the state {} and {}",
            in_state("vcf_api_client"),
            in_state("vcf_api_token")
        );

        ctl.delete("/faults");
        // Apply again. A client whose create the server applied but whose answer died with the
        // provider is refused with 409 and the advice to import it: follow that advice.
        let mut imports = Vec::new();
        let mut applies = 0;
        loop {
            applies += 1;
            let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
            if out.status.success() {
                break;
            }
            let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
            let mut advised = Vec::new();
            for e in t.split("Error: ").skip(1) {
                let address = e
                    .split_once(" with ")
                    .and_then(|(_, r)| r.split_once(','))
                    .map(|(a, _)| a.to_string());
                let id = e
                    .split_once("terraform import vcf_api_client.<name> \"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map(|(id, _)| id.to_string());
                match (address, id) {
                    (Some(a), Some(id)) if e.starts_with("Already exists") => advised.push((a, id)),
                    _ => {
                        panic!("{v}: after the kill, an error other than an orphan to import: {e}")
                    }
                }
            }
            assert!(
                applies < 3,
                "{v}: still failing after importing {imports:?}:\n{t}"
            );
            for (a, id) in advised {
                wd.ok(&["import", "-no-color", "-input=false", &a, &id]);
                imports.push(a);
            }
        }
        assert_exact(&ctl, &wd, n);
        wd.assert_no_changes("after the kill and a second apply");
        eprintln!(
            "reliability: Terraform {v}: converged in {applies} apply(s) after the kill, importing {imports:?} as advised"
        );
    }
}

/// The provider settings of [`fleet_workdir`], for a terraform started by hand.
fn wd_env(sim: &Sim) -> Vec<(String, String)> {
    vec![
        ("VCF_OPERATIONS_HOST".into(), sim.host()),
        (
            "VCF_OPERATIONS_API_TOKEN".into(),
            sim.ready["operations"]["api_token"]
                .as_str()
                .unwrap_or_default()
                .into(),
        ),
        (
            "VCF_OPERATIONS_TOKEN_ENDPOINT_URL".into(),
            sim.ready["operations"]["token_endpoint_url"]
                .as_str()
                .unwrap_or_default()
                .into(),
        ),
        ("VCF_CA_FILE".into(), sim.ca_file().into()),
        ("VCF_DEFAULT_SSO_REALM".into(), "flt-idb02".into()),
    ]
}

/// TLS to VCF fails closed: without the sim's CA, or trusting another CA, the provider refuses
/// the sim's certificate before sending any request (the sim counts none); `insecure = true`
/// connects, with a warning.
#[test]
fn tls_to_vcf_fails_closed_unless_insecure() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    let other_ca = {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("CA").pem()
    };
    let tf = terraforms().remove(0);
    let v = tf.version.clone();
    let wd = Workdir::new(&tf);
    let other_ca_file = wd.path().join("other-ca.pem");
    std::fs::write(&other_ca_file, other_ca).expect("write CA");
    let config = |settings: &str| {
        format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{\n{settings}\n  operations {{\n    host = \"{}\"\n    api_token = \"{}\"\n    token_endpoint_url = \"{}\"\n  }}\n}}\ndata \"vcf_sso_realms\" \"all\" {{}}\n",
            sim.host(),
            sim.ready["operations"]["api_token"]
                .as_str()
                .expect("token"),
            sim.ready["operations"]["token_endpoint_url"]
                .as_str()
                .expect("endpoint"),
        )
    };
    let other = format!("  ca_file = \"{}\"", other_ca_file.display());
    for (what, settings) in [
        ("no CA configured", ""),
        ("another CA", other.as_str()),
        ("insecure = false", "  insecure = false"),
    ] {
        ctl.reset_stats();
        wd.write_config(&config(settings));
        let out = wd.run(&["plan", "-no-color", "-input=false"]);
        let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            !out.status.success(),
            "{v}: {what}: the untrusted sim was accepted:\n{t}"
        );
        assert!(
            t.to_lowercase().contains("certificate"),
            "{v}: {what}: the error names the certificate problem:\n{t}"
        );
        assert_eq!(
            ctl.stats()["total"],
            0,
            "{v}: {what}: a request reached the sim over untrusted TLS"
        );
    }
    ctl.reset_stats();
    wd.write_config(&config("  insecure = true"));
    let out = wd.ok(&["plan", "-no-color", "-input=false"]);
    let t = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(t.contains("insecure"), "{v}: insecure = true warns:\n{t}");
    assert!(ctl.stats()["total"].as_u64().unwrap_or(0) > 0, "{v}");
}
