//! API token reads: one paged query per API client shared by every token read of a plan; and the
//! revoke of one token, which forgets that client's shared list.

use std::sync::Arc;

use crate::client::{ApiError, Call};
use crate::resources::revoke::Revoked;

use super::*;

impl Fleet<'_> {
    /// Every API_CLIENT token of one client, from one paged query shared by all callers of the
    /// process until a write to that client's tokens (or a minute passes).
    pub async fn client_tokens(
        &self,
        realm: &str,
        client_id: &str,
    ) -> Result<Arc<Vec<TokenJson>>, ApiError> {
        if self.state().single_token_reads {
            // Every lookup misses an empty list and reads its token with its own GET.
            return Ok(Arc::default());
        }
        self.state()
            .tokens
            .get(&format!("{realm}/{client_id}"), || async move {
                self.query_tokens(realm, client_id).await.map(Arc::new)
            })
            .await
    }

    /// Runs the token query for one client, every page, keeping exact client matches (the SEEN
    /// operator is LIKE).
    pub async fn query_tokens(
        &self,
        realm: &str,
        client_id: &str,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let body = serde_json::json!({
            "searchTerms": {
                "allOf": [{
                    "field": paths::QUERY_FIELD_CLIENT_ID,
                    "terms": [client_id],
                    "operator": paths::QUERY_OPERATOR,
                }],
                "anyOf": [],
            },
            "filters": { "tokenType": ["API_CLIENT"] },
        });
        self.token_query_pages(
            realm,
            client_id,
            &body,
            format!("query the API tokens of API client {client_id:?}"),
        )
        .await
    }

    /// The usable tokens named exactly `name` of one client, from one query (paged like
    /// [`Fleet::query_tokens`], but narrowed by the server to the name and to the statuses
    /// ACTIVE and UNKNOWN, so it is one request unless the client has more than a page of
    /// tokens of that name): what a create looks for before it makes another token of the name.
    pub async fn tokens_named(
        &self,
        realm: &str,
        client_id: &str,
        name: &str,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let body = serde_json::json!({
            "searchTerms": {
                "allOf": [
                    {
                        "field": paths::QUERY_FIELD_CLIENT_ID,
                        "terms": [client_id],
                        "operator": paths::QUERY_OPERATOR,
                    },
                    {
                        "field": paths::QUERY_FIELD_TOKEN_NAME,
                        "terms": [name],
                        "operator": paths::QUERY_OPERATOR_EQUALS,
                    },
                ],
                "anyOf": [],
            },
            "filters": {
                "tokenType": ["API_CLIENT"],
                "tokenStatus": paths::USABLE_TOKEN_STATUSES,
            },
        });
        let mut list = self
            .token_query_pages(
                realm,
                client_id,
                &body,
                format!("look up the API tokens named {name:?} of API client {client_id:?}"),
            )
            .await?;
        list.retain(|t| t.token_name.as_deref() == Some(name));
        Ok(list)
    }

    /// Every page of one token query (`body` is its ClientTokenQuery), keeping tokens with an id
    /// of exactly `client_id`.
    async fn token_query_pages(
        &self,
        realm: &str,
        client_id: &str,
        body: &serde_json::Value,
        what: String,
    ) -> Result<Vec<TokenJson>, ApiError> {
        let mut out = Vec::new();
        let mut page = 0i64;
        loop {
            let resp = self
                .api
                .call(
                    Call::post(paths::fill(paths::TOKEN_QUERY, &[realm]))
                        .query("page", page)
                        .query("pageSize", paths::TOKEN_PAGE_SIZE)
                        .query("sortOrder", "ASCENDING")
                        .json(body)
                        .idempotent(true)
                        .what(what.clone()),
                )
                .await?;
            self.state().note_server_date(&resp);
            let p: TokenPage = resp.json()?;
            let n = p.api_tokens.len() as i64;
            let total = p.page_info.and_then(|i| i.total_count);
            out.extend(
                p.api_tokens
                    .into_iter()
                    .filter(|t| !t.id.is_empty() && t.api_client_id.as_deref() == Some(client_id)),
            );
            page += 1;
            let seen = page.saturating_mul(paths::TOKEN_PAGE_SIZE);
            if n < paths::TOKEN_PAGE_SIZE || total.is_some_and(|t| seen >= t) || page > 10_000 {
                break;
            }
        }
        Ok(out)
    }
}

impl Fleet<'_> {
    /// Revokes one API token of `client_id` (`deleteApiToken`, 204); the API's 404 means it
    /// was already gone. Forgets the client's shared token list either way.
    pub async fn revoke_token(
        &self,
        realm: &str,
        client_id: &str,
        id: &str,
    ) -> Result<Revoked, ApiError> {
        let res = self
            .api
            .call(
                Call::delete(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[204])
                    .what(format!("revoke API token {id}"))
                    .needs_role(WRITE_ROLE),
            )
            .await;
        self.state().invalidate_tokens(realm, client_id);
        match res {
            Ok(_) => Ok(Revoked::Now),
            Err(e) if e.is_not_found() => Ok(Revoked::AlreadyGone),
            Err(e) => Err(e),
        }
    }
}
