//! Data source `vcf_sso_realms`: every SSO realm of the VCF Operations fleet IAM API and the
//! VCF instances and management components each one covers (`GET /ssorealms`, contract B, SEEN
//! in seed 001). Also the realm attributes, model and listing `vcf_sso_realm` shares.

use async_trait::async_trait;

use crate::client::Call;
use crate::framework::{
    Attribute, Block, Ctx, Diagnostics, Failure, Nesting, Schema, TypedDataSource, Val,
};
use crate::resources::rfc3339_from_millis;

use super::{RealmJson, RealmList, fleet_of, paths};

/// Computed attributes that describe one realm, shared by both data sources.
pub(super) fn realm_attributes(computed_ids: bool) -> Vec<Attribute> {
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

/// The realms, read afresh (`GET /ssorealms`) on every data source read.
pub(super) async fn list_realms(ctx: &Ctx) -> Result<Vec<RealmJson>, Failure> {
    let f = fleet_of(ctx)?;
    let r = f
        .api
        .json::<RealmList>(Call::get(paths::REALMS).what("list SSO realms"))
        .await?;
    Ok(r.sso_realms)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::ToValue;
    use crate::framework::msgpack;
    use crate::resources::fleet::sso_realm::SsoRealm;

    #[test]
    fn seed_001_realm_maps_to_the_schema() {
        let json = r#"{"ssoRealms":[{"id":"d86a0d9d-f267-45fd-b966-ed8b30e59452","name":"flt-idb02",
            "vidbResourceId":"60b347fc","vcfInstanceId":"a79554c3","issues":[],
            "ssoRealmCoverage":[{"id":"a79554c3","name":"sfo-vcf02","ssoEntityType":"VCF_INSTANCE"}],
            "totalConfiguredComponents":4,"idpId":"d5709a7f","createdAt":1778735571488,"updatedAt":1778735571488}]}"#;
        let doc: serde_json::Value = serde_json::from_str(json).unwrap();
        let realm: RealmJson = serde_json::from_value(doc["ssoRealms"][0].clone()).unwrap();
        let realm = RealmModel::from(&realm);
        assert_eq!(realm.name.as_deref(), Some("flt-idb02"));
        assert_eq!(
            realm.created_at.as_deref(),
            Some("2026-05-14T05:12:51.488Z")
        );
        assert_eq!(
            realm.coverage.get().unwrap()[0].r#type.as_deref(),
            Some("VCF_INSTANCE")
        );
        // The value encodes against each data source's own schema.
        msgpack::encode(&realm.to_value(), &realm_type()).unwrap();
        msgpack::encode(&realm.to_value(), &SsoRealm.schema().value_type()).unwrap();
    }
}
