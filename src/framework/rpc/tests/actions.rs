//! The action RPCs driven directly with in-memory actions.
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use tokio::sync::{Notify, Semaphore};

use std::sync::Arc;

use tokio_stream::StreamExt;
use tonic::Request;

use super::super::{ProviderRpc, ProviderService, path_to_proto};
use super::floor::Floor;
use crate::framework::action::{Action, ActionSink};
use crate::framework::codec::encode_dynamic;
use crate::framework::diag::{AttributePath, Diagnostics};
use crate::framework::traits::Ctx;
use crate::framework::validate::Length;
use crate::framework::value::Value;
use crate::framework::{Attribute, Block, Schema};
use crate::proto::tfplugin6 as pb;

/// `steps` progress messages, each after a permit of `gate`; `target = "panic"` panics,
/// `target = "bad"` is refused by `validate`, `target = "late"` by `plan`.
struct Steps {
    gate: Arc<Semaphore>,
    done: Arc<AtomicUsize>,
    finished: Arc<Notify>,
}

#[async_trait]
impl Action for Steps {
    fn type_name(&self) -> &'static str {
        "test_steps"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Steps.")
                .attribute(
                    Attribute::string("target")
                        .required()
                        .validator(Length::at_least(2)),
                )
                .attribute(Attribute::number("steps").optional()),
        )
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.attr("target").as_str() == Some("bad") {
            diags.attr_error(AttributePath::attr("target"), "Bad target", "bad");
        }
    }
    async fn plan(&self, _: &Ctx, config: &Value, diags: &mut Diagnostics) {
        if config.attr("target").as_str() == Some("late") {
            diags.error("Refused at plan", "late");
        }
        if config.attr("steps").is_unknown() {
            diags.warning("Steps unknown", "checked at invocation");
        }
    }
    async fn invoke(
        &self,
        _: &Ctx,
        config: &Value,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) {
        if config.attr("target").as_str() == Some("panic") {
            panic!("test panic");
        }
        let steps = config.attr("steps").as_i64().unwrap_or(3);
        for i in 0..steps {
            if sink.is_cancelled() {
                break;
            }
            sink.progress(format!("step {i}")).await;
            let _permit = self.gate.acquire().await;
            self.done.fetch_add(1, Ordering::SeqCst);
        }
        diags.warning(
            "Summary",
            format!("{} steps", self.done.load(Ordering::SeqCst)),
        );
        self.finished.notify_one();
    }
}

fn service() -> (
    ProviderService<Floor>,
    Arc<Semaphore>,
    Arc<AtomicUsize>,
    Arc<Notify>,
) {
    let gate = Arc::new(Semaphore::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(Notify::new());
    (
        ProviderService::new(Floor {
            name: "test",
            actions: vec![Arc::new(Steps {
                gate: gate.clone(),
                done: done.clone(),
                finished: finished.clone(),
            })],
            ..Floor::default()
        }),
        gate,
        done,
        finished,
    )
}

fn config(target: Value, steps: Value) -> Option<pb::DynamicValue> {
    let ty = Steps {
        gate: Arc::new(Semaphore::new(0)),
        done: Arc::default(),
        finished: Arc::default(),
    }
    .schema()
    .value_type();
    Some(encode_dynamic(&Value::object([("target", target), ("steps", steps)]), &ty).unwrap())
}

fn summaries(d: &[pb::Diagnostic]) -> Vec<(i32, String)> {
    d.iter().map(|d| (d.severity, d.summary.clone())).collect()
}
const ERROR: i32 = pb::diagnostic::Severity::Error as i32;
const WARNING: i32 = pb::diagnostic::Severity::Warning as i32;

enum Ev {
    Progress(String),
    Completed(Vec<(i32, String)>),
}
fn ev(e: Result<pb::invoke_action::Event, tonic::Status>) -> Ev {
    use pb::invoke_action::event::Type;
    match e.unwrap().r#type.unwrap() {
        Type::Progress(p) => Ev::Progress(p.message),
        Type::Completed(c) => Ev::Completed(summaries(&c.diagnostics)),
    }
}

#[tokio::test]
async fn metadata_and_schema_list_the_action() {
    let (svc, ..) = service();
    let meta = svc
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.actions.len(), 1);
    assert_eq!(meta.actions[0].type_name, "test_steps");
    let schema = svc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let s = schema.action_schemas["test_steps"].schema.as_ref().unwrap();
    let attrs: Vec<&str> = s
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(attrs, vec!["target", "steps"]);
}

#[tokio::test]
async fn validate_skips_unknown_values_and_points_at_the_attribute() {
    let (svc, ..) = service();
    let validate = |type_name: &str, config| pb::validate_action_config::Request {
        type_name: type_name.into(),
        config,
    };
    let r = svc
        .validate_action_config(Request::new(validate(
            "test_steps",
            config(Value::Unknown, Value::Unknown),
        )))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    for (target, summary) in [
        ("x", "Invalid attribute value length"),
        ("bad", "Bad target"),
    ] {
        let r = svc
            .validate_action_config(Request::new(validate(
                "test_steps",
                config(Value::string(target), Value::Null),
            )))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            summaries(&r.diagnostics),
            vec![(ERROR, summary.to_string())]
        );
        assert_eq!(
            r.diagnostics[0].attribute,
            Some(path_to_proto(&AttributePath::attr("target")))
        );
    }
    let r = svc
        .validate_action_config(Request::new(validate("test_other", None)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summaries(&r.diagnostics),
        vec![(ERROR, "Unknown action type".to_string())]
    );
    // A value that does not decode is a diagnostic, not a gRPC error.
    let r = svc
        .validate_action_config(Request::new(validate(
            "test_steps",
            Some(pb::DynamicValue {
                msgpack: vec![0xc1],
                json: Vec::new(),
            }),
        )))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].severity, ERROR);
}

#[tokio::test]
async fn plan_checks_what_is_known_and_leaves_the_rest_to_invocation() {
    let (svc, ..) = service();
    let plan = |config| pb::plan_action::Request {
        action_type: "test_steps".into(),
        config,
        client_capabilities: None,
    };
    // Known now, checked again: refused by the validator before plan runs.
    let r = svc
        .plan_action(Request::new(plan(config(
            Value::string("bad"),
            Value::Unknown,
        ))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summaries(&r.diagnostics),
        vec![(ERROR, "Bad target".to_string())]
    );
    let r = svc
        .plan_action(Request::new(plan(config(
            Value::string("late"),
            Value::Null,
        ))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summaries(&r.diagnostics),
        vec![(ERROR, "Refused at plan".to_string())]
    );
    // Unknown values reach the action's plan, which leaves them alone.
    let r = svc
        .plan_action(Request::new(plan(config(Value::Unknown, Value::Unknown))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summaries(&r.diagnostics),
        vec![(WARNING, "Steps unknown".to_string())]
    );
    assert!(r.deferred.is_none());
}

fn invoke(config: Option<pb::DynamicValue>) -> pb::invoke_action::Request {
    pb::invoke_action::Request {
        action_type: "test_steps".into(),
        config,
        client_capabilities: None,
    }
}

#[tokio::test]
async fn invoke_streams_progress_while_working_and_ends_with_completion() {
    let (svc, gate, done, _) = service();
    let mut stream = svc
        .invoke_action(Request::new(invoke(config(
            Value::string("ok"),
            Value::from(3),
        ))))
        .await
        .unwrap()
        .into_inner();
    // The first message arrives while the action waits for its first permit.
    assert!(matches!(ev(stream.next().await.unwrap()), Ev::Progress(m) if m == "step 0"));
    assert_eq!(done.load(Ordering::SeqCst), 0);
    gate.add_permits(3);
    let rest: Vec<Ev> = stream.map(ev).collect().await;
    assert_eq!(rest.len(), 3);
    assert!(matches!(&rest[0], Ev::Progress(m) if m == "step 1"));
    assert!(matches!(&rest[1], Ev::Progress(m) if m == "step 2"));
    assert!(matches!(&rest[2], Ev::Completed(d) if *d == vec![(WARNING, "Summary".to_string())]));
    assert_eq!(done.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn invoke_refuses_bad_or_unknown_configuration_without_running() {
    let (svc, _, done, _) = service();
    for (c, summary) in [
        (config(Value::string("bad"), Value::Null), "Bad target"),
        (
            config(Value::string("ok"), Value::Unknown),
            "Action configuration unknown",
        ),
    ] {
        let events: Vec<Ev> = svc
            .invoke_action(Request::new(invoke(c)))
            .await
            .unwrap()
            .into_inner()
            .map(ev)
            .collect()
            .await;
        assert_eq!(events.len(), 1);
        assert!(matches!(&events[0], Ev::Completed(d) if *d == vec![(ERROR, summary.to_string())]));
    }
    assert_eq!(done.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_panicking_action_still_completes_the_stream_with_an_error() {
    let (svc, ..) = service();
    let events: Vec<Ev> = svc
        .invoke_action(Request::new(invoke(config(
            Value::string("panic"),
            Value::Null,
        ))))
        .await
        .unwrap()
        .into_inner()
        .map(ev)
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    assert!(
        matches!(&events[0], Ev::Completed(d) if *d == vec![(ERROR, "Action stopped unexpectedly".to_string())])
    );
}

#[tokio::test]
async fn an_action_stops_when_terraform_stops_listening() {
    let (svc, gate, done, finished) = service();
    let mut stream = svc
        .invoke_action(Request::new(invoke(config(
            Value::string("ok"),
            Value::from(5),
        ))))
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(ev(stream.next().await.unwrap()), Ev::Progress(_)));
    drop(stream);
    let waiting = finished.notified();
    gate.add_permits(5);
    waiting.await;
    // The step under way finished; no further step started.
    assert_eq!(done.load(Ordering::SeqCst), 1);
}
