//! Cloud Director / VCF Automation (contract C): an API token exchanged with an OAuth refresh
//! grant at `/oauth/provider/token` or `/oauth/tenant/{org}/token` (SEEN), or a session login
//! with Basic `user@org:password` (ASSUMED). Renewing is authenticating again.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, Url};

use super::fleet::oauth_grant;
use super::{AuthMethod, Flow, Grant, jwt, rejected};
use crate::client::contract::director as c;
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
}

impl DirectorFlow {
    pub fn new(
        http: Arc<HttpClient>,
        root: Url,
        org: Option<String>,
        creds: DirectorCredentials,
    ) -> Self {
        DirectorFlow {
            http,
            root,
            org,
            creds,
        }
    }

    fn org_name(&self) -> &str {
        self.org.as_deref().unwrap_or("System")
    }
}

#[async_trait]
impl Flow for DirectorFlow {
    async fn login(&self) -> Result<Grant, ApiError> {
        let provider = c::is_provider(self.org.as_deref());
        let mut url = self.root.clone();
        match &self.creds {
            DirectorCredentials::ApiToken { token } => {
                if provider {
                    url.set_path(c::PROVIDER_TOKEN);
                } else {
                    url.set_path(&c::tenant_token(self.org_name()));
                }
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
                        e,
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
                    .insert(ACCEPT, HeaderValue::from_static(c::ACCEPT_JSON));
                let op = OpContext {
                    what: format!("log in to Cloud Director as {who:?}"),
                    ..OpContext::default()
                };
                let resp = self.http.send(&req, None, &op).await.map_err(|e| {
                    rejected(
                        e,
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
