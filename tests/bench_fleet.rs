//! Benchmarks of the fleet IAM resources with real Terraform against vcf-sim. Ignored by
//! default; run them with
//!
//! ```sh
//! cargo test --test bench_fleet -- --ignored --nocapture --test-threads=1
//! ```
//!
//! They print what they measured in one run, and assert the targets of issue 6:
//! - HTTP requests of `terraform plan` (refresh) for 200 tokens over 4 API clients: ≤ 12
//!   (authentication, realm list, the 4 clients, one batched query per client);
//! - `terraform apply` of 200 role assignments with 20 ms injected latency: wall time against
//!   the ideal `requests × latency / parallelism`.

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
    let wd = fleet_workdir(&tf, &sim).env("VCF_PARALLEL_REQUESTS", "20");
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

    ctl.reset_stats();
    let started = Instant::now();
    wd.assert_no_changes("refresh of 200 tokens");
    let elapsed = started.elapsed();
    let stats = ctl.stats();
    let total = stats["total"].as_u64().unwrap_or(0);
    let endpoint_count = |needle: &str| -> u64 {
        stats["endpoints"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.contains(needle))
                    .flat_map(|(_, v)| v.as_object().into_iter().flat_map(|o| o.values()))
                    .filter_map(serde_json::Value::as_u64)
                    .sum()
            })
            .unwrap_or(0)
    };
    let queries = endpoint_count("api-tokens/query");
    let per_token_gets =
        endpoint_count("GET /suite-api/api/fleet-management/iam/ssorealms/{realm}/api-tokens/{id}");
    // Without the shared snapshot every token would be read with its own GET: the same
    // requests minus the queries, plus one per token.
    let one_get_per_token = total - queries + 200;
    println!(
        "bench plan/200 tokens/4 clients (Terraform {}): {total} HTTP requests ({queries} token queries, \
         {per_token_gets} per-token GETs) in {:.2}s; one GET per token would be {one_get_per_token} requests \
         ({:.1}x more)",
        tf.version,
        elapsed.as_secs_f64(),
        one_get_per_token as f64 / total.max(1) as f64
    );
    println!("bench endpoints: {}", stats["endpoints"]);
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
            json!({"op": "create", "kind": "custom_role", "fields": {"name": format!("r-{i:02}"),
                   "componentRoles": [{"component": "VCENTER", "roleName": "Read-only"}]}}),
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
    let wd = fleet_workdir(&tf, &sim).env("VCF_PARALLEL_REQUESTS", "20");
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
    // The same saved-plan apply without latency measures Terraform's own overhead (process
    // start, graph walk); then destroy and repeat with 20 ms on every request.
    let timed_apply = |latency: bool| -> (f64, u64) {
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
        let requests = ctl.stats()["total"].as_u64().unwrap_or(0);
        ctl.delete("/faults");
        (wall, requests)
    };
    let (base_wall, base_requests) = timed_apply(false);
    wd.ok(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=20",
    ]);
    let (wall, requests) = timed_apply(true);
    let ideal = requests as f64 * 0.020 / 20.0;
    println!(
        "bench apply/200 assignments/10 principals/20 ms latency/parallelism 20 (Terraform {}): \
         {requests} requests (without latency {base_requests}); wall {wall:.2}s, ideal {ideal:.2}s, \
         ratio {:.2}x; Terraform's own overhead (same apply, no latency) {base_wall:.2}s, ratio of the \
         remainder {:.2}x",
        tf.version,
        wall / ideal,
        (wall - base_wall).max(0.0) / ideal
    );
}
