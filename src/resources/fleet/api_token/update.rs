//! Token calls of `vcf_api_token`: the create that both a new token and the successor of an
//! overlap rotation go through, in-place edits, rotation by regenerate or by overlap (a successor
//! created in place, the previous token kept for its grace), and the revoke of a superseded
//! previous token.

use crate::client::{ApiError, Call, Created, ErrorKind};
use crate::framework::typed::Result;
use crate::framework::{Ctx, Diagnostics, Failure};
use crate::resources::existing;
use crate::resources::rotating;

use super::super::{Fleet, TokenCreate, TokenJson, WRITE_ROLE, fleet_of, paths};
use super::{ApiToken, ApiTokenModel, known};

/// What a create makes: the first token of a resource, or the successor of `old_id` in an
/// overlap rotation (`previous`: a previous token the state still holds beside it).
#[derive(Clone, Copy)]
pub(super) enum NewToken<'a> {
    First,
    SuccessorOf {
        old_id: &'a str,
        previous: Option<&'a str>,
    },
}

impl NewToken<'_> {
    /// The token as the messages of a create name it.
    fn subject(&self, name: &str) -> String {
        match self {
            NewToken::First => format!("API token {name:?}"),
            NewToken::SuccessorOf { old_id, .. } => format!("the successor of API token {old_id}"),
        }
    }

    /// What the create call does, for its error messages.
    fn what(&self, name: &str, client: &str) -> String {
        match self {
            NewToken::First => format!("create API token {name:?} of API client {client:?}"),
            NewToken::SuccessorOf { old_id, .. } => format!(
                "create the successor of API token {old_id} ({name:?}) of API client {client:?}"
            ),
        }
    }

    /// Tokens of the client known before the create: never taken for the new one.
    fn known(&self) -> Vec<&str> {
        match self {
            NewToken::First => Vec::new(),
            NewToken::SuccessorOf { old_id, previous } => {
                std::iter::once(*old_id).chain(*previous).collect()
            }
        }
    }
}

impl ApiToken {
    /// The token with `id` of `client`: from the client's shared token list, else one GET (a
    /// token made after the list was read). `None` when it is gone.
    pub(super) async fn find(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        id: &str,
    ) -> std::result::Result<Option<TokenJson>, ApiError> {
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

    /// Creates a token of `client` in `realm` with the planned name and settings. When the answer
    /// is lost, the token is found again as the newest of its name created since this call
    /// started, never one the client had before (see [`NewToken::known`]). An answer without a
    /// token id is an error.
    async fn create_token(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        plan: &ApiTokenModel,
        new: NewToken<'_>,
    ) -> std::result::Result<Created<TokenJson>, ApiError> {
        let known = new.known();
        let name = plan.name.as_deref().unwrap_or_default();
        let body = TokenCreate {
            api_client_id: client,
            token_name: name,
            token_description: plan.description.as_deref(),
            token_type: "API_CLIENT",
            api_token_ttl: plan.ttl.get().copied(),
            access_token_ttl: plan.access_token_ttl.get().copied(),
        };
        let started = f.state().now_ms();
        let call = Call::post(paths::fill(paths::TOKENS, &[realm]))
            .json(&body)
            .success(&[201])
            .what(new.what(name, client))
            .needs_role(WRITE_ROLE);
        let lookup = || async {
            let list = f.query_tokens(realm, client).await?;
            Ok(list
                .into_iter()
                .filter(|t| {
                    t.token_name.as_deref() == Some(name)
                        && !known.contains(&t.id.as_str())
                        && t.creation_date.is_some_and(|c| c >= started - 120_000)
                })
                .max_by_key(|t| t.creation_date))
        };
        let created = f.api.create_with_lookup(call, lookup).await;
        f.state().invalidate_tokens(realm, client);
        match created {
            Ok(c) if c.get().id.is_empty() => Err(ApiError::new(
                ErrorKind::Decode,
                "Unexpected response",
                format!(
                    "The answer to creating {} carries no token id.",
                    new.subject(name)
                ),
            )),
            created => created,
        }
    }

    /// Creates the token of `plan` (the planned state, its realm resolved) and returns its state:
    /// the path of both a resource's first token and an overlap rotation's successor, which gets
    /// `old_id` as its previous token (the old token is left alone).
    ///
    /// When the answer to the create is lost, the token is found again without its secret. A
    /// first token is kept so, with a warning. A successor is revoked again and the rotation
    /// reported as failed (the state keeps the old token), since a successor without a known
    /// secret is of no use to consumers.
    pub(super) async fn create_new(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        plan: &ApiTokenModel,
        new: NewToken<'_>,
        diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        let created = Self::create_token(f, realm, client, plan, new).await?;
        let recovered = created.is_recovered();
        let t = created.into_inner();
        match new {
            NewToken::First => {
                if recovered {
                    diags.warning(
                        "API token secret lost in transit",
                        format!(
                            "The answer to creating API token {:?} was lost, so its secret is unknown; the token \
                             exists and is in the state without `token`. Change rotation_triggers (or taint it) to \
                             get a token whose secret Terraform knows.",
                            plan.name.as_deref().unwrap_or_default()
                        ),
                    );
                }
                Ok(ApiTokenModel::from_api(&t, plan, f.state().now_ms()))
            }
            NewToken::SuccessorOf { old_id, .. } => {
                if recovered {
                    let revoked = revoke(f, realm, client, &t.id).await;
                    return Err(Failure::error(
                        "API token not rotated",
                        format!(
                            "The answer to creating the successor of API token {old_id} was lost, so its secret is \
                             unknown; the provider {} it. The current token is unchanged and running Terraform again \
                             is safe.",
                            if revoked.is_ok() {
                                "revoked"
                            } else {
                                "could not revoke"
                            }
                        ),
                    ));
                }
                let now = f.state().now_ms();
                let mut m = ApiTokenModel::from_api(&t, plan, now);
                rotating::keep_previous(&mut m, old_id, now, rotating::grace_ms(plan));
                Ok(m)
            }
        }
    }

    /// Refresh of the previous token: one deleted on the server leaves the state with a warning
    /// (it is nothing to revoke any more; never an error).
    pub(super) async fn read_previous(
        f: Fleet<'_>,
        realm: &str,
        client: &str,
        m: &mut ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        let Some(prev) = m.previous_token_id.as_deref().map(str::to_string) else {
            return Ok(());
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
                rotating::clear_previous(m);
            }
            Err(e) => return Err(Failure::from(e).with_state(m)),
        }
        Ok(())
    }
}

/// Revokes (deletes) one token; `Ok(false)` when it was already gone.
pub(super) async fn revoke(
    f: Fleet<'_>,
    realm: &str,
    client: &str,
    id: &str,
) -> std::result::Result<bool, ApiError> {
    let r = f.revoke_token(realm, client, id).await?;
    Ok(r == crate::resources::revoke::Revoked::Now)
}

impl ApiToken {
    pub(super) async fn update_token(
        &self,
        ctx: &Ctx,
        prior: ApiTokenModel,
        plan: ApiTokenModel,
        diags: &mut Diagnostics,
    ) -> Result<ApiTokenModel> {
        let rotate = plan.id.is_unknown();
        // With overlap rotation the new token is created with the planned settings: no edit.
        // A rotation in place is an overlap unless it regenerates (also when the grace was
        // unknown at plan time and turned out unset: the previous token is then revoked by the
        // next apply).
        let overlap = rotate
            && (rotating::overlap(&plan)
                || plan.rotation_strategy.as_deref() != Some("regenerate"));
        // A null (removed) description is known, so clearing it counts as an edit too.
        let edited = !overlap
            && ((plan.description.is_known() && plan.description != prior.description)
                || (plan.access_token_ttl.is_known()
                    && plan.access_token_ttl != prior.access_token_ttl));
        // A previous token whose grace ended, or that a new rotation supersedes.
        let superseded = prior
            .previous_token_id
            .as_deref()
            .filter(|old| plan.previous_token_id.as_deref() != Some(*old))
            .map(str::to_string);
        if !rotate && !edited && superseded.is_none() {
            // Only settings changed: nothing to send.
            return Ok(existing::unchanged(&prior, &plan)?);
        }
        let keep_prior = |f: Failure| f.with_state(&prior);
        let f = fleet_of(ctx).map_err(keep_prior)?;
        let realm = f.realm_of(&prior.sso_realm_id).await.map_err(keep_prior)?;
        let client = known(
            &prior.api_client_id,
            crate::attr_path!(ApiTokenModel, api_client_id),
        )
        .map_err(keep_prior)?;
        let id = known(&prior.id, crate::attr_path!(ApiTokenModel, id)).map_err(keep_prior)?;
        let mut current = prior.clone();
        // The superseded previous token goes first: when its revoke fails, nothing else is
        // changed and the state still tracks it, so the next apply tries again (a rotation that
        // went on would have to drop one of the two tokens from the state).
        if let Some(old) = &superseded {
            match revoke(f, &realm.id, client, old).await {
                Ok(true) => {}
                Ok(false) => diags.warning(
                    "Previous API token already gone",
                    format!(
                        "The previous API token {old} of API client {client:?} was already deleted on the server; \
                         nothing was left to revoke."
                    ),
                ),
                Err(e) => return Err(keep_prior(e.into())),
            }
            rotating::clear_previous(&mut current);
        }
        if edited {
            let mut body = serde_json::json!({
                "id": id,
                "tokenName": plan.name.as_deref().unwrap_or_default(),
                "tokenDescription": plan.description.as_deref().unwrap_or_default(),
            });
            if let Some(a) = plan.access_token_ttl.get() {
                body["accessTokenTtl"] = (*a).into();
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
            f.state().invalidate_tokens(&realm.id, client);
            res.map_err(|e| keep_prior(e.into()))?;
            // The edit is applied; the state says so even if what follows fails.
            current.description = plan.description.clone();
            current.access_token_ttl = plan.access_token_ttl.clone();
        }
        let keep_current = |f: Failure| f.with_state(&current);
        if overlap {
            let new = NewToken::SuccessorOf {
                old_id: id,
                previous: prior.previous_token_id.as_deref(),
            };
            Self::create_new(f, &realm.id, client, &plan, new, diags)
                .await
                .map_err(keep_current)
        } else if rotate {
            let t = f
                .api
                .json::<TokenJson>(
                    Call::post(paths::fill(paths::TOKEN_REGENERATE, &[&realm.id, id]))
                        .idempotent(false)
                        .success(&[200])
                        .what(format!("regenerate API token {id}"))
                        .needs_role(WRITE_ROLE),
                )
                .await;
            f.state().invalidate_tokens(&realm.id, client);
            let t = t.map_err(|e| keep_current(e.into()))?;
            let mut base = plan.clone();
            // The regenerated token keeps its id unless the answer names another.
            base.id = id.into();
            Ok(ApiTokenModel::from_api(&t, &base, f.state().now_ms()))
        } else if edited {
            match Self::find(f, &realm.id, client, id).await {
                Ok(Some(t)) => Ok(ApiTokenModel::from_api(&t, &plan, f.state().now_ms())),
                Ok(None) => Err(keep_current(Failure::error(
                    "API token vanished",
                    format!(
                        "API token {id} was updated but is gone when read back; run Terraform again."
                    ),
                ))),
                Err(e) => Err(keep_current(e.into())),
            }
        } else {
            Ok(plan)
        }
    }
}
