//! `list "vcf_role_assignment"` of `terraform query`: the assignments of one principal, or of
//! every API client, each as the state `vcf_role_assignment` has after import (its identity is
//! in [`super::role_assignment`]).

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::{Ctx, ListSink, Schema, TypedList, Val};

use super::fleet_realm_of;
use super::role_assignment::RoleAssignmentModel;
use super::role_schema::{PrincipalListConfig, principal_list_schema};

/// `list "vcf_role_assignment"`: the assignments of one principal, or of every API client.
pub struct RoleAssignmentList;

#[async_trait]
impl TypedList for RoleAssignmentList {
    type Config = PrincipalListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_role_assignment"
    }

    fn schema(&self) -> Schema {
        principal_list_schema(
            "Finds VCF role assignments: those of one principal, or (without `principal_id`) those of every \
             API client of the realm, one principal at a time. SSO users and groups are listed only by \
             `principal_id` (the API cannot enumerate them).",
            "Only this principal's assignments.",
            "Only assignments of this VCF role.",
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: PrincipalListConfig,
        sink: &mut ListSink,
    ) -> Result<()> {
        let (f, realm) = fleet_realm_of(ctx, &config.sso_realm_id).await?;
        let principals = f
            .listed_principals(&realm.id, config.principal_id.as_deref())
            .await?;
        let role = config.role_name.as_deref();
        for (principal, label) in principals {
            let set = match f.assignments(&realm.id, &principal).await {
                Ok(set) => set,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e.into()),
            };
            for a in set.iter().filter(|a| role.is_none_or(|r| r == a.role_name)) {
                let state = RoleAssignmentModel::of(
                    realm.id.as_str().into(),
                    &realm.id,
                    &principal,
                    a,
                    &Val::Null,
                );
                let scope = state.scope_text().unwrap_or_default();
                let text = format!("{label}: {} at {scope}", a.role_name);
                if !sink.send(state.to_value(), text).await {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
