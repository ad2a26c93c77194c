//! Action `vcf_director_api_token_revoke` (Terraform 1.14+): revokes Cloud Director / VCF
//! Automation API tokens now — one by id, every token whose name starts with a prefix, or every
//! token of one user — whether or not any Terraform state knows them.
//!
//! Tokens come from the documented token list ([`super::list_tokens`]), which leaves PROXY and
//! EXTENSION tokens out: those are not API tokens and this action never touches them. Each
//! selected token is revoked with the documented `DELETE /cloudapi/1.0.0/tokens/{id}`. The
//! session must be opened with user and password (an API-token session cannot view or revoke
//! tokens); which tokens it sees depends on its rights (its user's own, or with "Manage all
//! users' API tokens" its organization's).

use async_trait::async_trait;

use super::{NEEDS_RIGHT, TokenEntry, list_tokens, paths};
use crate::client::{ApiClient, ApiError, AuthMethod, Call, Family};
use crate::framework::validate::Length;
use crate::framework::{
    Action, ActionSink, Attribute, AttributePath, Block, Ctx, Diagnostic, Diagnostics, Schema,
    Value,
};
use crate::resources::VcfContext;
use crate::resources::family_client;
use crate::resources::revoke::{
    Candidate, Revoked, Selector, check_selector, revoke_each, selector, selector_attributes,
};

pub struct DirectorApiTokenRevoke;

/// Revokes one token; the API's 404 means it was already gone.
async fn revoke_one(api: &ApiClient, c: &Candidate) -> Result<Revoked, ApiError> {
    let name = c.name.as_deref().unwrap_or("");
    match api
        .call(
            Call::delete(paths::token_by_id(&c.id))
                .success(&[204])
                .what(format!("revoke Director API token {name:?} ({})", c.id))
                .needs_role(NEEDS_RIGHT),
        )
        .await
    {
        Ok(_) => Ok(Revoked::Now),
        Err(e) if e.is_not_found() => Ok(Revoked::AlreadyGone),
        Err(e) => Err(e),
    }
}

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

fn owner_of(t: &TokenEntry) -> Option<&str> {
    t.owner.as_ref().and_then(|o| o.name.as_deref())
}

fn owned_by(t: &TokenEntry, owner: Option<&str>) -> bool {
    owner.is_none_or(|o| owner_of(t).is_some_and(|n| n.eq_ignore_ascii_case(o)))
}

fn candidate(t: &TokenEntry) -> Candidate {
    Candidate::new(&t.id, Some(t.name.clone()))
}

/// The tokens `sel` chooses among `tokens` (every API token the session sees), narrowed to
/// `owner` when set. `None` after an error diagnostic.
fn select(
    tokens: &[TokenEntry],
    sel: &Selector,
    owner: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Vec<Candidate>> {
    let mine = tokens.iter().filter(|t| owned_by(t, owner));
    match sel {
        Selector::All => Some(mine.map(candidate).collect()),
        Selector::NamePrefix(p) => Some(
            mine.filter(|t| t.name.starts_with(p.as_str()))
                .map(candidate)
                .collect(),
        ),
        Selector::TokenId(id) => match tokens.iter().find(|t| &t.id == id) {
            Some(t) if owned_by(t, owner) => Some(vec![candidate(t)]),
            Some(t) => {
                diags.attr_error(
                    AttributePath::attr("token_id"),
                    "Token of another user",
                    format!(
                        "Director API token {id} belongs to {:?}, not to {:?} (owner); nothing was revoked.",
                        owner_of(t).unwrap_or("unknown"),
                        owner.unwrap_or("")
                    ),
                );
                None
            }
            // Not listed: revoked already, invisible to this session, or not an API token.
            None => Some(vec![Candidate {
                gone: true,
                ..Candidate::new(id, None)
            }]),
        },
    }
}

#[async_trait]
impl Action for DirectorApiTokenRevoke {
    fn type_name(&self) -> &'static str {
        "vcf_director_api_token_revoke"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new(
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
        for a in selector_attributes(
            "visible to the provider's session (of `owner` when set)",
            "`urn:vcloud:token:…`",
        ) {
            block = block.attribute(a);
        }
        Schema::new(0, block)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_selector(config, diags);
        if config.attr("all_tokens").as_bool() == Some(true) && config.attr("owner").is_null() {
            diags.attr_error(
                AttributePath::attr("all_tokens"),
                "Missing owner",
                "all_tokens = true revokes every API token of one user: set owner to that user's name. To revoke \
                 tokens of several users, choose them with name_prefix or invoke the action once per user.",
            );
        }
    }

    async fn plan(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) {
        // The provider's configuration may not be known yet; the invocation checks it again.
        let Some(vcf) = ctx.data::<VcfContext>() else {
            return;
        };
        let api = match vcf.clients.director() {
            Ok(api) if api.auth_method() == AuthMethod::ApiToken => {
                return diags.push(session_refusal());
            }
            Ok(api) => api,
            Err(d) => return diags.push(d),
        };
        // A token that exists now and belongs to another user than `owner` is refused before
        // anything runs (one that does not exist yet may be created by the triggering resource).
        let owner = config.attr("owner");
        if let (Some(id), true) = (config.attr("token_id").as_str(), owner.is_known()) {
            match list_tokens(api, None).await {
                Ok(tokens) => {
                    select(
                        &tokens,
                        &Selector::TokenId(id.to_string()),
                        owner.as_str(),
                        diags,
                    );
                }
                Err(e) => diags.push(e.to_diagnostic()),
            }
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
        let Some(api) = family_client(ctx, Family::Director, diags) else {
            return;
        };
        if api.auth_method() == AuthMethod::ApiToken {
            return diags.push(session_refusal());
        }
        let owner = config.attr("owner").as_str();
        sink.progress("Listing the Director API tokens visible to the provider's session…")
            .await;
        let tokens = match list_tokens(api, None).await {
            Ok(t) => t,
            Err(e) => return diags.push(e.to_diagnostic()),
        };
        let Some(candidates) = select(&tokens, &sel, owner, diags) else {
            return;
        };
        let whose = match owner {
            Some(o) => format!("of user {o:?}"),
            None => "visible to the provider's session".to_string(),
        };
        let scope = match &sel {
            Selector::All => whose,
            Selector::NamePrefix(p) => format!("{whose} whose name starts with {p:?}"),
            Selector::TokenId(id) => format!("{whose} with id {id}"),
        };
        revoke_each(
            "Director API token",
            &scope,
            candidates,
            sink,
            diags,
            |c| async move { revoke_one(api, &c).await },
        )
        .await;
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
        let mut d = Diagnostics::new();
        let all = select(&tokens, &Selector::All, Some("Tenant-Admin"), &mut d).unwrap();
        assert_eq!(ids(&all), vec![("t1", false), ("t3", false)]);
        let prefix = select(&tokens, &Selector::NamePrefix("ci-".into()), None, &mut d).unwrap();
        assert_eq!(ids(&prefix), vec![("t1", false), ("t2", false)]);
        let prefix = select(
            &tokens,
            &Selector::NamePrefix("ci-".into()),
            Some("alice"),
            &mut d,
        )
        .unwrap();
        assert_eq!(ids(&prefix), vec![("t2", false)]);
        let one = select(&tokens, &Selector::TokenId("t3".into()), None, &mut d).unwrap();
        assert_eq!(ids(&one), vec![("t3", false)]);
        // Not listed (gone, invisible, or not an API token): noted, never revoked.
        let gone = select(&tokens, &Selector::TokenId("t9".into()), None, &mut d).unwrap();
        assert_eq!(ids(&gone), vec![("t9", true)]);
        assert!(d.is_empty());
        // Another user's token: refused on token_id.
        assert!(
            select(
                &tokens,
                &Selector::TokenId("t2".into()),
                Some("tenant-admin"),
                &mut d
            )
            .is_none()
        );
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Token of another user");
        assert_eq!(diag.attribute, Some(AttributePath::attr("token_id")));
    }

    #[test]
    fn all_tokens_needs_an_owner() {
        let config = |owner: Value| {
            Value::object([
                ("owner", owner),
                ("token_id", Value::Null),
                ("name_prefix", Value::Null),
                ("all_tokens", Value::Bool(true)),
            ])
        };
        let mut d = Diagnostics::new();
        DirectorApiTokenRevoke.validate(&config(Value::Null), &mut d);
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Missing owner");
        assert_eq!(diag.attribute, Some(AttributePath::attr("all_tokens")));
        for owner in [Value::string("tenant-admin"), Value::Unknown] {
            let mut d = Diagnostics::new();
            DirectorApiTokenRevoke.validate(&config(owner), &mut d);
            assert!(d.is_empty());
        }
    }
}
