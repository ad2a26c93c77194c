//! Data source `vcf_principal_roles`: the VCF role assignments a principal has now.

use async_trait::async_trait;

use crate::framework::typed::Result;
use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Nesting, Schema, TypedDataSource, Val};

use super::realm_lookup_attribute;
use super::role_schema::*;

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("The VCF role assignments a principal has now.")
            .attribute(realm_lookup_attribute())
            .attribute(
                Attribute::string("principal_id")
                    .validator(PathSegment)
                    .required()
                    .description("The principal, for example an API client's `principal_id`.")
                    .validator(Length::at_least(1)),
            )
            .attribute(
                Attribute::nested("assignments", Nesting::List, assignment_attrs(true))
                    .computed()
                    .description("The principal's assignments, in the order the API returns them."),
            ),
    )
}

crate::model! {
    /// `vcf_principal_roles`, the data source.
    pub struct PrincipalRolesDataModel {
        pub sso_realm_id: Val<String>,
        pub principal_id: Val<String>,
        pub assignments: Val<Vec<AssignmentModel>>,
    }
}

/// `vcf_principal_roles`, the data source.
pub struct PrincipalRolesData;

#[async_trait]
impl TypedDataSource for PrincipalRolesData {
    type Model = PrincipalRolesDataModel;

    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: PrincipalRolesDataModel,
        _diags: &mut Diagnostics,
    ) -> Result<PrincipalRolesDataModel> {
        let (f, realm, principal) =
            principal_realm(ctx, &config.sso_realm_id, &config.principal_id).await?;
        let set = f.assignments(&realm.id, &principal).await?;
        Ok(PrincipalRolesDataModel {
            assignments: Val::Known(assignments_of(&set, &[])),
            ..config
        })
    }
}
