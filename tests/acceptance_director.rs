//! Acceptance tests of `vcf_director_api_token` and `vcf_director_api_tokens` with the real
//! `terraform` binary against vcf-sim: the created token exchanges for an access token (refresh
//! grant, seed 004), a token revoked out of band is drift, destroy revokes, and a provider that
//! is itself authenticated with an API token is refused at plan time.

mod common;

use common::{Control, REQUIRED_PROVIDERS, Sim, Workdir, director_workdir, terraforms, text};
use serde_json::{Value, json};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Seed 004: `POST /oauth/tenant/{org}/token` (VCF Automation: `/tm/oauth/…`) with the API
/// token as a refresh grant; the access token, or the status of the refusal.
async fn exchange(sim: &Sim, org: &str, token: &str) -> Result<String, u16> {
    let prefix = if sim.ready["director"]["flavor"] == "vcf_automation" {
        "/tm/oauth"
    } else {
        "/oauth"
    };
    let http = sim.http_client();
    let r = http
        .post(format!("{}{prefix}/tenant/{org}/token", sim.url()))
        .header("Accept", "application/json")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .expect("token call");
    if !r.status().is_success() {
        return Err(r.status().as_u16());
    }
    let v: Value = r.json().await.expect("JSON");
    assert_eq!(v["token_type"], "Bearer");
    let access = v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let status = http
        .get(format!("{}/api/org", sim.url()))
        .bearer_auth(&access)
        .header("Accept", "application/*+xml;version=36.1")
        .send()
        .await
        .expect("GET /api/org")
        .status();
    assert_eq!(status, 200);
    Ok(access)
}

fn config(name: &str, org: &str, trigger: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_director_api_token" "ci" {{
  name              = "{name}"
  org               = "{org}"
  rotation_triggers = {{ rotated = "{trigger}" }}
}}
data "vcf_director_api_tokens" "named" {{
  name = "{name}"
}}
output "id" {{ value = vcf_director_api_token.ci.id }}
output "owner" {{ value = vcf_director_api_token.ci.owner }}
output "listed" {{ value = [for t in data.vcf_director_api_tokens.named.tokens : t.id] }}
output "token" {{
  value     = vcf_director_api_token.ci.token
  sensitive = true
}}
"#
    )
}

/// Creates a Director API token named `name` through the sim's object control; returns its
/// `(id, token)`.
fn create_director_token(control: &Control, name: &str) -> (String, String) {
    let created = rt().block_on(control.post(
        "/objects",
        json!({"op":"create","kind":"director_token","fields":{"name": name}}),
    ));
    let field = |k: &str| {
        created["created"][0][k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} of the created token: {created}"))
            .to_string()
    };
    (field("id"), field("refresh_token"))
}

/// A configuration that opens `ephemeral.vcf_access_token.d` from the Director API token in
/// `var.t`, for tenant `org` of the sim (`extra`: more lines of that block).
fn ephemeral_access_token_config(sim: &Sim, org: &str, extra: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "t" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
provider "vcf" {{}}
ephemeral "vcf_access_token" "d" {{
  api_token     = var.t
  director_host = "{}"
  director_org  = "{org}"{extra}
}}
"#,
        sim.host()
    )
}

/// A working directory that trusts the sim and passes `token` as `var.t`.
fn token_variable_workdir(tf: &common::Terraform, sim: &Sim, token: &str) -> Workdir {
    Workdir::new(tf)
        .env("VCF_CA_FILE", sim.ca_file())
        .env("TF_VAR_t", token)
}

fn outputs(wd: &Workdir) -> Value {
    let out = wd.run(&["output", "-json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("outputs JSON")
}

/// Cloud Director 10.x (`director.flavor` left at `auto`: detected from `GET /api/versions`).
#[test]
fn director_token_lifecycle() {
    token_lifecycle(Sim::start(), "cloud_director");
}

/// VCF Automation 9.1: OAuth under `/tm/oauth`, `Accept: application/json;version=9.1.0`; the
/// sim answers 404 to `/oauth/…` and 406 to Cloud Director versions, so the run only passes
/// when the provider detected the product and speaks its dialect.
#[test]
fn vcf_automation_token_lifecycle() {
    token_lifecycle(
        Sim::start_with(vcf_sim::Options {
            director_flavor: Some("vcf_automation".into()),
            ..Default::default()
        }),
        "vcf_automation",
    );
}

/// Create, list, drift, replace and revoke a token with every Terraform, `director.flavor`
/// left at `auto`.
fn token_lifecycle(sim: Sim, flavor: &str) {
    assert_eq!(sim.ready["director"]["flavor"], flavor);
    let control = Control::new(&sim);
    let d = &sim.ready["director"];
    let org = d["org"].as_str().unwrap();
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        let name = format!("ci-{i}");
        let wd = director_workdir(tf, &sim);

        // Create; the token exchanges for an access token that works.
        wd.write_config(&config(&name, org, "1"));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let o = outputs(&wd);
        let id1 = o["id"]["value"].as_str().unwrap().to_string();
        let token1 = o["token"]["value"].as_str().unwrap().to_string();
        assert!(id1.starts_with("urn:vcloud:token:"), "{id1}");
        assert_eq!(o["owner"]["value"], d["username"]);
        assert!(!text(&out).contains(&token1));
        rt().block_on(exchange(&sim, org, &token1))
            .expect("token exchanges");

        // A PROXY token of the same name (Create Token, the documented type) is not an API
        // token: neither the data source nor the resource takes it for one.
        rt().block_on(common::director_proxy_token(&sim, flavor, &name));

        // Empty re-plan; the data source lists it by name, never its value.
        let out = wd.run(&["apply", "-auto-approve", "-refresh-only", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        assert_eq!(outputs(&wd)["listed"]["value"], json!([id1]));
        let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(out.status.code(), Some(0), "Terraform {v}: {}", text(&out));

        // Revoked out of band: drift, and the next apply creates a new token.
        rt().block_on(control.post(
            "/objects",
            json!({"op":"delete","kind":"director_token","id": id1}),
        ));
        let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "Terraform {v}: {t}");
        assert!(
            t.contains("Director API token revoked"),
            "Terraform {v}: {t}"
        );
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let o = outputs(&wd);
        let id2 = o["id"]["value"].as_str().unwrap().to_string();
        let token2 = o["token"]["value"].as_str().unwrap().to_string();
        assert_ne!(id1, id2);
        assert_eq!(rt().block_on(exchange(&sim, org, &token1)), Err(400));
        rt().block_on(exchange(&sim, org, &token2))
            .expect("new token exchanges");

        // A new trigger replaces it: the old token is revoked.
        wd.write_config(&config(&name, org, "2"));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let token3 = outputs(&wd)["token"]["value"].as_str().unwrap().to_string();
        assert_eq!(rt().block_on(exchange(&sim, org, &token2)), Err(400));

        // Destroy revokes: the exchange then fails.
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        assert_eq!(rt().block_on(exchange(&sim, org, &token3)), Err(400));
        let state = rt().block_on(control.state());
        assert!(
            !state["director"]["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == name.as_str() && t["token_type"] == "REFRESH"),
            "Terraform {v}: tokens left behind"
        );
        // The PROXY token of the same name is untouched.
        assert!(
            state["director"]["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == name.as_str() && t["token_type"] == "PROXY"),
            "Terraform {v}: the PROXY token is gone"
        );
        // The product was detected once per provider process, and no call of the other
        // product's dialect was made.
        let stats = rt().block_on(control.stats());
        let other = if flavor == "vcf_automation" {
            "POST /oauth/"
        } else {
            "POST /tm/oauth/"
        };
        assert!(
            !stats["endpoints"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with(other)),
            "Terraform {v}: {stats}"
        );
        assert!(
            rt().block_on(control.count("GET /api/versions", Some("200"))) >= 1,
            "Terraform {v}: {stats}"
        );
    }
}

/// A provider authenticated to Director with an API token cannot create tokens: the plan fails
/// and says why and what to use; an org other than the provider's is an error on `org`.
#[test]
fn api_token_session_is_refused_at_plan_time() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let d = &sim.ready["director"];
    let org = d["org"].as_str().unwrap();
    let (_, api_token) = create_director_token(&control, "provider-token");
    for tf in terraforms() {
        let v = &tf.version;
        let wd = Workdir::new(&tf)
            .env("VCF_DIRECTOR_HOST", &sim.host())
            .env("VCF_DIRECTOR_ORG", org)
            .env("VCF_DIRECTOR_API_TOKEN", &api_token)
            .env("VCF_CA_FILE", sim.ca_file());
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\nresource \"vcf_director_api_token\" \"x\" {{\n  name = \"x\"\n}}\n"
        ));
        let out = wd.run(&["plan", "-no-color"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("cannot be created with an API-token session")
                && t.contains("director.username"),
            "Terraform {v}: {t}"
        );

        let wd = director_workdir(&tf, &sim);
        wd.write_config(&config("y", "other-org", "1"));
        let (ok, diags) = wd.diagnostics(&["plan", "-json"]);
        assert!(!ok);
        let e = diags
            .iter()
            .find(|d| d["severity"] == "error")
            .expect("an error");
        assert!(
            e["detail"].as_str().unwrap_or_default().contains(org),
            "Terraform {v}: {e}"
        );
    }
}

/// `vcf_access_token` with a Director API token: opens at plan time with the seed 004 refresh
/// grant, and once the token is revoked the plan fails with the reason.
#[test]
fn ephemeral_access_token_from_a_director_token() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let org = sim.ready["director"]["org"].as_str().unwrap();
    let hcl = ephemeral_access_token_config(&sim, org, "");
    for tf in terraforms() {
        let v = &tf.version;
        let (id, token) = create_director_token(&control, "ephemeral-source");
        let wd = token_variable_workdir(&tf, &sim, &token);
        wd.write_config(&hcl);
        let out = wd.run(&["plan", "-no-color"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("ephemeral.vcf_access_token.d: Opening complete"),
            "Terraform {v}: {t}"
        );
        assert!(!t.contains(&token), "Terraform {v}: token printed");

        rt().block_on(control.post(
            "/objects",
            json!({"op":"delete","kind":"director_token","id": id}),
        ));
        let out = wd.run(&["plan", "-no-color"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("API token was refused"), "Terraform {v}: {t}");
        assert!(!t.contains(&token), "Terraform {v}: token printed");
    }
}

/// `vcf_access_token` against VCF Automation: unset `director_flavor` finds the `/tm/oauth`
/// endpoint after the Cloud Director one answers 404; `vcf_automation` goes there at once;
/// `cloud_director` fails.
#[test]
fn ephemeral_access_token_from_a_vcf_automation_token() {
    let sim = Sim::start_with(vcf_sim::Options {
        director_flavor: Some("vcf_automation".into()),
        ..Default::default()
    });
    let control = Control::new(&sim);
    let org = sim.ready["director"]["org"].as_str().unwrap().to_string();
    let (_, token) = create_director_token(&control, "vcfa-source");
    let tm = "POST /tm/oauth/tenant/{org}/token";
    for tf in terraforms() {
        let v = &tf.version;
        for (flavor, ok, tm_calls) in [
            ("", true, 1),
            ("\n  director_flavor = \"vcf_automation\"", true, 1),
            ("\n  director_flavor = \"cloud_director\"", false, 0),
        ] {
            let wd = token_variable_workdir(&tf, &sim, &token);
            wd.write_config(&ephemeral_access_token_config(&sim, &org, flavor));
            rt().block_on(control.reset_stats());
            let out = wd.run(&["plan", "-no-color"]);
            let t = text(&out);
            assert_eq!(out.status.success(), ok, "Terraform {v} {flavor}: {t}");
            assert!(!t.contains(&token), "Terraform {v}: token printed");
            assert_eq!(
                rt().block_on(control.count(tm, Some("200"))),
                tm_calls,
                "Terraform {v} {flavor}"
            );
        }
    }
}

/// The answer of the token exchange is lost (the sim applies it, then resets the connection):
/// the token's value is gone with it, so the provider revokes the token it made and says that
/// running again is safe; the next apply creates a working token.
#[test]
fn lost_creation_answer_leaves_no_token_behind() {
    let sim = Sim::start();
    let control = Control::new(&sim);
    let d = &sim.ready["director"];
    let org = d["org"].as_str().unwrap();
    for (i, tf) in terraforms().iter().enumerate() {
        let v = &tf.version;
        let name = format!("lost-{i}");
        let wd = director_workdir(tf, &sim);
        wd.write_config(&config(&name, org, "1"));
        rt().block_on(control.fault(json!({
            "path": "/oauth/tenant/*/token", "method": "POST", "kind": "reset_after", "times": 1
        })));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("Director API token not created") && t.contains("safe"),
            "Terraform {v}: {t}"
        );
        let state = rt().block_on(control.state());
        assert!(
            !state["director"]["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == name.as_str()),
            "Terraform {v}: the token whose answer was lost is still there"
        );
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let token = outputs(&wd)["token"]["value"].as_str().unwrap().to_string();
        rt().block_on(exchange(&sim, org, &token))
            .expect("token exchanges");
        let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
    }
}

/// `director.flavor` set explicitly: no `GET /api/versions`; set to the wrong product, the
/// login fails with a diagnostic that names the setting to change.
#[test]
fn explicit_flavor_skips_detection_and_a_wrong_one_says_so() {
    let sim = Sim::start_with(vcf_sim::Options {
        director_flavor: Some("vcf_automation".into()),
        ..Default::default()
    });
    let control = Control::new(&sim);
    let config = format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\ndata \"vcf_director_api_tokens\" \"all\" {{}}\n"
    );
    for tf in terraforms() {
        let v = &tf.version;
        for (flavor, ok) in [("vcf_automation", true), ("cloud_director", false)] {
            let wd = director_workdir(&tf, &sim).env("VCF_DIRECTOR_FLAVOR", flavor);
            wd.write_config(&config);
            rt().block_on(control.reset_stats());
            let out = wd.run(&["plan", "-no-color", "-input=false"]);
            let t = text(&out);
            assert_eq!(out.status.success(), ok, "Terraform {v} {flavor}: {t}");
            if !ok {
                assert!(
                    t.contains("director.flavor = \"vcf_automation\""),
                    "Terraform {v}: {t}"
                );
            }
            assert_eq!(
                rt().block_on(control.count("GET /api/versions", None)),
                0,
                "Terraform {v} {flavor}"
            );
        }
    }
}
