//! GetMetadata and GetProviderSchema: the provider's types by name, and their schemas.

use super::{ProviderService, RpcLog};
use crate::framework::traits::Provider;
use crate::proto::tfplugin6 as pb;

/// What this server offers beyond the protocol's minimum.
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn metadata(&self) -> pb::get_metadata::Response {
        let _log = RpcLog::new("GetMetadata", "");
        let names = |keys: Vec<&String>| {
            let mut v: Vec<String> = keys.into_iter().cloned().collect();
            v.sort();
            v
        };
        pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: names(self.resources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            data_sources: names(self.data_sources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            ephemeral_resources: names(self.ephemerals.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::EphemeralMetadata { type_name })
                .collect(),
            list_resources: names(self.list_resources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::ListResourceMetadata { type_name })
                .collect(),
            actions: self.actions.metadata(),
            ..Default::default()
        }
    }

    pub(super) fn provider_schema(&self) -> pb::get_provider_schema::Response {
        let _log = RpcLog::new("GetProviderSchema", "");
        pb::get_provider_schema::Response {
            provider: Some(self.provider.schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            action_schemas: self.actions.schemas(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }
    }
}
