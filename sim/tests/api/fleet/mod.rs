//! Contract B: fleet IAM and its authentication, one file per topic.

mod assignments;
mod auth;
mod clients;
mod permissions;
mod roles;
mod seed;
mod tokens;
