//! `terraform-provider-floor`: the cheapest provider this crate's plugin stack can make, used
//! by `scripts/bench-peer` as the floor of what any provider built on it costs Terraform.
//!
//! It runs the same server as `terraform-provider-vcf` (go-plugin handshake, AutoMTLS, tonic,
//! the framework's RPC layer) but serves an empty provider schema, no descriptions, and two
//! resources whose plan does nothing but echo:
//! - `floor_user`: the attribute shape of `vcf_sddc_user` (the resource `bench-peer` plans for
//!   ours: same names, types and required/optional/computed/sensitive flags), so Terraform does
//!   the same work per instance as for ours, and the provider none;
//! - `floor_thing`: a required `input` and a computed `id`, the smallest useful resource.
//!
//! Whatever they cost on top of Terraform's builtin `terraform_data` is the price of being a
//! plugin on this stack (and of the resource's shape), which no provider code can remove.
//!
//! Built as a bench target without the test harness (`cargo build --release --bench
//! floor_provider`); `scripts/bench-peer` copies it under the name Terraform expects.

use std::sync::Arc;

use async_trait::async_trait;
// `crate::framework` is the library's framework here too, for the shared floor provider.
use terraform_provider_vcf::framework;

use framework::{Attribute, Block, Ctx, Diagnostics, Resource, Schema, Type, Value};

/// The provider itself (empty schema, no configuration) is the one the RPC tests use.
#[path = "../src/framework/rpc/tests/floor.rs"]
mod floor;

use floor::Floor;

/// `floor`, serving `floor_thing` and `floor_user`.
fn provider() -> Floor {
    Floor {
        name: "floor",
        resources: vec![
            Arc::new(Echo {
                name: "floor_thing",
                block: thing,
            }),
            Arc::new(Echo {
                name: "floor_user",
                block: user,
            }),
        ],
        ..Floor::default()
    }
}

/// A resource whose plan echoes what Terraform proposes. The benchmark only plans it; apply
/// echoes too, with `id` taken from `input` or `name` (other computed attributes stay unknown,
/// which Terraform would refuse after an apply).
struct Echo {
    name: &'static str,
    block: fn() -> Block,
}

/// `floor_thing`: the smallest useful resource.
fn thing() -> Block {
    Block::new("")
        .attribute(Attribute::string("id").computed())
        .attribute(Attribute::string("input").required())
}

/// `floor_user`: the attribute shape of `vcf_sddc_user`.
fn user() -> Block {
    let s = Attribute::string;
    Block::new("")
        .attribute(s("id").computed())
        .attribute(s("name").required())
        .attribute(s("domain").optional().computed())
        .attribute(s("type").required())
        .attribute(s("role").required())
        .attribute(Attribute::new("rotation_triggers", Type::map(Type::String)).optional())
        .attribute(s("role_id").computed())
        .attribute(s("creation_timestamp").computed())
        .attribute(s("api_key").computed().sensitive())
}

#[async_trait]
impl Resource for Echo {
    fn type_name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> Schema {
        Schema::new(0, (self.block)())
    }
    async fn create(&self, _: &Ctx, planned: &Value, _: &Value, _: &mut Diagnostics) -> Value {
        let mut v = planned.clone();
        let id = planned
            .attr("input")
            .as_str()
            .or(planned.attr("name").as_str());
        v.set_attr("id", Value::opt_string(id));
        v
    }
    async fn read(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) -> Value {
        state.clone()
    }
    async fn update(
        &self,
        _: &Ctx,
        _: &Value,
        planned: &Value,
        _: &Value,
        _: &mut Diagnostics,
    ) -> Value {
        planned.clone()
    }
    async fn delete(&self, _: &Ctx, _: &Value, _: &mut Diagnostics) {}
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--bench") {
        // `cargo bench` runs every bench target; this one is a plugin, not a benchmark.
        println!("floor_provider: a plugin for scripts/bench-peer, nothing to run here");
        return;
    }
    let code =
        terraform_provider_vcf::server::run(provider(), "registry.terraform.io/local/floor", &args);
    std::process::exit(code);
}
