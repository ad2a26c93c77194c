//! Acceptance tests of the provider itself with the real `terraform` binary (every version in
//! TF_ACC_TERRAFORM_PATHS): the schema Terraform sees, validation of valid and invalid provider
//! configurations (one diagnostic on the right attribute each), and reading data sources from
//! vcf-sim through the whole stack (AutoMTLS plugin protocol, client, authentication).

mod common;

use common::{REQUIRED_PROVIDERS, Sim, Workdir, terraforms, text};

/// A configuration whose provider block is `provider_body`, with one data source so that
/// Terraform validates the provider (an unused provider is pruned before validation).
fn config_with(provider_body: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{\n{provider_body}\n}}\n\ndata \"vcf_sso_realms\" \"all\" {{}}\n"
    )
}

#[test]
fn schema_shows_every_setting_with_its_description() {
    for tf in terraforms() {
        let wd = Workdir::new(&tf);
        wd.write_config(&config_with(""));
        let out = wd.run(&["providers", "schema", "-json"]);
        assert!(
            out.status.success(),
            "Terraform {}: {}",
            tf.version,
            text(&out)
        );
        let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema JSON");
        let p = &schema["provider_schemas"]["local/vmware/vcf"];
        let block = &p["provider"]["block"];
        assert!(
            block["description"]
                .as_str()
                .unwrap()
                .contains("identity and access layer")
        );
        for attr in [
            "ca_pem",
            "ca_file",
            "insecure",
            "request_timeout",
            "max_retries",
            "parallel_requests",
            "default_sso_realm",
        ] {
            let a = &block["attributes"][attr];
            assert_eq!(a["optional"], true, "{attr}");
            assert!(
                a["description"].as_str().is_some_and(|d| d.len() > 20),
                "{attr} lacks a description"
            );
            assert_eq!(a["description_kind"], "markdown");
        }
        let ops = &block["block_types"]["operations"];
        assert_eq!(ops["nesting_mode"], "single");
        assert_eq!(ops["block"]["attributes"]["api_token"]["sensitive"], true);
        assert_eq!(ops["block"]["attributes"]["password"]["sensitive"], true);
        assert_eq!(
            block["block_types"]["sddc_manager"]["block"]["attributes"]["password"]["sensitive"],
            true
        );
        assert_eq!(
            block["block_types"]["director"]["block"]["attributes"]["api_token"]["sensitive"],
            true
        );
        for ds in ["vcf_sso_realm", "vcf_sso_realms"] {
            assert!(
                p["data_source_schemas"][ds]["block"]["description"].is_string(),
                "{ds}"
            );
        }
    }
}

#[test]
fn valid_configuration_passes_validate() {
    for tf in terraforms() {
        let wd = Workdir::new(&tf);
        wd.write_config(&config_with(
            r#"
  request_timeout   = "90s"
  max_retries       = 3
  parallel_requests = 4
  operations {
    host               = "flt-ops01.rainpole.io"
    api_token          = var.token
    token_endpoint_url = "https://flt-idb02.rainpole.io/acs/t/CUSTOMER/token"
  }
  sddc_manager {
    host     = "sfo-vcf01.rainpole.io:443"
    username = "administrator@vsphere.local"
    password = "secret"
  }
  director {
    host     = "vcd.rainpole.io"
    org      = "rainpole"
    username = "admin"
    password = "secret"
  }
}
variable "token" {
  type      = string
  sensitive = true
  default   = "vidb_example"
"#,
        ));
        let (ok, diags) = wd.diagnostics(&["validate", "-json"]);
        let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
        assert!(
            ok && errors.is_empty(),
            "Terraform {}: {errors:?}",
            tf.version
        );
    }
}

/// Each invalid provider configuration gives exactly one error, on the attribute at fault.
#[test]
fn invalid_configurations_name_the_attribute() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "api token and username together",
            "operations {\n host = \"ops\"\n api_token = \"t\"\n token_endpoint_url = \"https://idb/t\"\n username = \"u\"\n password = \"p\"\n}",
            "api_token = \"t\"",
            "cannot be set together with `username`",
        ),
        (
            "host with a scheme",
            "operations {\n host = \"https://ops.example.com\"\n username = \"u\"\n password = \"p\"\n}",
            "host = \"https://ops.example.com\"",
            "without a scheme",
        ),
        (
            "host with a path",
            "sddc_manager {\n host = \"sddc.example.com/ui\"\n username = \"u\"\n password = \"p\"\n}",
            "host = \"sddc.example.com/ui\"",
            "without a path",
        ),
        (
            "username without password",
            "sddc_manager {\n host = \"sddc\"\n username = \"admin\"\n}",
            "username = \"admin\"",
            "`password` must be set",
        ),
        (
            "both CA settings",
            "ca_pem = \"-----BEGIN CERTIFICATE-----\"\nca_file = \"/etc/ca.pem\"",
            "ca_pem = ",
            "`ca_file`",
        ),
        (
            "bad duration",
            "request_timeout = \"soon\"",
            "request_timeout = \"soon\"",
            "duration",
        ),
        (
            "parallelism out of range",
            "parallel_requests = 0",
            "parallel_requests = 0",
            "between 1 and 64",
        ),
        (
            "retries out of range",
            "max_retries = 100",
            "max_retries = 100",
            "between 0 and 20",
        ),
        (
            "token endpoint over http",
            "operations {\n host = \"ops\"\n username = \"u\"\n password = \"p\"\n token_endpoint_url = \"http://idb/t\"\n}",
            "token_endpoint_url = \"http://idb/t\"",
            "https://",
        ),
        (
            "api token without endpoint",
            "operations {\n host = \"ops\"\n api_token = \"t\"\n}",
            "operations {",
            "token_endpoint_url",
        ),
        (
            "director token and username",
            "director {\n host = \"vcd\"\n api_token = \"t\"\n username = \"u\"\n password = \"p\"\n}",
            "api_token = \"t\"",
            "cannot be set together",
        ),
    ];
    for tf in terraforms() {
        for (name, body, snippet, message) in cases {
            let wd = Workdir::new(&tf).env("VCF_OPERATIONS_TOKEN_ENDPOINT_URL", "");
            wd.write_config(&config_with(body));
            let (ok, diags) = wd.diagnostics(&["validate", "-json"]);
            let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
            assert!(!ok, "Terraform {} accepted {name}", tf.version);
            assert_eq!(
                errors.len(),
                1,
                "Terraform {}, {name}: {errors:#?}",
                tf.version
            );
            let e = errors[0];
            let detail = format!("{} {}", e["summary"], e["detail"]);
            assert!(detail.contains(message), "{name}: {detail}");
            let code = e["snippet"]["code"].as_str().unwrap_or_default();
            assert!(
                code.contains(snippet),
                "{name}: diagnostic points at {code:?}, expected {snippet:?}"
            );
        }
    }
}

/// Reads realms from vcf-sim with an API token from the environment: the plugin protocol,
/// AutoMTLS, configuration merging, the fleet token exchange and the data sources together.
#[test]
fn data_sources_read_realms_from_the_simulator() {
    let sim = Sim::start();
    let ops = &sim.ready["operations"];
    for tf in terraforms() {
        let wd = Workdir::new(&tf)
            .env("VCF_OPERATIONS_HOST", &sim.host())
            .env(
                "VCF_OPERATIONS_API_TOKEN",
                ops["api_token"].as_str().unwrap(),
            )
            .env(
                "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
                ops["token_endpoint_url"].as_str().unwrap(),
            )
            .env("VCF_CA_FILE", sim.ca_file());
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
data "vcf_sso_realm" "fleet" {{
  name = "flt-idb02"
}}
data "vcf_sso_realms" "all" {{}}
output "realm_id" {{ value = data.vcf_sso_realm.fleet.id }}
output "instance" {{ value = data.vcf_sso_realm.fleet.vcf_instance_id }}
output "covers" {{ value = [for c in data.vcf_sso_realm.fleet.coverage : c.name] }}
output "names" {{ value = [for r in data.vcf_sso_realms.all.realms : r.name] }}
"#
        ));
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            out.status.success(),
            "Terraform {}: {}",
            tf.version,
            text(&out)
        );
        let out = wd.run(&["output", "-json"]);
        let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(o["realm_id"]["value"], sim.ready["sso_realm_id"]);
        assert_eq!(o["instance"]["value"], sim.ready["vcf_instance_id"]);
        assert!(
            o["covers"]["value"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "sfo-vcf02")
        );
        assert_eq!(o["names"]["value"], serde_json::json!(["flt-idb02"]));

        // A realm that does not exist is an error on `name`.
        wd.write_config(&format!("{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\ndata \"vcf_sso_realm\" \"x\" {{\n  name = \"nope\"\n}}\n"));
        let (ok, diags) = wd.diagnostics(&["plan", "-json"]);
        assert!(!ok);
        let e = diags
            .iter()
            .find(|d| d["severity"] == "error")
            .expect("an error");
        assert!(e["detail"].as_str().unwrap().contains("flt-idb02"), "{e}");
        assert!(
            e["snippet"]["code"]
                .as_str()
                .unwrap_or_default()
                .contains("name = \"nope\""),
            "{e}"
        );
    }
}

/// Without an operations block or its variables, a fleet data source says which block to add.
#[test]
fn missing_block_is_reported_by_the_data_source() {
    for tf in terraforms() {
        let wd = Workdir::new(&tf);
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\ndata \"vcf_sso_realms\" \"all\" {{}}\n"
        ));
        let out = wd.run(&["plan", "-no-color"]);
        assert!(!out.status.success());
        let t = text(&out);
        assert!(
            t.contains("Missing operations configuration") && t.contains("VCF_OPERATIONS_HOST"),
            "{t}"
        );
    }
}
