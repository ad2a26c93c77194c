//! The provider configuration merged with the environment: what configure builds the API
//! clients from. Configure makes no network call; a resource reports a missing block when it
//! needs one. The per-family endpoints are read in `endpoints.rs`.

use std::time::Duration;

use crate::client::TransportOptions;
use crate::framework::diag::AttributePath;
use crate::framework::duration;
use crate::framework::{Diagnostics, Secret, Value};

use super::validate::duration_problem;

pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_RETRIES: u32 = 5;
pub const DEFAULT_PARALLEL_REQUESTS: u32 = 8;

/// Credentials and address of one API family.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub auth: Auth,
}

/// How the provider authenticates to one API family.
#[derive(Debug, Clone)]
pub enum Auth {
    ApiToken {
        token: Secret,
        token_endpoint_url: Option<String>,
    },
    Password {
        username: String,
        password: Secret,
        auth_source: Option<String>,
    },
    /// A bearer given as is (`operations.access_token`); never renewed.
    AccessToken { token: Secret },
}

/// Director settings: the endpoint plus the organization.
#[derive(Debug, Clone)]
pub struct DirectorSettings {
    pub endpoint: Endpoint,
    /// None for the provider (System) organization.
    pub org: Option<String>,
    /// `director.flavor`; None for `auto`.
    pub flavor: Option<crate::client::contract::director::Flavor>,
}

/// The configuration merged with the environment, ready for building API clients.
#[derive(Debug, Clone)]
pub struct Settings {
    pub operations: Option<Endpoint>,
    pub sddc_manager: Option<Endpoint>,
    pub director: Option<DirectorSettings>,
    /// Trust, timeouts, retries and parallelism shared by every API family.
    pub transport: TransportOptions,
    pub default_sso_realm: Option<String>,
}

/// Reads one setting: the configuration's value, else the environment variable.
pub(super) struct Source<'a, E: Fn(&str) -> Option<String>> {
    pub(super) config: &'a Value,
    pub(super) env: &'a E,
}

impl<E: Fn(&str) -> Option<String>> Source<'_, E> {
    pub(super) fn string(&self, block: Option<&str>, name: &str, env: &str) -> Option<String> {
        let obj = block.map_or(self.config, |b| self.config.attr(b));
        obj.attr(name)
            .as_str()
            .map(str::to_string)
            .or_else(|| (self.env)(env).filter(|v| !v.is_empty()))
    }
}

pub(super) fn path(block: Option<&str>, name: &str) -> AttributePath {
    match block {
        Some(b) => AttributePath::attr(b).join_attr(name),
        None => AttributePath::attr(name),
    }
}

impl Settings {
    /// Merges configuration and environment and checks the result; returns None on errors.
    pub fn from_config(
        config: &Value,
        env: impl Fn(&str) -> Option<String>,
        diags: &mut Diagnostics,
    ) -> Option<Settings> {
        let src = Source { config, env: &env };
        let before = diags.0.len();

        let number = |name: &str,
                      env_name: &str,
                      default: u32,
                      min: i64,
                      max: i64,
                      diags: &mut Diagnostics|
         -> u32 {
            let v = config.attr(name);
            let (raw, from_env) = match v.as_i64() {
                Some(n) => (Some(n), false),
                None => (
                    env(env_name).map(|s| s.trim().parse::<i64>().unwrap_or(i64::MIN)),
                    true,
                ),
            };
            match raw {
                None => default,
                Some(n) if (min..=max).contains(&n) => n as u32,
                Some(_) => {
                    let origin = if from_env {
                        format!(" (from {env_name})")
                    } else {
                        String::new()
                    };
                    diags.attr_error(
                        AttributePath::attr(name),
                        "Invalid attribute value",
                        format!("{name}{origin} must be a whole number between {min} and {max}."),
                    );
                    default
                }
            }
        };
        let max_retries = number(
            "max_retries",
            "VCF_MAX_RETRIES",
            DEFAULT_MAX_RETRIES,
            0,
            20,
            diags,
        );
        let parallel_requests = number(
            "parallel_requests",
            "VCF_PARALLEL_REQUESTS",
            DEFAULT_PARALLEL_REQUESTS,
            1,
            64,
            diags,
        );

        let request_timeout = match src.string(None, "request_timeout", "VCF_REQUEST_TIMEOUT") {
            None => DEFAULT_REQUEST_TIMEOUT,
            Some(s) => match duration_problem(&Value::string(s.clone())) {
                None => duration::parse(&s).unwrap_or(DEFAULT_REQUEST_TIMEOUT),
                Some(problem) => {
                    diags.attr_error(
                        AttributePath::attr("request_timeout"),
                        "Invalid attribute value",
                        format!("request_timeout: {problem}"),
                    );
                    DEFAULT_REQUEST_TIMEOUT
                }
            },
        };
        let insecure = match config.attr("insecure").as_bool() {
            Some(b) => b,
            None => match env("VCF_INSECURE").as_deref().map(str::trim) {
                None | Some("") | Some("0") | Some("false") => false,
                Some("1") | Some("true") => true,
                Some(other) => {
                    diags.attr_error(
                        AttributePath::attr("insecure"),
                        "Invalid attribute value",
                        format!("VCF_INSECURE must be true or false, not {other:?}."),
                    );
                    false
                }
            },
        };
        if insecure {
            diags.attr_warning(
                AttributePath::attr("insecure"),
                "TLS certificate verification is off",
                "insecure = true: the provider does not check who it talks to, so credentials can be intercepted. \
                 Use ca_file or ca_pem with the appliance's CA instead.",
            );
        }
        let ca_pem = src.string(None, "ca_pem", "VCF_CA_PEM");
        let ca_file = src.string(None, "ca_file", "VCF_CA_FILE");
        if ca_pem.is_some() && ca_file.is_some() {
            diags.attr_error(
                AttributePath::attr("ca_file"),
                "Conflicting configuration arguments",
                "Set only one of ca_pem and ca_file (including VCF_CA_PEM / VCF_CA_FILE).",
            );
        }

        let operations = Self::operations(&src, diags);
        let sddc_manager = Self::sddc_manager(&src, diags);
        let director = Self::director(&src, diags);
        let has_errors = diags.0[before..]
            .iter()
            .any(|d| d.severity == crate::framework::diag::Severity::Error);
        (!has_errors).then(|| Settings {
            operations,
            sddc_manager,
            director,
            transport: TransportOptions {
                ca_pem,
                ca_file,
                insecure,
                request_timeout,
                max_retries,
                parallel_requests,
            },
            default_sso_realm: src.string(None, "default_sso_realm", "VCF_DEFAULT_SSO_REALM"),
        })
    }
}
