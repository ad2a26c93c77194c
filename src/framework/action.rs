//! Actions (Terraform 1.14+): imperative operations that change no state. Terraform declares
//! them in `action` blocks and runs them with `terraform apply -invoke=action.TYPE.NAME` or from
//! an `action_trigger` in a resource's `lifecycle`.
//!
//! The protocol's three calls map onto the [`Action`] trait:
//! - ValidateActionConfig: the schema's validators, then [`Action::validate`]; values may be
//!   unknown (variables are unknown at `terraform validate`);
//! - PlanAction: the same checks again with what is known at plan time, then [`Action::plan`].
//!   When a resource triggers the action, its configuration may still hold values known only
//!   after the resource is applied; checks of such values wait for the invocation;
//! - InvokeAction: the configuration is wholly known (Terraform refuses to invoke otherwise).
//!   [`Action::invoke`] reports what it does through an [`ActionSink`], each message streamed
//!   to Terraform as a progress event the moment it is sent; the diagnostics it leaves make the
//!   one completion event that ends the stream.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::schema::Schema;
use super::traits::{Ctx, StopToken};
use super::value::Value;

/// An action type.
#[async_trait]
pub trait Action: Send + Sync {
    /// The action type name (the provider's name, `_`, then the action's), as
    /// `action "TYPE" "name"` blocks use it.
    fn type_name(&self) -> &'static str;
    /// Schema of the `config { … }` block of an `action` block.
    fn schema(&self) -> Schema;
    /// The attribute names of the type's typed model (see `framework::model`), for the test
    /// that every model matches its schema; None for a type without one.
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        None
    }
    /// Checks beyond the schema's validators. Values may be unknown here; an unknown value is
    /// checked again at plan time or at invocation, once it is known.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Checks before Terraform plans to run the action (after [`Action::validate`] ran again).
    /// `config` may hold unknown values; remote objects the action works on may not exist yet
    /// (the resource that triggers it may create them).
    async fn plan(&self, _ctx: &Ctx, _config: &Value, _diags: &mut Diagnostics) {}
    /// Runs the action with a wholly known `config`, sending progress to `sink` as it works.
    /// Errors in `diags` fail the invocation (and the apply that ran it).
    async fn invoke(
        &self,
        ctx: &Ctx,
        config: &Value,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    );
}

/// What an invocation streams to Terraform, in order: progress, then one completion.
#[derive(Debug)]
pub enum ActionEvent {
    Progress(String),
    Completed(Diagnostics),
}

/// Where an action sends its progress messages while it works. Messages are shown to the user
/// as they arrive (and kept in Terraform's logs): never put a secret into one.
pub struct ActionSink {
    tx: mpsc::Sender<ActionEvent>,
    stop: Option<StopToken>,
}

impl ActionSink {
    pub fn new(tx: mpsc::Sender<ActionEvent>) -> Self {
        ActionSink { tx, stop: None }
    }

    /// A sink that also counts the invocation as cancelled once `stop` is (StopProvider, the
    /// plugin stopping).
    pub fn with_stop(tx: mpsc::Sender<ActionEvent>, stop: StopToken) -> Self {
        ActionSink {
            tx,
            stop: Some(stop),
        }
    }

    /// Streams one progress message. False when Terraform no longer listens (the invocation
    /// was cancelled): the action should stop before its next step.
    pub async fn progress(&mut self, message: impl Into<String>) -> bool {
        let message = message.into();
        tracing::debug!(progress = %message, "action progress");
        self.tx.send(ActionEvent::Progress(message)).await.is_ok()
    }

    /// Whether the invocation was cancelled (Terraform stopped listening, or stopped the
    /// provider). Actions check it before each step that changes something remote.
    pub fn is_cancelled(&self) -> bool {
        self.tx.is_closed() || self.stop.as_ref().is_some_and(StopToken::is_cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn progress_streams_in_order_and_reports_cancellation() {
        let (tx, mut rx) = mpsc::channel(4);
        let mut sink = ActionSink::new(tx);
        assert!(sink.progress("one").await);
        assert!(sink.progress(String::from("two")).await);
        assert!(!sink.is_cancelled());
        assert!(matches!(rx.recv().await, Some(ActionEvent::Progress(m)) if m == "one"));
        assert!(matches!(rx.recv().await, Some(ActionEvent::Progress(m)) if m == "two"));
        // Terraform went away: the sink says so and further messages go nowhere.
        drop(rx);
        assert!(sink.is_cancelled());
        assert!(!sink.progress("three").await);
    }
}
