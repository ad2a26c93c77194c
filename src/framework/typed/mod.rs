//! The typed interface that resource code implements: each type works on its own
//! [`Model`](super::model::Model) and returns a [`Result`]; the blanket implementations
//! convert models to and from the wire [`Value`] and turn a [`Failure`] into diagnostics, so
//! the untyped traits of [`traits`](super::traits) never reach resource code.
//!
//! Errors are returned (a [`Failure`] holds at least one error diagnostic); warnings are pushed
//! to the `diags` every method gets, and are kept whether the operation succeeds or fails.
//!
//! One file per kind of type: `resource.rs` ([`TypedResource`], with [`Plan`] and [`Read`]),
//! `data.rs`, `ephemeral.rs`, `list.rs` and `action.rs`; this file holds [`Failure`] and the
//! conversions they share.

mod action;
mod data;
mod ephemeral;
mod list;
mod resource;

pub use action::TypedAction;
pub use data::TypedDataSource;
pub use ephemeral::{OpenedModel, TypedEphemeral};
pub use list::TypedList;
pub use resource::{Plan, Read, TypedResource};

use super::diag::{AttributePath, Diagnostic, Diagnostics};
use super::model::{Model, ToValue};
use super::value::Value;

/// Why an operation ended without its result: the error diagnostics to show (and any other
/// diagnostics gathered on the way), and, for a create or update that got part of the way, the
/// state of what exists now, so Terraform keeps track of it.
#[derive(Debug, Default)]
pub struct Failure {
    pub diags: Diagnostics,
    pub state: Option<Value>,
}

impl Failure {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic::error(summary, detail).into()
    }
    /// An error on one attribute.
    pub fn at(path: AttributePath, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic::error(summary, detail).at(path).into()
    }
    /// Keeps `state` (what exists after the failed create or update) in the Terraform state.
    pub fn with_state(mut self, state: &impl ToValue) -> Self {
        self.state = Some(state.to_value());
        self
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure {
            diags: Diagnostics(vec![d]),
            state: None,
        }
    }
}

impl From<Diagnostics> for Failure {
    fn from(diags: Diagnostics) -> Self {
        Failure { diags, state: None }
    }
}

/// The result of a typed operation.
pub type Result<T> = std::result::Result<T, Failure>;

/// Merges a failure into `diags`, making sure an error is among them (a failure without one
/// would let Terraform go on as if the operation had worked).
fn report(type_name: &str, f: Failure, diags: &mut Diagnostics) -> Option<Value> {
    let had_error = f.diags.has_errors();
    diags.extend(f.diags);
    if !had_error && !diags.has_errors() {
        diags.error(
            "Provider bug: operation failed without an error",
            format!("An operation on {type_name} failed without saying why. Please report this issue to the provider developers."),
        );
    }
    f.state
}

/// Decodes a model, or reports why not.
fn decode<M: Model>(v: &Value, diags: &mut Diagnostics) -> Option<M> {
    match M::decode(v) {
        Ok(m) => Some(m),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Decodes a configuration for a type's own checks. A configuration the schema's validators
/// already refused (a fraction where a whole number belongs) is not checked further, and its
/// shape is not reported again as a provider bug.
fn decode_checked<M: Model>(v: &Value, diags: &mut Diagnostics) -> Option<M> {
    match M::decode(v) {
        Ok(m) => Some(m),
        Err(d) => {
            if !diags.has_errors() {
                diags.push(d);
            }
            None
        }
    }
}

/// The wire value of an operation's outcome: the model's value or, on failure, the state the
/// failure keeps (see [`Failure::with_state`]), else null.
fn answer<M: ToValue>(type_name: &str, outcome: Result<M>, diags: &mut Diagnostics) -> Value {
    match outcome {
        Ok(m) => m.to_value(),
        Err(f) => report(type_name, f, diags).unwrap_or(Value::Null),
    }
}

/// The untyped `validate` of every kind: runs the type's own `check` on its decoded
/// configuration. A wholly unknown configuration is checked once it is known.
fn validate_config<M: Model>(
    config: &Value,
    diags: &mut Diagnostics,
    check: impl FnOnce(&M, &mut Diagnostics),
) {
    if config.is_unknown() {
        return;
    }
    if let Some(c) = decode_checked(config, diags) {
        check(&c, diags);
    }
}
