//! OpenEphemeralResource, RenewEphemeralResource and CloseEphemeralResource.

use super::wire::{finish_state, timestamp};
use super::{ProviderService, RpcLog, decode, diags_to_proto, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::traits::Provider;
use crate::proto::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    pub(super) async fn open(
        &self,
        req: pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        let _log = RpcLog::new("OpenEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::open_ephemeral_resource::Response::default();
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags)
            && let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "ephemeral resource configuration",
                &mut diags,
            )
        {
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
        resp
    }

    pub(super) async fn renew(
        &self,
        req: pb::renew_ephemeral_resource::Request,
    ) -> pb::renew_ephemeral_resource::Response {
        let _log = RpcLog::new("RenewEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut resp = pb::renew_ephemeral_resource::Response::default();
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags) {
            let (private, renew_at) = e.imp.renew(&self.ctx(None), req.private, &mut diags).await;
            resp.private = private;
            resp.renew_at = renew_at.map(timestamp);
        }
        resp.diagnostics = diags_to_proto(&diags);
        resp
    }

    pub(super) async fn close(
        &self,
        req: pb::close_ephemeral_resource::Request,
    ) -> pb::close_ephemeral_resource::Response {
        let _log = RpcLog::new("CloseEphemeralResource", &req.type_name);
        let mut diags = Diagnostics::new();
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags) {
            e.imp.close(&self.ctx(None), req.private, &mut diags).await;
        }
        pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }
}
