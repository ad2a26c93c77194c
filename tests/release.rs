//! `scripts/release` end to end, the way a user meets a release.
//!
//! One release is built (cargo's own freshness check makes the build a no-op when the release
//! binary is current) and signed with a throw-away RSA key in a temporary GnuPG home. Then,
//! independently of the script: the signature is verified with gpg against the public key
//! alone, every line of SHA256SUMS is checked and every artifact is listed, each zip holds only
//! `terraform-provider-vcf_vVERSION`, and the `h1:` / `zh:` hashes of the mirror are
//! recomputed. For each Terraform (1.11 and 1.15), in clean directories whose only set-up is a
//! CLI configuration with a `provider_installation` block (no dev_overrides, HOME empty):
//!
//! - `terraform init` from the packed filesystem mirror; the lock file records the provider
//!   with the zip's hashes; `terraform providers lock -fs-mirror` records the same; the
//!   installed binary is the released one, and a plan against vcf-sim runs with it;
//! - the same mirror directory as a `network_mirror`, served over HTTPS by a static server
//!   with a throw-away CA (`SSL_CERT_FILE`), and `providers lock -net-mirror`;
//! - the static registry layout (`--registry`) as the origin registry `localhost:PORT`:
//!   Terraform itself checks the signature and SHA256SUMS (and names the key).
//!
//! Tampering is caught: a changed zip, SHA256SUMS or signature fails the verification here,
//! and Terraform refuses a tampered zip or signature from the registry, a tampered zip from the
//! network mirror, and one from the filesystem mirror once the lock file records the hashes.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine as _;
use common::{Sim, Terraform, terraforms, text};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const NAME: &str = "terraform-provider-vcf";
const ADDRESS: &str = "local/vmware/vcf";

/// Damages one artifact of a release directory.
type Tamper<'a> = Box<dyn Fn(&Path) + 'a>;

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn need(tool: &str, install: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(found, "{tool} is missing: install {install}");
}

fn run_ok(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(out.status.success(), "{what} failed:\n{}", text(&out));
    out
}

// ---------------------------------------------------------------------------------------------
// Hashes, computed with coreutils' sha256sum: independent of the script's Python.

fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("sha256sum output");
    writer.join().expect("writer").expect("write to sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_string()
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn zip_members(zip: &Path) -> Vec<String> {
    let out = run_ok(Command::new("unzip").arg("-Z1").arg(zip), "unzip -Z1");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn zip_member(zip: &Path, member: &str) -> Vec<u8> {
    run_ok(
        Command::new("unzip").arg("-p").arg(zip).arg(member),
        "unzip -p",
    )
    .stdout
}

/// Terraform's `h1:` hash of a provider package: Go's dirhash Hash1 over the files in it.
fn h1(zip: &Path) -> String {
    let mut names = zip_members(zip);
    names.sort();
    let summary: String = names
        .iter()
        .map(|n| format!("{}  {n}\n", sha256_hex(&zip_member(zip, n))))
        .collect();
    let digest = hex_decode(&sha256_hex(summary.as_bytes()));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn zh(zip: &Path) -> String {
    format!("zh:{}", sha256_hex(&std::fs::read(zip).expect("read zip")))
}

// ---------------------------------------------------------------------------------------------
// GnuPG in a home of its own.

struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir()
            .expect("temp dir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        Gpg { home }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.arg("--batch")
            .env("GNUPGHOME", self.home.path())
            .stdin(Stdio::null());
        c
    }

    /// A throw-away RSA signing key; returns its fingerprint and ASCII-armored public key.
    fn generate_key(&self) -> (String, String) {
        run_ok(
            self.cmd().args([
                "--passphrase",
                "",
                "--quick-gen-key",
                "terraform-provider-vcf release test <release-test@example.invalid>",
                "rsa2048",
                "sign",
                "1d",
            ]),
            "gpg --quick-gen-key",
        );
        let out = run_ok(
            self.cmd().args(["--with-colons", "--list-secret-keys"]),
            "gpg --list-secret-keys",
        );
        let listing = String::from_utf8_lossy(&out.stdout);
        let fpr = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|l| l.split(':').find(|f| f.len() == 40))
            .expect("fingerprint")
            .to_string();
        let out = run_ok(
            self.cmd().args(["--armor", "--export", &fpr]),
            "gpg --export",
        );
        (fpr, String::from_utf8_lossy(&out.stdout).to_string())
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", self.home.path())
            .output();
    }
}

// ---------------------------------------------------------------------------------------------
// The verification a user (or a registry) makes of a release directory.

fn file_name(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .to_string()
}

/// Checks `dist` against the public key alone: the signature of SHA256SUMS, that SHA256SUMS
/// lists every zip and the manifest and nothing else, every hash, and what each zip holds.
fn verify_release(dist: &Path, public_key: &str, fingerprint: &str) -> Result<(), String> {
    let prefix = format!("{NAME}_{VERSION}_");
    let sums = dist.join(format!("{prefix}SHA256SUMS"));
    let sig = dist.join(format!("{prefix}SHA256SUMS.sig"));
    let gpg = Gpg::new();
    let mut import = gpg.cmd();
    import.arg("--import").stdin(Stdio::piped());
    let mut child = import
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(public_key.as_bytes())
        .map_err(|e| e.to_string())?;
    if !child.wait().map_err(|e| e.to_string())?.success() {
        return Err("the public key does not import".into());
    }
    let out = gpg
        .cmd()
        .args(["--status-fd", "1", "--verify"])
        .arg(&sig)
        .arg(&sums)
        .output()
        .map_err(|e| e.to_string())?;
    let status = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !status.contains(&format!("VALIDSIG {fingerprint}")) {
        return Err(format!("signature: {}", text(&out)));
    }

    let listed: Vec<(String, String)> = std::fs::read_to_string(&sums)
        .map_err(|e| e.to_string())?
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap_or((l, ""));
            (hash.to_string(), name.to_string())
        })
        .collect();
    let names: BTreeSet<String> = listed.iter().map(|(_, n)| n.clone()).collect();
    let mut artifacts = BTreeSet::new();
    for e in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let n = file_name(&e.map_err(|e| e.to_string())?.path());
        if n.starts_with(&prefix) && !n.ends_with("_SHA256SUMS") && !n.ends_with(".sig") {
            artifacts.insert(n);
        }
    }
    if names != artifacts {
        return Err(format!(
            "SHA256SUMS lists {names:?}, the release has {artifacts:?}"
        ));
    }
    if !names.contains(&format!("{prefix}manifest.json")) {
        return Err("SHA256SUMS does not cover the manifest".into());
    }
    for (hash, name) in &listed {
        let actual = sha256_hex(&std::fs::read(dist.join(name)).map_err(|e| e.to_string())?);
        if &actual != hash {
            return Err(format!(
                "{name}: SHA256SUMS says {hash}, the file is {actual}"
            ));
        }
        if name.ends_with(".zip") {
            let members = zip_members(&dist.join(name));
            if members != [format!("{NAME}_v{VERSION}")] {
                return Err(format!("{name} holds {members:?}"));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A static HTTPS file server with a throw-away CA, for the network mirror and the registry.

struct StaticServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

/// A CA and a server certificate for localhost / 127.0.0.1 signed by it: (CA PEM, config).
fn tls_material() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_pem = ca.self_signed(&ca_key).expect("CA").pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("params");
    let cert = params.signed_by(&key, &issuer).expect("certificate");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
    (ca_pem, Arc::new(config))
}

fn serve(root: PathBuf, tls: Arc<rustls::ServerConfig>) -> StaticServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, tls, log) = (root.clone(), tls.clone(), log.clone());
            std::thread::spawn(move || {
                let _ = answer(stream, &root, tls, &log);
            });
        }
    });
    StaticServer { port, requests }
}

fn answer(
    stream: TcpStream,
    root: &Path,
    tls: Arc<rustls::ServerConfig>,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let conn = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut s = rustls::StreamOwned::new(conn, stream);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 || head.len() > 65536 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/").to_string();
    log.lock().expect("log").push(path.clone());
    let file = root.join(path.trim_start_matches('/'));
    let body = (method == "GET" && !path.contains(".."))
        .then(|| std::fs::read(&file).ok())
        .flatten();
    let (status, body, kind) = match body {
        Some(b) if path.ends_with(".zip") => ("200 OK", b, "application/zip"),
        Some(b) if path.ends_with(".sig") || path.ends_with("SHA256SUMS") => {
            ("200 OK", b, "application/octet-stream")
        }
        Some(b) => ("200 OK", b, "application/json"),
        None => ("404 Not Found", b"not found\n".to_vec(), "text/plain"),
    };
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(&body)?;
    s.conn.send_close_notify();
    s.flush()
}

// ---------------------------------------------------------------------------------------------
// Terraform in a clean directory.

struct Clean<'a> {
    tf: &'a Terraform,
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
    cli_config: PathBuf,
    ca_file: PathBuf,
    env: Vec<(String, String)>,
}

impl<'a> Clean<'a> {
    /// A directory holding `main.tf` for `source`, and a CLI configuration holding only
    /// `installation` (a provider_installation block).
    fn new(tf: &'a Terraform, source: &str, installation: &str, ca_file: &Path) -> Clean<'a> {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = tempfile::tempdir().expect("temp dir");
        let cli_config = home.path().join("terraform.rc");
        std::fs::write(&cli_config, installation).expect("CLI config");
        std::fs::write(
            dir.path().join("main.tf"),
            format!(
                "terraform {{\n  required_providers {{\n    vcf = {{ source = \"{source}\", version = \"{VERSION}\" }}\n  }}\n}}\n\nprovider \"vcf\" {{}}\n\ndata \"vcf_sso_realm\" \"fleet\" {{\n  name = \"flt-idb02\"\n}}\n\noutput \"realm\" {{\n  value = data.vcf_sso_realm.fleet.id\n}}\n"
            ),
        )
        .expect("main.tf");
        Clean {
            tf,
            dir,
            home,
            cli_config,
            ca_file: ca_file.to_path_buf(),
            env: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(&self.tf.path);
        // Nothing of the caller's Terraform set-up (TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR,
        // TF_DATA_DIR, TF_CLI_ARGS*, ...) leaks in.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("TF_") {
                cmd.env_remove(&k);
            }
        }
        cmd.args(args)
            .current_dir(self.path())
            .env("HOME", self.home.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("SSL_CERT_FILE", &self.ca_file)
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output()
            .unwrap_or_else(|e| panic!("terraform {args:?}: {e}"))
    }

    fn init(&self) -> Output {
        self.run(&["init", "-input=false", "-no-color"])
    }

    fn lock(&self) -> String {
        std::fs::read_to_string(self.path().join(".terraform.lock.hcl")).unwrap_or_default()
    }
}

/// The version and hashes that a lock file records for `address`.
fn locked(lock: &str, address: &str) -> (String, BTreeSet<String>) {
    let start = lock
        .find(&format!("provider \"{address}\" {{"))
        .unwrap_or_else(|| panic!("no provider \"{address}\" in the lock file:\n{lock}"));
    let block = &lock[start..];
    let block = &block[..block.find("\n}").unwrap_or(block.len())];
    let version = regex_lite::Regex::new(r#"version\s*=\s*"([^"]+)""#)
        .expect("regex")
        .captures(block)
        .map(|c| c[1].to_string())
        .unwrap_or_default();
    let hashes = regex_lite::Regex::new(r#""((?:h1|zh):[^"]+)""#)
        .expect("regex")
        .captures_iter(block)
        .map(|c| c[1].to_string())
        .collect();
    (version, hashes)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Replaces `zip` by a well-formed zip of the same name whose binary has one more byte: the
/// archive is fine, its content is not the released one.
fn tamper_zip(zip: &Path) {
    let member = format!("{NAME}_v{VERSION}");
    let work = tempfile::tempdir().expect("temp dir");
    let mut binary = zip_member(zip, &member);
    binary.push(0);
    std::fs::write(work.path().join(&member), binary).expect("write");
    std::fs::remove_file(zip).expect("remove zip");
    run_ok(
        Command::new("zip")
            .args(["-q", "-X"])
            .arg(zip)
            .arg(&member)
            .current_dir(work.path()),
        "zip",
    );
}

fn flip_last_byte(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let last = bytes.last_mut().expect("not empty");
    *last ^= 0x01;
    std::fs::write(path, bytes).expect("write");
}

fn release(args: &[&str], gpg: &Gpg, fpr: &str, public: &str) -> Output {
    let started = Instant::now();
    let out = Command::new(format!("{ROOT}/scripts/release"))
        .args(args)
        .arg(VERSION)
        .env("GNUPGHOME", gpg.home.path())
        .env("TF_VCF_SIGNING_KEY_ID", fpr)
        .env("TF_VCF_SIGNING_PUBLIC_KEY", public)
        .env_remove("TF_VCF_SIGNING_PUBLIC_KEY_FILE")
        .env_remove("TF_VCF_SIGNING_PASSPHRASE")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(Stdio::null())
        .output()
        .expect("scripts/release runs");
    eprintln!(
        "release: scripts/release {args:?} took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "scripts/release: {}", text(&out));
    out
}

#[test]
fn release_is_signed_verified_and_installed_by_terraform_init() {
    let started = Instant::now();
    need("gpg", "GnuPG (Debian/Ubuntu: apt-get install gnupg)");
    need("unzip", "unzip (Debian/Ubuntu: apt-get install unzip)");
    need("zip", "zip (Debian/Ubuntu: apt-get install zip)");
    need("sha256sum", "coreutils");
    let platform = platform();
    let work = tempfile::tempdir().expect("temp dir");
    let (dist, mirror, registry) = (
        work.path().join("dist"),
        work.path().join("mirror"),
        work.path().join("registry"),
    );

    let signer = Gpg::new();
    let (fpr, public) = signer.generate_key();
    let long_id = &fpr[24..];
    let s = |p: &Path| p.display().to_string();
    release(
        &[
            "--dist",
            &s(&dist),
            "--mirror",
            &s(&mirror),
            "--registry",
            &s(&registry),
        ],
        &signer,
        &fpr,
        &public,
    );

    // The artifacts, checked without the script.
    let prefix = format!("{NAME}_{VERSION}_");
    let zip = dist.join(format!("{prefix}{platform}.zip"));
    let manifest = std::fs::read_to_string(dist.join(format!("{prefix}manifest.json")))
        .expect("manifest in dist");
    assert_eq!(
        manifest,
        std::fs::read_to_string(format!("{ROOT}/terraform-registry-manifest.json"))
            .expect("committed manifest")
    );
    let doc: serde_json::Value = serde_json::from_str(&manifest).expect("manifest is JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    verify_release(&dist, &public, &fpr).expect("the release verifies");
    let binary = zip_member(&zip, &format!("{NAME}_v{VERSION}"));
    let unpacked = work.path().join("unpacked");
    std::fs::write(&unpacked, &binary).expect("write binary");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&unpacked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = run_ok(
        Command::new(&unpacked).arg("--version"),
        "released --version",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{NAME} {VERSION}")
    );
    let (h1, zh) = (h1(&zip), zh(&zip));
    let mdir = mirror.join(ADDRESS);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mdir.join("index.json")).expect("index.json"))
            .expect("index.json is JSON");
    assert_eq!(index["versions"][VERSION], serde_json::json!({}));
    let vjson: serde_json::Value = serde_json::from_slice(
        &std::fs::read(mdir.join(format!("{VERSION}.json"))).expect("VERSION.json"),
    )
    .expect("VERSION.json is JSON");
    assert_eq!(
        vjson["archives"][&platform],
        serde_json::json!({"url": file_name(&zip), "hashes": [h1, zh]})
    );
    assert_eq!(
        std::fs::read(mdir.join(file_name(&zip))).expect("zip in mirror"),
        std::fs::read(&zip).expect("zip")
    );

    // Reproducible: a second run (the build is fresh) packs the same bytes.
    let dist2 = work.path().join("dist2");
    release(&["--no-sign", "--dist", &s(&dist2)], &signer, &fpr, &public);
    assert_eq!(
        std::fs::read_to_string(dist2.join(format!("{prefix}SHA256SUMS"))).expect("sums 2"),
        std::fs::read_to_string(dist.join(format!("{prefix}SHA256SUMS"))).expect("sums 1"),
        "two runs give the same SHA256SUMS"
    );

    // Tampering fails the verification.
    let sums_name = format!("{prefix}SHA256SUMS");
    let tampers: [(&str, Tamper); 3] = [
        (
            "a zip",
            Box::new(|d: &Path| tamper_zip(&d.join(file_name(&zip)))),
        ),
        (
            "SHA256SUMS",
            Box::new(|d: &Path| {
                let p = d.join(&sums_name);
                let sums = std::fs::read_to_string(&p).expect("sums");
                let (hash, rest) = sums.split_at(1);
                let other = if hash == "0" { "1" } else { "0" };
                std::fs::write(&p, format!("{other}{rest}")).expect("write");
            }),
        ),
        (
            "the signature",
            Box::new(|d: &Path| flip_last_byte(&d.join(format!("{sums_name}.sig")))),
        ),
    ];
    for (what, tamper) in &tampers {
        let copy = work.path().join("tampered");
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&dist, &copy);
        tamper(&copy);
        let res = verify_release(&copy, &public, &fpr);
        assert!(res.is_err(), "a release with {what} changed verifies");
        eprintln!(
            "release: {what} changed: {}",
            res.unwrap_err().lines().next().unwrap_or("")
        );
    }

    // Servers: the mirror as a network mirror, the registry layout as an origin registry, and
    // tampered copies of both.
    let (ca_pem, tls) = tls_material();
    let ca_file = work.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).expect("CA file");
    let net = serve(mirror.clone(), tls.clone());
    let reg = serve(registry.clone(), tls.clone());
    let zip_in_registry = registry.join(format!(
        "v1/providers/vmware/vcf/{VERSION}/{}",
        file_name(&zip)
    ));
    let bad_mirror = work.path().join("bad-mirror");
    copy_dir(&mirror, &bad_mirror);
    tamper_zip(&bad_mirror.join(ADDRESS).join(file_name(&zip)));
    let bad_net = serve(bad_mirror.clone(), tls.clone());
    let bad_zip_registry = work.path().join("bad-zip-registry");
    copy_dir(&registry, &bad_zip_registry);
    tamper_zip(
        &bad_zip_registry.join(
            zip_in_registry
                .strip_prefix(&registry)
                .expect("in registry"),
        ),
    );
    let bad_zip_reg = serve(bad_zip_registry, tls.clone());
    let bad_sig_registry = work.path().join("bad-sig-registry");
    copy_dir(&registry, &bad_sig_registry);
    flip_last_byte(&bad_sig_registry.join(format!(
        "v1/providers/vmware/vcf/{VERSION}/{prefix}SHA256SUMS.sig"
    )));
    let bad_sig_reg = serve(bad_sig_registry, tls);

    let fs_block = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
        mirror.display()
    );
    let net_block = |port: u16| {
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"https://127.0.0.1:{port}/\"\n  }}\n}}\n"
        )
    };
    let direct_block = "provider_installation {\n  direct {}\n}\n";
    let sim = Sim::start();
    let installed_rel =
        format!(".terraform/providers/{ADDRESS}/{VERSION}/{platform}/{NAME}_v{VERSION}");

    for tf in terraforms() {
        let v = &tf.version;
        let tf_started = Instant::now();

        // Filesystem mirror.
        let fs = Clean::new(&tf, ADDRESS, &fs_block, &ca_file);
        let out = fs.init();
        let t = text(&out);
        assert!(
            out.status.success(),
            "Terraform {v}: init from the filesystem mirror: {t}"
        );
        assert!(
            t.contains(&format!("Installing {ADDRESS} v{VERSION}")),
            "Terraform {v}: {t}"
        );
        let (version, fs_hashes) = locked(&fs.lock(), ADDRESS);
        assert_eq!(version, VERSION, "Terraform {v}");
        assert!(
            fs_hashes.contains(&h1),
            "Terraform {v}: lock {fs_hashes:?} lacks {h1}"
        );
        assert!(
            fs_hashes.iter().all(|h| *h == h1 || *h == zh),
            "Terraform {v}: lock {fs_hashes:?} has hashes of another package"
        );
        assert_eq!(
            std::fs::read(fs.path().join(&installed_rel)).expect("installed provider"),
            binary,
            "Terraform {v}: the installed provider is the released binary"
        );
        let out = fs.run(&["version", "-json"]);
        let ver: serde_json::Value = serde_json::from_slice(&out.stdout).expect("version -json");
        assert_eq!(
            ver["provider_selections"][ADDRESS], VERSION,
            "Terraform {v}"
        );
        let locker = Clean::new(&tf, ADDRESS, &fs_block, &ca_file);
        let m = format!("-fs-mirror={}", mirror.display());
        let p = format!("-platform={platform}");
        let out = locker.run(&["providers", "lock", "-no-color", &m, &p]);
        assert!(
            out.status.success(),
            "Terraform {v}: providers lock -fs-mirror: {}",
            text(&out)
        );
        assert_eq!(
            locked(&locker.lock(), ADDRESS),
            (VERSION.to_string(), fs_hashes.clone()),
            "Terraform {v}: providers lock -fs-mirror agrees with init"
        );

        // A plan against vcf-sim with the installed provider.
        let mut plan = fs;
        plan.env = vec![
            ("VCF_OPERATIONS_HOST".into(), sim.host()),
            (
                "VCF_OPERATIONS_API_TOKEN".into(),
                sim.ready["operations"]["api_token"]
                    .as_str()
                    .expect("token")
                    .into(),
            ),
            (
                "VCF_OPERATIONS_TOKEN_ENDPOINT_URL".into(),
                sim.ready["operations"]["token_endpoint_url"]
                    .as_str()
                    .expect("endpoint")
                    .into(),
            ),
            ("VCF_CA_FILE".into(), sim.ca_file().into()),
        ];
        let out = plan.run(&["plan", "-input=false", "-no-color"]);
        let t = text(&out);
        assert!(out.status.success(), "Terraform {v}: plan: {t}");
        let realm = sim.ready["sso_realm_id"].as_str().expect("realm id");
        assert!(
            t.contains(realm),
            "Terraform {v}: the plan shows the realm {realm}: {t}"
        );

        // A tampered zip in the filesystem mirror is refused once the lock file has the hashes.
        let tampered = Clean::new(
            &tf,
            ADDRESS,
            &fs_block.replace(
                &mirror.display().to_string(),
                &bad_mirror.display().to_string(),
            ),
            &ca_file,
        );
        std::fs::write(tampered.path().join(".terraform.lock.hcl"), plan.lock()).expect("lock");
        let out = tampered.init();
        assert!(
            !out.status.success() && text(&out).contains("checksums previously recorded"),
            "Terraform {v}: a tampered zip in the filesystem mirror was not refused for its checksum: {}",
            text(&out)
        );

        // Network mirror over HTTPS.
        let nm = Clean::new(&tf, ADDRESS, &net_block(net.port), &ca_file);
        let out = nm.init();
        let t = text(&out);
        assert!(
            out.status.success(),
            "Terraform {v}: init from the network mirror: {t}"
        );
        let (version, net_hashes) = locked(&nm.lock(), ADDRESS);
        assert_eq!(version, VERSION, "Terraform {v}");
        assert!(
            net_hashes.contains(&h1),
            "Terraform {v}: lock {net_hashes:?} lacks {h1}"
        );
        assert!(
            net_hashes.iter().all(|h| *h == h1 || *h == zh),
            "Terraform {v}: lock {net_hashes:?} has hashes of another package"
        );
        let seen = net.requests();
        for want in [
            format!("/{ADDRESS}/index.json"),
            format!("/{ADDRESS}/{VERSION}.json"),
            format!("/{ADDRESS}/{}", file_name(&zip)),
        ] {
            assert!(
                seen.contains(&want),
                "Terraform {v}: no GET {want} in {seen:?}"
            );
        }
        let locker = Clean::new(&tf, ADDRESS, &net_block(net.port), &ca_file);
        let m = format!("-net-mirror=https://127.0.0.1:{}/", net.port);
        let out = locker.run(&["providers", "lock", "-no-color", &m, &p]);
        assert!(
            out.status.success(),
            "Terraform {v}: providers lock -net-mirror: {}",
            text(&out)
        );
        assert_eq!(
            locked(&locker.lock(), ADDRESS),
            (VERSION.to_string(), net_hashes.clone()),
            "Terraform {v}: providers lock -net-mirror agrees with init"
        );
        let bad = Clean::new(&tf, ADDRESS, &net_block(bad_net.port), &ca_file);
        let out = bad.init();
        let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            !out.status.success() && t.contains("checksum"),
            "Terraform {v}: a tampered zip from the network mirror was not refused for its checksum: {t}"
        );

        // The registry layout as an origin registry: Terraform checks the signature itself.
        let source = format!("localhost:{}/vmware/vcf", reg.port);
        let rg = Clean::new(&tf, &source, direct_block, &ca_file);
        let out = rg.init();
        let t = text(&out);
        assert!(
            out.status.success(),
            "Terraform {v}: init from the registry: {t}"
        );
        assert!(
            t.contains(&format!("self-signed, key ID {}", long_id.to_uppercase())),
            "Terraform {v}: init names the signing key {long_id}: {t}"
        );
        let (version, reg_hashes) = locked(&rg.lock(), &source);
        assert_eq!(version, VERSION, "Terraform {v}");
        assert!(
            reg_hashes.contains(&h1) && reg_hashes.contains(&zh),
            "Terraform {v}: lock {reg_hashes:?} lacks {h1} or {zh}"
        );
        let locker = Clean::new(&tf, &source, direct_block, &ca_file);
        let out = locker.run(&["providers", "lock", "-no-color", &p]);
        assert!(
            out.status.success(),
            "Terraform {v}: providers lock: {}",
            text(&out)
        );
        assert_eq!(
            locked(&locker.lock(), &source),
            (VERSION.to_string(), reg_hashes.clone()),
            "Terraform {v}: providers lock against the registry agrees with init"
        );
        for (what, server, reason) in [
            ("zip", &bad_zip_reg, "checksum"),
            ("signature", &bad_sig_reg, "signature"),
        ] {
            let source = format!("localhost:{}/vmware/vcf", server.port);
            let bad = Clean::new(&tf, &source, direct_block, &ca_file);
            let out = bad.init();
            let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                !out.status.success() && t.contains(reason),
                "Terraform {v}: a tampered {what} from the registry was not refused for its {reason}: {t}"
            );
        }
        eprintln!(
            "release: Terraform {v}: lock hashes: filesystem mirror {fs_hashes:?}, network mirror {net_hashes:?}, registry {reg_hashes:?}"
        );
        eprintln!(
            "release: Terraform {v}: installs checked in {:.1} s",
            tf_started.elapsed().as_secs_f64()
        );
    }
    eprintln!(
        "release: whole test {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
