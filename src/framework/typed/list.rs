//! The typed list resource: [`TypedList`].

use async_trait::async_trait;

use super::{Result, decode, report, validate_config};
use crate::framework::diag::Diagnostics;
use crate::framework::identity::ListSink;
use crate::framework::model::Model;
use crate::framework::schema::Schema;
use crate::framework::traits::{Ctx, ListResource};
use crate::framework::value::Value;

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
        validate_config(config, diags, |c, diags| {
            TypedList::validate(self, c, diags)
        });
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
