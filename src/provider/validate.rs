//! Checks of the provider configuration. Validation happens twice: on the configuration alone
//! at validate time (values may be unknown; the attribute validators of the schema plus
//! [`validate`]), and on configuration merged with the environment at configure time
//! ([`Settings::from_config`](super::Settings::from_config), which reuses the checks below).

use crate::framework::diag::AttributePath;
use crate::framework::duration;
use crate::framework::{Diagnostics, Value};

use super::model::ProviderModel;

/// A check of the schema (`framework::validate::Check`) from a check of a string.
pub(super) fn of_string(value: &Value, problem: fn(&str) -> Option<String>) -> Option<String> {
    value.as_str().and_then(problem)
}

pub(super) fn host_problem(host: &str) -> Option<String> {
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

pub(super) fn duration_problem(s: &str) -> Option<String> {
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

pub(super) fn pem_problem(s: &str) -> Option<String> {
    (!s.contains("-----BEGIN CERTIFICATE-----")).then(|| {
        "expected one or more PEM certificates (-----BEGIN CERTIFICATE----- …)".to_string()
    })
}

pub(super) fn https_scheme_problem(s: &str) -> Option<String> {
    match s.strip_prefix("https://") {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => None,
        _ => Some(format!(
            "expected an https:// URL such as https://idb.example.com/acs/t/CUSTOMER/token, got {s:?}"
        )),
    }
}

/// Checks of the configuration alone that the attribute validators cannot express.
/// `env_set` tells whether an environment variable is set and not empty.
pub fn validate(config: &ProviderModel, env_set: impl Fn(&str) -> bool, diags: &mut Diagnostics) {
    if let Some(ops) = config.operations.get()
        && !ops.api_token.is_null()
        && ops.token_endpoint_url.is_null()
        && !env_set("VCF_OPERATIONS_TOKEN_ENDPOINT_URL")
    {
        diags.attr_error(
            AttributePath::dotted("operations.token_endpoint_url"),
            "Missing token endpoint",
            "operations.api_token is set, so operations.token_endpoint_url (or VCF_OPERATIONS_TOKEN_ENDPOINT_URL) must say \
             where to exchange it; it is shown with the token as tokenEndpointUrl.",
        );
    }
    if config.insecure.get() == Some(&true)
        && (!config.ca_pem.is_null() || !config.ca_file.is_null())
    {
        diags.attr_warning(
            AttributePath::attr("insecure"),
            "CA certificates are ignored",
            "insecure = true turns certificate verification off, so ca_pem / ca_file have no effect.",
        );
    }
}
