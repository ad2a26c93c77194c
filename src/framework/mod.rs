//! A small, provider-agnostic plugin framework on top of the tfplugin6 protocol: the value
//! model and its wire codecs, schemas, diagnostics, validators, plan modifiers, the traits that
//! resources implement, and the routing of every RPC. Nothing here knows about a particular
//! provider: where a message names the provider, the name comes from [`Provider::type_name`].

pub mod action;
pub mod codec;
pub mod diag;
pub mod duration;
pub mod identity;
pub mod json;
pub mod model;
pub mod moves;
pub mod msgpack;
pub mod plan;
pub mod rpc;
pub mod schema;
pub mod secret;
pub mod traits;
pub mod typed;
pub mod validate;
pub mod value;

pub use action::{Action, ActionSink};
pub use diag::{AttributePath, Diagnostic, Diagnostics};
pub use identity::{IdentityAttribute, IdentitySchema, ListSink};
pub use model::{Model, SetOf, Val};
pub use moves::{MoveSource, SourceState};
pub use schema::{Attribute, Block, Nesting, Schema};
pub use secret::Secret;
pub use traits::StopToken;
pub use traits::{
    Ctx, DataSource, EphemeralResource, ListResource, Provider, ProviderData, Resource,
};
pub use typed::{
    Failure, OpenedModel, Plan, Read, TypedAction, TypedDataSource, TypedEphemeral, TypedList,
    TypedResource,
};
pub use value::{Number, Type, Value};
