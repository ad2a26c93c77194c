//! `list "vcf_custom_role"` of `terraform query`: the fleet's custom VCF roles (built-in roles
//! belong to the product and cannot be managed, so they are never listed). Each result is the
//! state that importing it produces, so `terraform query -generate-config-out` writes
//! configuration that imports and re-plans empty. Identity: `{name}`.

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, ListSink, Schema, TypedList, TypedResource, Val,
};

use super::custom_role::{CustomRole, CustomRoleModel};
use super::fleet_of;

crate::model! {
    /// The configuration of `list "vcf_custom_role"`.
    pub struct CustomRoleListConfig {
        pub name_prefix: Val<String>,
    }
}

/// `list "vcf_custom_role"`: the custom VCF roles of the fleet.
pub struct CustomRoleList;

#[async_trait]
impl TypedList for CustomRoleList {
    type Config = CustomRoleListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_custom_role"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds the custom VCF roles of the fleet (VCF roles are fleet-wide). Built-in roles \
                 (`vcf_admin`, `vcf_viewer`, …) are never listed: they belong to the product and cannot be managed.",
            )
            .attribute(
                Attribute::string("name_prefix")
                    .optional()
                    .description("Only roles whose name starts with this text."),
            ),
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: CustomRoleListConfig,
        sink: &mut ListSink,
    ) -> Result<()> {
        // The role listing every role reader shares (all pages; roles are few).
        let roles = fleet_of(ctx)?.roles().await?;
        let prefix = config.name_prefix.into_option().unwrap_or_default();
        for r in roles
            .iter()
            .filter(|r| !r.built_in() && r.role_name.starts_with(&prefix))
        {
            // What `terraform import vcf_custom_role.x <name>` and the refresh after it make. A
            // name the import refuses (it holds a `/`) cannot be adopted: it is left out.
            let Ok(imported) = CustomRole
                .import(ctx, &r.role_name, &mut Diagnostics::new())
                .await
            else {
                continue;
            };
            let state = CustomRoleModel::of(r, &imported);
            let label = match r.role_display_name.as_deref() {
                Some(d) if !d.is_empty() && d != r.role_name => format!("{} ({d})", r.role_name),
                _ => r.role_name.clone(),
            };
            if !sink.send(state.to_value(), label).await {
                break;
            }
        }
        Ok(())
    }
}
