//! The SDDC Manager family: user management (`docs/dev/api-contract.md` § A). [`api`] holds
//! the paths, the wire types and what the types share; each type has its own file.

mod api;
mod roles_data;
mod user;
mod user_exists;
mod user_list;
mod user_moved;

pub use api::SddcState;
pub use roles_data::SddcRoles;
pub use user::SddcUser;
#[cfg(feature = "fuzzing")]
pub use user::fuzz_json;
pub use user_list::SddcUserList;
