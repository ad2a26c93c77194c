//! Shared pieces of the acceptance tests: finding the built binaries, starting vcf-sim, and
//! running the real `terraform` binary against the freshly built provider through a CLI
//! configuration with `dev_overrides`.
#![allow(dead_code)]

pub mod leaks;
pub mod procs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// The provider binary that cargo built for this test run.
pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-vcf"))
}

/// A running vcf-sim, served in this test process through the `vcf-sim` library on a runtime
/// of its own (the provider under test talks to it over TCP like to any appliance), stopped
/// when dropped. Before it stops, the artifacts of the workdirs still alive are searched for
/// its secrets (see [`leaks`]).
pub struct Sim {
    server: vcf_sim::Background,
    pub ready: serde_json::Value,
    pub dir: tempfile::TempDir,
    leak_id: Option<u64>,
}

/// Starts the sim of `opts` on 127.0.0.1 (a free port) with its state in `dir`; returns it and
/// its ready line.
fn spawn(dir: &Path, opts: vcf_sim::Options) -> (vcf_sim::Background, Value) {
    let server = vcf_sim::spawn(vcf_sim::Options {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        state_dir: Some(dir.to_path_buf()),
        ..opts
    })
    .unwrap_or_else(|e| panic!("vcf-sim starts: {e}"));
    let ready = server.server().ready().clone();
    (server, ready)
}

impl Sim {
    pub fn start() -> Sim {
        Self::start_with(vcf_sim::Options::default())
    }

    /// A sim started with `opts` (the `vcf-sim` flags, one field each), its state in a fresh
    /// temporary directory.
    pub fn start_with(opts: vcf_sim::Options) -> Sim {
        let dir = tempfile::tempdir().expect("temp dir");
        let (server, ready) = spawn(dir.path(), opts);
        let pem = ready["ca_file"]
            .as_str()
            .and_then(|f| std::fs::read(f).ok())
            .unwrap_or_default();
        let leak_id = Some(leaks::register_sim(&ready, pem));
        Sim {
            server,
            ready,
            dir,
            leak_id,
        }
    }

    /// A sim serving the TLS material already in `dir` (`ca.pem`, `server.pem`,
    /// `server-key.pem`), for tests of certificates the provider must refuse. Its secrets are not
    /// searched for in artifacts: the harness could not reach it through a certificate that
    /// does not name 127.0.0.1 or has expired.
    pub fn start_with_own_tls(dir: tempfile::TempDir) -> Sim {
        let (server, ready) = spawn(dir.path(), vcf_sim::Options::default());
        Sim {
            server,
            ready,
            dir,
            leak_id: None,
        }
    }

    pub fn url(&self) -> &str {
        self.ready["url"].as_str().expect("url in ready line")
    }

    /// `host:port` of the sim, as the provider's `host` settings want it.
    pub fn host(&self) -> String {
        self.url()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_string()
    }

    /// An HTTP client that trusts the sim's CA (and only it), for checking what Terraform did.
    pub fn http_client(&self) -> reqwest::Client {
        let pem = std::fs::read(self.ca_file()).expect("CA file");
        reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).expect("CA PEM"))
            .build()
            .expect("client")
    }

    pub fn ca_file(&self) -> &str {
        self.ready["ca_file"]
            .as_str()
            .expect("ca_file in ready line")
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // The server stops after this, when its handle is dropped (also when the check fails
        // the test).
        if let Some(id) = self.leak_id {
            leaks::sim_dropped(id);
        }
    }
}

/// A Terraform CLI to test with: its path and its version (from `terraform version -json`).
#[derive(Clone, Debug)]
pub struct Terraform {
    pub path: PathBuf,
    pub version: String,
}

/// The Terraform binaries to run the acceptance tests with: `TF_ACC_TERRAFORM_PATHS`
/// (colon-separated, set by `.ci/run` to one 1.11 and one 1.15 build), else
/// `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH.
pub fn terraforms() -> Vec<Terraform> {
    let paths: Vec<PathBuf> = match (
        std::env::var("TF_ACC_TERRAFORM_PATHS"),
        std::env::var("TF_ACC_TERRAFORM_PATH"),
    ) {
        (Ok(list), _) if !list.is_empty() => list.split(':').map(PathBuf::from).collect(),
        (_, Ok(one)) if !one.is_empty() => vec![PathBuf::from(one)],
        _ => vec![PathBuf::from("terraform")],
    };
    paths
        .into_iter()
        .map(|path| {
            let out = Command::new(&path)
                .args(["version", "-json"])
                .env("TF_CLI_CONFIG_FILE", "/dev/null")
                .output()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run terraform at {}: {e}; run scripts/install-terraform",
                        path.display()
                    )
                });
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("terraform version -json from {}: {e}", path.display()));
            let version = v["terraform_version"]
                .as_str()
                .unwrap_or("unknown")
                .to_string();
            eprintln!(
                "acceptance: using Terraform {version} at {}",
                path.display()
            );
            Terraform { path, version }
        })
        .collect()
}

/// A working directory with a CLI config that points `local/vmware/vcf` at the built provider.
///
/// Every command it runs leaves artifacts for the secrets check (see [`leaks`]): the command's
/// Terraform log (`TF_LOG=trace` into a file of its own, unless the test sets `TF_LOG*`
/// itself), its stdout and stderr, and any crash log. They live in a temporary directory of
/// their own, removed with the workdir.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub tf: Terraform,
    cli_config: PathBuf,
    env: Vec<(String, String)>,
    /// Logs and outputs of the commands run here.
    artifacts: tempfile::TempDir,
    /// Commands run so far (numbers the artifacts).
    commands: std::sync::atomic::AtomicU32,
    /// Whether commands log at trace into the artifacts (off for benchmarks).
    trace_log: bool,
    leak_id: u64,
}

impl Workdir {
    pub fn new(tf: &Terraform) -> Workdir {
        let dir = tempfile::tempdir().expect("temp dir");
        let cli_config = dir.path().join("terraform.rc");
        let provider_dir = provider_bin().parent().expect("bin dir").to_path_buf();
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"local/vmware/vcf\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                provider_dir.display()
            ),
        )
        .expect("write CLI config");
        Workdir {
            dir,
            tf: tf.clone(),
            cli_config,
            env: Vec::new(),
            artifacts: tempfile::tempdir().expect("temp dir"),
            commands: std::sync::atomic::AtomicU32::new(0),
            trace_log: true,
            leak_id: leaks::register_workdir(),
        }
    }

    /// Runs terraform without the trace log (for benchmarks, whose timings it would skew);
    /// stdout and stderr are still checked for secrets.
    pub fn no_trace_log(mut self) -> Self {
        self.trace_log = false;
        self
    }

    /// Where the artifacts of the secrets check are kept (`NNN-<subcommand>.trace.log`,
    /// `.stdout`, `.stderr`).
    pub fn artifacts_dir(&self) -> &Path {
        self.artifacts.path()
    }

    /// Adds a file a test wrote itself (the output of a terraform it ran on its own) to the
    /// artifacts of the secrets check.
    pub fn artifact(&self, path: &Path, what: &str) {
        leaks::add_artifact(self.leak_id, path, what.to_string());
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Sets (or replaces) an environment variable of later terraform runs.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Writes `main.tf` (replacing any earlier one).
    pub fn write_config(&self, hcl: &str) {
        std::fs::write(self.path().join("main.tf"), hcl).expect("write main.tf");
    }

    /// Runs terraform with the given arguments; never panics on a failing command.
    pub fn run(&self, args: &[&str]) -> Output {
        use std::sync::atomic::Ordering;
        let n = self.commands.fetch_add(1, Ordering::Relaxed) + 1;
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .copied()
            .unwrap_or("terraform");
        // Names of artifacts carry the subcommand only: arguments may hold secrets.
        let label = format!("{n:03}-{sub}");
        let what = |part: &str| format!("{part} of command #{n} (`terraform {sub}`)");
        let mut cmd = Command::new(&self.tf.path);
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1");
        for k in ["TF_LOG", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_LOG_PATH"] {
            cmd.env_remove(k);
        }
        let test_logs = self.env.iter().any(|(k, _)| k.starts_with("TF_LOG"));
        if self.trace_log && !test_logs {
            // Terraform's log holds the provider's stderr too (both 1.11 and the 1.15 shim
            // honour TF_LOG_PATH).
            let log = self.artifacts.path().join(format!("{label}.trace.log"));
            cmd.env("TF_LOG", "trace").env("TF_LOG_PATH", &log);
            leaks::add_artifact(self.leak_id, &log, what("trace log"));
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
            if k == "TF_LOG_PATH" {
                // The test's own log file (Terraform appends to it): checked as well.
                let p = self.path().join(v);
                leaks::add_artifact(
                    self.leak_id,
                    &p,
                    "log file the test set as TF_LOG_PATH".into(),
                );
            }
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running terraform {args:?}: {e}"));
        self.keep(
            &label,
            "stdout",
            &what("stdout"),
            &stdout_for_check(args, &out.stdout),
        );
        self.keep(&label, "stderr", &what("stderr"), &out.stderr);
        // Terraform's own crash report, if this version writes one.
        for e in std::fs::read_dir(self.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("crash") && name.ends_with(".log") {
                leaks::add_artifact(self.leak_id, &e.path(), format!("crash log {name}"));
            }
        }
        out
    }

    /// `TF_LOG=trace` into a new log file that the secrets check reads, for a terraform that
    /// a test runs on its own (not through [`Workdir::run`]).
    pub fn trace_log_env(&self, label: &str) -> [(String, String); 2] {
        let log = self.artifacts.path().join(format!("{label}.trace.log"));
        leaks::add_artifact(self.leak_id, &log, format!("trace log of {label}"));
        [
            ("TF_LOG".to_string(), "trace".to_string()),
            ("TF_LOG_PATH".to_string(), log.display().to_string()),
        ]
    }

    /// Writes `bytes` as an artifact of the secrets check (nothing when empty).
    fn keep(&self, label: &str, part: &str, what: &str, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let path = self.artifacts.path().join(format!("{label}.{part}"));
        std::fs::write(&path, bytes).expect("write artifact");
        leaks::add_artifact(self.leak_id, &path, what.to_string());
    }

    /// Runs terraform with `-json` output where the command supports it and returns the
    /// diagnostics it printed.
    pub fn diagnostics(&self, args: &[&str]) -> (bool, Vec<serde_json::Value>) {
        let out = self.run(args);
        let mut diags = Vec::new();
        // `validate -json` prints one document; `plan -json` prints one JSON object per line.
        if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&out.stdout) {
            if let Some(list) = doc.get("diagnostics").and_then(|d| d.as_array()) {
                diags.extend(list.iter().cloned());
            }
            return (out.status.success(), diags);
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(list) = v.get("diagnostics").and_then(|d| d.as_array()) {
                    diags.extend(list.iter().cloned());
                } else if let Some(d) = v.get("diagnostic") {
                    diags.push(d.clone());
                }
            }
        }
        (out.status.success(), diags)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        leaks::workdir_dropped(self.leak_id);
    }
}

/// The stdout of `terraform <args>` as the secrets check sees it (see [`leaks`]): nothing for
/// commands whose job is to print secrets, the values Terraform marks sensitive blanked out for
/// `show -json`, else as printed.
fn stdout_for_check(args: &[&str], stdout: &[u8]) -> Vec<u8> {
    match leaks::stdout_rule(args) {
        leaks::Stdout::Checked => stdout.to_vec(),
        leaks::Stdout::Reveals => Vec::new(),
        leaks::Stdout::MaskSensitive => match serde_json::from_slice::<Value>(stdout) {
            Ok(mut doc) => {
                leaks::mask_sensitive(&mut doc);
                serde_json::to_vec(&doc).unwrap_or_default()
            }
            Err(_) => stdout.to_vec(),
        },
    }
}

/// The provider block's `required_providers` preamble.
pub const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    vcf = { source = "local/vmware/vcf" }
  }
}
"#;

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The sim's control API.
pub struct Control {
    http: reqwest::Client,
    url: String,
}

impl Control {
    pub fn new(sim: &Sim) -> Control {
        Control {
            http: sim.http_client(),
            url: sim.ready["control"]["url"]
                .as_str()
                .expect("control url")
                .to_string(),
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("control call");
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "control {path}: {status} {v}");
        v
    }

    pub async fn delete(&self, path: &str) {
        let r = self
            .http
            .delete(format!("{}{path}", self.url))
            .send()
            .await
            .expect("control call");
        assert!(
            r.status().is_success(),
            "control DELETE {path}: {}",
            r.status()
        );
    }

    pub async fn reset_stats(&self) {
        self.delete("/stats").await;
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/stats", self.url))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// Requests to `endpoint` ("METHOD /template") with `status` ("200", "reset", …), or with
    /// any status when `None`.
    pub async fn count(&self, endpoint: &str, status: Option<&str>) -> u64 {
        let s = self.stats().await;
        let e = &s["endpoints"][endpoint];
        match status {
            Some(st) => e[st].as_u64().unwrap_or(0),
            None => e
                .as_object()
                .map(|m| m.values().filter_map(Value::as_u64).sum())
                .unwrap_or(0),
        }
    }

    pub async fn fault(&self, rule: Value) {
        self.post("/faults", rule).await;
    }

    pub async fn advance(&self, seconds: u64) {
        self.post("/clock/advance", json!({ "seconds": seconds }))
            .await;
    }
    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("control call")
            .json()
            .await
            .expect("control JSON")
    }

    /// The sim's whole world (`GET /_sim/state`), secrets included.
    pub async fn state(&self) -> Value {
        self.get("/state").await
    }
}

/// [`Control`] for tests that are not async (the Terraform acceptance tests): each call runs on
/// a private runtime.
pub struct SyncControl {
    rt: tokio::runtime::Runtime,
    inner: Control,
}

impl SyncControl {
    pub fn new(sim: &Sim) -> SyncControl {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let inner = rt.block_on(async { Control::new(sim) });
        SyncControl { rt, inner }
    }
    pub fn post(&self, path: &str, body: Value) -> Value {
        self.rt.block_on(self.inner.post(path, body))
    }
    pub fn get(&self, path: &str) -> Value {
        self.rt.block_on(self.inner.get(path))
    }
    pub fn delete(&self, path: &str) {
        self.rt.block_on(self.inner.delete(path))
    }
    pub fn reset_stats(&self) {
        self.rt.block_on(self.inner.reset_stats())
    }
    pub fn stats(&self) -> Value {
        self.rt.block_on(self.inner.stats())
    }
    pub fn count(&self, endpoint: &str, status: Option<&str>) -> u64 {
        self.rt.block_on(self.inner.count(endpoint, status))
    }
    pub fn fault(&self, rule: Value) {
        self.rt.block_on(self.inner.fault(rule))
    }
    pub fn advance(&self, seconds: u64) {
        self.rt.block_on(self.inner.advance(seconds))
    }
    /// The sim's whole world (`GET /_sim/state`).
    pub fn state(&self) -> Value {
        self.get("/state")
    }
    /// Runs a future (for HTTP calls of a test) on the private runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

/// Does the fleet API token authenticate at the sim's token endpoint?
pub fn fleet_token_works(ctl: &SyncControl, sim: &Sim, api_token: &str) -> bool {
    let http = sim.http_client();
    let url = sim.ready["operations"]["token_endpoint_url"]
        .as_str()
        .expect("token endpoint")
        .to_string();
    let token = api_token.to_string();
    ctl.block_on(async move {
        http.post(url)
            .form(&fleet_token_form(&token))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
}

/// Logs in as the sim's Director user and creates a PROXY token named `name` with
/// `POST /cloudapi/1.0.0/tokens`; `flavor` is the Director's (`vcf_automation` or
/// `cloud_director`), for the API version to ask for.
pub async fn director_proxy_token(sim: &Sim, flavor: &str, name: &str) {
    let http = sim.http_client();
    let d = &sim.ready["director"];
    let accept = if flavor == "vcf_automation" {
        "application/json;version=9.1.0"
    } else {
        "application/json;version=39.1"
    };
    let login = http
        .post(format!("{}/cloudapi/1.0.0/sessions", sim.url()))
        .basic_auth(
            format!(
                "{}@{}",
                d["username"].as_str().unwrap(),
                d["org"].as_str().unwrap()
            ),
            d["password"].as_str(),
        )
        .header("Accept", accept)
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let session = login.headers()["x-vmware-vcloud-access-token"]
        .to_str()
        .expect("header")
        .to_string();
    let r = http
        .post(format!("{}/cloudapi/1.0.0/tokens", sim.url()))
        .bearer_auth(&session)
        .header("Accept", accept)
        .json(&json!({ "name": name, "type": "PROXY" }))
        .send()
        .await
        .expect("create PROXY token");
    assert_eq!(r.status(), 200);
}

/// The identity broker form that exchanges a fleet API token for an access token.
pub fn fleet_token_form(api_token: &str) -> [(&'static str, &str); 2] {
    [
        (
            "grant_type",
            "urn:custom:vcf:params:oauth:grant-type:api-token",
        ),
        ("api_token", api_token),
    ]
}

/// A working directory whose provider block comes from the environment: fleet IAM on `sim`
/// with the ready line's API token, realm `flt-idb02` by default.
pub fn fleet_workdir(tf: &Terraform, sim: &Sim) -> Workdir {
    Workdir::new(tf)
        .env("VCF_OPERATIONS_HOST", &sim.host())
        .env(
            "VCF_OPERATIONS_API_TOKEN",
            sim.ready["operations"]["api_token"]
                .as_str()
                .expect("api_token"),
        )
        .env(
            "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
            sim.ready["operations"]["token_endpoint_url"]
                .as_str()
                .expect("token_endpoint_url"),
        )
        .env("VCF_CA_FILE", sim.ca_file())
        .env("VCF_DEFAULT_SSO_REALM", "flt-idb02")
}

impl Workdir {
    /// Runs terraform and fails the test, with its output, unless it succeeds.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let t = text(&out);
        assert!(
            out.status.success(),
            "Terraform {} {args:?} failed:\n{t}",
            self.tf.version
        );
        t
    }

    /// The exit code of `terraform plan -detailed-exitcode` (0 no changes, 2 changes) and its
    /// output with every run of whitespace made one space (Terraform wraps diagnostics).
    pub fn plan_code(&self) -> (i32, String) {
        let out = self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        let flat = flatten_whitespace(&text(&out));
        (out.status.code().unwrap_or(-1), flat)
    }

    /// Asserts that a plan has no changes.
    pub fn assert_no_changes(&self, when: &str) {
        let (code, t) = self.plan_code();
        assert_eq!(
            code, 0,
            "Terraform {}: {when}: expected an empty plan:\n{t}",
            self.tf.version
        );
    }

    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// The values of resource `address` in `terraform show -json` (sensitive values included).
    pub fn values(&self, address: &str) -> Value {
        let out = self.run(&["show", "-json"]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        doc["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|list| list.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or(Value::Null)
    }
}

/// A fresh sim, its control and a [`fleet_workdir`] on it for Terraform `tf` (bind them in this
/// order, so that the workdir goes before the sim).
pub fn fleet_sim_and_workdir(tf: &Terraform) -> (Sim, SyncControl, Workdir) {
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    let wd = fleet_workdir(tf, &sim);
    (sim, ctl, wd)
}

/// A working directory whose provider block comes from the environment: the sim's Cloud
/// Director, signed in as the tenant user of the ready line.
pub fn director_workdir(tf: &Terraform, sim: &Sim) -> Workdir {
    let d = &sim.ready["director"];
    Workdir::new(tf)
        .env("VCF_DIRECTOR_HOST", &sim.host())
        .env("VCF_DIRECTOR_ORG", d["org"].as_str().expect("director org"))
        .env(
            "VCF_DIRECTOR_USERNAME",
            d["username"].as_str().expect("director user"),
        )
        .env(
            "VCF_DIRECTOR_PASSWORD",
            d["password"].as_str().expect("director password"),
        )
        .env("VCF_CA_FILE", sim.ca_file())
}

/// A working directory whose provider block comes from the environment: the sim's SDDC
/// Manager, signed in as the administrator of the ready line.
pub fn sddc_admin_workdir(tf: &Terraform, sim: &Sim) -> Workdir {
    let admin = &sim.ready["sddc_manager"];
    Workdir::new(tf)
        .env("VCF_SDDC_MANAGER_HOST", &sim.host())
        .env(
            "VCF_SDDC_MANAGER_USERNAME",
            admin["username"].as_str().expect("SDDC user"),
        )
        .env(
            "VCF_SDDC_MANAGER_PASSWORD",
            admin["password"].as_str().expect("SDDC password"),
        )
        .env("VCF_CA_FILE", sim.ca_file())
}

/// HCL of `vcf_api_client.<client>` (id `client_id`) and `vcf_role_assignment.<assignment>`,
/// which gives that client `vcf_viewer` on the default realm.
pub fn viewer_api_client_hcl(client: &str, client_id: &str, assignment: &str) -> String {
    format!(
        r#"
resource "vcf_api_client" "{client}" {{
  client_id = "{client_id}"
}}

resource "vcf_role_assignment" "{assignment}" {{
  principal_id = vcf_api_client.{client}.principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}}
"#
    )
}

/// HCL of `ephemeral.vcf_access_token.x`, exchanged from the temporary API token
/// `ephemeral.vcf_temporary_api_token.<temporary>`, and of the provider `vcf.second` on `host`
/// signed in with it (`extra` goes into that provider block).
pub fn second_provider_from_temporary_token_hcl(
    temporary: &str,
    host: &str,
    extra: &str,
) -> String {
    format!(
        r#"ephemeral "vcf_access_token" "x" {{
  api_token          = ephemeral.vcf_temporary_api_token.{temporary}.token
  token_endpoint_url = ephemeral.vcf_temporary_api_token.{temporary}.token_endpoint_url
}}
provider "vcf" {{
  alias = "second"
  operations {{
    host         = "{host}"
    access_token = ephemeral.vcf_access_token.x.access_token
  }}
  {extra}
}}
"#
    )
}

/// `text` with every run of whitespace made one space (Terraform wraps its diagnostics).
pub fn flatten_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Workdir {
    /// Plans; asserts that `plan -detailed-exitcode` exits with `code` and that the output
    /// holds each of `needles`; returns the output with its whitespace flattened.
    pub fn assert_plan(&self, code: i32, needles: &[&str]) -> String {
        let (got, plan) = self.plan_code();
        let v = &self.tf.version;
        assert_eq!(got, code, "Terraform {v}: plan exit code: {plan}");
        for needle in needles {
            assert!(
                plan.contains(needle),
                "Terraform {v}: no {needle:?} in the plan: {plan}"
            );
        }
        plan
    }

    /// Runs `terraform apply -auto-approve` without failing the test when it fails.
    pub fn try_apply(&self) -> Output {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// Runs `terraform destroy -auto-approve` and fails the test, with its output, unless it
    /// succeeds.
    pub fn destroy(&self) -> String {
        self.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }
}

/// The default realm's id and the id of the VCF instance it covers.
pub fn realm_ids(sim: &Sim) -> (String, String) {
    (
        sim.ready["sso_realm_id"]
            .as_str()
            .expect("realm")
            .to_string(),
        sim.ready["vcf_instance_id"]
            .as_str()
            .expect("instance")
            .to_string(),
    )
}
