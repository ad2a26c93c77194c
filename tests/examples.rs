//! Every example under `examples/` (the snippets in the generated docs and the quickstart) is
//! valid configuration, and every example applies against vcf-sim and plans empty afterwards,
//! with every Terraform in TF_ACC_TERRAFORM_PATHS.

mod common;

use std::path::{Path, PathBuf};

use common::{REQUIRED_PROVIDERS, Sim, Workdir, terraforms, text};

/// Directories holding one example each (`examples/<kind>/<type>/` and `examples/quickstart`).
fn example_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs = vec![root.join("quickstart"), root.join("machine-identity")];
    for kind in ["data-sources", "resources", "ephemeral-resources"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        dirs.extend(found);
    }
    dirs
}

/// Copies the example's .tf files into the work dir, adding the provider requirements and an
/// empty provider block (configured from the environment) where the example has none.
fn stage(example: &Path, wd: &Workdir) {
    let mut has_terraform_block = false;
    let mut has_provider_block = false;
    for entry in std::fs::read_dir(example).expect("example dir").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tf") {
            let text = std::fs::read_to_string(&path).expect("example file");
            has_terraform_block |= text.contains("required_providers");
            has_provider_block |= text.contains("provider \"vcf\"");
            std::fs::write(wd.path().join(path.file_name().expect("file name")), text)
                .expect("copy");
        }
    }
    let mut extra = String::new();
    if !has_terraform_block {
        extra.push_str(REQUIRED_PROVIDERS);
    }
    if !has_provider_block {
        extra.push_str("provider \"vcf\" {}\n");
    }
    std::fs::write(wd.path().join("zz_test_provider.tf"), extra).expect("provider file");
}

/// Examples that need inputs only a real fleet has (an API token from outside, an existing API
/// client); they are validated here, and the same behaviour is applied in
/// tests/acceptance_ephemeral.rs.
const VALIDATE_ONLY: &[&str] = &[
    "examples/ephemeral-resources/vcf_access_token",
    "examples/ephemeral-resources/vcf_temporary_api_token",
];

#[test]
fn examples_validate_apply_and_replan_empty() {
    let dirs = example_dirs();
    assert!(dirs.len() >= 3, "examples missing: {dirs:?}");
    let sim = Sim::start();
    let ops = &sim.ready["operations"];
    for tf in terraforms() {
        for dir in &dirs {
            let name = dir
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(dir)
                .display()
                .to_string();
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
                .env("VCF_SDDC_MANAGER_HOST", &sim.host())
                .env(
                    "VCF_SDDC_MANAGER_USERNAME",
                    sim.ready["sddc_manager"]["username"].as_str().unwrap(),
                )
                .env(
                    "VCF_SDDC_MANAGER_PASSWORD",
                    sim.ready["sddc_manager"]["password"].as_str().unwrap(),
                )
                .env("VCF_DIRECTOR_HOST", &sim.host())
                .env(
                    "VCF_DIRECTOR_ORG",
                    sim.ready["director"]["org"].as_str().unwrap(),
                )
                .env(
                    "VCF_DIRECTOR_USERNAME",
                    sim.ready["director"]["username"].as_str().unwrap(),
                )
                .env(
                    "VCF_DIRECTOR_PASSWORD",
                    sim.ready["director"]["password"].as_str().unwrap(),
                )
                .env("VCF_DEFAULT_SSO_REALM", "flt-idb02")
                .env("VCF_CA_FILE", sim.ca_file());
            stage(dir, &wd);
            let out = wd.run(&["validate", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: validate: {}",
                tf.version,
                text(&out)
            );
            if VALIDATE_ONLY.iter().any(|v| name.ends_with(v)) {
                continue;
            }
            let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: apply: {}",
                tf.version,
                text(&out)
            );
            let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "Terraform {}, {name}: re-plan not empty: {}",
                tf.version,
                text(&out)
            );
            let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: destroy: {}",
                tf.version,
                text(&out)
            );
        }
    }
}
