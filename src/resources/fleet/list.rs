//! Shared pieces of the fleet list resources of `terraform query` (each list resource sits
//! beside its resource: `api_client_list`, `api_token_list`, `role_assignment_list`, …).

use crate::framework::{Ctx, Diagnostics, ListSink, Value};

use super::{Fleet, RealmJson};

/// Sends the diagnostics of a failed list and ends it.
pub(super) async fn finish(sink: &mut ListSink, diags: Diagnostics) {
    sink.diagnostics(diags).await;
}

/// The fleet handle and the realm a list configuration names (or the default realm); `None`
/// once the diagnostics of what failed are sent.
pub(super) async fn list_fleet_realm<'a>(
    ctx: &'a Ctx,
    config: &Value,
    sink: &mut ListSink,
) -> Option<(Fleet<'a>, &'a RealmJson)> {
    let mut diags = Diagnostics::new();
    let found = super::fleet_realm(ctx, config, &mut diags).await;
    if found.is_none() {
        finish(sink, diags).await;
    }
    found
}
