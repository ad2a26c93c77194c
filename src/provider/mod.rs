//! The VCF provider: its configuration schema, validation, the clients built at configure time,
//! and the list of resource, data source and ephemeral resource types.

mod endpoints;
mod model;
mod schema;
mod settings;
#[cfg(test)]
mod tests;
mod validate;

use std::sync::Arc;

use async_trait::async_trait;

use crate::client::{self, Clients, DirectorCredentials, FleetCredentials};
use crate::framework::StopToken;
use crate::framework::diag::AttributePath;
use crate::framework::{
    Action, DataSource, Diagnostics, EphemeralResource, ListResource, Model, Provider,
    ProviderData, Resource, Schema, Value,
};
use crate::resources::{self, ContextSettings, VcfContext};

pub use model::{DirectorModel, OperationsModel, ProviderModel, SddcManagerModel};
pub use schema::SOURCE_ADDRESS;
pub use settings::{Auth, DirectorSettings, Endpoint, Settings};

/// The `vcf` provider.
#[derive(Default)]
pub struct VcfProvider;

/// Environment switch for the batched token reads (see [`batched_token_reads`]).
const BATCHED_TOKEN_READS: &str = "VCF_OPERATIONS_BATCHED_TOKEN_READS";

/// Whether `vcf_api_token` refresh reads a client's tokens with one paged query (default) or
/// each token with its own GET (`VCF_OPERATIONS_BATCHED_TOKEN_READS=false`): an escape hatch
/// for an appliance whose token query misbehaves, and the baseline of the refresh benchmark.
fn batched_token_reads(value: Option<String>, diags: &mut Diagnostics) -> bool {
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            diags.warning(
                "Unrecognised environment value",
                format!("{BATCHED_TOKEN_READS} must be true or false, not {other:?}; token reads stay batched."),
            );
            true
        }
    }
}

/// Maps the merged settings to the client layer's configuration.
fn client_config(s: &Settings, diags: &mut Diagnostics) -> Option<client::Config> {
    let transport = s.transport.clone();
    let sddc_manager = s.sddc_manager.as_ref().and_then(|e| {
        let credentials = match &e.auth {
            Auth::Password {
                username, password, ..
            } => client::SddcCredentials::Password {
                username: username.clone(),
                password: password.clone(),
            },
            // sddc_manager.api_key: a SERVICE account's API key.
            Auth::ApiToken { token, .. } => client::SddcCredentials::ApiKey { key: token.clone() },
            Auth::AccessToken { .. } => return None,
        };
        Some(client::SddcConfig {
            host: e.host.clone(),
            credentials,
        })
    });
    let operations = match &s.operations {
        None => None,
        Some(e) => {
            let credentials = match &e.auth {
                Auth::Password {
                    username,
                    password,
                    auth_source,
                } => FleetCredentials::Password {
                    username: username.clone(),
                    password: password.clone(),
                    auth_source: auth_source.clone(),
                },
                Auth::AccessToken { token } => FleetCredentials::AccessToken {
                    token: token.clone(),
                },
                Auth::ApiToken {
                    token,
                    token_endpoint_url,
                } => {
                    let url = token_endpoint_url
                        .as_deref()
                        .and_then(|u| reqwest::Url::parse(u).ok());
                    let Some(url) = url else {
                        diags.attr_error(
                            AttributePath::dotted("operations.token_endpoint_url"),
                            "Missing token endpoint",
                            "operations.api_token needs operations.token_endpoint_url (or VCF_OPERATIONS_TOKEN_ENDPOINT_URL): \
                             the https:// URL shown with the token as tokenEndpointUrl.",
                        );
                        return None;
                    };
                    FleetCredentials::ApiToken {
                        token: token.clone(),
                        token_endpoint_url: url,
                    }
                }
            };
            Some(client::OperationsConfig {
                host: e.host.clone(),
                credentials,
            })
        }
    };
    let director = s.director.as_ref().and_then(|d| {
        let credentials = match &d.endpoint.auth {
            Auth::ApiToken { token, .. } => DirectorCredentials::ApiToken {
                token: token.clone(),
            },
            Auth::Password {
                username, password, ..
            } => DirectorCredentials::Password {
                username: username.clone(),
                password: password.clone(),
            },
            // Only the operations block takes an access token; settings never hold one here.
            Auth::AccessToken { .. } => return None,
        };
        Some(client::DirectorConfig {
            host: d.endpoint.host.clone(),
            org: d.org.clone(),
            credentials,
            flavor: d.flavor,
        })
    });
    Some(client::Config {
        transport,
        sddc_manager,
        operations,
        director,
    })
}

#[async_trait]
impl Provider for VcfProvider {
    fn type_name(&self) -> &'static str {
        "vcf"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        match ProviderModel::decode(config) {
            Ok(config) => validate::validate(
                &config,
                |k| std::env::var_os(k).is_some_and(|v| !v.is_empty()),
                diags,
            ),
            Err(d) => diags.push(d),
        }
    }

    async fn configure(
        &self,
        config: &Value,
        _terraform_version: &str,
        stop: &StopToken,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        if !config.is_wholly_known() {
            diags.error(
                "Provider configuration depends on unknown values",
                "The vcf provider block uses values that are only known after apply. Configure it from variables, \
                 locals or data sources that are known at plan time.",
            );
            return None;
        }
        let config = match ProviderModel::decode(config) {
            Ok(config) => config,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let settings = Settings::from_config(&config, |k| std::env::var(k).ok(), diags)?;
        let client_config = client_config(&settings, diags)?;
        let batched_token_reads =
            batched_token_reads(std::env::var(BATCHED_TOKEN_READS).ok(), diags);
        match Clients::stoppable(&client_config, stop.clone()) {
            Ok(clients) => Some(Arc::new(VcfContext::new(
                clients,
                ContextSettings {
                    default_sso_realm: settings.default_sso_realm,
                    director_org: settings.director.as_ref().and_then(|d| d.org.clone()),
                    director_username: settings.director.as_ref().and_then(|d| {
                        match &d.endpoint.auth {
                            Auth::Password { username, .. } => Some(username.clone()),
                            _ => None,
                        }
                    }),
                    batched_token_reads,
                },
            ))),
            Err(e) => {
                diags.push(e.to_diagnostic());
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        resources::registry::resources()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        resources::registry::data_sources()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        resources::registry::ephemeral_resources()
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        resources::registry::list_resources()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        resources::registry::actions()
    }

    async fn shutdown(&self, data: Option<ProviderData>) {
        if let Some(ctx) = data.as_ref().and_then(|d| d.downcast_ref::<VcfContext>()) {
            ctx.shutdown().await;
        }
    }
}
