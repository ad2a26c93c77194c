//! What a provider implements: the provider itself, and its resources, data sources and
//! ephemeral resources. Implementations see decoded [`Value`]s and report through
//! [`Diagnostics`]; they never touch gRPC or the wire encodings.

use std::any::Any;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;

use super::diag::{AttributePath, Diagnostics};
use super::identity::{IdentitySchema, ListSink};
use super::moves::{MoveSource, SourceState};
use super::schema::Schema;
use super::value::Value;

/// What `configure` hands to every resource: typically the API clients.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// The stop signal of one provider process: cancelled when Terraform calls StopProvider (Ctrl-C)
/// and when the plugin stops (Shutdown, a signal, Terraform gone). `configure` hands it to
/// whatever does remote work (the HTTP client), which ends waits and requests in flight at once.
pub type StopToken = tokio_util::sync::CancellationToken;

/// Per-request context for resources.
#[derive(Clone, Default)]
pub struct Ctx {
    data: Option<ProviderData>,
    /// Terraform may defer this change instead of failing on unknown provider configuration.
    pub deferral_allowed: bool,
}

impl Ctx {
    pub fn new(data: Option<ProviderData>, deferral_allowed: bool) -> Self {
        Ctx {
            data,
            deferral_allowed,
        }
    }
    /// The configured provider data, if `configure` has run and produced a `T`.
    pub fn data<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.data.as_ref().and_then(|d| d.downcast_ref::<T>())
    }
}

/// The provider: its configuration schema and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's local name, as in `provider "NAME"` blocks; type names start with it
    /// and `_`. The framework's and the server's messages call the provider by it.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks beyond the schema's validators. Values may be unknown here.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Builds the provider data from the configuration. Must not call remote APIs. `stop` is
    /// the process's [`StopToken`]; remote work started from the provider data should end when
    /// it is cancelled.
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
        stop: &StopToken,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData>;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
    /// List resources for `terraform query`; each has the type name of a managed resource.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
    /// Action types (Terraform 1.14+, `action` blocks).
    fn actions(&self) -> Vec<Arc<dyn super::action::Action>> {
        Vec::new()
    }
    /// Called once when the plugin stops (end sessions, revoke refresh tokens).
    async fn shutdown(&self, _data: Option<ProviderData>) {}
}

/// The plan of one resource instance, open to a resource's own adjustments.
pub struct PlanChange<'a> {
    /// Prior state; null on create.
    pub prior: &'a Value,
    pub config: &'a Value,
    /// The planned new state, after the schema's plan modifiers ran.
    pub planned: Value,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// The private data Terraform carries with the prior object (empty when there is none). When
    /// Terraform plans a replacement it plans twice: first with the prior state, then with a null
    /// prior state and, as this, the private data the first call planned.
    pub prior_private: &'a [u8],
    /// The private data to plan (Terraform gives it to the apply of this plan); `None` keeps
    /// `prior_private`.
    pub planned_private: Option<Vec<u8>>,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The attribute names of the type's typed model (see `framework::model`), for the test
    /// that every model matches its schema; None for a type without one.
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        None
    }
    /// Checks beyond the schema's validators. Values may be unknown here.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Adjusts a planned create or update (not called for destroy).
    async fn modify_plan(&self, _ctx: &Ctx, _plan: &mut PlanChange<'_>, _diags: &mut Diagnostics) {}
    /// Creates the object; returns the new state (return what exists even when reporting an
    /// error, so Terraform can track a partially created object).
    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;
    /// Refreshes the state; returns null when the object no longer exists.
    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value;
    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;
    async fn delete(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics);
    /// Turns an import ID into a state that `read` can complete.
    async fn import(&self, _ctx: &Ctx, _id: &str, diags: &mut Diagnostics) -> Value {
        diags.error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        );
        Value::Null
    }
    /// The identity schema (Terraform 1.12+), if the type has identities.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }
    /// The identity of an object from its state. By default the state attributes named like
    /// the identity attributes. Must only depend on attributes that change by replacement.
    fn identity(&self, state: &Value) -> Value {
        match self.identity_schema() {
            Some(s) => s.project(state),
            None => Value::Null,
        }
    }
    /// The import ID that `import` understands for an identity, for the default
    /// `import_by_identity`.
    fn import_id_from_identity(&self, _identity: &Value) -> Option<String> {
        None
    }
    /// Turns an identity (`import { identity = {…} }`) into a state that `read` can complete.
    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        identity: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        match self.import_id_from_identity(identity) {
            Some(id) => self.import(ctx, &id, diags).await,
            None => {
                diags.error(
                    "Import by identity not supported",
                    format!(
                        "{} cannot be imported by identity with these values; use an import ID.",
                        self.type_name()
                    ),
                );
                Value::Null
            }
        }
    }
    /// The states of other resource types (of this or another provider) that `moved` blocks
    /// may move into this type (Terraform 1.8+). None by default.
    fn move_sources(&self) -> Vec<MoveSource> {
        Vec::new()
    }
    /// Maps the state of one of [`Resource::move_sources`] onto this type's schema, without
    /// calling any API (Terraform moves state before it configures the provider); the next
    /// refresh completes it. Returns null after reporting an error.
    fn move_state(
        &self,
        _source: &MoveSource,
        _state: &SourceState,
        diags: &mut Diagnostics,
    ) -> Value {
        diags.error(
            "Unsupported move source",
            format!(
                "{} accepts no state from other resource types.",
                self.type_name()
            ),
        );
        Value::Null
    }
    /// Upgrades state stored by an older schema version (JSON bytes) to the current schema.
    fn upgrade_state(&self, version: i64, _raw_json: &[u8], diags: &mut Diagnostics) -> Value {
        diags.error(
            "Unable to upgrade resource state",
            format!(
                "{} has no upgrade from schema version {version} to {}.",
                self.type_name(),
                self.schema().version
            ),
        );
        Value::Null
    }
}

/// A list resource (Terraform 1.14+, `list` blocks of `terraform query`): finds existing objects
/// of the managed resource type with the same name.
#[async_trait]
pub trait ListResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// Schema of the `config { … }` block of a `list` block.
    fn schema(&self) -> Schema;
    /// The attribute names of the type's typed model (see `framework::model`), for the test
    /// that every model matches its schema; None for a type without one.
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        None
    }
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Sends each object (its full state, as `read` returns it) to `sink` as soon as it is
    /// known, and stops when `sink.send` returns false.
    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink);
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The attribute names of the type's typed model (see `framework::model`), for the test
    /// that every model matches its schema; None for a type without one.
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        None
    }
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value;
}

/// What opening an ephemeral resource produced.
pub struct Opened {
    pub result: Value,
    /// Carried by Terraform to `renew` and `close`; never stored in plan or state.
    pub private: Option<Vec<u8>>,
    /// When Terraform should call `renew`, if at all.
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource type (Terraform 1.10+): values exist only during one run.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The attribute names of the type's typed model (see `framework::model`), for the test
    /// that every model matches its schema; None for a type without one.
    fn model_attributes(&self) -> Option<Vec<&'static str>> {
        None
    }
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Opened;
    /// Returns the new private data and the next renewal time.
    async fn renew(
        &self,
        _ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> (Option<Vec<u8>>, Option<SystemTime>) {
        (private, None)
    }
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>, _diags: &mut Diagnostics) {}
}
