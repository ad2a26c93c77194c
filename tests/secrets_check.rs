//! The secrets check that every acceptance test runs when its workdirs and sims go away
//! (`tests/common/leaks.rs`) finds what it is meant to find: planted secrets are reported by
//! kind and artifact, without the secret; what `terraform output` prints is left out; the
//! values Terraform marks sensitive in `show -json` are blanked out and nothing else.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::leaks::{self, Artifact, Secret, Stdout};
use common::{Sim, SyncControl, Workdir, terraforms};
use serde_json::{Value, json};

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_planted_secret_is_reported_by_kind_and_file_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "vidb_planted-0123456789abcdef";
    let other = "second-secret-XYZ";
    let log = dir.path().join("001-apply.trace.log");
    // The planted secret, and a second one right at the edge of the first one's surroundings.
    let filler = "x".repeat(190);
    std::fs::write(
        &log,
        format!("start\nAuthorization: Bearer {secret}\n{filler}{other} end {secret}\n"),
    )
    .unwrap();
    let clean = dir.path().join("002-plan.stdout");
    std::fs::write(&clean, "No changes. vidb_ but not the token\n").unwrap();
    let secrets = vec![
        Secret {
            value: secret.into(),
            kind: "sim: answer field token".into(),
        },
        Secret {
            value: other.into(),
            kind: "sim: request field password".into(),
        },
        // Too short to search for.
        Secret {
            value: "ab".into(),
            kind: "short".into(),
        },
    ];
    let artifacts = vec![
        Artifact {
            path: log.clone(),
            what: "trace log of command #1 (`terraform apply`)".into(),
        },
        Artifact {
            path: clean,
            what: "stdout of command #2 (`terraform plan`)".into(),
        },
        Artifact {
            path: dir.path().join("gone.log"),
            what: "a file that no longer exists".into(),
        },
    ];
    let report = leaks::check(&secrets, &artifacts);
    assert_eq!(report.secrets, 2);
    assert_eq!(report.artifacts, 2, "the missing file is skipped");
    assert_eq!(report.hits.len(), 2, "{:?}", report.hits);
    let token = report
        .hits
        .iter()
        .find(|h| h.kind == "sim: answer field token")
        .expect("the token is found");
    assert_eq!(token.count, 2);
    assert_eq!(token.path, log);
    assert_eq!(token.len, secret.len());
    let shown = token.to_string();
    assert!(shown.contains("sim: answer field token"), "{shown}");
    assert!(shown.contains("trace log of command #1"), "{shown}");
    assert!(shown.contains("001-apply.trace.log"), "{shown}");
    assert!(shown.contains("Bearer <SECRET>"), "{shown}");
    for h in &report.hits {
        let shown = h.to_string();
        assert!(
            !shown.contains(secret),
            "the report shows the secret: {shown}"
        );
        assert!(
            !shown.contains(other),
            "the report shows the secret: {shown}"
        );
        // Not even a part of one cut by the edge of the surroundings.
        assert!(!shown.contains(&secret[..8]), "{shown}");
        assert!(!shown.contains(&other[..8]), "{shown}");
    }
}

/// A secret is found in the forms a URL, a form body or a JSON string gives it.
#[test]
fn encoded_forms_of_a_secret_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "abc+/=\"quoted\"-0123";
    let log = dir.path().join("log");
    std::fs::write(
        &log,
        "body: refresh_token=abc%2B%2F%3D%22quoted%22-0123&x=1\njson: {\"t\":\"abc+/=\\\"quoted\\\"-0123\"}\n",
    )
    .unwrap();
    let report = leaks::check(
        &[Secret {
            value: secret.into(),
            kind: "sim: request field refresh_token".into(),
        }],
        &[Artifact {
            path: log,
            what: "log".into(),
        }],
    );
    assert_eq!(report.secrets, 1);
    let mut kinds: Vec<&str> = report.hits.iter().map(|h| h.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "sim: request field refresh_token, JSON-escaped",
            "sim: request field refresh_token, percent-encoded"
        ]
    );
}

#[test]
fn show_json_keeps_everything_but_the_values_marked_sensitive() {
    let mut plan = json!({
        "format_version": "1.2",
        "variables": {"pw": {"value": "var-secret"}, "name": {"value": "plain"}},
        "planned_values": {
            "outputs": {"t": {"sensitive": true, "value": "out-secret"}, "n": {"sensitive": false, "value": "n1"}},
            "root_module": {
                "resources": [{"address": "vcf_api_token.t", "values": {"token": "planned-secret", "id": "tok-1", "list": ["a", "list-secret"]},
                               "sensitive_values": {"token": true, "list": [false, true]}}],
                "child_modules": [{"resources": [{"values": {"api_key": "child-secret", "name": "svc"}, "sensitive_values": {"api_key": true}}]}]
            }
        },
        "resource_changes": [{"change": {
            "before": {"token": "before-secret", "id": "tok-1"}, "before_sensitive": {"token": true},
            "after": {"token": "after-secret", "id": "tok-1"}, "after_sensitive": {"token": true}
        }}],
        "output_changes": {"t": {"before": "oc-before", "after": "oc-after", "before_sensitive": true, "after_sensitive": true}},
        "prior_state": {"values": {"root_module": {"resources": [
            {"values": {"token": "prior-secret", "id": "tok-1"}, "sensitive_values": {"token": true}}
        ]}}},
        "configuration": {"root_module": {"variables": {"pw": {"sensitive": true}, "name": {}}}}
    });
    leaks::mask_sensitive(&mut plan);
    let text = plan.to_string();
    for gone in [
        "var-secret",
        "out-secret",
        "planned-secret",
        "list-secret",
        "child-secret",
        "before-secret",
        "after-secret",
        "oc-before",
        "oc-after",
        "prior-secret",
    ] {
        assert!(!text.contains(gone), "{gone} survives: {text}");
    }
    for kept in ["plain", "n1", "tok-1", "\"a\"", "svc"] {
        assert!(text.contains(kept), "{kept} was blanked out: {text}");
    }
    let mut state = json!({"values": {"root_module": {"resources": [
        {"values": {"api_key": "state-secret", "name": "svc"}, "sensitive_values": {"api_key": true}}
    ]}}});
    leaks::mask_sensitive(&mut state);
    assert_eq!(
        state["values"]["root_module"]["resources"][0]["values"],
        json!({"api_key": "(sensitive)", "name": "svc"})
    );
}

#[test]
fn only_the_commands_that_print_secrets_on_request_are_left_out() {
    use Stdout::*;
    for (args, rule) in [
        (&["output", "-json"][..], Reveals),
        (&["output", "-raw", "token"][..], Reveals),
        (&["state", "pull"][..], Reveals),
        (&["state", "show", "vcf_api_token.t"][..], Reveals),
        (&["state", "rm", "vcf_api_token.t"][..], Checked),
        (&["state", "list"][..], Checked),
        (&["show", "-json"][..], MaskSensitive),
        (&["show", "-json", "p.tfplan"][..], MaskSensitive),
        (&["show", "-no-color"][..], Checked),
        (&["plan", "-out=p.tfplan"][..], Checked),
        (&["apply", "-auto-approve"][..], Checked),
        (&["console"][..], Checked),
    ] {
        assert_eq!(leaks::stdout_rule(args), rule, "{args:?}");
    }
}

/// End to end: a secret of the sim that reaches a command's output fails the test when the
/// workdir (or the sim) goes away, naming the artifact and the kind; the same secret printed
/// by `terraform output` does not.
#[test]
fn a_sim_secret_in_terraform_output_fails_the_test() {
    let tf = terraforms().into_iter().next().expect("a terraform");
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    let realm = sim.ready["sso_realm_id"].as_str().unwrap().to_string();
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token", "realm": realm,
               "fields": {"apiClientId": "vcf-sim-bootstrap", "tokenName": "planted"}}),
    );
    let token = created["created"][0]["token"]
        .as_str()
        .expect("created token")
        .to_string();
    let hcl = |leak: bool| {
        format!(
            "output \"t\" {{\n  value     = \"{token}\"\n  sensitive = {}\n}}\n",
            !leak
        )
    };

    // A sensitive output read back with `terraform output`: no hit.
    let wd = Workdir::new(&tf);
    wd.write_config(&hcl(false));
    wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let out = wd.ok(&["output", "-raw", "t"]);
    assert_eq!(out, token, "terraform output prints the token");
    drop(wd);

    // The same output, not sensitive: `apply` prints it.
    let wd = Workdir::new(&tf);
    wd.write_config(&hcl(true));
    wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let failure = catch_unwind(AssertUnwindSafe(|| drop(wd))).expect_err("the check fails");
    let msg = panic_text(failure);
    assert!(msg.contains("secrets check failed"), "{msg}");
    assert!(msg.contains("sim: answer field token"), "{msg}");
    assert!(
        msg.contains("stdout of command #1 (`terraform apply`)"),
        "{msg}"
    );
    assert!(msg.contains("001-apply.stdout"), "{msg}");
    assert!(!msg.contains(&token), "the report shows the secret");

    // A test that fails while a leaking workdir is alive: the check during unwinding only
    // prints (a second panic would abort the process), and the test's own failure stands.
    let failure = catch_unwind(AssertUnwindSafe(|| {
        let wd = Workdir::new(&tf);
        wd.write_config(&hcl(true));
        wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        panic!("the test's own failure");
    }))
    .expect_err("the test fails");
    assert_eq!(panic_text(failure), "the test's own failure");

    // A workdir made on a thread the test spawned (a thread without a sim) meets the test's sim.
    let joined = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let wd = Workdir::new(&tf);
                wd.write_config(&hcl(true));
                wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
            })
            .join()
    });
    let msg = panic_text(joined.expect_err("the check fails on the spawned thread"));
    assert!(msg.contains("sim: answer field token"), "{msg}");
    assert!(!msg.contains(&token), "the report shows the secret");

    // When the sim goes first, it checks the workdirs still alive.
    let wd = Workdir::new(&tf);
    wd.write_config(&hcl(true));
    wd.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    drop(ctl);
    let failure = catch_unwind(AssertUnwindSafe(|| drop(sim))).expect_err("the check fails");
    let msg = panic_text(failure);
    assert!(msg.contains("sim: answer field token"), "{msg}");
    assert!(!msg.contains(&token), "the report shows the secret");
    // The sim is gone: the workdir has nothing left to be checked against.
    drop(wd);
}

#[test]
fn ready_line_and_state_credentials_are_secrets() {
    let ready: Value = json!({
        "url": "https://127.0.0.1:1",
        "operations": {"username": "admin", "password": "ops-password-1", "api_token": "ops-token-1"},
        "control": {"admin_secret": "admin-secret-1"},
        "sessions": {"access-token-key": {"user": "u"}}
    });
    let mut found: Vec<(String, String)> = leaks::secrets_in_json(&ready, "ready")
        .into_iter()
        .map(|s| (s.value, s.kind))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("access-token-key".into(), "ready sessions key".into()),
            ("admin-secret-1".into(), "ready field admin_secret".into()),
            ("ops-password-1".into(), "ready field password".into()),
            ("ops-token-1".into(), "ready field api_token".into()),
        ]
    );
}

/// The trace log the check reads holds the provider's own log (its stderr reaches Terraform's
/// log at trace), with both Terraform versions: so a secret the provider logged would be found.
#[test]
fn the_trace_log_of_every_command_holds_the_providers_log() {
    let sim = Sim::start();
    for tf in terraforms() {
        let wd = common::fleet_workdir(&tf, &sim);
        wd.write_config(&format!(
            "{}\nprovider \"vcf\" {{}}\ndata \"vcf_sso_realms\" \"all\" {{}}\n",
            common::REQUIRED_PROVIDERS
        ));
        wd.ok(&["plan", "-no-color", "-input=false"]);
        let log = std::fs::read_to_string(wd.artifacts_dir().join("001-plan.trace.log"))
            .expect("the command's trace log");
        assert!(
            log.contains("request done") && log.contains("terraform-provider-vcf"),
            "Terraform {}: the trace log lacks the provider's client trace",
            tf.version
        );
        let stdout = std::fs::read_to_string(wd.artifacts_dir().join("001-plan.stdout"))
            .expect("the command's stdout");
        assert!(stdout.contains("data.vcf_sso_realms.all"), "{stdout}");
    }
}
