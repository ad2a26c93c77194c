//! Data source `vcf_api_tokens`: the API tokens of one API client (never their secrets), for
//! monitoring expiry.

use async_trait::async_trait;

use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, Nesting, Schema, TypedDataSource, Val,
};
use crate::resources::rfc3339_from_millis;

use super::fleet_realm_of;
use super::{TokenJson, realm_lookup_attribute};

crate::model! {
    /// One token of `vcf_api_tokens.tokens`.
    pub struct TokenItemModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub description: Val<String>,
        pub status: Val<String>,
        pub token_last_chars: Val<String>,
        pub created_at: Val<String>,
        pub expires_at: Val<String>,
        pub last_used_at: Val<String>,
        pub seconds_until_expiry: Val<i64>,
    }
}

crate::model! {
    /// `vcf_api_tokens`.
    pub struct ApiTokensModel {
        pub sso_realm_id: Val<String>,
        pub api_client_id: Val<String>,
        pub name: Val<String>,
        pub active_only: Val<bool>,
        pub tokens: Val<Vec<TokenItemModel>>,
    }
}

fn time(ms: Option<i64>) -> Val<String> {
    ms.and_then(rfc3339_from_millis).into()
}

impl TokenItemModel {
    /// One token as the data source shows it, its expiry counted from `now_ms`.
    fn of(t: &TokenJson, now_ms: i64) -> Self {
        TokenItemModel {
            id: t.id.as_str().into(),
            name: t.token_name.clone().into(),
            description: t.token_description.clone().into(),
            status: t.token_status.clone().into(),
            token_last_chars: t.token_last_chars.clone().into(),
            created_at: time(t.creation_date),
            expires_at: time(t.expiration_date),
            last_used_at: time(t.last_used_date),
            seconds_until_expiry: t
                .expiration_date
                .map(|e| e.saturating_sub(now_ms) / 1000)
                .into(),
        }
    }
}

pub struct ApiTokens;

#[async_trait]
impl TypedDataSource for ApiTokens {
    type Model = ApiTokensModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_tokens"
    }

    fn schema(&self) -> Schema {
        let token = vec![
            Attribute::string("id").computed().description("Token id."),
            Attribute::string("name").computed().description("Token name."),
            Attribute::string("description").computed().description("Description."),
            Attribute::string("status").computed().description("`ACTIVE`, `EXPIRED` or `UNKNOWN`."),
            Attribute::string("token_last_chars").computed().description("Last characters of the secret."),
            Attribute::string("created_at").computed().description("Creation time (RFC 3339)."),
            Attribute::string("expires_at").computed().description("Expiry time (RFC 3339)."),
            Attribute::string("last_used_at").computed().description("Last use (RFC 3339)."),
            Attribute::number("seconds_until_expiry")
                .computed()
                .description("Seconds until expiry by the server's clock (negative once expired): alert on it."),
        ];
        Schema::new(
            0,
            Block::new(
                "The API tokens of one API client (never their secrets), for monitoring expiry: for example a \
                 `check` block that fails when a token expires within 14 days.",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("api_client_id")
                    .validator(PathSegment)
                    .required()
                    .description("`client_id` of the API client.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Only tokens with exactly this name."),
            )
            .attribute(
                Attribute::bool("active_only")
                    .optional()
                    .description("Only `ACTIVE` tokens (default false: all)."),
            )
            .attribute(
                Attribute::nested("tokens", Nesting::List, token)
                    .computed()
                    .description("The matching tokens, oldest first."),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: ApiTokensModel,
        _diags: &mut Diagnostics,
    ) -> Result<ApiTokensModel, Failure> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let client = config.api_client_id.as_deref().unwrap_or_default();
        let list = f.query_tokens(&realm.id, client).await?;
        let now = f.state().now_ms();
        let name = config.name.as_deref();
        let active_only = config.active_only.get() == Some(&true);
        let tokens = list
            .iter()
            .filter(|t| name.is_none() || t.token_name.as_deref() == name)
            .filter(|t| !active_only || t.token_status.as_deref() == Some("ACTIVE"))
            .map(|t| TokenItemModel::of(t, now))
            .collect();
        Ok(ApiTokensModel {
            tokens: Val::Known(tokens),
            ..config
        })
    }
}
