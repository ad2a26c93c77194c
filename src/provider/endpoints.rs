//! The settings of each API family (`operations`, `sddc_manager`, `director`): host and
//! credentials from the block or the environment, checked together.

use crate::framework::diag::AttributePath;
use crate::framework::validate::is_dot_segment;
use crate::framework::{Diagnostics, Secret, Value};

use super::settings::{Auth, DirectorSettings, Endpoint, Settings, Source, path};
use super::validate::{host_problem, https_scheme_problem};

impl Settings {
    /// The host of a family, when its block is present or its host variable is set.
    pub(super) fn host<E: Fn(&str) -> Option<String>>(
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

    pub(super) fn password_auth<E: Fn(&str) -> Option<String>>(
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
    pub(super) fn credentials<E: Fn(&str) -> Option<String>>(
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

    pub(super) fn operations<E: Fn(&str) -> Option<String>>(
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

    pub(super) fn sddc_manager<E: Fn(&str) -> Option<String>>(
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

    pub(super) fn director<E: Fn(&str) -> Option<String>>(
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
