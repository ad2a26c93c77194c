//! Contract B, VCF Operations fleet IAM, as the fleet resources use it: every path with its
//! SEEN/ASSUMED mark in one table, the JSON shapes, realm resolution (`sso_realm_id` or the
//! provider's `default_sso_realm`, a name or an id), and the state the fleet resources share
//! inside one provider process: per-principal write locks for role assignments, the token
//! snapshot that lets one paged query serve every token read of a plan, and the server's clock.
//!
//! Correcting an ASSUMED path against a real appliance is a change to [`paths`] only; vcf-sim
//! implements the same table (the fleet module of vcf-sim).

pub mod access_token;
pub mod api_client;
pub mod api_client_data;
pub mod api_client_list;
pub mod api_clients_data;
pub mod api_token;
pub mod api_token_list;
pub mod api_token_revoke;
pub mod api_tokens_data;
pub mod custom_role;
pub mod custom_role_list;
pub mod custom_role_state;
pub mod principal_roles;
pub mod principal_roles_data;
pub mod principal_roles_list;
pub mod rmw;
pub mod role_assignment;
pub mod role_assignment_list;
pub mod role_schema;
pub mod roles_data;
pub mod settings;
pub mod sso_realm;
pub mod sso_realms;
pub mod temporary_api_token;

pub mod access;
pub mod api;
pub mod assignments;
pub mod ephemeral;
pub mod schema;
pub mod state;
pub mod token_query;

pub use access::*;
pub use api::*;
pub use schema::*;
pub use state::*;

#[cfg(test)]
mod tests;
