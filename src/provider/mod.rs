//! The VCF provider: its configuration schema, validation, and the list of resource types.

mod config;

use async_trait::async_trait;

use crate::framework::{Diagnostics, Provider, ProviderData, Resource, Schema, Value};

pub use config::{SOURCE_ADDRESS, Settings};

/// The `vcf` provider.
#[derive(Default)]
pub struct VcfProvider;

#[async_trait]
impl Provider for VcfProvider {
    fn type_name(&self) -> &'static str {
        "vcf"
    }

    fn schema(&self) -> Schema {
        config::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        config::validate(config, diags);
    }

    async fn configure(
        &self,
        config: &Value,
        _terraform_version: &str,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        let settings = Settings::from_config(config, |k| std::env::var(k).ok(), diags)?;
        Some(std::sync::Arc::new(settings))
    }

    fn resources(&self) -> Vec<std::sync::Arc<dyn Resource>> {
        Vec::new()
    }
}
