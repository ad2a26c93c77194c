//! The errors a newcomer meets first, each with real Terraform (every version in
//! TF_ACC_TERRAFORM_PATHS) against vcf-sim: one error diagnostic that says what happened and
//! what to change, pointing at the configuration that has to change where there is one.
//!
//! Covered elsewhere and not repeated here: an unknown realm name in data source
//! `vcf_sso_realm` and a data source without its family's block (tests/acceptance_provider.rs).

mod common;

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, fleet_workdir, terraforms};
use serde_json::{Value, json};

/// Runs `terraform <args> -json` and returns the one error diagnostic it printed.
fn the_error(wd: &Workdir, args: &[&str]) -> Value {
    let (ok, diags) = wd.diagnostics(args);
    let errors: Vec<Value> = diags
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(
        !ok,
        "Terraform {} {args:?} succeeded: {errors:?}",
        wd.tf.version
    );
    assert_eq!(
        errors.len(),
        1,
        "Terraform {} {args:?}: {errors:#?}",
        wd.tf.version
    );
    errors.into_iter().next().unwrap()
}

fn summary(e: &Value) -> &str {
    e["summary"].as_str().unwrap_or_default()
}

/// The detail with every run of whitespace made one space.
fn detail(e: &Value) -> String {
    e["detail"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn snippet(e: &Value) -> &str {
    e["snippet"]["code"].as_str().unwrap_or_default()
}

const PLAN: &[&str] = &["plan", "-json", "-input=false"];
const APPLY: &[&str] = &["apply", "-json", "-auto-approve", "-input=false"];

/// A resource of a family whose block is missing: the error names the block and its variable,
/// on the resource that needs it.
#[test]
fn resource_without_its_family_block() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_sddc_user\" \"svc\" {{\n  name = \"svc-ci\"\n  type = \"SERVICE\"\n  role = \"OPERATOR\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        assert_eq!(summary(&e), "Missing sddc_manager configuration", "{e}");
        let d = detail(&e);
        assert!(
            d.contains("sddc_manager {") || d.contains("sddc_manager block"),
            "{d}"
        );
        assert!(d.contains("VCF_SDDC_MANAGER_HOST"), "{d}");
        assert!(
            snippet(&e).contains("resource \"vcf_sddc_user\" \"svc\""),
            "{e}"
        );
    }
}

/// A host nobody listens on: "Cannot connect", naming the host and the setting to check.
#[test]
fn wrong_host() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim)
            .env("VCF_OPERATIONS_HOST", &format!("127.0.0.1:{port}"))
            .env("VCF_MAX_RETRIES", "0");
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"fleet\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        assert_eq!(summary(&e), "Cannot connect", "{e}");
        let d = detail(&e);
        assert!(d.contains(&format!("127.0.0.1:{port}")), "{d}");
        assert!(d.contains("host"), "{d}");
    }
}

/// The appliance's CA is not trusted (no ca_file): the error says which certificates were
/// trusted and to set ca_file.
#[test]
fn untrusted_certificate() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim).env("VCF_CA_FILE", "");
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"fleet\" {{\n  name = \"flt-idb02\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        let d = detail(&e);
        assert_eq!(summary(&e), "TLS handshake failed", "{e}");
        assert!(d.contains("was not accepted"), "{d}");
        assert!(d.contains("ca_file") && d.contains("VCF_CA_FILE"), "{d}");
        assert!(d.contains("system trust store only"), "{d}");
    }
}

/// A wrong SDDC Manager password: the error says the credentials were refused and which
/// settings to fix, and never contains the password.
#[test]
fn wrong_password() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = Workdir::new(&tf)
            .env("VCF_SDDC_MANAGER_HOST", &sim.host())
            .env("VCF_SDDC_MANAGER_USERNAME", "administrator@vsphere.local")
            .env("VCF_SDDC_MANAGER_PASSWORD", "Not-The-Password-42")
            .env("VCF_CA_FILE", sim.ca_file());
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sddc_roles\" \"all\" {{}}\n"
        ));
        let e = the_error(&wd, PLAN);
        let d = detail(&e);
        assert_eq!(summary(&e), "Credentials rejected", "{e}");
        assert!(
            d.contains("sddc_manager.password") && d.contains("VCF_SDDC_MANAGER_PASSWORD"),
            "{d}"
        );
        assert!(
            d.contains("Invalid username or password"),
            "the server's words: {d}"
        );
        // Only advice about the login: nothing about refreshing access tokens.
        assert!(!d.contains("refreshed"), "{d}");
        assert!(!e.to_string().contains("Not-The-Password-42"), "{e}");
    }
}

/// A token whose API client only has vcf_viewer can plan but not create an API client: the
/// apply fails with the role the operation needs, on the resource.
#[test]
fn role_too_low() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "fields": {"clientId": "viewer-only"}}),
    );
    let principal = created["created"][0]["clientUuid"]
        .as_str()
        .expect("principal")
        .to_string();
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "role_assignments", "id": principal,
               "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
    );
    let token = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token",
               "fields": {"tokenName": "viewer", "apiClientId": "viewer-only"}}),
    );
    let secret = token["created"][0]["apiToken"]
        .as_str()
        .or_else(|| token["created"][0]["token"].as_str())
        .unwrap_or_else(|| panic!("token secret in {token}"))
        .to_string();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim).env("VCF_OPERATIONS_API_TOKEN", &secret);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_api_client\" \"ci\" {{\n  client_id = \"ci-{}\"\n}}\n",
            tf.version.replace('.', "-")
        ));
        let e = the_error(&wd, APPLY);
        assert_eq!(summary(&e), "Permission denied", "{e}");
        let d = detail(&e);
        assert!(d.contains("role is too low"), "{d}");
        assert!(d.contains("vcf_admin") && d.contains("SSO_REALM"), "{d}");
        assert!(
            d.contains("vcf_viewer"),
            "the detail names the role the caller has: {d}"
        );
        assert!(
            snippet(&e).contains("resource \"vcf_api_client\" \"ci\""),
            "{e}"
        );
    }
}

/// An SSO realm name that does not exist, on a resource: the error lists the realms there are,
/// on sso_realm_id.
#[test]
fn unknown_realm_name_on_a_resource() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_api_client\" \"ci\" {{\n  sso_realm_id = \"flt-idb03\"\n  client_id    = \"ci\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        assert_eq!(summary(&e), "SSO realm not found", "{e}");
        let d = detail(&e);
        assert!(d.contains("flt-idb03") && d.contains("flt-idb02"), "{d}");
        assert!(snippet(&e).contains("sso_realm_id = \"flt-idb03\""), "{e}");
    }
}

/// An SSO realm name that does not exist, looked up by the `vcf_sso_realm` data source: the
/// error is on `name` and lists the realms there are, with their ids.
#[test]
fn unknown_realm_name_on_the_realm_data_source() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"r\" {{\n  name = \"flt-idb03\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        assert_eq!(summary(&e), "SSO realm not found", "{e}");
        let d = detail(&e);
        assert!(d.contains("No SSO realm has name \"flt-idb03\""), "{d}");
        assert!(
            d.contains("flt-idb02 ("),
            "the realms are listed with their ids: {d}"
        );
        assert!(snippet(&e).contains("name = \"flt-idb03\""), "{e}");
    }
}

/// A role the realm does not have: the plan fails on role_name, listing the roles and how to
/// create a custom one.
#[test]
fn unknown_role_name() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_role_assignment\" \"x\" {{\n  principal_id = \"0b9e5c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b\"\n  role_name    = \"vcf_superuser\"\n  scope_type   = \"SSO_REALM\"\n}}\n"
        ));
        let e = the_error(&wd, PLAN);
        assert_eq!(summary(&e), "Unknown VCF role", "{e}");
        let d = detail(&e);
        assert!(
            d.contains("vcf_viewer") && d.contains("vcf_custom_role"),
            "{d}"
        );
        assert!(
            snippet(&e).contains("role_name    = \"vcf_superuser\""),
            "{e}"
        );
    }
}

/// A token lifetime outside what the API accepts: `terraform validate` fails on `ttl` with the
/// range and the value given, before anything is sent.
#[test]
fn token_ttl_out_of_range() {
    for tf in terraforms() {
        let wd = Workdir::new(&tf);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_api_token\" \"ci\" {{\n  api_client_id = \"ci\"\n  name          = \"ci\"\n  ttl           = 525600\n}}\n"
        ));
        let e = the_error(&wd, &["validate", "-json"]);
        let d = detail(&e);
        assert!(
            d.contains("between 1 and 259200") && d.contains("525600"),
            "{d}"
        );
        assert!(snippet(&e).contains("ttl           = 525600"), "{e}");
    }
}
