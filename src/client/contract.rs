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

/// C. Cloud Director / VCF Automation. References: VMware Cloud Director OpenAPI 39.1
/// (https://developer.broadcom.com/xapis/vmware-cloud-director-openapi/39.1/) and VCF
/// Automation 9.1 (https://developer.broadcom.com/xapis/org-management-vm-apps-org/9.1/,
/// https://developer.broadcom.com/xapis/vm-apps-org-access-control/9.1/); the rows are in
/// `docs/dev/api-contract.md` § C.
pub mod director {
    use std::sync::OnceLock;

    /// Which product answers at `director.host`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Flavor {
        /// VMware Cloud Director 10.x: OAuth under `/oauth`, API version 39.1.
        CloudDirector,
        /// VCF Automation 9.x: OAuth under `/tm/oauth`, API version 9.1.0.
        VcfAutomation,
    }

    impl Flavor {
        /// The `director.flavor` value.
        pub fn name(self) -> &'static str {
            match self {
                Flavor::CloudDirector => "cloud_director",
                Flavor::VcfAutomation => "vcf_automation",
            }
        }

        /// `Accept` of cloudapi calls: the media type the reference pages return
        /// (`application/json;version=39.1` for Cloud Director 10.6,
        /// `application/json;version=9.1.0` for VCF Automation 9.1).
        pub fn accept_json(self) -> &'static str {
            match self {
                Flavor::CloudDirector => "application/json;version=39.1",
                Flavor::VcfAutomation => "application/json;version=9.1.0",
            }
        }

        /// Where OAuth lives: VCF Automation puts it under `/tm`
        /// (`POST /tm/oauth/tenant/{tenant}/token`, org-management-vm-apps-org 9.1).
        fn oauth_prefix(self) -> &'static str {
            match self {
                Flavor::CloudDirector => "/oauth",
                Flavor::VcfAutomation => "/tm/oauth",
            }
        }

        /// The token endpoint (refresh grant of an API token) of `org` (`None`: the provider
        /// organization). Tenant paths are in the references; the provider path of VCF
        /// Automation (`/tm/oauth/provider/token`) is UNCONFIRMED.
        pub fn token_path(self, org: Option<&str>) -> String {
            match org {
                None => format!("{}/provider/token", self.oauth_prefix()),
                Some(o) => format!(
                    "{}/tenant/{}/token",
                    self.oauth_prefix(),
                    super::super::path_segment(o)
                ),
            }
        }

        /// UNCONFIRMED (no reference documents it): the OAuth client registration used to
        /// create an API token, beside the token endpoint.
        pub fn register_path(self, org: Option<&str>) -> String {
            match org {
                None => format!("{}/provider/register", self.oauth_prefix()),
                Some(o) => format!(
                    "{}/tenant/{}/register",
                    self.oauth_prefix(),
                    super::super::path_segment(o)
                ),
            }
        }
    }

    /// `director.flavor`, and the flavor `auto` resolved to at the first login (shared by the
    /// authenticator, the API client's `Accept` and the token resources).
    #[derive(Debug, Default)]
    pub struct FlavorCell {
        configured: Option<Flavor>,
        detected: OnceLock<Flavor>,
    }

    impl FlavorCell {
        /// `None` is `auto`.
        pub fn new(configured: Option<Flavor>) -> FlavorCell {
            FlavorCell {
                configured,
                detected: OnceLock::new(),
            }
        }

        /// The flavor in use, when known (configured, or detected already).
        pub fn get(&self) -> Option<Flavor> {
            self.configured.or_else(|| self.detected.get().copied())
        }

        /// Whether `director.flavor` names the product (not `auto`).
        pub fn is_configured(&self) -> bool {
            self.configured.is_some()
        }

        pub fn set_detected(&self, f: Flavor) {
            let _ = self.detected.set(f);
        }

        /// The flavor in use, Cloud Director before detection.
        pub fn or_default(&self) -> Flavor {
            self.get().unwrap_or(Flavor::CloudDirector)
        }
    }

    /// UNCONFIRMED for VCF Automation: the unauthenticated version list `auto` reads. Cloud
    /// Director documents it ("make an unauthenticated GET request to the api/versions URL",
    /// https://developer.broadcom.com/xapis/vmware-cloud-director-api/36.1/doc/operations/POST-Login.html).
    pub const VERSIONS: &str = "/api/versions";

    /// The flavor a `GET /api/versions` answer (JSON or XML) shows: Cloud Director API versions
    /// are 30 and above (39.1 for 10.6), VCF Automation's follow the product (9.x.y).
    pub fn detect(body: &[u8]) -> Option<Flavor> {
        let text = String::from_utf8_lossy(body);
        let lower = text.to_ascii_lowercase();
        let mut majors = Vec::new();
        let mut rest = lower.as_str();
        while let Some(i) = rest.find("version") {
            rest = &rest[i + "version".len()..];
            // Skip `":"`, `>` and the like up to the first digit, within a few characters.
            let skip = rest
                .char_indices()
                .take(6)
                .find(|(_, c)| c.is_ascii_digit())
                .map(|(j, _)| j);
            let Some(j) = skip else { continue };
            let num: String = rest[j..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if num.contains('.')
                && let Some(Ok(major)) = num.split('.').next().map(str::parse::<u32>)
            {
                majors.push(major);
            }
        }
        if majors.iter().any(|m| *m >= 30) {
            Some(Flavor::CloudDirector)
        } else if majors.iter().any(|m| (9..30).contains(m)) {
            Some(Flavor::VcfAutomation)
        } else {
            None
        }
    }

    /// Session login of System users (Basic `user@System:password`): 200 Session
    /// (…/provider-infrastructure-apis/9.1.1/cloudapi/1.0.0/sessions/provider/post/).
    pub const PROVIDER_SESSIONS: &str = "/cloudapi/1.0.0/sessions/provider";
    /// Session login of tenant users (Basic `user@org:password`).
    pub const TENANT_SESSIONS: &str = "/cloudapi/1.0.0/sessions";
    /// Logout Current Session: `DELETE`, the session's own token → 204; ends a user-and-password
    /// session when the provider stops (…/provider-infrastructure-apis/latest/cloudapi/1.0.0/
    /// sessions/current/delete, "Added in 36.0").
    pub const CURRENT_SESSION: &str = "/cloudapi/1.0.0/sessions/current";
    /// UNCONFIRMED: the header that carries the session's access token.
    pub const ACCESS_TOKEN_HEADER: &str = "x-vmware-vcloud-access-token";

    /// Is `org` the provider organization (absent, or `System` in any case)?
    pub fn is_provider(org: Option<&str>) -> bool {
        org.is_none_or(|o| o.eq_ignore_ascii_case("system"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn flavors_and_detection() {
            assert_eq!(
                Flavor::VcfAutomation.token_path(Some("acme corp")),
                "/tm/oauth/tenant/acme%20corp/token"
            );
            assert_eq!(
                Flavor::CloudDirector.token_path(None),
                "/oauth/provider/token"
            );
            let vcd = br#"{"versionInfo":[{"version":"37.0","deprecated":false},{"version":"39.1","deprecated":false}]}"#;
            assert_eq!(detect(vcd), Some(Flavor::CloudDirector));
            let xml = br#"<SupportedVersions><VersionInfo deprecated="false"><Version>38.1</Version></VersionInfo></SupportedVersions>"#;
            assert_eq!(detect(xml), Some(Flavor::CloudDirector));
            let vcfa = br#"{"versionInfo":[{"version":"9.0.0"},{"version":"9.1.0"}]}"#;
            assert_eq!(detect(vcfa), Some(Flavor::VcfAutomation));
            assert_eq!(detect(b"<html>nothing</html>"), None);
            let cell = FlavorCell::new(None);
            assert_eq!(cell.get(), None);
            cell.set_detected(Flavor::VcfAutomation);
            assert_eq!(cell.or_default(), Flavor::VcfAutomation);
            assert_eq!(
                FlavorCell::new(Some(Flavor::CloudDirector)).get(),
                Some(Flavor::CloudDirector)
            );
        }
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
