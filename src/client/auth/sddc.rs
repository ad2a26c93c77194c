//! SDDC Manager (contract A, seed 000): a token pair from `POST /v1/tokens`, access tokens
//! renewed with the refresh token, the refresh token invalidated at shutdown.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use reqwest::{Method, Url};

use super::{AuthMethod, Flow, Grant, jwt, rejected};
use crate::client::contract::sddc as c;
use crate::client::error::{ApiError, OpContext};
use crate::client::http::{HttpClient, Request};
use crate::framework::Secret;

/// How the provider logs in to SDDC Manager (TokenCreationSpec: `username`/`password`, or the
/// `apiKey` of a SERVICE user).
#[derive(Clone)]
pub enum SddcCredentials {
    Password { username: String, password: Secret },
    ApiKey { key: Secret },
}

impl std::fmt::Debug for SddcCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SddcCredentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .finish_non_exhaustive(),
            SddcCredentials::ApiKey { .. } => f.debug_struct("ApiKey").finish_non_exhaustive(),
        }
    }
}

pub struct SddcFlow {
    http: Arc<HttpClient>,
    root: Url,
    credentials: SddcCredentials,
}

/// TokenCreationSpec (`…/sddc-manager-api/latest/data-structures/TokenCreationSpec`): one of
/// the two logins.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Login<'a> {
    Password {
        username: &'a str,
        password: &'a str,
    },
    ApiKey {
        #[serde(rename = "apiKey")]
        api_key: &'a str,
    },
}

/// The answer of `PATCH /v1/tokens/access-token/refresh`: the reference documents a bare JSON
/// string (the new access token); an object with `accessToken` is accepted too.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Refreshed {
    Bare(String),
    Pair(c::TokenPair),
}

impl SddcFlow {
    pub fn new(http: Arc<HttpClient>, root: Url, credentials: SddcCredentials) -> Self {
        SddcFlow {
            http,
            root,
            credentials,
        }
    }

    fn url(&self, path: &str) -> Url {
        let mut u = self.root.clone();
        u.set_path(path);
        u
    }

    fn grant(pair: c::TokenPair) -> Grant {
        let lifetime = jwt::lifetime(&pair.access_token, SystemTime::now());
        Grant {
            access: Secret::new(pair.access_token),
            lifetime,
            refresh_token: pair.refresh_token.map(|r| Secret::new(r.id)),
        }
    }
}

#[async_trait]
impl Flow for SddcFlow {
    async fn login(&self) -> Result<Grant, ApiError> {
        let (body, who, fix) = match &self.credentials {
            SddcCredentials::Password { username, password } => (
                Login::Password {
                    username,
                    password: password.expose(),
                },
                format!("user {username:?}"),
                "check sddc_manager.username and sddc_manager.password (or VCF_SDDC_MANAGER_USERNAME \
                 and VCF_SDDC_MANAGER_PASSWORD)",
            ),
            SddcCredentials::ApiKey { key } => (
                Login::ApiKey {
                    api_key: key.expose(),
                },
                "the SERVICE account of sddc_manager.api_key".to_string(),
                "check sddc_manager.api_key (or VCF_SDDC_MANAGER_API_KEY): it must be the API key of an \
                 existing SDDC Manager SERVICE account, shown once when the account was created",
            ),
        };
        // Repeating a login after a 5xx or a lost answer is harmless; a 401 is never repeated.
        let req = Request::json(Method::POST, self.url(c::TOKENS), &body)?.idempotent(true);
        let op = OpContext {
            what: format!("authenticate to SDDC Manager as {who}"),
            ..OpContext::default()
        };
        let resp = self
            .http
            .send(&req, None, &op)
            .await
            .map_err(|e| rejected(e, "SDDC Manager", &who, fix))?;
        Ok(Self::grant(resp.json()?))
    }

    async fn refresh(&self, refresh_token: &Secret) -> Result<Grant, ApiError> {
        // The body is the refresh-token id as a bare JSON string.
        let req = Request::json(Method::PATCH, self.url(c::REFRESH), refresh_token.expose())?
            .idempotent(true);
        let op = OpContext {
            what: "refresh the SDDC Manager access token".into(),
            ..OpContext::default()
        };
        let resp = self.http.send(&req, None, &op).await?;
        Ok(match resp.json::<Refreshed>()? {
            Refreshed::Bare(access_token) => Self::grant(c::TokenPair {
                access_token,
                refresh_token: None,
            }),
            Refreshed::Pair(pair) => Self::grant(pair),
        })
    }

    async fn logout(&self, access: &Secret, refresh_token: &Secret) -> Result<(), ApiError> {
        // The body is the refresh-token id as a bare JSON string; 204 on success.
        let req = Request::json(
            Method::DELETE,
            self.url(c::INVALIDATE_REFRESH),
            refresh_token.expose(),
        )?;
        let op = OpContext {
            what: "invalidate the SDDC Manager refresh token".into(),
            ..OpContext::default()
        };
        self.http.send(&req, Some(access), &op).await.map(|_| ())
    }

    fn default_lifetime(&self) -> Duration {
        Duration::from_secs(c::ACCESS_TOKEN_LIFETIME_SECS)
    }

    fn method(&self) -> AuthMethod {
        match self.credentials {
            SddcCredentials::Password { .. } => AuthMethod::Password,
            SddcCredentials::ApiKey { .. } => AuthMethod::ApiToken,
        }
    }

    fn family(&self) -> &'static str {
        "SDDC Manager"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_bodies_are_token_creation_specs() {
        let pw = serde_json::to_value(Login::Password {
            username: "u",
            password: "p",
        })
        .expect("json");
        assert_eq!(pw, serde_json::json!({"username": "u", "password": "p"}));
        let key = serde_json::to_value(Login::ApiKey { api_key: "k" }).expect("json");
        assert_eq!(key, serde_json::json!({"apiKey": "k"}));
        let creds = SddcCredentials::ApiKey {
            key: Secret::new("hidden-key"),
        };
        assert!(!format!("{creds:?}").contains("hidden-key"));
    }

    #[test]
    fn token_pair_of_the_reference_decodes() {
        // The TokenPair example of the reference: the refresh token is an object `{"id"}`;
        // fields the provider does not know are ignored.
        let body = br#"{"accessToken":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln","refreshToken":{"id":"6d0b1d1e-1f9c-4c1e-9a57-3e1e0b8f2b6a"},"extra":1}"#;
        let pair: c::TokenPair = serde_json::from_slice(body).expect("TokenPair");
        let g = SddcFlow::grant(pair);
        assert_eq!(g.access.expose(), "eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
        assert_eq!(
            g.refresh_token.expect("refresh token").expose(),
            "6d0b1d1e-1f9c-4c1e-9a57-3e1e0b8f2b6a"
        );
        // The old guessed shape (a bare string) is not what the API answers, and is refused.
        assert!(
            serde_json::from_slice::<c::TokenPair>(br#"{"accessToken":"a","refreshToken":"r"}"#)
                .is_err()
        );
        // The refresh answer is a bare JSON string; an object is accepted too.
        assert!(matches!(
            serde_json::from_slice::<Refreshed>(br#""eyJhbGciOiJIUzI1NiJ9.e30.c2ln""#),
            Ok(Refreshed::Bare(t)) if t.starts_with("eyJ")
        ));
        assert!(matches!(
            serde_json::from_slice::<Refreshed>(br#"{"accessToken":"a"}"#),
            Ok(Refreshed::Pair(_))
        ));
        // Without a refresh token the pair still gives an access token.
        let g = SddcFlow::grant(serde_json::from_slice(br#"{"accessToken":"a"}"#).expect("pair"));
        assert!(g.refresh_token.is_none());
    }
}
