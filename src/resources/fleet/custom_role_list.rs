//! `list "vcf_custom_role"` of `terraform query`: the fleet's custom VCF roles (built-in roles
//! belong to the product and cannot be managed, so they are never listed). Each result is the
//! state that importing it produces, so `terraform query -generate-config-out` writes
//! configuration that imports and re-plans empty. Identity: `{name}`.

use async_trait::async_trait;

use crate::framework::model::{Model, ToValue};
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, ListResource, ListSink, Resource, Schema, Value,
};

use super::custom_role::{CustomRole, CustomRoleModel};
use super::{fleet, s};

/// `list "vcf_custom_role"`: the custom VCF roles of the fleet.
pub struct CustomRoleList;

#[async_trait]
impl ListResource for CustomRoleList {
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

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut ListSink) {
        let mut diags = Diagnostics::new();
        let Some(f) = fleet(ctx, &mut diags) else {
            return sink.diagnostics(diags).await;
        };
        // The role listing every role reader shares (all pages; roles are few).
        let roles = match f.roles().await {
            Ok(r) => r,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return sink.diagnostics(diags).await;
            }
        };
        let prefix = s(config, "name_prefix").unwrap_or_default();
        for r in roles
            .iter()
            .filter(|r| !r.built_in() && r.role_name.starts_with(&prefix))
        {
            // What `terraform import vcf_custom_role.x <name>` and the refresh after it make.
            let imported = CustomRole.import(ctx, &r.role_name, &mut diags).await;
            if diags.has_errors() {
                // A name the import refuses (it holds a `/`) cannot be adopted; say so, go on.
                diags = Diagnostics::new();
                continue;
            }
            let imported = CustomRoleModel::decode(&imported).unwrap_or_default();
            let state = CustomRoleModel::of(r, &imported).to_value();
            let label = match r.role_display_name.as_deref() {
                Some(d) if !d.is_empty() && d != r.role_name => format!("{} ({d})", r.role_name),
                _ => r.role_name.clone(),
            };
            if !sink.send(state, label).await {
                return;
            }
        }
    }
}
