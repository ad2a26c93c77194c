//! What the token-revoking actions (`vcf_api_token_revoke`, `vcf_director_api_token_revoke`)
//! share: the selector arguments — exactly one of `token_id`, `name_prefix` and
//! `all_tokens = true` — with their schema, checks and messages, and the revocation itself: one
//! progress message per token as it is revoked, a summary at the end, already-gone tokens noted
//! rather than failed, and a stop before the next token when Terraform cancels the run.
//!
//! Progress messages name tokens by name and id only, never by any part of their secret.

use std::future::Future;

use crate::client::{ApiError, ErrorKind};
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{ActionSink, Attribute, AttributePath, Block, Diagnostics, Val};

/// The selector arguments, as the schema and the models name them.
pub const TOKEN_ID: &str = "token_id";
pub const NAME_PREFIX: &str = "name_prefix";
pub const ALL_TOKENS: &str = "all_tokens";

/// What a configuration selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    TokenId(String),
    NamePrefix(String),
    All,
}

impl Selector {
    /// Whether `all_tokens` or `name_prefix` chooses a token named `name`; a `token_id`
    /// chooses by id, not by name (false).
    pub fn chooses_name(&self, name: Option<&str>) -> bool {
        match self {
            Selector::All => true,
            Selector::NamePrefix(p) => name.is_some_and(|n| n.starts_with(p.as_str())),
            Selector::TokenId(_) => false,
        }
    }

    /// The tokens chosen, for the messages: `whose` ("of API client \"ci\"") narrowed by the
    /// selector.
    pub fn scope(&self, whose: &str) -> String {
        match self {
            Selector::All => whose.to_string(),
            Selector::NamePrefix(p) => format!("{whose} whose name starts with {p:?}"),
            Selector::TokenId(id) => format!("{whose} with id {id}"),
        }
    }
}

/// `block` with the three selector attributes; `scope` says whose tokens they choose from
/// ("of the API client", "visible to the provider's session"), `id_example` what a token id is.
pub fn with_selector_attributes(block: Block, scope: &str, id_example: &str) -> Block {
    block
        .attribute(
            Attribute::string(TOKEN_ID)
                .optional()
                .validator(PathSegment)
                .validator(Length::at_least(1))
                .description(&format!(
                    "Revoke the one token with this id ({id_example}). A token that is already gone is \
                     noted, not an error. Set exactly one of `token_id`, `name_prefix` and `all_tokens`."
                )),
        )
        .attribute(
            Attribute::string(NAME_PREFIX)
                .optional()
                .validator(Length::at_least(1))
                .description(&format!(
                    "Revoke every token {scope} whose name starts with this text (case-sensitive), \
                     whether or not any Terraform state knows it."
                )),
        )
        .attribute(Attribute::bool(ALL_TOKENS).optional().description(&format!(
            "`true`: revoke every token {scope}. `false` selects nothing."
        )))
}

/// The selector arguments of an action's configuration.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub token_id: &'a Val<String>,
    pub name_prefix: &'a Val<String>,
    pub all_tokens: &'a Val<bool>,
}

/// An action model with the selector arguments as its fields `token_id`, `name_prefix` and
/// `all_tokens` (see [`selects_tokens!`]).
pub trait SelectsTokens {
    fn selection(&self) -> Selection<'_>;

    /// See [`check_selector`].
    fn check_selector(&self, diags: &mut Diagnostics) {
        check_selector(self.selection(), diags)
    }

    /// See [`selector`].
    fn selector(&self) -> Option<Selector> {
        selector(self.selection())
    }
}

/// Implements [`SelectsTokens`] for a model with the selector arguments as fields.
macro_rules! selects_tokens {
    ($model:ty) => {
        impl $crate::resources::revoke::SelectsTokens for $model {
            fn selection(&self) -> $crate::resources::revoke::Selection<'_> {
                $crate::resources::revoke::Selection {
                    token_id: &self.token_id,
                    name_prefix: &self.name_prefix,
                    all_tokens: &self.all_tokens,
                }
            }
        }
    };
}
pub(crate) use selects_tokens;

impl Selection<'_> {
    /// Whether each selector argument is set (known and not null, and `true` for
    /// `all_tokens`), in schema order; `None` while it is unknown.
    fn states(&self) -> [(&'static str, Option<bool>); 3] {
        fn set<T>(v: &Val<T>) -> Option<bool> {
            (!v.is_unknown()).then(|| !v.is_null())
        }
        [
            (TOKEN_ID, set(self.token_id)),
            (NAME_PREFIX, set(self.name_prefix)),
            (
                ALL_TOKENS,
                (!self.all_tokens.is_unknown()).then(|| self.all_tokens.get() == Some(&true)),
            ),
        ]
    }
}

/// Exactly one selector: a diagnostic on each selector set beside an earlier one, or (when every
/// selector is known and none selects) on `all_tokens = false` or on the whole configuration.
/// Unknown selectors may still turn out either way, so they are checked once known.
pub fn check_selector(config: Selection<'_>, diags: &mut Diagnostics) {
    let states = config.states();
    let set: Vec<&str> = states
        .iter()
        .filter(|(_, s)| *s == Some(true))
        .map(|(n, _)| *n)
        .collect();
    for extra in set.iter().skip(1) {
        diags.attr_error(
            AttributePath::attr(extra),
            "Conflicting token selectors",
            format!(
                "{extra} cannot be set together with {}: set exactly one of token_id, name_prefix and \
                 all_tokens, so that the action revokes exactly what it says.",
                set[0]
            ),
        );
    }
    if !set.is_empty() || states.iter().any(|(_, s)| s.is_none()) {
        return;
    }
    if config.all_tokens.get() == Some(&false) {
        diags.attr_error(
            AttributePath::attr(ALL_TOKENS),
            "No token selected",
            "all_tokens = false selects no token: set all_tokens = true to revoke every token, or choose \
             tokens with token_id or name_prefix.",
        );
    } else {
        diags.error(
            "No token selected",
            "Set exactly one of token_id (one token), name_prefix (every token whose name starts with \
             it) and all_tokens = true (every token).",
        );
    }
}

/// The selector of a wholly known configuration that passed [`check_selector`].
pub fn selector(config: Selection<'_>) -> Option<Selector> {
    if let Some(id) = config.token_id.as_deref() {
        return Some(Selector::TokenId(id.to_string()));
    }
    if let Some(p) = config.name_prefix.as_deref() {
        return Some(Selector::NamePrefix(p.to_string()));
    }
    (config.all_tokens.get() == Some(&true)).then_some(Selector::All)
}

/// One token the action is to revoke.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    /// The token's name, if known.
    pub name: Option<String>,
    /// Known to be gone already (a `token_id` nobody lists any more): reported, not revoked.
    pub gone: bool,
}

impl Candidate {
    pub fn new(id: impl Into<String>, name: Option<String>) -> Self {
        Candidate {
            id: id.into(),
            name,
            gone: false,
        }
    }

    /// A `token_id` that is gone already: reported, not revoked.
    pub fn gone(id: impl Into<String>) -> Self {
        Candidate {
            gone: true,
            ..Candidate::new(id, None)
        }
    }

    fn label(&self, kind: &str) -> String {
        match &self.name {
            Some(n) => format!("{kind} {n:?} ({})", self.id),
            None => format!("{kind} {}", self.id),
        }
    }
}

/// What one revocation call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// The token existed and is revoked now.
    Now,
    /// The API answered that the token does not exist (404): it was already gone.
    AlreadyGone,
}

/// The tally of one invocation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub revoked: Vec<String>,
    pub gone: Vec<String>,
    pub failed: Vec<String>,
    pub skipped: Vec<String>,
}

/// Revokes each candidate in turn with `revoke`, streaming one progress message per token and a
/// summary at the end. `kind` names the tokens ("API token"), `scope` says which were selected
/// (for the messages). Failures become error diagnostics and the action goes on with the next
/// token (an incident responder wants every other token revoked regardless) — except when the
/// credentials themselves are refused (401, 403, locked), which would refuse every other token
/// the same way. When Terraform stops listening, no further token is revoked. Tokens not tried
/// are named in an error.
pub async fn revoke_each<F, Fut>(
    kind: &str,
    scope: &str,
    candidates: Vec<Candidate>,
    sink: &mut ActionSink,
    diags: &mut Diagnostics,
    mut revoke: F,
) -> Tally
where
    F: FnMut(Candidate) -> Fut,
    Fut: Future<Output = Result<Revoked, ApiError>>,
{
    let mut tally = Tally::default();
    if candidates.is_empty() {
        sink.progress(format!("No {kind} matches {scope}; nothing to revoke."))
            .await;
        diags.warning(
            format!("No {kind} matched"),
            format!(
                "No {kind} matches {scope}, so nothing was revoked. Check the selector (list tokens with the \
                 data sources of this provider) if you expected a match."
            ),
        );
        return tally;
    }
    let n = candidates.len();
    sink.progress(format!(
        "{n} {kind}{} {scope}: revoking.",
        if n == 1 { "" } else { "s" }
    ))
    .await;
    let mut rest = candidates.into_iter();
    let mut refused = false;
    for c in rest.by_ref() {
        if c.gone {
            sink.progress(format!("{} is already gone.", c.label(kind)))
                .await;
            tally.gone.push(c.id);
            continue;
        }
        if sink.is_cancelled() || refused {
            tally.skipped.push(c.id);
            break;
        }
        let label = c.label(kind);
        let id = c.id.clone();
        match revoke(c).await {
            Ok(Revoked::Now) => {
                sink.progress(format!("Revoked {label}.")).await;
                tally.revoked.push(id);
            }
            Ok(Revoked::AlreadyGone) => {
                sink.progress(format!("{label} is already gone.")).await;
                tally.gone.push(id);
            }
            Err(e) => {
                sink.progress(format!("Could not revoke {label}: {}.", e.summary()))
                    .await;
                refused = matches!(
                    e.kind(),
                    ErrorKind::Unauthorized
                        | ErrorKind::Forbidden
                        | ErrorKind::CredentialsRejected
                        | ErrorKind::AccountLocked
                );
                diags.push(e.to_diagnostic());
                tally.failed.push(id);
            }
        }
    }
    tally.skipped.extend(rest.filter(|c| !c.gone).map(|c| c.id));
    if !tally.skipped.is_empty() {
        let (summary, why) = if refused {
            (
                "Revocation stopped",
                "the provider's credentials were refused, as they would be for every other token",
            )
        } else {
            ("Revocation cancelled", "the run was cancelled")
        };
        diags.error(
            summary,
            format!(
                "Not every selected token was tried: {why}. {} of {n} {kind}s revoked; not tried: {}. Invoke the \
                 action again to revoke the rest.",
                tally.revoked.len(),
                tally.skipped.join(", ")
            ),
        );
    }
    sink.progress(summary(kind, &tally)).await;
    tally
}

/// The closing message: how many tokens were revoked and which.
pub fn summary(kind: &str, t: &Tally) -> String {
    let list = |ids: &[String]| {
        if ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids.join(", "))
        }
    };
    let mut out = format!(
        "Summary: {} {kind}{} revoked{}",
        t.revoked.len(),
        if t.revoked.len() == 1 { "" } else { "s" },
        list(&t.revoked)
    );
    if !t.gone.is_empty() {
        out.push_str(&format!("; {} already gone{}", t.gone.len(), list(&t.gone)));
    }
    if !t.failed.is_empty() {
        out.push_str(&format!("; {} failed{}", t.failed.len(), list(&t.failed)));
    }
    if !t.skipped.is_empty() {
        out.push_str(&format!(
            "; {} not tried{}",
            t.skipped.len(),
            list(&t.skipped)
        ));
    }
    out.push('.');
    out
}

#[cfg(test)]
mod tests;
