//! The VCF provider: its configuration schema, validation, the clients built at configure time,
//! and the list of resource, data source and ephemeral resource types.

mod config;

use std::sync::Arc;

use async_trait::async_trait;

use crate::client::{self, Clients, DirectorCredentials, FleetCredentials};
use crate::framework::diag::AttributePath;
use crate::framework::{
    Ctx, DataSource, Diagnostics, Provider, ProviderData, Resource, Schema, Value,
};
use crate::resources;

pub use config::{Auth, DirectorSettings, Endpoint, SOURCE_ADDRESS, Settings};

/// The `vcf` provider.
#[derive(Default)]
pub struct VcfProvider;

/// What resources get from a configured provider.
#[derive(Debug)]
pub struct VcfContext {
    pub clients: Clients,
    /// Realm (name or id) for fleet IAM resources that do not name one.
    pub default_sso_realm: Option<String>,
    /// What the fleet IAM resources share within this process (locks, caches, server clock).
    pub fleet: resources::fleet::FleetState,
}

/// The configured provider context, or an error diagnostic when configure has not succeeded.
pub fn context<'a>(ctx: &'a Ctx, diags: &mut Diagnostics) -> Option<&'a VcfContext> {
    let found = ctx.data::<VcfContext>();
    if found.is_none() {
        diags.error(
            "Provider not configured",
            "The vcf provider has no usable configuration; see the errors reported for the provider block.",
        );
    }
    found
}

/// Maps the merged settings to the client layer's configuration.
fn client_config(s: &Settings, diags: &mut Diagnostics) -> Option<client::Config> {
    let transport = client::TransportOptions {
        ca_pem: s.ca_pem.clone(),
        ca_file: s.ca_file.clone(),
        insecure: s.insecure,
        request_timeout: s.request_timeout,
        max_retries: s.max_retries,
        parallel_requests: s.parallel_requests,
    };
    let sddc_manager = s.sddc_manager.as_ref().and_then(|e| match &e.auth {
        Auth::Password {
            username, password, ..
        } => Some(client::SddcConfig {
            host: e.host.clone(),
            username: username.clone(),
            password: password.clone(),
        }),
        Auth::ApiToken { .. } => None,
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
    let director = s.director.as_ref().map(|d| client::DirectorConfig {
        host: d.endpoint.host.clone(),
        org: d.org.clone(),
        credentials: match &d.endpoint.auth {
            Auth::ApiToken { token, .. } => DirectorCredentials::ApiToken {
                token: token.clone(),
            },
            Auth::Password {
                username, password, ..
            } => DirectorCredentials::Password {
                username: username.clone(),
                password: password.clone(),
            },
        },
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
        config::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        config::validate(config, diags);
    }

    async fn configure(
        &self,
        config: &Value,
        _terraform_version: &str,
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
        let settings = Settings::from_config(config, |k| std::env::var(k).ok(), diags)?;
        let client_config = client_config(&settings, diags)?;
        match Clients::new(&client_config) {
            Ok(clients) => Some(Arc::new(VcfContext {
                clients,
                default_sso_realm: settings.default_sso_realm,
                fleet: Default::default(),
            })),
            Err(e) => {
                diags.push(e.to_diagnostic());
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(resources::ApiClientResource),
            Arc::new(resources::RoleAssignment),
            Arc::new(resources::PrincipalRoles),
            Arc::new(resources::ApiToken),
            Arc::new(resources::CustomRole),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(resources::SsoRealm),
            Arc::new(resources::SsoRealms),
            Arc::new(resources::ApiClientData),
            Arc::new(resources::ApiTokens),
            Arc::new(resources::PrincipalRolesData),
            Arc::new(resources::RolesData),
        ]
    }

    async fn shutdown(&self, data: Option<ProviderData>) {
        if let Some(ctx) = data.as_ref().and_then(|d| d.downcast_ref::<VcfContext>()) {
            ctx.clients.shutdown().await;
        }
    }
}
