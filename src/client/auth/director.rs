//! Cloud Director / VCF Automation (`docs/dev/api-contract.md` § C): an API token exchanged with
//! an OAuth refresh grant at the flavor's token endpoint (`/oauth/…/token` for Cloud Director,
//! `/tm/oauth/tenant/{org}/token` for VCF Automation), or a session login with Basic
//! `user@org:password`. With `director.flavor = "auto"` the first login reads the
//! unauthenticated `GET /api/versions` to tell the two apart. Renewing is authenticating again.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, Url};

use super::fleet::oauth_grant;
use super::{AuthMethod, Flow, Grant, jwt, rejected};
use crate::client::contract::director::{self as c, Flavor, FlavorCell};
use crate::client::error::{ApiError, ErrorKind, OpContext};
use crate::client::http::{HttpClient, Request, basic_header};
use crate::framework::Secret;

/// How the provider authenticates to Director.
#[derive(Debug, Clone)]
pub enum DirectorCredentials {
    ApiToken { token: Secret },
    Password { username: String, password: Secret },
}

pub struct DirectorFlow {
    http: Arc<HttpClient>,
    root: Url,
    org: Option<String>,
    creds: DirectorCredentials,
    flavor: Arc<FlavorCell>,
}

impl DirectorFlow {
    pub fn new(
        http: Arc<HttpClient>,
        root: Url,
        org: Option<String>,
        creds: DirectorCredentials,
        flavor: Arc<FlavorCell>,
    ) -> Self {
        DirectorFlow {
            http,
            root,
            org,
            creds,
            flavor,
        }
    }

    /// The flavor in use: configured, or detected once from `GET /api/versions`.
    async fn flavor(&self) -> Result<Flavor, ApiError> {
        if let Some(f) = self.flavor.get() {
            return Ok(f);
        }
        let mut url = self.root.clone();
        url.set_path(c::VERSIONS);
        let mut req = Request::new(Method::GET, url).idempotent(true);
        req.headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/*+json, application/json, application/*+xml"),
        );
        let op = OpContext {
            what: "read the API versions of director.host (director.flavor = \"auto\")".into(),
            ..OpContext::default()
        };
        let resp = self.http.send(&req, None, &op).await?;
        let f = c::detect(&resp.body).ok_or_else(|| {
            ApiError::new(
                ErrorKind::Config,
                "Cannot tell Cloud Director from VCF Automation",
                format!(
                    "{} lists no API version the provider recognises (Cloud Director 10.x lists 37.0 and \
                     above, VCF Automation 9.x lists 9.x.y). Set director.flavor (or VCF_DIRECTOR_FLAVOR) \
                     to \"cloud_director\" or \"vcf_automation\".",
                    resp.target()
                ),
            )
        })?;
        tracing::debug!(flavor = f.name(), "Director flavor detected");
        self.flavor.set_detected(f);
        Ok(f)
    }

    /// A 404 (no such OAuth path) or 406 (API version not served) at login usually means the
    /// other product: say which `director.flavor` would fit.
    fn wrong_dialect(&self, e: ApiError, flavor: Flavor) -> ApiError {
        if !matches!(e.status(), Some(404 | 406)) {
            return e;
        }
        let (other, name) = match flavor {
            Flavor::CloudDirector => ("VCF Automation", "vcf_automation"),
            Flavor::VcfAutomation => ("Cloud Director", "cloud_director"),
        };
        e.add_detail(&format!(
            "The provider spoke the {} dialect (director.flavor {}); if director.host is {other}, \
             set director.flavor = \"{name}\" (or VCF_DIRECTOR_FLAVOR).",
            flavor.name(),
            if self.flavor.is_configured() {
                "as configured"
            } else {
                "detected from GET /api/versions"
            },
        ))
    }

    fn org_name(&self) -> &str {
        self.org.as_deref().unwrap_or("System")
    }
}

#[async_trait]
impl Flow for DirectorFlow {
    async fn login(&self) -> Result<Grant, ApiError> {
        let provider = c::is_provider(self.org.as_deref());
        let flavor = self.flavor().await?;
        let mut url = self.root.clone();
        match &self.creds {
            DirectorCredentials::ApiToken { token } => {
                url.set_path(&flavor.token_path((!provider).then(|| self.org_name())));
                let mut req = Request::form(
                    url,
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", token.expose()),
                    ],
                )
                .idempotent(true);
                req.headers
                    .insert(ACCEPT, HeaderValue::from_static("application/json"));
                let op = OpContext {
                    what: format!(
                        "exchange the Director API token for an access token (organization {})",
                        self.org_name()
                    ),
                    ..OpContext::default()
                };
                let resp = self.http.send(&req, None, &op).await.map_err(|e| {
                    rejected(
                        self.wrong_dialect(e, flavor),
                        "Cloud Director",
                        "the API token in director.api_token",
                        "check that director.api_token (or VCF_DIRECTOR_API_TOKEN) was not revoked \
                         and belongs to the organization in director.org",
                    )
                })?;
                Ok(oauth_grant(resp.json()?))
            }
            DirectorCredentials::Password { username, password } => {
                url.set_path(if provider {
                    c::PROVIDER_SESSIONS
                } else {
                    c::TENANT_SESSIONS
                });
                let who = format!("{username}@{}", self.org_name());
                let mut req = Request::new(Method::POST, url).idempotent(true);
                req.headers
                    .insert(AUTHORIZATION, basic_header(&who, password));
                req.headers
                    .insert(ACCEPT, HeaderValue::from_static(flavor.accept_json()));
                let op = OpContext {
                    what: format!("log in to Cloud Director as {who:?}"),
                    ..OpContext::default()
                };
                let resp = self.http.send(&req, None, &op).await.map_err(|e| {
                    rejected(
                        self.wrong_dialect(e, flavor),
                        "Cloud Director",
                        &format!("user {who:?}"),
                        "check director.username, director.password and director.org (or the \
                         VCF_DIRECTOR_* variables)",
                    )
                })?;
                let token = resp.header(c::ACCESS_TOKEN_HEADER).ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::Decode,
                        "Unexpected response",
                        format!(
                            "{}: the login answer has no {} header",
                            resp.target(),
                            c::ACCESS_TOKEN_HEADER
                        ),
                    )
                })?;
                Ok(Grant {
                    lifetime: jwt::lifetime(token, SystemTime::now()),
                    access: Secret::new(token),
                    refresh_token: None,
                })
            }
        }
    }

    /// A user-and-password session is ended with Logout Current Session, sent with its own
    /// token. (A session from an API token ends when its access token expires.)
    async fn release(&self, access: &Secret) -> Result<(), ApiError> {
        if !matches!(self.creds, DirectorCredentials::Password { .. }) {
            return Ok(());
        }
        let mut url = self.root.clone();
        url.set_path(c::CURRENT_SESSION);
        let mut req = Request::new(Method::DELETE, url);
        req.headers.insert(
            ACCEPT,
            HeaderValue::from_static(self.flavor.or_default().accept_json()),
        );
        let op = OpContext {
            what: "log out of Cloud Director".into(),
            ..OpContext::default()
        };
        self.http.send(&req, Some(access), &op).await.map(|_| ())
    }

    fn method(&self) -> AuthMethod {
        match self.creds {
            DirectorCredentials::ApiToken { .. } => AuthMethod::ApiToken,
            DirectorCredentials::Password { .. } => AuthMethod::Password,
        }
    }

    fn family(&self) -> &'static str {
        "Cloud Director"
    }
}
