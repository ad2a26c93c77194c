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

/// B. VCF Operations fleet IAM (docs/dev/api-contract.md §B1).
pub mod fleet {
    /// The API base path under `https://{operations.host}`.
    pub const BASE_PATH: &str = "/suite-api/api/fleet-management/iam";
    /// `[OPS] acquireToken`: `POST {"username","password","authSource"}` →
    /// `{"token","validity" (ms epoch),"expiresAt"}`; 401 on bad credentials.
    pub const ACQUIRE: &str = "/suite-api/api/auth/token/acquire";
    /// `[OPS] releaseToken`: ends the acquired session (sent with the session's own token).
    pub const RELEASE: &str = "/suite-api/api/auth/token/release";
    /// The scheme an acquired token is sent with (`Authorization: OpsToken <token>`, the OpsToken
    /// security scheme of the VCF Operations reference). Access tokens of VCF SSO (the identity
    /// broker) are sent as `Bearer`.
    pub const OPS_TOKEN_SCHEME: &str = "OpsToken";
    /// The grant that exchanges a `vidb_…` API token at the identity broker's token endpoint
    /// (`POST /acs/t/{tenant}/token`, form TokenFormData): the token travels in the form field
    /// `api_token` (reference: TokenFormData). UNCONFIRMED: the `grant_type` value; the
    /// reference lists the field but not the grant name, which is taken from public VCF tooling.
    /// Confirmed by one exchange against a VCF 9.1 identity broker.
    pub const GRANT_TYPE_API_TOKEN: &str = "urn:custom:vcf:params:oauth:grant-type:api-token";
    /// The form field of the API token in that grant.
    pub const API_TOKEN_FIELD: &str = "api_token";

    /// The token-endpoint form that exchanges `api_token` for an access token.
    pub fn api_token_form(api_token: &str) -> [(&'static str, &str); 2] {
        [
            ("grant_type", GRANT_TYPE_API_TOKEN),
            (API_TOKEN_FIELD, api_token),
        ]
    }

    #[derive(serde::Deserialize)]
    pub struct Acquired {
        pub token: String,
        /// Expiry, milliseconds since the Unix epoch (extended by every call).
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
    /// Seconds; a number per RFC 6749, also taken as a numeric string (`"3600"`), as some
    /// servers send it. Anything else is "not said".
    #[serde(default, deserialize_with = "seconds")]
    pub expires_in: Option<f64>,
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite()))
}

#[cfg(test)]
mod tests {
    use super::OAuthToken;

    #[test]
    fn expires_in_is_a_number_or_a_numeric_string() {
        for (body, want) in [
            (r#"{"access_token":"a","expires_in":3600}"#, Some(3600.0)),
            (r#"{"access_token":"a","expires_in":"3600"}"#, Some(3600.0)),
            (r#"{"access_token":"a","expires_in":" 90 "}"#, Some(90.0)),
            (r#"{"access_token":"a","expires_in":"soon"}"#, None),
            (r#"{"access_token":"a","expires_in":null}"#, None),
            (r#"{"access_token":"a"}"#, None),
        ] {
            let t: OAuthToken = serde_json::from_str(body).expect(body);
            assert_eq!(t.expires_in, want, "{body}");
        }
    }
}
