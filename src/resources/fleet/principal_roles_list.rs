//! `list "vcf_principal_roles"` of `terraform query`: principals with at least one role
//! assignment, each with its complete set. Each result is the state that importing it produces
//! (import, then the resource's own read), so `terraform query -generate-config-out` writes
//! configuration that imports and re-plans empty. Identity: `{sso_realm_id, principal_id}`.

use async_trait::async_trait;

use crate::framework::validate::{Length, PathSegment};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, ListResource, ListSink, Resource, Schema, Value,
};

use super::list::list_fleet_realm;
use super::principal_roles::PrincipalRoles;
use super::{realm_lookup_attribute, s};

/// `list "vcf_principal_roles"`: principals of a realm that hold VCF role assignments, each
/// with its complete set.
pub struct PrincipalRolesList;

#[async_trait]
impl ListResource for PrincipalRolesList {
    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds principals with VCF role assignments and their complete assignment sets, to adopt as \
                 `vcf_principal_roles` (authoritative: never together with `vcf_role_assignment` for the same \
                 principal). Without `principal_id`, every API client of the realm is looked at, page by page; \
                 principals without assignments are not listed. SSO users and groups are listed only by \
                 `principal_id` (the API cannot enumerate them).",
            )
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("principal_id")
                    .validator(PathSegment)
                    .optional()
                    .description("Only this principal (an API client's `principal_id`, or an SSO user or group).")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::string("role_name")
                    .validator(PathSegment)
                    .optional()
                    .description("Only principals that hold this VCF role (at any scope)."),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let Some((f, realm)) = list_fleet_realm(ctx, config, sink).await else {
            return;
        };
        let mut diags = Diagnostics::new();
        let role = s(config, "role_name");
        if let Some(p) = s(config, "principal_id") {
            send_principal(ctx, &realm.id, &p, &p, role.as_deref(), sink).await;
            return;
        }
        // API clients, one page at a time: the limit ends the listing early.
        let mut page = 0;
        loop {
            let (clients, more) = match f.clients_page(&realm.id, None, page).await {
                Ok(p) => p,
                Err(e) => {
                    diags.push(e.to_diagnostic());
                    return sink.diagnostics(diags).await;
                }
            };
            for c in clients {
                if !send_principal(
                    ctx,
                    &realm.id,
                    &c.client_uuid,
                    &c.client_id,
                    role.as_deref(),
                    sink,
                )
                .await
                {
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

/// Sends the assignment set of `principal` (labelled `label`) when it has assignments (of
/// `role`, when given). False when the list should stop: the limit is reached, Terraform went
/// away, or reading failed (the diagnostics are sent).
async fn send_principal(
    ctx: &Ctx,
    realm: &str,
    principal: &str,
    label: &str,
    role: Option<&str>,
    sink: &mut ListSink,
) -> bool {
    let mut diags = Diagnostics::new();
    // What `terraform import vcf_principal_roles.x <realm>/<principal>` and the refresh after
    // it make: the import state completed by the resource's own read.
    let imported = PrincipalRoles
        .import(ctx, &format!("{realm}/{principal}"), &mut diags)
        .await;
    let state = if diags.has_errors() {
        Value::Null
    } else {
        PrincipalRoles.read(ctx, &imported, &mut diags).await
    };
    if diags.has_errors() {
        sink.diagnostics(diags).await;
        return false;
    }
    // Null: the principal went away since it was listed (the read's warning is not news here).
    let roles: Vec<&str> = state
        .attr("assignments")
        .elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.attr("role_name").as_str())
        .collect();
    if roles.is_empty() || role.is_some_and(|r| !roles.contains(&r)) {
        return true;
    }
    let mut names = roles.clone();
    names.sort_unstable();
    names.dedup();
    let text = format!(
        "{label}: {} ({} assignment{})",
        names.join(", "),
        roles.len(),
        if roles.len() == 1 { "" } else { "s" }
    );
    sink.send(state, text).await
}
