//! The typed ephemeral resource: [`TypedEphemeral`] and what opening one produces.

use std::time::SystemTime;

use async_trait::async_trait;

use super::{Result, decode, report, validate_config};
use crate::framework::diag::Diagnostics;
use crate::framework::model::{Model, ToValue};
use crate::framework::schema::Schema;
use crate::framework::traits::{Ctx, EphemeralResource, Opened};
use crate::framework::value::Value;

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
        validate_config(config, diags, |c, diags| {
            TypedEphemeral::validate(self, c, diags)
        });
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
