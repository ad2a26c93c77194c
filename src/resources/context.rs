//! The per-process context of the resources: the API clients and what the resources of one
//! provider process share. The provider builds it once, at configure time, with
//! [`VcfContext::new`]; every resource reaches it through [`context`].

use crate::client::Clients;
use crate::framework::{Ctx, Failure};

use super::SddcState;
use super::fleet::FleetState;
use super::fleet::ephemeral::OpenInstances;
use super::fleet::temporary_api_token::TemporaryToken;

/// What the provider configuration gives the resources, beside the clients.
#[derive(Debug, Default)]
pub struct ContextSettings {
    /// Realm (name or id) for fleet IAM resources that do not name one.
    pub default_sso_realm: Option<String>,
    /// The Director organization the provider logs in to (None: the provider organization).
    pub director_org: Option<String>,
    /// The Director user the provider logs in as (None with an API token).
    pub director_username: Option<String>,
    /// Token reads of one API client share one list request (the default).
    pub batched_token_reads: bool,
}

/// What resources get from a configured provider.
#[derive(Debug)]
pub struct VcfContext {
    pub clients: Clients,
    /// Realm (name or id) for fleet IAM resources that do not name one.
    pub default_sso_realm: Option<String>,
    /// The Director organization the provider logs in to (None: the provider organization).
    pub director_org: Option<String>,
    /// The Director user the provider logs in as (None with an API token): the owner of the
    /// Director API tokens it creates.
    pub director_username: Option<String>,
    /// Temporary fleet API tokens opened and not yet closed (realm id and token id): revoked at
    /// shutdown when Terraform never closed them (it skips Close after a failed apply).
    pub open_temporary_tokens: OpenInstances<TemporaryToken>,
    /// What the fleet IAM resources share within this process (locks, caches, server clock).
    pub fleet: FleetState,
    /// What `vcf_sddc_user` shares within this process (the user list refresh reads).
    pub sddc: SddcState,
}

impl VcfContext {
    pub fn new(clients: Clients, settings: ContextSettings) -> Self {
        VcfContext {
            clients,
            default_sso_realm: settings.default_sso_realm,
            director_org: settings.director_org,
            director_username: settings.director_username,
            open_temporary_tokens: Default::default(),
            fleet: FleetState::new(settings.batched_token_reads),
            sddc: SddcState::default(),
        }
    }

    /// Ends the process's remote sessions: revokes what Terraform never closed, then logs out.
    pub async fn shutdown(&self) {
        self.clients.closing();
        super::revoke_unclosed_temporary_tokens(self).await;
        self.clients.shutdown().await;
    }
}

/// The configured provider context, or the failure saying that configure has not succeeded.
pub fn vcf(ctx: &Ctx) -> Result<&VcfContext, Failure> {
    ctx.data::<VcfContext>().ok_or_else(|| {
        Failure::error(
            "Provider not configured",
            "The vcf provider has no usable configuration; see the errors reported for the provider block.",
        )
    })
}
