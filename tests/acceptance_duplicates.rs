//! Acceptance: duplicates after a crash or `terraform state rm` (issue 16, finding 7), with the
//! real `terraform` binary (every version in TF_ACC_TERRAFORM_PATHS) against vcf-sim.
//!
//! - `vcf_api_token` / `vcf_director_api_token`: a token the state lost is still ACTIVE; the
//!   next plan that creates one of its name warns with its id and the `import` block that adopts
//!   it (one token query, however many tokens the client has), `on_existing_token = "fail"`
//!   refuses (nothing is created), and the `import` block adopts it. A replacement rotation with
//!   `create_before_destroy` (the old token still ACTIVE while the new one is made) stays silent,
//!   also with `"fail"`.
//! - `vcf_sddc_user`: a create refused because the user exists names the import to run (with the
//!   user's id); running it works and the plan is empty.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, director_workdir, flatten_whitespace,
    fleet_sim_and_workdir, sddc_admin_workdir, terraforms, text,
};
use serde_json::{Value, json};

const TOKEN_QUERY: &str =
    "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/query";
const TOKEN_GET: &str = "GET /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/{id}";
const TOKEN_CREATE: &str = "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens";

/// The ids of the sim's tokens of `name` of API client `client` (the sim deletes revoked
/// tokens; these are all ACTIVE).
fn active_tokens(ctl: &SyncControl, client: &str, name: &str) -> Vec<String> {
    ctl.state()["fleet"]["tokens"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|t| {
                    t["token_name"] == name && t["api_client_id"] == client && t["revoked"] != true
                })
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn token_config(setting: Option<&str>, trigger: &str, cbd: bool) -> String {
    let setting = setting
        .map(|s| format!("\n  on_existing_token = \"{s}\""))
        .unwrap_or_default();
    let lifecycle = if cbd {
        "\n  lifecycle {\n    create_before_destroy = true\n  }"
    } else {
        ""
    };
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "ci" {{
  client_id = "ci-pipeline"
}}

resource "vcf_api_token" "t" {{
  api_client_id     = vcf_api_client.ci.client_id
  name              = "deploy"
  ttl               = 40320
  rotation_triggers = {{ version = "{trigger}" }}{setting}{lifecycle}
}}
"#
    )
}

/// The `import { … }` block a diagnostic printed, with `EXAMPLE` made `address`.
fn import_block(output: &str, address: &str) -> String {
    let start = output.find("import {").expect("an import block");
    let end = start + output[start..].find('}').expect("end of the import block") + 1;
    output[start..end].replace(
        &format!("{}.EXAMPLE", address.split('.').next().unwrap()),
        address,
    )
}

#[test]
fn api_token_the_state_lost_is_reported_refused_on_request_and_adopted() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let realm = sim.ready["sso_realm_id"].as_str().unwrap().to_string();
        wd.write_config(&token_config(None, "1", false));
        let first = wd.apply();
        assert!(!first.contains("already exists"), "{v}: {first}");
        let id1 = wd.values("vcf_api_token.t")["id"]
            .as_str()
            .expect("id")
            .to_string();

        // The state loses the token (as after a kill between the create and the state write);
        // the client has more tokens than one page of the token query holds.
        wd.ok(&["state", "rm", "vcf_api_token.t"]);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_token", "count": 60,
                   "fields": {"apiClientId": "ci-pipeline", "tokenName": "other", "tokenType": "API_CLIENT"}}),
        );
        assert_eq!(
            active_tokens(&ctl, "ci-pipeline", "deploy"),
            vec![id1.clone()]
        );

        // The plan warns with the id and the import block; the look-up is one query.
        ctl.reset_stats();
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(
            plan.contains("Warning: API token named \"deploy\" already exists"),
            "{v}: {plan}"
        );
        assert!(plan.contains(&id1), "{v}: {plan}");
        assert!(
            plan.contains(&format!("id = \"{realm}/ci-pipeline/{id1}\"")),
            "{v}: {plan}"
        );
        assert!(
            plan.contains(&format!("ssorealms/{realm}/api-tokens/{id1}")),
            "{v}: the revoke call: {plan}"
        );
        assert_eq!(ctl.count(TOKEN_QUERY, None), 1, "{v}: {}", ctl.stats());
        assert_eq!(ctl.count(TOKEN_GET, None), 0, "{v}");

        // Refused on request: the plan fails, nothing is created.
        wd.write_config(&token_config(Some("fail"), "1", false));
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let t = flatten_whitespace(&text(&out));
        assert!(!out.status.success(), "{v}: {t}");
        assert!(
            t.contains("Error: API token named \"deploy\" already exists"),
            "{v}: {t}"
        );
        assert!(t.contains("Nothing was created"), "{v}: {t}");
        assert!(t.contains(&id1), "{v}: {t}");
        assert_eq!(
            active_tokens(&ctl, "ci-pipeline", "deploy"),
            vec![id1.clone()],
            "{v}: nothing created"
        );
        assert_eq!(ctl.count(TOKEN_CREATE, None), 0, "{v}");

        // The import block of the message adopts the token: one ACTIVE token, an empty plan.
        let block = import_block(&text(&out), "vcf_api_token.t");
        wd.write_config(&format!(
            "{}\n{block}\n",
            token_config(Some("fail"), "1", false)
                .replace("  rotation_triggers = { version = \"1\" }\n", "")
        ));
        let out = wd.apply();
        assert!(out.contains("1 imported"), "{v}: {out}");
        assert_eq!(wd.values("vcf_api_token.t")["id"], id1.as_str(), "{v}");
        wd.assert_no_changes("after adopting the token");
        assert_eq!(
            active_tokens(&ctl, "ci-pipeline", "deploy"),
            vec![id1.clone()],
            "{v}"
        );

        // Lost again, and `warn` (the default): the apply warns and creates a second token.
        wd.ok(&["state", "rm", "vcf_api_token.t"]);
        wd.write_config(&token_config(None, "1", false));
        let out = flatten_whitespace(&wd.apply());
        assert!(
            out.contains("Warning: API token named \"deploy\" already exists"),
            "{v}: {out}"
        );
        let now = active_tokens(&ctl, "ci-pipeline", "deploy");
        assert_eq!(now.len(), 2, "{v}: {now:?}");
        assert!(now.contains(&id1), "{v}");
        wd.assert_no_changes("after the warned create");
    }
}

#[test]
fn create_before_destroy_rotation_is_silent_even_when_refusing() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (_sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        for (i, setting) in [Some("fail"), None].into_iter().enumerate() {
            // With `fail` the rotation would fail if the old token counted.
            let trigger = |n: usize| format!("{i}-{n}");
            wd.write_config(&token_config(setting, &trigger(1), true));
            wd.apply();
            let old = wd.values("vcf_api_token.t")["id"]
                .as_str()
                .unwrap()
                .to_string();
            wd.write_config(&token_config(setting, &trigger(2), true));
            let (code, plan) = wd.plan_code();
            assert_eq!(code, 2, "{v}: {plan}");
            assert!(plan.contains("must be replaced"), "{v}: {plan}");
            assert!(!plan.contains("already exists"), "{v}: {plan}");
            assert!(!plan.contains("Warning: API token"), "{v}: {plan}");
            let out = flatten_whitespace(&wd.apply());
            assert!(!out.contains("already exists"), "{v} {setting:?}: {out}");
            assert!(!out.contains("Warning: API token"), "{v}: {out}");
            let new = wd.values("vcf_api_token.t")["id"]
                .as_str()
                .unwrap()
                .to_string();
            assert_ne!(old, new, "{v}");
            assert_eq!(
                active_tokens(&ctl, "ci-pipeline", "deploy"),
                vec![new],
                "{v}: exactly the new token is ACTIVE"
            );
            wd.assert_no_changes("after the rotation");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Director

fn director_config(setting: Option<&str>, trigger: &str, cbd: bool) -> String {
    let setting = setting
        .map(|s| format!("\n  on_existing_token = \"{s}\""))
        .unwrap_or_default();
    let lifecycle = if cbd {
        "\n  lifecycle {\n    create_before_destroy = true\n  }"
    } else {
        ""
    };
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_director_api_token" "ci" {{
  name              = "ci"
  rotation_triggers = {{ rotated = "{trigger}" }}{setting}{lifecycle}
}}
"#
    )
}

/// The sim's Director tokens of `name` as (id, type).
fn director_tokens(ctl: &SyncControl, name: &str) -> Vec<(String, String)> {
    ctl.state()["director"]["tokens"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|t| t["name"] == name && t["revoked"] != true)
                .map(|t| {
                    (
                        t["id"].as_str().unwrap_or_default().to_string(),
                        t["token_type"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn director_token_the_state_lost_is_reported_and_refused_proxy_tokens_never_count() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = director_workdir(&tf, &sim);
        let user = sim.ready["director"]["username"].as_str().unwrap();

        // A PROXY token of the name is not an API token: a first create is silent.
        ctl.block_on(common::director_proxy_token(&sim, "cloud_director", "ci"));
        wd.write_config(&director_config(None, "1", false));
        let out = wd.apply();
        assert!(!out.contains("already exists"), "{v}: {out}");
        let id1 = wd.values("vcf_director_api_token.ci")["id"]
            .as_str()
            .unwrap()
            .to_string();

        // Lost from the state: the plan warns with the id (one token list, filtered by name).
        wd.ok(&["state", "rm", "vcf_director_api_token.ci"]);
        ctl.reset_stats();
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(
            plan.contains("Warning: Director API token named \"ci\" already exists"),
            "{v}: {plan}"
        );
        assert!(plan.contains(&format!("id = \"{id1}\"")), "{v}: {plan}");
        assert!(plan.contains(&format!("owner {user}")), "{v}: {plan}");
        assert_eq!(
            ctl.count("GET /cloudapi/1.0.0/tokens", None),
            1,
            "{v}: {}",
            ctl.stats()
        );

        // Refused on request: nothing is created.
        wd.write_config(&director_config(Some("fail"), "1", false));
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let t = flatten_whitespace(&text(&out));
        assert!(!out.status.success(), "{v}: {t}");
        assert!(
            t.contains("Error: Director API token named \"ci\" already exists"),
            "{v}: {t}"
        );
        let api_tokens: Vec<_> = director_tokens(&ctl, "ci")
            .into_iter()
            .filter(|(_, ty)| ty != "PROXY")
            .collect();
        assert_eq!(api_tokens.len(), 1, "{v}: {api_tokens:?}");

        // Adopt it with the import block of the message, then rotate with
        // create_before_destroy under `fail`: silent, and one API token afterwards.
        let block = import_block(&text(&out), "vcf_director_api_token.ci");
        wd.write_config(&format!(
            "{}\n{block}\n",
            director_config(Some("fail"), "1", true)
        ));
        let out = wd.apply();
        assert!(out.contains("1 imported"), "{v}: {out}");
        wd.write_config(&director_config(Some("fail"), "2", true));
        let out = flatten_whitespace(&wd.apply());
        assert!(!out.contains("already exists"), "{v}: {out}");
        let api_tokens: Vec<_> = director_tokens(&ctl, "ci")
            .into_iter()
            .filter(|(_, ty)| ty != "PROXY")
            .collect();
        assert_eq!(api_tokens.len(), 1, "{v}: {api_tokens:?}");
        assert_ne!(api_tokens[0].0, id1, "{v}: rotated");
        wd.assert_no_changes("after the rotation");
        wd.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

// ---------------------------------------------------------------------------------------------
// SDDC Manager

fn sddc_config(name: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\nresource \"vcf_sddc_user\" \"u\" {{\n  name = \"{name}\"\n  \
         type = \"SERVICE\"\n  role = \"VIEWER\"\n}}\n"
    )
}

#[test]
fn sddc_user_that_exists_gets_the_import_to_run_and_the_import_works() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = sddc_admin_workdir(&tf, &sim);
        wd.write_config(&sddc_config("svc-ci"));
        wd.apply();
        let id = wd.values("vcf_sddc_user.u")["id"]
            .as_str()
            .unwrap()
            .to_string();
        wd.ok(&["state", "rm", "vcf_sddc_user.u"]);

        // The sim refuses the duplicate with 409; a 400 (the only refusal the reference
        // documents) gets the same answer.
        for status in [None, Some(400)] {
            if let Some(s) = status {
                ctl.fault(
                    json!({"path": "/v1/users", "method": "POST", "kind": "error", "status": s}),
                );
            }
            let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
            let t = text(&out);
            assert!(!out.status.success(), "{v}: {t}");
            let f = flatten_whitespace(&t);
            assert!(
                f.contains("Error: SDDC Manager user already exists"),
                "{v} {status:?}: {t}"
            );
            assert!(
                f.contains(&format!("terraform import 'vcf_sddc_user.EXAMPLE' '{id}'")),
                "{v}: {t}"
            );
            assert!(t.contains(&format!("  id = \"{id}\"")), "{v}: {t}");
            ctl.delete("/faults");
        }

        // The command it names works, and the plan is empty afterwards.
        let out = wd.run(&["import", "-no-color", "vcf_sddc_user.u", &id]);
        assert!(out.status.success(), "{v}: {}", text(&out));
        wd.assert_no_changes("after the import");
        let users: Vec<Value> = ctl.state()["sddc"]["users"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u["name"] == "svc-ci")
            .collect();
        assert_eq!(users.len(), 1, "{v}: {users:?}");

        // So does the import block it shows (the user lost again).
        wd.ok(&["state", "rm", "vcf_sddc_user.u"]);
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let block = import_block(&text(&out), "vcf_sddc_user.u");
        wd.write_config(&format!("{}\n{block}\n", sddc_config("svc-ci")));
        let out = wd.apply();
        assert!(out.contains("1 imported"), "{v}: {out}");
        wd.assert_no_changes("after the import block");
        wd.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}
