//! Action `vcf_api_token_revoke` (Terraform 1.14+): revokes API tokens of one API client now —
//! one token by id, every token whose name starts with a prefix, or every token of the client —
//! whether or not any Terraform state knows them. Incident response without editing
//! configuration: `terraform apply -invoke=action.vcf_api_token_revoke.NAME`.
//!
//! The client's tokens come from the token query ([`Fleet::query_tokens`], read fresh, not from
//! the refresh snapshot); each selected token is revoked with `DELETE …/api-tokens/{id}`
//! ([`Fleet::revoke_token`]). A `token_id` of another client is refused: the action revokes
//! exactly what it says.

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    ActionSink, Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, Schema, TypedAction,
    Val,
};
use crate::resources::VcfContext;
use crate::resources::revoke::{
    Candidate, Selector, SelectsTokens, TOKEN_ID, revoke_each, selects_tokens,
    with_selector_attributes,
};

use super::fleet_realm_of;
use super::{ClientJson, Fleet, TokenJson, paths, realm_lookup_attribute};

crate::model! {
    /// `vcf_api_token_revoke`: the client and exactly one selector of its tokens.
    pub struct ApiTokenRevokeModel {
        pub sso_realm_id: Val<String>,
        pub api_client_id: Val<String>,
        pub token_id: Val<String>,
        pub name_prefix: Val<String>,
        pub all_tokens: Val<bool>,
    }
}

selects_tokens!(ApiTokenRevokeModel);

/// The attribute naming the API client.
const API_CLIENT_ID: &str = "api_client_id";

pub struct ApiTokenRevoke;

fn candidate(t: &TokenJson) -> Candidate {
    Candidate::new(&t.id, t.token_name.clone())
}

impl ApiTokenRevoke {
    /// The tokens the selector chooses among `tokens` (the client's), with a look-up of a
    /// `token_id` the list does not hold.
    async fn select(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        sel: &Selector,
        tokens: &[TokenJson],
    ) -> Result<Vec<Candidate>, Failure> {
        let Selector::TokenId(id) = sel else {
            return Ok(tokens
                .iter()
                .filter(|t| sel.chooses_name(t.token_name.as_deref()))
                .map(candidate)
                .collect());
        };
        if let Some(t) = tokens.iter().find(|t| &t.id == id) {
            return Ok(vec![candidate(t)]);
        }
        // Not in the client's list: gone, or another client's token.
        Ok(match Self::lookup(f, realm, client, id).await? {
            None => vec![Candidate::gone(id)],
            Some(t) => vec![candidate(&t)],
        })
    }

    /// Token `id` of `client` by itself (`getApiToken`): `None` when it is gone; an error on
    /// `token_id` when the token belongs to another client.
    async fn lookup(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        id: &str,
    ) -> Result<Option<TokenJson>, Failure> {
        let found = f
            .api
            .json_if_found::<TokenJson>(
                Call::get(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[200])
                    .what(format!("read API token {id}")),
            )
            .await?;
        match found {
            Some(t) if t.api_client_id.as_deref() != Some(client) => Err(Failure::at(
                AttributePath::attr(TOKEN_ID),
                "Token of another API client",
                format!(
                    "API token {id} belongs to API client {:?}, not to {client:?} (api_client_id); \
                     nothing was revoked. Set api_client_id to the token's client to revoke it.",
                    t.api_client_id.as_deref().unwrap_or("unknown")
                ),
            )),
            found => Ok(found),
        }
    }

    /// An error on `api_client_id` when the client does not exist.
    async fn check_client_exists(f: Fleet<'_>, realm: &str, client: &str) -> Result<(), Failure> {
        let found = f
            .api
            .json_if_found::<ClientJson>(
                Call::get(paths::fill(paths::CLIENT, &[realm, client]))
                    .success(&[200])
                    .what(format!("read API client {client:?}")),
            )
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(Failure::at(
                AttributePath::attr(API_CLIENT_ID),
                "API client not found",
                format!(
                    "The realm has no API client {client:?}; nothing was revoked. List the clients with the \
                     vcf_api_clients data source."
                ),
            )),
        }
    }
}

#[async_trait]
impl TypedAction for ApiTokenRevoke {
    type Model = ApiTokenRevokeModel;

    fn type_name(&self) -> &'static str {
        "vcf_api_token_revoke"
    }

    fn schema(&self) -> Schema {
        let block = Block::new(
            "Revokes API tokens of one API client now, whether or not any Terraform state knows them: one token \
             by id, every token whose name starts with a prefix, or every token of the client. For incident \
             response (a leaked token, a compromised client) without editing configuration: \
             `terraform apply -invoke=action.vcf_api_token_revoke.<name>` (Terraform 1.14 or later), or from an \
             `action_trigger` in a resource's `lifecycle`.\n\n\
             Every token is reported as it is revoked, and a summary names the revoked ids. A token that is \
             already gone is noted, not an error; a `token_id` of another API client is refused. Tokens of other \
             clients are never touched. A `vcf_api_token` whose token was revoked leaves the state at its next \
             refresh, and the next apply creates a new one.\n\n\
             If the provider itself authenticates with an API token of this client, revoking it ends the \
             provider's access once its current access token expires.",
        )
        .attribute(realm_lookup_attribute())
        .attribute(
            Attribute::string(API_CLIENT_ID)
                .required()
                .validator(PathSegment)
                .validator(Length::at_least(1))
                .description("`client_id` of the API client whose tokens are revoked."),
        );
        Schema::new(
            0,
            with_selector_attributes(
                block,
                "of the API client",
                "the `id` of `vcf_api_token`, or of the `vcf_api_tokens` data source",
            ),
        )
    }

    fn validate(&self, config: &ApiTokenRevokeModel, diags: &mut Diagnostics) {
        config.check_selector(diags);
    }

    async fn plan(
        &self,
        ctx: &Ctx,
        config: ApiTokenRevokeModel,
        _diags: &mut Diagnostics,
    ) -> Result<(), Failure> {
        // The provider's configuration may not be known yet; the invocation checks it again.
        let Some(vcf) = ctx.data::<VcfContext>() else {
            return Ok(());
        };
        vcf.clients.operations()?;
        // The realm exists before any apply; the client and its tokens may not (a resource that
        // triggers the action may create them), so only a token that exists is checked now: one
        // of another client is refused before anything runs.
        if config.sso_realm_id.is_unknown() {
            return Ok(());
        }
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        if let (Some(client), Some(id)) =
            (config.api_client_id.as_deref(), config.token_id.as_deref())
        {
            Self::lookup(f, &realm.id, client, id).await?;
        }
        Ok(())
    }

    async fn invoke(
        &self,
        ctx: &Ctx,
        config: ApiTokenRevokeModel,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) -> Result<(), Failure> {
        let Some(sel) = config.selector() else {
            return Ok(());
        };
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let Some(client) = config.api_client_id.into_option() else {
            return Ok(());
        };
        sink.progress(format!(
            "Listing the API tokens of API client {client:?} (realm {})…",
            realm.name
        ))
        .await;
        let tokens = f.query_tokens(&realm.id, &client).await?;
        if tokens.is_empty() && !matches!(sel, Selector::TokenId(_)) {
            Self::check_client_exists(f, &realm.id, &client).await?;
        }
        let candidates = Self::select(f, &realm.id, &client, &sel, &tokens).await?;
        let scope = sel.scope(&format!("of API client {client:?}"));
        let realm_id = realm.id.clone();
        revoke_each("API token", &scope, candidates, sink, diags, |c| {
            let (realm_id, client) = (realm_id.clone(), client.clone());
            async move { f.revoke_token(&realm_id, &client, &c.id).await }
        })
        .await;
        Ok(())
    }
}
