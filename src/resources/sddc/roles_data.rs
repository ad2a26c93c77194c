//! Data source `vcf_sddc_roles`: the roles of SDDC Manager with their ids (`GET /v1/roles`,
//! PageOfRole; `docs/dev/api-contract.md` § A).

use async_trait::async_trait;

use crate::client::Family;
use crate::framework::{
    Attribute, Block, Ctx, DataSource, Diagnostics, Nesting, Schema, Type, Value,
};
use crate::resources::family_client;

use super::api::list_roles;

/// `vcf_sddc_roles`.
pub struct SddcRoles;

#[async_trait]
impl DataSource for SddcRoles {
    fn type_name(&self) -> &'static str {
        "vcf_sddc_roles"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Lists the roles of SDDC Manager (ADMIN, OPERATOR, VIEWER) with their ids.")
                .attribute(
                    Attribute::nested(
                        "roles",
                        Nesting::List,
                        vec![
                            Attribute::string("id").computed().description("Role id."),
                            Attribute::string("name")
                                .computed()
                                .description("Role name: `ADMIN`, `OPERATOR` or `VIEWER`."),
                            Attribute::string("description")
                                .computed()
                                .description("What the role allows, as SDDC Manager describes it."),
                        ],
                    )
                    .computed()
                    .description("Every role, in the order SDDC Manager returns them."),
                )
                .attribute(
                    Attribute::new("ids", Type::map(Type::String))
                        .computed()
                        .description("Role ids by role name, for example `ids[\"OPERATOR\"]`."),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx, _config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(api) = family_client(ctx, Family::SddcManager, diags) else {
            return Value::Null;
        };
        let roles = match list_roles(api).await {
            Ok(r) => r,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return Value::Null;
            }
        };
        Value::object([
            (
                "roles",
                Value::List(
                    roles
                        .iter()
                        .map(|r| {
                            Value::object([
                                ("id", Value::string(&r.id)),
                                ("name", Value::string(&r.name)),
                                ("description", Value::opt_string(r.description.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "ids",
                Value::Map(
                    roles
                        .iter()
                        .map(|r| (r.name.clone(), Value::string(&r.id)))
                        .collect(),
                ),
            ),
        ])
    }
}
