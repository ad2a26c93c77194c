//! Acceptance: the quickstart identity of seed 001 with real Terraform (every version in
//! TF_ACC_TERRAFORM_PATHS) against vcf-sim — realm data source, API client, two role
//! assignments, a token that works with exactly its roles — and the lifecycle of
//! `vcf_api_client` and `vcf_role_assignment`: empty re-plan, import (command and `import`
//! block with generated configuration), in-place update, out-of-band drift caught by
//! `plan -detailed-exitcode`, heal, destroy with the sim's state checked.

mod common;

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, fleet_workdir, realm_ids, terraforms};
use serde_json::{Value, json};

const IMPORT_HEADER: &str = REQUIRED_PROVIDERS;

fn quickstart(description: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

data "vcf_sso_realm" "fleet" {{
  name = "flt-idb02"
}}

resource "vcf_api_client" "iam" {{
  sso_realm_id = data.vcf_sso_realm.fleet.id
  client_id    = "IamClient"
  name         = "Iam Client"
  description  = "{description}"
}}

resource "vcf_role_assignment" "viewer" {{
  sso_realm_id = data.vcf_sso_realm.fleet.id
  principal_id = vcf_api_client.iam.principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}

resource "vcf_role_assignment" "sddc" {{
  sso_realm_id       = data.vcf_sso_realm.fleet.id
  principal_id       = vcf_api_client.iam.principal_id
  role_name          = "sddc_admin"
  scope_type         = "VCF_INSTANCE"
  scope_resource_ids = [data.vcf_sso_realm.fleet.vcf_instance_id]
}}

resource "vcf_api_token" "iam" {{
  sso_realm_id     = data.vcf_sso_realm.fleet.id
  api_client_id    = vcf_api_client.iam.client_id
  name             = "apitoken-test1000"
  ttl              = 40320
  access_token_ttl = 30
  depends_on       = [vcf_role_assignment.viewer, vcf_role_assignment.sddc]
}}
"#
    )
}

/// Exchanges an API token at the sim's token endpoint; the access token, or the HTTP status.
pub fn exchange(ctl: &SyncControl, sim: &Sim, api_token: &str) -> Result<String, u16> {
    let http = sim.http_client();
    let url = sim.ready["operations"]["token_endpoint_url"]
        .as_str()
        .expect("token endpoint")
        .to_string();
    ctl.block_on(async move {
        let r = http
            .post(url)
            .form(&common::fleet_token_form(api_token))
            .send()
            .await
            .expect("token endpoint");
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        v["access_token"].as_str().map(str::to_string).ok_or(status)
    })
}

/// Status of a fleet IAM call made with `access`.
fn fleet_status(
    ctl: &SyncControl,
    sim: &Sim,
    access: &str,
    method: &str,
    path: &str,
    body: Value,
) -> u16 {
    let http = sim.http_client();
    let url = format!("{}/suite-api/api/fleet-management/iam{path}", sim.url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    ctl.block_on(async move {
        http.request(method, url)
            .bearer_auth(access)
            .json(&body)
            .send()
            .await
            .expect("fleet call")
            .status()
            .as_u16()
    })
}

fn client_in_sim(ctl: &SyncControl, client_id: &str) -> Option<Value> {
    ctl.state()["fleet"]["clients"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["client_id"] == client_id).cloned())
}

fn assignments_in_sim(ctl: &SyncControl, realm: &str, principal: &str) -> Vec<Value> {
    ctl.state()["fleet"]["assignments"][format!("{realm}/{principal}")]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn quickstart_identity_lifecycle() {
    for tf in terraforms() {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, instance) = realm_ids(&sim);
        let wd = fleet_workdir(&tf, &sim);
        let v = &tf.version;

        // Create, then nothing to do.
        wd.write_config(&quickstart("API client for IAM functional testing"));
        wd.apply();
        wd.assert_no_changes("after create");

        let client = wd.values("vcf_api_client.iam");
        let principal = client["principal_id"]
            .as_str()
            .expect("principal")
            .to_string();
        assert_eq!(client["id"], format!("{realm}/IamClient"));
        let sim_client = client_in_sim(&ctl, "IamClient").expect("client in sim");
        assert_eq!(sim_client["client_uuid"], principal.as_str());
        assert_eq!(assignments_in_sim(&ctl, &realm, &principal).len(), 2);

        // The token authenticates and can do exactly what its roles allow: read, not write.
        let token = wd.values("vcf_api_token.iam");
        let secret = token["token"].as_str().expect("token in state");
        assert!(secret.starts_with("vidb_"), "{v}");
        assert_eq!(token["status"], "ACTIVE");
        assert_eq!(token["ttl"], 40320);
        let access = exchange(&ctl, &sim, secret).expect("token exchange");
        assert_eq!(
            fleet_status(&ctl, &sim, &access, "GET", "/ssorealms", Value::Null),
            200
        );
        assert_eq!(
            fleet_status(
                &ctl,
                &sim,
                &access,
                "POST",
                &format!("/ssorealms/{realm}/api-clients"),
                json!({"clientId": "not-allowed"})
            ),
            403,
            "{v}: a vcf_viewer + sddc_admin token must not write fleet IAM"
        );

        // Import by command reproduces the same state.
        for (addr, id) in [
            ("vcf_api_client.iam", format!("{realm}/IamClient")),
            (
                "vcf_role_assignment.sddc",
                format!("{realm}/{principal}/sddc_admin/VCF_INSTANCE/{instance}"),
            ),
            (
                "vcf_role_assignment.viewer",
                format!("{realm}/{principal}/vcf_viewer/SSO_REALM"),
            ),
        ] {
            let before = wd.values(addr);
            wd.ok(&["state", "rm", addr]);
            wd.ok(&["import", "-no-color", "-input=false", addr, &id]);
            assert_eq!(wd.values(addr), before, "{v}: import of {addr}");
        }
        wd.assert_no_changes("after import");

        // In-place update of the description.
        wd.write_config(&quickstart("rotated by CI"));
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(
            plan.contains("update in-place") && !plan.contains("must be replaced"),
            "{v}: {plan}"
        );
        wd.apply();
        assert_eq!(
            client_in_sim(&ctl, "IamClient").expect("client")["client_description"],
            "rotated by CI"
        );
        assert_eq!(
            wd.values("vcf_api_token.iam")["token"],
            secret,
            "{v}: token untouched"
        );

        // Out-of-band drift: description changed, one assignment removed.
        ctl.post(
            "/objects",
            json!({"op": "patch", "kind": "api_client", "id": "IamClient",
                   "fields": {"client_description": "edited by hand"}}),
        );
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": principal,
                   "fields": {"vcfRoleAssignments": [
                       {"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: drift must give exit code 2:\n{plan}");
        assert!(plan.contains("edited by hand"), "{v}: {plan}");
        assert!(
            plan.contains("vcf_role_assignment.sddc will be created"),
            "{v}: {plan}"
        );
        wd.apply();
        wd.assert_no_changes("after heal");
        assert_eq!(
            client_in_sim(&ctl, "IamClient").expect("client")["client_description"],
            "rotated by CI"
        );
        assert_eq!(assignments_in_sim(&ctl, &realm, &principal).len(), 2);

        // Destroy leaves nothing behind.
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert!(client_in_sim(&ctl, "IamClient").is_none(), "{v}");
        assert!(
            assignments_in_sim(&ctl, &realm, &principal).is_empty(),
            "{v}"
        );
        let tokens = ctl.state()["fleet"]["tokens"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            tokens.iter().all(|t| t["api_client_id"] != "IamClient"),
            "{v}: {tokens:?}"
        );
        // The revoked token no longer authenticates.
        assert!(exchange(&ctl, &sim, secret).is_err(), "{v}");
    }
}

/// Username and password: the provider acquires one session per Terraform command, sends it as
/// `OpsToken` (the sim refuses it as a bearer), and releases it when Terraform stops it.
#[test]
fn password_sessions_are_ops_tokens_released_at_exit() {
    for tf in terraforms() {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let ops = &sim.ready["operations"];
        let w = fleet_workdir(&tf, &sim)
            .env("VCF_OPERATIONS_API_TOKEN", "")
            .env("VCF_OPERATIONS_TOKEN_ENDPOINT_URL", "")
            .env(
                "VCF_OPERATIONS_USERNAME",
                ops["username"].as_str().expect("username"),
            )
            .env(
                "VCF_OPERATIONS_PASSWORD",
                ops["password"].as_str().expect("password"),
            );
        w.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "pw" {{
  client_id = "PasswordMade"
  name      = "Made with a password session"
}}
"#
        ));
        ctl.reset_stats();
        w.apply();
        w.assert_no_changes("after apply with a password session");
        let acquired = ctl.count("POST /suite-api/api/auth/token/acquire", Some("200"));
        let released = ctl.count("POST /suite-api/api/auth/token/release", Some("200"));
        assert!(acquired >= 2, "{}: one session per command", tf.version);
        assert_eq!(
            released, acquired,
            "{}: every acquired session is released when the provider stops",
            tf.version
        );
        let state = ctl.state();
        assert!(
            state["sessions"]
                .as_object()
                .is_some_and(|m| m.values().all(|s| s["kind"]["Fleet"]["acquired"] != true)),
            "{}: no acquired session is left open",
            tf.version
        );
        w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    }
}

/// `vcf_api_clients` reads every page of the client query (the API's only list): 55 clients
/// made out of band take two pages of 50.
#[test]
fn the_api_clients_data_source_pages_through_the_query() {
    for tf in terraforms() {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_client", "count": 55, "fields": {"clientId": "paged"}}),
        );
        let w = fleet_workdir(&tf, &sim);
        w.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

data "vcf_api_clients" "paged" {{
  client_id_prefix = "paged-"
}}

output "ids" {{
  value = data.vcf_api_clients.paged.clients[*].client_id
}}

output "principals" {{
  value = data.vcf_api_clients.paged.clients[*].principal_id
}}
"#
        ));
        ctl.reset_stats();
        w.apply();
        let out: Value = serde_json::from_str(&w.ok(&["output", "-json"])).expect("outputs");
        let ids = out["ids"]["value"].as_array().expect("ids");
        assert_eq!(ids.len(), 55, "{}: {ids:?}", tf.version);
        assert!(
            ids.windows(2).all(|p| p[0].as_str() < p[1].as_str()),
            "ordered by client_id"
        );
        assert!(
            out["principals"]["value"]
                .as_array()
                .expect("principals")
                .iter()
                .all(|p| p.as_str().is_some_and(|p| !p.is_empty()))
        );
        let pages = ctl.count(
            "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients/query",
            Some("200"),
        );
        assert!(pages >= 2, "{}: {pages} query pages", tf.version);
    }
}

#[test]
fn import_block_generates_configuration() {
    for tf in terraforms() {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, _) = realm_ids(&sim);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_client",
                   "fields": {"clientId": "made-by-hand", "clientName": "By hand", "clientDescription": "legacy"}}),
        );
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{IMPORT_HEADER}\nprovider \"vcf\" {{}}\n\nimport {{\n  to = vcf_api_client.legacy\n  id = \"{realm}/made-by-hand\"\n}}\n"
        ));
        wd.ok(&[
            "plan",
            "-no-color",
            "-input=false",
            "-generate-config-out=generated.tf",
        ]);
        let generated =
            std::fs::read_to_string(wd.path().join("generated.tf")).expect("generated.tf");
        assert!(
            generated.contains("client_id") && generated.contains("\"made-by-hand\""),
            "{generated}"
        );
        assert!(generated.contains("\"legacy\""), "{generated}");
        wd.apply();
        wd.assert_no_changes("after import block");
        assert!(client_in_sim(&ctl, "made-by-hand").is_some());
    }
}

#[test]
fn plan_time_validation_points_at_the_attribute() {
    for tf in terraforms() {
        let sim = Sim::start();
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_api_client" "bad" {{
  client_id = "has spaces!"
}}
resource "vcf_role_assignment" "no_ids" {{
  principal_id = "p"
  role_name    = "vcf_viewer"
  scope_type   = "VCF_INSTANCE"
}}
resource "vcf_api_token" "t" {{
  api_client_id = "c"
  name          = "t"
  ttl           = 300000
  rotate_before = "soon"
}}
"#
        ));
        let (ok, mut diags) = wd.diagnostics(&["plan", "-json", "-input=false"]);
        assert!(!ok);
        // Checks that need the API (role names, the server's clock) run at plan time, once the
        // configuration is valid.
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_role_assignment" "elsewhere" {{
  principal_id       = "p"
  role_name          = "sddc_admin"
  scope_type         = "VCF_INSTANCE"
  scope_resource_ids = ["not-in-this-realm"]
}}
resource "vcf_role_assignment" "past" {{
  principal_id = "p"
  role_name    = "no_such_role"
  scope_type   = "SSO_REALM"
  expires_at   = "2001-01-01T00:00:00Z"
}}
"#
        ));
        let (ok, more) = wd.diagnostics(&["plan", "-json", "-input=false"]);
        assert!(!ok);
        diags.extend(more);
        let at = |needle: &str, attr: &str| {
            diags.iter().any(|d| {
                d["severity"] == "error"
                    && d["detail"].as_str().unwrap_or("").contains(needle)
                    && d["address"].is_string()
                    && d["range"].is_object()
                    && d.to_string().contains(attr)
            })
        };
        for (needle, attr) in [
            ("has spaces!", "client_id"),
            (
                "VCF_INSTANCE needs scope_resource_ids",
                "scope_resource_ids",
            ),
            ("300000", "ttl"),
            ("soon", "rotate_before"),
            ("already passed", "expires_at"),
            ("no_such_role", "role_name"),
            ("not-in-this-realm", "scope_resource_ids"),
        ] {
            assert!(
                at(needle, attr),
                "Terraform {}: no error on {attr} mentioning {needle}: {diags:#?}",
                tf.version
            );
        }
    }
}
