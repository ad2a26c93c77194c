//! The provider's resource, data source and ephemeral resource types: one file per type
//! (or per pair of closely related types), each with its schema and operations.

mod context;
mod director;
pub mod existing;
pub mod fleet;
pub mod registry;
pub mod revoke;
pub mod rotating;
mod sddc;
pub mod shared;

pub use context::{ContextSettings, VcfContext, vcf};
pub use director::DirectorApiTokenRevoke;
pub use director::{DirectorApiToken, DirectorApiTokenList, DirectorApiTokens};
pub use fleet::access_token::AccessToken;
pub use fleet::api_client::ApiClientResource;
pub use fleet::api_client_data::ApiClientData;
pub use fleet::api_client_list::ApiClientList;
pub use fleet::api_clients_data::ApiClientsData;
pub use fleet::api_token::ApiToken;
pub use fleet::api_token_list::ApiTokenList;
pub use fleet::api_token_revoke::ApiTokenRevoke;
pub use fleet::api_tokens_data::ApiTokens;
pub use fleet::custom_role::CustomRole;
pub use fleet::custom_role_list::CustomRoleList;
pub use fleet::principal_roles::PrincipalRoles;
pub use fleet::principal_roles_data::PrincipalRolesData;
pub use fleet::principal_roles_list::PrincipalRolesList;
pub use fleet::role_assignment::RoleAssignment;
pub use fleet::role_assignment_list::RoleAssignmentList;
pub use fleet::roles_data::RolesData;
pub use fleet::settings::IamSettings;
pub use fleet::sso_realm::SsoRealm;
pub use fleet::sso_realms::SsoRealms;
pub use fleet::temporary_api_token::{TemporaryApiToken, revoke_unclosed_temporary_tokens};
pub use sddc::{SddcRoles, SddcState, SddcUser, SddcUserList};

use crate::framework::Secret;

/// Deserializes an optional secret string of an API answer straight into a [`Secret`].
pub fn secret_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(s.map(Secret::new))
}

/// Hooks of the fuzz targets (`crate::fuzzing`, feature `fuzzing`) into the modules' private
/// answer types; not in the shipped provider.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_token_state(t: &fleet::TokenJson) {
    fleet::api_token::fuzz_state(t)
}
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_realm_state(r: &fleet::RealmJson) {
    fleet::sso_realm::fuzz_state(r)
}
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_sddc_json(body: &[u8]) {
    sddc::fuzz_json(body)
}
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_director_json(body: &[u8]) {
    director::fuzz_json(body)
}
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_oauth_json(body: &[u8]) {
    fleet::access_token::fuzz_json(body)
}

/// Milliseconds since the epoch (as the VCF APIs send times) as an RFC 3339 UTC timestamp.
pub fn rfc3339_from_millis(ms: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_become_rfc3339() {
        assert_eq!(
            rfc3339_from_millis(0).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            rfc3339_from_millis(1_778_735_571_488).as_deref(),
            Some("2026-05-14T05:12:51.488Z")
        );
        assert_eq!(rfc3339_from_millis(i64::MAX), None);
    }
}
