//! Acceptance tests of the ephemeral resources with the real `terraform` binary against
//! vcf-sim: a temporary API token exchanged for an access token that configures a second
//! provider instance, with no trace of either in the plan file or the state; the temporary
//! token revoked after every run, also a failed one; and Renew during an apply that outlives
//! the (scaled) access-token lifetime.

mod common;

use common::{
    Control, REQUIRED_PROVIDERS, Sim, Workdir, second_provider_from_temporary_token_hcl,
    terraforms, text,
};
use serde_json::{Value, json};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A configuration whose second provider instance authenticates only with
/// `ephemeral.vcf_access_token.x.access_token`, itself from a temporary API token.
fn chained(sim: &Sim, extra: &str) -> String {
    let ops = &sim.ready["operations"];
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "vidb" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
provider "vcf" {{
  default_sso_realm = "flt-idb02"
  operations {{
    host               = "{host}"
    api_token          = var.vidb
    token_endpoint_url = "{endpoint}"
  }}
}}
ephemeral "vcf_temporary_api_token" "ci" {{
  api_client_id = "vcf-sim-bootstrap"
  name          = "ci-run"
  ttl_minutes   = 30
}}
{second}data "vcf_sso_realms" "via_second" {{
  provider = vcf.second
}}
output "names" {{ value = [for r in data.vcf_sso_realms.via_second.realms : r.name] }}
{extra}
"#,
        second = second_provider_from_temporary_token_hcl("ci", &sim.host(), ""),
        host = sim.host(),
        endpoint = ops["token_endpoint_url"].as_str().unwrap(),
    )
}

/// Requests counted by the sim for `method` on any route whose template ends with `suffix`.
fn count(stats: &Value, method: &str, suffix: &str, status: &str) -> u64 {
    stats["endpoints"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with(&format!("{method} ")) && k.ends_with(suffix))
                .filter_map(|(_, v)| v[status].as_u64())
                .sum()
        })
        .unwrap_or(0)
}

fn temporary_tokens_left(state: &Value) -> usize {
    state["fleet"]["tokens"]
        .as_array()
        .map(|ts| ts.iter().filter(|t| t["token_name"] == "ci-run").count())
        .unwrap_or(0)
}

#[test]
fn access_token_feeds_a_second_provider_and_nothing_is_stored() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let vidb = sim.ready["operations"]["api_token"].as_str().unwrap();
    for tf in terraforms() {
        let v = &tf.version;
        let wd = Workdir::new(&tf)
            .env("VCF_CA_FILE", sim.ca_file())
            .env("TF_VAR_vidb", vidb);
        wd.write_config(&chained(&sim, ""));
        rt().block_on(control.reset_stats());
        let out = wd.run(&["plan", "-out=tfplan", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let out = wd.run(&["apply", "-no-color", "tfplan"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let out = wd.run(&["output", "-json", "names"]);
        assert_eq!(
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            json!(["flt-idb02"]),
            "Terraform {v}"
        );

        // Neither the API tokens nor any access token the sim issued is in the plan or state.
        let plan = wd.run(&["show", "-json", "tfplan"]);
        assert!(plan.status.success(), "{}", text(&plan));
        let stored = format!(
            "{}{}",
            String::from_utf8_lossy(&plan.stdout),
            std::fs::read_to_string(wd.path().join("terraform.tfstate")).expect("state")
        );
        let world = rt().block_on(control.state());
        let mut secrets: Vec<String> = world["sessions"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        secrets.push(vidb.to_string());
        assert!(secrets.len() > 1);
        for s in &secrets {
            assert!(
                !stored.contains(s.as_str()),
                "Terraform {v}: a token was stored"
            );
        }
        let stored = stored.replace("vidb_resource_id", "");
        for marker in ["vidb_", "eyJ"] {
            let at = stored
                .find(marker)
                .map(|i| &stored[i.saturating_sub(200)..(i + 200).min(stored.len())]);
            assert!(at.is_none(), "Terraform {v}: {marker} stored: {at:?}");
        }

        // A temporary token was created for each run and every one was revoked.
        let stats = rt().block_on(control.stats());
        let created = count(&stats, "POST", "/api-tokens", "201");
        let revoked = count(&stats, "DELETE", "/api-tokens/{id}", "204");
        assert!(created >= 1, "Terraform {v}: {stats}");
        assert_eq!(created, revoked, "Terraform {v}: {stats}");
        assert_eq!(temporary_tokens_left(&world), 0, "Terraform {v}");
    }
}

#[test]
fn temporary_token_is_revoked_when_the_apply_fails() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let vidb = sim.ready["operations"]["api_token"].as_str().unwrap();
    for tf in terraforms() {
        let v = &tf.version;
        let wd = Workdir::new(&tf)
            .env("VCF_CA_FILE", sim.ca_file())
            .env("TF_VAR_vidb", vidb);
        // The API client exists already: this create fails at apply time (409), after the
        // ephemeral resources it depends on were opened.
        wd.write_config(&chained(
            &sim,
            r#"resource "vcf_api_client" "fails" {
  provider     = vcf.second
  sso_realm_id = "flt-idb02"
  client_id    = "vcf-sim-bootstrap"
}"#,
        ));
        rt().block_on(control.reset_stats());
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("Already exists"), "Terraform {v}: {t}");
        let stats = rt().block_on(control.stats());
        let created = count(&stats, "POST", "/api-tokens", "201");
        let revoked = count(&stats, "DELETE", "/api-tokens/{id}", "204");
        assert!(
            created >= 2,
            "Terraform {v}: plan and apply each open one: {stats}"
        );
        assert_eq!(created, revoked, "Terraform {v}: {stats}");
        assert_eq!(
            temporary_tokens_left(&rt().block_on(control.state())),
            0,
            "Terraform {v}"
        );
    }
}

/// An apply that outlives the access tokens (time scale 60: a 1-minute access token lives one
/// real second; a latency fault makes one create take three): Terraform renews the ephemeral
/// access token, and the provider's own client refreshes its expired token, and the apply
/// completes. Counted with the sim's stats and the provider's debug log, never timed.
#[test]
fn long_apply_renews_and_refreshes() {
    let sim = Sim::start_with(vcf_sim::Options {
        time_scale: 60.0,
        ..Default::default()
    });
    let control = Control::new(&sim);
    let realm = sim.ready["sso_realm_id"].as_str().unwrap();
    let short = rt().block_on(control.post(
        "/objects",
        json!({"op":"create","kind":"api_token","realm": realm,
               "fields":{"apiClientId":"vcf-sim-bootstrap","tokenName":"short","apiTokenTtl":1440,"accessTokenTtl":1}}),
    ));
    let short = short["created"][0]["token"].as_str().unwrap().to_string();
    let ops = &sim.ready["operations"];
    let sddc = &sim.ready["sddc_manager"];
    let sddc_block = format!(
        "sddc_manager {{\n    host = \"{}\"\n    username = \"{}\"\n    password = \"{}\"\n  }}",
        sim.host(),
        sddc["username"].as_str().unwrap(),
        sddc["password"].as_str().unwrap()
    );
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        let log = tempfile::NamedTempFile::new().expect("log file");
        let wd = Workdir::new(tf)
            .env("VCF_CA_FILE", sim.ca_file())
            .env("TF_VAR_short", &short)
            .env("TF_LOG_PROVIDER", "debug")
            .env("TF_LOG_PATH", log.path().to_str().unwrap());
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
variable "short" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
provider "vcf" {{
  default_sso_realm = "flt-idb02"
  operations {{
    host               = "{host}"
    api_token          = var.short
    token_endpoint_url = "{endpoint}"
  }}
  {sddc_block}
}}
ephemeral "vcf_temporary_api_token" "t" {{
  api_client_id            = "vcf-sim-bootstrap"
  name                     = "long-run"
  access_token_ttl_minutes = 1
}}
{second}resource "vcf_sddc_user" "slow" {{
  provider = vcf.second
  name     = "slow-{i}"
  type     = "USER"
  role     = "VIEWER"
}}
data "vcf_sso_realms" "after" {{
  depends_on = [vcf_sddc_user.slow]
}}
output "realms" {{ value = length(data.vcf_sso_realms.after.realms) }}
"#,
            second = second_provider_from_temporary_token_hcl("t", &sim.host(), &sddc_block),
            host = sim.host(),
            endpoint = ops["token_endpoint_url"].as_str().unwrap(),
        ));
        let out = wd.run(&["plan", "-out=tfplan", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        rt().block_on(control.delete("/faults"));
        rt().block_on(control.fault(
            json!({"path":"/v1/users","method":"POST","kind":"latency","latency_ms":[3000,3000]}),
        ));
        rt().block_on(control.reset_stats());
        let out = wd.run(&["apply", "-no-color", "tfplan"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        rt().block_on(control.delete("/faults"));
        let stats = rt().block_on(control.stats());
        let exchanges = count(&stats, "POST", "/acs/t/CUSTOMER/token", "200");
        let logged = std::fs::read_to_string(log.path()).unwrap_or_default();
        let renewals = logged.matches("RenewEphemeralResource").count();
        // Apply walk: the provider's login and ≥1 refresh, the access token's exchange and ≥1
        // renewal.
        assert!(renewals >= 1, "Terraform {v}: Renew was not called");
        assert!(exchanges >= 4, "Terraform {v}: {stats}");
        // The provider's fleet token expired during the slow create: one 401, then the call
        // succeeded with the refreshed token.
        assert!(
            count(&stats, "GET", "/ssorealms", "401") >= 1
                && count(&stats, "GET", "/ssorealms", "200") >= 1,
            "Terraform {v}: {stats}"
        );
        assert!(
            !logged.contains(&short),
            "Terraform {v}: the API token was logged"
        );
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
    }
}
