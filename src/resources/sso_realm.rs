//! Data sources `vcf_sso_realm` (one realm by name or id) and `vcf_sso_realms` (all realms):
//! the SSO realms of the VCF Operations fleet IAM API and the VCF instances and management
//! components each one covers (`GET /ssorealms`, contract B, SEEN in seed 001).

use async_trait::async_trait;

use crate::framework::model::ToValue;
use crate::framework::validate::{AtLeastOneOf, ConflictsWith, Length, PathSegment};
use crate::framework::{
    Attribute, AttributePath, Block, Ctx, Diagnostics, Failure, Nesting, Schema, TypedDataSource,
    Val,
};

use crate::client::Call;

use super::fleet::{RealmJson, RealmList, fleet_of, paths};
use super::rfc3339_from_millis;

/// Computed attributes that describe one realm, shared by both data sources.
fn realm_attributes(computed_ids: bool) -> Vec<Attribute> {
    let coverage = vec![
        Attribute::string("id")
            .computed()
            .description("Id of the covered VCF instance or management component."),
        Attribute::string("name")
            .computed()
            .description("Its name, for example `sfo-vcf02`."),
        Attribute::string("type")
            .computed()
            .description("`VCF_INSTANCE` or `MANAGEMENT_COMPONENT`."),
    ];
    let mut attrs = Vec::new();
    if computed_ids {
        attrs.push(
            Attribute::string("id")
                .computed()
                .description("The realm id (`sso_realm_id` elsewhere)."),
        );
        attrs.push(
            Attribute::string("name").computed().description(
                "The realm name, the identity broker's name (for example `flt-idb02`).",
            ),
        );
    }
    attrs.extend([
        Attribute::string("vidb_resource_id").computed().description("Resource id of the VCF Identity Broker behind the realm."),
        Attribute::string("vcf_instance_id").computed().description("Id of the VCF instance the realm belongs to; the scope id for `VCF_INSTANCE` role assignments."),
        Attribute::string("idp_id").computed().description("Id of the identity provider configured in the realm."),
        Attribute::number("total_configured_components").computed().description("Number of components configured for the realm."),
        Attribute::nested("coverage", Nesting::List, coverage)
            .computed()
            .description("The VCF instances and management components the realm covers."),
        Attribute::string("created_at").computed().description("When the realm was created (RFC 3339)."),
        Attribute::string("updated_at").computed().description("When the realm was last changed (RFC 3339)."),
    ]);
    attrs
}

crate::model! {
    /// A VCF instance or management component a realm covers.
    pub struct CoverageModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub r#type: Val<String>,
    }
}

crate::model! {
    /// One realm, as an element of `vcf_sso_realms.realms`.
    pub struct RealmModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub vidb_resource_id: Val<String>,
        pub vcf_instance_id: Val<String>,
        pub idp_id: Val<String>,
        pub total_configured_components: Val<i64>,
        pub coverage: Val<Vec<CoverageModel>>,
        pub created_at: Val<String>,
        pub updated_at: Val<String>,
    }
}

crate::model! {
    /// `vcf_sso_realm`: the realm's attributes; `name` or `id` is what the configuration sets.
    pub struct SsoRealmModel {
        pub id: Val<String>,
        pub name: Val<String>,
        pub vidb_resource_id: Val<String>,
        pub vcf_instance_id: Val<String>,
        pub idp_id: Val<String>,
        pub total_configured_components: Val<i64>,
        pub coverage: Val<Vec<CoverageModel>>,
        pub created_at: Val<String>,
        pub updated_at: Val<String>,
    }
}

crate::model! {
    /// `vcf_sso_realms`.
    pub struct SsoRealmsModel {
        pub realms: Val<Vec<RealmModel>>,
    }
}

impl From<&RealmJson> for RealmModel {
    fn from(r: &RealmJson) -> Self {
        let coverage = r
            .sso_realm_coverage
            .iter()
            .map(|c| CoverageModel {
                id: c.id.as_str().into(),
                name: c.name.clone().into(),
                r#type: c.sso_entity_type.clone().into(),
            })
            .collect();
        RealmModel {
            id: r.id.as_str().into(),
            name: r.name.as_str().into(),
            vidb_resource_id: r.vidb_resource_id.clone().into(),
            vcf_instance_id: r.vcf_instance_id.clone().into(),
            idp_id: r.idp_id.clone().into(),
            total_configured_components: r.total_configured_components.into(),
            coverage: Val::Known(coverage),
            created_at: r.created_at.and_then(rfc3339_from_millis).into(),
            updated_at: r.updated_at.and_then(rfc3339_from_millis).into(),
        }
    }
}

impl From<RealmModel> for SsoRealmModel {
    fn from(r: RealmModel) -> Self {
        SsoRealmModel {
            id: r.id,
            name: r.name,
            vidb_resource_id: r.vidb_resource_id,
            vcf_instance_id: r.vcf_instance_id,
            idp_id: r.idp_id,
            total_configured_components: r.total_configured_components,
            coverage: r.coverage,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The realms, read afresh (`GET /ssorealms`) on every data source read.
async fn list_realms(ctx: &Ctx) -> Result<Vec<RealmJson>, Failure> {
    let f = fleet_of(ctx)?;
    let r = f
        .api
        .json::<RealmList>(Call::get(paths::REALMS).what("list SSO realms"))
        .await?;
    Ok(r.sso_realms)
}

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
        let (key, wanted) = match (config.name.as_deref(), config.id.as_deref()) {
            (Some(n), _) => ("name", n),
            (None, Some(i)) => ("id", i),
            // The schema's validators require one of them.
            (None, None) => {
                return Err(Failure::error(
                    "SSO realm not named",
                    "Set `name` or `id` to find a realm.",
                ));
            }
        };
        let found = realms.iter().find(|r| {
            if key == "name" {
                r.name == wanted
            } else {
                r.id == wanted
            }
        });
        match found {
            Some(r) => Ok(RealmModel::from(r).into()),
            None => {
                let names: Vec<&str> = realms.iter().map(|r| r.name.as_str()).collect();
                Err(Failure::at(
                    AttributePath::attr(key),
                    "SSO realm not found",
                    format!(
                        "No SSO realm has {key} {wanted:?}. Realms visible to the provider's credentials: {}.",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                ))
            }
        }
    }
}

/// `vcf_sso_realms`: every realm of the fleet.
pub struct SsoRealms;

#[async_trait]
impl TypedDataSource for SsoRealms {
    type Model = SsoRealmsModel;

    fn type_name(&self) -> &'static str {
        "vcf_sso_realms"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Lists the SSO realms of the VCF fleet and what each one covers.")
                .attribute(
                    Attribute::nested("realms", Nesting::List, realm_attributes(true))
                        .computed()
                        .description("Every SSO realm, in the order the API returns them."),
                ),
        )
    }

    async fn read(
        &self,
        ctx: &Ctx,
        _config: SsoRealmsModel,
        _diags: &mut Diagnostics,
    ) -> Result<SsoRealmsModel, Failure> {
        let realms = list_realms(ctx).await?;
        Ok(SsoRealmsModel {
            realms: Val::Known(realms.iter().map(RealmModel::from).collect()),
        })
    }
}

/// The object type of one realm, for tests.
#[cfg(test)]
fn realm_type() -> crate::framework::Type {
    use crate::framework::Type;
    let Type::Object(attrs) = SsoRealms.schema().value_type() else {
        unreachable!()
    };
    let Some(Type::List(t)) = attrs.get("realms").cloned() else {
        unreachable!()
    };
    *t
}

/// For the fuzz targets (`crate::fuzzing`): a realm answer turned into state.
#[doc(hidden)]
pub fn fuzz_state(r: &RealmJson) {
    let _ = RealmModel::from(r).to_value();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::msgpack;

    #[test]
    fn seed_001_realm_maps_to_the_schema() {
        let json = r#"{"ssoRealms":[{"id":"d86a0d9d-f267-45fd-b966-ed8b30e59452","name":"flt-idb02",
            "vidbResourceId":"60b347fc","vcfInstanceId":"a79554c3","issues":[],
            "ssoRealmCoverage":[{"id":"a79554c3","name":"sfo-vcf02","ssoEntityType":"VCF_INSTANCE"}],
            "totalConfiguredComponents":4,"idpId":"d5709a7f","createdAt":1778735571488,"updatedAt":1778735571488}]}"#;
        let doc: serde_json::Value = serde_json::from_str(json).unwrap();
        let realm: RealmJson = serde_json::from_value(doc["ssoRealms"][0].clone()).unwrap();
        let v = RealmModel::from(&realm).to_value();
        assert_eq!(v.attr("name").as_str(), Some("flt-idb02"));
        assert_eq!(
            v.attr("created_at").as_str(),
            Some("2026-05-14T05:12:51.488Z")
        );
        assert_eq!(
            v.attr("coverage").elements().unwrap()[0]
                .attr("type")
                .as_str(),
            Some("VCF_INSTANCE")
        );
        // The value encodes against the data source's own schema.
        msgpack::encode(&v, &realm_type()).unwrap();
        let one = SsoRealm.schema().value_type();
        let mut single = v.clone();
        single.set_attr("name", "flt-idb02".into());
        msgpack::encode(&single, &one).unwrap();
    }
}
