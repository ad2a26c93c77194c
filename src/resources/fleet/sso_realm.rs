//! Data source `vcf_sso_realm`: one SSO realm of the VCF Operations fleet IAM API, looked up
//! by name or id, and the VCF instances and management components it covers (`GET /ssorealms`,
//! contract B, SEEN in seed 001). The realm's attributes and their model are shared with
//! `vcf_sso_realms` ([`super::sso_realms`]).

use async_trait::async_trait;

use crate::framework::validate::{AtLeastOneOf, ConflictsWith, Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, Diagnostics, Failure, Schema, TypedDataSource};

use super::sso_realms::{RealmModel, list_realms, realm_attributes};
use super::visible_realms;

/// `vcf_sso_realm` has exactly the attributes of one realm of `vcf_sso_realms`; `name` or `id`
/// is what the configuration sets.
pub type SsoRealmModel = RealmModel;

/// `vcf_sso_realm`: one realm, looked up by name or id.
pub struct SsoRealm;

#[async_trait]
impl TypedDataSource for SsoRealm {
    type Model = SsoRealmModel;

    fn type_name(&self) -> &'static str {
        "vcf_sso_realm"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new(
            "Looks up one SSO realm of the VCF fleet by name (the identity broker, for example `flt-idb02`) or id, \
             with the VCF instance it belongs to and what it covers. Use its `id` as `sso_realm_id` and its \
             `vcf_instance_id` as a role-assignment scope.",
        )
        .attribute(
            Attribute::string("name")
                .validator(PathSegment)
                .optional()
                .computed()
                .description("Name of the realm to find. Exactly one of `name` and `id` is set.")
                .validator(Length::at_least(1))
                .validator(ConflictsWith::new(&["id"]))
                .validator(AtLeastOneOf::new(&["id"])),
        )
        .attribute(
            Attribute::string("id")
                .validator(PathSegment)
                .optional()
                .computed()
                .description("Id of the realm to find. Exactly one of `name` and `id` is set.")
                .validator(Length::at_least(1)),
        );
        for a in realm_attributes(false) {
            block = block.attribute(a);
        }
        Schema::new(0, block)
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: SsoRealmModel,
        _diags: &mut Diagnostics,
    ) -> Result<SsoRealmModel, Failure> {
        let realms = list_realms(ctx).await?;
        let (path, wanted, by_name) = match (config.name.as_deref(), config.id.as_deref()) {
            (Some(n), _) => (crate::attr_path!(SsoRealmModel, name), n, true),
            (None, Some(i)) => (crate::attr_path!(SsoRealmModel, id), i, false),
            // The schema's validators require one of them.
            (None, None) => {
                return Err(Failure::error(
                    "SSO realm not named",
                    "Set `name` or `id` to find a realm.",
                ));
            }
        };
        let found = realms.iter().find(|r| {
            if by_name {
                r.name == wanted
            } else {
                r.id == wanted
            }
        });
        match found {
            Some(r) => Ok(RealmModel::from(r)),
            None => Err(Failure::at(
                path.clone(),
                "SSO realm not found",
                format!(
                    "No SSO realm has {path} {wanted:?}. {}",
                    visible_realms(&realms)
                ),
            )),
        }
    }
}

/// For the fuzz targets (`crate::fuzzing`): a realm answer turned into state.
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub fn fuzz_state(r: &super::RealmJson) {
    use crate::framework::model::ToValue;
    let _ = RealmModel::from(r).to_value();
}
