//! The managed-resource RPCs: UpgradeResourceState, ReadResource, PlanResourceChange,
//! ApplyResourceChange, ImportResourceState, MoveResourceState and GenerateResourceConfig.

use super::{ProviderService, RpcLog, decode, diags_to_proto, encode, path_to_proto};
use crate::framework::diag::Diagnostics;
use crate::framework::identity::generate_config;
use crate::framework::json;
use crate::framework::moves::{MoveTarget, move_resource_state};
use crate::framework::plan::plan_resource;
use crate::framework::traits::{PlanChange, Provider};
use crate::framework::validate::is_dot_segment;
use crate::framework::value::{Type, Value};
use crate::proto::tfplugin6 as pb;

use super::wire::finish_state;

/// Decodes the three values of a plan or apply request: the prior state, the new state (the
/// proposed one of a plan, the planned one of an apply, named by `new.1` in its diagnostic)
/// and the configuration. All three are decoded, so each one that fails has its diagnostic;
/// the values come back only when every one decoded.
fn decode_change(
    ty: &Type,
    prior: Option<&pb::DynamicValue>,
    new: (Option<&pb::DynamicValue>, &str),
    config: Option<&pb::DynamicValue>,
    diags: &mut Diagnostics,
) -> Option<(Value, Value, Value)> {
    let prior = decode(prior, ty, "prior state", diags);
    let new = decode(new.0, ty, new.1, diags);
    let config = decode(config, ty, "resource configuration", diags);
    Some((prior?, new?, config?))
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn upgrade_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let _log = RpcLog::new("UpgradeResourceState", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut upgraded_state = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags) {
            let raw = req.raw_state.unwrap_or_default();
            let current = e.schema.version;
            let value = if raw.json.is_empty() && !raw.flatmap.is_empty() {
                diags.error(
                    "Unsupported state format",
                    format!(
                        "This state was written in the flatmap format of Terraform 0.11 or earlier, which the {} provider never used.",
                        self.name
                    ),
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
        pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn read(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
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
        pb::read_resource::Response {
            new_state,
            diagnostics: diags_to_proto(&diags),
            private: req.private,
            new_identity,
            ..Default::default()
        }
    }

    pub(super) async fn plan(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let _log = RpcLog::new("PlanResourceChange", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::plan_resource_change::Response {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some((prior, proposed, config)) = decode_change(
                &e.ty,
                req.prior_state.as_ref(),
                (req.proposed_new_state.as_ref(), "proposed new state"),
                req.config.as_ref(),
                &mut diags,
            )
        {
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
                resp.requires_replace = change.requires_replace.iter().map(path_to_proto).collect();
                if let Some(p) = change.planned_private.take() {
                    resp.planned_private = p;
                }
                resp.planned_state = encode(&change.planned, &e.ty, &mut diags);
                // An identity changes only by replacement. A new object whose identity is not
                // known yet plans none: Terraform 1.15 accepts an unknown planned identity but
                // then cannot write the plan as JSON ("value is not known").
                resp.planned_identity = if !prior.is_null() && resp.requires_replace.is_empty() {
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
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }

    pub(super) async fn apply(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        let _log = RpcLog::new("ApplyResourceChange", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut new_state = None;
        let mut new_identity = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some((prior, planned, config)) = decode_change(
                &e.ty,
                req.prior_state.as_ref(),
                (req.planned_state.as_ref(), "planned state"),
                req.config.as_ref(),
                &mut diags,
            )
        {
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
        pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags_to_proto(&diags),
            new_identity,
            ..Default::default()
        }
    }

    pub(super) async fn import(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
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
            } else if let Some(seg) = req.id.split('/').find(|s| is_dot_segment(s)) {
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
        pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }

    pub(super) fn move_state(
        &self,
        req: pb::move_resource_state::Request,
    ) -> pb::move_resource_state::Response {
        let _log = RpcLog::new("MoveResourceState", &req.target_type_name);
        let mut diags = Diagnostics::new();
        let target = self
            .resource(&req.target_type_name, &mut diags)
            .map(|e| MoveTarget {
                resource: e.imp.as_ref(),
                state_type: &e.ty,
                identity_type: self.identities.get(&req.target_type_name).map(|(_, t)| t),
            });
        move_resource_state(target, &req, diags)
    }

    pub(super) fn generate_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        let _log = RpcLog::new("GenerateResourceConfig", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut config = None;
        if let Some(e) = self.resource(&req.type_name, &mut diags)
            && let Some(state) = decode(req.state.as_ref(), &e.ty, "resource state", &mut diags)
        {
            config = encode(&generate_config(&e.schema, &state), &e.ty, &mut diags);
        }
        pb::generate_resource_config::Response {
            config,
            diagnostics: diags_to_proto(&diags),
        }
    }
}
