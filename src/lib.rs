//! terraform-provider-vcf: a Terraform provider for the identity and access layer of VMware
//! Cloud Foundation 9 (API clients, role assignments, API tokens and their rotation, SDDC
//! Manager service accounts, Cloud Director API tokens).
//!
//! Layers, each depending only on those below it: `server` (go-plugin transport), `framework`
//! (protocol-agnostic plugin framework), `provider` (the VCF provider configuration and its
//! resource list).

pub mod client;
pub mod framework;
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod logging;
pub mod proto;
pub mod provider;
pub mod resources;
pub mod server;
