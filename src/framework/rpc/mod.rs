//! Routing of every tfplugin6 RPC to a [`Provider`] and its types.
//!
//! Requests are decoded against the schema of the type they name; a type that does not exist,
//! a value that cannot be decoded, or a feature the provider does not offer (functions, state
//! stores, moves) becomes an error diagnostic in the response, never a gRPC failure.
//!
//! The [`ProviderRpc`] implementation here only routes; each group of RPCs lives in a file of
//! its own: `schema.rs` (metadata and schemas), `validate.rs` (the one validate path, which
//! the actions use too), `provider.rs` (configure, stop, shutdown), `resource.rs`,
//! `identity.rs`, `data.rs`, `ephemeral.rs`, `list.rs`, `actions.rs` and `unsupported.rs`
//! (functions and state stores). `entry.rs` holds the types by name, `wire.rs` the decoding
//! and encoding of values and diagnostics.

mod actions;
mod data;
mod entry;
mod ephemeral;
mod identity;
mod list;
mod provider;
mod resource;
mod schema;
mod unsupported;
mod validate;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::identity::IdentitySchema;
use super::traits::{
    Ctx, DataSource, EphemeralResource, ListResource, Provider, ProviderData, Resource, StopToken,
};
use super::value::Type;
use crate::proto::tfplugin6 as pb;
use entry::{Entry, lookup};
use pb::provider_server::Provider as ProviderRpc;
use wire::{decode, encode};
pub use wire::{diags_to_proto, path_to_proto};

/// The gRPC service that serves one provider.
pub struct ProviderService<P: Provider> {
    /// The provider's name (its `type_name`), for the messages that speak of the provider.
    name: &'static str,
    /// The provider itself, with its configuration schema.
    provider: Entry<P>,
    resources: HashMap<String, Entry<dyn Resource>>,
    data_sources: HashMap<String, Entry<dyn DataSource>>,
    ephemerals: HashMap<String, Entry<dyn EphemeralResource>>,
    list_resources: HashMap<String, Entry<dyn ListResource>>,
    actions: actions::Actions,
    /// Identity schemas (and their value types) of the resource types that have one.
    identities: HashMap<String, (IdentitySchema, Type)>,
    data: RwLock<Option<ProviderData>>,
    /// Cancelled by StopProvider and when the plugin stops; see [`StopToken`]. A cancelled one
    /// is replaced by a fresh one at the next ConfigureProvider: a provider served with
    /// `-debug` outlives the command that Ctrl-C stopped, and the next command starts anew.
    stop: std::sync::Mutex<StopToken>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        let name = provider.type_name();
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name().to_string(), Entry::new(r.clone(), r.schema())))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name().to_string(), Entry::new(d.clone(), d.schema())))
            .collect();
        let ephemerals = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| (e.type_name().to_string(), Entry::new(e.clone(), e.schema())))
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| (l.type_name().to_string(), Entry::new(l.clone(), l.schema())))
            .collect();
        let identities = provider
            .resources()
            .into_iter()
            .filter_map(|r| {
                let s = r.identity_schema()?;
                let ty = s.value_type();
                Some((r.type_name().to_string(), (s, ty)))
            })
            .collect();
        let actions = actions::Actions::new(provider.actions());
        ProviderService {
            name,
            provider: Entry::new(Arc::new(provider), provider_schema),
            resources,
            data_sources,
            ephemerals,
            list_resources,
            actions,
            identities,
            data: RwLock::new(None),
            stop: std::sync::Mutex::new(StopToken::new()),
        }
    }

    fn ctx(&self, caps: Option<&pb::ClientCapabilities>) -> Ctx {
        let data = self.data.read().map(|d| d.clone()).unwrap_or_default();
        Ctx::new(data, caps.is_some_and(|c| c.deferral_allowed))
    }
}

/// Logs an RPC at debug level with its duration when dropped.
struct RpcLog {
    rpc: &'static str,
    type_name: String,
    start: Instant,
}

impl RpcLog {
    fn new(rpc: &'static str, type_name: &str) -> Self {
        tracing::trace!(rpc, type_name, "rpc start");
        RpcLog {
            rpc,
            type_name: type_name.to_string(),
            start: Instant::now(),
        }
    }
}

impl Drop for RpcLog {
    fn drop(&mut self) {
        let micros = self.start.elapsed().as_micros() as u64;
        tracing::debug!(rpc = self.rpc, type_name = %self.type_name, duration_us = micros, "rpc served");
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Wraps an answer in the gRPC response (every RPC answers; failures are diagnostics).
fn ok<T>(answer: T) -> Result<Response<T>, Status> {
    Ok(Response::new(answer))
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        ok(self.metadata())
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        ok(self.provider_schema())
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        ok(self.validate_provider(req.into_inner()))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        ok(self.validate_resource(req.into_inner()))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        ok(self.validate_data_source(req.into_inner()))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        ok(self.upgrade_state(req.into_inner()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        ok(self.identity_schemas())
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        ok(self.upgrade_identity(req.into_inner()))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        ok(self.configure(req.into_inner()).await)
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        ok(self.read(req.into_inner()).await)
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        ok(self.plan(req.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        ok(self.apply(req.into_inner()).await)
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        ok(self.import(req.into_inner()).await)
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        ok(self.move_state(req.into_inner()))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        ok(self.read_data(req.into_inner()).await)
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        ok(self.generate_config(req.into_inner()))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        ok(self.validate_ephemeral(req.into_inner()))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        ok(self.open(req.into_inner()).await)
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        ok(self.renew(req.into_inner()).await)
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        ok(self.close(req.into_inner()).await)
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        ok(self.list(req.into_inner()))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        ok(self.validate_list(req.into_inner()))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        ok(unsupported::functions())
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        ok(self.call(req.into_inner()))
    }

    async fn validate_state_store_config(
        &self,
        req: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        ok(self.no_state_store("ValidateStateStoreConfig", &req.get_ref().type_name))
    }

    async fn configure_state_store(
        &self,
        req: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        ok(self.no_state_store("ConfigureStateStore", &req.get_ref().type_name))
    }

    type ReadStateBytesStream = BoxStream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        req: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        let resp = self.no_state_store("ReadStateBytes", &req.get_ref().type_name);
        ok(Box::pin(tokio_stream::once(Ok(resp))))
    }

    async fn write_state_bytes(
        &self,
        _req: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        ok(self.no_state_store("WriteStateBytes", ""))
    }

    async fn lock_state(
        &self,
        req: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        ok(self.no_state_store("LockState", &req.get_ref().type_name))
    }

    async fn unlock_state(
        &self,
        req: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        ok(self.no_state_store("UnlockState", &req.get_ref().type_name))
    }

    async fn get_states(
        &self,
        req: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        ok(self.no_state_store("GetStates", &req.get_ref().type_name))
    }

    async fn delete_state(
        &self,
        req: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        ok(self.no_state_store("DeleteState", &req.get_ref().type_name))
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = req.into_inner();
        let ctx = self.ctx(req.client_capabilities.as_ref());
        ok(self.actions.plan(ctx, req).await)
    }

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        let req = req.into_inner();
        let ctx = self.ctx(req.client_capabilities.as_ref());
        ok(self.actions.invoke(ctx, req, self.stop_token()))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        ok(self.actions.validate(req.into_inner()))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        ok(self.stop_requested())
    }
}
