//! Acceptance tests of the actions `vcf_api_token_revoke` and `vcf_director_api_token_revoke`
//! with the real `terraform` binary against vcf-sim: `terraform apply -invoke=action.…` revokes
//! exactly what the action says (checked in the sim: every other token still works), by id, by
//! client / owner and by name prefix; an `action_trigger` in a resource's `lifecycle` runs it;
//! bad selector combinations fail at validate time on the attribute; and a Terraform without
//! actions (1.11) still works with the provider whose schema now lists actions.
//!
//! Actions need Terraform 1.14 or later: the action tests run with every such binary of
//! TF_ACC_TERRAFORM_PATHS and skip the older ones, saying so.

mod common;

use std::collections::BTreeMap;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, Terraform, Workdir, fleet_workdir, terraforms, text,
};
use serde_json::{Value, json};

/// Whether `version` ("1.15.5", "1.14.0-rc1") has actions (1.14+).
fn has_actions(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 14)
}

/// The Terraform binaries that have actions; the others are skipped with a message. At least
/// one must be there, or the test would prove nothing.
fn action_terraforms(test: &str) -> Vec<Terraform> {
    let all = terraforms();
    let (with, without): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|tf| has_actions(&tf.version));
    for tf in &without {
        eprintln!(
            "{test}: skipping Terraform {} at {}: actions need Terraform 1.14 or later",
            tf.version,
            tf.path.display()
        );
    }
    assert!(
        !with.is_empty(),
        "{test}: no Terraform 1.14 or later in TF_ACC_TERRAFORM_PATHS; actions cannot be tested"
    );
    with
}

#[test]
fn version_gate() {
    assert!(has_actions("1.15.5"));
    assert!(has_actions("1.14.0-rc1"));
    assert!(has_actions("2.0.0"));
    assert!(!has_actions("1.11.4"));
    assert!(!has_actions("1.13.9"));
}

/// Creates API client `client_id` (when new) and `count` tokens named `name` (`name-0`, … when
/// more than one) in the sim; returns the tokens' ids by name.
fn fleet_tokens(
    ctl: &SyncControl,
    client_id: &str,
    name: &str,
    count: u64,
) -> Vec<(String, String)> {
    let exists = ctl.state()["fleet"]["clients"]
        .as_array()
        .is_some_and(|l| l.iter().any(|c| c["client_id"] == client_id));
    if !exists {
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_client", "fields": {"clientId": client_id}}),
        );
    }
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token", "count": count,
               "fields": {"tokenName": name, "tokenType": "API_CLIENT", "apiClientId": client_id}}),
    );
    created["created"]
        .as_array()
        .expect("created tokens")
        .iter()
        .map(|t| {
            (
                t["tokenName"].as_str().expect("name").to_string(),
                t["id"].as_str().expect("id").to_string(),
            )
        })
        .collect()
}

/// Every fleet token of the sim, by id: (client, name, works at the token endpoint).
fn fleet_world(ctl: &SyncControl, sim: &Sim) -> BTreeMap<String, (String, String, bool)> {
    let http = sim.http_client();
    let url = sim.ready["operations"]["token_endpoint_url"]
        .as_str()
        .expect("token endpoint")
        .to_string();
    let mut out = BTreeMap::new();
    for t in ctl.state()["fleet"]["tokens"].as_array().expect("tokens") {
        let secret = t["secret"].as_str().unwrap_or_default().to_string();
        let (http, url) = (http.clone(), url.clone());
        let works = ctl.block_on(async move {
            http.post(url)
                .form(&common::fleet_token_form(&secret))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        });
        out.insert(
            t["id"].as_str().unwrap_or_default().to_string(),
            (
                t["api_client_id"].as_str().unwrap_or_default().to_string(),
                t["token_name"].as_str().unwrap_or_default().to_string(),
                works,
            ),
        );
    }
    out
}

/// Asserts that exactly the tokens `revoked` are gone since `before` and every other token of
/// `before` still works.
fn assert_revoked_exactly(
    v: &str,
    before: &BTreeMap<String, (String, String, bool)>,
    after: &BTreeMap<String, (String, String, bool)>,
    revoked: &[&String],
) {
    for (id, (client, name, works)) in before {
        if revoked.contains(&id) {
            assert!(
                !after.contains_key(id),
                "Terraform {v}: token {name:?} of {client:?} ({id}) should be revoked"
            );
        } else {
            assert!(*works, "Terraform {v}: token {id} did not work before");
            assert!(
                after.get(id).is_some_and(|t| t.2),
                "Terraform {v}: token {name:?} of {client:?} ({id}) was touched but not selected"
            );
        }
    }
}

const FLEET_ACTIONS: &str = r#"
variable "token_id" {
  type    = string
  default = "none"
}
action "vcf_api_token_revoke" "by_id" {
  config {
    api_client_id = "ci-bot"
    token_id      = var.token_id
  }
}
action "vcf_api_token_revoke" "by_prefix" {
  config {
    api_client_id = "ci-bot"
    name_prefix   = "jenkins"
  }
}
action "vcf_api_token_revoke" "by_client" {
  config {
    sso_realm_id  = "flt-idb02"
    api_client_id = "ci-bot"
    all_tokens    = true
  }
}
"#;

fn invoke(wd: &Workdir, action: &str, vars: &[String]) -> std::process::Output {
    let target = format!("-invoke=action.{action}");
    let mut args = vec![
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        &target,
    ];
    for v in vars {
        args.push("-var");
        args.push(v);
    }
    wd.run(&args)
}

/// By id, by name prefix, by client: each revokes what it names, tokens of other clients (also
/// those with the same names) and the client's other tokens keep working.
#[test]
fn fleet_revoke_by_id_prefix_and_client() {
    for tf in action_terraforms("fleet_revoke_by_id_prefix_and_client") {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let leaked = fleet_tokens(&ctl, "ci-bot", "leaked", 1);
        let jenkins = fleet_tokens(&ctl, "ci-bot", "jenkins", 3);
        fleet_tokens(&ctl, "ci-bot", "keep", 1);
        fleet_tokens(&ctl, "ci-other", "jenkins", 2);
        let foreign = fleet_tokens(&ctl, "ci-other", "other", 1);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{FLEET_ACTIONS}"
        ));
        ctl.reset_stats();

        // Validate and plan touch nothing.
        wd.ok(&["validate", "-no-color"]);
        wd.ok(&[
            "plan",
            "-no-color",
            "-input=false",
            "-invoke=action.vcf_api_token_revoke.by_client",
        ]);
        assert_eq!(
            ctl.count("DELETE /ssorealms/{realm}/api-tokens/{id}", None),
            0,
            "Terraform {v}: a plan revoked something"
        );

        // By id: that token and nothing else.
        let before = fleet_world(&ctl, &sim);
        let out = invoke(
            &wd,
            "vcf_api_token_revoke.by_id",
            &[format!("token_id={}", leaked[0].1)],
        );
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains(&format!("Revoked API token \"leaked\" ({})", leaked[0].1)),
            "Terraform {v}: no progress message for the token: {t}"
        );
        assert!(
            t.contains(&format!("Summary: 1 API token revoked ({})", leaked[0].1)),
            "Terraform {v}: {t}"
        );
        let after = fleet_world(&ctl, &sim);
        assert_revoked_exactly(&v, &before, &after, &[&leaked[0].1]);

        // Again: already gone, noted, not an error.
        let out = invoke(
            &wd,
            "vcf_api_token_revoke.by_id",
            &[format!("token_id={}", leaked[0].1)],
        );
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("is already gone"), "Terraform {v}: {t}");
        assert!(
            t.contains("Summary: 0 API tokens revoked; 1 already gone"),
            "Terraform {v}: {t}"
        );

        // Another client's token by id: refused at plan time on token_id, nothing revoked.
        let before = fleet_world(&ctl, &sim);
        let (ok, diags) = wd.diagnostics(&[
            "apply",
            "-auto-approve",
            "-json",
            "-input=false",
            "-invoke=action.vcf_api_token_revoke.by_id",
            "-var",
            &format!("token_id={}", foreign[0].1),
        ]);
        assert!(!ok, "Terraform {v}: another client's token was accepted");
        assert!(
            diags
                .iter()
                .any(|d| d["summary"] == "Token of another API client"
                    && d["snippet"]["code"]
                        .as_str()
                        .is_some_and(|c| c.contains("token_id"))),
            "Terraform {v}: {diags:?}"
        );
        assert_eq!(fleet_world(&ctl, &sim), before, "Terraform {v}");

        // By prefix: the client's jenkins-* only; ci-other's jenkins-* and ci-bot's keep stay.
        let before = fleet_world(&ctl, &sim);
        let out = invoke(&wd, "vcf_api_token_revoke.by_prefix", &[]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        for (name, id) in &jenkins {
            assert!(
                t.contains(&format!("Revoked API token \"{name}\" ({id})")),
                "Terraform {v}: {t}"
            );
        }
        assert!(
            t.contains("Summary: 3 API tokens revoked"),
            "Terraform {v}: {t}"
        );
        let ids: Vec<&String> = jenkins.iter().map(|(_, id)| id).collect();
        let after = fleet_world(&ctl, &sim);
        assert_revoked_exactly(&v, &before, &after, &ids);

        // By client: every remaining ci-bot token, nothing of ci-other or of the provider's own
        // client.
        let before = fleet_world(&ctl, &sim);
        let of_bot: Vec<&String> = before
            .iter()
            .filter(|(_, (c, _, _))| c == "ci-bot")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(of_bot.len(), 1, "Terraform {v}: {before:?}");
        let out = invoke(&wd, "vcf_api_token_revoke.by_client", &[]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("Summary: 1 API token revoked"),
            "Terraform {v}: {t}"
        );
        let after = fleet_world(&ctl, &sim);
        assert_revoked_exactly(&v, &before, &after, &of_bot);

        // Nothing left: a warning, not a failure.
        let out = invoke(&wd, "vcf_api_token_revoke.by_client", &[]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("No API token matched"), "Terraform {v}: {t}");

        // A client that does not exist is an error on api_client_id.
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{}",
            FLEET_ACTIONS.replace("\"ci-bot\"", "\"ci-nobody\"")
        ));
        let out = invoke(&wd, "vcf_api_token_revoke.by_client", &[]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("API client not found"), "Terraform {v}: {t}");
    }
}

/// An `action_trigger` runs the action after a resource is created and after it is updated;
/// a token id known only after apply (unknown when the action is planned) is resolved then.
#[test]
fn fleet_revoke_from_action_trigger() {
    for tf in action_terraforms("fleet_revoke_from_action_trigger") {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let manual = fleet_tokens(&ctl, "ci-bot", "manual", 2);
        let leaked = fleet_tokens(&ctl, "ci-bot", "leaked", 1);
        fleet_tokens(&ctl, "ci-other", "manual", 1);
        let config = |description: &str| {
            format!(
                r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

# The token Terraform manages from now on; once it exists (and whenever it changes), every
# hand-made "manual…" token of the client is revoked.
resource "vcf_api_token" "ci" {{
  api_client_id = "ci-bot"
  name          = "tf-ci"
  description   = "{description}"
  lifecycle {{
    action_trigger {{
      events  = [after_create, after_update]
      actions = [action.vcf_api_token_revoke.manual]
    }}
  }}
}}
action "vcf_api_token_revoke" "manual" {{
  config {{
    api_client_id = vcf_api_token.ci.api_client_id
    name_prefix   = "manual"
  }}
}}

# A token id that is only known after apply when the action is planned.
resource "terraform_data" "leaked" {{
  input = "{leaked}"
  lifecycle {{
    action_trigger {{
      events  = [after_create]
      actions = [action.vcf_api_token_revoke.leaked]
    }}
  }}
}}
action "vcf_api_token_revoke" "leaked" {{
  config {{
    api_client_id = "ci-bot"
    token_id      = terraform_data.leaked.output
  }}
}}
"#,
                leaked = leaked[0].1
            )
        };
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&config("one"));
        let before = fleet_world(&ctl, &sim);
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("(triggered by vcf_api_token.ci)"),
            "Terraform {v}: the trigger did not run the action: {t}"
        );
        assert!(
            t.contains("Summary: 2 API tokens revoked"),
            "Terraform {v}: {t}"
        );
        assert!(
            t.contains(&format!("Summary: 1 API token revoked ({})", leaked[0].1)),
            "Terraform {v}: {t}"
        );
        let after = fleet_world(&ctl, &sim);
        let mut revoked: Vec<&String> = manual.iter().map(|(_, id)| id).collect();
        revoked.push(&leaked[0].1);
        assert_revoked_exactly(&v, &before, &after, &revoked);
        let managed = wd.values("vcf_api_token.ci")["id"]
            .as_str()
            .expect("managed token id")
            .to_string();
        assert!(
            after.get(&managed).is_some_and(|t| t.2),
            "Terraform {v}: the managed token itself was revoked"
        );
        wd.assert_no_changes("after the triggered actions ran");

        // After an update: a new hand-made token is revoked again.
        let again = fleet_tokens(&ctl, "ci-bot", "manual-late", 1);
        wd.write_config(&config("two"));
        let before = fleet_world(&ctl, &sim);
        let t = wd.apply();
        assert!(
            t.contains(&format!(
                "Revoked API token \"manual-late\" ({})",
                again[0].1
            )),
            "Terraform {v}: {t}"
        );
        assert_revoked_exactly(&v, &before, &fleet_world(&ctl, &sim), &[&again[0].1]);
        wd.assert_no_changes("after the update");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    }
}

/// Bad selector combinations fail at `terraform validate`, on the attribute, before anything
/// is revoked.
#[test]
fn bad_selectors_fail_at_validate() {
    let cases = [
        (
            "vcf_api_token_revoke",
            "api_client_id = \"ci-bot\"\n    token_id = \"t1\"\n    name_prefix = \"ci-\"",
            "Conflicting token selectors",
            Some("name_prefix"),
        ),
        (
            "vcf_api_token_revoke",
            "api_client_id = \"ci-bot\"\n    name_prefix = \"ci-\"\n    all_tokens = true",
            "Conflicting token selectors",
            Some("all_tokens"),
        ),
        (
            "vcf_api_token_revoke",
            "api_client_id = \"ci-bot\"",
            "No token selected",
            None,
        ),
        (
            "vcf_api_token_revoke",
            "api_client_id = \"ci-bot\"\n    all_tokens = false",
            "No token selected",
            Some("all_tokens"),
        ),
        (
            "vcf_api_token_revoke",
            "api_client_id = \"ci-bot\"\n    name_prefix = \"\"",
            "Invalid attribute value length",
            Some("name_prefix"),
        ),
        (
            "vcf_director_api_token_revoke",
            "all_tokens = true",
            "Missing owner",
            Some("all_tokens"),
        ),
        (
            "vcf_director_api_token_revoke",
            "owner = \"tenant-admin\"\n    token_id = \"urn:vcloud:token:1\"\n    all_tokens = true",
            "Conflicting token selectors",
            Some("all_tokens"),
        ),
    ];
    for tf in action_terraforms("bad_selectors_fail_at_validate") {
        let v = &tf.version;
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        for (ty, body, summary, attribute) in cases {
            wd.write_config(&format!(
                "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\naction \"{ty}\" \"x\" {{\n  config {{\n    {body}\n  }}\n}}\n"
            ));
            let (ok, diags) = wd.diagnostics(&["validate", "-json", "-no-color"]);
            assert!(!ok, "Terraform {v}: {ty} {body:?} passed validate");
            let d = diags
                .iter()
                .find(|d| d["severity"] == "error" && d["summary"] == summary)
                .unwrap_or_else(|| panic!("Terraform {v}: {ty} {body:?}: {diags:?}"));
            let code = d["snippet"]["code"].as_str().unwrap_or_default();
            match attribute {
                Some(a) => assert!(
                    code.trim_start().starts_with(a),
                    "Terraform {v}: {ty} {body:?}: not on {a}: {d}"
                ),
                None => assert!(code.contains("config"), "Terraform {v}: {d}"),
            }
        }
        assert_eq!(
            ctl.stats()["total"],
            0,
            "Terraform {v}: validate called the API"
        );
    }
}

/// A provider whose Director session is opened by the sim's System administrator (who sees
/// every organization's tokens).
fn director_workdir(tf: &Terraform, sim: &Sim) -> Workdir {
    let d = &sim.ready["director"];
    Workdir::new(tf)
        .env("VCF_DIRECTOR_HOST", &sim.host())
        .env("VCF_DIRECTOR_ORG", "System")
        .env("VCF_DIRECTOR_USERNAME", "administrator")
        .env("VCF_DIRECTOR_PASSWORD", d["password"].as_str().unwrap())
        .env("VCF_CA_FILE", sim.ca_file())
}

fn director_token(ctl: &SyncControl, name: &str, org: &str, user: &str) -> String {
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "director_token",
               "fields": {"name": name, "org": org, "user": user}}),
    );
    created["created"][0]["id"]
        .as_str()
        .expect("token id")
        .to_string()
}

/// Every Director token of the sim, by id: (name, owner user id, type).
fn director_world(ctl: &SyncControl) -> BTreeMap<String, (String, String, String)> {
    ctl.state()["director"]["tokens"]
        .as_array()
        .expect("director tokens")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_string(),
                (
                    t["name"].as_str().unwrap_or_default().to_string(),
                    t["owner_user_id"].as_str().unwrap_or_default().to_string(),
                    t["token_type"].as_str().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect()
}

fn assert_director_revoked_exactly(
    v: &str,
    before: &BTreeMap<String, (String, String, String)>,
    after: &BTreeMap<String, (String, String, String)>,
    revoked: &[&str],
) {
    for (id, t) in before {
        assert_eq!(
            after.contains_key(id),
            !revoked.contains(&id.as_str()),
            "Terraform {v}: token {t:?} ({id})"
        );
    }
}

const DIRECTOR_ACTIONS: &str = r#"
variable "token_id" {
  type    = string
  default = "none"
}
action "vcf_director_api_token_revoke" "by_prefix" {
  config {
    owner       = "tenant-admin"
    name_prefix = "ci-"
  }
}
action "vcf_director_api_token_revoke" "by_id" {
  config {
    token_id = var.token_id
  }
}
action "vcf_director_api_token_revoke" "by_id_of_owner" {
  config {
    owner    = "tenant-admin"
    token_id = var.token_id
  }
}
action "vcf_director_api_token_revoke" "by_owner" {
  config {
    owner      = "administrator"
    all_tokens = true
  }
}
"#;

/// The Director action: by owner and prefix, by id, all of one user; PROXY tokens are never
/// touched, and an API-token session is refused at plan time.
#[test]
fn director_revoke_by_prefix_id_and_owner() {
    for tf in action_terraforms("director_revoke_by_prefix_id_and_owner") {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let ci_a = director_token(&ctl, "ci-a", "rainpole", "tenant-admin");
        let ci_b = director_token(&ctl, "ci-b", "rainpole", "tenant-admin");
        let keep = director_token(&ctl, "keep", "rainpole", "tenant-admin");
        let ci_sys = director_token(&ctl, "ci-sys", "System", "administrator");
        let sys_other = director_token(&ctl, "nightly", "System", "administrator");
        // A PROXY token named like the API tokens: not an API token, never revoked.
        let proxy = director_token(&ctl, "ci-proxy", "rainpole", "tenant-admin");
        ctl.post(
            "/objects",
            json!({"op": "patch", "kind": "director_token", "id": proxy,
                   "fields": {"token_type": "PROXY"}}),
        );
        let wd = director_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{DIRECTOR_ACTIONS}"
        ));

        // Owner and prefix: tenant-admin's ci-* API tokens; the PROXY one and the System
        // administrator's ci-sys stay.
        let before = director_world(&ctl);
        let out = invoke(&wd, "vcf_director_api_token_revoke.by_prefix", &[]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("Summary: 2 Director API tokens revoked"),
            "Terraform {v}: {t}"
        );
        assert!(
            t.contains(&format!("Revoked Director API token \"ci-a\" ({ci_a})")),
            "Terraform {v}: {t}"
        );
        assert_director_revoked_exactly(&v, &before, &director_world(&ctl), &[&ci_a, &ci_b]);

        // By id.
        let before = director_world(&ctl);
        let out = invoke(
            &wd,
            "vcf_director_api_token_revoke.by_id",
            &[format!("token_id={keep}")],
        );
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert_director_revoked_exactly(&v, &before, &director_world(&ctl), &[&keep]);

        // The PROXY token by id: not an API token, noted, untouched.
        let before = director_world(&ctl);
        let out = invoke(
            &wd,
            "vcf_director_api_token_revoke.by_id",
            &[format!("token_id={proxy}")],
        );
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert!(t.contains("is already gone"), "Terraform {v}: {t}");
        assert_eq!(director_world(&ctl), before, "Terraform {v}");

        // Another user's token with owner set: refused at plan time on token_id.
        let before = director_world(&ctl);
        let (ok, diags) = wd.diagnostics(&[
            "apply",
            "-auto-approve",
            "-json",
            "-input=false",
            "-invoke=action.vcf_director_api_token_revoke.by_id_of_owner",
            "-var",
            &format!("token_id={ci_sys}"),
        ]);
        assert!(!ok, "Terraform {v}: another user's token was accepted");
        assert!(
            diags.iter().any(|d| d["summary"] == "Token of another user"
                && d["snippet"]["code"]
                    .as_str()
                    .is_some_and(|c| c.contains("token_id"))),
            "Terraform {v}: {diags:?}"
        );
        assert_eq!(director_world(&ctl), before, "Terraform {v}");

        // Every token of one user.
        let before = director_world(&ctl);
        let out = invoke(&wd, "vcf_director_api_token_revoke.by_owner", &[]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: {t}");
        assert_director_revoked_exactly(&v, &before, &director_world(&ctl), &[&ci_sys, &sys_other]);
        assert!(director_world(&ctl).contains_key(&proxy), "Terraform {v}");

        // A session opened with an API token cannot revoke tokens: refused at plan time.
        let secret = ctl.post(
            "/objects",
            json!({"op": "create", "kind": "director_token",
                   "fields": {"name": "provider-login", "org": "rainpole", "user": "tenant-admin"}}),
        )["created"][0]["refresh_token"]
            .as_str()
            .expect("secret")
            .to_string();
        let mut api_wd = Workdir::new(&tf)
            .env("VCF_DIRECTOR_HOST", &sim.host())
            .env("VCF_DIRECTOR_ORG", "rainpole")
            .env("VCF_CA_FILE", sim.ca_file());
        api_wd.set_env("VCF_DIRECTOR_API_TOKEN", &secret);
        api_wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{DIRECTOR_ACTIONS}"
        ));
        let before = director_world(&ctl);
        let out = api_wd.run(&[
            "plan",
            "-no-color",
            "-input=false",
            "-invoke=action.vcf_director_api_token_revoke.by_prefix",
        ]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("cannot be revoked with an API-token session"),
            "Terraform {v}: {t}"
        );
        assert_eq!(director_world(&ctl), before, "Terraform {v}");
    }
}

/// Terraform 1.11 knows no actions: the provider's schema (which lists them) does not break it,
/// and everything else works as before. The `action` block itself is refused by that Terraform.
#[test]
fn older_terraform_still_works_with_a_provider_that_has_actions() {
    let old: Vec<Terraform> = terraforms()
        .into_iter()
        .filter(|tf| !has_actions(&tf.version))
        .collect();
    if old.is_empty() {
        eprintln!(
            "older_terraform_still_works_with_a_provider_that_has_actions: no Terraform older than 1.14 in \
             TF_ACC_TERRAFORM_PATHS; nothing to check"
        );
    }
    for tf in old {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        fleet_tokens(&ctl, "ci-bot", "keep", 1);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_api_token" "t" {{
  api_client_id = "ci-bot"
  name          = "old-terraform"
}}
data "vcf_api_tokens" "all" {{
  api_client_id = "ci-bot"
}}
"#
        ));
        let out = wd.run(&["providers", "schema", "-json"]);
        assert!(out.status.success(), "Terraform {v}: {}", text(&out));
        let schema: Value = serde_json::from_slice(&out.stdout).expect("schema JSON");
        let p = schema["provider_schemas"]
            .as_object()
            .and_then(|m| m.values().next())
            .expect("provider schema");
        assert!(
            p["resource_schemas"]["vcf_api_token"].is_object(),
            "Terraform {v}"
        );
        wd.apply();
        wd.assert_no_changes("after apply");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        // The action block is a 1.14 language feature: this Terraform refuses it itself.
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n{FLEET_ACTIONS}"
        ));
        let out = wd.run(&["validate", "-no-color"]);
        let t = text(&out);
        assert!(!out.status.success(), "Terraform {v}: {t}");
        assert!(
            t.contains("Blocks of type \"action\" are not expected here"),
            "Terraform {v}: {t}"
        );
    }
}
