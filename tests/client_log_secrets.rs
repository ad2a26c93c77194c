//! With `TF_LOG=trace`, the whole output of a Terraform run that authenticates to vcf-sim holds
//! none of the secrets in play: the credentials given to the provider and every token the sim
//! issued (access tokens, refresh tokens, API tokens), as listed by the sim's `/_sim/state`.
//!
//! Every other acceptance test is checked the same way by the suite-wide check of
//! `tests/common/leaks.rs` when its workdirs and sims go away; these two runs keep their own,
//! explicit assertions.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, Workdir, second_provider_from_temporary_token_hcl, terraforms, text,
    viewer_api_client_hcl,
};
use serde_json::Value;

/// Every secret in the sim's state: session and refresh-token keys, and the values of
/// secret-named fields (the suite-wide check's rule, `common::leaks`).
fn secrets_in(state: &Value) -> Vec<String> {
    let mut out: Vec<String> = common::leaks::secrets_in_json(state, "state")
        .into_iter()
        .map(|s| s.value)
        .filter(|s| s.len() >= 6)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn sim_state(sim: &Sim) -> Value {
    let pem = std::fs::read(sim.ca_file()).expect("CA");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).expect("PEM"))
            .build()
            .expect("client");
        http.get(format!("{}/_sim/state", sim.url()))
            .send()
            .await
            .expect("state")
            .json()
            .await
            .expect("state JSON")
    })
}

/// `wd` with the SDDC Manager and Director blocks configured from the sim's ready line.
fn sddc_and_director_env(wd: Workdir, sim: &Sim, r: &Value) -> Workdir {
    let s = |v: &Value| v.as_str().expect("string").to_string();
    wd.env("VCF_SDDC_MANAGER_HOST", &sim.host())
        .env(
            "VCF_SDDC_MANAGER_USERNAME",
            &s(&r["sddc_manager"]["username"]),
        )
        .env(
            "VCF_SDDC_MANAGER_PASSWORD",
            &s(&r["sddc_manager"]["password"]),
        )
        .env("VCF_DIRECTOR_HOST", &sim.host())
        .env("VCF_DIRECTOR_ORG", &s(&r["director"]["org"]))
        .env("VCF_DIRECTOR_USERNAME", &s(&r["director"]["username"]))
        .env("VCF_DIRECTOR_PASSWORD", &s(&r["director"]["password"]))
}

#[test]
fn trace_logs_of_a_run_hold_no_secret() {
    let sim = Sim::start();
    let r = &sim.ready;
    let s = |v: &Value| v.as_str().expect("string").to_string();
    let config = format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realms\" \"all\" {{}}\noutput \"n\" {{ value = length(data.vcf_sso_realms.all.realms) }}\n"
    );
    for tf in terraforms() {
        // Once with the API token, once with user and password.
        for with_token in [true, false] {
            let mut wd = Workdir::new(&tf)
                .env("TF_LOG", "trace")
                .env("VCF_CA_FILE", sim.ca_file())
                .env("VCF_OPERATIONS_HOST", &sim.host());
            wd = sddc_and_director_env(wd, &sim, r);
            wd = if with_token {
                wd.env(
                    "VCF_OPERATIONS_API_TOKEN",
                    &s(&r["operations"]["api_token"]),
                )
                .env(
                    "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
                    &s(&r["operations"]["token_endpoint_url"]),
                )
            } else {
                wd.env("VCF_OPERATIONS_USERNAME", &s(&r["operations"]["username"]))
                    .env("VCF_OPERATIONS_PASSWORD", &s(&r["operations"]["password"]))
            };
            wd.write_config(&config);
            let out = wd.run(&["plan", "-input=false", "-no-color"]);
            let all = text(&out);
            assert!(
                out.status.success(),
                "plan failed:\n{}",
                &all[all.len().saturating_sub(4000)..]
            );
            assert!(
                all.contains("request done"),
                "the trace log shows no client request; is TF_LOG reaching the provider?"
            );

            let state = sim_state(&sim);
            assert!(
                state["sessions"].as_object().is_some_and(|m| !m.is_empty()),
                "the run authenticated, so the sim issued access tokens"
            );
            let secrets = secrets_in(&state);
            assert!(secrets.len() >= 4, "{secrets:?}");
            for secret in &secrets {
                assert!(
                    !all.contains(secret.as_str()),
                    "Terraform {} (api token: {with_token}): a secret of length {} appears in the trace output",
                    tf.version,
                    secret.len()
                );
            }
        }
    }
}

/// Every secret the sim has handed out since it started (`GET /_sim/secrets`), with the
/// credentials of the ready line and the secrets still in its state.
fn issued_secrets(sim: &Sim) -> Vec<String> {
    let pem = std::fs::read(sim.ca_file()).expect("CA");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listed: Value = rt.block_on(async {
        let http = reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).expect("PEM"))
            .build()
            .expect("client");
        http.get(format!("{}/_sim/secrets", sim.url()))
            .send()
            .await
            .expect("secrets")
            .json()
            .await
            .expect("secrets JSON")
    });
    let mut all: Vec<String> = listed["secrets"]
        .as_array()
        .expect("secrets list")
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let r = &sim.ready;
    for p in [
        &r["sddc_manager"]["password"],
        &r["operations"]["password"],
        &r["operations"]["api_token"],
        &r["director"]["password"],
    ] {
        all.extend(p.as_str().map(str::to_string));
    }
    all.extend(secrets_in(&sim_state(sim)));
    all.retain(|s| s.len() >= 6);
    all.sort();
    all.dedup();
    all
}

/// A plan as `terraform show -json` prints it, without the copies of the state it carries
/// (`prior_state` and each change's `before`), which may hold the sensitive attributes the
/// schema declares, as the state itself may.
fn plan_without_state(doc: &mut Value) {
    if let Some(m) = doc.as_object_mut() {
        m.remove("prior_state");
    }
    for key in ["resource_changes", "resource_drift"] {
        for rc in doc[key].as_array_mut().into_iter().flatten() {
            if let Some(c) = rc["change"].as_object_mut() {
                c.remove("before");
                c.remove("before_sensitive");
            }
        }
    }
}

/// One representative run of every API family — fleet API client, role assignment, API tokens
/// (replace and regenerate rotation), SDDC Manager service account with its API key, Director
/// API token, temporary API token and access token (ephemeral) feeding a second provider —
/// created, rotated, re-planned and destroyed with `TF_LOG=trace` into `TF_LOG_PATH`. None of
/// the secrets the sim issued (or the credentials it was given) appear in the trace log, the
/// command output, `terraform show -json` of the saved plans (less their state copies), or any
/// crash log.
#[test]
fn secrets_of_a_full_run_appear_in_no_log_plan_or_output() {
    let sim = Sim::start();
    let r = &sim.ready;
    let s = |v: &Value| v.as_str().expect("string").to_string();
    let config = format!(
        r#"{REQUIRED_PROVIDERS}
variable "round" {{
  type    = string
  default = "1"
}}
provider "vcf" {{}}
{client}
resource "vcf_api_token" "replace" {{
  api_client_id     = vcf_api_client.c.client_id
  name              = "secrets-replace"
  ttl               = 40320
  rotation_triggers = {{ round = var.round }}
}}
resource "vcf_api_token" "regenerate" {{
  api_client_id     = vcf_api_client.c.client_id
  name              = "secrets-regenerate"
  rotation_strategy = "regenerate"
  rotation_triggers = {{ round = var.round }}
}}
resource "vcf_sddc_user" "svc" {{
  name              = "svc-secrets"
  type              = "SERVICE"
  role              = "VIEWER"
  rotation_triggers = {{ round = var.round }}
}}
resource "vcf_director_api_token" "d" {{
  name              = "secrets-director"
  org               = "{org}"
  rotation_triggers = {{ round = var.round }}
}}
ephemeral "vcf_temporary_api_token" "t" {{
  api_client_id = "vcf-sim-bootstrap"
  name          = "secrets-temporary"
  ttl_minutes   = 30
}}
{second}data "vcf_sso_realms" "second" {{
  provider = vcf.second
}}
output "realms" {{ value = length(data.vcf_sso_realms.second.realms) }}
output "last_chars" {{ value = vcf_api_token.replace.token_last_chars }}
"#,
        second = second_provider_from_temporary_token_hcl("t", &sim.host(), ""),
        client = viewer_api_client_hcl("c", "secrets-client", "c"),
        org = s(&r["director"]["org"]),
    );
    for tf in terraforms() {
        let v = tf.version.clone();
        let wd = Workdir::new(&tf)
            .env("TF_LOG", "trace")
            .env("TF_LOG_PATH", "trace.log")
            .env("VCF_CA_FILE", sim.ca_file())
            .env("VCF_DEFAULT_SSO_REALM", "flt-idb02")
            .env("VCF_OPERATIONS_HOST", &sim.host())
            .env(
                "VCF_OPERATIONS_API_TOKEN",
                &s(&r["operations"]["api_token"]),
            )
            .env(
                "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
                &s(&r["operations"]["token_endpoint_url"]),
            );
        let wd = sddc_and_director_env(wd, &sim, r);
        wd.write_config(&config);
        // Output of every command but `show -json` (which prints the state's values).
        let mut captured = String::new();
        let run = |args: &[&str]| -> String {
            let out = wd.run(args);
            let t = text(&out);
            assert!(
                out.status.success(),
                "Terraform {v} {args:?} failed:\n{}",
                &t[t.len().saturating_sub(4000)..]
            );
            t
        };
        let mut plans = Vec::new();
        for round in ["1", "2"] {
            let var = format!("round={round}");
            captured.push_str(&run(&[
                "plan",
                "-input=false",
                "-no-color",
                "-var",
                &var,
                "-out=p.tfplan",
            ]));
            let shown = run(&["show", "-json", "p.tfplan"]);
            let mut doc: Value = serde_json::from_str(
                shown
                    .lines()
                    .find(|l| l.starts_with('{'))
                    .expect("plan JSON"),
            )
            .expect("plan JSON");
            assert!(
                doc["resource_changes"]
                    .as_array()
                    .is_some_and(|l| !l.is_empty()),
                "{v}: round {round} plans changes"
            );
            plan_without_state(&mut doc);
            plans.push(doc.to_string());
            captured.push_str(&run(&["apply", "-input=false", "-no-color", "p.tfplan"]));
        }
        // Exit code 0 of -detailed-exitcode (which `run` requires): the re-plan is empty.
        captured.push_str(&run(&[
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-var",
            "round=2",
        ]));
        captured.push_str(&run(&[
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-var",
            "round=2",
        ]));

        let trace = std::fs::read_to_string(wd.path().join("trace.log")).expect("TF_LOG_PATH file");
        assert!(
            trace.contains("request done") && trace.contains("vcf_sddc_user"),
            "{v}: the trace log holds the provider's trace"
        );
        let mut crash = String::new();
        for e in std::fs::read_dir(wd.path()).expect("workdir").flatten() {
            if e.file_name().to_string_lossy().contains("crash") {
                crash.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        let secrets = issued_secrets(&sim);
        // API tokens (two created, two rotated), SDDC API keys, Director tokens, access tokens.
        assert!(secrets.len() >= 12, "{v}: {} secrets", secrets.len());
        for (what, hay) in [
            ("trace log", &trace),
            ("command output", &captured),
            ("plan JSON", &plans.join("\n")),
            ("crash output", &crash),
        ] {
            for secret in &secrets {
                if let Some(at) = hay.find(secret.as_str()) {
                    // The surroundings, with the secret masked, to tell where it leaked.
                    let from = hay.floor_char_boundary(at.saturating_sub(300));
                    let to = hay.ceil_char_boundary((at + secret.len() + 300).min(hay.len()));
                    panic!(
                        "Terraform {v}: a secret of length {} appears in the {what}: …{}…",
                        secret.len(),
                        hay[from..to].replace(secret.as_str(), "<SECRET>")
                    );
                }
            }
        }
        // The state keeps the declared sensitive attributes: it is where the secrets belong.
        eprintln!(
            "secrets: Terraform {v}: {} secrets checked against {} bytes of trace log, {} of output, {} of plan JSON",
            secrets.len(),
            trace.len(),
            captured.len(),
            plans.iter().map(String::len).sum::<usize>()
        );
    }
}
