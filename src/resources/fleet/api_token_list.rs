//! List resource `vcf_api_token` (`terraform query`): API-client tokens of a realm, page by page;
//! and the identity of `vcf_api_token` with its import by identity.
//!
//! `vcf_api_token` is identified by `{sso_realm_id, api_client_id, name}`: the ACTIVE token of
//! that name of that client. Its `id` is not part of the identity because the regenerate call
//! (an in-place update) may give the token a new id (the reference does not say it keeps it);
//! the name and client survive it. Token names are not unique in the API, so importing by
//! identity refuses when two ACTIVE tokens share the name (import those by ID).

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::duration;
use crate::framework::model::{Model, ToValue};
use crate::framework::validate::{Check, Length, OneOf, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, IdentityAttribute, IdentitySchema, ListSink,
    Schema, TypedList, TypedResource, Val, Value,
};
use crate::resources::rotating::duration_check;

use super::api_token::{ApiToken, ApiTokenModel};
use super::fleet_realm_of;
use super::{REALM_ATTRIBUTE, REALM_IDENTITY, TokenPage, fleet_of, paths, realm_lookup_attribute};

pub fn token_identity_schema() -> Option<IdentitySchema> {
    Some(IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::required(REALM_ATTRIBUTE, REALM_IDENTITY),
            IdentityAttribute::required("api_client_id", "`client_id` of the token's API client."),
            IdentityAttribute::required(
                "name",
                "The token's name. The identity names the ACTIVE token of this name: it stays the same when \
                 the token is regenerated (which may give it a new `id`).",
            ),
        ],
    ))
}

crate::model! {
    /// The identity of `vcf_api_token`.
    struct IdentityModel {
        sso_realm_id: Val<String>,
        api_client_id: Val<String>,
        name: Val<String>,
    }
}

/// Import of `vcf_api_token` by identity: the one ACTIVE token of that name of that client.
pub async fn import_token_by_identity(
    res: &ApiToken,
    ctx: &Ctx,
    identity: &Value,
    diags: &mut Diagnostics,
) -> Result<ApiTokenModel, Failure> {
    let identity = IdentityModel::decode(identity).unwrap_or_default();
    let (Some(realm_given), Some(client), Some(name)) = (
        identity.sso_realm_id.as_deref(),
        identity.api_client_id.as_deref(),
        identity.name.as_deref(),
    ) else {
        return Err(Failure::error(
            "Incomplete identity",
            "vcf_api_token is imported by identity with sso_realm_id, api_client_id and name.",
        ));
    };
    let f = fleet_of(ctx)?;
    let realm = f.realm_of(&identity.sso_realm_id).await?;
    let tokens = f.query_tokens(&realm.id, client).await?;
    let now = f.state().now_ms();
    let active: Vec<_> = tokens
        .iter()
        .filter(|t| t.token_name.as_deref() == Some(name) && is_active(t, now))
        .collect();
    match active.as_slice() {
        [t] => {
            res.import(ctx, &format!("{realm_given}/{client}/{}", t.id), diags)
                .await
        }
        [] => Err(Failure::error(
            "API token not found",
            format!(
                "API client {client:?} of SSO realm {} has no ACTIVE API token named {name:?}.",
                realm.name
            ),
        )),
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            Err(Failure::error(
                "API token name is ambiguous",
                format!(
                    "API client {client:?} has {} ACTIVE API tokens named {name:?} ({}); import one of them by ID \
                     (<sso_realm_id>/<api_client_id>/<token_id>) instead.",
                    ids.len(),
                    ids.join(", ")
                ),
            ))
        }
    }
}

fn is_active(t: &super::TokenJson, now_ms: i64) -> bool {
    matches!(t.token_status.as_deref(), Some("ACTIVE") | None)
        && t.expiration_date.is_none_or(|e| e > now_ms)
}
crate::model! {
    /// The configuration of `list "vcf_api_token"`.
    pub struct ApiTokenListConfig {
        pub sso_realm_id: Val<String>,
        pub api_client_id: Val<String>,
        pub name_prefix: Val<String>,
        pub status: Val<String>,
        pub expiring_within: Val<String>,
    }
}

/// `list "vcf_api_token"`: API-client tokens of a realm, page by page.
pub struct ApiTokenList;

#[async_trait]
impl TypedList for ApiTokenList {
    type Config = ApiTokenListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_api_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds the API tokens of API clients of an SSO realm, streaming them page by page.")
                .attribute(realm_lookup_attribute())
                .attribute(
                    Attribute::string("api_client_id")
                        .validator(PathSegment)
                        .optional()
                        .description("Only the tokens of this API client (`client_id`).")
                        .validator(Length::at_least(1)),
                )
                .attribute(
                    Attribute::string("name_prefix")
                        .optional()
                        .description("Only tokens whose name starts with this text."),
                )
                .attribute(
                    Attribute::string("status")
                        .optional()
                        .description(
                            "`ACTIVE` (default), `EXPIRED`, `UNKNOWN` or `ANY`. Only ACTIVE tokens can be \
                             imported (a revoked token is gone from the API).",
                        )
                        .validator(OneOf::new(&["ACTIVE", "EXPIRED", "UNKNOWN", "ANY"])),
                )
                .attribute(
                    Attribute::string("expiring_within")
                        .optional()
                        .description(
                            "Only tokens that expire within this duration from now (server time), for example \
                             `\"720h\"`.",
                        )
                        .validator(Check::new("must be a duration such as \"720h\"", duration_check)),
                ),
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: ApiTokenListConfig,
        sink: &mut ListSink,
    ) -> Result<(), Failure> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let client = config.api_client_id.into_option();
        let prefix = config.name_prefix.into_option().unwrap_or_default();
        let status = config
            .status
            .into_option()
            .unwrap_or_else(|| "ACTIVE".to_string());
        let within_ms = config
            .expiring_within
            .as_deref()
            .and_then(|d| duration::parse(d).ok())
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // Narrowed on the server where the API can (LIKE matches anywhere in the text), exactly
        // here.
        let mut all_of = Vec::new();
        if let Some(c) = &client {
            all_of.push(serde_json::json!({
                "field": paths::QUERY_FIELD_CLIENT_ID,
                "terms": [c],
                "operator": paths::QUERY_OPERATOR,
            }));
        }
        if !prefix.is_empty() {
            all_of.push(serde_json::json!({
                "field": paths::QUERY_FIELD_TOKEN_NAME,
                "terms": [prefix],
                "operator": paths::QUERY_OPERATOR,
            }));
        }
        let body = serde_json::json!({
            "searchTerms": { "allOf": all_of, "anyOf": [] },
            "filters": { "tokenType": ["API_CLIENT"] },
        });
        let base = ApiTokenModel {
            sso_realm_id: realm.id.as_str().into(),
            ..ApiTokenModel::default()
        };
        let mut page = 0i64;
        loop {
            let resp = f
                .api
                .call(
                    Call::post(paths::fill(paths::TOKEN_QUERY, &[&realm.id]))
                        .query("page", page)
                        .query("pageSize", paths::TOKEN_PAGE_SIZE)
                        .query("sortOrder", "ASCENDING")
                        .json(&body)
                        .idempotent(true)
                        .what("list API tokens"),
                )
                .await;
            let p: TokenPage = resp.and_then(|r| {
                f.state().note_server_date(&r);
                r.json()
            })?;
            let n = p.api_tokens.len() as i64;
            let total = p.page_info.and_then(|i| i.total_count);
            let now = f.state().now_ms();
            for t in &p.api_tokens {
                let Some(owner) = t.api_client_id.as_deref() else {
                    continue;
                };
                let name = t.token_name.as_deref().unwrap_or_default();
                let wanted = client.as_deref().is_none_or(|c| c == owner)
                    && name.starts_with(&prefix)
                    && match status.as_str() {
                        "ANY" => true,
                        "ACTIVE" => is_active(t, now),
                        "EXPIRED" => {
                            t.token_status.as_deref() == Some("EXPIRED")
                                || (t.token_status.as_deref() == Some("ACTIVE")
                                    && t.expiration_date.is_some_and(|e| e <= now))
                        }
                        other => t.token_status.as_deref() == Some(other),
                    }
                    && within_ms.is_none_or(|w| {
                        t.expiration_date
                            .is_some_and(|e| e <= now.saturating_add(w))
                    });
                if !wanted {
                    continue;
                }
                let state = ApiTokenModel::from_api(t, &base, now).to_value();
                if !sink.send(state, format!("{owner}/{name} ({})", t.id)).await {
                    return Ok(());
                }
            }
            page += 1;
            let seen = page.saturating_mul(paths::TOKEN_PAGE_SIZE);
            if n < paths::TOKEN_PAGE_SIZE
                || total.is_some_and(|t| seen >= t)
                || page > 10_000
                || !sink.wants_more()
            {
                return Ok(());
            }
        }
    }
}
