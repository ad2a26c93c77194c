//! Acceptance: `vcf_api_token` rotation and drift with real Terraform (every version in
//! TF_ACC_TERRAFORM_PATHS) against vcf-sim, time moved with the sim's clock (no sleeps):
//! rotation by trigger (replacement; with `create_before_destroy` the old token works until the
//! new one exists), rotation by time (`rotate_before`, plain plan), the regenerate strategy
//! (in place, new secret), description and access-token TTL edited in place (PATCH), tokens
//! expired / deleted out of band, batched reads.

mod common;

use common::{
    REQUIRED_PROVIDERS, Sim, SyncControl, Workdir, fleet_sim_and_workdir, fleet_token_works,
    fleet_workdir, realm_ids, terraforms, viewer_api_client_hcl,
};
use serde_json::{Value, json};

struct Opts<'a> {
    trigger: &'a str,
    description: Option<&'a str>,
    access_ttl: i64,
    strategy: &'a str,
    create_before_destroy: bool,
    rotate_before: Option<&'a str>,
    tokens: usize,
}

impl Default for Opts<'_> {
    fn default() -> Self {
        Opts {
            trigger: "1",
            description: None,
            access_ttl: 30,
            strategy: "replace",
            create_before_destroy: false,
            rotate_before: None,
            tokens: 1,
        }
    }
}

fn config(o: &Opts<'_>) -> String {
    let lifecycle = if o.create_before_destroy {
        "\n  lifecycle {\n    create_before_destroy = true\n  }"
    } else {
        ""
    };
    let description = o
        .description
        .map(|d| format!("\n  description       = \"{d}\""))
        .unwrap_or_default();
    let rotate = o
        .rotate_before
        .map(|r| format!("\n  rotate_before     = \"{r}\""))
        .unwrap_or_default();
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}
{client}
resource "vcf_api_token" "t" {{
  count             = {count}
  api_client_id     = vcf_api_client.ci.client_id
  name              = "ci-token-${{count.index}}"
  ttl               = 40320
  access_token_ttl  = {access_ttl}{description}
  rotation_strategy = "{strategy}"
  rotation_triggers = {{ version = "{trigger}" }}{rotate}{lifecycle}
  depends_on        = [vcf_role_assignment.viewer]
}}
"#,
        client = viewer_api_client_hcl("ci", "ci-pipeline", "viewer"),
        count = o.tokens,
        access_ttl = o.access_ttl,
        strategy = o.strategy,
        trigger = o.trigger,
    )
}

fn token(wd: &Workdir) -> (String, String) {
    let v = wd.values("vcf_api_token.t[0]");
    (
        v["id"].as_str().expect("id").to_string(),
        v["token"].as_str().expect("token").to_string(),
    )
}

/// Does `new` authenticate while `old` no longer does (a rotation took effect)?
fn only_new_token_works(ctl: &SyncControl, sim: &Sim, new: &str, old: &str) -> bool {
    fleet_token_works(ctl, sim, new) && !fleet_token_works(ctl, sim, old)
}

fn sim_token(ctl: &SyncControl, id: &str) -> Option<Value> {
    ctl.state()["fleet"]["tokens"]
        .as_array()
        .and_then(|l| l.iter().find(|t| t["id"] == id).cloned())
}

#[test]
fn rotation_by_trigger_replaces_and_overlaps_with_create_before_destroy() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let mut o = Opts {
            create_before_destroy: true,
            ..Opts::default()
        };
        wd.write_config(&config(&o));
        wd.apply();
        wd.assert_no_changes("after create");
        let (id1, s1) = token(&wd);
        assert!(fleet_token_works(&ctl, &sim, &s1), "{v}");

        o.trigger = "2";
        wd.write_config(&config(&o));
        wd.assert_plan(
            2,
            &[
                "vcf_api_token.t[0] must be replaced",
                "Plan: 1 to add, 0 to change, 1 to destroy.",
            ],
        );

        // Make the revoke fail: the new token must already exist and both must work, which
        // proves the order (create, then destroy).
        ctl.post(
            "/faults",
            json!({"path": "*/api-tokens/*", "method": "DELETE", "kind": "error", "status": 400}),
        );
        let out = wd.try_apply();
        assert!(
            !out.status.success(),
            "{v}: the injected revoke failure must fail the apply"
        );
        let (id2, s2) = token(&wd);
        assert_ne!(id1, id2, "{v}");
        assert!(fleet_token_works(&ctl, &sim, &s2), "{v}: new token");
        assert!(
            fleet_token_works(&ctl, &sim, &s1),
            "{v}: old token still valid during the overlap"
        );

        ctl.delete("/faults");
        wd.apply();
        wd.assert_no_changes("after rotation");
        assert!(fleet_token_works(&ctl, &sim, &s2), "{v}");
        assert!(
            !fleet_token_works(&ctl, &sim, &s1),
            "{v}: old token revoked"
        );
        assert!(sim_token(&ctl, &id1).is_none(), "{v}");
    }
}

#[test]
fn rotation_by_time_needs_no_configuration_change() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        wd.write_config(&config(&Opts {
            rotate_before: Some("168h"),
            ..Opts::default()
        }));
        wd.apply();
        wd.assert_no_changes("a fresh token is not due");
        let (id1, s1) = token(&wd);

        // 28-day token; 21.5 days later it has 6.5 days left, inside the 7-day window.
        ctl.advance(516 * 3600);
        wd.assert_plan(
            2,
            &[
                "vcf_api_token.t[0] must be replaced",
                "API token due for rotation",
                "Plan: 1 to add, 0 to change, 1 to destroy.",
            ],
        );
        wd.apply();
        let (id2, s2) = token(&wd);
        assert_ne!(id1, id2, "{v}");
        assert!(only_new_token_works(&ctl, &sim, &s2, &s1), "{v}");
        wd.assert_no_changes("after the rotation");
    }
}

#[test]
fn regenerate_strategy_rotates_in_place() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let mut o = Opts {
            strategy: "regenerate",
            ..Opts::default()
        };
        wd.write_config(&config(&o));
        wd.apply();
        let (id1, s1) = token(&wd);

        o.trigger = "2";
        wd.write_config(&config(&o));
        let plan = wd.assert_plan(
            2,
            &[
                "will be updated in-place",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
            ],
        );
        assert!(!plan.contains("must be replaced"), "{v}: {plan}");
        wd.apply();
        let (id2, s2) = token(&wd);
        // The sim keeps the id, as "regenerates the secret value for an existing API token"
        // reads; the provider would also take a new id from the answer.
        assert_eq!(id1, id2, "{v}: same token");
        assert_ne!(s1, s2, "{v}: new secret");
        assert!(only_new_token_works(&ctl, &sim, &s2, &s1), "{v}");
        assert!(sim_token(&ctl, &id1).is_some(), "{v}: the token lives on");
        wd.assert_no_changes("after regenerate");

        // Rotation by time regenerates in place too.
        o.rotate_before = Some("168h");
        wd.write_config(&config(&o));
        wd.apply();
        assert_eq!(token(&wd), (id2.clone(), s2.clone()), "{v}");
        ctl.advance(516 * 3600);
        wd.assert_plan(
            2,
            &[
                "API token due for rotation",
                "Plan: 0 to add, 1 to change, 0 to destroy.",
            ],
        );
        wd.apply();
        let (id3, s3) = token(&wd);
        assert_eq!(id3, id2, "{v}: regenerate keeps the token");
        assert_ne!(s3, s2, "{v}: with a new secret");
        assert!(only_new_token_works(&ctl, &sim, &s3, &s2), "{v}");
        wd.assert_no_changes("after the timed regenerate");

        // Changing the strategy alone rotates nothing.
        o.strategy = "replace";
        wd.write_config(&config(&o));
        wd.apply();
        assert_eq!(token(&wd), (id3, s3), "{v}");
    }
}

#[test]
fn tokens_gone_out_of_band_are_recreated_and_reads_are_batched() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let (realm, _) = realm_ids(&sim);
        wd.write_config(&config(&Opts {
            tokens: 3,
            ..Opts::default()
        }));
        wd.apply();

        // Refreshing three tokens of one client: one query, no GET per token.
        ctl.reset_stats();
        wd.assert_no_changes("after create");
        let stats = ctl.stats();
        let count = |needle: &str| -> u64 {
            stats["endpoints"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| k.contains(needle))
                        .flat_map(|(_, v)| v.as_object().into_iter().flat_map(|o| o.values()))
                        .filter_map(Value::as_u64)
                        .sum()
                })
                .unwrap_or(0)
        };
        assert_eq!(
            count("POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/query"),
            1,
            "{v}: {stats}"
        );
        assert_eq!(
            count("GET /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/{id}"),
            0,
            "{v}: {stats}"
        );

        let ids: Vec<String> = (0..3)
            .map(|i| {
                wd.values(&format!("vcf_api_token.t[{i}]"))["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            })
            .collect();
        // Expired and deleted out of band (a revoked token is deleted: the reference has no
        // REVOKED status).
        ctl.post("/objects", json!({"op": "patch", "kind": "api_token", "realm": realm, "id": ids[0], "fields": {"expiration_date": 1}}));
        ctl.post("/objects", json!({"op": "patch", "kind": "api_token", "realm": realm, "id": ids[1], "fields": {"expiration_date": 0}}));
        ctl.post(
            "/objects",
            json!({"op": "delete", "kind": "api_token", "realm": realm, "id": ids[2]}),
        );
        let (code, plan) = wd.plan_code();
        assert_eq!(code, 2, "{v}: CI drift detection must exit 2:\n{plan}");
        for i in 0..3 {
            assert!(
                plan.contains(&format!("vcf_api_token.t[{i}] will be created")),
                "{v}: {plan}"
            );
        }
        assert!(
            plan.contains("is EXPIRED") || plan.contains("expired at"),
            "{v}: {plan}"
        );
        assert!(
            plan.contains("was deleted outside Terraform"),
            "{v}: {plan}"
        );
        wd.apply();
        wd.assert_no_changes("after re-creation");
        for i in 0..3 {
            let s = wd.values(&format!("vcf_api_token.t[{i}]"))["token"]
                .as_str()
                .expect("token")
                .to_string();
            assert!(fleet_token_works(&ctl, &sim, &s), "{v}: token {i}");
        }

        wd.destroy();
        let left = ctl.state()["fleet"]["tokens"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter(|t| t["api_client_id"] == "ci-pipeline")
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(left, 0, "{v}");
    }
}

#[test]
fn import_token_and_list_tokens() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let (realm, _) = realm_ids(&sim);
        let wd = fleet_workdir(&tf, &sim);
        let mut cfg = config(&Opts::default());
        cfg.push_str(
            r#"
data "vcf_api_tokens" "ci" {
  api_client_id = vcf_api_client.ci.client_id
  depends_on    = [vcf_api_token.t]
}
output "expiries" {
  value = [for t in data.vcf_api_tokens.ci.tokens : t.expires_at]
}
"#,
        );
        wd.write_config(&cfg);
        wd.apply();
        let out = wd.ok(&["output", "-json", "expiries"]);
        let expiries: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
        let before = wd.values("vcf_api_token.t[0]");
        assert_eq!(expiries, json!([before["expires_at"]]), "{v}: {out}");

        let id = before["id"].as_str().expect("id").to_string();
        wd.ok(&["state", "rm", "vcf_api_token.t[0]"]);
        wd.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "vcf_api_token.t[0]",
            &format!("{realm}/ci-pipeline/{id}"),
        ]);
        let after = wd.values("vcf_api_token.t[0]");
        for k in [
            "id",
            "name",
            "ttl",
            "access_token_ttl",
            "expires_at",
            "status",
            "token_last_chars",
            "api_client_id",
        ] {
            assert_eq!(after[k], before[k], "{v}: {k}");
        }
        assert!(
            after["token"].is_null(),
            "{v}: the API never shows an imported token's secret"
        );
    }
}

/// Provider logs at the most verbose level never contain a token: neither the created token's
/// secret nor the provider's own API token.
#[test]
fn trace_logs_contain_no_token() {
    let tf = terraforms().into_iter().next().expect("a terraform");
    let sim = Sim::start();
    let log = tempfile::NamedTempFile::new().expect("log file");
    let log_path = log.path().to_string_lossy().to_string();
    let wd = fleet_workdir(&tf, &sim)
        .env("TF_LOG_PROVIDER", "trace")
        .env("TF_LOG_PATH", &log_path);
    wd.write_config(&config(&Opts {
        strategy: "regenerate",
        ..Opts::default()
    }));
    wd.apply();
    let (_, first) = token(&wd);
    wd.write_config(&config(&Opts {
        strategy: "regenerate",
        trigger: "2",
        ..Opts::default()
    }));
    wd.apply();
    let (_, second) = token(&wd);
    let logs = std::fs::read_to_string(log.path()).expect("logs");
    assert!(
        logs.len() > 1000,
        "trace logging produced {} bytes",
        logs.len()
    );
    let own = sim.ready["operations"]["api_token"]
        .as_str()
        .expect("api token");
    for secret in [first.as_str(), second.as_str(), own] {
        assert!(
            !logs.contains(secret),
            "a token appears in the provider logs"
        );
    }
    assert!(
        !logs.contains("vidb_"),
        "a vidb_ token appears in the provider logs"
    );
}

/// `description` and `access_token_ttl` change in place with the reference's PATCH (204): the
/// token keeps its id and secret; `name` still replaces it (it is part of the identity).
#[test]
fn description_and_access_ttl_update_in_place() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let (_sim, ctl, wd) = fleet_sim_and_workdir(&tf);
        let mut o = Opts {
            description: Some("first"),
            ..Opts::default()
        };
        wd.write_config(&config(&o));
        wd.apply();
        let (id1, s1) = token(&wd);

        o.description = Some("second");
        o.access_ttl = 60;
        wd.write_config(&config(&o));
        let plan = wd.assert_plan(2, &["will be updated in-place"]);
        assert!(!plan.contains("must be replaced"), "{v}: {plan}");
        ctl.reset_stats();
        wd.apply();
        assert_eq!(
            ctl.count(
                "PATCH /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens",
                Some("204")
            ),
            1,
            "{v}: one PATCH"
        );
        assert_eq!(token(&wd), (id1.clone(), s1.clone()), "{v}: same token");
        let t = sim_token(&ctl, &id1).expect("token in the sim");
        assert_eq!(t["token_description"], "second", "{v}");
        assert_eq!(t["access_token_ttl"], 60, "{v}");
        wd.assert_no_changes("after the in-place update");

        // Dropping the description clears it in place too.
        o.description = None;
        wd.write_config(&config(&o));
        wd.apply();
        assert_eq!(token(&wd).0, id1, "{v}");
        assert_eq!(
            sim_token(&ctl, &id1).expect("token")["token_description"],
            "",
            "{v}"
        );
        wd.assert_no_changes("after clearing the description");
    }
}

/// `vcf_iam_settings` reads GET /settings; a TTL above the setting is flagged at plan time on
/// the attribute.
#[test]
fn iam_settings_and_the_plan_time_ttl_check() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

data "vcf_iam_settings" "iam" {{}}

output "api_token_ttl" {{
  value = data.vcf_iam_settings.iam.api_token_ttl
}}

output "access_token_ttl" {{
  value = data.vcf_iam_settings.iam.access_token_ttl
}}
"#
        ));
        wd.apply();
        let out: Value = serde_json::from_str(&wd.ok(&["output", "-json"])).expect("outputs");
        let api = out["api_token_ttl"]["value"].as_i64().expect("api ttl");
        let access = out["access_token_ttl"]["value"]
            .as_i64()
            .expect("access ttl");
        assert!(api > 0 && access > 0, "{v}: {out}");

        let o = Opts {
            access_ttl: access,
            ..Opts::default()
        };
        let cfg = config(&o).replace(
            "ttl               = 40320",
            &format!("ttl               = {api}"),
        );
        wd.write_config(&cfg);
        let (_, plan) = wd.plan_code();
        assert!(
            !plan.contains("TTL above"),
            "{v}: at the setting is fine: {plan}"
        );
        // Above the setting (the validator allows up to 259200 minutes): a warning on `ttl`.
        wd.write_config(&cfg.replace(
            &format!("ttl               = {api}"),
            &format!("ttl               = {}", api + 1),
        ));
        let (ok, diags) = wd.diagnostics(&["plan", "-json", "-input=false"]);
        assert!(ok, "{v}: a warning, not an error: {diags:?}");
        let warned = diags
            .iter()
            .find(|d| d["summary"] == "TTL above the appliance's IAM setting");
        let w = warned.unwrap_or_else(|| panic!("{v}: no TTL warning in {diags:?}"));
        assert_eq!(w["severity"], "warning", "{v}");
        assert!(
            w["address"]
                .as_str()
                .is_some_and(|a| a.starts_with("vcf_api_token.t")),
            "{v}: {w}"
        );
        assert!(
            w["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&api.to_string())),
            "{v}: {w}"
        );
    }
}
