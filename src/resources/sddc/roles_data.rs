//! Data source `vcf_sddc_roles`: the roles of SDDC Manager with their ids (`GET /v1/roles`,
//! PageOfRole; `docs/dev/api-contract.md` § A).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::framework::typed::Result;
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Nesting, Schema, Type, TypedDataSource, Val,
};

use super::api::{Role, list_roles, sddc_manager};

/// The schema of `vcf_sddc_roles`.
fn roles_schema() -> Schema {
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

crate::model! {
    /// One role, as an element of `vcf_sddc_roles.roles`.
    pub struct SddcRoleModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub description: Val<String>,
    }
}

crate::model! {
    /// `vcf_sddc_roles`.
    pub struct SddcRolesModel {
        pub roles: Val<Vec<SddcRoleModel>>,
        pub ids: Val<BTreeMap<String, String>>,
    }
}

impl From<&Role> for SddcRoleModel {
    fn from(r: &Role) -> Self {
        SddcRoleModel {
            id: r.id.as_str().into(),
            name: r.name.as_str().into(),
            description: r.description.clone().into(),
        }
    }
}

impl From<&[Role]> for SddcRolesModel {
    fn from(roles: &[Role]) -> Self {
        SddcRolesModel {
            roles: Val::Known(roles.iter().map(SddcRoleModel::from).collect()),
            ids: Val::Known(
                roles
                    .iter()
                    .map(|r| (r.name.clone(), r.id.clone()))
                    .collect(),
            ),
        }
    }
}

/// `vcf_sddc_roles`.
pub struct SddcRoles;

#[async_trait]
impl TypedDataSource for SddcRoles {
    type Model = SddcRolesModel;

    fn type_name(&self) -> &'static str {
        "vcf_sddc_roles"
    }

    fn schema(&self) -> Schema {
        roles_schema()
    }

    async fn read(
        &self,
        ctx: &Ctx,
        _config: SddcRolesModel,
        _diags: &mut Diagnostics,
    ) -> Result<SddcRolesModel> {
        let (_, api) = sddc_manager(ctx)?;
        let roles = list_roles(api).await?;
        Ok(SddcRolesModel::from(roles.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::ToValue;
    use crate::framework::msgpack;

    #[test]
    fn roles_map_to_the_schema() {
        let json = r#"{"elements":[{"id":"r1","name":"ADMIN","description":"Everything"},
            {"id":"r3","name":"VIEWER"}]}"#;
        let page: super::super::api::Elements<Role> = serde_json::from_str(json).unwrap();
        let m = SddcRolesModel::from(page.elements.as_slice());
        assert_eq!(m.ids.get().unwrap()["VIEWER"], "r3");
        let roles = m.roles.get().unwrap();
        assert_eq!(roles[0].description.as_deref(), Some("Everything"));
        assert!(roles[1].description.is_null());
        msgpack::encode(&m.to_value(), &SddcRoles.schema().value_type()).unwrap();
    }
}
