//! The provider configuration merged with the environment: what configure builds the API
//! clients from. Configure makes no network call; a resource reports a missing block when it
//! needs one. The per-family endpoints are read in `endpoints.rs`.

use std::time::Duration;

use crate::client::TransportOptions;
use crate::framework::diag::AttributePath;
use crate::framework::duration;
use crate::framework::{Diagnostics, Number, Secret, Val};

use super::model::ProviderModel;
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

/// The environment, read for the settings the configuration leaves unset.
pub(super) struct Env<'a>(pub(super) &'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    /// The variable as it is set, empty or not.
    pub(super) fn raw(&self, name: &str) -> Option<String> {
        (self.0)(name)
    }
    /// The variable; an empty one counts as unset.
    fn var(&self, name: &str) -> Option<String> {
        self.raw(name).filter(|v| !v.is_empty())
    }
    /// The configured value, else the variable `name`.
    pub(super) fn string(&self, configured: &Val<String>, name: &str) -> Option<String> {
        configured.get().cloned().or_else(|| self.var(name))
    }
    /// The configured secret, else the variable `name`.
    pub(super) fn secret(&self, configured: &Val<Secret>, name: &str) -> Option<Secret> {
        configured
            .get()
            .cloned()
            .or_else(|| self.var(name).map(Secret::new))
    }

    /// A whole number between `min` and `max`: the configured one, else the variable
    /// `var`, else `default`. `name` is the attribute, for the error.
    fn number(
        &self,
        configured: &Val<Number>,
        name: &str,
        var: &str,
        (default, min, max): (u32, i64, i64),
        diags: &mut Diagnostics,
    ) -> u32 {
        let (raw, from_env) = match configured.get().and_then(Number::as_i64) {
            Some(n) => (Some(n), false),
            None => (
                self.raw(var)
                    .map(|s| s.trim().parse::<i64>().unwrap_or(i64::MIN)),
                true,
            ),
        };
        match raw {
            None => default,
            Some(n) if (min..=max).contains(&n) => n as u32,
            Some(_) => {
                let origin = if from_env {
                    format!(" (from {var})")
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
    }
}

impl Settings {
    /// Merges configuration and environment and checks the result; returns None on errors.
    pub fn from_config(
        config: &ProviderModel,
        env: impl Fn(&str) -> Option<String>,
        diags: &mut Diagnostics,
    ) -> Option<Settings> {
        let env = Env(&env);
        let before = diags.0.len();

        let max_retries = env.number(
            &config.max_retries,
            "max_retries",
            "VCF_MAX_RETRIES",
            (DEFAULT_MAX_RETRIES, 0, 20),
            diags,
        );
        let parallel_requests = env.number(
            &config.parallel_requests,
            "parallel_requests",
            "VCF_PARALLEL_REQUESTS",
            (DEFAULT_PARALLEL_REQUESTS, 1, 64),
            diags,
        );

        let request_timeout = match env.string(&config.request_timeout, "VCF_REQUEST_TIMEOUT") {
            None => DEFAULT_REQUEST_TIMEOUT,
            Some(s) => match duration_problem(&s) {
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
        let insecure = match config.insecure.get() {
            Some(b) => *b,
            None => match env.raw("VCF_INSECURE").as_deref().map(str::trim) {
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
        let ca_pem = env.string(&config.ca_pem, "VCF_CA_PEM");
        let ca_file = env.string(&config.ca_file, "VCF_CA_FILE");
        if ca_pem.is_some() && ca_file.is_some() {
            diags.attr_error(
                AttributePath::attr("ca_file"),
                "Conflicting configuration arguments",
                "Set only one of ca_pem and ca_file (including VCF_CA_PEM / VCF_CA_FILE).",
            );
        }

        let operations = Self::operations(&config.operations, &env, diags);
        let sddc_manager = Self::sddc_manager(&config.sddc_manager, &env, diags);
        let director = Self::director(&config.director, &env, diags);
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
            default_sso_realm: env.string(&config.default_sso_realm, "VCF_DEFAULT_SSO_REALM"),
        })
    }
}
