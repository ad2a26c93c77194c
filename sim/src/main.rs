//! vcf-sim: a simulator of the VCF SDDC Manager, fleet IAM (VCF Operations + identity broker) and
//! Cloud Director / VCF Automation token APIs, for the provider's tests, quickstart and benchmarks.
//! See `sim/README.md` and `vcf-sim --help`.

mod clock;
mod config;
mod control;
mod director;
mod faults;
mod fleet;
mod http;
mod routes;
mod sddc;
mod server;
mod tls;
mod world;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use serde_json::json;

use crate::server::{Shared, Tls};

const AFTER_HELP: &str = "\
READY LINE (exactly one JSON line on stdout once the port is listening):
  {\"url\":\"https://127.0.0.1:PORT\",\"ca_file\":\"DIR/ca.pem\",
   \"sddc_manager\":{\"username\",\"password\"},
   \"operations\":{\"username\",\"password\",\"api_token\":\"vidb_…\",\"token_endpoint_url\"},
   \"director\":{\"org\",\"username\",\"password\"},
   \"sso_realm_id\",\"vcf_instance_id\",
   \"control\":{\"url\":\"…/_sim\",\"admin_secret\"},\"seed\":N,\"pid\":N}
The sim then serves until SIGTERM or SIGINT, and saves its state on the way out.

SDDC MANAGER SERVICE ACCOUNTS: the apiKey returned once by POST /v1/users (type SERVICE)
authenticates with POST /v1/tokens {\"apiKey\":\"…\"}, which returns the usual token pair.
";

#[derive(Parser, Debug)]
#[command(
    name = "vcf-sim",
    version,
    about = "Simulator of the VCF SDDC Manager, fleet IAM and Director APIs (one HTTPS port)",
    after_help = format!("{AFTER_HELP}\n{}", control::HELP)
)]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed in the ready line).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Directory for the CA file, TLS key material and the persisted state (state.json). A
    /// restarted sim with the same directory keeps its objects, tokens and clock. Without it a
    /// temporary directory is used and nothing survives a restart.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// TOML file seeding realms, VCF instances, users, roles and credentials of a fresh state
    /// (ignored when the state directory already holds a state). See sim/README.md.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Speed of the simulated clock relative to real time (60 = one simulated hour per minute).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Seed of the fault-injection RNG (random when absent; printed in the ready line).
    #[arg(long)]
    seed: Option<u64>,
    /// Serve plain HTTP instead of HTTPS. For debugging only.
    #[arg(long)]
    insecure_http: bool,
    /// Secret that non-loopback peers must send in X-Sim-Admin-Secret to use /_sim/ (random
    /// when absent; printed in the ready line).
    #[arg(long)]
    admin_secret: Option<String>,
    /// Print one line per API request on stderr: request id, method, path, status, duration.
    /// Bodies, headers and query strings are never printed.
    #[arg(long)]
    log_requests: bool,
}

fn main() {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => fail(&format!("cannot start the runtime: {e}")),
    };
    if let Err(e) = rt.block_on(run(args)) {
        fail(&e);
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("vcf-sim: {msg}");
    std::process::exit(1);
}

async fn run(args: Args) -> Result<(), String> {
    if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
        return Err("--time-scale must be a positive number".into());
    }
    let (state_dir, persist) = match &args.state_dir {
        Some(d) => (d.clone(), true),
        None => (
            std::env::temp_dir().join(format!("vcf-sim-{}", std::process::id())),
            false,
        ),
    };
    std::fs::create_dir_all(&state_dir)
        .map_err(|e| format!("cannot create {}: {e}", state_dir.display()))?;
    let state_dir = state_dir.canonicalize().unwrap_or(state_dir);
    let cfg = match &args.config {
        Some(p) => config::Config::load(p)?,
        None => config::Config::default(),
    };
    let state_file = persist.then(|| state_dir.join("state.json"));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    let scheme = if args.insecure_http { "http" } else { "https" };
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let base_url = format!("{scheme}://{host}:{}", addr.port());

    let tls = if args.insecure_http {
        // The CA file still exists so the ready line is uniform.
        tls::setup(&state_dir, Some(addr.ip().to_string()))?;
        Tls::Off
    } else {
        let cfg = tls::setup(&state_dir, Some(addr.ip().to_string()))?;
        Tls::On(tokio_rustls::TlsAcceptor::from(cfg))
    };

    let loaded = match &state_file {
        Some(p) if p.exists() => {
            let text = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let mut w: world::World = serde_json::from_slice(&text)
                .map_err(|e| format!("corrupt state file {}: {e}", p.display()))?;
            w.lockout_cfg = cfg.lockout.clone();
            Some(w)
        }
        _ => None,
    };
    let skew = loaded.as_ref().map(|w| w.clock_skew_ms).unwrap_or(0);
    let clock = clock::Clock::new(args.time_scale, skew);
    let world = match loaded {
        Some(w) => w,
        None => world::World::seed(&cfg, clock.now_ms())?,
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let admin_secret = args
        .admin_secret
        .clone()
        .unwrap_or_else(|| world::random_b64(18));
    let ready = world.ready.clone();
    let shared = Arc::new(Shared {
        world: Mutex::new(world),
        clock,
        router: routes::Router::new(&[sddc::ROUTES, fleet::ROUTES, director::ROUTES]),
        faults: Mutex::new(faults::Faults::new(seed)),
        stats: Mutex::new(server::Stats::default()),
        base_url: base_url.clone(),
        admin_secret: admin_secret.clone(),
        state_file,
        request_prefix: world::random_alnum(6).to_lowercase(),
        request_counter: AtomicU64::new(1),
        log_requests: args.log_requests,
        save_lock: Mutex::new(()),
    });
    shared
        .save(true)
        .map_err(|e| format!("cannot write the state file: {e}"))?;

    // Persist changes in the background.
    let saver = shared.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if let Err(e) = saver.save(false) {
                eprintln!("vcf-sim: saving state failed: {e}");
            }
        }
    });
    tokio::spawn(server::serve(listener, shared.clone(), tls));

    // Signal handlers exist before anyone can learn our address from the ready line.
    let signals = Signals::new();
    let line = json!({
        "url": base_url,
        "ca_file": state_dir.join(tls::CA_FILE),
        "sddc_manager": { "username": ready.sddc_username, "password": ready.sddc_password },
        "operations": {
            "username": ready.ops_username,
            "password": ready.ops_password,
            "api_token": ready.ops_api_token,
            "token_endpoint_url": format!("{base_url}{}", fleet::TOKEN_ENDPOINT_PATH),
        },
        "director": {
            "org": ready.director_org,
            "username": ready.director_username,
            "password": ready.director_password,
        },
        "sso_realm_id": ready.realm_id,
        "vcf_instance_id": ready.vcf_instance_id,
        "control": { "url": format!("{base_url}/_sim"), "admin_secret": admin_secret },
        "seed": seed,
        "pid": std::process::id(),
    });
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    signals.wait().await;
    if let Err(e) = shared.save(true) {
        eprintln!("vcf-sim: saving state failed: {e}");
    }
    Ok(())
}

/// SIGTERM and SIGINT, registered up front.
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals {
            term: signal(SignalKind::terminate()).ok(),
            int: signal(SignalKind::interrupt()).ok(),
        }
    }

    async fn wait(mut self) {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            _ = recv(&mut self.term) => {}
            _ = recv(&mut self.int) => {}
        }
    }
}
