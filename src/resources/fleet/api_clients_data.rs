//! Data source `vcf_api_clients`: every API client of a realm through the paged query (the API
//! has no other list), for Terraform versions without list resources.

use async_trait::async_trait;

use crate::framework::typed::Result;
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Nesting, Schema, TypedDataSource, Val};

use super::{ClientJson, fleet_realm_of, realm_lookup_attribute};

fn schema() -> Schema {
    let client = vec![
        Attribute::string("client_id")
            .computed()
            .description("The client's identifier in the realm."),
        Attribute::string("name")
            .computed()
            .description("Display name."),
        Attribute::string("description")
            .computed()
            .description("Description."),
        Attribute::string("principal_id")
            .computed()
            .description("The client's principal id (`clientUuid`), for role assignments."),
    ];
    Schema::new(
        0,
        Block::new(
            "The API clients of an SSO realm, read page by page: for example to find clients no \
             configuration manages. With Terraform 1.14+ `terraform query` with `list \"vcf_api_client\"` \
             does the same and can generate import configuration.",
        )
        .attribute(realm_lookup_attribute())
        .attribute(
            Attribute::string("client_id_prefix")
                .optional()
                .description("Only clients whose `client_id` starts with this text."),
        )
        .attribute(
            Attribute::nested("clients", Nesting::List, client)
                .computed()
                .description("The matching clients, ordered by `client_id`."),
        ),
    )
}

crate::model! {
    /// `vcf_api_clients`.
    pub struct ApiClientsModel {
        pub sso_realm_id: Val<String>,
        pub client_id_prefix: Val<String>,
        pub clients: Val<Vec<ClientModel>>,
    }
}

crate::model! {
    /// One element of `vcf_api_clients.clients`.
    pub struct ClientModel {
        pub client_id: Val<String>,
        pub name: Val<String>,
        pub description: Val<String>,
        pub principal_id: Val<String>,
    }
}

impl From<ClientJson> for ClientModel {
    fn from(c: ClientJson) -> Self {
        ClientModel {
            client_id: c.client_id.into(),
            name: c.client_name.into(),
            description: c.client_description.into(),
            principal_id: c.client_uuid.into(),
        }
    }
}

/// Data source `vcf_api_clients`.
pub struct ApiClientsData;

#[async_trait]
impl TypedDataSource for ApiClientsData {
    type Model = ApiClientsModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_clients"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Ctx,
        mut config: ApiClientsModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiClientsModel> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let prefix = config.client_id_prefix.as_deref().unwrap_or_default();
        let mut list = f.all_clients(&realm.id).await?;
        list.retain(|c| c.client_id.starts_with(prefix));
        list.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        config.clients = Val::Known(list.into_iter().map(ClientModel::from).collect());
        Ok(config)
    }
}
