//! Ephemeral resource `vcf_access_token`: exchanges an API token for a short-lived access token
//! at its token endpoint — a fleet API-client token (`vidb_…`) with the identity broker's
//! `api_token` grant (docs/dev/api-contract.md §B1), or a Director API token with the OAuth 2.0
//! refresh grant (RFC 6749 §6) at `{/oauth|/tm/oauth}/provider/token` or
//! `{/oauth|/tm/oauth}/tenant/{org}/token` (Cloud Director or VCF Automation, §C).
//! Nothing is written to plan or state. The API token stays in this provider process's memory
//! (never in Terraform's private data) so that `Renew` can exchange it again; `Close` forgets it.
//!
//! It lives with the fleet family: it is the `vcf_` type that turns the fleet's API-client
//! tokens (`vcf_temporary_api_token`, `vcf_api_token`) into bearer tokens. Director tokens are
//! exchanged by the same code, on the Director token paths of `client::contract`.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::client::auth::jwt;
use crate::client::contract::director as director_paths;
use crate::client::error::OpContext;
use crate::client::http::{HttpClient, Request};
use crate::client::{ApiError, root_url};
use crate::framework::typed::Result;
use crate::framework::validate::{
    AlsoRequires, AtLeastOneOf, Check, ConflictsWith, Length, OneOf, PathSegment,
};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, OpenedModel, Schema, Secret, TypedEphemeral, Val,
    Value,
};
use crate::resources::{rfc3339_from_millis, secret_opt};

use super::ephemeral::{OpenInstances, from_private, to_private};

/// Renew at this share of the access token's lifetime.
const RENEW_AT: f64 = 0.75;

/// `vcf_access_token`.
#[derive(Default)]
pub struct AccessToken {
    /// Where the open instances exchange their API tokens, by the handle Terraform carries as
    /// private data.
    open: OpenInstances<String, Source>,
}

crate::model! {
    /// `vcf_access_token`.
    pub struct AccessTokenModel {
        pub api_token: Val<Secret>,
        pub token_endpoint_url: Val<String>,
        pub director_host: Val<String>,
        pub director_org: Val<String>,
        pub director_flavor: Val<String>,
        pub access_token: Val<Secret>,
        pub token_type: Val<String>,
        pub expires_at: Val<String>,
    }
}

/// What Terraform carries from Open to Renew and Close: the handle of the instance, never the
/// API token.
#[derive(Serialize, Deserialize)]
struct Private {
    handle: String,
}

#[async_trait]
impl TypedEphemeral for AccessToken {
    type Model = AccessTokenModel;

    fn type_name(&self) -> &'static str {
        "vcf_access_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Exchanges an API token for a short-lived access token during one Terraform \
                 run (the identity broker's `api_token` grant for VCF Operations tokens, the OAuth 2.0 refresh \
                 grant for Cloud Director tokens), without writing either to the plan or the state (Terraform 1.10+). Use it to feed another \
                 provider's configuration. Give either a VCF Operations API-client token (`vidb_…`) with its \
                 `token_endpoint_url`, or a Cloud Director / VCF Automation API token with `director_host` (and \
                 `director_org`). `api_token` may itself be ephemeral, for example \
                 `ephemeral.vcf_temporary_api_token.ci.token`.\n\n\
                 Terraform calls Renew at three quarters of the access token's lifetime during long runs: the \
                 provider exchanges the API token again, which fails the run early when the API token was revoked. \
                 Terraform cannot hand a renewed value to consumers that already received one, so choose an access \
                 token lifetime (`accessTokenTtl` of fleet tokens) longer than the consumers' work. Close does \
                 nothing remotely: access tokens expire by themselves.",
            )
            .attribute(
                Attribute::string("api_token")
                    .required()
                    .sensitive()
                    .description("The API token to exchange: a fleet API-client token (`vidb_…`) or a Director API token. An ephemeral or sensitive value.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("token_endpoint_url")
                    .optional()
                    .description("For a fleet token: the token endpoint shown with it (`tokenEndpointUrl`, `https://<identity broker>/acs/t/CUSTOMER/token`). Exactly one of `token_endpoint_url` and `director_host` is set.")
                    .validator(Check::new("must be an https:// URL", https_url_problem))
                    .validator(ConflictsWith::new(&["director_host"]))
                    .validator(AtLeastOneOf::new(&["director_host"])),
            )
            .attribute(
                Attribute::string("director_host")
                    .optional()
                    .description("For a Director token: host of Cloud Director / VCF Automation, with an optional `:port` and without `https://`.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("director_org")
                    .validator(PathSegment)
                    .optional()
                    .description("For a Director token: the organization it belongs to; `System` or unset for the provider organization.")
                    .validator(Length::at_least(1))
                    .validator(AlsoRequires::new(&["director_host"])),
            )
            .attribute(
                Attribute::string("director_flavor")
                    .optional()
                    .description(
                        "For a Director token: `cloud_director` (token endpoint under `/oauth`) or `vcf_automation` \
                         (under `/tm/oauth`), as `director.flavor` of the provider. Unset: the Cloud Director \
                         endpoint, then the VCF Automation one when the first is not there (404).",
                    )
                    .validator(OneOf::new(&["cloud_director", "vcf_automation"]))
                    .validator(AlsoRequires::new(&["director_host"])),
            )
            .attribute(
                Attribute::string("access_token")
                    .computed()
                    .sensitive()
                    .description("The access token, sent as `Authorization: Bearer <access_token>`."),
            )
            .attribute(
                Attribute::string("token_type")
                    .computed()
                    .description("The token type the server named, normally `Bearer`."),
            )
            .attribute(
                Attribute::string("expires_at")
                    .computed()
                    .description("When the access token expires (RFC 3339), from `expires_in` or the token's own `exp`; null when the server does not say."),
            ),
        )
    }

    async fn open(
        &self,
        ctx: &Ctx,
        config: Self::Model,
        _diags: &mut Diagnostics,
    ) -> Result<OpenedModel<Self::Model>> {
        let vcf = crate::resources::vcf(ctx)?;
        let src = Source::of(&config)?;
        let got = exchange(vcf.clients.http(), &src).await?;
        let mut result = config;
        result.access_token = Val::Known(got.access_token);
        result.token_type = got.token_type.into();
        result.expires_at = got.lifetime.and_then(expiry).into();
        let renew_at = renew_time(got.lifetime);
        let mut private = None;
        if renew_at.is_some() {
            let handle = handle();
            private = to_private(&Private {
                handle: handle.clone(),
            });
            self.open.opened(handle, src);
        }
        Ok(OpenedModel {
            result,
            private,
            renew_at,
        })
    }

    async fn renew(
        &self,
        ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Result<(Option<Vec<u8>>, Option<SystemTime>)> {
        let src = from_private::<Private>(private.as_deref())
            .and_then(|p| self.open.get(&p.handle))
            .ok_or_else(|| {
                Failure::error(
                    "Cannot renew the access token",
                    "This provider process did not open this vcf_access_token (it was restarted); the access token \
                     already handed out stays valid until it expires.",
                )
            })?;
        let vcf = crate::resources::vcf(ctx)?;
        let got = exchange(vcf.clients.http(), &src).await?;
        Ok((private, renew_time(got.lifetime)))
    }

    async fn close(
        &self,
        _ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        if let Some(p) = from_private::<Private>(private.as_deref()) {
            self.open.closed(&p.handle);
        }
        Ok(())
    }
}

/// Where an API token is exchanged.
#[derive(Clone, Debug)]
struct Source {
    api_token: Secret,
    endpoint: Url,
    /// For messages: "the fleet token endpoint" or "Director organization rainpole".
    label: String,
    /// A VCF SSO (identity broker) endpoint, which takes the `api_token` grant; Director
    /// endpoints take the OAuth refresh grant.
    fleet: bool,
    /// `director_flavor` unset: the VCF Automation endpoint, tried when the Cloud Director one
    /// (`endpoint`) answers 404.
    fallback: Option<Url>,
}

impl Source {
    /// Where the configuration's API token is exchanged.
    fn of(config: &AccessTokenModel) -> Result<Source> {
        let api_token = config
            .api_token
            .get()
            .cloned()
            .unwrap_or_else(|| Secret::new(""));
        if api_token.is_empty() {
            return Err(Failure::error(
                "Missing API token",
                "api_token must be a non-empty API token.",
            ));
        }
        if let Some(u) = config.token_endpoint_url.as_deref() {
            let Ok(endpoint) = Url::parse(u) else {
                return Err(Failure::error(
                    "Invalid token endpoint",
                    format!("token_endpoint_url {u:?} is not a URL."),
                ));
            };
            return Ok(Source {
                api_token,
                label: format!("the token endpoint {}", endpoint.host_str().unwrap_or("")),
                endpoint,
                fleet: true,
                fallback: None,
            });
        }
        // The schema requires one of token_endpoint_url and director_host.
        let Some(host) = config.director_host.as_deref() else {
            return Err(Failure::default());
        };
        let mut endpoint = root_url(host, "director_host")?;
        let org = config.director_org.as_deref();
        let org = (!director_paths::is_provider(org)).then(|| org.unwrap_or_default());
        let label = match org {
            None => format!("{host} (provider organization)"),
            Some(o) => format!("{host} (organization {o})"),
        };
        let flavor = match config.director_flavor.as_deref() {
            Some("vcf_automation") => Some(director_paths::Flavor::VcfAutomation),
            Some("cloud_director") => Some(director_paths::Flavor::CloudDirector),
            _ => None,
        };
        let mut fallback = None;
        if flavor.is_none() {
            let mut other = endpoint.clone();
            other.set_path(&director_paths::Flavor::VcfAutomation.token_path(org));
            fallback = Some(other);
        }
        endpoint.set_path(
            &flavor
                .unwrap_or(director_paths::Flavor::CloudDirector)
                .token_path(org),
        );
        Ok(Source {
            api_token,
            endpoint,
            label,
            fleet: false,
            fallback,
        })
    }
}

#[derive(Deserialize)]
struct OAuthAnswer {
    #[serde(default, deserialize_with = "secret_opt")]
    access_token: Option<Secret>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<f64>,
}

struct Exchanged {
    access_token: Secret,
    token_type: String,
    lifetime: Option<Duration>,
}

/// Exchanges at the source's endpoint; when that is not there (404) and the source has a
/// fallback (the other Director product), there.
async fn exchange(http: &HttpClient, src: &Source) -> std::result::Result<Exchanged, ApiError> {
    match exchange_at(http, src, &src.endpoint).await {
        Err(e) if e.status() == Some(404) => match &src.fallback {
            Some(other) => exchange_at(http, src, other).await,
            None => Err(e),
        },
        r => r,
    }
}

async fn exchange_at(
    http: &HttpClient,
    src: &Source,
    url: &Url,
) -> std::result::Result<Exchanged, ApiError> {
    let form = if src.fleet {
        crate::client::contract::fleet::api_token_form(src.api_token.expose())
    } else {
        [
            ("grant_type", "refresh_token"),
            ("refresh_token", src.api_token.expose()),
        ]
    };
    let mut req = Request::form(url.clone(), &form).idempotent(true);
    req.headers
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    let op = OpContext {
        what: format!(
            "exchange the API token for an access token at {}",
            src.label
        ),
        ..OpContext::default()
    };
    let resp = http.send(&req, None, &op).await.map_err(|e| {
        if e.status() == Some(400) || e.status() == Some(401) {
            e.add_detail(
                "The API token was refused: it may be expired or revoked, or belong to another token endpoint \
                 or organization.",
            )
        } else {
            e
        }
    })?;
    let a: OAuthAnswer = resp.json()?;
    let Some(access_token) = a.access_token.filter(|t| !t.is_empty()) else {
        return Err(ApiError::new(
            crate::client::ErrorKind::Decode,
            "Unexpected response",
            format!("{}: the answer carries no access_token", resp.target()),
        ));
    };
    let from_server = a
        .expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(1e9)));
    let from_jwt = jwt::lifetime(access_token.expose(), SystemTime::now());
    let lifetime = match (from_server, from_jwt) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(Exchanged {
        access_token,
        token_type: a.token_type.unwrap_or_else(|| "Bearer".into()),
        lifetime,
    })
}

/// When an access token of this lifetime, issued now, expires (RFC 3339, whole seconds).
fn expiry(lifetime: Duration) -> Option<String> {
    let at = (SystemTime::now() + lifetime)
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?;
    rfc3339_from_millis(i64::try_from(at.as_secs()).ok()?.checked_mul(1000)?)
}

fn https_url_problem(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    match Url::parse(s) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => None,
        _ => Some(format!(
            "expected an https:// URL such as https://idb.example.com/acs/t/CUSTOMER/token, got {s:?}"
        )),
    }
}

fn renew_time(lifetime: Option<Duration>) -> Option<SystemTime> {
    lifetime.map(|l| SystemTime::now() + l.mul_f64(RENEW_AT))
}

fn handle() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// For the fuzz targets (`crate::fuzzing`): a token endpoint answer decoded.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_json(body: &[u8]) {
    if let Ok(a) = serde_json::from_slice::<OAuthAnswer>(body) {
        let _ = (a.access_token.is_some(), a.token_type, a.expires_in);
    }
}

#[cfg(test)]
mod tests;
