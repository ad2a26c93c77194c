//! What the provider does not offer: provider-defined functions (GetFunctions lists none,
//! CallFunction refuses) and state stores (every state-store RPC answers with the same error
//! diagnostic, through [`ProviderService::no_state_store`]).

use super::{ProviderService, RpcLog, diags_to_proto};
use crate::framework::diag::Diagnostic;
use crate::framework::traits::Provider;
use crate::proto::tfplugin6 as pb;

/// GetFunctions: no functions.
pub(super) fn functions() -> pb::get_functions::Response {
    let _log = RpcLog::new("GetFunctions", "");
    pb::get_functions::Response::default()
}

/// The answer of a state-store RPC: its defaults, with `diagnostics`.
pub(super) trait StateStoreAnswer: Default {
    fn with_diagnostics(diagnostics: Vec<pb::Diagnostic>) -> Self;
}

/// Implements [`StateStoreAnswer`] for responses that have a `diagnostics` field.
macro_rules! state_store_answers {
    ($($t:ty),* $(,)?) => {$(
        // Some of these responses have no field but `diagnostics`.
        #[allow(clippy::needless_update)]
        impl StateStoreAnswer for $t {
            fn with_diagnostics(diagnostics: Vec<pb::Diagnostic>) -> Self {
                Self {
                    diagnostics,
                    ..Default::default()
                }
            }
        }
    )*};
}
state_store_answers!(
    pb::validate_state_store::Response,
    pb::configure_state_store::Response,
    pb::read_state_bytes::Response,
    pb::write_state_bytes::Response,
    pb::lock_state::Response,
    pb::unlock_state::Response,
    pb::get_states::Response,
    pb::delete_state::Response,
);

impl<P: Provider> ProviderService<P> {
    /// CallFunction: the provider has no functions.
    pub(super) fn call(&self, req: pb::call_function::Request) -> pb::call_function::Response {
        let _log = RpcLog::new("CallFunction", &req.name);
        pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("The {} provider has no function {:?}.", self.name, req.name),
                function_argument: None,
            }),
        }
    }

    /// Any state-store RPC (`rpc`, for the log): an error diagnostic, since the provider
    /// offers no state store.
    pub(super) fn no_state_store<R: StateStoreAnswer>(
        &self,
        rpc: &'static str,
        type_name: &str,
    ) -> R {
        let _log = RpcLog::new(rpc, type_name);
        R::with_diagnostics(diags_to_proto(
            &Diagnostic::error(
                "state stores not supported",
                format!("The {} provider does not offer state stores.", self.name),
            )
            .into(),
        ))
    }
}
