//! The typed managed resource: [`TypedResource`], its plan and its read outcome.

use async_trait::async_trait;

use super::{Failure, Result, answer, decode, report, validate_config};
use crate::framework::diag::{AttributePath, Diagnostics};
use crate::framework::identity::IdentitySchema;
use crate::framework::model::{Model, ToValue};
use crate::framework::moves::{MoveSource, SourceState};
use crate::framework::schema::Schema;
use crate::framework::traits::{Ctx, PlanChange, Resource};
use crate::framework::value::Value;

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
    /// The identity of an object from its state, for an identity that is not simply the state
    /// attributes named like the identity attributes (`None`, the default: those attributes).
    fn identity(&self, _state: &Self::Model) -> Option<Value> {
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
        validate_config(config, diags, |c, diags| {
            TypedResource::validate(self, c, diags)
        });
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
        let outcome = TypedResource::create(self, ctx, p, c, diags).await;
        answer(TypedResource::type_name(self), outcome, diags)
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
        let outcome = TypedResource::update(self, ctx, pr, p, c, diags).await;
        answer(TypedResource::type_name(self), outcome, diags)
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
        let outcome = TypedResource::import(self, ctx, id, diags).await;
        answer(TypedResource::type_name(self), outcome, diags)
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        TypedResource::identity_schema(self)
    }
    fn identity(&self, state: &Value) -> Value {
        if !state.is_null()
            && let Ok(m) = R::Model::decode(state)
            && let Some(identity) = TypedResource::identity(self, &m)
        {
            return identity;
        }
        match TypedResource::identity_schema(self) {
            Some(s) => s.project(state),
            None => Value::Null,
        }
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
        let outcome = TypedResource::import_by_identity(self, ctx, identity, diags).await;
        answer(TypedResource::type_name(self), outcome, diags)
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
        let outcome = TypedResource::move_state(self, source, state);
        answer(TypedResource::type_name(self), outcome, diags)
    }
    fn upgrade_state(&self, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Value {
        let outcome = TypedResource::upgrade_state(self, version, raw_json);
        answer(TypedResource::type_name(self), outcome, diags)
    }
}
