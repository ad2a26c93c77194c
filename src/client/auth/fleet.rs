//! VCF Operations fleet IAM (docs/dev/api-contract.md §B1): an API-client token (`vidb_…`)
//! exchanged at its identity-broker token endpoint with the `api_token` grant (sent as
//! `Bearer`), or a user and password at `token/acquire` (sent as `OpsToken`, released when the
//! provider stops). There is no refresh token: renewing is authenticating again.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, Url};

use super::{AuthMethod, Flow, Grant, jwt, rejected};
use crate::client::contract::{OAuthToken, fleet as c};
use crate::client::error::{ApiError, OpContext};
use crate::client::http::{HttpClient, Request};
use crate::framework::Secret;

/// How the provider authenticates to fleet IAM.
#[derive(Debug, Clone)]
pub enum FleetCredentials {
    ApiToken {
        token: Secret,
        token_endpoint_url: Url,
    },
    Password {
        username: String,
        password: Secret,
        auth_source: Option<String>,
    },
    /// An access token obtained elsewhere, sent as is and never renewed.
    AccessToken { token: Secret },
}

pub struct FleetFlow {
    http: Arc<HttpClient>,
    root: Url,
    creds: FleetCredentials,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Acquire<'a> {
    username: &'a str,
    password: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_source: Option<&'a str>,
}

impl FleetFlow {
    pub fn new(http: Arc<HttpClient>, root: Url, creds: FleetCredentials) -> Self {
        FleetFlow { http, root, creds }
    }
}

/// The grant of an OAuth token response: `expires_in`, else the JWT's own lifetime.
pub(crate) fn oauth_grant(t: OAuthToken) -> Grant {
    let lifetime = t
        .expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(1e9)))
        .or_else(|| jwt::lifetime(&t.access_token, SystemTime::now()));
    Grant {
        access: Secret::new(t.access_token),
        lifetime,
        refresh_token: None,
    }
}

#[async_trait]
impl Flow for FleetFlow {
    async fn login(&self) -> Result<Grant, ApiError> {
        match &self.creds {
            FleetCredentials::AccessToken { token } => {
                // Seconds left before the token's own `exp`, when it is a JWT that has one.
                let left = jwt::claims(token.expose()).and_then(|(_, exp)| {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
                    Some(exp - now.as_secs_f64())
                });
                if left.is_some_and(|l| l <= 0.0) {
                    return Err(ApiError::new(
                        crate::client::ErrorKind::CredentialsRejected,
                        "Access token expired",
                        "operations.access_token has expired, and the provider cannot renew an access token it \
                         was given. Pass a fresh one (for example from ephemeral.vcf_access_token) or configure \
                         operations.api_token.",
                    ));
                }
                Ok(Grant {
                    access: token.clone(),
                    lifetime: left.map(|l| Duration::from_secs_f64(l.min(1e9))),
                    refresh_token: None,
                })
            }
            FleetCredentials::ApiToken {
                token,
                token_endpoint_url,
            } => {
                let mut req = Request::form(
                    token_endpoint_url.clone(),
                    &c::api_token_form(token.expose()),
                )
                .idempotent(true);
                req.headers
                    .insert(ACCEPT, HeaderValue::from_static("application/json"));
                let op = OpContext {
                    what: "exchange the VCF Operations API token for an access token".into(),
                    ..OpContext::default()
                };
                let resp = self.http.send(&req, None, &op).await.map_err(|e| {
                    rejected(
                        e,
                        "The VCF identity broker",
                        "the API token in operations.api_token",
                        "check that operations.api_token (or VCF_OPERATIONS_API_TOKEN) is an active \
                         vidb_ token, not expired or revoked, and that token_endpoint_url is the one \
                         shown with the token",
                    )
                })?;
                Ok(oauth_grant(resp.json()?))
            }
            FleetCredentials::Password {
                username,
                password,
                auth_source,
            } => {
                let mut url = self.root.clone();
                url.set_path(c::ACQUIRE);
                let body = Acquire {
                    username,
                    password: password.expose(),
                    auth_source: auth_source.as_deref(),
                };
                let mut req = Request::json(Method::POST, url, &body)?.idempotent(true);
                req.headers
                    .insert(ACCEPT, HeaderValue::from_static("application/json"));
                let op = OpContext {
                    what: format!("authenticate to VCF Operations as {username:?}"),
                    ..OpContext::default()
                };
                let resp = self.http.send(&req, None, &op).await.map_err(|e| {
                    rejected(
                        e,
                        "VCF Operations",
                        &format!("user {username:?}"),
                        "check operations.username, operations.password and operations.auth_source \
                         (or VCF_OPERATIONS_USERNAME / _PASSWORD / _AUTH_SOURCE)",
                    )
                })?;
                let a: c::Acquired = resp.json()?;
                let now_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or(0);
                let lifetime = a
                    .validity
                    .filter(|v| *v > now_ms)
                    .map(|v| Duration::from_millis((v - now_ms) as u64));
                Ok(Grant {
                    access: Secret::new(a.token),
                    lifetime,
                    refresh_token: None,
                })
            }
        }
    }

    /// An acquired session is ended with `token/release`, sent with its own token.
    async fn release(&self, access: &Secret) -> Result<(), ApiError> {
        if !matches!(self.creds, FleetCredentials::Password { .. }) {
            return Ok(());
        }
        let mut url = self.root.clone();
        url.set_path(c::RELEASE);
        let mut req = Request::new(Method::POST, url).idempotent(true);
        req.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        let op = OpContext {
            what: "release the VCF Operations session".into(),
            ..OpContext::default()
        };
        self.http
            .send_as(&req, Some((self.scheme(), access)), &op)
            .await
            .map(|_| ())
    }

    fn scheme(&self) -> &'static str {
        match self.creds {
            FleetCredentials::Password { .. } => c::OPS_TOKEN_SCHEME,
            FleetCredentials::ApiToken { .. } | FleetCredentials::AccessToken { .. } => "Bearer",
        }
    }

    /// The documented default access-token TTL of an API-client token (`accessTokenTtl` 30).
    fn default_lifetime(&self) -> Duration {
        Duration::from_secs(30 * 60)
    }

    fn method(&self) -> AuthMethod {
        match self.creds {
            FleetCredentials::ApiToken { .. } | FleetCredentials::AccessToken { .. } => {
                AuthMethod::ApiToken
            }
            FleetCredentials::Password { .. } => AuthMethod::Password,
        }
    }

    fn family(&self) -> &'static str {
        "VCF Operations"
    }
}
