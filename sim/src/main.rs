//! The `vcf-sim` binary: flags, the ready line on stdout, and SIGTERM/SIGINT handling around
//! the server of the `vcf_sim` library. See `sim/README.md` and `vcf-sim --help`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

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
    after_help = format!("{AFTER_HELP}\n{}", vcf_sim::CONTROL_API_HELP)
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
    /// Which product the Director family plays: cloud_director (OAuth under /oauth, API versions
    /// 37.0-39.1) or vcf_automation (OAuth under /tm/oauth, API versions 9.0.0 and 9.1.0).
    #[arg(long)]
    director_flavor: Option<String>,
}

fn main() {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => exit_with_error(&format!("cannot start the runtime: {e}")),
    };
    if let Err(e) = rt.block_on(run(args)) {
        exit_with_error(&e);
    }
    // Connections still open do not keep the process alive.
    rt.shutdown_background();
}

fn exit_with_error(msg: &str) -> ! {
    eprintln!("vcf-sim: {msg}");
    std::process::exit(1);
}

async fn run(args: Args) -> Result<(), String> {
    let server = vcf_sim::start(vcf_sim::Options {
        listen: args.listen,
        state_dir: args.state_dir,
        config: args.config,
        time_scale: args.time_scale,
        seed: args.seed,
        insecure_http: args.insecure_http,
        admin_secret: args.admin_secret,
        log_requests: args.log_requests,
        director_flavor: args.director_flavor,
    })
    .await?;
    // Signal handlers exist before anyone can learn our address from the ready line.
    let signals = Signals::new();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", server.ready());
        let _ = out.flush();
    }
    signals.wait().await;
    if let Err(e) = server.save() {
        eprintln!("vcf-sim: {e}");
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
