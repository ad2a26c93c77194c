//! The RPC layer driven directly with an in-memory resource: plan (computed values,
//! replacement, write-only), apply (create, update, delete), read, import, state upgrade.
//! The fixtures are here; the tests sit beside them by RPC group.

mod actions;
mod floor;
mod identity;
mod list;
mod resource;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use tokio_stream::StreamExt;
use tonic::Request;

use super::{ProviderRpc, ProviderService, path_to_proto};
use crate::framework::codec::{decode_dynamic, encode_dynamic};
use crate::framework::diag::{AttributePath, Diagnostics};
use crate::framework::identity::{IdentitySchema, ListSink};
use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
use crate::framework::traits::{Ctx, ListResource, Resource};
use crate::framework::value::{Type, Value};
use crate::framework::{Attribute, Block, Schema};
use crate::proto::tfplugin6 as pb;
use floor::Floor;

/// Objects keyed by name; `id` is computed, `name` forces replacement, `secret_wo` is write-only.
#[derive(Default)]
struct Things(Mutex<Vec<(String, String)>>);

#[async_trait]
impl Resource for Things {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            2,
            Block::new("A thing.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .plan_modifier(UseStateForUnknown),
                )
                .attribute(
                    Attribute::string("name")
                        .required()
                        .plan_modifier(RequiresReplace),
                )
                .attribute(Attribute::string("note").optional())
                .attribute(Attribute::string("secret_wo").optional().write_only()),
        )
    }
    async fn create(&self, _: &Ctx, planned: &Value, _: &Value, _: &mut Diagnostics) -> Value {
        let mut v = planned.clone();
        let name = planned
            .attr("name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.0.lock().unwrap().push((
            name.clone(),
            planned
                .attr("note")
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ));
        v.set_attr("id", Value::string(format!("id-{name}")));
        v
    }
    async fn read(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) -> Value {
        let name = state.attr("name").as_str().unwrap_or_default();
        if self.0.lock().unwrap().iter().any(|(n, _)| n == name) {
            state.clone()
        } else {
            Value::Null
        }
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
    async fn delete(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) {
        let name = state.attr("name").as_str().unwrap_or_default().to_string();
        self.0.lock().unwrap().retain(|(n, _)| *n != name);
    }
    async fn import(&self, _: &Ctx, id: &str, _: &mut Diagnostics) -> Value {
        let name = id.trim_start_matches("id-");
        Value::object([
            ("id", Value::string(id)),
            ("name", Value::string(name)),
            ("note", Value::Null),
            ("secret_wo", Value::Null),
        ])
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![crate::framework::IdentityAttribute::required(
                "name",
                "The name.",
            )],
        ))
    }
    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        Some(format!("id-{}", identity.attr("name").as_str()?))
    }
}

/// Lists `count` things in pages of two; before each page after the first it waits for
/// a permit, so a test decides when the next "page" is fetched.
struct ThingList {
    count: usize,
    pages: Arc<tokio::sync::Semaphore>,
    fetched: Arc<std::sync::atomic::AtomicUsize>,
}

#[async_trait]
impl ListResource for ThingList {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("").attribute(Attribute::string("prefix").optional()),
        )
    }
    async fn list(&self, _: &Ctx, config: &Value, sink: &mut ListSink) {
        let prefix = config.attr("prefix").as_str().unwrap_or("t").to_string();
        for page in 0..self.count.div_ceil(2) {
            if page > 0 {
                self.pages.acquire().await.unwrap().forget();
            }
            self.fetched
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            for i in page * 2..(page * 2 + 2).min(self.count) {
                let name = format!("{prefix}{i}");
                let state = thing(Value::string(format!("id-{name}")), &name, None, None);
                if !sink.send(state, name).await {
                    return;
                }
            }
        }
    }
}

/// The provider of the resource and list tests: `test_thing` as a resource and as a list
/// resource (five things, pages after the first waiting for a permit of `pages`).
fn provider_with_pages(
    pages: Arc<tokio::sync::Semaphore>,
    fetched: Arc<std::sync::atomic::AtomicUsize>,
) -> Floor {
    Floor {
        name: "test",
        resources: vec![Arc::new(Things::default())],
        list_resources: vec![Arc::new(ThingList {
            count: 5,
            pages,
            fetched,
        })],
        ..Floor::default()
    }
}

fn test_provider() -> Floor {
    provider_with_pages(Arc::new(tokio::sync::Semaphore::new(0)), Arc::default())
}

fn ty() -> Type {
    Things::default().schema().value_type()
}
fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(encode_dynamic(v, &ty()).unwrap())
}
fn val(d: Option<pb::DynamicValue>) -> Value {
    decode_dynamic(d.as_ref(), &ty()).unwrap()
}
/// Plans `test_thing` from `prior` to `proposed` under `config`.
fn plan_req(prior: &Value, proposed: &Value, config: &Value) -> pb::plan_resource_change::Request {
    pb::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        proposed_new_state: dv(proposed),
        config: dv(config),
        ..Default::default()
    }
}
/// Applies `planned` to `test_thing` over `prior` under `config`.
fn apply_req(prior: &Value, planned: &Value, config: &Value) -> pb::apply_resource_change::Request {
    pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        planned_state: dv(planned),
        config: dv(config),
        ..Default::default()
    }
}
async fn run_plan(
    svc: &ProviderService<Floor>,
    req: pb::plan_resource_change::Request,
) -> pb::plan_resource_change::Response {
    svc.plan_resource_change(Request::new(req))
        .await
        .unwrap()
        .into_inner()
}
async fn run_apply(
    svc: &ProviderService<Floor>,
    req: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    svc.apply_resource_change(Request::new(req))
        .await
        .unwrap()
        .into_inner()
}
fn thing(id: Value, name: &str, note: Option<&str>, secret: Option<&str>) -> Value {
    Value::object([
        ("id", id),
        ("name", Value::string(name)),
        ("note", Value::opt_string(note)),
        ("secret_wo", Value::opt_string(secret)),
    ])
}
fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| d.summary.clone())
        .collect()
}

fn id_ty() -> Type {
    Type::object([("name", Type::String)])
}
fn identity_of(d: Option<pb::ResourceIdentityData>) -> Value {
    decode_dynamic(d.and_then(|i| i.identity_data).as_ref(), &id_ty()).unwrap()
}
