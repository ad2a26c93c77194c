//! The floor provider: an empty provider schema, no configuration, and only the types it is
//! given. The RPC tests serve their in-memory types with it, and the bench target
//! `benches/floor_provider.rs` (the floor contender of `scripts/bench-peer`) serves its echo
//! resources with it, including this file with `#[path]`. The bench names the library's
//! framework `crate::framework`, so the paths below resolve in both; the shipped library never
//! compiles this file (it sits under `rpc::tests`, which is `#[cfg(test)]`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::action::Action;
use crate::framework::diag::Diagnostics;
use crate::framework::schema::{Block, Schema};
use crate::framework::traits::{ListResource, Provider, ProviderData, Resource, StopToken};
use crate::framework::value::Value;

/// A provider whose block is empty and whose configure does nothing, serving `resources`,
/// `list_resources` and `actions`.
#[derive(Default)]
pub struct Floor {
    /// The provider's type name (the prefix of its types' names).
    pub name: &'static str,
    pub resources: Vec<Arc<dyn Resource>>,
    pub list_resources: Vec<Arc<dyn ListResource>>,
    pub actions: Vec<Arc<dyn Action>>,
}

#[async_trait]
impl Provider for Floor {
    fn type_name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> Schema {
        Schema::new(0, Block::new(""))
    }
    async fn configure(
        &self,
        _: &Value,
        _: &str,
        _: &StopToken,
        _: &mut Diagnostics,
    ) -> Option<ProviderData> {
        None
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        self.resources.clone()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        self.list_resources.clone()
    }
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        self.actions.clone()
    }
}
