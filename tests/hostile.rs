//! Hostile and broken servers (issue 16, the client layer): each test selects a hostile
//! behaviour in vcf-sim (its fault control API) or feeds the provider a value meant to break
//! it, and checks what the user gets through the real terraform binary, or what the client
//! layer sends, counted in the sim's `/_sim/stats`.

mod common;

use std::time::Duration;

use common::{Control, REQUIRED_PROVIDERS, Sim, SyncControl, fleet_workdir, terraforms, text};
use serde_json::Value;
use terraform_provider_vcf::client::{
    Call, Clients, Config, ErrorKind, FleetCredentials, OperationsConfig, TransportOptions,
    path_segment,
};
use terraform_provider_vcf::framework::Secret;

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

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
                    flat(d["snippet"]["code"].as_str().unwrap_or_default()).contains(line)
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
            let t = flat(&text(&out));
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
