//! List resource `vcf_api_client` (`list "vcf_api_client"` in a `.tfquery.hcl` file): the API
//! clients of an SSO realm, page by page, each as the state `vcf_api_client` has after import.

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::{Attribute, Block, Ctx, ListSink, Schema, TypedList, Val};

use super::api_client::ApiClientModel;
use super::{fleet_realm_of, paths, realm_lookup_attribute};

/// The schema of `list "vcf_api_client"`'s `config` block.
fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("Finds the API clients of an SSO realm.")
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("client_id_prefix")
                    .optional()
                    .description("Only clients whose `client_id` starts with this text."),
            ),
    )
}

crate::model! {
    /// The `config` block of `list "vcf_api_client"`.
    pub struct ApiClientListConfig {
        pub sso_realm_id: Val<String>,
        pub client_id_prefix: Val<String>,
    }
}

/// `list "vcf_api_client"`: every API client of a realm.
pub struct ApiClientList;

#[async_trait]
impl TypedList for ApiClientList {
    type Config = ApiClientListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: ApiClientListConfig,
        sink: &mut ListSink,
    ) -> Result<()> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let prefix = config.client_id_prefix.as_deref().unwrap_or_default();
        // Narrowed on the server (LIKE matches anywhere in the id), exactly here.
        let search = (!prefix.is_empty()).then(|| {
            serde_json::json!({
                "allOf": [{ "field": paths::QUERY_FIELD_CLIENT_ID, "terms": [prefix], "operator": paths::QUERY_OPERATOR }],
                "anyOf": [],
            })
        });
        let mut page = 0;
        loop {
            let (list, more) = f.clients_page(&realm.id, search.as_ref(), page).await?;
            for c in list.iter().filter(|c| c.client_id.starts_with(prefix)) {
                let state = ApiClientModel::of(c, realm.id.as_str().into(), &realm.id, true);
                let label = match c.client_name.as_deref() {
                    Some(n) if !n.is_empty() && n != c.client_id => {
                        format!("{} ({n})", c.client_id)
                    }
                    _ => c.client_id.clone(),
                };
                if !sink.send(state.to_value(), label).await {
                    return Ok(());
                }
            }
            if !more || !sink.wants_more() {
                return Ok(());
            }
            page += 1;
        }
    }
}
