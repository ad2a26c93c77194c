//! Load generator for vcf-sim: N keep-alive TLS connections issue simple authenticated GETs for a
//! fixed time; prints requests/s and latency percentiles as one JSON line.
//!
//! ```text
//! cargo build --release -p vcf-sim --bins --examples
//! target/release/examples/load                      # starts target/release/vcf-sim itself
//! target/release/examples/load --concurrency 64 --seconds 10 --path /v1/domains
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Measure vcf-sim throughput and latency over keep-alive TLS")]
struct Args {
    /// The vcf-sim binary to start (default: `vcf-sim` next to this example's directory).
    #[arg(long)]
    sim: Option<PathBuf>,
    /// Concurrent connections (one request in flight on each).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Measured duration, after a one-second warm-up.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Target total rate (requests/s) instead of as fast as possible (paced by tokio timers,
    /// 1 ms resolution). Latency is measured from the send of each request.
    #[arg(long)]
    rate: Option<f64>,
    /// SDDC Manager path to GET with the admin's bearer token.
    #[arg(long, default_value = "/v1/roles")]
    path: String,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let sim_bin = match &args.sim {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.join("vcf-sim"))
            .ok_or("cannot locate vcf-sim; pass --sim")?,
    };
    let dir = std::env::temp_dir().join(format!("vcf-sim-load-{}", std::process::id()));
    let mut child = Command::new(&sim_bin)
        .args(["--listen", "127.0.0.1:0", "--state-dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", sim_bin.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let ready: Value = serde_json::from_str(&line).map_err(|e| format!("ready line: {e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = rt.block_on(run(&args, &ready));
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", result?);
    Ok(())
}

async fn run(args: &Args, ready: &Value) -> Result<Value, String> {
    let url = ready["url"].as_str().ok_or("no url")?.to_string();
    let ca =
        std::fs::read(ready["ca_file"].as_str().ok_or("no ca_file")?).map_err(|e| e.to_string())?;
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).map_err(|e| e.to_string())?])
        .no_proxy()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .map_err(|e| e.to_string())?;
    let pair: Value = client
        .post(format!("{url}/v1/tokens"))
        .json(&json!({ "username": ready["sddc_manager"]["username"], "password": ready["sddc_manager"]["password"] }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = Arc::new(
        pair["accessToken"]
            .as_str()
            .ok_or("no access token")?
            .to_string(),
    );
    let target = Arc::new(format!("{url}{}", args.path));
    let warmup = Duration::from_secs(1);
    let measured = Duration::from_secs(args.seconds);
    let start = Instant::now();
    let period = args
        .rate
        .map(|r| Duration::from_secs_f64(args.concurrency as f64 / r.max(1.0)));
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, token, target) = (client.clone(), token.clone(), target.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut ticker = period.map(|p| {
                let mut i = tokio::time::interval(p);
                i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                i
            });
            loop {
                if let Some(i) = ticker.as_mut() {
                    i.tick().await;
                }
                let t0 = Instant::now();
                if t0 - start >= warmup + measured {
                    break;
                }
                let ok = match client
                    .get(target.as_str())
                    .bearer_auth(token.as_str())
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if t0 - start >= warmup {
                    if ok {
                        lat.push(t0.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.map_err(|e| e.to_string())?;
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i] as f64 / 1000.0
    };
    Ok(json!({
        "path": args.path,
        "concurrency": args.concurrency,
        "target_rate": args.rate,
        "seconds": args.seconds,
        "requests": all.len(),
        "errors": errors,
        "requests_per_second": (all.len() as f64 / measured.as_secs_f64()).round(),
        "latency_ms": { "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0) },
    }))
}
