//! Every example under `examples/` (the snippets in the generated docs and the quickstart) is
//! valid configuration, and every example applies against vcf-sim, plans empty afterwards and
//! destroys, with every Terraform in TF_ACC_TERRAFORM_PATHS.
//!
//! The examples are written for a real fleet: the host names and the token endpoint in them are
//! replaced by the simulator's when they are staged, and the objects that data-source examples
//! look up (API client `ci-deployer` with a role and a token, a Director API token) are created
//! in the simulator first.
//!
//! Action examples (`examples/actions/`) need Terraform 1.14 or later: with such a Terraform each
//! action they declare is invoked (`terraform apply -invoke=…`) against `legacy-…` tokens made
//! for them; older Terraform binaries skip them, saying so.

mod common;

use std::path::{Path, PathBuf};

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, terraforms, text};
use serde_json::json;

/// Directories holding one example each (`examples/<kind>/<type>/`, `examples/rotation/<strategy>/`
/// and `examples/quickstart`).
fn example_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs = vec![root.join("quickstart"), root.join("machine-identity")];
    // `rotation/<strategy>/`: one example per rotation strategy (the token-rotation guide).
    for kind in [
        "data-sources",
        "resources",
        "ephemeral-resources",
        "rotation",
        "actions",
    ] {
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
fn stage(example: &Path, wd: &Workdir, sim: &Sim) {
    let endpoint = sim.ready["operations"]["token_endpoint_url"]
        .as_str()
        .expect("token endpoint");
    let host = sim.host();
    let fleet_names: [(&str, &str); 5] = [
        (
            "https://flt-idb02.rainpole.io/acs/t/CUSTOMER/token",
            endpoint,
        ),
        ("flt-ops01.rainpole.io", &host),
        ("sfo-vcf01.rainpole.io", &host),
        ("vcd.rainpole.io", &host),
        ("/etc/ssl/certs/vcf-ca.pem", sim.ca_file()),
    ];
    let mut has_terraform_block = false;
    let mut has_provider_block = false;
    for entry in std::fs::read_dir(example).expect("example dir").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tf") {
            let mut text = std::fs::read_to_string(&path).expect("example file");
            for (real, simulated) in fleet_names {
                text = text.replace(real, simulated);
            }
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

/// What the examples expect to exist already: API client `ci-deployer` with `vcf_viewer` on the
/// realm and one token, and a Director API token (returned, for `var.vcd_api_token`).
fn fixtures(sim: &Sim) -> String {
    let ctl = SyncControl::new(sim);
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client",
               "fields": {"clientId": "ci-deployer", "clientName": "CI deployer"}}),
    );
    let principal = created["created"][0]["clientUuid"]
        .as_str()
        .unwrap_or_else(|| panic!("client principal in {created}"))
        .to_string();
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "role_assignments", "id": principal,
               "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
    );
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token",
               "fields": {"tokenName": "ci-deployer-2026", "tokenType": "API_CLIENT", "apiClientId": "ci-deployer"}}),
    );
    // What the action examples revoke.
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token", "count": 2,
               "fields": {"tokenName": "legacy-ci", "tokenType": "API_CLIENT", "apiClientId": "ci-deployer"}}),
    );
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "director_token",
               "fields": {"name": "legacy-ci", "org": "rainpole", "user": "tenant-admin"}}),
    );
    let vcd = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "director_token",
               "fields": {"name": "ci-run", "org": "rainpole", "user": "tenant-admin"}}),
    );
    vcd["refresh_token"]
        .as_str()
        .or_else(|| vcd["created"][0]["refresh_token"].as_str())
        .unwrap_or_else(|| panic!("director token in {vcd}"))
        .to_string()
}

/// Whether a Terraform version ("1.15.5") has actions (1.14+).
fn has_actions(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (1, 14)
}

/// The addresses (`action.TYPE.NAME`) of the actions an example declares.
fn declared_actions(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("example dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines().filter(|l| l.starts_with("action \"")) {
            let words: Vec<&str> = line.split('"').collect();
            if words.len() >= 4 {
                found.push(format!("action.{}.{}", words[1], words[3]));
            }
        }
    }
    found.sort();
    found
}

/// Every `terraform import ADDRESS` line of an `import.sh` names a resource its `resource.tf`
/// declares.
fn check_import_script(dir: &Path) {
    let Ok(script) = std::fs::read_to_string(dir.join("import.sh")) else {
        return;
    };
    let config = std::fs::read_to_string(dir.join("resource.tf")).expect("resource.tf");
    let mut commands = 0;
    for line in script
        .lines()
        .filter(|l| l.starts_with("terraform import "))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{}: {line}", dir.display());
        let (ty, name) = words[2].split_once('.').expect("address TYPE.NAME");
        assert!(
            config.contains(&format!("resource \"{ty}\" \"{name}\"")),
            "{}: import.sh imports {} which resource.tf does not declare",
            dir.display(),
            words[2]
        );
        commands += 1;
    }
    assert!(
        commands > 0,
        "{}: import.sh has no terraform import",
        dir.display()
    );
}

#[test]
fn examples_validate_apply_and_replan_empty() {
    let dirs = example_dirs();
    assert!(dirs.len() >= 3, "examples missing: {dirs:?}");
    for dir in &dirs {
        check_import_script(dir);
    }
    // Examples are formatted as `terraform fmt` writes them (the module and its tests too).
    if let Some(tf) = terraforms().first() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let out = std::process::Command::new(&tf.path)
            .args(["fmt", "-check", "-diff", "-recursive", "-no-color"])
            .arg(&examples)
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .expect("terraform fmt runs");
        assert!(
            out.status.success(),
            "examples need `terraform fmt -recursive examples`: {}",
            text(&out)
        );
    }
    let sim = Sim::start();
    let vcd_token = fixtures(&sim);
    let ops = &sim.ready["operations"];
    for tf in terraforms() {
        for dir in &dirs {
            let name = dir
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(dir)
                .display()
                .to_string();
            let actions = declared_actions(dir);
            if !actions.is_empty() && !has_actions(&tf.version) {
                eprintln!(
                    "examples: skipping {name} with Terraform {}: actions need Terraform 1.14 or later",
                    tf.version
                );
                continue;
            }
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
                .env("VCF_CA_FILE", sim.ca_file())
                .env("TF_VAR_ops_api_token", ops["api_token"].as_str().unwrap())
                .env("TF_VAR_vcd_api_token", &vcd_token);
            stage(dir, &wd, &sim);
            let out = wd.run(&["validate", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: validate: {}",
                tf.version,
                text(&out)
            );
            let out = wd.run(&["apply", "-auto-approve", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: apply: {}",
                tf.version,
                text(&out)
            );
            // Each action of the example, invoked as its comment says.
            for action in &actions {
                let out = wd.run(&[
                    "apply",
                    "-auto-approve",
                    "-no-color",
                    &format!("-invoke={action}"),
                ]);
                let t = text(&out);
                assert!(
                    out.status.success() && t.contains(&format!("Action complete: {action}")),
                    "Terraform {}, {name}: {action}: {t}",
                    tf.version
                );
            }
            let out = wd.run(&["plan", "-detailed-exitcode", "-no-color"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "Terraform {}, {name}: re-plan not empty: {}",
                tf.version,
                text(&out)
            );
            // Examples of data sources and ephemeral resources leave nothing to destroy.
            let state =
                std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap_or_default();
            if !state.contains("\"mode\": \"managed\"") {
                continue;
            }
            let out = wd.run(&["destroy", "-auto-approve", "-no-color"]);
            assert!(
                out.status.success(),
                "Terraform {}, {name}: destroy: {}",
                tf.version,
                text(&out)
            );
        }
    }
    // The action examples revoked what they name, and only that.
    if terraforms().iter().any(|tf| has_actions(&tf.version)) {
        let state = SyncControl::new(&sim).state();
        let names = |list: &serde_json::Value, key: &str| -> Vec<String> {
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t[key].as_str().map(str::to_string))
                .collect()
        };
        let fleet = names(&state["fleet"]["tokens"], "token_name");
        let director = names(&state["director"]["tokens"], "name");
        assert!(
            !fleet
                .iter()
                .chain(&director)
                .any(|n| n.starts_with("legacy-")),
            "legacy tokens left: {fleet:?} {director:?}"
        );
        assert!(fleet.iter().any(|n| n == "ci-deployer-2026"), "{fleet:?}");
        assert!(director.iter().any(|n| n == "ci-run"), "{director:?}");
    }
}
