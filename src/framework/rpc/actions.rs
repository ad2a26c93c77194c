//! The action RPCs (ValidateActionConfig, PlanAction, InvokeAction) and the action entries of
//! GetMetadata and GetProviderSchema. See [`crate::framework::action`] for what each call means.
//!
//! InvokeAction is a stream: zero or more progress events, then exactly one completion event
//! that carries the diagnostics. The action runs on a task of its own and its progress reaches
//! Terraform as it is sent; whatever happens to the action (even a panic) the stream ends with
//! the completion event. When Terraform stops listening, the action's sink says so and the
//! action stops before its next step.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::StreamExt;

use super::validate::WriteOnly;
use super::{BoxStream, Entry, RpcLog, diags_to_proto, lookup};
use crate::framework::action::{Action, ActionEvent, ActionSink};
use crate::framework::diag::Diagnostics;
use crate::framework::traits::{Ctx, StopToken};
use crate::framework::value::Value;
use crate::proto::tfplugin6 as pb;

/// The provider's action types by name.
pub(super) struct Actions {
    map: HashMap<String, Entry<dyn Action>>,
}

impl Actions {
    pub(super) fn new(list: Vec<Arc<dyn Action>>) -> Self {
        Actions {
            map: list
                .into_iter()
                .map(|a| (a.type_name().to_string(), Entry::new(a.clone(), a.schema())))
                .collect(),
        }
    }

    /// GetMetadata's `actions`, sorted by name.
    pub(super) fn metadata(&self) -> Vec<pb::get_metadata::ActionMetadata> {
        let mut names: Vec<&String> = self.map.keys().collect();
        names.sort();
        names
            .into_iter()
            .map(|n| pb::get_metadata::ActionMetadata {
                type_name: n.clone(),
            })
            .collect()
    }

    /// GetProviderSchema's `action_schemas`.
    pub(super) fn schemas(&self) -> HashMap<String, pb::ActionSchema> {
        self.map
            .iter()
            .map(|(k, e)| {
                (
                    k.clone(),
                    pb::ActionSchema {
                        schema: Some(e.schema.to_proto()),
                    },
                )
            })
            .collect()
    }

    /// The action and its decoded configuration, after the schema's validators and the
    /// action's own checks ran on it.
    fn checked(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
        diags: &mut Diagnostics,
    ) -> Option<(Arc<dyn Action>, Value)> {
        let e = lookup(&self.map, "action", type_name, diags)?;
        let config = e.check(config, "action configuration", WriteOnly::Unchecked, diags)?;
        Some((e.imp.clone(), config))
    }

    pub(super) fn validate(
        &self,
        req: pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        let _log = RpcLog::new("ValidateActionConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        self.checked(&req.type_name, req.config.as_ref(), &mut diags);
        pb::validate_action_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn plan(
        &self,
        ctx: Ctx,
        req: pb::plan_action::Request,
    ) -> pb::plan_action::Response {
        let _log = RpcLog::new("PlanAction", &req.action_type);
        let mut diags = Diagnostics::new();
        // Validators skip unknown values, so what became known since validation is checked now
        // and the rest at invocation.
        if let Some((imp, config)) = self.checked(&req.action_type, req.config.as_ref(), &mut diags)
            && !diags.has_errors()
        {
            imp.plan(&ctx, &config, &mut diags).await;
        }
        pb::plan_action::Response {
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }

    pub(super) fn invoke(
        &self,
        ctx: Ctx,
        req: pb::invoke_action::Request,
        stop: StopToken,
    ) -> BoxStream<pb::invoke_action::Event> {
        let log = RpcLog::new("InvokeAction", &req.action_type);
        let mut diags = Diagnostics::new();
        let found = self.checked(&req.action_type, req.config.as_ref(), &mut diags);
        let (imp, config) = match found {
            Some((imp, config)) if !diags.has_errors() && config.is_wholly_known() => (imp, config),
            Some(_) if !diags.has_errors() => {
                diags.error(
                    "Action configuration unknown",
                    format!(
                        "{} was invoked with values that are not known yet; every value of an action's \
                         configuration must be known when it runs.",
                        req.action_type
                    ),
                );
                return completed_only(diags);
            }
            _ => return completed_only(diags),
        };
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            let _log = log;
            let mut sink = ActionSink::with_stop(tx.clone(), stop);
            // A task of its own, so that even a panic in the action ends the stream with a
            // completion event that says so.
            let run = tokio::spawn(async move {
                let mut diags = Diagnostics::new();
                imp.invoke(&ctx, &config, &mut sink, &mut diags).await;
                diags
            });
            match run.await {
                Ok(d) => diags.extend(d),
                Err(_) => diags.error(
                    "Action stopped unexpectedly",
                    "The action stopped before it finished; what it reported as done is done. \
                     This is a bug in the provider.",
                ),
            }
            let _ = tx.send(ActionEvent::Completed(diags)).await;
        });
        Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx).map(|ev| Ok(event(ev))))
    }
}

/// A stream of only the completion event.
fn completed_only(diags: Diagnostics) -> BoxStream<pb::invoke_action::Event> {
    Box::pin(tokio_stream::once(Ok(event(ActionEvent::Completed(diags)))))
}

fn event(ev: ActionEvent) -> pb::invoke_action::Event {
    use pb::invoke_action::event::{Completed, Progress, Type};
    pb::invoke_action::Event {
        r#type: Some(match ev {
            ActionEvent::Progress(message) => Type::Progress(Progress { message }),
            ActionEvent::Completed(d) => Type::Completed(Completed {
                diagnostics: diags_to_proto(&d),
            }),
        }),
    }
}
