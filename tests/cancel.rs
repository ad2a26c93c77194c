//! Ctrl-C (issue 16, finding 8): Terraform answers an interrupt by calling StopProvider and then
//! waits for the operations in flight. The provider must end them at once — a request the
//! server holds open, a wait before a retry — with a diagnostic that says Terraform cancelled
//! them, naming the request, and leave nothing behind: no provider process, no duplicate on the
//! next apply, no secret in the output or the logs.
//!
//! The sim holds the request open with a `hang` fault (10 minutes) or answers 503 with a long
//! `Retry-After`, so terraform can only return early because the provider cancelled; the
//! deadlines below are safety nets against a hung test, not thresholds.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, Terraform, Workdir, terraforms};
use serde_json::{Value, json};

/// How long a test waits for something that happens at once when the provider works: only
/// against a hung test (the sim would hold the request for 10 minutes).
const SAFETY_NET: Duration = Duration::from_secs(180);

const CLIENTS: &str = "POST /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients";
const REALMS: &str = "GET /suite-api/api/fleet-management/iam/ssorealms";

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn env(sim: &Sim, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let ready = |k: &str| {
        sim.ready["operations"][k]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let mut v = vec![
        ("VCF_OPERATIONS_HOST".to_string(), sim.host()),
        ("VCF_OPERATIONS_API_TOKEN".to_string(), ready("api_token")),
        (
            "VCF_OPERATIONS_TOKEN_ENDPOINT_URL".to_string(),
            ready("token_endpoint_url"),
        ),
        ("VCF_CA_FILE".to_string(), sim.ca_file().to_string()),
        ("VCF_DEFAULT_SSO_REALM".to_string(), "flt-idb02".to_string()),
    ];
    v.extend(extra.iter().map(|(k, x)| (k.to_string(), x.to_string())));
    v
}

fn workdir(tf: &Terraform, sim: &Sim, extra: &[(&str, &str)]) -> Workdir {
    let mut wd = Workdir::new(tf);
    for (k, v) in env(sim, extra) {
        wd.set_env(&k, &v);
    }
    wd
}

/// `terraform <command>` started in its own process group, as a shell starts a foreground job, so
/// that [`ctrl_c`] reaches terraform and its provider as a Ctrl-C in a terminal does. Output
/// and trace log go to files that the secrets check reads.
fn start(
    wd: &Workdir,
    sim: &Sim,
    extra: &[(&str, &str)],
    command: &str,
    label: &str,
) -> (Child, PathBuf) {
    let log = wd.path().join(format!("{label}.log"));
    wd.artifact(
        &log,
        &format!("output of the interrupted `terraform {command}` ({label})"),
    );
    let mut args = vec![command, "-no-color", "-input=false"];
    if command == "apply" {
        args.push("-auto-approve");
    }
    let out = std::fs::File::create(&log).expect("log");
    let err = out.try_clone().expect("log");
    let child = Command::new(&wd.tf.path)
        .args(&args)
        .current_dir(wd.path())
        .env("TF_CLI_CONFIG_FILE", wd.path().join("terraform.rc"))
        .envs(env(sim, extra))
        .envs(wd.trace_log_env(label))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .expect("terraform starts");
    (child, log)
}

/// SIGINT to terraform's whole process group (terraform and the provider), as Ctrl-C sends it.
fn ctrl_c(terraform: &Child) {
    let st = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", terraform.id())])
        .status()
        .expect("kill");
    assert!(st.success(), "kill -INT -{}", terraform.id());
}

/// Waits until `ready()` holds, while terraform still runs.
fn wait_until(what: &str, terraform: &mut Child, log: &Path, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + SAFETY_NET;
    while !ready() {
        if let Some(st) = terraform.try_wait().expect("wait") {
            panic!(
                "terraform ended ({st}) before {what}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "never saw {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for terraform to exit; a terraform still running after the safety net is killed and
/// fails the test (it waited for the server instead of being cancelled).
fn wait_exit(terraform: &mut Child, log: &Path) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + SAFETY_NET;
    loop {
        if let Some(st) = terraform.try_wait().expect("wait") {
            return (st, std::fs::read_to_string(log).unwrap_or_default());
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", terraform.id())])
                .status();
            let _ = terraform.wait();
            panic!(
                "terraform did not return after Ctrl-C: the provider kept waiting:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Is process `pid` still running (present and not a zombie)?
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// Pids of the running processes whose executable is the provider and that descend from `root`.
fn providers_under(root: u32) -> Vec<u32> {
    common::procs::descendants_running(root, &common::provider_bin())
}

/// The providers terraform ran are gone once terraform is.
fn assert_gone(v: &str, pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while pids.iter().any(|p| running(*p)) {
        assert!(
            Instant::now() < deadline,
            "{v}: provider process(es) {pids:?} left running after terraform returned"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The diagnostic of a cancelled request: says Terraform cancelled it, names the request, and
/// is neither a timeout nor a server error.
fn assert_cancelled(v: &str, out: &str, request: &str, how: &str) {
    let t = flat(out);
    assert!(
        t.contains("Error: Operation cancelled"),
        "{v}: no cancellation diagnostic:\n{out}"
    );
    assert!(
        t.contains(&format!("{request}): cancelled by Terraform (Ctrl-C")),
        "{v}: the diagnostic does not name {request}:\n{out}"
    );
    assert!(t.contains(how), "{v}: expected {how:?}:\n{out}");
    for wrong in ["timed out", "Server error", "panic"] {
        assert!(!t.contains(wrong), "{v}: misleading {wrong:?}:\n{out}");
    }
}

/// A create the server holds open (10 minutes) when the user presses Ctrl-C: terraform returns
/// at once with "Operation cancelled" naming the POST, the sim sees the client close the
/// connection, no provider process is left. The held create was never applied, and the next
/// apply creates the client exactly once.
#[test]
fn ctrl_c_ends_a_request_the_server_holds_open() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = workdir(&tf, &sim, &[]);
        let client_id = format!("held-{}", v.replace('.', "-"));
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nresource \"vcf_api_client\" \"held\" {{\n  client_id = \"{client_id}\"\n  name      = \"held\"\n}}\n"
        ));
        ctl.fault(
            json!({"path": "*/api-clients", "method": "POST", "kind": "hang", "hold_seconds": 600}),
        );

        let (mut child, log) = start(&wd, &sim, &[], "apply", "held-apply");
        wait_until("the create held by the sim", &mut child, &log, || {
            ctl.stats()["holds"]["holding"].as_u64() == Some(1)
        });
        let pids = providers_under(child.id());
        assert!(!pids.is_empty(), "{v}: no provider under terraform");
        ctrl_c(&child);
        let (status, out) = wait_exit(&mut child, &log);

        assert!(!status.success(), "{v}: the apply succeeded?\n{out}");
        let realm = sim.ready["sso_realm_id"].as_str().expect("realm");
        let request = format!(
            "POST {}/suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients",
            sim.url()
        );
        assert_cancelled(
            &v,
            &out,
            &request,
            "The request had been sent, so the server may have applied it",
        );
        let holds = ctl.stats()["holds"].clone();
        assert_eq!(
            holds["client_gone"], 1,
            "{v}: the sim did not see the provider close the connection: {holds}"
        );
        assert_eq!(holds["holding"], 0, "{v}: {holds}");
        assert_eq!(ctl.count(CLIENTS, Some("client_gone")), 1, "{v}");
        assert_gone(&v, &pids);

        // The held create was not applied; the next apply creates the client, once.
        ctl.delete("/faults");
        wd.apply();
        let clients: Vec<Value> = ctl.state()["fleet"]["clients"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["client_id"] == client_id.as_str())
            .cloned()
            .collect();
        assert_eq!(clients.len(), 1, "{v}: {clients:?}");
        assert_eq!(ctl.count(CLIENTS, Some("201")), 1, "{v}");
        wd.assert_no_changes("after the apply that followed the cancelled one");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    }
}

/// A request that waits before its retry (the server answered 503 with `Retry-After: 100`, and
/// `request_timeout = "10m"` leaves room for it) when the user presses Ctrl-C: terraform returns
/// at once with "Operation cancelled" naming the request and the wait, and the request is not
/// sent again. Twice: a read retried by the HTTP client during `terraform plan` (Terraform
/// calls StopProvider during a plan, but not during the plan phase of an apply), and a create
/// that the server did not take (503), sent again after the wait, during `terraform apply`.
#[test]
fn ctrl_c_ends_a_wait_before_a_retry() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let extra = [("VCF_REQUEST_TIMEOUT", "10m")];
        let wd = workdir(&tf, &sim, &extra);
        let realm = sim.ready["sso_realm_id"].as_str().expect("realm");
        let base = format!("{}/suite-api/api/fleet-management/iam/ssorealms", sim.url());
        let cases = [
            (
                "plan",
                "data \"vcf_sso_realms\" \"all\" {}\n".to_string(),
                json!({"path": "*/iam/ssorealms", "method": "GET", "kind": "error", "status": 503, "retry_after": 100}),
                REALMS,
                format!("GET {base}"),
            ),
            (
                "apply",
                "resource \"vcf_api_client\" \"later\" {\n  client_id = \"later\"\n  name      = \"later\"\n}\n".to_string(),
                json!({"path": "*/api-clients", "method": "POST", "kind": "error", "status": 503, "retry_after": 100}),
                CLIENTS,
                format!("POST {base}/{realm}/api-clients"),
            ),
        ];
        for (command, config, fault, endpoint, request) in cases {
            wd.write_config(&format!("{REQUIRED_PROVIDERS}\n{config}"));
            ctl.delete("/faults");
            ctl.reset_stats();
            ctl.fault(fault);
            let (mut child, log) = start(&wd, &sim, &extra, command, &format!("backoff-{command}"));
            wait_until("the 503 answer", &mut child, &log, || {
                ctl.count(endpoint, Some("503")) == 1
            });
            let pids = providers_under(child.id());
            assert!(
                !pids.is_empty(),
                "{v}: no provider under terraform {command}"
            );
            ctrl_c(&child);
            let (status, out) = wait_exit(&mut child, &log);

            assert!(
                !status.success(),
                "{v}: terraform {command} succeeded?\n{out}"
            );
            assert_cancelled(
                &v,
                &out,
                &request,
                "while it waited 100s to try again; it was not sent again. The server had \
                 answered the last attempt with HTTP 503.",
            );
            assert_eq!(
                ctl.count(endpoint, None),
                1,
                "{v}: terraform {command}: the request was sent again after Ctrl-C: {}",
                ctl.stats()
            );
            assert_gone(&v, &pids);
        }
        assert!(
            ctl.state()["fleet"]["clients"]
                .as_array()
                .is_none_or(|l| l.iter().all(|c| c["client_id"] != "later")),
            "{v}: a client was created"
        );
    }
}

/// The ambiguous case: the server applied the create but holds its answer when the user
/// presses Ctrl-C. The error says the server may have applied it; the next apply does not
/// create the client twice: the server refuses the duplicate (409) and the error gives the
/// import command, after which the apply converges on the one client.
#[test]
fn ctrl_c_after_the_server_applied_a_create_creates_nothing_twice() {
    for tf in terraforms() {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let wd = workdir(&tf, &sim, &[]);
        let realm = sim.ready["sso_realm_id"].as_str().expect("realm");
        let client_id = format!("applied-{}", v.replace('.', "-"));
        wd.write_config(&format!(
            "{REQUIRED_PROVIDERS}\nresource \"vcf_api_client\" \"held\" {{\n  client_id = \"{client_id}\"\n  name      = \"held\"\n}}\n"
        ));
        ctl.fault(json!({"path": "*/api-clients", "method": "POST", "kind": "hang", "after": true, "hold_seconds": 600}));
        let (mut child, log) = start(&wd, &sim, &[], "apply", "held-after-apply");
        wait_until("the created client's answer held", &mut child, &log, || {
            ctl.stats()["holds"]["holding"].as_u64() == Some(1)
        });
        ctrl_c(&child);
        let (status, out) = wait_exit(&mut child, &log);
        assert!(!status.success(), "{v}: the apply succeeded?\n{out}");
        assert_cancelled(
            &v,
            &out,
            &format!(
                "POST {}/suite-api/api/fleet-management/iam/ssorealms/{realm}/api-clients",
                sim.url()
            ),
            "so the server may have applied it. If the server created it, the next plan reports \
             it: an API client, custom role or SDDC Manager user is refused with HTTP 409 and the \
             import command",
        );
        assert_eq!(ctl.stats()["holds"]["client_gone"], 1, "{v}");
        let count = || {
            ctl.state()["fleet"]["clients"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter(|c| c["client_id"] == client_id.as_str())
                        .count()
                })
                .unwrap_or(0)
        };
        assert_eq!(count(), 1, "{v}: the server applied the held create");

        ctl.delete("/faults");
        let out = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let t = flat(&common::text(&out));
        assert!(
            !out.status.success(),
            "{v}: a second client was created?\n{t}"
        );
        let import = format!("terraform import vcf_api_client.<name> \"{realm}/{client_id}\"");
        assert!(t.contains(&import), "{v}: no import advice:\n{t}");
        assert_eq!(count(), 1, "{v}: created twice");
        wd.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "vcf_api_client.held",
            &format!("{realm}/{client_id}"),
        ]);
        wd.apply();
        assert_eq!(count(), 1, "{v}");
        wd.assert_no_changes("after importing the client the cancelled create made");
        wd.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(count(), 0, "{v}");
    }
}
