//! The typed action: [`TypedAction`].

use async_trait::async_trait;

use super::{Result, decode, report, validate_config};
use crate::framework::action::{Action, ActionSink};
use crate::framework::diag::Diagnostics;
use crate::framework::model::Model;
use crate::framework::schema::Schema;
use crate::framework::traits::Ctx;
use crate::framework::value::Value;

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
        validate_config(config, diags, |c, diags| {
            TypedAction::validate(self, c, diags)
        });
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
