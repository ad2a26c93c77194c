//! Another writer on the same principal (issue 16, finding 3), and list answers without their
//! list (the `ssoRealms` and `vcfRoles` wrappers), through the real terraform binary.
//!
//! The other writer is vcf-sim's `other_writer` fault: right after the provider's read of a
//! principal's role assignments is answered, the sim changes that set, so the change lands
//! between the provider's read and its write — deterministically, without timing.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, flatten_whitespace, fleet_workdir, terraforms,
    text,
};
use serde_json::{Value, json};

const PUT_ROLES: &str =
    "PUT /suite-api/api/fleet-management/iam/ssorealms/{realm}/principals/{principalId}/roles";

fn client_config(v: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "c" {{
  client_id = "cw-{v}"
}}
"#
    )
}

/// The client plus one `vcf_role_assignment` of `vcf_viewer` on it: the apply under test.
fn with_assignment(v: &str) -> String {
    format!(
        r#"{}
resource "vcf_role_assignment" "mine" {{
  principal_id = vcf_api_client.c.principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}
"#,
        client_config(v)
    )
}

/// The roles the sim holds for `principal` in the default realm, sorted.
fn roles_of(ctl: &SyncControl, sim: &Sim, principal: &str) -> Vec<String> {
    let realm = sim.ready["sso_realm_id"].as_str().expect("realm");
    let mut out: Vec<String> = ctl.state()["fleet"]["assignments"][format!("{realm}/{principal}")]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|a| a["role_name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Applies the client alone and returns its principal id.
fn client(wd: &Workdir, v: &str) -> String {
    wd.write_config(&client_config(v));
    wd.apply();
    wd.values("vcf_api_client.c")["principal_id"]
        .as_str()
        .expect("principal_id")
        .to_string()
}

/// The other writer on `principal`'s assignments, after the provider's next read (`times`
/// absent: after every read).
fn other_writer(ctl: &SyncControl, principal: &str, role: &str, change: &str, times: Option<u64>) {
    let mut rule = json!({
        "path": format!("*/principals/{principal}/roles"),
        "kind": "other_writer",
        "role": role,
        "change": change,
    });
    if let Some(n) = times {
        rule["times"] = json!(n);
    }
    ctl.fault(rule);
}

/// Applies the client's own `vcf_viewer` assignment while the other writer makes one `change`
/// (`revoke`, `assign`) of `vcf_operator` on `principal`, and asserts that the writer acted.
fn apply_beside_one_other_change(
    ctl: &SyncControl,
    wd: &Workdir,
    v: &str,
    principal: &str,
    change: &str,
) {
    other_writer(ctl, principal, "vcf_operator", change, Some(1));
    wd.write_config(&with_assignment(v));
    wd.apply();
    assert_eq!(rules_left(ctl), 0, "the other writer did not act");
}

/// The other writer's rules still waiting to fire.
fn rules_left(ctl: &SyncControl) -> usize {
    ctl.get("/faults")["rules"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

#[test]
fn another_writers_revocation_survives_our_apply() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let v = tf.version.replace('.', "-");
        let wd = fleet_workdir(&tf, &sim);
        let principal = client(&wd, &v);
        // Somebody else gave the client vcf_operator earlier, and revokes it while our apply
        // is between its read and its write.
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": principal,
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_operator",
                       "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        apply_beside_one_other_change(&ctl, &wd, &v, &principal, "revoke");
        assert_eq!(
            roles_of(&ctl, &sim, &principal),
            ["vcf_viewer"],
            "Terraform {}: the revocation of vcf_operator was undone",
            tf.version
        );
        wd.assert_no_changes("after the apply next to another writer");
        wd.destroy();
        ctl.delete("/faults");
    }
}

#[test]
fn another_writers_addition_survives_our_apply() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let v = tf.version.replace('.', "-");
        let wd = fleet_workdir(&tf, &sim);
        let principal = client(&wd, &v);
        apply_beside_one_other_change(&ctl, &wd, &v, &principal, "assign");
        assert_eq!(
            roles_of(&ctl, &sim, &principal),
            ["vcf_operator", "vcf_viewer"],
            "Terraform {}: the other writer's vcf_operator was lost",
            tf.version
        );
        wd.assert_no_changes("after the apply next to another writer");
        // Our destroy removes our assignment only.
        wd.write_config(&client_config(&v));
        wd.apply();
        assert_eq!(roles_of(&ctl, &sim, &principal), ["vcf_operator"]);
        wd.destroy();
        ctl.delete("/faults");
    }
}

#[test]
fn a_set_that_keeps_changing_fails_clearly_and_leaves_the_state_sound() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let v = tf.version.replace('.', "-");
        let wd = fleet_workdir(&tf, &sim);
        let principal = client(&wd, &v);
        // After every read, vcf_operator appears or disappears.
        other_writer(&ctl, &principal, "vcf_operator", "toggle", None);
        ctl.reset_stats();
        wd.write_config(&with_assignment(&v));
        let out = wd.try_apply();
        let t = flatten_whitespace(&text(&out));
        assert!(
            !out.status.success(),
            "Terraform {}: the apply passed: {t}",
            tf.version
        );
        for want in [
            "Role assignments changed by another writer",
            &format!("principal {principal}"),
            "another writer added vcf_operator at SSO_REALM",
            "gave up after 5 attempts",
            "from one Terraform state only",
        ] {
            assert!(
                t.contains(want),
                "Terraform {}: no {want:?} in: {t}",
                tf.version
            );
        }
        assert!(!t.to_lowercase().contains("panic"), "{t}");
        assert_eq!(
            ctl.count(PUT_ROLES, None),
            0,
            "the provider wrote over a set that kept changing"
        );
        let list = text(&wd.run(&["state", "list"]));
        assert!(list.contains("vcf_api_client.c"), "{list}");
        assert!(!list.contains("vcf_role_assignment.mine"), "{list}");
        // Once the other writer stops, the same configuration applies and stays put.
        ctl.delete("/faults");
        wd.apply();
        let roles = roles_of(&ctl, &sim, &principal);
        assert!(roles.contains(&"vcf_viewer".to_string()), "{roles:?}");
        wd.assert_no_changes("after the other writer stopped");
        wd.destroy();
    }
}

/// `{}` as a list answer of the role list and the realm list: a decode error naming the
/// request, never "no roles" / "no realms"; the custom role stays in state.
#[test]
fn a_list_answer_without_its_list_fails_the_plan_and_keeps_the_custom_role() {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for tf in terraforms() {
        let v = tf.version.replace('.', "-");
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_custom_role" "r" {{
  name = "cw-role-{v}"
  component_roles = [
    {{ component_type = "VCF_OPERATIONS", roles = ["Administrator"] }},
  ]
}}

data "vcf_roles" "custom" {{
  type       = "CUSTOM"
  depends_on = [vcf_custom_role.r]
}}

data "vcf_sso_realms" "all" {{}}

output "custom_roles" {{
  value = data.vcf_roles.custom.names
}}

output "realms" {{
  value = length(data.vcf_sso_realms.all.realms)
}}
"#
        ));
        wd.apply();
        wd.assert_no_changes("after the first apply");
        for (path, field) in [
            ("/suite-api/api/fleet-management/iam/roles", "vcfRoles"),
            ("/suite-api/api/fleet-management/iam/ssorealms", "ssoRealms"),
        ] {
            ctl.fault(json!({"path": path, "method": "GET", "kind": "answer", "body": "{}"}));
            let (code, t) = wd.plan_code();
            ctl.delete("/faults");
            assert_eq!(
                code, 1,
                "Terraform {}: `{{}}` from GET {path} must fail the plan: {t}",
                tf.version
            );
            assert!(t.contains(field), "{field} not named: {t}");
            assert!(t.contains(&format!("GET https://{}", sim.host())), "{t}");
            assert!(t.contains(path), "the request is not named: {t}");
            let list = text(&wd.run(&["state", "list"]));
            assert!(list.contains("vcf_custom_role.r"), "{list}");
            let kept: Value = wd.values("vcf_custom_role.r");
            assert_eq!(kept["name"], format!("cw-role-{v}"));
        }
        wd.assert_no_changes("after the broken answers");
        wd.destroy();
    }
}
