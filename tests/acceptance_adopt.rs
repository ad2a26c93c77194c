//! Acceptance: ways into the provider for objects that exist already.
//!
//! - `moved { from = vcf_user.x  to = vcf_sddc_user.x }`: a state written in the shape of
//!   VMware's provider (`registry.terraform.io/vmware/vcf`, its published `vcf_user` schema,
//!   version 0) moves into `vcf_sddc_user` with no re-creation, keeps the account's API key and
//!   re-plans empty (Terraform 1.8+, so every Terraform of TF_ACC_TERRAFORM_PATHS).
//! - `terraform query` with `list "vcf_custom_role"` and `list "vcf_principal_roles"`, and the
//!   configuration `-generate-config-out` writes, which imports and re-plans empty
//!   (Terraform 1.14+; older ones are skipped and named).
//!
//! Terraform needs the schema of every provider a state names, so the state in VMware's shape
//! needs `registry.terraform.io/vmware/vcf` to be installed, as `terraform init` would install it
//! from the registry. The tests have no registry: a `dev_overrides` entry serves that address
//! with this provider's binary as a stand-in. Terraform only asks it for its schema; a call
//! about `vcf_user` would fail, since the stand-in has no such type.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, Terraform, Workdir, fleet_workdir, provider_bin,
    sddc_admin_workdir, terraforms, text,
};
use serde_json::{Value, json};

/// The minor version of a Terraform 1.x (0 for anything else).
fn minor(tf: &Terraform) -> u32 {
    tf.version
        .strip_prefix("1.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// The Terraform binaries at or above 1.`min`, printing the ones skipped.
fn at_least(min: u32, what: &str) -> Vec<Terraform> {
    terraforms()
        .into_iter()
        .filter(|tf| {
            let ok = minor(tf) >= min;
            if !ok {
                eprintln!(
                    "{what}: skipped with Terraform {} (needs 1.{min}+)",
                    tf.version
                );
            }
            ok
        })
        .collect()
}

const VMWARE: &str = "registry.terraform.io/vmware/vcf";

/// Rewrites the workdir's CLI configuration: `local/vmware/vcf` is the built provider, and with
/// `standin`, VMware's address is served by the same binary (see the module docs).
fn cli_config(wd: &Workdir, standin: bool) {
    let dir = provider_bin()
        .parent()
        .expect("bin dir")
        .display()
        .to_string();
    let mut overrides = format!("    \"local/vmware/vcf\" = \"{dir}\"\n");
    if standin {
        overrides.push_str(&format!("    \"{VMWARE}\" = \"{dir}\"\n"));
    }
    std::fs::write(
        wd.path().join("terraform.rc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n{overrides}  }}\n  direct {{}}\n}}\n"
        ),
    )
    .expect("write CLI config");
}

/// A state file as Terraform writes it for VMware's provider: one `vcf_user` instance with the
/// attributes of its published schema (SDK v2: `id`, the `timeouts` block, and the SDK's
/// private data with the create timeout).
fn vmware_state(resources: &[(&str, &str, i64, Value)]) -> String {
    use base64::Engine as _;
    let private = base64::engine::general_purpose::STANDARD.encode(
        br#"{"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0":{"create":1800000000000},"schema_version":"0"}"#,
    );
    let list: Vec<Value> = resources
        .iter()
        .map(|(ty, name, version, attributes)| {
            json!({
                "mode": "managed",
                "type": ty,
                "name": name,
                "provider": format!("provider[\"{VMWARE}\"]"),
                "instances": [{
                    "schema_version": version,
                    "attributes": attributes,
                    "sensitive_attributes": [],
                    "private": private,
                }],
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 7,
        "lineage": "0d5c4a41-8d0f-4c52-9d6c-0a7c1d2b3e4f",
        "outputs": {},
        "resources": list,
        "check_results": null,
    }))
    .expect("state JSON")
}

/// Logs in to the sim's SDDC Manager with an API key: whether it is accepted.
fn key_logs_in(sim: &Sim, ctl: &SyncControl, key: &str) -> bool {
    let http = sim.http_client();
    ctl.block_on(async {
        http.post(format!("{}/v1/tokens", sim.url()))
            .json(&json!({ "apiKey": key }))
            .send()
            .await
            .expect("POST /v1/tokens")
            .status()
            .is_success()
    })
}

#[test]
fn moved_from_vmware_vcf_user_keeps_the_account_and_its_api_key() {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/moved-from-vmware-vcf/main.tf"),
    )
    .expect("the example of the move");
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        // The account VMware's provider made, as SDDC Manager holds it.
        let user = ctl.post(
            "/objects",
            json!({"op": "create", "kind": "sddc_user",
                   "fields": {"name": "svc-pipeline", "domain": "vsphere.local",
                              "type": "SERVICE", "role": "OPERATOR"}}),
        );
        let id = user["id"].as_str().expect("user id").to_string();
        let key = user["apiKey"].as_str().expect("api key").to_string();
        let wd = sddc_admin_workdir(&tf, &sim);
        wd.write_config(&example);
        std::fs::write(
            wd.path().join("terraform.tfstate"),
            vmware_state(&[(
                "vcf_user",
                "pipeline",
                0,
                json!({
                    "api_key": key,
                    "creation_timestamp": user["creationTimestamp"],
                    "domain": "vsphere.local",
                    "id": id,
                    "name": "svc-pipeline",
                    "role_name": "OPERATOR",
                    "timeouts": null,
                    "type": "SERVICE",
                }),
            )]),
        )
        .unwrap();
        cli_config(&wd, true);
        ctl.reset_stats();

        let (_, plan) = wd.plan_code();
        assert!(
            plan.contains("vcf_user.pipeline has moved to vcf_sddc_user.pipeline")
                && plan.contains("Plan: 0 to add, 0 to change, 0 to destroy."),
            "{v}: the plan is the move alone:\n{plan}"
        );
        let applied = wd.apply();
        assert!(
            applied.contains("Resources: 0 added, 0 changed, 0 destroyed."),
            "{v}:\n{applied}"
        );
        // The state no longer names VMware's provider: plans work without it.
        cli_config(&wd, false);
        wd.assert_no_changes("after the move");
        assert_eq!(
            ctl.count("POST /v1/users", None) + ctl.count("DELETE /v1/users/{id}", None),
            0,
            "{v}: nothing was created or deleted: {}",
            ctl.stats()
        );

        let moved = wd.values("vcf_sddc_user.pipeline");
        assert_eq!(moved["id"], json!(id), "{v}");
        assert_eq!(moved["type"], "SERVICE", "{v}");
        assert_eq!(moved["role"], "OPERATOR", "{v}");
        assert_eq!(moved["domain"], "vsphere.local", "{v}");
        assert_eq!(
            moved["creation_timestamp"], user["creationTimestamp"],
            "{v}"
        );
        assert_eq!(moved["api_key"].as_str(), Some(key.as_str()), "{v}");
        let role_id = moved["role_id"].as_str().unwrap_or_default();
        assert_eq!(
            Some(role_id),
            user["role"]["id"].as_str(),
            "{v}: role_id filled by the refresh after the move"
        );
        assert!(key_logs_in(&sim, &ctl, &key), "{v}: the key still works");
        let show: Value = serde_json::from_str(&wd.ok(&["show", "-json"])).unwrap();
        let resource = &show["values"]["root_module"]["resources"][0];
        if minor(&tf) >= 12 {
            assert_eq!(resource["identity"], json!({ "id": id }), "{v}: {resource}");
        }

        // And it is a vcf_sddc_user like any other: destroy deletes the account.
        wd.ok(&["destroy", "-auto-approve", "-no-color"]);
        let users = &ctl.state()["sddc"]["users"];
        assert!(
            !users
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["id"] == json!(id)),
            "{v}: the account is deleted"
        );
    }
}

#[test]
fn a_move_vcf_sddc_user_cannot_take_is_refused_with_a_diagnostic() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let user = ctl.post(
            "/objects",
            json!({"op": "create", "kind": "sddc_user",
                   "fields": {"name": "svc-other", "type": "SERVICE", "role": "VIEWER"}}),
        );
        let id = user["id"].as_str().unwrap();
        let key = user["apiKey"].as_str().unwrap();
        let attributes = json!({
            "api_key": key, "creation_timestamp": user["creationTimestamp"],
            "domain": "vsphere.local", "id": id, "name": "svc-other",
            "role_name": "VIEWER", "timeouts": null, "type": "SERVICE",
        });
        // Another type of VMware's provider, and vcf_user with a schema version it never had.
        for (ty, version, summary) in [
            ("vcf_network_pool", 0, "Unsupported move source"),
            ("vcf_user", 1, "Unsupported source schema version"),
        ] {
            let wd = sddc_admin_workdir(&tf, &sim);
            wd.write_config(&format!(
                "{REQUIRED_PROVIDERS}provider \"vcf\" {{}}\nmoved {{\n  from = {ty}.x\n  to   = vcf_sddc_user.x\n}}\n\
                 resource \"vcf_sddc_user\" \"x\" {{\n  name = \"svc-other\"\n  type = \"SERVICE\"\n  role = \"VIEWER\"\n}}\n"
            ));
            std::fs::write(
                wd.path().join("terraform.tfstate"),
                vmware_state(&[(ty, "x", version, attributes.clone())]),
            )
            .unwrap();
            cli_config(&wd, true);
            let out = wd.run(&["plan", "-no-color", "-input=false"]);
            let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(!out.status.success(), "{v}, {ty}: {t}");
            assert!(
                t.contains(summary)
                    && t.contains(
                        "vcf_user of registry.terraform.io/vmware/vcf (schema version 0)"
                    ),
                "{v}, {ty}: the diagnostic names what is accepted:\n{t}"
            );
            let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
            assert!(
                state.contains(&format!("\"type\": \"{ty}\"")),
                "{v}: state untouched"
            );
        }
    }
}

/// Makes custom roles `adopt-role-0`, `adopt-role-1` and `other-role`, and 60 API clients
/// `pr-<i>`: those with `i % 4 != 0` hold `adopt-role-<i % 2>` realm-wide, and those with
/// `i % 3 == 0` among them also `vcf_viewer` on the VCF instance; the others hold nothing.
fn roles_and_principals(ctl: &SyncControl, instance: &str) {
    for (name, display, description) in [
        (
            "adopt-role-0",
            Some("Adopted zero"),
            Some("made by a script"),
        ),
        ("adopt-role-1", None, None),
        ("other-role", None, None),
    ] {
        let mut fields = json!({
            "roleName": name,
            "componentRoles": [
                {"componentType": "VCF_OPERATIONS", "roles": ["ReadOnly"]},
                {"componentType": "VCENTER", "roles": ["Admin"]},
            ],
        });
        if let Some(d) = display {
            fields["roleDisplayName"] = json!(d);
        }
        if let Some(d) = description {
            fields["roleDescription"] = json!(d);
        }
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "custom_role", "fields": fields}),
        );
    }
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "count": 60,
               "fields": {"clientId": "pr", "clientName": "Principal"}}),
    );
    for (i, c) in created["created"].as_array().unwrap().iter().enumerate() {
        if i % 4 == 0 {
            continue;
        }
        let mut set = vec![json!({"roleName": format!("adopt-role-{}", i % 2),
                                  "roleScope": {"scopeType": "SSO_REALM"}})];
        if i % 3 == 0 {
            set.push(json!({"roleName": "vcf_viewer",
                            "roleScope": {"scopeType": "VCF_INSTANCE", "resources": [{"id": instance}]}}));
        }
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments",
                   "id": c["clientUuid"], "fields": {"vcfRoleAssignments": set}}),
        );
    }
}

/// The lines of `terraform query` output for `list.<ty>.<name>`.
fn listed<'a>(out: &'a str, ty: &str, name: &str) -> Vec<&'a str> {
    let head = format!("list.{ty}.{name} ");
    out.lines().filter(|l| l.starts_with(&head)).collect()
}

/// API client query requests in the sim's statistics.
fn client_pages(stats: &Value) -> u64 {
    stats["endpoints"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.contains("api-clients/query"))
                .flat_map(|(_, by)| by.as_object().into_iter().flat_map(|o| o.values()))
                .filter_map(Value::as_u64)
                .sum()
        })
        .unwrap_or(0)
}

/// Every custom role (no configuration for it is generated: it would adopt the same roles as
/// `adopt` a second time).
const ALL_ROLES: &str = "list \"vcf_custom_role\" \"all\" {\n  provider = vcf\n}\n";

const QUERY: &str = r#"
list "vcf_custom_role" "adopt" {
  provider         = vcf
  include_resource = true
  config {
    name_prefix = "adopt-"
  }
}

list "vcf_principal_roles" "sets" {
  provider         = vcf
  include_resource = true
  limit            = 500
  config {
    role_name = "adopt-role-1"
  }
}
"#;

#[test]
fn query_lists_custom_roles_and_principal_roles_and_adopts_them() {
    for tf in at_least(
        14,
        "query_lists_custom_roles_and_principal_roles_and_adopts_them",
    ) {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let instance = sim.ready["vcf_instance_id"].as_str().unwrap().to_string();
        roles_and_principals(&ctl, &instance);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!("{REQUIRED_PROVIDERS}provider \"vcf\" {{}}\n"));
        std::fs::write(wd.path().join("adopt.tfquery.hcl"), QUERY).unwrap();
        std::fs::write(wd.path().join("all.tfquery.hcl"), ALL_ROLES).unwrap();

        let out = wd.ok(&["query", "-no-color"]);
        let adopt = listed(&out, "vcf_custom_role", "adopt");
        assert_eq!(adopt.len(), 2, "{v}:\n{out}");
        assert!(
            adopt
                .iter()
                .any(|l| l.contains("name=adopt-role-0")
                    && l.contains("adopt-role-0 (Adopted zero)")),
            "{v}: identity and label:\n{out}"
        );
        let all = listed(&out, "vcf_custom_role", "all");
        assert_eq!(all.len(), 3, "{v}: custom roles only:\n{out}");
        for builtin in ["vcf_admin", "vcf_operator", "vcf_viewer", "sddc_admin"] {
            assert!(
                !all.iter().any(|l| l.contains(&format!("name={builtin} "))),
                "{v}: built-in {builtin} listed:\n{out}"
            );
        }
        // Holders of adopt-role-1: the odd i (none of them a multiple of 4).
        let sets = listed(&out, "vcf_principal_roles", "sets");
        assert_eq!(sets.len(), 30, "{v}:\n{out}");
        assert!(
            sets.iter()
                .any(|l| l.contains("pr-3: adopt-role-1, vcf_viewer (2 assignments)")),
            "{v}: labels name the roles:\n{out}"
        );

        // The limit ends the listing, and the clients are read page by page (50 per page):
        // every principal, limit 5, needs the first page only.
        std::fs::remove_file(wd.path().join("all.tfquery.hcl")).unwrap();
        std::fs::write(
            wd.path().join("adopt.tfquery.hcl"),
            "list \"vcf_principal_roles\" \"few\" {\n  provider = vcf\n  limit    = 5\n}\n\
             list \"vcf_principal_roles\" \"every\" {\n  provider = vcf\n  limit    = 1000\n}\n",
        )
        .unwrap();
        ctl.reset_stats();
        let out = wd.ok(&["query", "-no-color"]);
        assert_eq!(
            listed(&out, "vcf_principal_roles", "few").len(),
            5,
            "{v}:\n{out}"
        );
        // 45 clients with assignments, and the provider's own bootstrap client (vcf_admin).
        let every = listed(&out, "vcf_principal_roles", "every");
        assert_eq!(every.len(), 46, "{v}:\n{out}");
        assert!(
            !every
                .iter()
                .any(|l| l.contains(" pr-0:") || l.contains(" pr-4:")),
            "{v}: principals without assignments are not listed:\n{out}"
        );
        // 61 clients: two pages for the whole list, one for the five.
        assert_eq!(client_pages(&ctl.stats()), 3, "{v}: {}", ctl.stats());

        // Generate, import, re-plan empty.
        std::fs::write(wd.path().join("adopt.tfquery.hcl"), QUERY).unwrap();
        wd.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        let generated = std::fs::read_to_string(wd.path().join("generated.tf")).unwrap();
        assert_eq!(
            generated.matches("\nimport {").count(),
            32,
            "{v}:\n{generated}"
        );
        assert!(
            generated.contains("identity = {"),
            "{v}: imports by identity"
        );
        let (code, plan) = wd.plan_code();
        assert!(
            plan.contains("Plan: 32 to import, 0 to add, 0 to change, 0 to destroy."),
            "{v}: exit {code}:\n{plan}"
        );
        let applied = wd.apply();
        assert!(
            applied.contains("Resources: 32 imported, 0 added, 0 changed, 0 destroyed."),
            "{v}:\n{applied}"
        );
        wd.assert_no_changes("after adopting custom roles and principal roles");
        let show: Value = serde_json::from_str(&wd.ok(&["show", "-json"])).unwrap();
        let resources = show["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(resources.len(), 32, "{v}");
        for r in &resources {
            assert!(r["identity"].is_object(), "{v}: identity in state: {r}");
        }
    }
}
