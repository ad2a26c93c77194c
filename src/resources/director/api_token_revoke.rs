//! Action `vcf_director_api_token_revoke` (Terraform 1.14+): revokes Cloud Director / VCF
//! Automation API tokens now — one by id, every token whose name starts with a prefix, or every
//! token of one user — whether or not any Terraform state knows them.
//!
//! Tokens come from the documented token list ([`super::api::list_tokens`]), which leaves PROXY and
//! EXTENSION tokens out: those are not API tokens and this action never touches them. Each
//! selected token is revoked with the documented `DELETE /cloudapi/1.0.0/tokens/{id}`. The
//! session must be opened with user and password (an API-token session cannot view or revoke
//! tokens); which tokens it sees depends on its rights (its user's own, or with "Manage all
//! users' API tokens" its organization's).

use async_trait::async_trait;

use super::api::{TokenEntry, director, list_tokens, revoke_token};
use crate::client::AuthMethod;
use crate::framework::typed::Result;
use crate::framework::validate::Length;
use crate::framework::{
    ActionSink, Attribute, AttributePath, Block, Ctx, Diagnostic, Diagnostics, Schema, TypedAction,
    Val,
};
use crate::resources::VcfContext;
use crate::resources::revoke::{
    ALL_TOKENS, Candidate, Selector, SelectsTokens, TOKEN_ID, revoke_each, selects_tokens,
    with_selector_attributes,
};

pub struct DirectorApiTokenRevoke;

crate::model! {
    /// `vcf_director_api_token_revoke`.
    pub struct ApiTokenRevokeModel {
        pub owner: Val<String>,
        pub token_id: Val<String>,
        pub name_prefix: Val<String>,
        pub all_tokens: Val<bool>,
    }
}

selects_tokens!(ApiTokenRevokeModel);

fn session_refusal() -> Diagnostic {
    Diagnostic::error(
        "Director API tokens cannot be revoked with an API-token session",
        "The provider's director block authenticates with an API token (director.api_token or \
         VCF_DIRECTOR_API_TOKEN). Cloud Director does not let a session opened with an API token view or \
         revoke API tokens. Configure the director block (or an aliased provider used by this action) with \
         director.username and director.password of a user who may manage the tokens: their own, or with \
         \"Manage all users' API tokens\" every user's of the organization.",
    )
}

fn owned_by(t: &TokenEntry, owner: Option<&str>) -> bool {
    owner.is_none_or(|o| t.owner_name().is_some_and(|n| n.eq_ignore_ascii_case(o)))
}

fn candidate(t: &TokenEntry) -> Candidate {
    Candidate::new(&t.id, Some(t.name.clone()))
}

/// The tokens `sel` chooses among `tokens` (every API token the session sees), narrowed to
/// `owner` when set; the error when `token_id` names a token of another user.
fn select(
    tokens: &[TokenEntry],
    sel: &Selector,
    owner: Option<&str>,
) -> std::result::Result<Vec<Candidate>, Diagnostic> {
    let Selector::TokenId(id) = sel else {
        return Ok(tokens
            .iter()
            .filter(|t| owned_by(t, owner) && sel.chooses_name(Some(&t.name)))
            .map(candidate)
            .collect());
    };
    match tokens.iter().find(|t| &t.id == id) {
        Some(t) if owned_by(t, owner) => Ok(vec![candidate(t)]),
        Some(t) => Err(Diagnostic::error(
            "Token of another user",
            format!(
                "Director API token {id} belongs to {:?}, not to {:?} (owner); nothing was revoked.",
                t.owner_name().unwrap_or("unknown"),
                owner.unwrap_or("")
            ),
        )
        .at(AttributePath::attr(TOKEN_ID))),
        // Not listed: revoked already, invisible to this session, or not an API token.
        None => Ok(vec![Candidate::gone(id)]),
    }
}

#[async_trait]
impl TypedAction for DirectorApiTokenRevoke {
    type Model = ApiTokenRevokeModel;

    fn type_name(&self) -> &'static str {
        "vcf_director_api_token_revoke"
    }

    fn schema(&self) -> Schema {
        let block = Block::new(
            "Revokes Cloud Director / VCF Automation API tokens now, whether or not any Terraform state knows them: \
             one token by id, every token whose name starts with a prefix, or every token of one user. For \
             incident response without editing configuration: \
             `terraform apply -invoke=action.vcf_director_api_token_revoke.<name>` (Terraform 1.14 or later), or \
             from an `action_trigger` in a resource's `lifecycle`.\n\n\
             The action works on the API tokens the provider's Director session may see: its user's own, or with \
             the right \"Manage all users' API tokens\" every user's of its organization (every organization's \
             for System administrators). PROXY and EXTENSION tokens are not API tokens and are never revoked. The \
             `director` block must log in with `username` and `password`: sessions opened with an API token \
             cannot view or revoke tokens, and the plan fails saying so.\n\n\
             Every token is reported as it is revoked, and a summary names the revoked ids. A token that is \
             already gone (or not visible to the session) is noted, not an error. A `vcf_director_api_token` \
             whose token was revoked leaves the state at its next refresh, and the next apply creates a new one.",
        )
        .attribute(
            Attribute::string("owner")
                .optional()
                .validator(Length::at_least(1))
                .description(
                    "Only tokens of this user (the user name, as the `owner` of `vcf_director_api_token` shows it; \
                     case-insensitive). Required with `all_tokens`. With `token_id`, a token of another user is \
                     refused.",
                ),
        );
        Schema::new(
            0,
            with_selector_attributes(
                block,
                "visible to the provider's session (of `owner` when set)",
                "`urn:vcloud:token:…`",
            ),
        )
    }

    fn validate(&self, config: &ApiTokenRevokeModel, diags: &mut Diagnostics) {
        config.check_selector(diags);
        if config.all_tokens.get() == Some(&true) && config.owner.is_null() {
            diags.attr_error(
                AttributePath::attr(ALL_TOKENS),
                "Missing owner",
                "all_tokens = true revokes every API token of one user: set owner to that user's name. To revoke \
                 tokens of several users, choose them with name_prefix or invoke the action once per user.",
            );
        }
    }

    async fn plan(
        &self,
        ctx: &Ctx,
        config: ApiTokenRevokeModel,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        // The provider's configuration may not be known yet; the invocation checks it again.
        let Some(vcf) = ctx.data::<VcfContext>() else {
            return Ok(());
        };
        let api = vcf.clients.director()?;
        if api.auth_method() == AuthMethod::ApiToken {
            return Err(session_refusal().into());
        }
        // A token that exists now and belongs to another user than `owner` is refused before
        // anything runs (one that does not exist yet may be created by the triggering resource).
        if let (Some(id), true) = (config.token_id.as_deref(), config.owner.is_known()) {
            let tokens = list_tokens(api, None).await?;
            let sel = Selector::TokenId(id.to_string());
            select(&tokens, &sel, config.owner.as_deref())?;
        }
        Ok(())
    }

    async fn invoke(
        &self,
        ctx: &Ctx,
        config: ApiTokenRevokeModel,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) -> Result<()> {
        let Some(sel) = config.selector() else {
            return Ok(());
        };
        let (_, api) = director(ctx)?;
        if api.auth_method() == AuthMethod::ApiToken {
            return Err(session_refusal().into());
        }
        let owner = config.owner.as_deref();
        sink.progress("Listing the Director API tokens visible to the provider's session…")
            .await;
        let tokens = list_tokens(api, None).await?;
        let candidates = select(&tokens, &sel, owner)?;
        let whose = match owner {
            Some(o) => format!("of user {o:?}"),
            None => "visible to the provider's session".to_string(),
        };
        let scope = sel.scope(&whose);
        revoke_each(
            "Director API token",
            &scope,
            candidates,
            sink,
            diags,
            |c| async move { revoke_token(api, &c.id, c.name.as_deref().unwrap_or("")).await },
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str, owner: &str) -> TokenEntry {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "type": "REFRESH", "owner": { "name": owner }
        }))
        .unwrap()
    }

    fn path(d: &Diagnostic) -> Option<String> {
        d.attribute.as_ref().map(|p| p.to_string())
    }

    fn ids(c: &[Candidate]) -> Vec<(&str, bool)> {
        c.iter().map(|c| (c.id.as_str(), c.gone)).collect()
    }

    #[test]
    fn selection_by_owner_prefix_and_id() {
        let tokens = vec![
            entry("t1", "ci-a", "tenant-admin"),
            entry("t2", "ci-b", "alice"),
            entry("t3", "other", "tenant-admin"),
        ];
        let all = select(&tokens, &Selector::All, Some("Tenant-Admin")).unwrap();
        assert_eq!(ids(&all), vec![("t1", false), ("t3", false)]);
        let prefix = select(&tokens, &Selector::NamePrefix("ci-".into()), None).unwrap();
        assert_eq!(ids(&prefix), vec![("t1", false), ("t2", false)]);
        let prefix = select(&tokens, &Selector::NamePrefix("ci-".into()), Some("alice")).unwrap();
        assert_eq!(ids(&prefix), vec![("t2", false)]);
        let one = select(&tokens, &Selector::TokenId("t3".into()), None).unwrap();
        assert_eq!(ids(&one), vec![("t3", false)]);
        // Not listed (gone, invisible, or not an API token): noted, never revoked.
        let gone = select(&tokens, &Selector::TokenId("t9".into()), None).unwrap();
        assert_eq!(ids(&gone), vec![("t9", true)]);
        // Another user's token: refused on token_id.
        let diag = select(
            &tokens,
            &Selector::TokenId("t2".into()),
            Some("tenant-admin"),
        )
        .unwrap_err();
        assert_eq!(diag.summary, "Token of another user");
        assert_eq!(path(&diag), Some("token_id".to_string()));
    }

    #[test]
    fn all_tokens_needs_an_owner() {
        let config = |owner: Val<String>| ApiTokenRevokeModel {
            owner,
            all_tokens: Val::Known(true),
            ..ApiTokenRevokeModel::default()
        };
        let mut d = Diagnostics::new();
        TypedAction::validate(&DirectorApiTokenRevoke, &config(Val::Null), &mut d);
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Missing owner");
        assert_eq!(path(diag), Some("all_tokens".to_string()));
        for owner in ["tenant-admin".into(), Val::Unknown] {
            let mut d = Diagnostics::new();
            TypedAction::validate(&DirectorApiTokenRevoke, &config(owner), &mut d);
            assert!(d.is_empty());
        }
    }
}
