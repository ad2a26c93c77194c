//! Every path, header and body shape the client layer itself uses to authenticate, one block per
//! API family, each marked SEEN (shown in the source documents, `/work/shared/seeds`) or ASSUMED
//! (taken from the product's public API or inferred; see `api-contract.md`). Correcting an
//! ASSUMED item against a real appliance is a change here only; vcf-sim implements the same
//! contract (`sim/src/{sddc,fleet,director}.rs`).

/// A. SDDC Manager. Reference: the SDDC Manager API 9.1.1
/// (https://developer.broadcom.com/xapis/sddc-manager-api/9.1.1/) and the Tokens guide
/// (https://developer.broadcom.com/xapis/vmware-cloud-foundation-api/latest/tokens); the rows
/// are in `docs/dev/api-contract.md` § A.
pub mod sddc {
    /// `POST` TokenCreationSpec `{"username","password"}` or `{"apiKey"}` (SERVICE users) →
    /// 200 TokenPair `{"accessToken", "refreshToken": {"id"}}`; 401 on bad credentials, and
    /// repeated failures can lock the account.
    pub const TOKENS: &str = "/v1/tokens";
    /// `PATCH`, body the refresh-token id as a bare JSON string → 200 the new access token as a
    /// bare JSON string.
    pub const REFRESH: &str = "/v1/tokens/access-token/refresh";
    /// `DELETE`, body the refresh-token id as a bare JSON string → 204: invalidates the
    /// refresh token (at shutdown).
    pub const INVALIDATE_REFRESH: &str = "/v1/tokens/refresh-token";
    /// Access tokens live 60 minutes (used when the JWT carries no `exp`).
    pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 60 * 60;

    /// TokenPair (`…/sddc-manager-api/latest/data-structures/TokenPair`). Unknown fields are
    /// ignored; without a refresh token the provider simply logs in again when the access
    /// token expires.
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TokenPair {
        pub access_token: String,
        #[serde(default)]
        pub refresh_token: Option<RefreshToken>,
    }

    /// RefreshToken (`…/sddc-manager-api/latest/data-structures/RefreshToken`): `{"id"}`.
    #[derive(serde::Deserialize)]
    pub struct RefreshToken {
        pub id: String,
    }
}

/// B. VCF Operations fleet IAM (seed 001). Authentication is ASSUMED (the seed only shows the
/// bearer header).
pub mod fleet {
    /// SEEN: the API base path under `https://{operations.host}`.
    pub const BASE_PATH: &str = "/suite-api/api/fleet-management/iam";
    /// ASSUMED: `POST {"username","password","authSource"}` → `{"token","validity" (ms epoch)}`.
    pub const ACQUIRE: &str = "/suite-api/api/auth/token/acquire";
    /// ASSUMED: the `vidb_…` API token is exchanged at its `tokenEndpointUrl` with an OAuth 2.0
    /// refresh grant (RFC 6749 §6): form `grant_type=refresh_token&refresh_token=<token>` →
    /// `{"access_token","token_type","expires_in"}`; a dead token is 400 `invalid_grant`.
    pub const GRANT_TYPE_REFRESH: &str = "refresh_token";

    #[derive(serde::Deserialize)]
    pub struct Acquired {
        pub token: String,
        /// Expiry, milliseconds since the Unix epoch.
        #[serde(default)]
        pub validity: Option<i64>,
    }
}

/// C. Cloud Director / VCF Automation (seeds 003, 004).
pub mod director {
    /// SEEN: the API version sent in `Accept`.
    pub const API_VERSION: &str = "36.1";
    /// SEEN: `Accept` of cloudapi calls.
    pub const ACCEPT_JSON: &str = "application/json;version=36.1";
    /// SEEN: the refresh grant of an API token, provider (System) organization.
    pub const PROVIDER_TOKEN: &str = "/oauth/provider/token";
    /// SEEN: the refresh grant of an API token of tenant organization `{org}`.
    pub fn tenant_token(org: &str) -> String {
        format!("/oauth/tenant/{}/token", super::super::path_segment(org))
    }
    /// ASSUMED: session login of System users (Basic `user@System:password`).
    pub const PROVIDER_SESSIONS: &str = "/cloudapi/1.0.0/sessions/provider";
    /// ASSUMED: session login of tenant users (Basic `user@org:password`).
    pub const TENANT_SESSIONS: &str = "/cloudapi/1.0.0/sessions";
    /// ASSUMED: the header that carries the session's access token.
    pub const ACCESS_TOKEN_HEADER: &str = "x-vmware-vcloud-access-token";

    /// Is `org` the provider organization (absent, or `System` in any case)?
    pub fn is_provider(org: Option<&str>) -> bool {
        org.is_none_or(|o| o.eq_ignore_ascii_case("system"))
    }
}

/// The OAuth 2.0 token response (RFC 6749 §5.1) of the fleet and Director token endpoints.
#[derive(serde::Deserialize)]
pub struct OAuthToken {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<f64>,
}
