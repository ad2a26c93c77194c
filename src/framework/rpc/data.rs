//! ReadDataSource.

use super::wire::finish_state;
use super::{ProviderService, RpcLog, decode, diags_to_proto, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::traits::Provider;
use crate::proto::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    pub(super) async fn read_data(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let _log = RpcLog::new("ReadDataSource", &req.type_name);
        let mut diags = Diagnostics::new();
        let mut state = None;
        if let Some(e) = self.data_source(&req.type_name, &mut diags)
            && let Some(config) = decode(
                req.config.as_ref(),
                &e.ty,
                "data source configuration",
                &mut diags,
            )
        {
            let ctx = self.ctx(req.client_capabilities.as_ref());
            let mut v = e.imp.read(&ctx, &config, &mut diags).await;
            if !diags.has_errors() {
                finish_state(&e.schema, &mut v, &mut diags);
                state = encode(&v, &e.ty, &mut diags);
            }
        }
        pb::read_data_source::Response {
            state,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }
    }
}
