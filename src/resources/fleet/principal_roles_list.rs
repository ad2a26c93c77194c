//! `list "vcf_principal_roles"` of `terraform query`: principals with at least one role
//! assignment, each with its complete set. Each result is the state that importing it produces
//! (import, then the resource's own read), so `terraform query -generate-config-out` writes
//! configuration that imports and re-plans empty. Identity: `{sso_realm_id, principal_id}`.

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::{Ctx, Diagnostics, ListSink, Read, Schema, TypedList, TypedResource};

use super::fleet_realm_of;
use super::principal_roles::PrincipalRoles;
use super::role_schema::{PrincipalListConfig, known_items, principal_list_schema};

/// `list "vcf_principal_roles"`: principals of a realm that hold VCF role assignments, each
/// with its complete set.
pub struct PrincipalRolesList;

#[async_trait]
impl TypedList for PrincipalRolesList {
    type Config = PrincipalListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
        principal_list_schema(
            "Finds principals with VCF role assignments and their complete assignment sets, to adopt as \
             `vcf_principal_roles` (authoritative: never together with `vcf_role_assignment` for the same \
             principal). Without `principal_id`, every API client of the realm is looked at, page by page; \
             principals without assignments are not listed. SSO users and groups are listed only by \
             `principal_id` (the API cannot enumerate them).",
            "Only this principal (an API client's `principal_id`, or an SSO user or group).",
            "Only principals that hold this VCF role (at any scope).",
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: PrincipalListConfig,
        sink: &mut ListSink,
    ) -> Result<()> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let principal = config.principal_id.as_deref();
        let role = config.role_name.as_deref();
        // One page at a time: the limit ends the listing early.
        let mut page = 0;
        loop {
            let (principals, more) = f.principals_page(&realm.id, principal, page).await?;
            for (principal, label) in principals {
                if !send_principal(ctx, &realm.id, &principal, &label, role, sink).await? {
                    return Ok(());
                }
            }
            if !more || !sink.wants_more() {
                return Ok(());
            }
            page += 1;
        }
    }
}

/// Sends the assignment set of `principal` (labelled `label`) when it has assignments (of
/// `role`, when given). False when the list should stop: the limit is reached or Terraform went
/// away.
async fn send_principal(
    ctx: &Ctx,
    realm: &str,
    principal: &str,
    label: &str,
    role: Option<&str>,
    sink: &mut ListSink,
) -> Result<bool> {
    // What `terraform import vcf_principal_roles.x <realm>/<principal>` and the refresh after
    // it make: the import state completed by the resource's own read. Its warnings go with an
    // error only.
    let mut diags = Diagnostics::new();
    let read = match PrincipalRoles
        .import(ctx, &format!("{realm}/{principal}"), &mut diags)
        .await
    {
        Ok(imported) => PrincipalRoles.read(ctx, imported, &mut diags).await,
        Err(e) => Err(e),
    };
    let state = match read {
        Ok(Read::Found(state)) => state,
        // The principal went away since it was listed (the read's warning is not news here).
        Ok(Read::Gone { .. }) => return Ok(true),
        Err(mut failed) => {
            diags.extend(failed.diags);
            failed.diags = diags;
            return Err(failed);
        }
    };
    let roles: Vec<&str> = known_items(&state.assignments)
        .iter()
        .filter_map(|a| a.role_name.as_deref())
        .collect();
    if roles.is_empty() || role.is_some_and(|r| !roles.contains(&r)) {
        return Ok(true);
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
    Ok(sink.send(state.to_value(), text).await)
}
