//! Acceptance tests of `vcf_sddc_user` and `vcf_sddc_roles` with the real `terraform` binary
//! (every version in TF_ACC_TERRAFORM_PATHS) against vcf-sim: a SERVICE account whose API key
//! really authenticates with the role it was given, an empty re-plan, rotation by trigger,
//! import, destroy, and the diagnostic when the provider's own account is not ADMIN.

mod common;

use common::{Control, REQUIRED_PROVIDERS, Sim, Workdir, terraforms, text};
use serde_json::{Value, json};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Logs in to the sim's SDDC Manager with a SERVICE account's API key; the access token or the
/// status of the refusal.
async fn login_with_key(sim: &Sim, key: &str) -> Result<String, u16> {
    let r = sim
        .http_client()
        .post(format!("{}/v1/tokens", sim.url()))
        .json(&json!({ "apiKey": key }))
        .send()
        .await
        .expect("POST /v1/tokens");
    if !r.status().is_success() {
        return Err(r.status().as_u16());
    }
    let v: Value = r.json().await.expect("token JSON");
    Ok(v["accessToken"].as_str().expect("accessToken").to_string())
}

async fn status_of(sim: &Sim, method: reqwest::Method, path: &str, bearer: &str) -> u16 {
    sim.http_client()
        .request(method, format!("{}{path}", sim.url()))
        .bearer_auth(bearer)
        .json(&json!([{ "name": "x", "type": "USER", "role": { "id": "none" } }]))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

fn sddc_workdir(sim: &Sim, tf: &common::Terraform, user: &str, password: &str) -> Workdir {
    Workdir::new(tf)
        .env("VCF_SDDC_MANAGER_HOST", &sim.host())
        .env("VCF_SDDC_MANAGER_USERNAME", user)
        .env("VCF_SDDC_MANAGER_PASSWORD", password)
        .env("VCF_CA_FILE", sim.ca_file())
}

/// A workdir whose provider logs in as the sim's SDDC Manager administrator.
fn admin_workdir(sim: &Sim, tf: &common::Terraform) -> Workdir {
    let admin = &sim.ready["sddc_manager"];
    sddc_workdir(
        sim,
        tf,
        admin["username"].as_str().unwrap(),
        admin["password"].as_str().unwrap(),
    )
}

/// `count` SERVICE accounts with the VIEWER role, named `<prefix>-<index>`.
fn users_config(count: usize, prefix: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\nresource \"vcf_sddc_user\" \"u\" {{\n  count = {count}\n  \
         name  = \"{prefix}-${{count.index}}\"\n  type  = \"SERVICE\"\n  role  = \"VIEWER\"\n}}\n"
    )
}

fn user_config(name: &str, trigger: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
data "vcf_sddc_roles" "all" {{}}
resource "vcf_sddc_user" "svc" {{
  name              = "{name}"
  type              = "SERVICE"
  role              = "OPERATOR"
  rotation_triggers = {{ rotated = "{trigger}" }}
}}
output "id" {{ value = vcf_sddc_user.svc.id }}
output "role_id" {{ value = vcf_sddc_user.svc.role_id }}
output "operator_id" {{ value = data.vcf_sddc_roles.all.ids["OPERATOR"] }}
output "api_key" {{
  value     = vcf_sddc_user.svc.api_key
  sensitive = true
}}
"#
    )
}

fn outputs(wd: &Workdir) -> Value {
    let out = wd.run(&["output", "-json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("outputs JSON")
}

fn sim_users(sim: &Sim) -> Vec<Value> {
    let state = rt().block_on(Control::new(sim).state());
    state["sddc"]["users"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn service_account_lifecycle() {
    let sim = Sim::start();
    let admin = &sim.ready["sddc_manager"];
    let (user, password) = (
        admin["username"].as_str().unwrap(),
        admin["password"].as_str().unwrap(),
    );
    for (i, tf) in terraforms().iter().enumerate() {
        let name = format!("svc-ci-{i}");
        let wd = sddc_workdir(&sim, tf, user, password);
        let v = &tf.version;

        // Create: a SERVICE account with OPERATOR, its key shown once and kept in state.
        wd.write_config(&user_config(&name, "1"));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let o = outputs(&wd);
        let id1 = o["id"]["value"].as_str().unwrap().to_string();
        let key1 = o["api_key"]["value"].as_str().unwrap().to_string();
        assert_eq!(o["role_id"]["value"], o["operator_id"]["value"]);
        assert!(
            !text(&out).contains(&key1),
            "the key leaked into the output"
        );

        // The key authenticates; OPERATOR can read and POST, but not manage users.
        let access = rt()
            .block_on(login_with_key(&sim, &key1))
            .expect("key works");
        assert_eq!(
            rt().block_on(status_of(&sim, reqwest::Method::GET, "/v1/roles", &access)),
            200
        );
        assert_eq!(
            rt().block_on(status_of(&sim, reqwest::Method::POST, "/v1/users", &access)),
            403
        );

        // Nothing to do on a second plan.
        let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(out.status.code(), Some(0), "Terraform {v}: {}", text(&out));

        // A new trigger value replaces the account: new id, new key, the old key is dead.
        wd.write_config(&user_config(&name, "2"));
        let out = wd.run(&["plan", "-no-color"]);
        assert!(
            text(&out).contains("must be replaced"),
            "Terraform {v}: {}",
            text(&out)
        );
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let o = outputs(&wd);
        let id2 = o["id"]["value"].as_str().unwrap().to_string();
        let key2 = o["api_key"]["value"].as_str().unwrap().to_string();
        assert_ne!(id1, id2);
        assert_ne!(key1, key2);
        assert_eq!(rt().block_on(login_with_key(&sim, &key1)), Err(401));
        rt().block_on(login_with_key(&sim, &key2))
            .expect("new key works");

        // Import by id: everything but the key (never shown again) comes back.
        let out = wd.run(&["state", "rm", "vcf_sddc_user.svc"]);
        assert!(out.status.success(), "{}", text(&out));
        let out = wd.run(&["import", "-no-color", "vcf_sddc_user.svc", &id2]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let out = wd.run(&["show", "-json"]);
        let state: Value = serde_json::from_slice(&out.stdout).expect("show JSON");
        let res = state["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == "vcf_sddc_user.svc")
            .cloned()
            .expect("imported");
        assert_eq!(res["values"]["name"], name.as_str());
        assert_eq!(res["values"]["type"], "SERVICE");
        assert_eq!(res["values"]["role"], "OPERATOR");
        assert_eq!(res["values"]["api_key"], Value::Null);

        // Destroy deletes it.
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        assert!(!sim_users(&sim).iter().any(|u| u["id"] == id2.as_str()));
        assert_eq!(rt().block_on(login_with_key(&sim, &key2)), Err(401));
    }
}

/// A provider account without ADMIN gets a diagnostic that names the missing role; a user
/// deleted outside Terraform is drift that the next plan re-creates.
#[test]
fn operator_provider_account_and_out_of_band_delete() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    rt().block_on(control.post(
        "/objects",
        json!({"op":"create","kind":"sddc_user","fields":{"name":"ops-bot","type":"USER","role":"OPERATOR","password":"Op3rator!pw"}}),
    ));
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        let wd = sddc_workdir(&sim, tf, "ops-bot", "Op3rator!pw");
        wd.write_config(&user_config(&format!("svc-denied-{i}"), "1"));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(!out.status.success());
        let t = text(&out);
        assert!(
            t.contains("Permission denied") && t.contains("ADMIN role"),
            "Terraform {v}: {t}"
        );

        let wd = admin_workdir(&sim, tf);
        wd.write_config(&user_config(&format!("svc-drift-{i}"), "1"));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let id = outputs(&wd)["id"]["value"].as_str().unwrap().to_string();
        rt().block_on(control.post(
            "/objects",
            json!({"op":"delete","kind":"sddc_user","id": id}),
        ));
        let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "Terraform {v}: {t}");
        assert!(
            t.contains("no longer exists") && t.contains("will be created"),
            "Terraform {v}: {t}"
        );
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
    }
}

/// The answer of `POST /v1/users` is lost (applied, then the connection reset): the provider
/// finds the account instead of creating a second one, and warns that its API key, shown only
/// in that answer, did not arrive.
#[test]
fn lost_creation_answer_recovers_the_account() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        let name = format!("svc-lost-{i}");
        let wd = admin_workdir(&sim, tf);
        wd.write_config(&user_config(&name, "1"));
        rt().block_on(control.fault(json!({
            "path": "/v1/users", "method": "POST", "kind": "reset_after", "times": 1
        })));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("API key not received"), "Terraform {v}: {t}");
        let id = outputs(&wd)["id"]["value"].as_str().unwrap().to_string();
        let same_name: Vec<Value> = sim_users(&sim)
            .into_iter()
            .filter(|u| u["name"] == name.as_str())
            .collect();
        assert_eq!(same_name.len(), 1, "Terraform {v}: {same_name:?}");
        assert_eq!(same_name[0]["id"], id.as_str());
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
    }
}

/// Planning new users makes no HTTP request at all (no login either): the role name is
/// resolved at apply. `scripts/bench-peer` relies on this to compare plan costs without the
/// network.
#[test]
fn plan_of_new_users_makes_no_request() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    for tf in terraforms() {
        let wd = admin_workdir(&sim, &tf);
        wd.write_config(&users_config(20, "plan-only"));
        rt().block_on(control.reset_stats());
        let out = wd.run(&["plan", "-no-color", "-input=false"]);
        let t = text(&out);
        assert!(
            out.status.success() && t.contains("20 to add"),
            "Terraform {}: {t}",
            tf.version
        );
        let stats = rt().block_on(control.stats());
        assert_eq!(stats["total"], 0, "Terraform {}: {stats}", tf.version);
    }
}

/// Refresh of many users lists them once per provider process: the API has no read of one
/// user, and without the shared list every user's refresh would list all users.
#[test]
fn refresh_of_many_users_lists_them_once() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    for tf in terraforms() {
        let wd = admin_workdir(&sim, &tf);
        wd.write_config(&users_config(12, &format!("refresh-{}", tf.version)));
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(
            out.status.success(),
            "Terraform {}: {}",
            tf.version,
            text(&out)
        );
        rt().block_on(control.reset_stats());
        let out = wd.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "Terraform {}: re-plan not empty: {}",
            tf.version,
            text(&out)
        );
        let lists = rt().block_on(control.count("GET /v1/users", None));
        assert_eq!(
            lists, 1,
            "Terraform {}: user lists in one refresh of 12 users",
            tf.version
        );
        let out = wd.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert!(
            out.status.success(),
            "Terraform {}: {}",
            tf.version,
            text(&out)
        );
    }
}

/// Sixty-one minutes of sim clock pass during a run (the `advance_clock` fault, at the first
/// `GET /v1/roles`): the access token is then expired, SDDC Manager answers 401, and the
/// provider renews it once with `PATCH /v1/tokens/access-token/refresh` (the refresh-token id
/// as a bare JSON string, the new access token as a bare JSON string) instead of logging in
/// again. When the provider stops, it invalidates its refresh token (`DELETE
/// /v1/tokens/refresh-token`, 204): none is left in the sim's state.
#[test]
fn access_token_refreshed_after_sixty_minutes_and_refresh_token_invalidated_at_exit() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let config = format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\ndata \"vcf_sddc_roles\" \"all\" {{}}\n\
         output \"operator\" {{ value = data.vcf_sddc_roles.all.ids[\"OPERATOR\"] }}\n"
    );
    for tf in terraforms() {
        let v = &tf.version;
        let wd = admin_workdir(&sim, &tf);
        wd.write_config(&config);
        rt().block_on(control.reset_stats());
        rt().block_on(control.fault(json!({
            "path": "/v1/roles", "method": "GET", "kind": "advance_clock",
            "advance_seconds": 61 * 60, "times": 1
        })));
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        assert!(outputs(&wd)["operator"]["value"].is_string());
        let count = |ep: &str, status: &str| rt().block_on(control.count(ep, Some(status)));
        assert_eq!(
            count("GET /v1/roles", "401"),
            1,
            "Terraform {v}: expired token"
        );
        assert_eq!(
            count("PATCH /v1/tokens/access-token/refresh", "200"),
            1,
            "Terraform {v}: one refresh"
        );
        assert_eq!(
            rt().block_on(control.count("PATCH /v1/tokens/access-token/refresh", None)),
            1,
            "Terraform {v}: no refused refresh"
        );
        assert_eq!(count("GET /v1/roles", "200"), 1, "Terraform {v}: retried");
        let logins = count("POST /v1/tokens", "200");
        assert!(logins >= 1, "Terraform {v}");
        assert_eq!(
            rt().block_on(control.count("POST /v1/tokens", None)),
            logins,
            "Terraform {v}: no failed login"
        );
        // Every provider process that logged in invalidated its refresh token at exit.
        assert_eq!(
            count("DELETE /v1/tokens/refresh-token", "204"),
            logins,
            "Terraform {v}: {}",
            rt().block_on(control.stats())
        );
        let state = rt().block_on(control.state());
        let left = &state["sddc"]["refresh_tokens"];
        assert!(
            left.as_object().is_some_and(|m| m.is_empty()),
            "Terraform {v}: refresh tokens left: {left}"
        );
    }
}

/// `sddc_manager { api_key }`: the provider logs in as a SERVICE account with
/// `POST /v1/tokens {"apiKey"}` — here the ADMIN account that another configuration created
/// with `vcf_sddc_user` — and manages users with it. A wrong key is one refused login whose
/// diagnostic names `sddc_manager.api_key`; setting a password as well is a diagnostic on
/// `sddc_manager.api_key` at validate time.
#[test]
fn provider_logs_in_with_a_service_account_api_key() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        // The SERVICE account, created by the administrator's configuration.
        let admin = admin_workdir(&sim, tf);
        admin.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_sddc_user" "automation" {{
  name = "svc-terraform-{i}"
  type = "SERVICE"
  role = "ADMIN"
}}
output "api_key" {{
  value     = vcf_sddc_user.automation.api_key
  sensitive = true
}}
"#
        ));
        let out = admin.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let key = outputs(&admin)["api_key"]["value"]
            .as_str()
            .expect("api_key")
            .to_string();

        // A configuration that authenticates with that key only.
        let wd = Workdir::new(tf)
            .env("VCF_SDDC_MANAGER_HOST", &sim.host())
            .env("VCF_SDDC_MANAGER_API_KEY", &key)
            .env("VCF_CA_FILE", sim.ca_file());
        let child = format!("svc-child-{i}");
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\nresource \"vcf_sddc_user\" \"child\" {{\n  \
             name = \"{child}\"\n  type = \"SERVICE\"\n  role = \"VIEWER\"\n}}\n"
        ));
        rt().block_on(control.reset_stats());
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(!t.contains(&key), "Terraform {v}: the key leaked");
        assert!(sim_users(&sim).iter().any(|u| u["name"] == child.as_str()));
        let logins = rt().block_on(control.count("POST /v1/tokens", Some("200")));
        assert!(logins >= 1, "Terraform {v}");
        assert_eq!(
            rt().block_on(control.count("POST /v1/tokens", None)),
            logins,
            "Terraform {v}: no refused login"
        );
        let out = wd.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        assert!(!sim_users(&sim).iter().any(|u| u["name"] == child.as_str()));

        // A wrong key: one refused login, a diagnostic naming the setting to fix.
        let mut wrong = Workdir::new(tf)
            .env("VCF_SDDC_MANAGER_HOST", &sim.host())
            .env("VCF_CA_FILE", sim.ca_file());
        wrong.set_env("VCF_SDDC_MANAGER_API_KEY", "not-a-key-of-this-appliance");
        wrong.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\ndata \"vcf_sddc_roles\" \"all\" {{}}\n"
        ));
        rt().block_on(control.reset_stats());
        let out = wrong.run(&["plan", "-no-color", "-input=false"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("Credentials rejected") && t.contains("sddc_manager.api_key"),
            "Terraform {v}: {t}"
        );
        assert_eq!(
            rt().block_on(control.count("POST /v1/tokens", Some("401"))),
            1,
            "Terraform {v}: the rejected login is not repeated"
        );

        // A key and a password: refused at validate time, on the attribute.
        let both = Workdir::new(tf);
        both.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{
  sddc_manager {{
    host     = "sddc.example.com"
    username = "administrator@vsphere.local"
    password = "x"
    api_key  = "y"
  }}
}}
data "vcf_sddc_roles" "all" {{}}
"#
        ));
        let (ok, diags) = both.diagnostics(&["validate", "-json"]);
        assert!(!ok, "Terraform {v}: {diags:?}");
        assert!(
            diags
                .iter()
                .any(|d| d["severity"] == "error" && d.to_string().contains("api_key")),
            "Terraform {v}: {diags:?}"
        );
        let out = admin.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
    }
}
