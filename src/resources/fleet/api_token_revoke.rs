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
    Action, ActionSink, Attribute, AttributePath, Block, Ctx, Diagnostics, Schema, Value,
};
use crate::resources::VcfContext;
use crate::resources::revoke::{
    Candidate, Selector, check_selector, revoke_each, selector, selector_attributes,
};

use super::{ClientJson, Fleet, TokenJson, fail, fleet_realm, paths, realm_lookup_attribute, s};

pub struct ApiTokenRevoke;

fn candidate(t: &TokenJson) -> Candidate {
    Candidate::new(&t.id, t.token_name.clone())
}

impl ApiTokenRevoke {
    /// The tokens the selector chooses among `tokens` (the client's), with a look-up of a
    /// `token_id` the list does not hold. `None` after an error diagnostic.
    async fn select(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        sel: &Selector,
        tokens: &[TokenJson],
        diags: &mut Diagnostics,
    ) -> Option<Vec<Candidate>> {
        match sel {
            Selector::All => Some(tokens.iter().map(candidate).collect()),
            Selector::NamePrefix(p) => Some(
                tokens
                    .iter()
                    .filter(|t| t.token_name.as_deref().is_some_and(|n| n.starts_with(p)))
                    .map(candidate)
                    .collect(),
            ),
            Selector::TokenId(id) => {
                if let Some(t) = tokens.iter().find(|t| &t.id == id) {
                    return Some(vec![candidate(t)]);
                }
                // Not in the client's list: gone, or another client's token.
                match Self::lookup(f, realm, client, id, diags).await? {
                    None => Some(vec![Candidate {
                        gone: true,
                        ..Candidate::new(id, None)
                    }]),
                    Some(t) => Some(vec![candidate(&t)]),
                }
            }
        }
    }

    /// Token `id` of `client` by itself (`getApiToken`): `Some(None)` when it is gone, `None`
    /// after an error diagnostic — on `token_id` when the token belongs to another client.
    async fn lookup(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<Option<TokenJson>> {
        let found = f
            .api
            .json_if_found::<TokenJson>(
                Call::get(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[200])
                    .what(format!("read API token {id}")),
            )
            .await;
        match found {
            Err(e) => fail(diags, e),
            Ok(None) => Some(None),
            Ok(Some(t)) if t.api_client_id.as_deref() == Some(client) => Some(Some(t)),
            Ok(Some(t)) => {
                diags.attr_error(
                    AttributePath::attr("token_id"),
                    "Token of another API client",
                    format!(
                        "API token {id} belongs to API client {:?}, not to {client:?} (api_client_id); \
                         nothing was revoked. Set api_client_id to the token's client to revoke it.",
                        t.api_client_id.as_deref().unwrap_or("unknown")
                    ),
                );
                None
            }
        }
    }

    /// Whether the client exists; an error diagnostic on `api_client_id` when it does not.
    async fn client_exists(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        diags: &mut Diagnostics,
    ) -> bool {
        match f
            .api
            .json_if_found::<ClientJson>(
                Call::get(paths::fill(paths::CLIENT, &[realm, client]))
                    .success(&[200])
                    .what(format!("read API client {client:?}")),
            )
            .await
        {
            Ok(Some(_)) => true,
            Ok(None) => {
                diags.attr_error(
                    AttributePath::attr("api_client_id"),
                    "API client not found",
                    format!(
                        "The realm has no API client {client:?}; nothing was revoked. List the clients with the \
                         vcf_api_clients data source."
                    ),
                );
                false
            }
            Err(e) => fail(diags, e).unwrap_or(false),
        }
    }
}

#[async_trait]
impl Action for ApiTokenRevoke {
    fn type_name(&self) -> &'static str {
        "vcf_api_token_revoke"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new(
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
            Attribute::string("api_client_id")
                .required()
                .validator(PathSegment)
                .validator(Length::at_least(1))
                .description("`client_id` of the API client whose tokens are revoked."),
        );
        for a in selector_attributes(
            "of the API client",
            "the `id` of `vcf_api_token`, or of the `vcf_api_tokens` data source",
        ) {
            block = block.attribute(a);
        }
        Schema::new(0, block)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_selector(config, diags);
    }

    async fn plan(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) {
        // The provider's configuration may not be known yet; the invocation checks it again.
        let Some(vcf) = ctx.data::<VcfContext>() else {
            return;
        };
        let api = match vcf.clients.operations() {
            Ok(api) => api,
            Err(d) => return diags.push(d),
        };
        // The realm exists before any apply; the client and its tokens may not (a resource that
        // triggers the action may create them), so only a token that exists is checked now: one
        // of another client is refused before anything runs.
        let realm = config.attr("sso_realm_id");
        if !realm.is_known() {
            return;
        }
        let f = Fleet { vcf, api };
        let Some(realm) = f.realm(realm, "sso_realm_id", diags).await else {
            return;
        };
        if let (Some(client), Some(id)) = (s(config, "api_client_id"), s(config, "token_id")) {
            Self::lookup(f, &realm.id, &client, &id, diags).await;
        }
    }

    async fn invoke(
        &self,
        ctx: &Ctx,
        config: &Value,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) {
        let Some(sel) = selector(config) else {
            return;
        };
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return;
        };
        let Some(client) = s(config, "api_client_id") else {
            return;
        };
        sink.progress(format!(
            "Listing the API tokens of API client {client:?} (realm {})…",
            realm.name
        ))
        .await;
        let tokens = match f.query_tokens(&realm.id, &client).await {
            Ok(t) => t,
            Err(e) => return diags.push(e.to_diagnostic()),
        };
        if tokens.is_empty()
            && !matches!(sel, Selector::TokenId(_))
            && !Self::client_exists(f, &realm.id, &client, diags).await
        {
            return;
        }
        let Some(candidates) = Self::select(f, &realm.id, &client, &sel, &tokens, diags).await
        else {
            return;
        };
        let scope = match &sel {
            Selector::All => format!("of API client {client:?}"),
            Selector::NamePrefix(p) => {
                format!("of API client {client:?} whose name starts with {p:?}")
            }
            Selector::TokenId(id) => format!("of API client {client:?} with id {id}"),
        };
        let realm_id = realm.id.clone();
        revoke_each("API token", &scope, candidates, sink, diags, |c| {
            let (realm_id, client) = (realm_id.clone(), client.clone());
            async move { f.revoke_token(&realm_id, &client, &c.id).await }
        })
        .await;
    }
}
