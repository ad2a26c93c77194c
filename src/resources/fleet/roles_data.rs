//! Data source `vcf_roles`: the fleet's VCF roles (roles are fleet-wide, and are assigned in a
//! realm).

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::validate::OneOf;
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, Nesting, Schema, Type, TypedDataSource, Val, Value,
};

use super::{RoleJson, fleet_of};

pub struct RolesData;

crate::model! {
    /// The roles one VCF role grants on one component.
    pub struct ComponentRolesModel {
        pub component_type: Val<String>,
        pub roles: Val<Vec<String>>,
    }
}

crate::model! {
    /// One role, as an element of `vcf_roles.roles`.
    pub struct RoleModel {
        pub name: Val<String>,
        pub display_name: Val<String>,
        pub description: Val<String>,
        pub r#type: Val<String>,
        pub built_in: Val<bool>,
        pub component_roles: Val<Vec<ComponentRolesModel>>,
    }
}

crate::model! {
    pub struct RolesDataModel {
        pub r#type: Val<String>,
        pub names: Val<Vec<String>>,
        pub roles: Val<Vec<RoleModel>>,
    }
}

impl From<&RoleJson> for RoleModel {
    fn from(r: &RoleJson) -> Self {
        RoleModel {
            name: r.role_name.as_str().into(),
            display_name: r.role_display_name.clone().into(),
            description: r.role_description.clone().into(),
            r#type: r.role_type.clone().into(),
            built_in: r.built_in().into(),
            component_roles: Val::Known(
                r.component_roles
                    .iter()
                    .map(|c| ComponentRolesModel {
                        component_type: c.component_type.as_str().into(),
                        roles: Val::Known(c.roles.clone()),
                    })
                    .collect(),
            ),
        }
    }
}

/// One role as `vcf_roles` shows it, as a value (for the fuzz hook).
pub fn role_value(r: &RoleJson) -> Value {
    RoleModel::from(r).to_value()
}

const ROLE_TYPES: [&str; 2] = ["BUILT_IN", "CUSTOM"];

#[async_trait]
impl TypedDataSource for RolesData {
    type Model = RolesDataModel;

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

    async fn read(
        &self,
        ctx: &Ctx,
        mut config: RolesDataModel,
        _diags: &mut Diagnostics,
    ) -> Result<RolesDataModel, Failure> {
        let roles = fleet_of(ctx)?.roles().await?;
        let wanted = config.r#type.as_deref();
        let roles: Vec<&RoleJson> = roles
            .iter()
            .filter(|r| wanted.is_none_or(|t| r.role_type.as_deref() == Some(t)))
            .collect();
        config.names = Val::Known(roles.iter().map(|r| r.role_name.clone()).collect());
        config.roles = Val::Known(roles.into_iter().map(RoleModel::from).collect());
        Ok(config)
    }
}
