//! vcf-sim: a simulator of the VCF SDDC Manager, fleet IAM (VCF Operations + identity broker) and
//! Cloud Director / VCF Automation token APIs, for the provider's tests, quickstart and benchmarks.
//! See `sim/README.md` and `vcf-sim --help`.
//!
//! The binary is the usual way in (it prints the ready line). The library runs the same server
//! inside another process: [`start`] on an existing tokio runtime, or [`spawn`] on its own.

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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{Shared, Tls};

pub use crate::control::HELP as CONTROL_API_HELP;

/// Start-up options; the binary's flags map one to one.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub state_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub time_scale: f64,
    pub seed: Option<u64>,
    pub insecure_http: bool,
    pub admin_secret: Option<String>,
    pub log_requests: bool,
    /// `cloud_director` or `vcf_automation`: which product the Director family plays.
    pub director_flavor: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_dir: None,
            config: None,
            time_scale: 1.0,
            seed: None,
            insecure_http: false,
            admin_secret: None,
            log_requests: false,
            director_flavor: None,
        }
    }
}

/// A running sim.
pub struct Server {
    ready: Value,
    shared: Arc<Shared>,
}

impl Server {
    /// The ready line, as JSON (see the README).
    pub fn ready(&self) -> &Value {
        &self.ready
    }

    pub fn url(&self) -> &str {
        &self.shared.base_url
    }

    /// Write the state file now (a no-op without `state_dir`).
    pub fn save(&self) -> Result<(), String> {
        self.shared
            .save(true)
            .map_err(|e| format!("saving state failed: {e}"))
    }
}

/// A sim on its own runtime, for synchronous callers. Stops when dropped.
pub struct Background {
    server: Server,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Background {
    pub fn server(&self) -> &Server {
        &self.server
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.server.save();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Start a sim on a runtime of its own (two worker threads).
pub fn spawn(opts: Options) -> Result<Background, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("vcf-sim")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let server = std::thread::scope(|s| {
        s.spawn(|| runtime.block_on(start(opts)))
            .join()
            .unwrap_or_else(|_| Err("vcf-sim start-up panicked".into()))
    })?;
    Ok(Background {
        server,
        runtime: Some(runtime),
    })
}

static TEMP_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Bind, load or seed the world, and serve on the current tokio runtime.
pub async fn start(args: Options) -> Result<Server, String> {
    if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
        return Err("--time-scale must be a positive number".into());
    }
    let (state_dir, persist) = match &args.state_dir {
        Some(d) => (d.clone(), true),
        None => (
            std::env::temp_dir().join(format!(
                "vcf-sim-{}-{}",
                std::process::id(),
                TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
            )),
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
    let mut world = match loaded {
        Some(w) => w,
        None => world::World::seed(&cfg, clock.now_ms())?,
    };
    if let Some(f) = args
        .director_flavor
        .as_ref()
        .or(cfg.director.flavor.as_ref())
    {
        world.director.flavor = f.clone();
    }
    if world.director.flavor.is_empty() {
        world.director.flavor = director::CLOUD_DIRECTOR.into();
    }
    if ![director::CLOUD_DIRECTOR, director::VCF_AUTOMATION]
        .contains(&world.director.flavor.as_str())
    {
        return Err(format!(
            "--director-flavor must be {} or {}, not {:?}",
            director::CLOUD_DIRECTOR,
            director::VCF_AUTOMATION,
            world.director.flavor
        ));
    }
    let director_flavor = world.director.flavor.clone();
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
        in_flight: AtomicU64::new(0),
        log_requests: args.log_requests,
        save_lock: Mutex::new(()),
        issued: Mutex::new(Default::default()),
        release: tokio::sync::Notify::new(),
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
            "flavor": director_flavor,
        },
        "sso_realm_id": ready.realm_id,
        "vcf_instance_id": ready.vcf_instance_id,
        "control": { "url": format!("{base_url}/_sim"), "admin_secret": admin_secret },
        "seed": seed,
        "pid": std::process::id(),
    });
    Ok(Server {
        ready: line,
        shared,
    })
}
