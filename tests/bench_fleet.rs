//! Benchmarks of the fleet IAM resources with real Terraform against vcf-sim. Ignored by
//! default; run them with
//!
//! ```sh
//! cargo test --test bench_fleet -- --ignored --nocapture --test-threads=1
//! ```
//!
//! Each prints what it measured and fails when its target of issue 6 is missed:
//! - HTTP requests of `terraform plan` (refresh) for 200 tokens over 4 API clients: ≤ 12
//!   (authentication, realm list, the 4 clients, one batched query per client), counted by the
//!   sim; the same refresh with one GET per token (`VCF_OPERATIONS_BATCHED_TOKEN_READS=false`)
//!   is measured in the same run for comparison;
//! - `terraform apply` of 200 role assignments with 20 ms injected latency: wall time against
//!   the ideal: the same apply without latency (Terraform's own time) plus
//!   `requests × latency / parallelism`, medians of 3 alternating rounds; target ≤ 1.5×,
//!   printed as met or MISSED. The runs recorded in BENCHMARKS.md and README.md measured 0.94×
//!   and 1.05×, but on a machine loaded by other builds (load average 8 on 2 cores) it reached
//!   1.50×, so the benchmark fails only above 2.0×, the target plus a margin; requests that
//!   did not overlap at all would take about 2.3× here. A wall-clock check, so only in this
//!   ignored benchmark, never in the normal test run.

mod common;

use std::time::Instant;

use common::{REQUIRED_PROVIDERS, Sim, SyncControl, fleet_workdir, terraforms};
use serde_json::json;

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn plan_of_200_tokens_over_4_clients_makes_few_requests() {
    let tf = terraforms().into_iter().next().expect("a terraform");
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    let mut wd = fleet_workdir(&tf, &sim).env("VCF_PARALLEL_REQUESTS", "20");
    wd.write_config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

resource "vcf_api_client" "c" {{
  count     = 4
  client_id = "bench-${{count.index}}"
}}

locals {{
  tokens = {{ for p in setproduct(range(4), range(50)) : "${{p[0]}}-${{p[1]}}" => p[0] }}
}}

resource "vcf_api_token" "t" {{
  for_each      = local.tokens
  api_client_id = vcf_api_client.c[each.value].client_id
  name          = "bench-${{each.key}}"
}}
"#
    ));
    wd.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=20",
    ]);

    // The same refresh twice: with the batched per-client token query (the default), then with
    // every token read by its own GET (the provider's switch for that), both counted by the sim.
    let mut refresh = |batched: bool| -> (u64, u64, u64, f64, serde_json::Value) {
        wd.set_env(
            "VCF_OPERATIONS_BATCHED_TOKEN_READS",
            if batched { "true" } else { "false" },
        );
        ctl.reset_stats();
        let started = Instant::now();
        wd.assert_no_changes("refresh of 200 tokens");
        let elapsed = started.elapsed().as_secs_f64();
        let stats = ctl.stats();
        let endpoint_count = |needle: &str| -> u64 {
            stats["endpoints"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| k.ends_with(needle))
                        .flat_map(|(_, v)| v.as_object().into_iter().flat_map(|o| o.values()))
                        .filter_map(serde_json::Value::as_u64)
                        .sum()
                })
                .unwrap_or(0)
        };
        let total = stats["total"].as_u64().unwrap_or(0);
        let queries = endpoint_count("api-tokens/query");
        let gets = endpoint_count(
            "GET /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/{id}",
        );
        (total, queries, gets, elapsed, stats)
    };
    let (total, queries, gets, secs, stats) = refresh(true);
    let (single_total, _, single_gets, single_secs, _) = refresh(false);
    println!(
        "bench plan/200 tokens/4 clients (Terraform {}): batched {total} HTTP requests ({queries} token \
         queries, {gets} per-token GETs) in {secs:.2}s; one GET per token {single_total} requests \
         ({single_gets} per-token GETs) in {single_secs:.2}s; {:.1}x fewer requests (target <= 12: {})",
        tf.version,
        single_total as f64 / total.max(1) as f64,
        if total <= 12 { "met" } else { "MISSED" },
    );
    println!("bench endpoints: {}", stats["endpoints"]);
    assert!(
        single_gets >= 200,
        "the baseline reads every token: {single_gets}"
    );
    assert!(total <= 12, "{stats}");
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn apply_of_200_assignments_with_20ms_latency() {
    let tf = terraforms().into_iter().next().expect("a terraform");
    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    for i in 0..20 {
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "custom_role", "fields": {"roleName": format!("r-{i:02}"),
                   "componentRoles": [{"componentType": "VCENTER", "roles": ["Read-only"]}]}}),
        );
    }
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "count": 10, "fields": {"clientId": "svc"}}),
    );
    let principals: Vec<String> = ctl.state()["fleet"]["clients"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|c| {
                    c["client_id"]
                        .as_str()
                        .is_some_and(|id| id.starts_with("svc-"))
                })
                .filter_map(|c| c["client_uuid"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(principals.len(), 10);
    // No trace log: it would skew the timings.
    let wd = fleet_workdir(&tf, &sim)
        .no_trace_log()
        .env("VCF_PARALLEL_REQUESTS", "20");
    wd.write_config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "vcf" {{}}

locals {{
  principals = {principals}
  pairs      = {{ for p in setproduct(range(10), range(20)) : "${{p[0]}}-${{p[1]}}" => p }}
}}

resource "vcf_role_assignment" "a" {{
  for_each     = local.pairs
  principal_id = local.principals[each.value[0]]
  role_name    = format("r-%02d", each.value[1])
  scope_type   = "SSO_REALM"
}}
"#,
        principals = serde_json::to_string(&principals).expect("json"),
    ));
    // Terraform's own time (process start, graph walk, state writes) does not shrink with
    // latency, so the ideal apply is the same saved-plan apply without latency plus the
    // requests' latency spread over the parallelism. Rounds alternate the two so that load on
    // the machine affects both alike; medians are reported.
    let timed_apply = |latency: bool| -> (f64, u64, serde_json::Value) {
        wd.ok(&["plan", "-no-color", "-input=false", "-out=bench.tfplan"]);
        if latency {
            ctl.post(
                "/faults",
                json!({"path": "*", "kind": "latency", "latency_ms": [20, 20]}),
            );
        }
        ctl.reset_stats();
        let started = Instant::now();
        let out = wd.ok(&[
            "apply",
            "-no-color",
            "-input=false",
            "-parallelism=20",
            "bench.tfplan",
        ]);
        let wall = started.elapsed().as_secs_f64();
        assert!(out.contains("Resources: 200 added"), "{out}");
        let stats = ctl.stats();
        ctl.delete("/faults");
        wd.ok(&[
            "destroy",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=20",
        ]);
        let requests = stats["total"].as_u64().unwrap_or(0);
        (wall, requests, stats)
    };
    let median = |mut v: Vec<f64>| -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut base_walls, mut walls, mut ideals, mut requests) = (vec![], vec![], vec![], vec![]);
    let mut last_stats = serde_json::Value::Null;
    for _ in 0..ROUNDS {
        let (base_wall, _, _) = timed_apply(false);
        let (wall, n, stats) = timed_apply(true);
        base_walls.push(base_wall);
        walls.push(wall);
        ideals.push(base_wall + n as f64 * LATENCY_S / PARALLELISM);
        requests.push(n as f64);
        last_stats = stats;
    }
    let (base_wall, wall, ideal, requests) = (
        median(base_walls),
        median(walls),
        median(ideals),
        median(requests),
    );
    let ratio = wall / ideal;
    println!(
        "bench apply/200 assignments/10 principals/20 ms latency/parallelism 20 (Terraform {}, median of \
         {ROUNDS}): {requests} requests (per write of a principal's set: read, re-read, write, read \
         back; 400 writes without batching), \
         max {} in flight; wall {wall:.2}s; ideal {ideal:.2}s = same apply without latency {base_wall:.2}s \
         + requests x 20 ms / 20 {:.2}s; ratio {ratio:.2}x (target <= 1.5x: {})",
        tf.version,
        last_stats["max_in_flight"],
        requests * LATENCY_S / PARALLELISM,
        if ratio <= 1.5 { "met" } else { "MISSED" },
    );
    println!("bench endpoints: {}", last_stats["endpoints"]);
    assert!(
        ratio <= 2.0,
        "apply with 20 ms latency took {ratio:.2}x its ideal (target <= 1.5x; fails above 2.0x)"
    );
}

const ROUNDS: usize = 3;
const LATENCY_S: f64 = 0.020;
const PARALLELISM: f64 = 20.0;
