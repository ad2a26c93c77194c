//! terraform-provider-vcf: a Terraform provider for the identity and access layer of VMware
//! Cloud Foundation 9 (API clients, role assignments, API tokens and their rotation, SDDC
//! Manager service accounts, Cloud Director API tokens).
//!
//! Layers, each importing only those below it (`docs/dev/architecture.md`, enforced by
//! `tests/layers.rs`): `proto` (generated protocol code), `framework` (provider-agnostic plugin
//! framework), `server` (go-plugin transport), `client` (HTTP and authentication per API
//! family), `resources` (the types, their per-process context and registry), `provider` (the
//! provider configuration, wiring the rest together).

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
