//! The typed interface that resource code implements: each type works on its own
//! [`Model`](super::model::Model) and returns a [`Result`]; the blanket implementations here
//! convert models to and from the wire [`Value`] and turn a [`Failure`] into diagnostics, so
//! the untyped traits of [`traits`](super::traits) never reach resource code.
//!
//! Errors are returned (a [`Failure`] holds at least one error diagnostic); warnings are pushed
//! to the `diags` every method gets, and are kept whether the operation succeeds or fails.

use std::time::SystemTime;

use async_trait::async_trait;

use super::action::{Action, ActionSink};
use super::diag::{AttributePath, Diagnostic, Diagnostics};
use super::identity::{IdentitySchema, ListSink};
use super::model::{Model, ToValue};
use super::moves::{MoveSource, SourceState};
use super::schema::Schema;
use super::traits::{
    Ctx, DataSource, EphemeralResource, ListResource, Opened, PlanChange, Resource,
};
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

/// What a refresh found.
#[derive(Debug)]
pub enum Read<M> {
    /// The object exists; its state now.
    Found(M),
    /// The object no longer exists: it is removed from the state, with a warning saying so.
    Gone { summary: String, detail: String },
}

impl<M> Read<M> {
    /// The standard "deleted outside Terraform" outcome.
    pub fn gone(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Read::Gone {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// The typed plan of one resource instance; see [`PlanChange`].
pub struct Plan<'a, M> {
    /// Prior state; None on create.
    pub prior: Option<M>,
    pub config: M,
    /// The planned new state, after the schema's plan modifiers ran.
    pub planned: M,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: &'a mut Vec<AttributePath>,
    /// The private data Terraform carries with the prior object (see [`PlanChange`]).
    pub prior_private: &'a [u8],
    /// The private data to plan; `None` keeps `prior_private`.
    pub planned_private: &'a mut Option<Vec<u8>>,
}

/// A managed resource type, typed. Every `TypedResource` is a [`Resource`].
#[async_trait]
pub trait TypedResource: Send + Sync + 'static {
    type Model: Model;
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks beyond the schema's validators. Values may be unknown here.
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Adjusts a planned create or update (not called for destroy).
    async fn modify_plan(
        &self,
        _ctx: &Ctx,
        _plan: &mut Plan<'_, Self::Model>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        Ok(())
    }
    async fn create(
        &self,
        ctx: &Ctx,
        plan: Self::Model,
        config: Self::Model,
        diags: &mut Diagnostics,
    ) -> Result<Self::Model>;
    async fn read(
        &self,
        ctx: &Ctx,
        state: Self::Model,
        diags: &mut Diagnostics,
    ) -> Result<Read<Self::Model>>;
    /// By default the planned state: right for types whose every configurable attribute forces
    /// replacement, where Terraform only plans an update of computed-only changes.
    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: Self::Model,
        plan: Self::Model,
        _config: Self::Model,
        _diags: &mut Diagnostics,
    ) -> Result<Self::Model> {
        Ok(plan)
    }
    async fn delete(&self, ctx: &Ctx, state: Self::Model, diags: &mut Diagnostics) -> Result<()>;
    /// Turns an import ID into a state that `read` can complete.
    async fn import(&self, _ctx: &Ctx, _id: &str, _diags: &mut Diagnostics) -> Result<Self::Model> {
        Err(Failure::error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        ))
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }
    /// The import ID that `import` understands for an identity.
    fn import_id_from_identity(&self, _identity: &Value) -> Option<String> {
        None
    }
    /// Turns an identity (`import { identity = {…} }`) into a state that `read` can complete;
    /// by default [`import`](Self::import) of the ID that
    /// [`import_id_from_identity`](Self::import_id_from_identity) gives. A type whose identity
    /// does not map onto an import ID without a look-up overrides it.
    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Result<Self::Model> {
        match self.import_id_from_identity(identity) {
            Some(id) => self.import(ctx, &id, diags).await,
            None => Err(Failure::error(
                "Import by identity not supported",
                format!(
                    "{} cannot be imported by identity with these values; use an import ID.",
                    self.type_name()
                ),
            )),
        }
    }
    fn move_sources(&self) -> Vec<MoveSource> {
        Vec::new()
    }
    /// See [`Resource::move_state`].
    fn move_state(&self, _source: &MoveSource, _state: &SourceState) -> Result<Self::Model> {
        Err(Failure::error(
            "Unsupported move source",
            format!(
                "{} accepts no state from other resource types.",
                self.type_name()
            ),
        ))
    }
    /// See [`Resource::upgrade_state`].
    fn upgrade_state(&self, version: i64, _raw_json: &[u8]) -> Result<Self::Model> {
        Err(Failure::error(
            "Unable to upgrade resource state",
            format!(
                "{} has no upgrade from schema version {version} to {}.",
                self.type_name(),
                self.schema().version
            ),
        ))
    }
}

#[async_trait]
impl<R: TypedResource> Resource for R {
    fn type_name(&self) -> &'static str {
        TypedResource::type_name(self)
    }
    fn schema(&self) -> Schema {
        TypedResource::schema(self)
    }
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        Some(R::Model::attribute_names())
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A wholly unknown configuration is checked once it is known.
        if config.is_unknown() {
            return;
        }
        if let Some(c) = decode_checked(config, diags) {
            TypedResource::validate(self, &c, diags);
        }
    }
    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange<'_>, diags: &mut Diagnostics) {
        let prior = if plan.prior.is_null() {
            None
        } else {
            match decode(plan.prior, diags) {
                Some(p) => Some(p),
                None => return,
            }
        };
        let (Some(config), Some(planned)) =
            (decode(plan.config, diags), decode(&plan.planned, diags))
        else {
            return;
        };
        let mut typed = Plan {
            prior,
            config,
            planned,
            requires_replace: &mut plan.requires_replace,
            prior_private: plan.prior_private,
            planned_private: &mut plan.planned_private,
        };
        match TypedResource::modify_plan(self, ctx, &mut typed, diags).await {
            Ok(()) => plan.planned = typed.planned.to_value(),
            Err(f) => {
                report(TypedResource::type_name(self), f, diags);
            }
        }
    }
    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let (Some(p), Some(c)) = (decode(planned, diags), decode(config, diags)) else {
            return Value::Null;
        };
        match TypedResource::create(self, ctx, p, c, diags).await {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(s) = decode(state, diags) else {
            return Value::Null;
        };
        match TypedResource::read(self, ctx, s, diags).await {
            Ok(Read::Found(m)) => m.to_value(),
            Ok(Read::Gone { summary, detail }) => {
                diags.warning(summary, detail);
                Value::Null
            }
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let (Some(pr), Some(p), Some(c)) = (
            decode(prior, diags),
            decode(planned, diags),
            decode(config, diags),
        ) else {
            return Value::Null;
        };
        match TypedResource::update(self, ctx, pr, p, c, diags).await {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) {
        let Some(s) = decode(state, diags) else {
            return;
        };
        if let Err(f) = TypedResource::delete(self, ctx, s, diags).await {
            report(TypedResource::type_name(self), f, diags);
        }
    }
    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        match TypedResource::import(self, ctx, id, diags).await {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        TypedResource::identity_schema(self)
    }
    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        TypedResource::import_id_from_identity(self, identity)
    }
    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        match TypedResource::import_by_identity(self, ctx, identity, diags).await {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    fn move_sources(&self) -> Vec<MoveSource> {
        TypedResource::move_sources(self)
    }
    fn move_state(
        &self,
        source: &MoveSource,
        state: &SourceState,
        diags: &mut Diagnostics,
    ) -> Value {
        match TypedResource::move_state(self, source, state) {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
    fn upgrade_state(&self, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Value {
        match TypedResource::upgrade_state(self, version, raw_json) {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedResource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
}

/// A data source type, typed. Every `TypedDataSource` is a [`DataSource`].
#[async_trait]
pub trait TypedDataSource: Send + Sync + 'static {
    type Model: Model;
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Reads the data: the configuration with every computed attribute filled in.
    async fn read(
        &self,
        ctx: &Ctx,
        config: Self::Model,
        diags: &mut Diagnostics,
    ) -> Result<Self::Model>;
}

#[async_trait]
impl<D: TypedDataSource> DataSource for D {
    fn type_name(&self) -> &'static str {
        TypedDataSource::type_name(self)
    }
    fn schema(&self) -> Schema {
        TypedDataSource::schema(self)
    }
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        Some(D::Model::attribute_names())
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A wholly unknown configuration is checked once it is known.
        if config.is_unknown() {
            return;
        }
        if let Some(c) = decode_checked(config, diags) {
            TypedDataSource::validate(self, &c, diags);
        }
    }
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(c) = decode(config, diags) else {
            return Value::Null;
        };
        match TypedDataSource::read(self, ctx, c, diags).await {
            Ok(m) => m.to_value(),
            Err(f) => report(TypedDataSource::type_name(self), f, diags).unwrap_or(Value::Null),
        }
    }
}

/// What opening a typed ephemeral resource produced; see [`Opened`].
pub struct OpenedModel<M> {
    pub result: M,
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource type, typed. Every `TypedEphemeral` is an [`EphemeralResource`].
#[async_trait]
pub trait TypedEphemeral: Send + Sync + 'static {
    type Model: Model;
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    async fn open(
        &self,
        ctx: &Ctx,
        config: Self::Model,
        diags: &mut Diagnostics,
    ) -> Result<OpenedModel<Self::Model>>;
    /// Returns the new private data and the next renewal time.
    async fn renew(
        &self,
        _ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Result<(Option<Vec<u8>>, Option<SystemTime>)> {
        Ok((private, None))
    }
    async fn close(
        &self,
        _ctx: &Ctx,
        _private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Result<()> {
        Ok(())
    }
}

#[async_trait]
impl<E: TypedEphemeral> EphemeralResource for E {
    fn type_name(&self) -> &'static str {
        TypedEphemeral::type_name(self)
    }
    fn schema(&self) -> Schema {
        TypedEphemeral::schema(self)
    }
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        Some(E::Model::attribute_names())
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A wholly unknown configuration is checked once it is known.
        if config.is_unknown() {
            return;
        }
        if let Some(c) = decode_checked(config, diags) {
            TypedEphemeral::validate(self, &c, diags);
        }
    }
    async fn open(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Opened {
        let failed = Opened {
            result: Value::Null,
            private: None,
            renew_at: None,
        };
        let Some(c) = decode(config, diags) else {
            return failed;
        };
        match TypedEphemeral::open(self, ctx, c, diags).await {
            Ok(o) => Opened {
                result: o.result.to_value(),
                private: o.private,
                renew_at: o.renew_at,
            },
            Err(f) => {
                report(TypedEphemeral::type_name(self), f, diags);
                failed
            }
        }
    }
    async fn renew(
        &self,
        ctx: &Ctx,
        private: Option<Vec<u8>>,
        diags: &mut Diagnostics,
    ) -> (Option<Vec<u8>>, Option<SystemTime>) {
        match TypedEphemeral::renew(self, ctx, private, diags).await {
            Ok(r) => r,
            Err(f) => {
                report(TypedEphemeral::type_name(self), f, diags);
                (None, None)
            }
        }
    }
    async fn close(&self, ctx: &Ctx, private: Option<Vec<u8>>, diags: &mut Diagnostics) {
        if let Err(f) = TypedEphemeral::close(self, ctx, private, diags).await {
            report(TypedEphemeral::type_name(self), f, diags);
        }
    }
}

/// A list resource type, typed. Every `TypedList` is a [`ListResource`].
#[async_trait]
pub trait TypedList: Send + Sync + 'static {
    /// The `config { … }` block of a `list` block.
    type Config: Model;
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::Config, _diags: &mut Diagnostics) {}
    /// Sends each object to `sink` (see [`ListResource::list`]); an error ends the listing.
    async fn list(&self, ctx: &Ctx, config: Self::Config, sink: &mut ListSink) -> Result<()>;
}

#[async_trait]
impl<L: TypedList> ListResource for L {
    fn type_name(&self) -> &'static str {
        TypedList::type_name(self)
    }
    fn schema(&self) -> Schema {
        TypedList::schema(self)
    }
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        Some(L::Config::attribute_names())
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A wholly unknown configuration is checked once it is known.
        if config.is_unknown() {
            return;
        }
        if let Some(c) = decode_checked(config, diags) {
            TypedList::validate(self, &c, diags);
        }
    }
    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let mut diags = Diagnostics::new();
        let Some(c) = decode(config, &mut diags) else {
            sink.diagnostics(diags).await;
            return;
        };
        if let Err(f) = TypedList::list(self, ctx, c, sink).await {
            report(TypedList::type_name(self), f, &mut diags);
            sink.diagnostics(diags).await;
        }
    }
}

/// An action type, typed. Every `TypedAction` is an [`Action`].
#[async_trait]
pub trait TypedAction: Send + Sync + 'static {
    type Model: Model;
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Checks at plan time (values may be unknown).
    async fn plan(&self, _ctx: &Ctx, _config: Self::Model, _diags: &mut Diagnostics) -> Result<()> {
        Ok(())
    }
    async fn invoke(
        &self,
        ctx: &Ctx,
        config: Self::Model,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) -> Result<()>;
}

#[async_trait]
impl<A: TypedAction> Action for A {
    fn type_name(&self) -> &'static str {
        TypedAction::type_name(self)
    }
    fn schema(&self) -> Schema {
        TypedAction::schema(self)
    }
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        Some(A::Model::attribute_names())
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A wholly unknown configuration is checked once it is known.
        if config.is_unknown() {
            return;
        }
        if let Some(c) = decode_checked(config, diags) {
            TypedAction::validate(self, &c, diags);
        }
    }
    async fn plan(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) {
        let Some(c) = decode(config, diags) else {
            return;
        };
        if let Err(f) = TypedAction::plan(self, ctx, c, diags).await {
            report(TypedAction::type_name(self), f, diags);
        }
    }
    async fn invoke(
        &self,
        ctx: &Ctx,
        config: &Value,
        sink: &mut ActionSink,
        diags: &mut Diagnostics,
    ) {
        let Some(c) = decode(config, diags) else {
            return;
        };
        if let Err(f) = TypedAction::invoke(self, ctx, c, sink, diags).await {
            report(TypedAction::type_name(self), f, diags);
        }
    }
}
