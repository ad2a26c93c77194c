//! List resource `vcf_director_api_token`: the API tokens the provider's Director session may
//! see, streamed page by page as `vcf_director_api_token` states.

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::{Attribute, Block, Ctx, ListSink, Schema, TypedList, Val};

use super::api::{director, org_name, token_page};
use super::api_token::ApiTokenModel;

/// `list "vcf_director_api_token"`.
pub struct DirectorApiTokenList;

crate::model! {
    /// The `config` block of `list "vcf_director_api_token"`.
    pub struct ApiTokenListConfig {
        pub name_prefix: Val<String>,
    }
}

#[async_trait]
impl TypedList for DirectorApiTokenList {
    type Config = ApiTokenListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_director_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds the Director / VCF Automation API tokens the provider's session may see (its user's own, or \
                 its organization's with \"Manage all users' API tokens\").",
            )
            .attribute(
                Attribute::string("name_prefix")
                    .optional()
                    .description("Only tokens whose name starts with this text."),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: ApiTokenListConfig, sink: &mut ListSink) -> Result<()> {
        let (vcf, api) = director(ctx)?;
        let org = org_name(vcf.director_org.as_deref());
        let prefix = config.name_prefix.as_deref().unwrap_or_default();
        let mut page = 1u32;
        loop {
            let p = token_page(api, None, page, None).await?;
            for t in p
                .values
                .iter()
                .filter(|t| t.is_api_token() && t.name.starts_with(prefix))
            {
                let state = ApiTokenModel::of(t, &org, Val::Null, Val::Null);
                if !sink.send(state.to_value(), t.name.clone()).await {
                    return Ok(());
                }
            }
            if p.is_last(page) {
                return Ok(());
            }
            page += 1;
        }
    }
}
