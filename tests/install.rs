//! `scripts/install` puts the provider into `~/.terraform.d/plugins`, one of the directories
//! Terraform searches by default, so a real `terraform init` installs it without dev_overrides
//! or any CLI configuration, and the installed provider works against vcf-sim. (HOME is a
//! temporary directory here; tests/module_automation_account.rs covers TF_VCF_PLUGINS_DIR with
//! an explicit filesystem_mirror.) Also `terraform-provider-vcf --version` / `-version`.

mod common;

use std::process::Command;

use common::{REQUIRED_PROVIDERS, Sim, provider_bin, terraforms, text};

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn version_flags_print_the_version_and_exit_zero() {
    for flag in ["--version", "-version"] {
        let out = Command::new(provider_bin())
            .arg(flag)
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .output()
            .expect("provider runs");
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("terraform-provider-vcf {VERSION}"),
            "{flag}"
        );
    }
}

#[test]
fn init_installs_the_provider_from_the_mirror() {
    let root = env!("CARGO_MANIFEST_DIR");
    let home = tempfile::tempdir().expect("temp dir");
    let plugins = home.path().join(".terraform.d/plugins");
    let out = Command::new(format!("{root}/scripts/install"))
        .env("HOME", home.path())
        .env_remove("TF_VCF_PLUGINS_DIR")
        .env("TF_VCF_PROVIDER_BIN", provider_bin())
        .output()
        .expect("scripts/install runs");
    assert!(out.status.success(), "scripts/install: {}", text(&out));
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let installed = plugins.join(format!(
        "local/vmware/vcf/{VERSION}/{}_{arch}/terraform-provider-vcf_v{VERSION}",
        std::env::consts::OS
    ));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        installed.display().to_string()
    );
    assert!(installed.is_file(), "{}", installed.display());

    let sim = Sim::start();
    for tf in terraforms() {
        let v = &tf.version;
        let work = tempfile::tempdir().expect("temp dir");
        // An empty CLI configuration: no dev_overrides, no provider_installation block, so
        // Terraform searches its implied mirrors, ~/.terraform.d/plugins among them.
        let cli_config = work.path().join("terraform.rc");
        std::fs::write(&cli_config, "").expect("CLI config");
        let config = REQUIRED_PROVIDERS.replace(
            "source = \"local/vmware/vcf\"",
            &format!("source = \"local/vmware/vcf\", version = \"{VERSION}\""),
        );
        std::fs::write(
            work.path().join("main.tf"),
            format!(
                "{config}\nprovider \"vcf\" {{}}\ndata \"vcf_sso_realm\" \"fleet\" {{\n  name = \"flt-idb02\"\n}}\noutput \"realm\" {{\n  value = data.vcf_sso_realm.fleet.id\n}}\n"
            ),
        )
        .expect("main.tf");
        let run = |args: &[&str]| {
            Command::new(&tf.path)
                .args(args)
                .current_dir(work.path())
                .env("TF_CLI_CONFIG_FILE", &cli_config)
                .env("HOME", home.path())
                .env("TF_DATA_DIR", work.path().join(".terraform"))
                .env("CHECKPOINT_DISABLE", "1")
                .env("TF_IN_AUTOMATION", "1")
                .env("VCF_OPERATIONS_HOST", sim.host())
                .env(
                    "VCF_OPERATIONS_API_TOKEN",
                    sim.ready["operations"]["api_token"].as_str().unwrap(),
                )
                .env(
                    "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
                    sim.ready["operations"]["token_endpoint_url"]
                        .as_str()
                        .unwrap(),
                )
                .env("VCF_CA_FILE", sim.ca_file())
                .output()
                .expect("terraform runs")
        };
        let out = run(&["init", "-input=false", "-no-color"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: init: {t}");
        assert!(
            t.contains(&format!("Installing local/vmware/vcf v{VERSION}")),
            "Terraform {v}: {t}"
        );
        let lock = std::fs::read_to_string(work.path().join(".terraform.lock.hcl"))
            .expect("dependency lock file");
        assert!(
            lock.contains("provider \"local/vmware/vcf\"")
                && lock.contains(&format!("\"{VERSION}\""))
                && lock.contains("h1:"),
            "{lock}"
        );
        let out = run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert!(out.status.success(), "Terraform {v}: apply: {}", text(&out));
        let out = run(&["output", "-raw", "realm"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            sim.ready["sso_realm_id"].as_str().unwrap(),
            "Terraform {v}"
        );
    }
}
