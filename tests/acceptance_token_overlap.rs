//! Acceptance: overlap rotation (`previous_token_grace`), `revoke_on_destroy` and the rotation
//! signal (`ready_for_rotation`, `rotation_due_at`) of `vcf_api_token` and
//! `vcf_director_api_token`, with real Terraform (every version in TF_ACC_TERRAFORM_PATHS)
//! against vcf-sim; time moves with the sim's clock (`POST /_sim/clock/advance`), never by
//! sleeping. Every claim about a token is checked in the sim: the token authenticates (fleet:
//! the identity broker's token endpoint; Director: the OAuth refresh grant) or it does not, and
//! the sim holds exactly the tokens it should.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, director_workdir, flatten_whitespace,
    fleet_sim_and_workdir, fleet_token_works, fleet_workdir, realm_ids, terraforms,
    viewer_api_client_hcl,
};
use serde_json::{Value, json};

const HOUR: u64 = 3600;

struct Fleet<'a> {
    trigger: &'a str,
    grace: Option<&'a str>,
    rotate_before: Option<&'a str>,
    revoke_on_destroy: Option<bool>,
    ttl: i64,
}

impl Default for Fleet<'_> {
    fn default() -> Self {
        Fleet {
            trigger: "1",
            grace: Some("72h"),
            rotate_before: None,
            revoke_on_destroy: None,
            ttl: 40320,
        }
    }
}

fn fleet_config(o: &Fleet<'_>) -> String {
    let opt =
        |name: &str, v: Option<String>| v.map(|v| format!("\n  {name} = {v}")).unwrap_or_default();
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
{client}
resource "vcf_api_token" "t" {{
  api_client_id     = vcf_api_client.ci.client_id
  name              = "ci-overlap"
  ttl               = {ttl}
  rotation_triggers = {{ version = "{trigger}" }}{grace}{before}{keep}
  depends_on        = [vcf_role_assignment.viewer]
}}

output "ready" {{
  value = vcf_api_token.t.ready_for_rotation
}}

output "due" {{
  value = vcf_api_token.t.rotation_due_at
}}
"#,
        client = viewer_api_client_hcl("ci", "ci-overlap", "viewer"),
        ttl = o.ttl,
        trigger = o.trigger,
        grace = opt("previous_token_grace", o.grace.map(|g| format!("\"{g}\""))),
        before = opt("rotate_before", o.rotate_before.map(|g| format!("\"{g}\""))),
        keep = opt(
            "revoke_on_destroy",
            o.revoke_on_destroy.map(|b| b.to_string())
        ),
    )
}

fn fleet_token(wd: &Workdir) -> Value {
    wd.values("vcf_api_token.t")
}

/// The string `k` of the object `v` (the test fails when it is missing or not a string).
fn string_field(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

/// The sorted ids of the sim's `family` tokens (`fleet` or `director`) whose `field` is
/// "ci-overlap".
fn sim_token_ids(ctl: &SyncControl, family: &str, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = ctl.state()[family]["tokens"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|t| t[field] == "ci-overlap")
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The ids of the sim's tokens of the test's API client.
fn sim_fleet_tokens(ctl: &SyncControl) -> Vec<String> {
    sim_token_ids(ctl, "fleet", "api_client_id")
}

/// The `id` and the secret `token` of the token object `t`.
fn id_and_secret(t: &Value) -> (String, String) {
    (string_field(t, "id"), string_field(t, "token"))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Overlap rotation of a fleet token: the rotation is an in-place update; the previous token
/// keeps authenticating until the grace ends (sim clock); the first plan after it shows an
/// in-place update that revokes exactly that token; a previous token deleted out of band is
/// tolerated (a warning, no error, an empty plan); destroy revokes both tokens. Re-plans are
/// empty after every apply.
#[test]
fn fleet_overlap_rotation_keeps_the_previous_token_for_the_grace() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let (realm, _) = realm_ids(&sim);
        let mut o = Fleet::default();
        wd.write_config(&fleet_config(&o));
        wd.apply();
        wd.assert_no_changes("after create");
        let t1 = fleet_token(&wd);
        let (id1, s1) = id_and_secret(&t1);
        assert!(t1["previous_token_id"].is_null(), "{v}");
        assert!(t1["previous_token_revoke_after"].is_null(), "{v}");

        // Rotation by trigger: an in-place update, nothing destroyed.
        o.trigger = "2";
        wd.write_config(&fleet_config(&o));
        let plan = wd.assert_plan(
            2,
            &[
                "will be updated in-place",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
            ],
        );
        assert!(!plan.contains("must be replaced"), "{v}: {plan}");
        wd.apply();
        wd.assert_no_changes("after the overlap rotation");
        let t2 = fleet_token(&wd);
        let (id2, s2) = id_and_secret(&t2);
        assert_ne!(id1, id2, "{v}: a new token");
        assert_eq!(t2["previous_token_id"], json!(id1), "{v}");
        let revoke_after = string_field(&t2, "previous_token_revoke_after");
        let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).expect("state");
        assert!(
            !state.contains(&s1),
            "{v}: the previous secret must not stay in the state"
        );
        assert!(fleet_token_works(&ctl, &sim, &s2), "{v}: new token");
        assert!(
            fleet_token_works(&ctl, &sim, &s1),
            "{v}: previous token valid in its grace"
        );
        assert_eq!(
            sim_fleet_tokens(&ctl),
            sorted(vec![id1.clone(), id2.clone()]),
            "{v}"
        );

        // 71 hours later the grace lasts: nothing to do, both still work.
        ctl.advance(71 * HOUR);
        wd.assert_no_changes("within the grace");
        assert!(
            fleet_token_works(&ctl, &sim, &s1),
            "{v}: previous token, 71h"
        );

        // After 73 hours the first plan revokes the previous token, in place.
        ctl.advance(2 * HOUR);
        wd.assert_plan(
            2,
            &[
                "will be updated in-place",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
                "Previous token's grace has ended",
                &revoke_after,
            ],
        );
        ctl.reset_stats();
        wd.apply();
        assert_eq!(
            ctl.count(
                "DELETE /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/{id}",
                None
            ),
            1,
            "{v}: exactly one revoke"
        );
        assert!(
            !fleet_token_works(&ctl, &sim, &s1),
            "{v}: previous token revoked"
        );
        assert!(
            fleet_token_works(&ctl, &sim, &s2),
            "{v}: current token untouched"
        );
        assert_eq!(sim_fleet_tokens(&ctl), vec![id2.clone()], "{v}");
        let t = fleet_token(&wd);
        assert_eq!(id_and_secret(&t), (id2.clone(), s2.clone()), "{v}");
        assert!(t["previous_token_id"].is_null(), "{v}");
        wd.assert_no_changes("after the grace");

        // A previous token deleted out of band: a warning on refresh, no error, nothing planned.
        o.trigger = "3";
        wd.write_config(&fleet_config(&o));
        wd.apply();
        let t3 = fleet_token(&wd);
        let id3 = string_field(&t3, "id");
        assert_eq!(t3["previous_token_id"], json!(id2), "{v}");
        ctl.post(
            "/objects",
            json!({"op": "delete", "kind": "api_token", "realm": realm, "id": id2}),
        );
        wd.assert_plan(0, &["Previous API token already gone"]);
        ctl.advance(73 * HOUR);
        wd.apply();
        assert!(fleet_token(&wd)["previous_token_id"].is_null(), "{v}");
        wd.assert_no_changes("after the out-of-band deletion");

        // Destroy revokes the current and the previous token.
        o.trigger = "4";
        wd.write_config(&fleet_config(&o));
        wd.apply();
        assert_eq!(fleet_token(&wd)["previous_token_id"], json!(id3), "{v}");
        assert_eq!(sim_fleet_tokens(&ctl).len(), 2, "{v}");
        wd.destroy();
        assert!(sim_fleet_tokens(&ctl).is_empty(), "{v}: both revoked");
    }
}

/// A second rotation within the grace supersedes the previous token. When its revoke fails, the
/// apply fails before creating anything, and the state still tracks the current and the previous
/// token; the next apply revokes the previous one and rotates. No token is ever dropped from
/// the state while it is still valid.
#[test]
fn fleet_rotation_whose_revoke_of_the_previous_token_fails_keeps_both_tracked() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (_sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let mut o = Fleet::default();
        wd.write_config(&fleet_config(&o));
        wd.apply();
        let id1 = string_field(&fleet_token(&wd), "id");
        o.trigger = "2";
        wd.write_config(&fleet_config(&o));
        wd.apply();
        let id2 = string_field(&fleet_token(&wd), "id");
        assert_eq!(fleet_token(&wd)["previous_token_id"], json!(id1), "{v}");

        // Within the grace, rotate again while the revoke of the previous token fails.
        o.trigger = "3";
        wd.write_config(&fleet_config(&o));
        ctl.post(
            "/faults",
            json!({"path": format!("*/api-tokens/{id1}"), "method": "DELETE", "kind": "error", "status": 400}),
        );
        let out = wd.try_apply();
        assert!(
            !out.status.success(),
            "{v}: the failed revoke fails the apply"
        );
        let t = fleet_token(&wd);
        assert_eq!(t["id"], json!(id2), "{v}: nothing rotated");
        assert_eq!(t["previous_token_id"], json!(id1), "{v}: still tracked");
        assert_eq!(
            sim_fleet_tokens(&ctl),
            sorted(vec![id1.clone(), id2.clone()]),
            "{v}: no third token"
        );

        ctl.delete("/faults");
        wd.apply();
        wd.assert_no_changes("after the rotation");
        let t = fleet_token(&wd);
        let id3 = string_field(&t, "id");
        assert_eq!(t["previous_token_id"], json!(id2), "{v}");
        assert_eq!(
            sim_fleet_tokens(&ctl),
            sorted(vec![id2.clone(), id3.clone()]),
            "{v}: the superseded token revoked"
        );
    }
}

/// The sim's next token create is applied, then its answer lost (the connection reset).
fn lose_next_create_answer(ctl: &SyncControl) {
    ctl.post(
        "/faults",
        json!({"path": "*/api-tokens", "method": "POST", "kind": "reset_after", "times": 1}),
    );
}

/// The answer to the create of a first token is lost (the sim creates it, then resets the
/// connection): the token is found again without its secret and kept in the state with a
/// warning; the sim holds that one token only.
#[test]
fn fleet_token_whose_create_answer_is_lost_is_kept_without_its_secret() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (_sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        wd.write_config(&fleet_config(&Fleet::default()));
        lose_next_create_answer(&ctl);
        let out = wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let flat = flatten_whitespace(&out);
        assert!(
            flat.contains("API token secret lost in transit"),
            "{v}: {flat}"
        );
        let t = fleet_token(&wd);
        assert!(t["token"].is_null(), "{v}: no secret in the state: {t}");
        assert_eq!(
            sim_fleet_tokens(&ctl),
            vec![string_field(&t, "id")],
            "{v}: one token"
        );
    }
}

/// The answer to the create of an overlap rotation's successor is lost: a successor without a
/// known secret is of no use, so the provider revokes it again and fails the apply; the current
/// token stays in the state and keeps working, and the next apply rotates.
#[test]
fn fleet_successor_whose_create_answer_is_lost_is_revoked_and_nothing_rotates() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let mut o = Fleet::default();
        wd.write_config(&fleet_config(&o));
        wd.apply();
        let t = fleet_token(&wd);
        let (id1, secret1) = id_and_secret(&t);
        o.trigger = "2";
        wd.write_config(&fleet_config(&o));
        lose_next_create_answer(&ctl);
        let out = wd.try_apply();
        let flat = flatten_whitespace(&common::text(&out));
        assert!(!out.status.success(), "{v}: {flat}");
        assert!(
            flat.contains("API token not rotated") && flat.contains("the provider revoked it"),
            "{v}: {flat}"
        );
        let t = fleet_token(&wd);
        assert_eq!(t["id"], json!(id1), "{v}: nothing rotated");
        assert!(t["previous_token_id"].is_null(), "{v}");
        assert_eq!(
            sim_fleet_tokens(&ctl),
            vec![id1.clone()],
            "{v}: revoked again"
        );
        assert!(
            fleet_token_works(&ctl, &sim, &secret1),
            "{v}: the current token works"
        );

        ctl.delete("/faults");
        wd.apply();
        wd.assert_no_changes("after the rotation");
        assert_eq!(fleet_token(&wd)["previous_token_id"], json!(id1), "{v}");
    }
}

/// A previous token whose grace ended and that was deleted on the server between the plan and
/// the apply (a saved plan): the apply succeeds with a warning.
#[test]
fn fleet_previous_token_gone_at_apply_is_not_an_error() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let (realm, _) = realm_ids(&sim);
        let mut o = Fleet::default();
        wd.write_config(&fleet_config(&o));
        wd.apply();
        let id1 = string_field(&fleet_token(&wd), "id");
        o.trigger = "2";
        wd.write_config(&fleet_config(&o));
        wd.apply();
        ctl.advance(73 * HOUR);
        wd.ok(&["plan", "-out=grace.tfplan", "-no-color", "-input=false"]);
        ctl.post(
            "/objects",
            json!({"op": "delete", "kind": "api_token", "realm": realm, "id": id1}),
        );
        let out = wd.ok(&["apply", "-no-color", "-input=false", "grace.tfplan"]);
        let flat = flatten_whitespace(&out);
        assert!(
            flat.contains("Previous API token already gone"),
            "{v}: {flat}"
        );
        assert!(fleet_token(&wd)["previous_token_id"].is_null(), "{v}");
        wd.assert_no_changes("after the apply");
    }
}

/// `ready_for_rotation` flips when the `rotate_before` window opens (by the sim's clock), and
/// `rotation_due_at` is `rotate_before` ahead of `expires_at`; a refresh updates them without
/// applying anything.
#[test]
fn ready_for_rotation_flips_when_the_window_opens() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (_sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let o = Fleet {
            grace: None,
            rotate_before: Some("168h"),
            ..Fleet::default()
        };
        wd.write_config(&fleet_config(&o));
        wd.apply();
        wd.assert_no_changes("after create");
        let t = fleet_token(&wd);
        assert_eq!(t["ready_for_rotation"], json!(false), "{v}");
        let expires = time::OffsetDateTime::parse(
            &string_field(&t, "expires_at"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("expires_at");
        let due = time::OffsetDateTime::parse(
            &string_field(&t, "rotation_due_at"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("rotation_due_at");
        assert_eq!(expires - due, time::Duration::hours(168), "{v}");

        let refresh = |wd: &Workdir| -> Value {
            wd.ok(&[
                "apply",
                "-refresh-only",
                "-auto-approve",
                "-no-color",
                "-input=false",
            ]);
            serde_json::from_str(&wd.ok(&["output", "-json"])).expect("outputs")
        };
        // 28-day token: 20 days on, the window (the last 7 days) is not open yet.
        ctl.advance(480 * HOUR);
        assert_eq!(refresh(&wd)["ready"]["value"], json!(false), "{v}");
        wd.assert_no_changes("a day before the window");
        // 21.5 days on, it is: the refresh says so, and a plan rotates.
        ctl.advance(36 * HOUR);
        assert_eq!(refresh(&wd)["ready"]["value"], json!(true), "{v}");
        wd.assert_plan(2, &["API token due for rotation"]);
        wd.apply();
        let t = fleet_token(&wd);
        assert_eq!(t["ready_for_rotation"], json!(false), "{v}: a fresh token");
        wd.assert_no_changes("after the rotation");
    }
}

/// The drift-detection guide's check: a `check` block on `rotation_due_at` fails (a warning
/// in the plan) once rotation is due within a week of the plan's time, without applying
/// anything. The token's expiry is moved with the sim's object control, since `plantimestamp()`
/// is the runner's clock.
#[test]
fn check_block_warns_a_week_before_rotation_is_due() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let (realm, _) = realm_ids(&sim);
        let o = Fleet {
            grace: None,
            rotate_before: Some("168h"),
            ..Fleet::default()
        };
        // Without the outputs: a changed output would make the plan exit 2 by itself.
        let base = fleet_config(&o);
        let cfg = format!(
            "{}\n{}",
            &base[..base.find("output \"ready\"").expect("outputs")],
            r#"check "token_rotation" {
  assert {
    condition     = timecmp(vcf_api_token.t.rotation_due_at, timeadd(plantimestamp(), "168h")) > 0
    error_message = "vcf_api_token.t is due for rotation at ${vcf_api_token.t.rotation_due_at}, within a week."
  }
}
"#
        );
        wd.write_config(&cfg);
        wd.apply();
        let plan = wd.assert_plan(0, &[]);
        assert!(
            !plan.contains("Check block assertion failed"),
            "{v}: {plan}"
        );

        // Expiry in 13 days: due (7 days before expiry) in 6 days, within the check's week,
        // while the token is not due yet.
        let id = string_field(&fleet_token(&wd), "id");
        let now = ctl.get("/clock")["now_ms"].as_i64().expect("now");
        let expiry = now + 13 * 24 * 3_600_000;
        ctl.post(
            "/objects",
            json!({"op": "patch", "kind": "api_token", "realm": realm, "id": id, "fields": {"expiration_date": expiry}}),
        );
        wd.assert_plan(0, &["Check block assertion failed", "within a week"]);
    }
}

/// `revoke_on_destroy = false`: destroy forgets the token (with a warning) and leaves it valid
/// in the sim.
#[test]
fn fleet_revoke_on_destroy_false_leaves_the_token() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let o = Fleet {
            grace: None,
            revoke_on_destroy: Some(false),
            ..Fleet::default()
        };
        wd.write_config(&fleet_config(&o));
        wd.apply();
        wd.assert_no_changes("after create");
        let t = fleet_token(&wd);
        let (id, secret) = id_and_secret(&t);
        let out = wd.ok(&[
            "destroy",
            "-target=vcf_api_token.t",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ]);
        let flat = flatten_whitespace(&out);
        assert!(flat.contains("API token left valid"), "{v}: {flat}");
        assert_eq!(sim_fleet_tokens(&ctl), vec![id], "{v}: still in the sim");
        assert!(fleet_token_works(&ctl, &sim, &secret), "{v}: still valid");
    }
}

/// Conflicting settings are refused at validate time, on `previous_token_grace`.
#[test]
fn conflicting_overlap_settings_are_refused_on_the_attribute() {
    let tf = terraforms().into_iter().next().expect("a terraform");
    let sim = Sim::start();
    let wd = fleet_workdir(&tf, &sim);
    for (extra, summary) in [
        (
            "rotation_strategy = \"regenerate\"",
            "previous_token_grace conflicts with rotation_strategy = \"regenerate\"",
        ),
        (
            "rotate_before = \"24h\"",
            "previous_token_grace is longer than rotate_before",
        ),
    ] {
        let cfg = fleet_config(&Fleet::default()).replace(
            "depends_on        = [vcf_role_assignment.viewer]",
            &format!("{extra}\n  depends_on = [vcf_role_assignment.viewer]"),
        );
        wd.write_config(&cfg);
        let (ok, diags) = wd.diagnostics(&["validate", "-json"]);
        assert!(!ok, "{extra}: {diags:?}");
        let d = diags
            .iter()
            .find(|d| d["summary"] == summary)
            .unwrap_or_else(|| panic!("{extra}: {diags:?}"));
        assert_eq!(d["severity"], "error");
        let snippet = d["snippet"]["code"].as_str().unwrap_or_default();
        assert!(snippet.contains("previous_token_grace"), "{extra}: {d}");
    }
}

// --- Director ------------------------------------------------------------------------------

fn director_config(trigger: &str, extra: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
resource "vcf_director_api_token" "ci" {{
  name              = "ci-overlap"
  rotation_triggers = {{ rotated = "{trigger}" }}
  {extra}
}}
"#
    )
}

/// Does the Director API token exchange for an access token (seed 004's refresh grant)?
fn director_works(ctl: &SyncControl, sim: &Sim, token: &str) -> bool {
    let http = sim.http_client();
    let org = sim.ready["director"]["org"].as_str().unwrap().to_string();
    let url = format!("{}/oauth/tenant/{org}/token", sim.url());
    let token = token.to_string();
    ctl.block_on(async move {
        http.post(url)
            .header("Accept", "application/json")
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
}

/// The ids of the sim's Director tokens named like the test's token.
fn sim_director_tokens(ctl: &SyncControl) -> Vec<String> {
    sim_token_ids(ctl, "director", "name")
}

/// Overlap rotation of a Director token: in place, the previous token exchanges until the
/// grace ends, then the next apply revokes exactly it; a previous token revoked out of band is
/// tolerated; destroy revokes both; `revoke_on_destroy = false` leaves the token valid.
#[test]
fn director_overlap_rotation_and_revoke_on_destroy() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = director_workdir(&tf, &sim);
        let grace = "previous_token_grace = \"72h\"";
        wd.write_config(&director_config("1", grace));
        wd.apply();
        wd.assert_no_changes("after create");
        let t1 = wd.values("vcf_director_api_token.ci");
        let (id1, s1) = id_and_secret(&t1);
        assert_eq!(t1["ready_for_rotation"], json!(false), "{v}");
        assert!(t1["rotation_due_at"].is_null(), "{v}: never expires");

        wd.write_config(&director_config("2", grace));
        wd.assert_plan(
            2,
            &[
                "will be updated in-place",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
            ],
        );
        wd.apply();
        wd.assert_no_changes("after the overlap rotation");
        let t2 = wd.values("vcf_director_api_token.ci");
        let (id2, s2) = id_and_secret(&t2);
        assert_ne!(id1, id2, "{v}");
        assert_eq!(t2["previous_token_id"], json!(id1), "{v}");
        assert!(
            director_works(&ctl, &sim, &s1),
            "{v}: previous, in its grace"
        );
        assert!(director_works(&ctl, &sim, &s2), "{v}: new");

        ctl.advance(71 * HOUR);
        wd.assert_no_changes("within the grace");
        ctl.advance(2 * HOUR);
        wd.assert_plan(
            2,
            &[
                "will be updated in-place",
                "Previous token's grace has ended",
            ],
        );
        wd.apply();
        assert!(!director_works(&ctl, &sim, &s1), "{v}: previous revoked");
        assert!(director_works(&ctl, &sim, &s2), "{v}: current untouched");
        assert_eq!(sim_director_tokens(&ctl), vec![id2.clone()], "{v}");
        wd.assert_no_changes("after the grace");

        // Revoked out of band in its grace: a warning, no error.
        wd.write_config(&director_config("3", grace));
        wd.apply();
        ctl.post(
            "/objects",
            json!({"op": "delete", "kind": "director_token", "id": id2}),
        );
        wd.assert_plan(0, &["Previous Director API token already gone"]);
        wd.apply();
        wd.assert_no_changes("after the out-of-band revoke");

        // Destroy revokes both.
        wd.write_config(&director_config("4", grace));
        wd.apply();
        assert_eq!(sim_director_tokens(&ctl).len(), 2, "{v}");
        wd.destroy();
        assert!(sim_director_tokens(&ctl).is_empty(), "{v}: both revoked");

        // revoke_on_destroy = false: destroy leaves the token valid.
        wd.write_config(&director_config("5", "revoke_on_destroy = false"));
        let out = wd.apply();
        let flat = flatten_whitespace(&out);
        assert!(
            flat.contains("Director API tokens left behind never expire"),
            "{v}: {flat}"
        );
        let t = wd.values("vcf_director_api_token.ci");
        let (id, secret) = id_and_secret(&t);
        wd.destroy();
        assert_eq!(sim_director_tokens(&ctl), vec![id], "{v}");
        assert!(director_works(&ctl, &sim, &secret), "{v}: still valid");
    }
}
