//! `terraform test` of examples/modules/automation-account against vcf-sim, with every Terraform
//! in TF_ACC_TERRAFORM_PATHS: the module's own `tests/*.tftest.hcl` (input validation, create,
//! rotation on demand and by regenerate, narrowing the roles), and nothing left behind.
//!
//! `terraform test` needs `terraform init` (the tests use a helper module), and `init` does not
//! work with dev_overrides, so the provider is installed with `scripts/install` into a
//! filesystem mirror in the work directory, as a user of the module would install it.

mod common;

use std::path::Path;

use common::{Sim, SyncControl, fleet_workdir, provider_bin, terraforms, text};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("module dir").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy");
        }
    }
}

#[test]
fn module_tests_pass_against_the_simulator() {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/modules/automation-account");
    let test_files = std::fs::read_dir(module.join("tests"))
        .expect("module tests")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tftest.hcl"))
        .count();
    assert!(test_files >= 2, "tftest files missing");
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        copy_dir(&module, wd.path());
        let plugins = wd.path().join("plugins");
        let out =
            std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/install"))
                .env("TF_VCF_PLUGINS_DIR", &plugins)
                .env("TF_VCF_PROVIDER_BIN", provider_bin())
                .output()
                .expect("scripts/install runs");
        assert!(out.status.success(), "scripts/install: {}", text(&out));
        // Replaces the work dir's dev_overrides configuration.
        std::fs::write(
            wd.path().join("terraform.rc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"local/vmware/vcf\"]\n  }}\n}}\n",
                plugins.display()
            ),
        )
        .expect("CLI config");
        wd.ok(&["init", "-input=false", "-no-color"]);
        let out = wd.ok(&["test", "-no-color"]);
        assert!(out.contains("13 passed, 0 failed"), "Terraform {v}: {out}");
        // Every run block of both files passed: none was skipped.
        let passed = out
            .lines()
            .filter(|l| l.trim_start().starts_with("run \"") && l.trim_end().ends_with("... pass"))
            .count();
        assert_eq!(passed, 13, "Terraform {v}: {out}");
        let world = ctl.state();
        let clients = world["fleet"]["clients"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            clients
                .iter()
                .all(|c| !c["client_id"].as_str().unwrap_or("").starts_with("tftest-")),
            "Terraform {v}: terraform test left clients behind: {clients:?}"
        );
        let tokens = world["fleet"]["tokens"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            tokens
                .iter()
                .all(|t| t["api_client_id"].as_str() != Some("tftest-automation")),
            "Terraform {v}: tokens left: {tokens:?}"
        );
    }
}
