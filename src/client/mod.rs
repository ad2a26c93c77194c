//! The client layer: one HTTP client for the whole provider and one authenticated client per
//! API family (SDDC Manager, VCF Operations fleet IAM, Cloud Director / VCF Automation).
//!
//! - [`http`]: reqwest over rustls, trust settings, pooling, per-attempt timeout, the
//!   process-wide `parallel_requests` limit, retries with backoff, jitter and `Retry-After`;
//! - [`error`]: [`ApiError`], every failure as an actionable, secret-free message;
//! - [`auth`]: one [`Authenticator`] per family, single-flight refresh, final rejections;
//! - [`api`]: [`ApiClient`] and [`Call`], what resources use, and `create_with_lookup` for
//!   creates whose answer was lost;
//! - [`contract`]: every ASSUMED path and body of the authentication calls, in one place.
//!
//! Building [`Clients`] opens no connection; the first call of a family authenticates.
//!
//! ```ignore
//! let api = clients.operations()?;                     // Err(Diagnostic) if the block is missing
//! let realms: Realms = api.json(Call::get("/ssorealms").what("list SSO realms")).await?;
//! ```

pub mod api;
pub mod auth;
pub mod contract;
pub mod error;
pub mod http;
pub mod retry;

use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};

pub use api::{ApiClient, Call, Created, Family};
pub use auth::{
    AuthCounters, AuthMethod, Authenticator, Clock, DirectorCredentials, FleetCredentials,
    SddcCredentials,
};
pub use error::{ApiError, ErrorKind};
pub use http::{HttpClient, Response, TransportOptions};

use crate::framework::{Diagnostic, StopToken};
use auth::{DirectorFlow, FleetFlow, SddcFlow, TokenManager};

/// SDDC Manager connection.
#[derive(Debug, Clone)]
pub struct SddcConfig {
    pub host: String,
    pub credentials: SddcCredentials,
}

/// VCF Operations fleet IAM connection.
#[derive(Debug, Clone)]
pub struct OperationsConfig {
    pub host: String,
    pub credentials: FleetCredentials,
}

/// Cloud Director / VCF Automation connection.
#[derive(Debug, Clone)]
pub struct DirectorConfig {
    pub host: String,
    /// `None` (or `System`) for the provider organization.
    pub org: Option<String>,
    pub credentials: DirectorCredentials,
    /// `director.flavor`; `None` is `auto` (detected at the first login).
    pub flavor: Option<contract::director::Flavor>,
}

/// Everything the client layer needs from the provider configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub transport: TransportOptions,
    pub sddc_manager: Option<SddcConfig>,
    pub operations: Option<OperationsConfig>,
    pub director: Option<DirectorConfig>,
}

/// The clients of the configured API families, sharing one `HttpClient`.
#[derive(Debug)]
pub struct Clients {
    http: Arc<HttpClient>,
    sddc_manager: Option<ApiClient>,
    operations: Option<ApiClient>,
    director: Option<ApiClient>,
    director_flavor: Option<Arc<contract::director::FlavorCell>>,
}

/// `https://{host}` of a host setting (`name` or `name:port`, no scheme or path).
pub fn root_url(host: &str, block: &str) -> Result<Url, ApiError> {
    let bad = |why: String| {
        ApiError::config(format!(
            "{block}.host {host:?} is not a usable host name{why}; write a host name or address \
             with an optional :port, without https:// or a path"
        ))
    };
    if host.is_empty() || host.contains('/') || host.contains('@') {
        return Err(bad(String::new()));
    }
    let u = Url::parse(&format!("https://{host}")).map_err(|e| bad(format!(" ({e})")))?;
    if u.host_str().is_none() || u.path() != "/" {
        return Err(bad(String::new()));
    }
    Ok(u)
}

/// Percent-encodes one path segment (an ID or a name inside a URL path).
pub fn path_segment(s: &str) -> String {
    // `.` and `..` would name the parent or the collection. They are percent-encoded here, but
    // URL libraries resolve `%2E%2E` too, so `ApiClient` refuses to send a path the URL library
    // changed (see `ApiClient::checked_url`): such a segment never reaches a server.
    if crate::framework::validate::is_dot_segment(s) {
        return "%2E".repeat(s.len());
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn accept(value: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT, HeaderValue::from_static(value));
    h
}

impl Clients {
    /// Builds the clients. Reads the CA file; opens no connection.
    pub fn new(config: &Config) -> Result<Clients, ApiError> {
        Self::with_clock(config, Clock::default())
    }

    /// As [`Clients::new`], with the clock the authenticators schedule refreshes on.
    pub fn with_clock(config: &Config, clock: Clock) -> Result<Clients, ApiError> {
        Self::build(config, clock, StopToken::new())
    }

    /// As [`Clients::new`], with the provider process's stop signal: when it is cancelled,
    /// every request, wait for an answer and backoff wait ends at once with an error that says
    /// Terraform stopped the run (see [`HttpClient::cancelled`]).
    pub fn stoppable(config: &Config, stop: StopToken) -> Result<Clients, ApiError> {
        Self::build(config, Clock::default(), stop)
    }

    fn build(config: &Config, clock: Clock, stop: StopToken) -> Result<Clients, ApiError> {
        let http = Arc::new(HttpClient::new(&config.transport)?.with_stop(stop));
        let sddc_manager = match &config.sddc_manager {
            None => None,
            Some(c) => {
                let root = root_url(&c.host, "sddc_manager")?;
                let flow = SddcFlow::new(http.clone(), root.clone(), c.credentials.clone());
                Some(ApiClient::new(
                    Family::SddcManager,
                    http.clone(),
                    root,
                    Arc::new(TokenManager::new(flow, clock.clone())),
                    accept("application/json"),
                ))
            }
        };
        let operations = match &config.operations {
            None => None,
            Some(c) => {
                let root = root_url(&c.host, "operations")?;
                let mut base = root.clone();
                base.set_path(contract::fleet::BASE_PATH);
                let flow = FleetFlow::new(http.clone(), root, c.credentials.clone());
                Some(ApiClient::new(
                    Family::Operations,
                    http.clone(),
                    base,
                    Arc::new(TokenManager::new(flow, clock.clone())),
                    accept("application/json"),
                ))
            }
        };
        let director_flavor = config
            .director
            .as_ref()
            .map(|c| Arc::new(contract::director::FlavorCell::new(c.flavor)));
        let director = match (&config.director, &director_flavor) {
            (Some(c), Some(cell)) => {
                let root = root_url(&c.host, "director")?;
                let flow = DirectorFlow::new(
                    http.clone(),
                    root.clone(),
                    c.org.clone(),
                    c.credentials.clone(),
                    cell.clone(),
                );
                let accept_of = cell.clone();
                Some(
                    ApiClient::new(
                        Family::Director,
                        http.clone(),
                        root,
                        Arc::new(TokenManager::new(flow, clock.clone())),
                        HeaderMap::new(),
                    )
                    // The API version of the flavor in use (known once the login detected it).
                    .with_header_hook(api::HeaderHook(Arc::new(move |h: &mut HeaderMap| {
                        h.insert(
                            ACCEPT,
                            HeaderValue::from_static(accept_of.or_default().accept_json()),
                        );
                    }))),
                )
            }
            _ => None,
        };
        Ok(Clients {
            http,
            sddc_manager,
            operations,
            director,
            director_flavor,
        })
    }

    pub fn http(&self) -> &Arc<HttpClient> {
        &self.http
    }

    /// The Director flavor in use, once configured or detected (after the first login).
    pub fn director_flavor(&self) -> Option<contract::director::Flavor> {
        self.director_flavor.as_ref().and_then(|c| c.get())
    }

    /// The client of `family`, or the diagnostic that says which provider block to add.
    pub fn family(&self, family: Family) -> Result<&ApiClient, Diagnostic> {
        let c = match family {
            Family::SddcManager => &self.sddc_manager,
            Family::Operations => &self.operations,
            Family::Director => &self.director,
        };
        c.as_ref().ok_or_else(|| missing(family))
    }

    pub fn sddc_manager(&self) -> Result<&ApiClient, Diagnostic> {
        self.family(Family::SddcManager)
    }

    pub fn operations(&self) -> Result<&ApiClient, Diagnostic> {
        self.family(Family::Operations)
    }

    pub fn director(&self) -> Result<&ApiClient, Diagnostic> {
        self.family(Family::Director)
    }

    /// The provider is about to make its last requests (revoking what must not outlive it,
    /// ending sessions): they are sent even though the stop signal was raised.
    pub fn closing(&self) {
        self.http.closing();
    }

    /// Ends every session (invalidates refresh tokens). Call when the provider stops; the
    /// stop signal does not cancel these requests.
    pub async fn shutdown(&self) {
        self.closing();
        for c in [&self.sddc_manager, &self.operations, &self.director]
            .into_iter()
            .flatten()
        {
            c.authenticator().shutdown().await;
        }
    }
}

fn missing(family: Family) -> Diagnostic {
    let (block, example, env) = match family {
        Family::SddcManager => (
            "sddc_manager",
            "sddc_manager { host = \"sfo-vcf01.example.com\", username = …, password = … }",
            "VCF_SDDC_MANAGER_HOST, VCF_SDDC_MANAGER_USERNAME and VCF_SDDC_MANAGER_PASSWORD",
        ),
        Family::Operations => (
            "operations",
            "operations { host = \"flt-ops01.example.com\", api_token = …, token_endpoint_url = … }",
            "VCF_OPERATIONS_HOST and VCF_OPERATIONS_API_TOKEN (or _USERNAME and _PASSWORD)",
        ),
        Family::Director => (
            "director",
            "director { host = \"vcd.example.com\", org = …, username = …, password = … }",
            "VCF_DIRECTOR_HOST and VCF_DIRECTOR_USERNAME / VCF_DIRECTOR_PASSWORD",
        ),
    };
    Diagnostic::error(
        format!("Missing {block} configuration"),
        format!(
            "This uses the {} API, but the provider has no {block} block. Add {example} to the \
             provider configuration, or set {env}.",
            family.name()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Secret;

    #[test]
    fn host_settings_become_root_urls() {
        assert_eq!(
            root_url("h.example.com", "x").expect("ok").as_str(),
            "https://h.example.com/"
        );
        assert_eq!(
            root_url("10.0.0.1:8443", "x").expect("ok").port(),
            Some(8443)
        );
        assert!(root_url("[::1]:443", "x").is_ok());
        for bad in ["", "https://h", "h/x", "u@h", "h:99999", "h h"] {
            assert!(root_url(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(path_segment("urn:vcloud:token:1"), "urn:vcloud:token:1");
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(path_segment("."), "%2E");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("..."), "...");
        assert_eq!(path_segment("a..b"), "a..b");
    }

    #[test]
    fn missing_family_names_the_block() {
        let c = Clients::new(&Config::default()).expect("clients");
        let d = c.sddc_manager().expect_err("missing");
        assert!(d.summary.contains("sddc_manager"), "{d:?}");
    }

    #[test]
    fn urls_join_base_path_and_query() {
        let cfg = Config {
            operations: Some(OperationsConfig {
                host: "ops:8443".into(),
                credentials: FleetCredentials::Password {
                    username: "u".into(),
                    password: Secret::new("p"),
                    auth_source: None,
                },
            }),
            ..Config::default()
        };
        let c = Clients::new(&cfg).expect("clients");
        let api = c.operations().expect("configured");
        let u = api.url(
            "/ssorealms/r1/api-tokens/query",
            &[("page".into(), "0".into())],
        );
        assert_eq!(
            u.as_str(),
            "https://ops:8443/suite-api/api/fleet-management/iam/ssorealms/r1/api-tokens/query?page=0"
        );
        assert_eq!(api.auth_method(), AuthMethod::Password);
        let del = reqwest::Method::DELETE;
        for id in [".", ".."] {
            let path = format!("/ssorealms/r1/api-clients/{}", path_segment(id));
            let e = api.checked_url(&del, &path, &[]).expect_err("dot segment");
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.detail().contains("sent nothing"), "{e}");
        }
        for raw in [
            "/ssorealms/r1/../x",
            "/ssorealms/%2e%2E/x",
            "/ssorealms/./x",
        ] {
            assert!(api.checked_url(&del, raw, &[]).is_err(), "{raw}");
        }
        let path = format!("/ssorealms/r1/api-clients/{}", path_segment("..."));
        let u = api
            .checked_url(&del, &path, &[])
            .expect("three dots are a name");
        assert!(u.path().ends_with("/api-clients/..."), "{u}");
    }
}
