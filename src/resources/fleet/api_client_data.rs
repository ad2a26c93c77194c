//! Data source `vcf_api_client`: one API client of an SSO realm, looked up by `client_id`, for
//! its `principal_id`. Its attributes are those of the resource ([`ApiClientModel`]).

use async_trait::async_trait;

use crate::framework::typed::Result;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Failure, Schema, TypedDataSource};

use super::api_client::{ApiClientModel, get_client};
use super::{fleet_realm_of, realm_lookup_attribute};

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Looks up an API client of an SSO realm by `client_id`, for its `principal_id`.",
        )
        .attribute(realm_lookup_attribute())
        .attribute(
            Attribute::string("client_id")
                .validator(PathSegment)
                .required()
                .description("The client's identifier in the realm.")
                .validator(Length::at_least(1)),
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .description("`<sso_realm_id>/<client_id>`."),
        )
        .attribute(
            Attribute::string("name")
                .computed()
                .description("Display name."),
        )
        .attribute(
            Attribute::string("description")
                .computed()
                .description("Description."),
        )
        .attribute(
            Attribute::string("principal_id")
                .computed()
                .description("The client's principal id (`clientUuid`), for role assignments."),
        ),
    )
}

/// Data source `vcf_api_client`.
pub struct ApiClientData;

#[async_trait]
impl TypedDataSource for ApiClientData {
    type Model = ApiClientModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: ApiClientModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiClientModel> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let client_id = config.known_client_id()?;
        match get_client(f, &realm.id, client_id).await? {
            // The API's description as it is ("" included).
            Some(c) => Ok(ApiClientModel {
                id: format!("{}/{}", realm.id, c.client_id).into(),
                sso_realm_id: config.sso_realm_id,
                client_id: c.client_id.into(),
                name: c.client_name.into(),
                description: c.client_description.into(),
                principal_id: c.client_uuid.into(),
            }),
            None => Err(Failure::at(
                crate::attr_path!(ApiClientModel, client_id),
                "API client not found",
                format!("SSO realm {} has no API client {client_id:?}.", realm.name),
            )),
        }
    }
}
