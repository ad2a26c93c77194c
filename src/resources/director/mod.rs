//! The Cloud Director / VCF Automation family: API tokens of the user the provider logs in as
//! (contract C, seeds 003/004). [`api`] holds the paths, wire types and calls; each type has
//! its own file.

pub(crate) mod api;
pub(crate) mod api_token;
mod api_token_list;
mod api_token_revoke;
mod api_tokens_data;

pub use api_token::DirectorApiToken;
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub use api_token::fuzz_json;
pub use api_token_list::DirectorApiTokenList;
pub use api_token_revoke::DirectorApiTokenRevoke;
pub use api_tokens_data::DirectorApiTokens;
