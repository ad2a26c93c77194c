//! Update of `vcf_api_token`: in-place edits, rotation by regenerate or by overlap (a successor
//! created in place, the previous token kept for its grace), and the revoke of a superseded
//! previous token.

use crate::client::{ApiError, Call};
use crate::framework::{Ctx, Diagnostics, Value};
use crate::resources::rotation;

use super::super::{Fleet, RealmJson, TokenCreate, TokenJson, WRITE_ROLE, fail, fleet, paths, s};
use super::ApiToken;
use super::state::token_state_at;

impl ApiToken {
    /// The token with `id` of `client`: from the client's shared token list, else one GET (a
    /// token made after the list was read). `None` when it is gone.
    pub(super) async fn find(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        id: &str,
    ) -> Result<Option<TokenJson>, ApiError> {
        let tokens = f.client_tokens(realm, client).await?;
        if let Some(t) = tokens.iter().find(|t| t.id == id) {
            return Ok(Some(t.clone()));
        }
        f.api
            .json_if_found::<TokenJson>(
                Call::get(paths::fill(paths::TOKEN, &[realm, id]))
                    .success(&[200])
                    .what(format!("read API token {id}")),
            )
            .await
    }
}

impl ApiToken {
    /// Overlap rotation: creates the token that succeeds `old_id` (same name, the planned
    /// settings) and returns the new state, with `old_id` as the previous token. The old token
    /// is left alone. A new token whose secret was lost in transit is revoked again and the
    /// rotation reported as failed (the state keeps the old token), since a successor without
    /// a known secret is of no use to consumers.
    #[allow(clippy::too_many_arguments)]
    async fn create_successor(
        f: Fleet<'_>,
        realm: &RealmJson,
        client: &str,
        old_id: &str,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let name = s(planned, "name").unwrap_or_default();
        let description = s(planned, "description");
        let body = TokenCreate {
            api_client_id: client,
            token_name: &name,
            token_description: description.as_deref(),
            token_type: "API_CLIENT",
            api_token_ttl: planned.attr("ttl").as_i64(),
            access_token_ttl: planned.attr("access_token_ttl").as_i64(),
        };
        let started = f.state().now_ms();
        let call = Call::post(paths::fill(paths::TOKENS, &[&realm.id]))
            .json(&body)
            .success(&[201])
            .what(format!(
                "create the successor of API token {old_id} ({name:?}) of API client {client:?}"
            ))
            .needs_role(WRITE_ROLE);
        // Tokens of this client known before the create: never taken for the new one.
        let known: Vec<String> = [Some(old_id), prior.attr(rotation::PREVIOUS_ID).as_str()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let lookup = || async {
            let list = f.query_tokens(&realm.id, client).await?;
            Ok(list
                .into_iter()
                .filter(|t| {
                    t.token_name.as_deref() == Some(name.as_str())
                        && !known.contains(&t.id)
                        && t.creation_date.is_some_and(|c| c >= started - 120_000)
                })
                .max_by_key(|t| t.creation_date))
        };
        let created = f.api.create_with_lookup(call, lookup).await;
        f.state().invalidate_tokens(&realm.id, client);
        let t = match created {
            Ok(c) if c.get().id.is_empty() => {
                diags.error(
                    "Unexpected response",
                    format!("The answer to creating the successor of API token {old_id} carries no token id."),
                );
                return None;
            }
            Ok(c) if c.is_recovered() => {
                let lost = c.into_inner().id;
                let revoked = revoke(f, &realm.id, client, &lost).await;
                diags.error(
                    "API token not rotated",
                    format!(
                        "The answer to creating the successor of API token {old_id} was lost, so its secret is \
                         unknown; the provider {} it. The current token is unchanged and running Terraform again \
                         is safe.",
                        if revoked.is_ok() { "revoked" } else { "could not revoke" }
                    ),
                );
                return None;
            }
            Ok(c) => c.into_inner(),
            Err(e) => {
                diags.push(e.to_diagnostic());
                return None;
            }
        };
        let now = f.state().now_ms();
        let mut v = token_state_at(&t, planned, now);
        rotation::keep_previous(&mut v, old_id, now, rotation::grace_ms(planned));
        Some(v)
    }

    /// Refresh of the previous token: one deleted on the server leaves the state with a warning
    /// (it is nothing to revoke any more; never an error).
    pub(super) async fn read_previous(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        v: &mut Value,
        diags: &mut Diagnostics,
    ) {
        let Some(prev) = s(v, rotation::PREVIOUS_ID) else {
            return;
        };
        match Self::find(f, realm, client, &prev).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                diags.warning(
                    "Previous API token already gone",
                    format!(
                        "The previous API token {prev} of API client {client:?} was deleted outside Terraform before \
                         its grace ended; it is dropped from the state (nothing left to revoke)."
                    ),
                );
                rotation::clear_previous(v);
            }
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }
}

/// Revokes (deletes) one token; `Ok(false)` when it was already gone.
pub(super) async fn revoke(
    f: Fleet<'_>,
    realm: &str,
    client: &str,
    id: &str,
) -> Result<bool, ApiError> {
    let r = f.revoke_token(realm, client, id).await?;
    Ok(r == crate::resources::revoke::Revoked::Now)
}
impl ApiToken {
    pub(super) async fn update_token(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let rotate = !planned.attr("id").is_known();
        // With overlap rotation the new token is created with the planned settings: no edit.
        // A rotation in place is an overlap unless it regenerates (also when the grace was
        // unknown at plan time and turned out unset: the previous token is then revoked by the
        // next apply).
        let overlap = rotate
            && (rotation::overlap(planned)
                || planned.attr("rotation_strategy").as_str() != Some("regenerate"));
        // A null (removed) description is known, so clearing it counts as an edit too.
        let edited = !overlap
            && ["description", "access_token_ttl"]
                .iter()
                .any(|a| planned.attr(a).is_known() && planned.attr(a) != prior.attr(a));
        // A previous token whose grace ended, or that a new rotation supersedes.
        let superseded = prior
            .attr(rotation::PREVIOUS_ID)
            .as_str()
            .filter(|old| planned.attr(rotation::PREVIOUS_ID).as_str() != Some(*old))
            .map(str::to_string);
        if !rotate && !edited && superseded.is_none() {
            // Only settings changed: nothing to send.
            return crate::resources::existing::unchanged(prior, planned);
        }
        let Some(f) = fleet(ctx, diags) else {
            return prior.clone();
        };
        let Some(realm) = f
            .realm(prior.attr("sso_realm_id"), "sso_realm_id", diags)
            .await
        else {
            return prior.clone();
        };
        let (Some(client), Some(id)) = (s(prior, "api_client_id"), s(prior, "id")) else {
            return prior.clone();
        };
        let mut current = prior.clone();
        // The superseded previous token goes first: when its revoke fails, nothing else is
        // changed and the state still tracks it, so the next apply tries again (a rotation that
        // went on would have to drop one of the two tokens from the state).
        if let Some(old) = &superseded {
            match revoke(f, &realm.id, &client, old).await {
                Ok(true) => {}
                Ok(false) => diags.warning(
                    "Previous API token already gone",
                    format!(
                        "The previous API token {old} of API client {client:?} was already deleted on the server; \
                         nothing was left to revoke."
                    ),
                ),
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return prior.clone();
                }
            }
            rotation::clear_previous(&mut current);
        }
        if edited {
            let mut body = serde_json::json!({
                "id": id,
                "tokenName": s(planned, "name").unwrap_or_default(),
                "tokenDescription": s(planned, "description").unwrap_or_default(),
            });
            if let Some(a) = planned.attr("access_token_ttl").as_i64() {
                body["accessTokenTtl"] = a.into();
            }
            let res = f
                .api
                .call(
                    Call::patch(paths::fill(paths::TOKENS, &[&realm.id]))
                        .json(&body)
                        .idempotent(true)
                        .success(&[204])
                        .what(format!("update API token {id}"))
                        .needs_role(WRITE_ROLE),
                )
                .await;
            f.state().invalidate_tokens(&realm.id, &client);
            if let Err(e) = res {
                return fail(diags, e).unwrap_or_else(|| prior.clone());
            }
            // The edit is applied; the state says so even if what follows fails.
            for a in ["description", "access_token_ttl"] {
                current.set_attr(a, planned.attr(a).clone());
            }
        }
        if overlap {
            match Self::create_successor(f, realm, &client, &id, prior, planned, diags).await {
                Some(v) => v,
                None => current,
            }
        } else if rotate {
            let res = f
                .api
                .json::<TokenJson>(
                    Call::post(paths::fill(paths::TOKEN_REGENERATE, &[&realm.id, &id]))
                        .idempotent(false)
                        .success(&[200])
                        .what(format!("regenerate API token {id}"))
                        .needs_role(WRITE_ROLE),
                )
                .await;
            f.state().invalidate_tokens(&realm.id, &client);
            match res {
                Ok(t) => {
                    let mut base = planned.clone();
                    // The regenerated token keeps its id unless the answer names another.
                    base.set_attr("id", Value::string(&id));
                    token_state_at(&t, &base, f.state().now_ms())
                }
                Err(e) => fail(diags, e).unwrap_or(current),
            }
        } else if edited {
            match Self::find(f, &realm.id, &client, &id).await {
                Ok(Some(t)) => token_state_at(&t, planned, f.state().now_ms()),
                Ok(None) => {
                    diags.error(
                        "API token vanished",
                        format!("API token {id} was updated but is gone when read back; run Terraform again."),
                    );
                    current
                }
                Err(e) => fail(diags, e).unwrap_or(current),
            }
        } else {
            planned.clone()
        }
    }
}
