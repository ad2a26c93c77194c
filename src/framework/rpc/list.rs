//! ListResource: a stream of the objects a list resource finds, each with its identity.

use std::sync::Arc;

use tokio_stream::StreamExt;

use super::{BoxStream, ProviderService, RpcLog, decode, diags_to_proto, encode};
use crate::framework::diag::Diagnostics;
use crate::framework::identity::{ListEvent, ListSink};
use crate::framework::traits::{Provider, Resource};
use crate::framework::value::Type;
use crate::proto::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    pub(super) fn list(
        &self,
        req: pb::list_resource::Request,
    ) -> BoxStream<pb::list_resource::Event> {
        let _log = RpcLog::new("ListResource", &req.type_name);
        let mut diags = Diagnostics::new();
        let found = self.lister(&req.type_name, &mut diags).and_then(|l| {
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
            return Box::pin(tokio_stream::once(Ok(event)));
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
        Box::pin(stream)
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
