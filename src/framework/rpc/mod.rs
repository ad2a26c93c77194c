//! Routing of every tfplugin6 RPC to a [`Provider`] and its types.
//!
//! Requests are decoded against the schema of the type they name; a type that does not exist,
//! a value that cannot be decoded, or a feature the provider does not offer (functions, state
//! stores, moves) becomes an error diagnostic in the response, never a gRPC failure. The action
//! RPCs live in [`actions`].

mod actions;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime};

use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

use super::codec::{decode_dynamic, encode_dynamic};
use super::diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use super::identity::{IdentitySchema, ListEvent, ListSink, generate_config, is_complete};
use super::json;
use super::plan::plan_resource;
use super::schema::Schema;
use super::traits::{
    Ctx, DataSource, EphemeralResource, ListResource, PlanChange, Provider, ProviderData, Resource,
    StopToken,
};
use super::value::{Type, Value};
use crate::proto::tfplugin6 as pb;
use pb::provider_server::Provider as ProviderRpc;

struct Entry<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

impl<T: ?Sized> Entry<T> {
    fn new(imp: Arc<T>, schema: Schema) -> Self {
        let ty = schema.value_type();
        Entry { imp, schema, ty }
    }
}

/// The gRPC service that serves one provider.
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    provider_schema: Schema,
    provider_type: Type,
    resources: HashMap<String, Entry<dyn Resource>>,
    data_sources: HashMap<String, Entry<dyn DataSource>>,
    ephemerals: HashMap<String, Entry<dyn EphemeralResource>>,
    list_resources: HashMap<String, Entry<dyn ListResource>>,
    actions: actions::Actions,
    /// Identity schemas (and their value types) of the resource types that have one.
    identities: HashMap<String, (IdentitySchema, Type)>,
    data: RwLock<Option<ProviderData>>,
    /// Cancelled by StopProvider and when the plugin stops; see [`StopToken`]. A cancelled one
    /// is replaced by a fresh one at the next ConfigureProvider: a provider served with
    /// `-debug` outlives the command that Ctrl-C stopped, and the next command starts anew.
    stop: std::sync::Mutex<StopToken>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name().to_string(), Entry::new(r.clone(), r.schema())))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name().to_string(), Entry::new(d.clone(), d.schema())))
            .collect();
        let ephemerals = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| (e.type_name().to_string(), Entry::new(e.clone(), e.schema())))
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| (l.type_name().to_string(), Entry::new(l.clone(), l.schema())))
            .collect();
        let identities = provider
            .resources()
            .into_iter()
            .filter_map(|r| {
                let s = r.identity_schema()?;
                let ty = s.value_type();
                Some((r.type_name().to_string(), (s, ty)))
            })
            .collect();
        let actions = actions::Actions::new(provider.actions());
        ProviderService {
            provider: Arc::new(provider),
            provider_schema,
            provider_type,
            resources,
            data_sources,
            ephemerals,
            list_resources,
            actions,
            identities,
            data: RwLock::new(None),
            stop: std::sync::Mutex::new(StopToken::new()),
        }
    }

    /// The current stop token (see the `stop` field).
    fn stop_token(&self) -> StopToken {
        match self.stop.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Cancels the work in flight and any started later (StopProvider, or the plugin stopping).
    pub fn stop(&self) {
        let stop = self.stop_token();
        if !stop.is_cancelled() {
            tracing::info!("stop requested; cancelling the work in flight");
        }
        stop.cancel();
    }

    /// The stop token for a new configuration: a fresh one when the current one was cancelled
    /// (an earlier command of a `-debug` provider was stopped).
    fn fresh_stop(&self) -> StopToken {
        let mut slot = match self.stop.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot.is_cancelled() {
            *slot = StopToken::new();
        }
        slot.clone()
    }

    /// Lets the provider end its sessions; called once when the plugin stops.
    pub async fn shutdown(&self) {
        let data = self.data.read().map(|d| d.clone()).unwrap_or_default();
        self.provider.shutdown(data).await;
    }

    fn ctx(&self, caps: Option<&pb::ClientCapabilities>) -> Ctx {
        let data = self.data.read().map(|d| d.clone()).unwrap_or_default();
        Ctx::new(data, caps.is_some_and(|c| c.deferral_allowed))
    }

    fn resource(&self, name: &str, diags: &mut Diagnostics) -> Option<&Entry<dyn Resource>> {
        lookup(&self.resources, "resource", name, diags)
    }

    /// The identity of `state` for the wire, when the type has identities and the value is
    /// complete; otherwise `fallback` (what Terraform sent).
    fn identity_out(
        &self,
        e: &Entry<dyn Resource>,
        type_name: &str,
        state: &Value,
        fallback: Option<pb::ResourceIdentityData>,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let (_, ty) = self.identities.get(type_name)?;
        if state.is_null() {
            return None;
        }
        let id = e.imp.identity(state);
        if !is_complete(&id) {
            return fallback;
        }
        encode(&id, ty, diags).map(|dv| pb::ResourceIdentityData {
            identity_data: Some(dv),
        })
    }
}

fn lookup<'a, T: ?Sized>(
    map: &'a HashMap<String, Entry<T>>,
    kind: &str,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Entry<T>> {
    let found = map.get(name);
    if found.is_none() {
        let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
        known.sort_unstable();
        diags.error(
            format!("Unknown {kind} type"),
            format!(
                "This provider has no {kind} type {name:?}. Known {kind} types: {}.",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        );
    }
    found
}

/// Logs an RPC at debug level with its duration when dropped.
struct RpcLog {
    rpc: &'static str,
    type_name: String,
    start: Instant,
}

impl RpcLog {
    fn new(rpc: &'static str, type_name: &str) -> Self {
        tracing::trace!(rpc, type_name, "rpc start");
        RpcLog {
            rpc,
            type_name: type_name.to_string(),
            start: Instant::now(),
        }
    }
}

impl Drop for RpcLog {
    fn drop(&mut self) {
        let micros = self.start.elapsed().as_micros() as u64;
        tracing::debug!(rpc = self.rpc, type_name = %self.type_name, duration_us = micros, "rpc served");
    }
}

/// Converts diagnostics to their protocol form.
pub fn diags_to_proto(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diag_to_proto).collect()
}

fn diag_to_proto(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(path_to_proto),
    }
}

pub fn path_to_proto(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Decodes a request value; on failure records a diagnostic and returns None.
fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    match decode_dynamic(dv, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(e.to_diagnostic(what));
            None
        }
    }
}

/// Encodes a response value; on failure records a diagnostic.
fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match encode_dynamic(v, ty) {
        Ok(dv) => Some(dv),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!("The provider built a value that does not match its own schema ({e}). This is a bug in the provider."),
            );
            None
        }
    }
}

/// After apply no value may remain unknown, and write-only attributes are never stored.
fn finish_state(schema: &Schema, v: &mut Value, diags: &mut Diagnostics) {
    for p in schema.attribute_paths(|a| a.write_only) {
        set_path(v, &p, Value::Null);
    }
    let mut unknown = Vec::new();
    null_unknowns(v, &AttributePath::root(), &mut unknown);
    for p in unknown {
        diags.attr_error(
            p.clone(),
            "Provider returned an unknown value after apply",
            format!(
                "{p} was still unknown after the apply finished. This is a bug in the provider."
            ),
        );
    }
}

fn set_path(v: &mut Value, p: &AttributePath, new: Value) {
    let mut cur = v;
    for (i, step) in p.0.iter().enumerate() {
        let PathStep::Attr(name) = step else { return };
        if cur.is_null() {
            return;
        }
        if i + 1 == p.0.len() {
            cur.set_attr(name, new);
            return;
        }
        match cur.attr_mut(name) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

fn null_unknowns(v: &mut Value, path: &AttributePath, found: &mut Vec<AttributePath>) {
    match v {
        Value::Unknown => {
            *v = Value::Null;
            found.push(path.clone());
        }
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                null_unknowns(item, &path.join_index(i as i64), found);
            }
        }
        Value::Object(m) => {
            for (k, item) in m.iter_mut() {
                null_unknowns(item, &path.join_attr(k), found);
            }
        }
        Value::Map(m) => {
            for (k, item) in m.iter_mut() {
                null_unknowns(item, &path.join_key(k), found);
            }
        }
        _ => {}
    }
}

/// Write-only attributes need a Terraform that can send them (1.11+).
fn check_write_only(
    schema: &Schema,
    config: &Value,
    caps: Option<&pb::ClientCapabilities>,
    diags: &mut Diagnostics,
) {
    if caps.is_some_and(|c| c.write_only_attributes_allowed) {
        return;
    }
    for p in schema.attribute_paths(|a| a.write_only) {
        let mut cur = config;
        for step in &p.0 {
            if let PathStep::Attr(n) = step {
                cur = cur.attr(n);
            }
        }
        if !cur.is_null() {
            diags.attr_error(
                p.clone(),
                "Write-only attribute not supported",
                format!("{p} is write-only, which needs Terraform 1.11 or later. Upgrade Terraform or use the non-write-only attribute."),
            );
        }
    }
}

fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

fn not_offered(feature: &str) -> Vec<pb::Diagnostic> {
    diags_to_proto(
        &Diagnostic::error(
            format!("{feature} not supported"),
            format!("The vcf provider does not offer {feature}."),
        )
        .into(),
    )
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

/// One list result as a stream event: identity always, the object when asked for.
fn list_event(
    res: &Arc<dyn Resource>,
    res_ty: &Type,
    id_ty: &Type,
    include_object: bool,
    ev: ListEvent,
) -> pb::list_resource::Event {
    let mut diags = Diagnostics::new();
    let mut out = pb::list_resource::Event::default();
    match ev {
        ListEvent::Diagnostics(d) => diags.extend(d),
        ListEvent::Item(item) => {
            out.display_name = item.display_name;
            let identity = res.identity(&item.state);
            out.identity =
                encode(&identity, id_ty, &mut diags).map(|dv| pb::ResourceIdentityData {
                    identity_data: Some(dv),
                });
            if include_object {
                out.resource_object = encode(&item.state, res_ty, &mut diags);
            }
        }
    }
    out.diagnostic = diags_to_proto(&diags);
    out
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let _log = RpcLog::new("GetMetadata", "");
        let names = |keys: Vec<&String>| {
            let mut v: Vec<String> = keys.into_iter().cloned().collect();
            v.sort();
            v
        };
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: names(self.resources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            data_sources: names(self.data_sources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            ephemeral_resources: names(self.ephemerals.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::EphemeralMetadata { type_name })
                .collect(),
            list_resources: names(self.list_resources.keys().collect())
                .into_iter()
                .map(|type_name| pb::get_metadata::ListResourceMetadata { type_name })
                .collect(),
            actions: self.actions.metadata(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let _log = RpcLog::new("GetProviderSchema", "");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            action_schemas: self.actions.schemas(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let _log = RpcLog::new("ValidateProviderConfig", "");
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(config) = decode(
            req.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diags,
        ) {
            self.provider_schema
                .block
                .validate(&config, &AttributePath::root(), &mut diags);
            self.provider.validate(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ValidateResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "resource configuration",
                &mut diags,
            )
        {
            check_write_only(
                &e.schema,
                &config,
                req.client_capabilities.as_ref(),
                &mut diags,
            );
            e.schema
                .block
                .validate(&config, &AttributePath::root(), &mut diags);
            e.imp.validate(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ValidateDataResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = lookup(
            &self.data_sources,
            "data source",
            &req.type_name,
            &mut diags,
        ) && let Some(config) = decode(
            req.config.as_ref(),
            &e.ty,
            "data source configuration",
            &mut diags,
        ) {
            e.schema
                .block
                .validate(&config, &AttributePath::root(), &mut diags);
            e.imp.validate(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("UpgradeResourceState", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut upgraded_state = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let raw = req.raw_state.unwrap_or_default();
            let current = e.schema.version;
            let value = if raw.json.is_empty() && !raw.flatmap.is_empty() {
                diags.error(
                    "Unsupported state format",
                    "This state was written in the flatmap format of Terraform 0.11 or earlier, which the vcf provider never used.",
                );
                None
            } else if req.version == current {
                match json::decode(&raw.json, &e.ty, json::Extra::Drop) {
                    Ok(v) => Some(v),
                    Err(err) => {
                        diags.push(err.to_diagnostic("stored state"));
                        None
                    }
                }
            } else if req.version > current {
                diags.error(
                    "Resource state from a newer provider",
                    format!(
                        "The state of this {} was written with schema version {} by a newer release of the provider; this release knows version {current}. Use the newer provider release.",
                        req.type_name, req.version
                    ),
                );
                None
            } else {
                Some(e.imp.upgrade_state(req.version, &raw.json, &mut diags))
            };
            if let Some(v) = value
                && !diags.has_errors()
            {
                upgraded_state = encode(&v, &e.ty, &mut diags);
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        let _log = RpcLog::new("GetResourceIdentitySchemas", "");
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .identities
                .iter()
                .map(|(k, (s, _))| (k.clone(), s.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("UpgradeResourceIdentity", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut upgraded_identity = None;
        match self.identities.get(&req.type_name) {
            None => diags.error(
                "Resource type has no identity",
                format!(
                    "The vcf provider has no resource identity for {:?}.",
                    req.type_name
                ),
            ),
            Some((schema, ty)) if req.version == schema.version => {
                let raw = req.raw_identity.unwrap_or_default();
                match json::decode(&raw.json, ty, json::Extra::Drop) {
                    Ok(v) => {
                        upgraded_identity =
                            encode(&v, ty, &mut diags).map(|dv| pb::ResourceIdentityData {
                                identity_data: Some(dv),
                            })
                    }
                    Err(err) => diags.push(err.to_diagnostic("stored identity")),
                }
            }
            Some((schema, _)) => diags.error(
                "Unable to upgrade resource identity",
                format!(
                    "The identity of this {} has version {}; this release of the provider knows version {}.",
                    req.type_name, req.version, schema.version
                ),
            ),
        }
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let _log = RpcLog::new("ConfigureProvider", "");
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        if let Some(config) = decode(
            req.config.as_ref(),
            &self.provider_type,
            "provider configuration",
            &mut diags,
        ) {
            let data = self
                .provider
                .configure(
                    &config,
                    &req.terraform_version,
                    &self.fresh_stop(),
                    &mut diags,
                )
                .await;
            if let Ok(mut slot) = self.data.write() {
                *slot = data;
            }
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ReadResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut new_state = None;
        let mut new_identity = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some(state) = decode(
                req.current_state.as_ref(),
                &e.ty,
                "resource state",
                &mut diags,
            )
        {
            let ctx = self.ctx(req.client_capabilities.as_ref());
            let mut v = if state.is_null() {
                Value::Null
            } else {
                e.imp.read(&ctx, &state, &mut diags).await
            };
            if diags.has_errors() && v.is_null() {
                // Keep the prior state when the read failed, rather than dropping the resource.
                v = state;
            }
            finish_state(&e.schema, &mut v, &mut diags);
            new_state = encode(&v, &e.ty, &mut diags);
            new_identity = self.identity_out(
                e,
                &req.type_name,
                &v,
                req.current_identity.clone(),
                &mut diags,
            );
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags_to_proto(&diags),
            private: req.private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("PlanResourceChange", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::plan_resource_change::Response {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let prior = decode(req.prior_state.as_ref(), &e.ty, "prior state", &mut diags);
            let proposed = decode(
                req.proposed_new_state.as_ref(),
                &e.ty,
                "proposed new state",
                &mut diags,
            );
            let config = decode(
                req.config.as_ref(),
                &e.ty,
                "resource configuration",
                &mut diags,
            );
            if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
                if proposed.is_null() {
                    // Destroy: nothing to plan beyond the removal itself.
                    resp.planned_state = encode(&Value::Null, &e.ty, &mut diags);
                } else {
                    let planned = plan_resource(&e.schema, &prior, &proposed, &config, &mut diags);
                    let mut change = PlanChange {
                        prior: &prior,
                        config: &config,
                        planned: planned.planned,
                        requires_replace: planned.requires_replace,
                        prior_private: &req.prior_private,
                        planned_private: None,
                    };
                    let ctx = self.ctx(req.client_capabilities.as_ref());
                    e.imp.modify_plan(&ctx, &mut change, &mut diags).await;
                    resp.requires_replace =
                        change.requires_replace.iter().map(path_to_proto).collect();
                    if let Some(p) = change.planned_private.take() {
                        resp.planned_private = p;
                    }
                    resp.planned_state = encode(&change.planned, &e.ty, &mut diags);
                    // An identity changes only by replacement. A new object whose identity is not
                    // known yet plans none: Terraform 1.15 accepts an unknown planned identity but
                    // then cannot write the plan as JSON ("value is not known").
                    resp.planned_identity = if !prior.is_null() && resp.requires_replace.is_empty()
                    {
                        self.identity_out(
                            e,
                            &req.type_name,
                            &prior,
                            req.prior_identity.clone(),
                            &mut diags,
                        )
                    } else {
                        self.identity_out(e, &req.type_name, &change.planned, None, &mut diags)
                    };
                }
            }
        }
        resp.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(resp))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ApplyResourceChange", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut new_state = None;
        let mut new_identity = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let prior = decode(req.prior_state.as_ref(), &e.ty, "prior state", &mut diags);
            let planned = decode(
                req.planned_state.as_ref(),
                &e.ty,
                "planned state",
                &mut diags,
            );
            let config = decode(
                req.config.as_ref(),
                &e.ty,
                "resource configuration",
                &mut diags,
            );
            if let (Some(prior), Some(planned), Some(config)) = (prior, planned, config) {
                let ctx = self.ctx(None);
                let mut v = if planned.is_null() {
                    e.imp.delete(&ctx, &prior, &mut diags).await;
                    // A failed delete leaves the object in state.
                    if diags.has_errors() {
                        prior
                    } else {
                        Value::Null
                    }
                } else if prior.is_null() {
                    e.imp.create(&ctx, &planned, &config, &mut diags).await
                } else {
                    e.imp
                        .update(&ctx, &prior, &planned, &config, &mut diags)
                        .await
                };
                finish_state(&e.schema, &mut v, &mut diags);
                new_state = encode(&v, &e.ty, &mut diags);
                new_identity = self.identity_out(
                    e,
                    &req.type_name,
                    &v,
                    req.planned_identity.clone(),
                    &mut diags,
                );
            }
        }
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags_to_proto(&diags),
            new_identity,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ImportResourceState", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut imported = Vec::new();
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let ctx = self.ctx(req.client_capabilities.as_ref());
            let by_identity = req.id.is_empty() && req.identity.is_some();
            let v = if by_identity {
                match self.identities.get(&req.type_name) {
                    None => {
                        diags.error(
                            "Import by identity not supported",
                            format!("{} is imported by ID: use `terraform import` or an import block with `id`.", req.type_name),
                        );
                        None
                    }
                    Some((_, ty)) => {
                        let dv = req.identity.as_ref().and_then(|i| i.identity_data.as_ref());
                        match decode(dv, ty, "identity", &mut diags) {
                            Some(identity) => {
                                Some(e.imp.import_by_identity(&ctx, &identity, &mut diags).await)
                            }
                            None => None,
                        }
                    }
                }
            } else if let Some(seg) = req
                .id
                .split('/')
                .find(|s| super::validate::is_dot_segment(s))
            {
                // Import IDs become URL path segments, where `.` and `..` name a parent.
                diags.error(
                    "Invalid import ID",
                    format!(
                        "The import ID {:?} has a part {seg:?}: `.` and `..` are not ids or names \
                         of an object (in the API's URLs they name the parent or the collection).",
                        req.id
                    ),
                );
                None
            } else {
                Some(e.imp.import(&ctx, &req.id, &mut diags).await)
            };
            if let Some(v) = v
                && !diags.has_errors()
                && let Some(state) = encode(&v, &e.ty, &mut diags)
            {
                let fallback = if by_identity {
                    req.identity.clone()
                } else {
                    None
                };
                let identity = self.identity_out(e, &req.type_name, &v, fallback, &mut diags);
                imported.push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    identity,
                    ..Default::default()
                });
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("MoveResourceState", &req.target_type_name);
        let mut diags = Diagnostics::new();
        let target =
            self.resource(&req.target_type_name, &mut diags)
                .map(|e| super::moves::MoveTarget {
                    resource: e.imp.as_ref(),
                    state_type: &e.ty,
                    identity_type: self.identities.get(&req.target_type_name).map(|(_, t)| t),
                });
        Ok(Response::new(super::moves::move_resource_state(
            target, &req, diags,
        )))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ReadDataSource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some(e) = lookup(
            &self.data_sources,
            "data source",
            &req.type_name,
            &mut diags,
        ) && let Some(config) = decode(
            req.config.as_ref(),
            &e.ty,
            "data source configuration",
            &mut diags,
        ) {
            let ctx = self.ctx(req.client_capabilities.as_ref());
            let mut v = e.imp.read(&ctx, &config, &mut diags).await;
            if !diags.has_errors() {
                finish_state(&e.schema, &mut v, &mut diags);
                state = encode(&v, &e.ty, &mut diags);
            }
        }
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("GenerateResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut config = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some(state) = decode(req.state.as_ref(), &e.ty, "resource state", &mut diags)
        {
            config = encode(&generate_config(&e.schema, &state), &e.ty, &mut diags);
        }
        Ok(Response::new(pb::generate_resource_config::Response {
            config,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ValidateEphemeralResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = lookup(
            &self.ephemerals,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) && let Some(config) = decode(
            req.config.as_ref(),
            &e.ty,
            "ephemeral resource configuration",
            &mut diags,
        ) {
            e.schema
                .block
                .validate(&config, &AttributePath::root(), &mut diags);
            e.imp.validate(&config, &mut diags);
        }
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags_to_proto(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("OpenEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::open_ephemeral_resource::Response::default();
        if let Some(e) = lookup(
            &self.ephemerals,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) && let Some(config) = decode(
            req.config.as_ref(),
            &e.ty,
            "ephemeral resource configuration",
            &mut diags,
        ) {
            let ctx = self.ctx(req.client_capabilities.as_ref());
            let mut opened = e.imp.open(&ctx, &config, &mut diags).await;
            if !diags.has_errors() {
                finish_state(&e.schema, &mut opened.result, &mut diags);
                resp.result = encode(&opened.result, &e.ty, &mut diags);
                resp.private = opened.private;
                resp.renew_at = opened.renew_at.map(timestamp);
            }
        }
        resp.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(resp))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("RenewEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::renew_ephemeral_resource::Response::default();
        if let Some(e) = lookup(
            &self.ephemerals,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) {
            let (private, renew_at) = e.imp.renew(&self.ctx(None), req.private, &mut diags).await;
            resp.private = private;
            resp.renew_at = renew_at.map(timestamp);
        }
        resp.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(resp))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("CloseEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = lookup(
            &self.ephemerals,
            "ephemeral resource",
            &req.type_name,
            &mut diags,
        ) {
            e.imp.close(&self.ctx(None), req.private, &mut diags).await;
        }
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ListResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let found = lookup(
            &self.list_resources,
            "list resource",
            &req.type_name,
            &mut diags,
        )
        .and_then(|l| {
            let r = self.resource(&req.type_name, &mut diags)?;
            let (_, id_ty) = self.identities.get(&req.type_name)?;
            let config = decode(req.config.as_ref(), &l.ty, "list configuration", &mut diags)?;
            Some((
                l.imp.clone(),
                r.imp.clone(),
                r.ty.clone(),
                id_ty.clone(),
                config,
            ))
        });
        let Some((list, res, res_ty, id_ty, config)) = found else {
            if !diags.has_errors() {
                diags.error(
                    "List resource without identity",
                    format!(
                        "{} has no resource identity to list by. This is a bug in the provider.",
                        req.type_name
                    ),
                );
            }
            let event = pb::list_resource::Event {
                diagnostic: diags_to_proto(&diags),
                ..Default::default()
            };
            return Ok(Response::new(Box::pin(tokio_stream::once(Ok(event)))));
        };
        // The lister runs on its own task and hands over each result as soon as it has it; a
        // channel of one keeps it at most one result ahead of what Terraform has taken.
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let ctx = self.ctx(None);
        let limit = req.limit;
        tokio::spawn(async move {
            let mut sink = ListSink::new(tx, limit);
            list.list(&ctx, &config, &mut sink).await;
        });
        let include = req.include_resource_object;
        let stream = tokio_stream::wrappers::ReceiverStream::new(rx)
            .map(move |ev| Ok(list_event(&res, &res_ty, &id_ty, include, ev)));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("ValidateListResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = lookup(
            &self.list_resources,
            "list resource",
            &req.type_name,
            &mut diags,
        ) && let Some(config) =
            decode(req.config.as_ref(), &e.ty, "list configuration", &mut diags)
        {
            e.schema
                .block
                .validate(&config, &AttributePath::root(), &mut diags);
            e.imp.validate(&config, &mut diags);
        }
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        let _log = RpcLog::new("GetFunctions", "");
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        let _log = RpcLog::new("CallFunction", &req.name);
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("The vcf provider has no function {:?}.", req.name),
                function_argument: None,
            }),
        }))
    }

    async fn validate_state_store_config(
        &self,
        req: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        let _log = RpcLog::new("ValidateStateStoreConfig", &req.get_ref().type_name);
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn configure_state_store(
        &self,
        req: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        let _log = RpcLog::new("ConfigureStateStore", &req.get_ref().type_name);
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: not_offered("state stores"),
            capabilities: None,
        }))
    }

    type ReadStateBytesStream = BoxStream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        req: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        let _log = RpcLog::new("ReadStateBytes", &req.get_ref().type_name);
        let resp = pb::read_state_bytes::Response {
            diagnostics: not_offered("state stores"),
            ..Default::default()
        };
        Ok(Response::new(Box::pin(tokio_stream::once(Ok(resp)))))
    }

    async fn write_state_bytes(
        &self,
        _req: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        let _log = RpcLog::new("WriteStateBytes", "");
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn lock_state(
        &self,
        req: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        let _log = RpcLog::new("LockState", &req.get_ref().type_name);
        Ok(Response::new(pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn unlock_state(
        &self,
        req: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        let _log = RpcLog::new("UnlockState", &req.get_ref().type_name);
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn get_states(
        &self,
        req: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        let _log = RpcLog::new("GetStates", &req.get_ref().type_name);
        Ok(Response::new(pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn delete_state(
        &self,
        req: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        let _log = RpcLog::new("DeleteState", &req.get_ref().type_name);
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: not_offered("state stores"),
        }))
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = req.into_inner();
        let ctx = self.ctx(req.client_capabilities.as_ref());
        Ok(Response::new(self.actions.plan(ctx, req).await))
    }

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        let req = req.into_inner();
        let ctx = self.ctx(req.client_capabilities.as_ref());
        Ok(Response::new(self.actions.invoke(
            ctx,
            req,
            self.stop_token(),
        )))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Ok(Response::new(self.actions.validate(req.into_inner())))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        let _log = RpcLog::new("StopProvider", "");
        // Terraform calls this on Ctrl-C and then waits for the operations in flight: they end
        // at once, each with a diagnostic that says it was cancelled.
        self.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    //! The RPC layer driven directly with an in-memory resource: plan (computed values,
    //! replacement, write-only), apply (create, update, delete), read, import, state upgrade.
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::framework::plan::{RequiresReplace, UseStateForUnknown};
    use crate::framework::{Attribute, Block};

    /// Objects keyed by name; `id` is computed, `name` forces replacement, `secret_wo` is write-only.
    #[derive(Default)]
    struct Things(Mutex<Vec<(String, String)>>);

    #[async_trait]
    impl Resource for Things {
        fn type_name(&self) -> &'static str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                2,
                Block::new("A thing.")
                    .attribute(
                        Attribute::string("id")
                            .computed()
                            .plan_modifier(UseStateForUnknown),
                    )
                    .attribute(
                        Attribute::string("name")
                            .required()
                            .plan_modifier(RequiresReplace),
                    )
                    .attribute(Attribute::string("note").optional())
                    .attribute(Attribute::string("secret_wo").optional().write_only()),
            )
        }
        async fn create(&self, _: &Ctx, planned: &Value, _: &Value, _: &mut Diagnostics) -> Value {
            let mut v = planned.clone();
            let name = planned
                .attr("name")
                .as_str()
                .unwrap_or_default()
                .to_string();
            self.0.lock().unwrap().push((
                name.clone(),
                planned
                    .attr("note")
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
            v.set_attr("id", Value::string(format!("id-{name}")));
            v
        }
        async fn read(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) -> Value {
            let name = state.attr("name").as_str().unwrap_or_default();
            if self.0.lock().unwrap().iter().any(|(n, _)| n == name) {
                state.clone()
            } else {
                Value::Null
            }
        }
        async fn update(
            &self,
            _: &Ctx,
            _: &Value,
            planned: &Value,
            _: &Value,
            _: &mut Diagnostics,
        ) -> Value {
            planned.clone()
        }
        async fn delete(&self, _: &Ctx, state: &Value, _: &mut Diagnostics) {
            let name = state.attr("name").as_str().unwrap_or_default().to_string();
            self.0.lock().unwrap().retain(|(n, _)| *n != name);
        }
        async fn import(&self, _: &Ctx, id: &str, _: &mut Diagnostics) -> Value {
            let name = id.trim_start_matches("id-");
            Value::object([
                ("id", Value::string(id)),
                ("name", Value::string(name)),
                ("note", Value::Null),
                ("secret_wo", Value::Null),
            ])
        }
        fn identity_schema(&self) -> Option<IdentitySchema> {
            Some(IdentitySchema::new(
                0,
                vec![crate::framework::IdentityAttribute::required(
                    "name",
                    "The name.",
                )],
            ))
        }
        fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
            Some(format!("id-{}", identity.attr("name").as_str()?))
        }
    }

    /// Lists `count` things in pages of two; before each page after the first it waits for
    /// a permit, so a test decides when the next "page" is fetched.
    struct ThingList {
        count: usize,
        pages: Arc<tokio::sync::Semaphore>,
        fetched: Arc<std::sync::atomic::AtomicUsize>,
    }

    #[async_trait]
    impl ListResource for ThingList {
        fn type_name(&self) -> &'static str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                0,
                Block::new("").attribute(Attribute::string("prefix").optional()),
            )
        }
        async fn list(&self, _: &Ctx, config: &Value, sink: &mut ListSink) {
            let prefix = config.attr("prefix").as_str().unwrap_or("t").to_string();
            for page in 0..self.count.div_ceil(2) {
                if page > 0 {
                    self.pages.acquire().await.unwrap().forget();
                }
                self.fetched
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                for i in page * 2..(page * 2 + 2).min(self.count) {
                    let name = format!("{prefix}{i}");
                    let state = thing(Value::string(format!("id-{name}")), &name, None, None);
                    if !sink.send(state, name).await {
                        return;
                    }
                }
            }
        }
    }

    struct TestProvider;

    #[async_trait]
    impl Provider for TestProvider {
        fn type_name(&self) -> &'static str {
            "test"
        }
        fn schema(&self) -> Schema {
            Schema::new(0, Block::new(""))
        }
        async fn configure(
            &self,
            _: &Value,
            _: &str,
            _: &StopToken,
            _: &mut Diagnostics,
        ) -> Option<ProviderData> {
            None
        }
        fn resources(&self) -> Vec<Arc<dyn Resource>> {
            vec![Arc::new(Things::default())]
        }
        fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
            vec![Arc::new(ThingList {
                count: 5,
                pages: Arc::new(tokio::sync::Semaphore::new(0)),
                fetched: Arc::default(),
            })]
        }
    }

    fn ty() -> Type {
        Things::default().schema().value_type()
    }
    fn dv(v: &Value) -> Option<pb::DynamicValue> {
        Some(encode_dynamic(v, &ty()).unwrap())
    }
    fn val(d: Option<pb::DynamicValue>) -> Value {
        decode_dynamic(d.as_ref(), &ty()).unwrap()
    }
    fn thing(id: Value, name: &str, note: Option<&str>, secret: Option<&str>) -> Value {
        Value::object([
            ("id", id),
            ("name", Value::string(name)),
            ("note", Value::opt_string(note)),
            ("secret_wo", Value::opt_string(secret)),
        ])
    }
    fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
        d.iter()
            .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .map(|d| d.summary.clone())
            .collect()
    }

    #[tokio::test]
    async fn plan_apply_read_import_and_destroy() {
        let svc = ProviderService::new(TestProvider);
        let t = || "test_thing".to_string();

        // Create: id unknown, write-only value never planned or stored.
        let config = thing(Value::Null, "a", Some("n1"), Some("s3cret"));
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&Value::Null),
                proposed_new_state: dv(&config),
                config: dv(&config),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&plan.diagnostics).is_empty());
        let planned = val(plan.planned_state);
        assert!(planned.attr("id").is_unknown());
        assert!(planned.attr("secret_wo").is_null());
        let applied = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: t(),
                prior_state: dv(&Value::Null),
                planned_state: dv(&planned),
                config: dv(&config),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let state = val(applied.new_state);
        assert_eq!(state.attr("id").as_str(), Some("id-a"));
        assert!(state.attr("secret_wo").is_null());

        // Changing the note is an in-place update that keeps the id; renaming forces replacement.
        let config2 = thing(Value::Null, "a", Some("n2"), None);
        let mut proposed = config2.clone();
        proposed.set_attr("id", "id-a".into());
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                proposed_new_state: dv(&proposed),
                config: dv(&config2),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(plan.requires_replace.is_empty());
        assert_eq!(val(plan.planned_state).attr("id").as_str(), Some("id-a"));
        let renamed = thing(Value::string("id-a"), "b", Some("n1"), None);
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                proposed_new_state: dv(&renamed),
                config: dv(&thing(Value::Null, "b", Some("n1"), None)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            plan.requires_replace,
            vec![path_to_proto(&AttributePath::attr("name"))]
        );

        // Read finds it; import rebuilds a state for it.
        let read = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: t(),
                current_state: dv(&state),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(val(read.new_state), state);
        let imported = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: t(),
                id: "id-a".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            val(imported.imported_resources[0].state.clone())
                .attr("name")
                .as_str(),
            Some("a")
        );

        // Destroy: planned null, apply deletes, read then reports it gone.
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                proposed_new_state: dv(&Value::Null),
                config: dv(&Value::Null),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(val(plan.planned_state).is_null());
        let applied = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                planned_state: dv(&Value::Null),
                config: dv(&Value::Null),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(val(applied.new_state).is_null());
        let read = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: t(),
                current_state: dv(&state),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(val(read.new_state).is_null());
    }

    #[tokio::test]
    async fn state_upgrade_passes_the_current_version_through() {
        let svc = ProviderService::new(TestProvider);
        let upgrade = |version: i64, json: &str| pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version,
            raw_state: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                flatmap: Default::default(),
            }),
        };
        let raw = r#"{"id":"id-a","name":"a","note":null,"secret_wo":null,"removed_attr":1}"#;
        let r = svc
            .upgrade_resource_state(Request::new(upgrade(2, raw)))
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
        assert_eq!(val(r.upgraded_state).attr("id").as_str(), Some("id-a"));
        let r = svc
            .upgrade_resource_state(Request::new(upgrade(3, raw)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            vec!["Resource state from a newer provider"]
        );
        let r = svc
            .upgrade_resource_state(Request::new(upgrade(1, raw)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            vec!["Unable to upgrade resource state"]
        );
        let r = svc
            .upgrade_resource_state(Request::new(upgrade(2, "{not json")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), vec!["Invalid stored state value"]);
    }

    #[tokio::test]
    async fn write_only_needs_a_capable_terraform() {
        let svc = ProviderService::new(TestProvider);
        let config = thing(Value::Null, "a", None, Some("s"));
        let validate = |allowed: bool| pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: dv(&config),
            client_capabilities: Some(pb::ClientCapabilities {
                write_only_attributes_allowed: allowed,
                ..Default::default()
            }),
        };
        let r = svc
            .validate_resource_config(Request::new(validate(false)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            vec!["Write-only attribute not supported"]
        );
        let r = svc
            .validate_resource_config(Request::new(validate(true)))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty());
    }

    fn id_ty() -> Type {
        Type::object([("name", Type::String)])
    }
    fn identity_of(d: Option<pb::ResourceIdentityData>) -> Value {
        decode_dynamic(d.and_then(|i| i.identity_data).as_ref(), &id_ty()).unwrap()
    }
    fn identity(name: &str) -> Option<pb::ResourceIdentityData> {
        Some(pb::ResourceIdentityData {
            identity_data: Some(
                encode_dynamic(&Value::object([("name", Value::string(name))]), &id_ty()).unwrap(),
            ),
        })
    }

    #[tokio::test]
    async fn identity_in_every_response_and_import_by_identity() {
        let svc = ProviderService::new(TestProvider);
        let t = || "test_thing".to_string();
        let schemas = svc
            .get_resource_identity_schemas(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        let s = &schemas.identity_schemas["test_thing"];
        assert_eq!(s.version, 0);
        assert_eq!(s.identity_attributes[0].name, "name");
        assert!(s.identity_attributes[0].required_for_import);

        // Create: identity known at plan (from configured attributes) and after apply.
        let config = thing(Value::Null, "a", None, None);
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&Value::Null),
                proposed_new_state: dv(&config),
                config: dv(&config),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            identity_of(plan.planned_identity.clone())
                .attr("name")
                .as_str(),
            Some("a")
        );
        // Not known yet (the name comes from another resource): no planned identity at all,
        // never an unknown one.
        let unknown_name = Value::object([
            ("id", Value::Null),
            ("name", Value::Unknown),
            ("note", Value::Null),
            ("secret_wo", Value::Null),
        ]);
        let later = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&Value::Null),
                proposed_new_state: dv(&unknown_name),
                config: dv(&unknown_name),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&later.diagnostics).is_empty());
        assert!(later.planned_identity.is_none());
        let applied = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: t(),
                prior_state: dv(&Value::Null),
                planned_state: plan.planned_state,
                config: dv(&config),
                planned_identity: plan.planned_identity,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            identity_of(applied.new_identity).attr("name").as_str(),
            Some("a")
        );
        let state = val(applied.new_state);

        // Update in place keeps the prior identity; replacement plans the new one.
        let mut proposed = state.clone();
        proposed.set_attr("note", "n".into());
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                proposed_new_state: dv(&proposed),
                config: dv(&thing(Value::Null, "a", Some("n"), None)),
                prior_identity: identity("a"),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(plan.planned_identity, identity("a"));
        let renamed = thing(Value::string("id-a"), "b", None, None);
        let plan = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: t(),
                prior_state: dv(&state),
                proposed_new_state: dv(&renamed),
                config: dv(&thing(Value::Null, "b", None, None)),
                prior_identity: identity("a"),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(plan.planned_identity, identity("b"));

        // Read returns the identity; a vanished object has none.
        let read = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: t(),
                current_state: dv(&state),
                current_identity: identity("a"),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.new_identity, identity("a"));
        let gone = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: t(),
                current_state: dv(&thing(Value::string("id-z"), "z", None, None)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(gone.new_identity.is_none());

        // Import by identity goes through the import ID; the result carries the identity.
        let imported = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: t(),
                identity: identity("a"),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&imported.diagnostics).is_empty());
        let r = &imported.imported_resources[0];
        assert_eq!(val(r.state.clone()).attr("id").as_str(), Some("id-a"));
        assert_eq!(r.identity, identity("a"));

        // A malformed identity is a diagnostic, not a crash.
        let bad = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: t(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(pb::DynamicValue {
                        msgpack: vec![0xc1],
                        json: Vec::new(),
                    }),
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&bad.diagnostics).len(), 1);
        assert!(bad.imported_resources.is_empty());

        // Identity upgrade: the current version passes through, others are refused.
        let up = |version| pb::upgrade_resource_identity::Request {
            type_name: t(),
            version,
            raw_identity: Some(pb::RawState {
                json: br#"{"name":"a"}"#.to_vec(),
                flatmap: Default::default(),
            }),
        };
        let r = svc
            .upgrade_resource_identity(Request::new(up(0)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.upgraded_identity, identity("a"));
        let r = svc
            .upgrade_resource_identity(Request::new(up(1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            vec!["Unable to upgrade resource identity"]
        );
    }

    #[tokio::test]
    async fn generated_config_drops_computed_and_write_only() {
        let svc = ProviderService::new(TestProvider);
        let r = svc
            .generate_resource_config(Request::new(pb::generate_resource_config::Request {
                type_name: "test_thing".into(),
                state: dv(&thing(Value::string("id-a"), "a", Some("n"), Some("s"))),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty());
        assert_eq!(val(r.config), thing(Value::Null, "a", Some("n"), None));
    }

    fn list_req(limit: i64, include: bool) -> pb::list_resource::Request {
        let lty = Type::object([("prefix", Type::String)]);
        pb::list_resource::Request {
            type_name: "test_thing".into(),
            config: Some(
                encode_dynamic(&Value::object([("prefix", Value::string("p"))]), &lty).unwrap(),
            ),
            include_resource_object: include,
            limit,
        }
    }

    #[tokio::test]
    async fn list_streams_each_page_as_it_arrives_and_honours_the_limit() {
        let pages = Arc::new(tokio::sync::Semaphore::new(0));
        let fetched = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        struct P(
            Arc<tokio::sync::Semaphore>,
            Arc<std::sync::atomic::AtomicUsize>,
        );
        #[async_trait]
        impl Provider for P {
            fn type_name(&self) -> &'static str {
                "test"
            }
            fn schema(&self) -> Schema {
                Schema::new(0, Block::new(""))
            }
            async fn configure(
                &self,
                _: &Value,
                _: &str,
                _: &StopToken,
                _: &mut Diagnostics,
            ) -> Option<ProviderData> {
                None
            }
            fn resources(&self) -> Vec<Arc<dyn Resource>> {
                vec![Arc::new(Things::default())]
            }
            fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
                vec![Arc::new(ThingList {
                    count: 5,
                    pages: self.0.clone(),
                    fetched: self.1.clone(),
                })]
            }
        }
        let svc = ProviderService::new(P(pages.clone(), fetched.clone()));
        let meta = svc
            .get_metadata(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(meta.list_resources[0].type_name, "test_thing");
        let schema = svc
            .get_provider_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(schema.list_resource_schemas.contains_key("test_thing"));
        assert!(schema.server_capabilities.unwrap().generate_resource_config);

        let mut stream = svc
            .list_resource(Request::new(list_req(0, true)))
            .await
            .unwrap()
            .into_inner();
        // The first results arrive while later pages are not fetched (they wait for permits).
        let first = stream.next().await.unwrap().unwrap();
        assert_eq!(first.display_name, "p0");
        assert_eq!(
            identity_of(first.identity).attr("name").as_str(),
            Some("p0")
        );
        assert_eq!(
            val(first.resource_object).attr("id").as_str(),
            Some("id-p0")
        );
        assert_eq!(stream.next().await.unwrap().unwrap().display_name, "p1");
        assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 1);
        pages.add_permits(2);
        let rest: Vec<String> = stream.map(|e| e.unwrap().display_name).collect().await;
        assert_eq!(rest, vec!["p2", "p3", "p4"]);
        assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 3);

        // A limit of 3 ends the stream after the second page without fetching the third, and
        // without the object when it is not asked for.
        fetched.store(0, std::sync::atomic::Ordering::SeqCst);
        pages.add_permits(1);
        let events: Vec<pb::list_resource::Event> = svc
            .list_resource(Request::new(list_req(3, false)))
            .await
            .unwrap()
            .into_inner()
            .map(|e| e.unwrap())
            .collect()
            .await;
        assert_eq!(events.len(), 3);
        assert!(
            events
                .iter()
                .all(|e| e.resource_object.is_none() && e.identity.is_some())
        );
        assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 2);

        // Unknown list type: one event with the diagnostic.
        let mut req = list_req(0, false);
        req.type_name = "test_other".into();
        let events: Vec<_> = svc
            .list_resource(Request::new(req))
            .await
            .unwrap()
            .into_inner()
            .collect()
            .await;
        assert_eq!(events.len(), 1);
        assert_eq!(
            errors(&events[0].as_ref().unwrap().diagnostic),
            vec!["Unknown list resource type"]
        );
    }
}
