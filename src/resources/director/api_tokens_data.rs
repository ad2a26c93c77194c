//! Data source `vcf_director_api_tokens`: the Cloud Director / VCF Automation API tokens the
//! provider's session may see (the documented token list; names and ids only).

use async_trait::async_trait;

use crate::client::{AuthMethod, ErrorKind};
use crate::framework::typed::Result;
use crate::framework::validate::Length;
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, Nesting, Schema, TypedDataSource, Val,
};

use super::api::{TokenEntry, director, list_tokens};

/// `vcf_director_api_tokens`.
pub struct DirectorApiTokens;

crate::model! {
    /// One element of `tokens`.
    pub struct ListedTokenModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub owner: Val<String>,
    }
}

crate::model! {
    /// `vcf_director_api_tokens`.
    pub struct ApiTokensModel {
        pub name: Val<String>,
        pub tokens: Val<Vec<ListedTokenModel>>,
    }
}

impl From<&TokenEntry> for ListedTokenModel {
    fn from(t: &TokenEntry) -> Self {
        ListedTokenModel {
            id: t.id.as_str().into(),
            name: t.name.as_str().into(),
            owner: t.owner_name().map(str::to_string).into(),
        }
    }
}

#[async_trait]
impl TypedDataSource for DirectorApiTokens {
    type Model = ApiTokensModel;

    fn type_name(&self) -> &'static str {
        "vcf_director_api_tokens"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Lists the Cloud Director / VCF Automation API tokens the provider's session may see: its user's own, \
                 or with the right \"Manage all users' API tokens\" every user's of the organization (all \
                 organizations for System administrators). Names and ids only: token values are never readable. \
                 Needs a session opened with user and password.",
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Only tokens with exactly this name.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::nested(
                    "tokens",
                    Nesting::List,
                    vec![
                        Attribute::string("id").computed().description("Token id, `urn:vcloud:token:…`."),
                        Attribute::string("name").computed().description("Token name."),
                        Attribute::string("owner").computed().description("Name of the user who owns it."),
                    ],
                )
                .computed()
                .description("The tokens, in the order Director lists them."),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: ApiTokensModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiTokensModel> {
        let (_, api) = director(ctx)?;
        let name = config.name.as_deref();
        let tokens = list_tokens(api, name).await.map_err(|e| {
            let mut d = e.to_diagnostic();
            if e.kind() == ErrorKind::Forbidden && api.auth_method() == AuthMethod::ApiToken {
                d.detail.push_str(
                    " The provider's director block uses an API token; use username and password.",
                );
            }
            Failure::from(d)
        })?;
        Ok(ApiTokensModel {
            name: name.map(str::to_string).into(),
            tokens: Val::Known(tokens.iter().map(ListedTokenModel::from).collect()),
        })
    }
}
