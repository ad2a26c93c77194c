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

pub struct SddcFlow {
    http: Arc<HttpClient>,
    root: Url,
    username: String,
    password: Secret,
}

#[derive(serde::Serialize)]
struct Login<'a> {
    username: &'a str,
    password: &'a str,
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
    pub fn new(http: Arc<HttpClient>, root: Url, username: String, password: Secret) -> Self {
        SddcFlow {
            http,
            root,
            username,
            password,
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
        let body = Login {
            username: &self.username,
            password: self.password.expose(),
        };
        // Repeating a login after a 5xx or a lost answer is harmless; a 401 is never repeated.
        let req = Request::json(Method::POST, self.url(c::TOKENS), &body)?.idempotent(true);
        let op = OpContext {
            what: format!("authenticate to SDDC Manager as {:?}", self.username),
            ..OpContext::default()
        };
        let resp = self.http.send(&req, None, &op).await.map_err(|e| {
            rejected(
                e,
                "SDDC Manager",
                &format!("user {:?}", self.username),
                "check sddc_manager.username and sddc_manager.password (or VCF_SDDC_MANAGER_USERNAME \
                 and VCF_SDDC_MANAGER_PASSWORD)",
            )
        })?;
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
        AuthMethod::Password
    }

    fn family(&self) -> &'static str {
        "SDDC Manager"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
