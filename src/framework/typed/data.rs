//! The typed data source: [`TypedDataSource`].

use async_trait::async_trait;

use super::{Result, answer, decode, validate_config};
use crate::framework::diag::Diagnostics;
use crate::framework::model::Model;
use crate::framework::schema::Schema;
use crate::framework::traits::{Ctx, DataSource};
use crate::framework::value::Value;

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
        validate_config(config, diags, |c, diags| {
            TypedDataSource::validate(self, c, diags)
        });
    }
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(c) = decode(config, diags) else {
            return Value::Null;
        };
        let outcome = TypedDataSource::read(self, ctx, c, diags).await;
        answer(TypedDataSource::type_name(self), outcome, diags)
    }
}
