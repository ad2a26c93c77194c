//! Acceptance: role assignments and custom roles with real Terraform (every version in
//! TF_ACC_TERRAFORM_PATHS) against vcf-sim — 60 non-authoritative assignments on 3 principals
//! applied with `-parallelism=20` (none lost, an out-of-band assignment kept through destroy),
//! authoritative `vcf_principal_roles` next to additive assignments on another principal,
//! the `vcf_custom_role` lifecycle (fleet-wide roles: NSX_MANAGER and VCF_ORCHESTRATOR component
//! roles, import by name, plan-time component role check) with built-in roles refused, role
//! lists longer than a page, and `import {}` blocks with `-generate-config-out` adopting a
//! token, a custom role and a principal's whole set.

mod common;

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, fleet_workdir, realm_ids, terraforms};
use serde_json::{Value, json};

fn assignments(ctl: &SyncControl, realm: &str, principal: &str) -> Vec<Value> {
    ctl.state()["fleet"]["assignments"][format!("{realm}/{principal}")]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Creates `n` (at least 2: the sim suffixes ids only then) API clients out of band and
/// returns their principal ids.
fn principals(ctl: &SyncControl, prefix: &str, n: usize) -> Vec<String> {
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "count": n, "fields": {"clientId": prefix}}),
    );
    let state = ctl.state();
    (0..n)
        .map(|i| {
            let id = format!("{prefix}-{i}");
            state["fleet"]["clients"]
                .as_array()
                .and_then(|l| l.iter().find(|c| c["client_id"] == id.as_str()))
                .and_then(|c| c["client_uuid"].as_str())
                .unwrap_or_else(|| panic!("client {id} in {state}"))
                .to_string()
        })
        .collect()
}

#[test]
fn sixty_concurrent_assignments_lose_nothing_and_keep_out_of_band_ones() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, _) = realm_ids(&sim);
        for i in 0..20 {
            ctl.post(
                "/objects",
                json!({"op": "create", "kind": "custom_role", "fields": {"roleName": format!("r-{i:02}"),
                       "componentRoles": [{"componentType": "VCENTER", "roles": ["Read-only"]}]}}),
            );
        }
        let ps = principals(&ctl, "svc", 3);
        // Made by hand before Terraform: must survive everything below.
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": ps[0],
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

locals {{
  principals = {principals}
  roles      = [for i in range(20) : format("r-%02d", i)]
  pairs      = {{ for p in setproduct(range(3), local.roles) : "${{p[0]}}-${{p[1]}}" => p }}
}}

resource "vcf_role_assignment" "many" {{
  for_each     = local.pairs
  principal_id = local.principals[each.value[0]]
  role_name    = each.value[1]
  scope_type   = "SSO_REALM"
}}
"#,
            principals = serde_json::to_string(&ps).expect("json"),
        ));
        let out = wd.ok(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=20",
        ]);
        assert!(out.contains("Resources: 60 added"), "{v}: {out}");
        for (i, p) in ps.iter().enumerate() {
            let got = assignments(&ctl, &realm, p);
            let expect = if i == 0 { 21 } else { 20 };
            assert_eq!(got.len(), expect, "{v}: principal {i}: {got:?}");
        }
        // Refresh reads each principal once, not once per assignment.
        ctl.reset_stats();
        wd.assert_no_changes("after 60 concurrent creates");
        let reads = ctl.count(
            "GET /suite-api/api/fleet-management/iam/ssorealms/{realm}/principals/{principalId}/roles",
            None,
        );
        assert_eq!(reads, 3, "{v}: {}", ctl.stats());

        let out = wd.ok(&[
            "destroy",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=20",
        ]);
        assert!(out.contains("Resources: 60 destroyed"), "{v}: {out}");
        let kept = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(kept.len(), 1, "{v}: {kept:?}");
        assert_eq!(kept[0]["role_name"], "vcf_viewer", "{v}");
        assert!(assignments(&ctl, &realm, &ps[1]).is_empty(), "{v}");
        assert!(assignments(&ctl, &realm, &ps[2]).is_empty(), "{v}");
    }
}

fn mixed_config(owned: &str, other: &str, instance: &str, with_operator: bool) -> String {
    let operator = if with_operator {
        r#"
    {
      role_name  = "vcf_operator"
      scope_type = "SSO_REALM"
      expires_at = "2099-01-01T00:00:00Z"
    },"#
    } else {
        ""
    };
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_principal_roles" "owned" {{
  principal_id = "{owned}"
  assignments = [{operator}
    {{
      role_name          = "sddc_admin"
      scope_type         = "VCF_INSTANCE"
      scope_resource_ids = ["{instance}"]
    }},
  ]
}}

resource "vcf_role_assignment" "other" {{
  principal_id = "{other}"
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}

data "vcf_principal_roles" "owned" {{
  principal_id = "{owned}"
  depends_on   = [vcf_principal_roles.owned]
}}
"#
    )
}

#[test]
fn authoritative_and_additive_on_different_principals() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, instance) = realm_ids(&sim);
        let ps = principals(&ctl, "mix", 2);
        // Both principals have a hand-made assignment.
        for p in &ps {
            ctl.post(
                "/objects",
                json!({"op": "create", "kind": "role_assignments", "id": p,
                       "fields": {"vcfRoleAssignments": [{"roleName": "vcf_admin", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
            );
        }
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&mixed_config(&ps[0], &ps[1], &instance, false));
        wd.apply();
        wd.assert_no_changes("after create");
        // Authoritative: the owned principal has exactly its list; additive: the other keeps vcf_admin.
        let owned = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(owned.len(), 1, "{v}: {owned:?}");
        assert_eq!(owned[0]["role_name"], "sddc_admin");
        assert_eq!(assignments(&ctl, &realm, &ps[1]).len(), 2, "{v}");

        // Import reproduces the state.
        let before = wd.values("vcf_principal_roles.owned");
        wd.ok(&["state", "rm", "vcf_principal_roles.owned"]);
        wd.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "vcf_principal_roles.owned",
            &format!("{realm}/{}", ps[0]),
        ]);
        assert_eq!(wd.values("vcf_principal_roles.owned"), before, "{v}");
        wd.assert_no_changes("after import");

        // In-place update with an expiring assignment.
        wd.write_config(&mixed_config(&ps[0], &ps[1], &instance, true));
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(plan.contains("will be updated in-place"), "{v}: {plan}");
        wd.apply();
        wd.assert_no_changes("after update");
        let owned = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(owned.len(), 2, "{v}: {owned:?}");
        assert!(
            owned
                .iter()
                .any(|a| a["role_name"] == "vcf_operator" && a["expires_at"].is_i64()),
            "{v}: {owned:?}"
        );

        // Drift: an assignment added by hand to the owned principal is removed again.
        ctl.post(
            "/objects",
            json!({"op": "patch", "kind": "role_assignments", "id": ps[0],
                   "fields": {"vcfRoleAssignments": [
                       {"roleName": "vcf_admin", "roleScope": {"scopeType": "SSO_REALM"}},
                       {"roleName": "sddc_admin", "roleScope": {"scopeType": "VCF_INSTANCE", "resources": [{"id": instance}]}}]}}),
        );
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(plan.contains("vcf_admin"), "{v}: {plan}");
        wd.apply();
        wd.assert_no_changes("after heal");
        assert_eq!(assignments(&ctl, &realm, &ps[0]).len(), 2, "{v}");

        // Destroy: the owned principal has nothing (one deleteRoleAssignments, 204), the other
        // keeps what it had before (a PUT of the rest of its set, 200 with no body).
        ctl.reset_stats();
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        let roles_path =
            "/suite-api/api/fleet-management/iam/ssorealms/{realm}/principals/{principalId}/roles";
        assert_eq!(
            ctl.count(&format!("DELETE {roles_path}"), Some("204")),
            1,
            "{v}: {}",
            ctl.stats()
        );
        assert_eq!(
            ctl.count(&format!("PUT {roles_path}"), Some("200")),
            1,
            "{v}: {}",
            ctl.stats()
        );
        assert!(assignments(&ctl, &realm, &ps[0]).is_empty(), "{v}");
        let other = assignments(&ctl, &realm, &ps[1]);
        assert_eq!(other.len(), 1, "{v}: {other:?}");
        assert_eq!(other[0]["role_name"], "vcf_admin");
    }
}

fn role_config(name: &str, description: &str, more: bool) -> String {
    let extra = if more {
        "\n    { component_type = \"NSX_MANAGER\", roles = [\"Auditor\", \"Network Operator\"] },\n    { component_type = \"VCF_ORCHESTRATOR\", roles = [\"Workflow Designer\"] },"
    } else {
        ""
    };
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_custom_role" "fleet_admin" {{
  name        = "{name}"
  description = "{description}"
  component_roles = [
    {{ component_type = "VCF_OPERATIONS", roles = ["Administrator"] }},{extra}
  ]
}}

data "vcf_roles" "custom" {{
  type       = "CUSTOM"
  depends_on = [vcf_custom_role.fleet_admin]
}}

data "vcf_roles" "all" {{
  depends_on = [vcf_custom_role.fleet_admin]
}}

output "names" {{
  value = data.vcf_roles.all.names
}}

output "custom" {{
  value = data.vcf_roles.custom.names
}}
"#
    )
}

fn sim_role(ctl: &SyncControl, name: &str) -> Option<Value> {
    ctl.state()["fleet"]["custom_roles"]
        .as_array()
        .and_then(|l| l.iter().find(|r| r["name"] == name).cloned())
}

/// The sim's `(componentType, roles)` pairs of a role, sorted.
fn sim_components(r: &Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = r["component_roles"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|c| {
                    let mut roles: Vec<String> = c[1]
                        .as_array()
                        .map(|x| {
                            x.iter()
                                .filter_map(|r| r.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    roles.sort();
                    (c[0].as_str().unwrap_or("").to_string(), roles)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `vcf_custom_role` against the fleet-wide roles API: create with one component, import by
/// name, update in place to NSX_MANAGER and VCF_ORCHESTRATOR component roles, drift corrected,
/// destroy; built-in roles refused; component roles checked at plan time.
#[test]
fn custom_role_lifecycle_and_built_ins_refused() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&role_config("vcf-fleet-admin", "fleet management", false));
        wd.apply();
        wd.assert_no_changes("after create");
        let out = wd.ok(&["output", "-json", "names"]);
        assert!(
            out.contains("vcf-fleet-admin") && out.contains("vcf_viewer"),
            "{v}: {out}"
        );
        let custom = wd.ok(&["output", "-json", "custom"]);
        assert!(
            custom.contains("vcf-fleet-admin") && !custom.contains("vcf_viewer"),
            "{v}: {custom}"
        );
        let r = sim_role(&ctl, "vcf-fleet-admin").expect("role");
        assert_eq!(
            sim_components(&r),
            vec![(
                "VCF_OPERATIONS".to_string(),
                vec!["Administrator".to_string()]
            )],
            "{v}: {r}"
        );

        let before = wd.values("vcf_custom_role.fleet_admin");
        wd.ok(&["state", "rm", "vcf_custom_role.fleet_admin"]);
        wd.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "vcf_custom_role.fleet_admin",
            "vcf-fleet-admin",
        ]);
        assert_eq!(wd.values("vcf_custom_role.fleet_admin"), before, "{v}");
        wd.assert_no_changes("after import by name");

        wd.write_config(&role_config(
            "vcf-fleet-admin",
            "fleet management and audit",
            true,
        ));
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(plan.contains("will be updated in-place"), "{v}: {plan}");
        wd.apply();
        wd.assert_no_changes("after the update");
        let r = sim_role(&ctl, "vcf-fleet-admin").expect("role");
        assert_eq!(r["description"], "fleet management and audit", "{v}");
        assert_eq!(
            sim_components(&r),
            vec![
                (
                    "NSX_MANAGER".to_string(),
                    vec!["Auditor".to_string(), "Network Operator".to_string()]
                ),
                (
                    "VCF_OPERATIONS".to_string(),
                    vec!["Administrator".to_string()]
                ),
                (
                    "VCF_ORCHESTRATOR".to_string(),
                    vec!["Workflow Designer".to_string()]
                ),
            ],
            "{v}: {r}"
        );

        ctl.post(
            "/objects",
            json!({"op": "patch", "kind": "custom_role", "id": "vcf-fleet-admin", "fields": {"description": "by hand"}}),
        );
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(plan.contains("by hand"), "{v}: {plan}");
        wd.apply();
        assert_eq!(
            sim_role(&ctl, "vcf-fleet-admin").expect("role")["description"],
            "fleet management and audit"
        );

        // A component role the component does not offer is refused at plan time, on its entry.
        wd.write_config(
            &role_config("vcf-fleet-admin", "fleet management and audit", true)
                .replace("\"Workflow Designer\"", "\"Workflow Wizard\""),
        );
        let (ok, diags) = wd.diagnostics(&["plan", "-json", "-input=false"]);
        assert!(!ok, "{v}");
        let d = diags
            .iter()
            .find(|d| d["summary"] == "Unknown component role")
            .unwrap_or_else(|| panic!("{v}: {diags:?}"));
        let detail = d["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("Workflow Wizard") && detail.contains("Workflow Designer"),
            "{v}: {d}"
        );
        wd.write_config(&role_config(
            "vcf-fleet-admin",
            "fleet management and audit",
            true,
        ));

        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert!(sim_role(&ctl, "vcf-fleet-admin").is_none(), "{v}");

        // Built-in roles are the product's.
        wd.write_config(&role_config("vcf_viewer", "mine now", false));
        let (ok, diags) = wd.diagnostics(&["apply", "-auto-approve", "-json", "-input=false"]);
        assert!(!ok, "{v}");
        assert!(
            diags
                .iter()
                .any(|d| d["summary"] == "Built-in role cannot be managed"
                    && d.to_string().contains("name")),
            "{v}: {diags:?}"
        );
    }
}

/// Writes queued together for one principal are sent as one set; when the server refuses that
/// set, each edit is retried alone, so one bad assignment fails alone.
#[test]
fn a_refused_assignment_does_not_fail_its_neighbours() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, instance) = realm_ids(&sim);
        let ps = principals(&ctl, "solo", 2);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_role_assignment" "good" {{
  for_each     = toset(["vcf_viewer", "vcf_operator", "vcf_admin"])
  principal_id = "{p}"
  role_name    = each.key
  scope_type   = "SSO_REALM"
}}

resource "vcf_role_assignment" "good_instance" {{
  principal_id       = "{p}"
  role_name          = "sddc_admin"
  scope_type         = "VCF_INSTANCE"
  scope_resource_ids = ["{instance}"]
}}

resource "vcf_role_assignment" "doomed" {{
  principal_id = "{p}"
  role_name    = "short-lived"
  scope_type   = "SSO_REALM"
}}
"#,
            p = ps[0]
        ));
        // The role exists at plan time and is gone when the apply writes: the server refuses
        // that one edit only.
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "custom_role", "fields": {"roleName": "short-lived",
                   "componentRoles": [{"componentType": "VCENTER", "roles": ["Read-only"]}]}}),
        );
        wd.ok(&["plan", "-no-color", "-input=false", "-out=refused.tfplan"]);
        ctl.post(
            "/objects",
            json!({"op": "delete", "kind": "custom_role", "id": "short-lived"}),
        );
        let out = wd.run(&[
            "apply",
            "-no-color",
            "-input=false",
            "-parallelism=10",
            "refused.tfplan",
        ]);
        let t = common::text(&out);
        assert!(!out.status.success(), "{v}: {t}");
        assert!(t.contains("short-lived"), "{v}: {t}");
        let got = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(got.len(), 4, "{v}: {got:?}");
    }
}

fn expiring(principal: &str, expires_at: Option<&str>) -> String {
    let expiry = expires_at
        .map(|e| format!("\n  expires_at   = \"{e}\""))
        .unwrap_or_default();
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_role_assignment" "temp" {{
  principal_id = "{principal}"
  role_name    = "vcf_operator"
  scope_type   = "SSO_REALM"{expiry}
}}
"#
    )
}

/// `expires_at` changes in place (the entry is rewritten, nothing else of the principal), and
/// an assignment made by hand is adopted through an `import` block with generated configuration.
#[test]
fn assignment_expiry_updates_in_place_and_import_block_adopts() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, _) = realm_ids(&sim);
        let ps = principals(&ctl, "exp", 2);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": ps[0],
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&expiring(&ps[0], None));
        wd.apply();
        wd.write_config(&expiring(&ps[0], Some("2099-01-31T23:59:59Z")));
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: {plan}");
        assert!(plan.contains("will be updated in-place"), "{v}: {plan}");
        wd.apply();
        wd.assert_no_changes("after the expiry update");
        let got = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(got.len(), 2, "{v}: {got:?}");
        let op = got
            .iter()
            .find(|a| a["role_name"] == "vcf_operator")
            .expect("operator");
        assert_eq!(op["expires_at"], 4_073_587_199_000_i64, "{v}: {op}");

        // Adopt an assignment of the other principal with an import block.
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": ps[1],
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_admin", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let adopt = common::fleet_workdir(&tf, &sim);
        adopt.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nimport {{\n  to = vcf_role_assignment.admin\n  id = \"{realm}/{}/vcf_admin/SSO_REALM\"\n}}\n",
            ps[1]
        ));
        adopt.ok(&[
            "plan",
            "-no-color",
            "-input=false",
            "-generate-config-out=generated.tf",
        ]);
        let generated =
            std::fs::read_to_string(adopt.path().join("generated.tf")).expect("generated");
        assert!(
            generated.contains("\"vcf_admin\"") && generated.contains(&ps[1]),
            "{v}: {generated}"
        );
        adopt.apply();
        adopt.assert_no_changes("after adopting");
    }
}

/// `import {}` blocks with `plan -generate-config-out` adopt a token, a custom role and a
/// principal's whole set made outside Terraform: the generated configuration applies as an
/// import only and plans empty afterwards.
#[test]
fn import_blocks_generate_configuration_for_tokens_roles_and_principal_sets() {
    for tf in terraforms() {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (realm, _) = realm_ids(&sim);
        let ps = principals(&ctl, "legacy", 2);
        let created = ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_token",
                   "fields": {"apiClientId": "legacy-0", "tokenName": "backup-job",
                              "tokenDescription": "made by a script", "apiTokenTtl": 43200}}),
        );
        let token_id = created["created"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("token id in {created}"))
            .to_string();
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "custom_role",
                   "fields": {"roleName": "backup-operator", "roleDescription": "backups",
                              "componentRoles": [{"componentType": "VCENTER", "roles": ["Read-only"]}]}}),
        );
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": ps[0],
                   "fields": {"vcfRoleAssignments": [
                       {"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}},
                       {"roleName": "backup-operator", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

import {{
  to = vcf_api_token.backup
  id = "{realm}/legacy-0/{token_id}"
}}

import {{
  to = vcf_custom_role.backup
  id = "backup-operator"
}}

import {{
  to = vcf_principal_roles.legacy
  id = "{realm}/{principal}"
}}
"#,
            principal = ps[0]
        ));
        wd.ok(&[
            "plan",
            "-no-color",
            "-input=false",
            "-generate-config-out=generated.tf",
        ]);
        let generated =
            std::fs::read_to_string(wd.path().join("generated.tf")).expect("generated.tf");
        for needle in [
            "\"backup-job\"",
            "\"made by a script\"",
            "\"backup-operator\"",
            "\"Read-only\"",
            "\"vcf_viewer\"",
        ] {
            assert!(
                generated.contains(needle),
                "{}: {needle} in {generated}",
                tf.version
            );
        }
        let out = wd.apply();
        assert!(
            out.contains("3 imported, 0 added, 0 changed, 0 destroyed"),
            "{}: {out}",
            tf.version
        );
        wd.assert_no_changes("after adopting by import blocks");
        let set = assignments(&ctl, &realm, &ps[0]);
        assert_eq!(set.len(), 2, "{set:?}");
    }
}

/// More roles than one page of `getVCFRolesPaginated` (50): the provider pages through them,
/// for the `vcf_roles` data source and for the plan-time check of `role_name`.
#[test]
fn role_lists_longer_than_a_page() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        for i in 0..60 {
            ctl.post(
                "/objects",
                json!({"op": "create", "kind": "custom_role", "fields": {"roleName": format!("page-{i:02}"),
                       "componentRoles": [{"componentType": "VCENTER", "roles": ["Read-only"]}]}}),
            );
        }
        let ps = principals(&ctl, "pager", 2);
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

data "vcf_roles" "all" {{}}

data "vcf_roles" "custom" {{
  type = "CUSTOM"
}}

resource "vcf_role_assignment" "last" {{
  principal_id = "{p}"
  role_name    = "page-59"
  scope_type   = "SSO_REALM"
}}

output "all" {{
  value = length(data.vcf_roles.all.names)
}}

output "custom" {{
  value = length(data.vcf_roles.custom.names)
}}
"#,
            p = ps[0]
        ));
        ctl.reset_stats();
        wd.apply();
        wd.assert_no_changes("after apply");
        assert_eq!(wd.ok(&["output", "-raw", "all"]).trim(), "64", "{v}");
        assert_eq!(wd.ok(&["output", "-raw", "custom"]).trim(), "60", "{v}");
        assert!(
            ctl.count("GET /suite-api/api/fleet-management/iam/roles", Some("200")) >= 2,
            "{v}: {}",
            ctl.stats()
        );
        // A role past the first page is not "unknown"; a role on no page is.
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nprovider \"vcf\" {{}}\n\nresource \"vcf_role_assignment\" \"x\" {{\n  principal_id = \"{}\"\n  role_name    = \"page-60\"\n  scope_type   = \"SSO_REALM\"\n}}\n",
            ps[1]
        ));
        let (ok, diags) = wd.diagnostics(&["plan", "-json", "-input=false"]);
        assert!(!ok, "{v}");
        assert!(
            diags
                .iter()
                .any(|d| d["summary"] == "Unknown VCF role" && d.to_string().contains("page-59")),
            "{v}: {diags:?}"
        );
    }
}
