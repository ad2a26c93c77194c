//! List resource `vcf_sddc_user` (`list "vcf_sddc_user"` in a `.tfquery.hcl` file): the users,
//! groups and service accounts of SDDC Manager (`GET /v1/users` and `GET /v1/roles`), each as
//! the state `vcf_sddc_user` would have after an import.

use async_trait::async_trait;

use crate::client::Family;
use crate::framework::model::ToValue;
use crate::framework::validate::OneOf;
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Schema, Value};
use crate::resources::family_client;

use super::api::{list_roles, list_users};
use super::user::SddcUserModel;

/// `list "vcf_sddc_user"`: the users, groups and service accounts of SDDC Manager.
pub struct SddcUserList;

#[async_trait]
impl crate::framework::ListResource for SddcUserList {
    fn type_name(&self) -> &'static str {
        "vcf_sddc_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds SDDC Manager users, groups and service accounts.").attribute(
                Attribute::string("type")
                    .optional()
                    .description("Only principals of this type: `USER`, `GROUP` or `SERVICE`.")
                    .validator(OneOf::new(&["USER", "GROUP", "SERVICE"])),
            ),
        )
    }

    async fn list(&self, ctx: &Ctx, config: &Value, sink: &mut crate::framework::ListSink) {
        let mut diags = Diagnostics::new();
        let Some(api) = family_client(ctx, Family::SddcManager, &mut diags) else {
            return sink.diagnostics(diags).await;
        };
        let listed = match list_users(api).await {
            Ok(users) => match list_roles(api).await {
                Ok(roles) => Ok((users, roles)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let (users, roles) = match listed {
            Ok(x) => x,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return sink.diagnostics(diags).await;
            }
        };
        let only = config.attr("type").as_str();
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
            let value = SddcUserModel::from_user(u, id, &role_name).to_value();
            if !sink.send(value, label).await {
                return;
            }
        }
    }
}
