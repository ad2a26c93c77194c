//! Shared pieces of the fleet list resources of `terraform query`, and the
//! `vcf_api_client` list resource (the token and role-assignment lists and their identities sit
//! beside their resources: `api_token_list`, `role_assignment_list`).

use async_trait::async_trait;

use crate::framework::{Attribute, Block, Ctx, Diagnostics, ListResource, ListSink, Schema, Value};

use super::{Fleet, RealmJson, paths, realm_lookup_attribute, s};

// ---------------------------------------------------------------------------------------------
// List resources

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

/// `list "vcf_api_client"`: every API client of a realm.
pub struct ApiClientList;

#[async_trait]
impl ListResource for ApiClientList {
    fn type_name(&self) -> &'static str {
        "vcf_api_client"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds the API clients of an SSO realm.")
                .attribute(realm_lookup_attribute())
                .attribute(
                    Attribute::string("client_id_prefix")
                        .optional()
                        .description("Only clients whose `client_id` starts with this text."),
                ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        let prefix = s(config, "client_id_prefix").unwrap_or_default();
        // Narrowed on the server (LIKE matches anywhere in the id), exactly here.
        let search = (!prefix.is_empty()).then(|| {
            serde_json::json!({
                "allOf": [{ "field": paths::QUERY_FIELD_CLIENT_ID, "terms": [prefix], "operator": paths::QUERY_OPERATOR }],
                "anyOf": [],
            })
        });
        let mut page = 0;
        loop {
            let (list, more) = match f.clients_page(&realm.id, search.as_ref(), page).await {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return finish(sink, diags).await;
                }
            };
            for c in list.iter().filter(|c| c.client_id.starts_with(&prefix)) {
                let state = super::api_client::state_from(
                    c,
                    Value::string(&realm.id),
                    &realm.id,
                    &Value::Null,
                );
                let label = match c.client_name.as_deref() {
                    Some(n) if !n.is_empty() && n != c.client_id => {
                        format!("{} ({n})", c.client_id)
                    }
                    _ => c.client_id.clone(),
                };
                if !sink.send(state, label).await {
                    return;
                }
            }
            if !more || !sink.wants_more() {
                return;
            }
            page += 1;
        }
    }
}
