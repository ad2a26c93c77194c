//! Resource identities: GetResourceIdentitySchemas, UpgradeResourceIdentity, and the identity
//! that read, plan, apply and import return beside a state.

use super::{Entry, ProviderService, RpcLog, diags_to_proto, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::identity::is_complete;
use crate::framework::json;
use crate::framework::traits::{Provider, Resource};
use crate::framework::value::Value;
use crate::proto::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    pub(super) fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        let _log = RpcLog::new("GetResourceIdentitySchemas", "");
        pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .identities
                .iter()
                .map(|(k, (s, _))| (k.clone(), s.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    pub(super) fn upgrade_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        let _log = RpcLog::new("UpgradeResourceIdentity", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut upgraded_identity = None;
        match self.identities.get(&req.type_name) {
            None => diags.error(
                "Resource type has no identity",
                format!(
                    "The {} provider has no resource identity for {:?}.",
                    self.name, req.type_name
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
        pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags_to_proto(&diags),
        }
    }

    /// The identity of `state` for the wire, when the type has identities and the value is
    /// complete; otherwise `fallback` (what Terraform sent).
    pub(super) fn identity_out(
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
