//! Data source `vcf_principal_roles`: the VCF role assignments a principal has now.

use async_trait::async_trait;

use crate::framework::validate::{Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostics, Nesting, Schema, Value};

use super::role_schema::*;
use super::{fail, fleet_realm, realm_lookup_attribute, s};

pub struct PrincipalRolesData;

#[async_trait]
impl DataSource for PrincipalRolesData {
    fn type_name(&self) -> &'static str {
        "vcf_principal_roles"
    }

    fn schema(&self) -> Schema {
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
                        .description(
                            "The principal's assignments, in the order the API returns them.",
                        ),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some((f, realm)) = fleet_realm(ctx, config, diags).await else {
            return Value::Null;
        };
        let Some(principal) = s(config, "principal_id") else {
            return Value::Null;
        };
        match f.assignments(&realm.id, &principal).await {
            Ok(set) => {
                let Value::Set(items) = assignments_value(&set, &Value::Null) else {
                    return Value::Null;
                };
                let mut v = config.clone();
                v.set_attr("assignments", Value::List(items));
                v
            }
            Err(e) => fail(diags, e).unwrap_or(Value::Null),
        }
    }
}
