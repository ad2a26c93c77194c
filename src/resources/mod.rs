//! The provider's resource, data source and ephemeral resource types: one file per type
//! (or per pair of closely related types), each with its schema and operations.

pub mod fleet;
mod sso_realm;

pub use fleet::api_client::{ApiClientData, ApiClientResource};
pub use fleet::api_token::{ApiToken, ApiTokens};
pub use fleet::custom_role::CustomRole;
pub use fleet::roles::{PrincipalRoles, PrincipalRolesData, RoleAssignment, RolesData};
pub use sso_realm::{SsoRealm, SsoRealms};

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
