//! With `TF_LOG=trace`, the whole output of a Terraform run that authenticates to vcf-sim holds
//! none of the secrets in play: the credentials given to the provider and every token the sim
//! issued (access tokens, refresh tokens, API tokens), as listed by the sim's `/_sim/state`.

mod common;

use common::{REQUIRED_PROVIDERS, Sim, Workdir, terraforms, text};
use serde_json::Value;

/// Every secret in the sim's state: session and refresh-token keys, and the values of
/// secret-named fields.
fn secrets_in(state: &Value) -> Vec<String> {
    fn walk(v: &Value, key: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if key == "sessions" || key == "refresh_tokens" {
                        out.push(k.clone());
                    }
                    walk(x, k, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            Value::String(s) => {
                let k = key.to_ascii_lowercase();
                let secret_field = k == "secret"
                    || k == "jwt_key"
                    || k.ends_with("password")
                    || k.ends_with("api_key")
                    || k.ends_with("api_token");
                if secret_field && s.len() >= 6 {
                    out.push(s.clone());
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(state, "", &mut out);
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
                .env("VCF_OPERATIONS_HOST", &sim.host())
                .env("VCF_SDDC_MANAGER_HOST", &sim.host())
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
                .env("VCF_DIRECTOR_PASSWORD", &s(&r["director"]["password"]));
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
