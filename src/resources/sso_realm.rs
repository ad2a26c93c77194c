//! Data sources `vcf_sso_realm` (one realm by name or id) and `vcf_sso_realms` (all realms):
//! the SSO realms of the VCF Operations fleet IAM API and the VCF instances and management
//! components each one covers (`GET /ssorealms`, contract B, SEEN in seed 001).

use async_trait::async_trait;

use crate::framework::validate::{AtLeastOneOf, ConflictsWith, Length, PathSegment};
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostics, Nesting, Schema, Value};

use crate::client::Call;

use super::fleet::{RealmJson, RealmList, fleet, paths};
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

fn realm_value(r: &RealmJson) -> Value {
    let coverage = r
        .sso_realm_coverage
        .iter()
        .map(|c| {
            Value::object([
                ("id", Value::string(&c.id)),
                ("name", Value::opt_string(c.name.as_deref())),
                ("type", Value::opt_string(c.sso_entity_type.as_deref())),
            ])
        })
        .collect();
    Value::object([
        ("id", Value::string(&r.id)),
        ("name", Value::string(&r.name)),
        (
            "vidb_resource_id",
            Value::opt_string(r.vidb_resource_id.as_deref()),
        ),
        (
            "vcf_instance_id",
            Value::opt_string(r.vcf_instance_id.as_deref()),
        ),
        ("idp_id", Value::opt_string(r.idp_id.as_deref())),
        (
            "total_configured_components",
            r.total_configured_components
                .map_or(Value::Null, Value::from),
        ),
        ("coverage", Value::List(coverage)),
        (
            "created_at",
            Value::opt_string(r.created_at.and_then(rfc3339_from_millis)),
        ),
        (
            "updated_at",
            Value::opt_string(r.updated_at.and_then(rfc3339_from_millis)),
        ),
    ])
}

/// The realms, read afresh (`GET /ssorealms`) on every data source read.
async fn list_realms(ctx: &Ctx, diags: &mut Diagnostics) -> Option<Vec<RealmJson>> {
    let f = fleet(ctx, diags)?;
    match f
        .api
        .json::<RealmList>(Call::get(paths::REALMS).what("list SSO realms"))
        .await
    {
        Ok(r) => Some(r.sso_realms),
        Err(e) => {
            diags.push(e.to_diagnostic());
            None
        }
    }
}

/// `vcf_sso_realm`: one realm, looked up by name or id.
pub struct SsoRealm;

#[async_trait]
impl DataSource for SsoRealm {
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

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(realms) = list_realms(ctx, diags).await else {
            return Value::Null;
        };
        let (key, wanted) = match (config.attr("name").as_str(), config.attr("id").as_str()) {
            (Some(n), _) => ("name", n),
            (None, Some(i)) => ("id", i),
            (None, None) => return Value::Null,
        };
        let found = realms.iter().find(|r| {
            if key == "name" {
                r.name == wanted
            } else {
                r.id == wanted
            }
        });
        match found {
            Some(r) => realm_value(r),
            None => {
                let names: Vec<&str> = realms.iter().map(|r| r.name.as_str()).collect();
                diags.attr_error(
                    crate::framework::AttributePath::attr(key),
                    "SSO realm not found",
                    format!(
                        "No SSO realm has {key} {wanted:?}. Realms visible to the provider's credentials: {}.",
                        if names.is_empty() { "none".to_string() } else { names.join(", ") }
                    ),
                );
                Value::Null
            }
        }
    }
}

/// `vcf_sso_realms`: every realm of the fleet.
pub struct SsoRealms;

#[async_trait]
impl DataSource for SsoRealms {
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

    async fn read(&self, ctx: &Ctx, _config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(realms) = list_realms(ctx, diags).await else {
            return Value::Null;
        };
        Value::object([(
            "realms",
            Value::List(realms.iter().map(realm_value).collect()),
        )])
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
    let _ = realm_value(r);
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
        let v = realm_value(&realm);
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
