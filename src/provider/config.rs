//! The provider configuration: one optional block per API family (`operations`,
//! `sddc_manager`, `director`) plus settings shared by all, each with an environment-variable
//! fallback. Validation happens twice: on the configuration alone at validate time (values may
//! be unknown), and on configuration merged with the environment at configure time. Configure
//! makes no network call; a resource reports a missing block when it needs one.

use std::time::Duration;

use crate::client::TransportOptions;
use crate::framework::diag::AttributePath;
use crate::framework::duration;
use crate::framework::validate::{
    AlsoRequires, Check, ConflictsWith, IntBetween, Length, OneOf, PathSegment, is_dot_segment,
};
use crate::framework::{Attribute, Block, Diagnostics, Nesting, Schema, Secret, Value};

/// Where Terraform finds this provider until it is published.
pub const SOURCE_ADDRESS: &str = "local/vmware/vcf";

pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_RETRIES: u32 = 5;
pub const DEFAULT_PARALLEL_REQUESTS: u32 = 8;

/// The values of `director.flavor`.
pub const DIRECTOR_FLAVORS: [&str; 3] = ["auto", "cloud_director", "vcf_automation"];

fn host_problem(v: &Value) -> Option<String> {
    let host = v.as_str()?;
    if host.contains("://") {
        return Some(format!(
            "expected a host name or address with an optional port, without a scheme, got {host:?}; write {:?}",
            host.split("://").nth(1).unwrap_or("").trim_end_matches('/')
        ));
    }
    if host.contains('/') || host.contains('?') || host.contains('#') {
        return Some(format!(
            "expected a host name or address with an optional port, without a path, got {host:?}"
        ));
    }
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '@') {
        return Some(format!(
            "expected a host name or address with an optional port, got {host:?}"
        ));
    }
    if let Some((_, port)) = host.rsplit_once(':')
        && !host.ends_with(']')
        && !host.starts_with('[')
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Some(format!(
            "the port in {host:?} must be a number from 1 to 65535"
        ));
    }
    None
}

fn duration_problem(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    match duration::parse(s) {
        Ok(d) if d.is_zero() => {
            Some("expected a positive duration such as \"60s\" or \"2m\"".into())
        }
        Ok(_) => None,
        Err(e) => Some(format!(
            "{e}; expected a duration such as \"60s\" or \"2m\""
        )),
    }
}

fn pem_problem(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    (!s.contains("-----BEGIN CERTIFICATE-----")).then(|| {
        "expected one or more PEM certificates (-----BEGIN CERTIFICATE----- …)".to_string()
    })
}

fn https_scheme_problem(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    match s.strip_prefix("https://") {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => None,
        _ => Some(format!(
            "expected an https:// URL such as https://idb.example.com/acs/t/CUSTOMER/token, got {s:?}"
        )),
    }
}

fn host_attr(env: &str, what: &str) -> Attribute {
    Attribute::string("host")
        .optional()
        .description(&format!(
            "Host name or address of {what}, with an optional `:port` and without `https://` or a path. \
             Falls back to the `{env}` environment variable."
        ))
        .validator(Check::new("must be a host name with an optional port, without scheme or path", host_problem))
}

fn operations_block() -> Block {
    Block::new(
        "Connection to the VCF Operations fleet IAM API (API clients, role assignments, API tokens). \
         Authenticate with an API-client token (`api_token`, preferred) or with `username` and `password`.",
    )
    .attribute(host_attr("VCF_OPERATIONS_HOST", "the VCF Operations appliance, for example `flt-ops01.rainpole.io`"))
    .attribute(
        Attribute::string("api_token")
            .optional()
            .sensitive()
            .description(
                "An API-client token (`vidb_…`) exchanged for short-lived access tokens at `token_endpoint_url`. \
                 Conflicts with `username`. Falls back to `VCF_OPERATIONS_API_TOKEN`.",
            )
            .validator(ConflictsWith::new(&["username"])),
    )
    .attribute(
        Attribute::string("access_token")
            .optional()
            .sensitive()
            .description(
                "An access token obtained elsewhere, sent as the bearer as is — typically `ephemeral.vcf_access_token.<name>.access_token` of another provider configuration, so that no credential of this one is stored anywhere. The provider cannot renew it: it must stay valid for the whole run. Conflicts with `api_token` and `username`.",
            )
            .validator(ConflictsWith::new(&["api_token", "username"])),
    )
    .attribute(
        Attribute::string("username")
            .optional()
            .description("User name for password authentication. Falls back to `VCF_OPERATIONS_USERNAME`.")
            .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_OPERATIONS_PASSWORD"])),
    )
    .attribute(
        Attribute::string("password")
            .optional()
            .sensitive()
            .description("Password for `username`. Falls back to `VCF_OPERATIONS_PASSWORD`.")
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_OPERATIONS_USERNAME"])),
    )
    .attribute(
        Attribute::string("auth_source")
            .optional()
            .description(
                "Authentication source of `username` (for example an identity source name); the appliance's \
                 local users when unset. Falls back to `VCF_OPERATIONS_AUTH_SOURCE`.",
            )
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_OPERATIONS_USERNAME"])),
    )
    .attribute(
        Attribute::string("token_endpoint_url")
            .optional()
            .description(
                "The token endpoint where `api_token` is exchanged, as shown with the token \
                 (`https://<identity broker>/acs/t/CUSTOMER/token`). Falls back to \
                 `VCF_OPERATIONS_TOKEN_ENDPOINT_URL`; required with `api_token`.",
            )
            .validator(Check::new("must be an https:// URL", https_scheme_problem)),
    )
}

fn sddc_manager_block() -> Block {
    Block::new(
        "Connection to the SDDC Manager API (service accounts and users). Authenticate with `username` and `password`, \
         or with the `api_key` of a SERVICE account; set exactly one of `password` and `api_key`. User management \
         needs the ADMIN role.",
    )
        .attribute(host_attr("VCF_SDDC_MANAGER_HOST", "the SDDC Manager appliance, for example `sfo-vcf01.rainpole.io`"))
        .attribute(
            Attribute::string("username")
                .optional()
                .description("SDDC Manager user, for example `administrator@vsphere.local`. Falls back to `VCF_SDDC_MANAGER_USERNAME`.")
                .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_SDDC_MANAGER_PASSWORD"])),
        )
        .attribute(
            Attribute::string("password")
                .optional()
                .sensitive()
                .description("Password of `username`. Falls back to `VCF_SDDC_MANAGER_PASSWORD`.")
                .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_SDDC_MANAGER_USERNAME"])),
        )
        .attribute(
            Attribute::string("api_key")
                .optional()
                .sensitive()
                .description(
                    "API key of an SDDC Manager SERVICE account (for example the `api_key` of a `vcf_sddc_user` of type \
                     `SERVICE`), exchanged for tokens with `POST /v1/tokens`. The account's role decides what the provider \
                     may do. Conflicts with `username` and `password`. Falls back to `VCF_SDDC_MANAGER_API_KEY`.",
                )
                .validator(ConflictsWith::new(&["username", "password"]))
                .validator(Length::at_least(1)),
        )
}

fn director_block() -> Block {
    Block::new(
        "Connection to VMware Cloud Director / VCF Automation for tenant API tokens. Creating API tokens needs a \
         session opened with `username` and `password`: sessions opened with an API token cannot create or view tokens.",
    )
    .attribute(host_attr("VCF_DIRECTOR_HOST", "the Cloud Director / VCF Automation endpoint"))
    .attribute(
        Attribute::string("flavor")
            .optional()
            .description(
                "Which product answers at `host`: `cloud_director` (VMware Cloud Director 10.x: OAuth under `/oauth`, \
                 API version 39.1), `vcf_automation` (VCF Automation 9.x: OAuth under `/tm/oauth`, API version 9.1.0), \
                 or `auto` (the default: the first login reads the unauthenticated `GET /api/versions` and picks the \
                 product from the versions it lists). Falls back to `VCF_DIRECTOR_FLAVOR`.",
            )
            .validator(OneOf::new(&DIRECTOR_FLAVORS)),
    )
    .attribute(
        Attribute::string("org")
            .validator(PathSegment)
            .optional()
            .description("Organization to log in to; `System` (or unset) for the provider organization. Falls back to `VCF_DIRECTOR_ORG`.")
            .validator(Length::at_least(1)),
    )
    .attribute(
        Attribute::string("api_token")
            .optional()
            .sensitive()
            .description("A Director API token (refresh token). Conflicts with `username`. Falls back to `VCF_DIRECTOR_API_TOKEN`.")
            .validator(ConflictsWith::new(&["username"])),
    )
    .attribute(
        Attribute::string("username")
            .optional()
            .description("User name for session login. Falls back to `VCF_DIRECTOR_USERNAME`.")
            .validator(AlsoRequires::new(&["password"]).or_env(&["VCF_DIRECTOR_PASSWORD"])),
    )
    .attribute(
        Attribute::string("password")
            .optional()
            .sensitive()
            .description("Password of `username`. Falls back to `VCF_DIRECTOR_PASSWORD`.")
            .validator(AlsoRequires::new(&["username"]).or_env(&["VCF_DIRECTOR_USERNAME"])),
    )
}

/// The provider configuration schema.
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The `vcf` provider manages the identity and access layer of VMware Cloud Foundation 9: API clients, \
             role assignments, custom roles and rotating API tokens (fleet IAM), SDDC Manager service accounts, and \
             Cloud Director / VCF Automation API tokens. Configure only the blocks for the APIs you use; every setting \
             can also come from an environment variable.",
        )
        .attribute(
            Attribute::string("ca_pem")
                .optional()
                .description("PEM-encoded CA certificates to trust in addition to the system roots. Conflicts with `ca_file`. Falls back to `VCF_CA_PEM`.")
                .validator(ConflictsWith::new(&["ca_file"]))
                .validator(Check::new("must hold PEM certificates", pem_problem)),
        )
        .attribute(
            Attribute::string("ca_file")
                .optional()
                .description("Path of a PEM file with CA certificates to trust in addition to the system roots. Falls back to `VCF_CA_FILE`.")
                .validator(Length::at_least(1)),
        )
        .attribute(Attribute::bool("insecure").optional().description(
            "Skip TLS certificate verification. Only for throw-away lab appliances: anyone on the network path can then \
             read the credentials. Defaults to `false`; falls back to `VCF_INSECURE`.",
        ))
        .attribute(
            Attribute::string("request_timeout")
                .optional()
                .description("Time limit for one HTTP request, as a duration such as `\"60s\"`. Defaults to `\"60s\"`; falls back to `VCF_REQUEST_TIMEOUT`.")
                .validator(Check::new("must be a positive duration", duration_problem)),
        )
        .attribute(
            Attribute::number("max_retries")
                .optional()
                .description("How often an idempotent request is retried after a throttling, server or connection error (0–20). Defaults to 5; falls back to `VCF_MAX_RETRIES`.")
                .validator(IntBetween(0, 20)),
        )
        .attribute(
            Attribute::number("parallel_requests")
                .optional()
                .description("Most HTTP requests in flight at once across all resources (1–64), so a large apply does not flood an appliance. Defaults to 8; falls back to `VCF_PARALLEL_REQUESTS`.")
                .validator(IntBetween(1, 64)),
        )
        .attribute(
            Attribute::string("default_sso_realm")
                .optional()
                .description("SSO realm (name or id) used by fleet IAM resources that do not set `sso_realm_id`. Falls back to `VCF_DEFAULT_SSO_REALM`.")
                .validator(Length::at_least(1)),
        )
        .block("operations", Nesting::Single, operations_block())
        .block("sddc_manager", Nesting::Single, sddc_manager_block())
        .block("director", Nesting::Single, director_block()),
    )
}

/// Checks of the configuration alone that the attribute validators cannot express.
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let ops = config.attr("operations");
    if !ops.attr("api_token").is_null()
        && ops.attr("token_endpoint_url").is_null()
        && std::env::var_os("VCF_OPERATIONS_TOKEN_ENDPOINT_URL").is_none_or(|v| v.is_empty())
    {
        diags.attr_error(
            AttributePath::dotted("operations.token_endpoint_url"),
            "Missing token endpoint",
            "operations.api_token is set, so operations.token_endpoint_url (or VCF_OPERATIONS_TOKEN_ENDPOINT_URL) must say \
             where to exchange it; it is shown with the token as tokenEndpointUrl.",
        );
    }
    if config.attr("insecure").as_bool() == Some(true)
        && (!config.attr("ca_pem").is_null() || !config.attr("ca_file").is_null())
    {
        diags.attr_warning(
            AttributePath::attr("insecure"),
            "CA certificates are ignored",
            "insecure = true turns certificate verification off, so ca_pem / ca_file have no effect.",
        );
    }
}

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
struct Source<'a, E: Fn(&str) -> Option<String>> {
    config: &'a Value,
    env: &'a E,
}

impl<E: Fn(&str) -> Option<String>> Source<'_, E> {
    fn string(&self, block: Option<&str>, name: &str, env: &str) -> Option<String> {
        let obj = block.map_or(self.config, |b| self.config.attr(b));
        obj.attr(name)
            .as_str()
            .map(str::to_string)
            .or_else(|| (self.env)(env).filter(|v| !v.is_empty()))
    }
}

fn path(block: Option<&str>, name: &str) -> AttributePath {
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

    /// The host of a family, when its block is present or its host variable is set.
    fn host<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        block: &str,
        env: &str,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let present = !src.config.attr(block).is_null();
        let host = src.string(Some(block), "host", env);
        match host {
            None if present => {
                diags.attr_error(
                    path(Some(block), "host"),
                    "Missing host",
                    format!("The {block} block needs a host: set {block}.host or {env}."),
                );
                None
            }
            None => None,
            Some(h) => match host_problem(&Value::string(h.clone())) {
                None => Some(h),
                Some(problem) => {
                    diags.attr_error(
                        path(Some(block), "host"),
                        "Invalid attribute value",
                        format!("{block}.host: {problem}"),
                    );
                    None
                }
            },
        }
    }

    fn password_auth<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        block: &str,
        prefix: &str,
        diags: &mut Diagnostics,
    ) -> Option<(String, Secret)> {
        let user = src.string(Some(block), "username", &format!("{prefix}_USERNAME"));
        let pass = src.string(Some(block), "password", &format!("{prefix}_PASSWORD"));
        match (user, pass) {
            (Some(u), Some(p)) => Some((u, Secret::new(p))),
            (Some(_), None) => {
                diags.attr_error(path(Some(block), "password"), "Missing password", format!("{block}.username is set, so {block}.password (or {prefix}_PASSWORD) is needed."));
                None
            }
            (None, Some(_)) => {
                diags.attr_error(path(Some(block), "username"), "Missing username", format!("{block}.password is set, so {block}.username (or {prefix}_USERNAME) is needed."));
                None
            }
            (None, None) => None,
        }
    }

    /// The credentials of one family: an API token (where the family has them) or a user name
    /// and password, never both. Reports a missing or half-given set on the block.
    fn credentials<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        block: &str,
        prefix: &str,
        allow_token: bool,
        diags: &mut Diagnostics,
    ) -> Option<Auth> {
        let token = allow_token
            .then(|| src.string(Some(block), "api_token", &format!("{prefix}_API_TOKEN")))
            .flatten();
        let has_user = src
            .string(Some(block), "username", &format!("{prefix}_USERNAME"))
            .is_some();
        if let Some(t) = token {
            if has_user {
                diags.attr_error(
                    path(Some(block), "username"),
                    "Conflicting configuration arguments",
                    format!(
                        "Set either {block}.api_token or {block}.username/password (including {prefix}_* variables), not both."
                    ),
                );
                return None;
            }
            return Some(Auth::ApiToken {
                token: Secret::new(t),
                token_endpoint_url: None,
            });
        }
        let before = diags.0.len();
        if let Some((username, password)) = Self::password_auth(src, block, prefix, diags) {
            return Some(Auth::Password {
                username,
                password,
                auth_source: None,
            });
        }
        if diags.0.len() == before {
            let token_hint = if allow_token {
                format!(
                    "api_token or username and password (or {prefix}_API_TOKEN, or {prefix}_USERNAME and {prefix}_PASSWORD)"
                )
            } else {
                format!("username and password (or {prefix}_USERNAME and {prefix}_PASSWORD)")
            };
            diags.attr_error(
                AttributePath::attr(block),
                "Missing credentials",
                format!("The {block} block needs {token_hint}."),
            );
        }
        None
    }

    fn operations<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        diags: &mut Diagnostics,
    ) -> Option<Endpoint> {
        let host = Self::host(src, "operations", "VCF_OPERATIONS_HOST", diags)?;
        if let Some(token) = src.config.attr("operations").attr("access_token").as_str() {
            return Some(Endpoint {
                host,
                auth: Auth::AccessToken {
                    token: Secret::new(token),
                },
            });
        }
        let mut auth = Self::credentials(src, "operations", "VCF_OPERATIONS", true, diags)?;
        match &mut auth {
            Auth::ApiToken {
                token_endpoint_url, ..
            } => {
                *token_endpoint_url = src.string(
                    Some("operations"),
                    "token_endpoint_url",
                    "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
                );
                if let Some(u) = token_endpoint_url.as_ref()
                    && let Some(problem) = https_scheme_problem(&Value::string(u.clone()))
                {
                    diags.attr_error(
                        AttributePath::dotted("operations.token_endpoint_url"),
                        "Invalid attribute value",
                        problem,
                    );
                }
            }
            Auth::Password { auth_source, .. } => {
                *auth_source = src.string(
                    Some("operations"),
                    "auth_source",
                    "VCF_OPERATIONS_AUTH_SOURCE",
                );
            }
            Auth::AccessToken { .. } => {}
        }
        Some(Endpoint { host, auth })
    }

    fn sddc_manager<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        diags: &mut Diagnostics,
    ) -> Option<Endpoint> {
        const B: &str = "sddc_manager";
        let host = Self::host(src, B, "VCF_SDDC_MANAGER_HOST", diags)?;
        let user = src.string(Some(B), "username", "VCF_SDDC_MANAGER_USERNAME");
        let pass = src.string(Some(B), "password", "VCF_SDDC_MANAGER_PASSWORD");
        // Exactly one of password and api_key (a SERVICE account's key, POST /v1/tokens {apiKey}).
        if let Some(key) = src.string(Some(B), "api_key", "VCF_SDDC_MANAGER_API_KEY") {
            if user.is_some() || pass.is_some() {
                diags.attr_error(
                    path(Some(B), "api_key"),
                    "Conflicting configuration arguments",
                    "Set exactly one of sddc_manager.api_key and sddc_manager.username/password (including the \
                     VCF_SDDC_MANAGER_API_KEY, VCF_SDDC_MANAGER_USERNAME and VCF_SDDC_MANAGER_PASSWORD variables).",
                );
                return None;
            }
            return Some(Endpoint {
                host,
                auth: Auth::ApiToken {
                    token: Secret::new(key),
                    token_endpoint_url: None,
                },
            });
        }
        if user.is_none() && pass.is_none() {
            diags.attr_error(
                AttributePath::attr(B),
                "Missing credentials",
                "The sddc_manager block needs username and password (or VCF_SDDC_MANAGER_USERNAME and \
                 VCF_SDDC_MANAGER_PASSWORD), or the api_key of a SERVICE account (or VCF_SDDC_MANAGER_API_KEY).",
            );
            return None;
        }
        let auth = Self::credentials(src, B, "VCF_SDDC_MANAGER", false, diags)?;
        Some(Endpoint { host, auth })
    }

    fn director<E: Fn(&str) -> Option<String>>(
        src: &Source<'_, E>,
        diags: &mut Diagnostics,
    ) -> Option<DirectorSettings> {
        let host = Self::host(src, "director", "VCF_DIRECTOR_HOST", diags)?;
        let org = src
            .string(Some("director"), "org", "VCF_DIRECTOR_ORG")
            .filter(|o| !o.eq_ignore_ascii_case("system"));
        use crate::client::contract::director::Flavor;
        let flavor = match src
            .string(Some("director"), "flavor", "VCF_DIRECTOR_FLAVOR")
            .as_deref()
        {
            None | Some("auto") => None,
            Some("cloud_director") => Some(Flavor::CloudDirector),
            Some("vcf_automation") => Some(Flavor::VcfAutomation),
            Some(other) => {
                diags.attr_error(
                    AttributePath::dotted("director.flavor"),
                    "Invalid attribute value",
                    format!(
                        "director.flavor (or VCF_DIRECTOR_FLAVOR) must be one of auto, cloud_director, \
                         vcf_automation; got {other:?}."
                    ),
                );
                return None;
            }
        };
        // The organization is a segment of the token URL (also when it comes from the variable).
        if let Some(o) = org.as_deref().filter(|o| is_dot_segment(o)) {
            diags.attr_error(
                path(Some("director"), "org"),
                "Invalid attribute value",
                format!(
                    "director.org (or VCF_DIRECTOR_ORG) must not be `.` or `..`, got {o:?}: it is a \
                     segment of the login URL."
                ),
            );
            return None;
        }
        let auth = Self::credentials(src, "director", "VCF_DIRECTOR", true, diags)?;
        Some(DirectorSettings {
            endpoint: Endpoint { host, auth },
            org,
            flavor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Type;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let Type::Object(attrs) = schema().value_type() else {
            unreachable!()
        };
        let mut v = Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect());
        for (k, val) in pairs {
            v.set_attr(k, val.clone());
        }
        v
    }

    fn validate_all(v: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        schema().block.validate(v, &AttributePath::root(), &mut d);
        validate(v, &mut d);
        d
    }

    fn error_paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .filter(|x| x.severity == crate::framework::diag::Severity::Error)
            .map(|x| {
                x.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn host_rules() {
        for ok in [
            "flt-ops01.rainpole.io",
            "10.0.0.1:8443",
            "[::1]:443",
            "localhost",
        ] {
            assert_eq!(host_problem(&ok.into()), None, "{ok}");
        }
        for bad in [
            "https://x.example.com",
            "x.example.com/api",
            "x:0",
            "x:abc",
            "a b",
            "user@x",
        ] {
            assert!(host_problem(&bad.into()).is_some(), "{bad}");
        }
        let msg = host_problem(&"https://ops.example.com/".into()).unwrap();
        assert!(msg.contains("\"ops.example.com\""), "{msg}");
    }

    #[test]
    fn validation_points_at_the_attribute() {
        let ops = |pairs: &[(&str, Value)]| {
            Value::object(pairs.iter().cloned().map(|(k, v)| (k.to_string(), v)))
        };
        let cases: Vec<(Value, &str)> = vec![
            (
                config(&[(
                    "operations",
                    ops(&[
                        ("api_token", "t".into()),
                        ("username", "u".into()),
                        ("password", "p".into()),
                        ("token_endpoint_url", "https://i/t".into()),
                    ]),
                )]),
                "operations.api_token",
            ),
            (
                config(&[("operations", ops(&[("host", "https://ops".into())]))]),
                "operations.host",
            ),
            (
                config(&[("sddc_manager", ops(&[("host", "sddc/api".into())]))]),
                "sddc_manager.host",
            ),
            (
                config(&[
                    ("ca_pem", "-----BEGIN CERTIFICATE-----".into()),
                    ("ca_file", "/x".into()),
                ]),
                "ca_pem",
            ),
            (
                config(&[("request_timeout", "soon".into())]),
                "request_timeout",
            ),
            (
                config(&[("parallel_requests", 0.into())]),
                "parallel_requests",
            ),
            (config(&[("max_retries", 21.into())]), "max_retries"),
            (
                config(&[("operations", ops(&[("api_token", "t".into())]))]),
                "operations.token_endpoint_url",
            ),
            (
                config(&[(
                    "operations",
                    ops(&[("token_endpoint_url", "http://i/t".into())]),
                )]),
                "operations.token_endpoint_url",
            ),
            (
                config(&[("director", ops(&[("username", "u".into())]))]),
                "director.username",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(
                error_paths(&validate_all(&v)),
                vec![want.to_string()],
                "case {want}"
            );
        }
        // Unknown values are accepted at validate time.
        let v = config(&[(
            "operations",
            ops(&[
                ("host", Value::Unknown),
                ("api_token", Value::Unknown),
                ("token_endpoint_url", Value::Unknown),
            ]),
        )]);
        assert!(validate_all(&v).is_empty());
    }

    #[test]
    fn configure_merges_environment_and_keeps_secrets_secret() {
        let env = |k: &str| match k {
            "VCF_OPERATIONS_HOST" => Some("ops.example.com".to_string()),
            "VCF_OPERATIONS_API_TOKEN" => Some("vidb_secret_value".to_string()),
            "VCF_OPERATIONS_TOKEN_ENDPOINT_URL" => {
                Some("https://idb/acs/t/CUSTOMER/token".to_string())
            }
            "VCF_PARALLEL_REQUESTS" => Some("16".to_string()),
            _ => None,
        };
        let mut d = Diagnostics::new();
        let s = Settings::from_config(&config(&[]), env, &mut d).unwrap();
        assert!(d.is_empty(), "{d:?}");
        let ops = s.operations.as_ref().unwrap();
        assert_eq!(ops.host, "ops.example.com");
        assert_eq!(s.transport.parallel_requests, 16);
        assert_eq!(s.transport.request_timeout, DEFAULT_REQUEST_TIMEOUT);
        assert!(s.sddc_manager.is_none() && s.director.is_none());
        let printed = format!("{s:?}");
        assert!(!printed.contains("vidb_secret_value"), "{printed}");
    }

    #[test]
    fn configure_reports_missing_pieces_on_the_block() {
        let mut d = Diagnostics::new();
        let v = config(&[(
            "sddc_manager",
            Value::object([
                ("host", Value::from("sddc")),
                ("username", Value::Null),
                ("password", Value::Null),
            ]),
        )]);
        assert!(Settings::from_config(&v, |_| None, &mut d).is_none());
        assert_eq!(error_paths(&d), vec!["sddc_manager"]);
        let mut d = Diagnostics::new();
        assert!(
            Settings::from_config(
                &config(&[]),
                |k| (k == "VCF_MAX_RETRIES").then(|| "lots".into()),
                &mut d
            )
            .is_none()
        );
        assert_eq!(error_paths(&d), vec!["max_retries"]);
    }

    #[test]
    fn sddc_manager_takes_exactly_one_of_password_and_api_key() {
        let block = |pairs: &[(&str, Value)]| {
            let mut b = Value::object(
                ["host", "username", "password", "api_key"]
                    .iter()
                    .map(|k| (k.to_string(), Value::Null)),
            );
            for (k, v) in pairs {
                b.set_attr(k, v.clone());
            }
            config(&[("sddc_manager", b)])
        };
        // The api key alone: an API-key login, never printed.
        let v = block(&[("host", "sddc".into()), ("api_key", "key-0f3b9c".into())]);
        assert!(validate_all(&v).is_empty());
        let mut d = Diagnostics::new();
        let s = Settings::from_config(&v, |_| None, &mut d).expect("settings");
        assert!(d.is_empty(), "{d:?}");
        let e = s.sddc_manager.as_ref().expect("sddc");
        assert!(matches!(&e.auth, Auth::ApiToken { token, .. } if token.expose() == "key-0f3b9c"));
        assert!(!format!("{s:?}").contains("key-0f3b9c"));
        // From the environment too.
        let env = |k: &str| match k {
            "VCF_SDDC_MANAGER_HOST" => Some("sddc".to_string()),
            "VCF_SDDC_MANAGER_API_KEY" => Some("env-key".to_string()),
            _ => None,
        };
        let mut d = Diagnostics::new();
        let s = Settings::from_config(&config(&[]), env, &mut d).expect("settings");
        assert!(
            matches!(&s.sddc_manager.expect("sddc").auth, Auth::ApiToken { token, .. } if token.expose() == "env-key")
        );
        // Both: at validate time and at configure time, on sddc_manager.api_key.
        let both = block(&[
            ("host", "sddc".into()),
            ("username", "u".into()),
            ("password", "p".into()),
            ("api_key", "k".into()),
        ]);
        let mut paths = error_paths(&validate_all(&both));
        paths.dedup();
        assert_eq!(paths, vec!["sddc_manager.api_key"]);
        let mut d = Diagnostics::new();
        assert!(Settings::from_config(&both, |_| None, &mut d).is_none());
        assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
        let env_user = |k: &str| (k == "VCF_SDDC_MANAGER_PASSWORD").then(|| "p".to_string());
        let key_only = block(&[("host", "sddc".into()), ("api_key", "k".into())]);
        let mut d = Diagnostics::new();
        assert!(Settings::from_config(&key_only, env_user, &mut d).is_none());
        assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
        // Neither: on the block, naming both ways.
        let mut d = Diagnostics::new();
        assert!(
            Settings::from_config(&block(&[("host", "sddc".into())]), |_| None, &mut d).is_none()
        );
        assert_eq!(error_paths(&d), vec!["sddc_manager"]);
        assert!(format!("{d:?}").contains("api_key"), "{d:?}");
        // An empty key is refused on the attribute.
        let empty = block(&[("host", "sddc".into()), ("api_key", "".into())]);
        assert_eq!(
            error_paths(&validate_all(&empty)),
            vec!["sddc_manager.api_key"]
        );
    }

    #[test]
    fn director_flavor_is_checked_on_the_attribute() {
        let block = |flavor: Value| {
            config(&[(
                "director",
                Value::object([
                    ("host", Value::from("vcfa")),
                    ("flavor", flavor),
                    ("org", Value::from("acme")),
                    ("api_token", Value::from("t0k3n")),
                    ("username", Value::Null),
                    ("password", Value::Null),
                ]),
            )])
        };
        assert_eq!(
            error_paths(&validate_all(&block(Value::from("vcd")))),
            vec!["director.flavor"]
        );
        use crate::client::contract::director::Flavor;
        for (value, want) in [
            ("vcf_automation", Some(Flavor::VcfAutomation)),
            ("cloud_director", Some(Flavor::CloudDirector)),
            ("auto", None),
        ] {
            let mut d = Diagnostics::new();
            let s = Settings::from_config(&block(Value::from(value)), |_| None, &mut d)
                .expect("settings");
            assert_eq!(s.director.expect("director").flavor, want, "{value}");
        }
        // From the environment, checked on the same attribute.
        let mut d = Diagnostics::new();
        let env = |k: &str| (k == "VCF_DIRECTOR_FLAVOR").then(|| "vcd".to_string());
        assert!(Settings::from_config(&block(Value::Null), env, &mut d).is_none());
        assert_eq!(error_paths(&d), vec!["director.flavor"]);
    }

    #[test]
    fn operations_access_token_is_used_as_is_and_never_printed() {
        let v = config(&[(
            "operations",
            Value::object([
                ("host", Value::from("ops")),
                ("access_token", Value::from("eyJhbGciOiJIUzI1NiJ9.e30.sig")),
                ("api_token", Value::Null),
                ("username", Value::Null),
                ("password", Value::Null),
                ("auth_source", Value::Null),
                ("token_endpoint_url", Value::Null),
            ]),
        )]);
        let mut d = Diagnostics::new();
        let s = Settings::from_config(&v, |_| None, &mut d).unwrap();
        assert!(d.is_empty(), "{d:?}");
        let ops = s.operations.as_ref().unwrap();
        assert!(
            matches!(&ops.auth, Auth::AccessToken { token } if token.expose().starts_with("eyJ"))
        );
        assert!(!format!("{s:?}").contains("eyJ"));
        let mut both = v.clone();
        if let Some(o) = both.attr_mut("operations") {
            o.set_attr("api_token", Value::from("vidb_x"));
        }
        let errors = error_paths(&validate_all(&both));
        assert!(
            errors.contains(&"operations.access_token".to_string()),
            "{errors:?}"
        );
    }
}
