//! Data source `vcf_roles`: the fleet's VCF roles (roles are fleet-wide, and are assigned in a
//! realm).

use async_trait::async_trait;

use crate::framework::validate::OneOf;
use crate::framework::{
    Attribute, Block, Ctx, DataSource, Diagnostics, Nesting, Schema, Type, Value,
};

use super::{fail, fleet};

pub struct RolesData;

const ROLE_TYPES: [&str; 2] = ["BUILT_IN", "CUSTOM"];

#[async_trait]
impl DataSource for RolesData {
    fn type_name(&self) -> &'static str {
        "vcf_roles"
    }

    fn schema(&self) -> Schema {
        let component = vec![
            Attribute::string("component_type").computed().description(
                "`VCENTER`, `NSX_MANAGER`, `VCF_OPERATIONS`, `VCF_AUTOMATION`, `HCX`, `VCF_ORCHESTRATOR`, \
                 `VCF_SALT_RAAS` (or `UNKNOWN`).",
            ),
            Attribute::new("roles", Type::list(Type::String))
                .computed()
                .description("The component's roles the VCF role grants."),
        ];
        let role = vec![
            Attribute::string("name")
                .computed()
                .description("Role name, as `role_name` of assignments."),
            Attribute::string("display_name")
                .computed()
                .description("Display name."),
            Attribute::string("description")
                .computed()
                .description("Description."),
            Attribute::string("type")
                .computed()
                .description("`BUILT_IN`, `CUSTOM` or `UNKNOWN`."),
            Attribute::bool("built_in")
                .computed()
                .description("True for the product's built-in roles, which cannot be changed."),
            Attribute::nested("component_roles", Nesting::List, component)
                .computed()
                .description("The component roles the VCF role grants, one entry per component."),
        ];
        Schema::new(
            0,
            Block::new(
                "The VCF roles of the fleet: built-in ones and custom ones. VCF roles are fleet-wide; they are \
                 assigned to principals in an SSO realm.",
            )
            .attribute(
                Attribute::string("type")
                    .optional()
                    .description("Only roles of this type: `BUILT_IN` or `CUSTOM`. All roles when unset.")
                    .validator(OneOf::new(&ROLE_TYPES)),
            )
            .attribute(
                Attribute::new("names", Type::list(Type::String))
                    .computed()
                    .description("Every role name (of the type, when set), for validation in modules."),
            )
            .attribute(
                Attribute::nested("roles", Nesting::List, role)
                    .computed()
                    .description("Every role (of the type, when set) with its component roles."),
            ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(f) = fleet(ctx, diags) else {
            return Value::Null;
        };
        let roles = match f.roles().await {
            Ok(r) => r,
            Err(e) => return fail(diags, e).unwrap_or(Value::Null),
        };
        let wanted = config.attr("type").as_str();
        let roles: Vec<&super::RoleJson> = roles
            .iter()
            .filter(|r| wanted.is_none_or(|t| r.role_type.as_deref() == Some(t)))
            .collect();
        let mut v = config.clone();
        v.set_attr(
            "names",
            Value::List(roles.iter().map(|r| Value::string(&r.role_name)).collect()),
        );
        v.set_attr(
            "roles",
            Value::List(
                roles
                    .iter()
                    .map(|r| super::custom_role::role_value(r))
                    .collect(),
            ),
        );
        v
    }
}
