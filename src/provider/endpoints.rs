//! The settings of each API family (`operations`, `sddc_manager`, `director`): host and
//! credentials from the block's model or the environment, checked together.

use crate::framework::diag::AttributePath;
use crate::framework::validate::is_dot_segment;
use crate::framework::{Diagnostics, Secret, Val};

use super::model::{DirectorModel, FamilyBlock, OperationsModel, SddcManagerModel};
use super::settings::{Auth, DirectorSettings, Endpoint, Env, Settings};
use super::validate::{host_problem, https_scheme_problem};

/// The attribute `name` of the block `B`, where a diagnostic points.
fn path<B: FamilyBlock>(name: &str) -> AttributePath {
    AttributePath::attr(B::BLOCK).join_attr(name)
}

/// The block's fields; all null when the block is absent, so that every setting comes from
/// the environment.
fn fields<B: FamilyBlock>(block: &Val<B>) -> B {
    block.get().cloned().unwrap_or_default()
}

impl Settings {
    /// The host of a family, when its block is `present` or its host variable is set.
    fn host<B: FamilyBlock>(
        b: &B,
        present: bool,
        env: &Env<'_>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let (name, var) = (B::BLOCK, format!("{}_HOST", B::ENV));
        match env.string(b.host(), &var) {
            None if present => {
                diags.attr_error(
                    path::<B>("host"),
                    "Missing host",
                    format!("The {name} block needs a host: set {name}.host or {var}."),
                );
                None
            }
            None => None,
            Some(h) => match host_problem(&h) {
                None => Some(h),
                Some(problem) => {
                    diags.attr_error(
                        path::<B>("host"),
                        "Invalid attribute value",
                        format!("{name}.host: {problem}"),
                    );
                    None
                }
            },
        }
    }

    fn password_auth<B: FamilyBlock>(
        b: &B,
        env: &Env<'_>,
        diags: &mut Diagnostics,
    ) -> Option<(String, Secret)> {
        let (block, prefix) = (B::BLOCK, B::ENV);
        let user = env.string(b.username(), &format!("{prefix}_USERNAME"));
        let pass = env.secret(b.password(), &format!("{prefix}_PASSWORD"));
        match (user, pass) {
            (Some(u), Some(p)) => Some((u, p)),
            (Some(_), None) => {
                diags.attr_error(path::<B>("password"), "Missing password", format!("{block}.username is set, so {block}.password (or {prefix}_PASSWORD) is needed."));
                None
            }
            (None, Some(_)) => {
                diags.attr_error(path::<B>("username"), "Missing username", format!("{block}.password is set, so {block}.username (or {prefix}_USERNAME) is needed."));
                None
            }
            (None, None) => None,
        }
    }

    /// The credentials of one family: an API token (where the family has them) or a user name
    /// and password, never both. Reports a missing or half-given set on the block.
    fn credentials<B: FamilyBlock>(b: &B, env: &Env<'_>, diags: &mut Diagnostics) -> Option<Auth> {
        let (block, prefix) = (B::BLOCK, B::ENV);
        let allow_token = b.api_token().is_some();
        let token = b
            .api_token()
            .and_then(|t| env.secret(t, &format!("{prefix}_API_TOKEN")));
        let has_user = env
            .string(b.username(), &format!("{prefix}_USERNAME"))
            .is_some();
        if let Some(token) = token {
            if has_user {
                diags.attr_error(
                    path::<B>("username"),
                    "Conflicting configuration arguments",
                    format!(
                        "Set either {block}.api_token or {block}.username/password (including {prefix}_* variables), not both."
                    ),
                );
                return None;
            }
            return Some(Auth::ApiToken {
                token,
                token_endpoint_url: None,
            });
        }
        let before = diags.0.len();
        if let Some((username, password)) = Self::password_auth(b, env, diags) {
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

    pub(super) fn operations(
        block: &Val<OperationsModel>,
        env: &Env<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Endpoint> {
        let ops = fields(block);
        let host = Self::host(&ops, !block.is_null(), env, diags)?;
        if let Some(token) = ops.access_token.get() {
            return Some(Endpoint {
                host,
                auth: Auth::AccessToken {
                    token: token.clone(),
                },
            });
        }
        let mut auth = Self::credentials(&ops, env, diags)?;
        match &mut auth {
            Auth::ApiToken {
                token_endpoint_url, ..
            } => {
                *token_endpoint_url =
                    env.string(&ops.token_endpoint_url, "VCF_OPERATIONS_TOKEN_ENDPOINT_URL");
                if let Some(problem) = token_endpoint_url.as_deref().and_then(https_scheme_problem)
                {
                    diags.attr_error(
                        path::<OperationsModel>("token_endpoint_url"),
                        "Invalid attribute value",
                        problem,
                    );
                }
            }
            Auth::Password { auth_source, .. } => {
                *auth_source = env.string(&ops.auth_source, "VCF_OPERATIONS_AUTH_SOURCE");
            }
            Auth::AccessToken { .. } => {}
        }
        Some(Endpoint { host, auth })
    }

    pub(super) fn sddc_manager(
        block: &Val<SddcManagerModel>,
        env: &Env<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Endpoint> {
        let sddc = fields(block);
        let host = Self::host(&sddc, !block.is_null(), env, diags)?;
        let user = env.string(&sddc.username, "VCF_SDDC_MANAGER_USERNAME");
        let pass = env.secret(&sddc.password, "VCF_SDDC_MANAGER_PASSWORD");
        // Exactly one of password and api_key (a SERVICE account's key, POST /v1/tokens {apiKey}).
        if let Some(key) = env.secret(&sddc.api_key, "VCF_SDDC_MANAGER_API_KEY") {
            if user.is_some() || pass.is_some() {
                diags.attr_error(
                    path::<SddcManagerModel>("api_key"),
                    "Conflicting configuration arguments",
                    "Set exactly one of sddc_manager.api_key and sddc_manager.username/password (including the \
                     VCF_SDDC_MANAGER_API_KEY, VCF_SDDC_MANAGER_USERNAME and VCF_SDDC_MANAGER_PASSWORD variables).",
                );
                return None;
            }
            return Some(Endpoint {
                host,
                auth: Auth::ApiToken {
                    token: key,
                    token_endpoint_url: None,
                },
            });
        }
        if user.is_none() && pass.is_none() {
            diags.attr_error(
                AttributePath::attr(SddcManagerModel::BLOCK),
                "Missing credentials",
                "The sddc_manager block needs username and password (or VCF_SDDC_MANAGER_USERNAME and \
                 VCF_SDDC_MANAGER_PASSWORD), or the api_key of a SERVICE account (or VCF_SDDC_MANAGER_API_KEY).",
            );
            return None;
        }
        let auth = Self::credentials(&sddc, env, diags)?;
        Some(Endpoint { host, auth })
    }

    pub(super) fn director(
        block: &Val<DirectorModel>,
        env: &Env<'_>,
        diags: &mut Diagnostics,
    ) -> Option<DirectorSettings> {
        let director = fields(block);
        let host = Self::host(&director, !block.is_null(), env, diags)?;
        let org = env
            .string(&director.org, "VCF_DIRECTOR_ORG")
            .filter(|o| !o.eq_ignore_ascii_case("system"));
        use crate::client::contract::director::Flavor;
        let flavor = match env
            .string(&director.flavor, "VCF_DIRECTOR_FLAVOR")
            .as_deref()
        {
            None | Some("auto") => None,
            Some("cloud_director") => Some(Flavor::CloudDirector),
            Some("vcf_automation") => Some(Flavor::VcfAutomation),
            Some(other) => {
                diags.attr_error(
                    path::<DirectorModel>("flavor"),
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
                path::<DirectorModel>("org"),
                "Invalid attribute value",
                format!(
                    "director.org (or VCF_DIRECTOR_ORG) must not be `.` or `..`, got {o:?}: it is a \
                     segment of the login URL."
                ),
            );
            return None;
        }
        let auth = Self::credentials(&director, env, diags)?;
        Some(DirectorSettings {
            endpoint: Endpoint { host, auth },
            org,
            flavor,
        })
    }
}
