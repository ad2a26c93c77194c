//! The provider's own lifecycle: ConfigureProvider, StopProvider, the stop token they share,
//! and the shutdown when the plugin stops.

use super::{ProviderService, RpcLog, decode, diags_to_proto};
use crate::framework::diag::Diagnostics;
use crate::framework::traits::{Provider, StopToken};
use crate::proto::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    /// The current stop token (see the `stop` field).
    pub(super) fn stop_token(&self) -> StopToken {
        match self.stop.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Cancels the work in flight and any started later (StopProvider, or the plugin stopping).
    pub fn stop(&self) {
        let stop = self.stop_token();
        if !stop.is_cancelled() {
            tracing::info!("stop requested; cancelling the work in flight");
        }
        stop.cancel();
    }

    /// The stop token for a new configuration: a fresh one when the current one was cancelled
    /// (an earlier command of a `-debug` provider was stopped).
    fn fresh_stop(&self) -> StopToken {
        let mut slot = match self.stop.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot.is_cancelled() {
            *slot = StopToken::new();
        }
        slot.clone()
    }

    /// Lets the provider end its sessions; called once when the plugin stops.
    pub async fn shutdown(&self) {
        let data = self.data.read().map(|d| d.clone()).unwrap_or_default();
        self.provider.imp.shutdown(data).await;
    }

    pub(super) async fn configure(
        &self,
        req: pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        let _log = RpcLog::new("ConfigureProvider", "");
        let mut diags = Diagnostics::new();
        if let Some(config) = decode(
            req.config.as_ref(),
            &self.provider.ty,
            "provider configuration",
            &mut diags,
        ) {
            let data = self
                .provider
                .imp
                .configure(
                    &config,
                    &req.terraform_version,
                    &self.fresh_stop(),
                    &mut diags,
                )
                .await;
            if let Ok(mut slot) = self.data.write() {
                *slot = data;
            }
        }
        pb::configure_provider::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    /// StopProvider: Terraform calls it on Ctrl-C and then waits for the operations in flight;
    /// they end at once, each with a diagnostic that says it was cancelled.
    pub(super) fn stop_requested(&self) -> pb::stop_provider::Response {
        let _log = RpcLog::new("StopProvider", "");
        self.stop();
        pb::stop_provider::Response {
            error: String::new(),
        }
    }
}
