//! List resource `vcf_sddc_user` (`list "vcf_sddc_user"` in a `.tfquery.hcl` file): the users,
//! groups and service accounts of SDDC Manager (`GET /v1/users` and `GET /v1/roles`), each as
//! the state `vcf_sddc_user` would have after an import.

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::typed::Result;
use crate::framework::validate::OneOf;
use crate::framework::{Attribute, Block, Ctx, ListSink, Schema, TypedList, Val};

use super::api::{USER_TYPES, list_roles, list_users, sddc_manager};
use super::user::SddcUserModel;

/// The schema of `list "vcf_sddc_user"`'s `config` block.
fn list_schema() -> Schema {
    Schema::new(
        0,
        Block::new("Finds SDDC Manager users, groups and service accounts.").attribute(
            Attribute::string("type")
                .optional()
                .description("Only principals of this type: `USER`, `GROUP` or `SERVICE`.")
                .validator(OneOf::new(&USER_TYPES)),
        ),
    )
}

crate::model! {
    /// The `config` block of `list "vcf_sddc_user"`.
    pub struct SddcUserListConfig {
        pub r#type: Val<String>,
    }
}

/// `list "vcf_sddc_user"`: the users, groups and service accounts of SDDC Manager.
pub struct SddcUserList;

#[async_trait]
impl TypedList for SddcUserList {
    type Config = SddcUserListConfig;

    fn type_name(&self) -> &'static str {
        "vcf_sddc_user"
    }

    fn schema(&self) -> Schema {
        list_schema()
    }

    async fn list(&self, ctx: &Ctx, config: SddcUserListConfig, sink: &mut ListSink) -> Result<()> {
        let (_, api) = sddc_manager(ctx)?;
        let users = list_users(api).await?;
        let roles = list_roles(api).await?;
        let only = config.r#type.as_deref();
        for u in users
            .iter()
            .filter(|u| only.is_none_or(|t| t == u.user_type))
        {
            // A user without an id cannot be imported or managed.
            let Some(id) = u.id() else { continue };
            let role_name = u
                .role_name(&roles)
                .or_else(|| u.role.id.clone())
                .unwrap_or_default();
            let label = format!("{} ({}, {role_name})", u.name, u.user_type);
            let state = SddcUserModel::from_user(u, id, &role_name).to_value();
            if !sink.send(state, label).await {
                break;
            }
        }
        Ok(())
    }
}
