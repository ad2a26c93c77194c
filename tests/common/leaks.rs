//! The secrets check of every test that runs Terraform through [`super::Workdir`] against a
//! [`super::Sim`].
//!
//! Every `Workdir::run` leaves artifacts: the Terraform log of the command (`TF_LOG=trace` into
//! a per-command `TF_LOG_PATH`, which holds the provider's stderr too), its stdout and stderr
//! (the test output; a Terraform or provider crash prints there), and any `crash*.log` that
//! Terraform writes in the working directory. When a workdir or a sim goes away, whichever comes
//! first, the artifacts of the workdir are searched for every secret of every sim of its test
//! still running (the sims of the same thread; every sim of the process when that thread has
//! none): what `GET /_sim/secrets` lists (each secret an API answer carried and each
//! credential a request gave, with its kind), the credentials of the ready line, and the
//! secret-named values of `GET /_sim/state`. Any hit fails the test, naming the artifact and the
//! kind of secret, never the secret.
//!
//! What a command is asked to print is left out only where printing secrets is its job:
//!
//! * `terraform output` (users ask for sensitive outputs explicitly): its stdout is not kept;
//! * `terraform state pull` and `terraform state show` (they print the state): stdout not kept;
//! * `terraform show -json`, of the state or of a saved plan: the values Terraform marks
//!   sensitive (`sensitive_values`, `before_sensitive`/`after_sensitive`, sensitive outputs and
//!   sensitive input variables) are blanked out, and the rest is checked. A plan's
//!   `prior_state` and each change's `before` are copies of the state, so they may hold what the
//!   state may hold — the attributes the schema declares sensitive — and nothing more.
//!
//! The trace log and stderr of those commands are checked like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::thread::ThreadId;

use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::Value;

/// Secrets shorter than this are not searched for (they would match by chance).
const MIN_SECRET_LEN: usize = 6;

/// One file to search.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub path: PathBuf,
    /// What it is, for the report: "trace log of command #3 (`terraform apply`)".
    pub what: String,
}

/// One secret, with its kind ("answer field accessToken", "ready line operations.password", …).
#[derive(Clone, Debug)]
pub struct Secret {
    pub value: String,
    pub kind: String,
}

/// One occurrence of a secret in an artifact. Holds no secret: only its kind and length, and
/// the surroundings with every secret masked.
#[derive(Clone, Debug)]
pub struct Hit {
    pub artifact: String,
    pub path: PathBuf,
    pub kind: String,
    pub len: usize,
    /// Where the first occurrence starts, and how many there are.
    pub offset: usize,
    pub count: usize,
    pub context: String,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a secret ({}, {} chars) appears {} time(s) in the {} ({}), first at byte {}: …{}…",
            self.kind,
            self.len,
            self.count,
            self.artifact,
            self.path.display(),
            self.offset,
            self.context
        )
    }
}

/// The outcome of searching some artifacts for some secrets.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub secrets: usize,
    pub artifacts: usize,
    pub bytes: u64,
    pub hits: Vec<Hit>,
}

/// Searches `artifacts` for `secrets` (those shorter than [`MIN_SECRET_LEN`] are skipped).
/// Artifacts that no longer exist are skipped (a test may remove its own log file).
pub fn check(secrets: &[Secret], artifacts: &[Artifact]) -> Report {
    // Each secret as it is, and as a URL query or form (percent-encoded) or a JSON string
    // (escaped) would carry it, where that differs.
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    let mut distinct = BTreeSet::new();
    for s in secrets {
        if s.value.len() < MIN_SECRET_LEN {
            continue;
        }
        distinct.insert(s.value.as_str());
        kinds
            .entry(s.value.clone())
            .or_insert_with(|| s.kind.clone());
        for (form, how) in [
            (percent_encoded(&s.value), "percent-encoded"),
            (json_escaped(&s.value), "JSON-escaped"),
        ] {
            if form != s.value {
                kinds
                    .entry(form)
                    .or_insert_with(|| format!("{}, {how}", s.kind));
            }
        }
    }
    let patterns: Vec<&str> = kinds.keys().map(String::as_str).collect();
    let mut report = Report {
        secrets: distinct.len(),
        ..Report::default()
    };
    if patterns.is_empty() {
        return report;
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .expect("secret patterns");
    let longest = patterns.iter().map(|p| p.len()).max().unwrap_or(0);
    for a in artifacts {
        let Ok(bytes) = std::fs::read(&a.path) else {
            continue;
        };
        report.artifacts += 1;
        report.bytes += bytes.len() as u64;
        // One hit per secret and artifact, with the first occurrence's surroundings.
        let mut found: BTreeMap<usize, Hit> = BTreeMap::new();
        for m in ac.find_iter(&bytes) {
            let secret = patterns[m.pattern().as_usize()];
            found
                .entry(m.pattern().as_usize())
                .and_modify(|h| h.count += 1)
                .or_insert_with(|| Hit {
                    artifact: a.what.clone(),
                    path: a.path.clone(),
                    kind: kinds[secret].clone(),
                    len: secret.len(),
                    offset: m.start(),
                    count: 1,
                    context: masked_context(&ac, &bytes, m.start(), m.end(), longest),
                });
        }
        report.hits.extend(found.into_values());
    }
    report
}

/// `s` with every byte but the unreserved ones of RFC 3986 as `%XX`.
fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `s` as the inside of a JSON string.
fn json_escaped(s: &str) -> String {
    let quoted = Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// About 200 bytes either side of `start..end`, with every secret replaced by `<SECRET>`. The
/// window is cut `longest` bytes wider and trimmed after masking, so that no part of a secret
/// that straddles its edge survives.
fn masked_context(
    ac: &AhoCorasick,
    bytes: &[u8],
    start: usize,
    end: usize,
    longest: usize,
) -> String {
    const AROUND: usize = 200;
    let lo = start.saturating_sub(AROUND + longest);
    let hi = (end + AROUND + longest).min(bytes.len());
    let window = &bytes[lo..hi];
    let mut out = Vec::with_capacity(window.len());
    let mut last = 0;
    for m in ac.find_iter(window) {
        out.extend_from_slice(&window[last..m.start()]);
        out.extend_from_slice(b"<SECRET>");
        last = m.end();
    }
    out.extend_from_slice(&window[last..]);
    let from = if lo > 0 { longest.min(out.len()) } else { 0 };
    let to = if hi < bytes.len() {
        out.len().saturating_sub(longest).max(from)
    } else {
        out.len()
    };
    String::from_utf8_lossy(&out[from..to]).replace('\n', "⏎")
}

/// Secret-named values of a JSON document, with where they are: the keys of `sessions` and
/// `refresh_tokens` maps (the sim's state keeps tokens as keys), and strings under keys that
/// name a secret.
pub fn secrets_in_json(v: &Value, origin: &str) -> Vec<Secret> {
    fn walk(v: &Value, key: &str, origin: &str, out: &mut Vec<Secret>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if key == "sessions" || key == "refresh_tokens" {
                        out.push(Secret {
                            value: k.clone(),
                            kind: format!("{origin} {key} key"),
                        });
                    }
                    walk(x, k, origin, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, origin, out)),
            Value::String(s) => {
                let k = key.to_ascii_lowercase();
                let secret_field = k == "secret"
                    || k == "jwt_key"
                    || k == "admin_secret"
                    || k.ends_with("password")
                    || k.ends_with("api_key")
                    || k.ends_with("apikey")
                    || k.ends_with("api_token")
                    || k.ends_with("access_token")
                    || k.ends_with("refresh_token");
                if secret_field && !s.is_empty() {
                    out.push(Secret {
                        value: s.clone(),
                        kind: format!("{origin} field {key}"),
                    });
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", origin, &mut out);
    out
}

/// Every secret of a running sim: `GET /_sim/secrets` (issued or given, with kinds), the
/// ready line's credentials and the secret-named values of `GET /_sim/state`.
pub fn sim_secrets(url: &str, ca_pem: &[u8], ready: &Value) -> Result<Vec<Secret>, String> {
    let url = url.to_string();
    let pem = ca_pem.to_vec();
    // A thread of its own: the caller may be inside a runtime (or unwinding).
    let (listed, state) = std::thread::spawn(move || -> Result<(Value, Value), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string())?;
            let http = reqwest::Client::builder()
                .tls_certs_only(certs)
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .map_err(|e| e.to_string())?;
            let get = |path: &'static str| {
                let http = http.clone();
                let url = format!("{url}/_sim/{path}");
                async move {
                    http.get(url)
                        .send()
                        .await
                        .map_err(|e| format!("GET /_sim/{path}: {e}"))?
                        .json::<Value>()
                        .await
                        .map_err(|e| format!("GET /_sim/{path}: {e}"))
                }
            };
            Ok((get("secrets").await?, get("state").await?))
        })
    })
    .join()
    .map_err(|_| "the secrets fetch panicked".to_string())??;
    let mut out: Vec<Secret> = Vec::new();
    match listed["issued"].as_array() {
        Some(list) => out.extend(list.iter().filter_map(|e| {
            Some(Secret {
                value: e["secret"].as_str()?.to_string(),
                kind: format!("sim: {}", e["kind"].as_str().unwrap_or("issued")),
            })
        })),
        None => out.extend(
            listed["secrets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    Some(Secret {
                        value: s.as_str()?.to_string(),
                        kind: "sim: issued".into(),
                    })
                }),
        ),
    }
    out.extend(secrets_in_json(ready, "sim ready line"));
    out.extend(secrets_in_json(&state, "sim state"));
    Ok(out)
}

/// Blanks out, in a document of `terraform show -json` (a state or a saved plan), every value
/// that Terraform marks sensitive; see the module documentation.
pub fn mask_sensitive(doc: &mut Value) {
    const MASK: &str = "(sensitive)";
    fn apply(v: &mut Value, mask: &Value) {
        match (mask, v) {
            (Value::Bool(true), v) => *v = Value::String(MASK.into()),
            (Value::Object(m), Value::Object(o)) => {
                for (k, mk) in m {
                    if let Some(x) = o.get_mut(k) {
                        apply(x, mk);
                    }
                }
            }
            (Value::Array(m), Value::Array(a)) => {
                for (x, mk) in a.iter_mut().zip(m) {
                    apply(x, mk);
                }
            }
            _ => {}
        }
    }
    // A values representation: `{outputs, root_module: {resources, child_modules}}`.
    fn values(v: &mut Value) {
        if let Some(outputs) = v["outputs"].as_object_mut() {
            for o in outputs.values_mut() {
                if o["sensitive"] == Value::Bool(true) {
                    o["value"] = Value::String(MASK.into());
                }
            }
        }
        module(&mut v["root_module"]);
    }
    fn module(m: &mut Value) {
        for r in m["resources"].as_array_mut().into_iter().flatten() {
            let mask = r["sensitive_values"].clone();
            apply(&mut r["values"], &mask);
        }
        for c in m["child_modules"].as_array_mut().into_iter().flatten() {
            module(c);
        }
    }
    fn change(c: &mut Value) {
        let (before, after) = (c["before_sensitive"].clone(), c["after_sensitive"].clone());
        apply(&mut c["before"], &before);
        apply(&mut c["after"], &after);
    }
    if !doc.is_object() {
        return;
    }
    // State: `{values}`; plan: `{planned_values, prior_state: {values}, …}`.
    if doc.get("values").is_some() {
        values(&mut doc["values"]);
    }
    if doc.get("planned_values").is_some() {
        values(&mut doc["planned_values"]);
    }
    if doc.get("prior_state").is_some() {
        values(&mut doc["prior_state"]["values"]);
    }
    for key in ["resource_changes", "resource_drift"] {
        for rc in doc[key].as_array_mut().into_iter().flatten() {
            change(&mut rc["change"]);
        }
    }
    for d in doc["deferred_changes"].as_array_mut().into_iter().flatten() {
        change(&mut d["resource_change"]["change"]);
    }
    if let Some(outputs) = doc["output_changes"].as_object_mut() {
        for c in outputs.values_mut() {
            change(c);
        }
    }
    let sensitive_vars: Vec<String> = doc["configuration"]["root_module"]["variables"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v["sensitive"] == Value::Bool(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    if let Some(vars) = doc["variables"].as_object_mut() {
        for name in sensitive_vars {
            if let Some(v) = vars.get_mut(&name) {
                v["value"] = Value::String(MASK.into());
            }
        }
    }
}

/// What becomes of a command's stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stdout {
    /// Checked as printed.
    Checked,
    /// `show -json`: checked with the values Terraform marks sensitive blanked out.
    MaskSensitive,
    /// Printing secrets is the command's job (`output`, `state pull`, `state show`): not kept.
    Reveals,
}

/// How the stdout of `terraform <args>` is treated; see the module documentation.
pub fn stdout_rule(args: &[&str]) -> Stdout {
    let words: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    match words.as_slice() {
        ["output", ..] => Stdout::Reveals,
        ["state", "pull" | "show", ..] => Stdout::Reveals,
        ["show", ..] if args.contains(&"-json") => Stdout::MaskSensitive,
        _ => Stdout::Checked,
    }
}

/// The sims and workdirs alive in this process.
///
/// Each remembers the thread that made it: under `cargo test` the tests of a binary share the
/// process, one thread each, so a workdir meets the sims of its own thread (its test's), or
/// every sim when its thread has none (a workdir made on a thread a test spawned).
struct Registry {
    next_id: u64,
    sims: BTreeMap<u64, SimEntry>,
    workdirs: BTreeMap<u64, WorkdirEntry>,
}

struct WorkdirEntry {
    thread: ThreadId,
    artifacts: Vec<Artifact>,
}

impl Registry {
    /// Whether the workdirs of `thread` meet sim `sim`.
    fn meets(&self, thread: ThreadId, sim: u64) -> bool {
        let own = self.sims.values().any(|s| s.thread == thread);
        !own || self.sims.get(&sim).is_some_and(|s| s.thread == thread)
    }
}

struct SimEntry {
    thread: ThreadId,
    url: String,
    ca_pem: Vec<u8>,
    ready: Value,
    /// What was checked against this sim's secrets so far.
    tally: Report,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next_id: 1,
    sims: BTreeMap::new(),
    workdirs: BTreeMap::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    fn next(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

pub fn register_sim(ready: &Value, ca_pem: Vec<u8>) -> u64 {
    let mut r = registry();
    let id = r.next();
    r.sims.insert(
        id,
        SimEntry {
            thread: std::thread::current().id(),
            url: ready["url"].as_str().unwrap_or_default().to_string(),
            ca_pem,
            ready: ready.clone(),
            tally: Report::default(),
        },
    );
    id
}

pub fn register_workdir() -> u64 {
    let mut r = registry();
    let id = r.next();
    r.workdirs.insert(
        id,
        WorkdirEntry {
            thread: std::thread::current().id(),
            artifacts: Vec::new(),
        },
    );
    id
}

/// Adds an artifact of workdir `id` (once per path).
pub fn add_artifact(id: u64, path: &Path, what: String) {
    let mut r = registry();
    let Some(entry) = r.workdirs.get_mut(&id) else {
        return;
    };
    let list = &mut entry.artifacts;
    if !list.iter().any(|a| a.path == path) {
        list.push(Artifact {
            path: path.to_path_buf(),
            what,
        });
    }
}

/// Fails the test with `problems` — or, when the thread is already unwinding, only prints
/// them (a panic inside a drop during a panic aborts the process).
fn fail_on_problems(problems: Vec<String>) {
    if problems.is_empty() {
        return;
    }
    const SHOWN: usize = 20;
    let more = problems.len().saturating_sub(SHOWN);
    let mut msg = format!(
        "secrets check failed:\n  {}",
        problems[..problems.len().min(SHOWN)].join("\n  ")
    );
    if more > 0 {
        msg.push_str(&format!("\n  … and {more} more"));
    }
    if std::thread::panicking() {
        eprintln!("{msg}");
    } else {
        panic!("{msg}");
    }
}

/// Workdir `id` goes away: its artifacts are checked against every live sim.
pub fn workdir_dropped(id: u64) {
    let (artifacts, sims) = {
        let mut r = registry();
        let Some(entry) = r.workdirs.remove(&id) else {
            return;
        };
        let sims: Vec<(u64, String, Vec<u8>, Value)> = r
            .sims
            .iter()
            .filter(|(sim, _)| r.meets(entry.thread, **sim))
            .map(|(id, s)| (*id, s.url.clone(), s.ca_pem.clone(), s.ready.clone()))
            .collect();
        (entry.artifacts, sims)
    };
    if artifacts.is_empty() {
        return;
    }
    let mut problems = Vec::new();
    for (sim_id, url, pem, ready) in sims {
        match sim_secrets(&url, &pem, &ready) {
            Ok(secrets) => {
                let report = check(&secrets, &artifacts);
                problems.extend(report.hits.iter().map(Hit::to_string));
                if let Some(s) = registry().sims.get_mut(&sim_id) {
                    s.tally.secrets = s.tally.secrets.max(report.secrets);
                    s.tally.artifacts += report.artifacts;
                    s.tally.bytes += report.bytes;
                    s.tally.hits.extend(report.hits);
                }
            }
            // A sim of another test in this process (under `cargo test`) may have stopped
            // meanwhile: only one still registered must answer.
            Err(e) if registry().sims.contains_key(&sim_id) => {
                problems.push(format!("cannot list the secrets of the sim at {url}: {e}"))
            }
            Err(_) => {}
        }
    }
    fail_on_problems(problems);
}

/// Sim `id` goes away (before it is stopped): the artifacts of the workdirs still alive are
/// checked against its secrets, and a one-line summary of everything checked against them is
/// printed.
pub fn sim_dropped(id: u64) {
    let (entry, artifacts) = {
        let mut r = registry();
        let artifacts: Vec<Artifact> = r
            .workdirs
            .values()
            .filter(|w| r.meets(w.thread, id))
            .flat_map(|w| w.artifacts.iter().cloned())
            .collect();
        let Some(entry) = r.sims.remove(&id) else {
            return;
        };
        (entry, artifacts)
    };
    let mut tally = entry.tally;
    let mut problems = Vec::new();
    if !artifacts.is_empty() {
        match sim_secrets(&entry.url, &entry.ca_pem, &entry.ready) {
            Ok(secrets) => {
                let report = check(&secrets, &artifacts);
                problems.extend(report.hits.iter().map(Hit::to_string));
                tally.secrets = tally.secrets.max(report.secrets);
                tally.artifacts += report.artifacts;
                tally.bytes += report.bytes;
                tally.hits.extend(report.hits);
            }
            Err(e) => problems.push(format!(
                "cannot list the secrets of the sim at {}: {e}",
                entry.url
            )),
        }
    }
    if tally.artifacts > 0 {
        let kinds: BTreeSet<&str> = tally.hits.iter().map(|h| h.kind.as_str()).collect();
        eprintln!(
            "secrets check: {} secrets x {} artifacts ({:.1} MB), {} hits{}",
            tally.secrets,
            tally.artifacts,
            tally.bytes as f64 / 1e6,
            tally.hits.len(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.into_iter().collect::<Vec<_>>().join(", "))
            }
        );
    }
    fail_on_problems(problems);
}
