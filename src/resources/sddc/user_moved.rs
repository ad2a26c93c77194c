//! `moved { from = vcf_user.x  to = vcf_sddc_user.x }`: the state of `vcf_user` of VMware's
//! provider (`registry.terraform.io/vmware/vcf`) as `vcf_sddc_user`, without re-creating the
//! user (and so without a new API key).
//!
//! `vcf_user`'s published schema (terraform-provider-vcf, `internal/provider/resource_user.go`
//! and `docs/resources/user.md`; SDK v2, no schema version set, so version 0; see
//! `docs/dev/api-contract.md`, "Moving from VMware's vcf_user"):
//!
//! | `vcf_user` | `vcf_sddc_user` |
//! |---|---|
//! | `id` (computed, the SDDC Manager user id) | `id`, and the identity |
//! | `name` (required) | `name` |
//! | `domain` (required) | `domain` |
//! | `type` (required; `USER`, `GROUP`, `SERVICE`, case-insensitive in newer releases) | `type`, upper-cased |
//! | `role_name` (required; a role name such as `ADMIN`) | `role` |
//! | `api_key` (computed, sensitive) | `api_key`; null when empty (its read stores `""` when the API shows no key) |
//! | `creation_timestamp` (computed) | `creation_timestamp` |
//! | `timeouts { create }` (optional block) | dropped: this provider bounds each request with `request_timeout` instead |
//! | — | `role_id`: null here, filled from the user's role by the refresh right after the move |
//! | — | `rotation_triggers`: null (the configuration may add it; a change replaces the user) |
//!
//! Every value but `id` is refreshed from SDDC Manager right after the move, except `api_key`,
//! which the API shows only at creation: the key VMware's provider stored is kept.

use serde::{Deserialize, Deserializer};
use serde_json::Value as Json;

use crate::framework::typed::Result;
use crate::framework::{Failure, MoveSource, Secret, SourceState, Val};

use super::api::USER_TYPES;
use super::user::SddcUserModel;

/// VMware's provider, as Terraform writes its address in the state.
pub const VMWARE_PROVIDER: &str = "registry.terraform.io/vmware/vcf";

/// `vcf_user` of VMware's provider, schema version 0 (it never set another).
pub const VCF_USER: MoveSource = MoveSource {
    provider: VMWARE_PROVIDER,
    type_name: "vcf_user",
    schema_version: 0,
};

pub fn sources() -> Vec<MoveSource> {
    vec![VCF_USER]
}

/// The attributes of a stored `vcf_user` state that the move reads (`timeouts` is dropped).
/// Each is a string there; an SDK v2 provider stores an unset one as `""`, which reads as
/// None, as does a value of any other JSON type, so decoding never fails on a value.
#[derive(Deserialize)]
struct VcfUserState {
    #[serde(default, deserialize_with = "set_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "set_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "set_text")]
    domain: Option<String>,
    #[serde(default, deserialize_with = "set_text")]
    r#type: Option<String>,
    #[serde(default, deserialize_with = "set_text")]
    role_name: Option<String>,
    #[serde(default, deserialize_with = "set_text")]
    creation_timestamp: Option<String>,
    #[serde(default, deserialize_with = "set_secret")]
    api_key: Option<Secret>,
}

/// A string that is set: present, a string and not empty.
fn set_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::String(s) if !s.is_empty() => Some(s),
        _ => None,
    })
}

fn set_secret<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Secret>, D::Error> {
    Ok(set_text(d)?.map(Secret::new))
}

/// The `vcf_sddc_user` state of a `vcf_user` state.
pub fn from_vcf_user(state: &SourceState) -> Result<SddcUserModel> {
    let user: VcfUserState = state
        .decode()
        .map_err(|e| Failure::error("Cannot move vcf_user", format!("The vcf_user state: {e}.")))?;
    let Some(id) = user.id else {
        return Err(Failure::error(
            "Cannot move vcf_user without an id",
            "The vcf_user state has no SDDC Manager user id, so there is no user to take over. Remove the \
             moved block and the vcf_user from the state (terraform state rm), then import the user as \
             vcf_sddc_user by its id (GET /v1/users lists it).",
        ));
    };
    // The id becomes a path segment of every later request, as an imported one does.
    if crate::client::path_segment(&id) != id {
        return Err(Failure::error(
            "Cannot move vcf_user",
            format!(
                "The vcf_user state's id {id:?} is not an SDDC Manager user id (a UUID from GET /v1/users)."
            ),
        ));
    }
    if let Some(t) = &user.r#type
        && !USER_TYPES.iter().any(|k| k.eq_ignore_ascii_case(t))
    {
        return Err(Failure::error(
            "Cannot move vcf_user",
            format!(
                "The vcf_user state has type {t:?}; vcf_sddc_user knows {}.",
                USER_TYPES.join(", ")
            ),
        ));
    }
    Ok(SddcUserModel {
        id: id.into(),
        name: Val::from_option(user.name),
        domain: Val::from_option(user.domain),
        r#type: Val::from_option(user.r#type.map(|t| t.to_ascii_uppercase())),
        role: Val::from_option(user.role_name),
        role_id: Val::Null,
        creation_timestamp: Val::from_option(user.creation_timestamp),
        api_key: Val::from_option(user.api_key),
        rotation_triggers: Val::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::TypedResource;
    use crate::framework::model::ToValue;
    use crate::resources::SddcUser;

    /// A `vcf_user` state as VMware's provider writes it (SDK v2: `timeouts` null, `id`).
    const SERVICE: &str = r#"{"api_key":"k3yMaterial","creation_timestamp":"2026-05-14T05:12:51.488Z",
        "domain":"vsphere.local","id":"6f1c","name":"svc-ci","role_name":"OPERATOR","timeouts":null,
        "type":"service"}"#;

    #[test]
    fn every_vcf_user_attribute_is_mapped() {
        let s = SourceState::from_json(SERVICE.as_bytes()).unwrap();
        let m = from_vcf_user(&s).unwrap();
        assert_eq!(m.id.as_deref(), Some("6f1c"));
        assert_eq!(m.name.as_deref(), Some("svc-ci"));
        assert_eq!(m.domain.as_deref(), Some("vsphere.local"));
        assert_eq!(m.r#type.as_deref(), Some("SERVICE"));
        assert_eq!(m.role.as_deref(), Some("OPERATOR"));
        assert_eq!(m.api_key.get().map(Secret::expose), Some("k3yMaterial"));
        assert_eq!(
            m.creation_timestamp.as_deref(),
            Some("2026-05-14T05:12:51.488Z")
        );
        assert!(m.role_id.is_null());
        assert!(m.rotation_triggers.is_null());
        // Every attribute of the schema, and nothing else.
        crate::framework::msgpack::encode(&m.to_value(), &SddcUser.schema().value_type()).unwrap();
        // Every source attribute is either mapped or deliberately dropped.
        let handled = [
            "id",
            "name",
            "domain",
            "type",
            "role_name",
            "api_key",
            "creation_timestamp",
            "timeouts",
        ];
        for n in s.names() {
            assert!(handled.contains(&n), "{n} not mapped");
        }
        assert_eq!(SddcUser.move_sources(), [VCF_USER]);
    }

    #[test]
    fn an_empty_api_key_is_null_and_a_missing_id_is_refused() {
        let s = SourceState::from_json(
            br#"{"api_key":"","id":"7","name":"u","domain":"d","role_name":"VIEWER","type":"USER"}"#,
        )
        .unwrap();
        assert!(from_vcf_user(&s).unwrap().api_key.is_null());
        // A value of another JSON type reads as unset, as an empty string does.
        let s =
            SourceState::from_json(br#"{"id":"7","name":5,"domain":null,"type":"user"}"#).unwrap();
        let m = from_vcf_user(&s).unwrap();
        assert!(m.name.is_null() && m.domain.is_null());
        assert_eq!(m.r#type.as_deref(), Some("USER"));
        for bad in [
            r#"{"id":"","name":"u","type":"USER"}"#,
            r#"{"name":"u","type":"USER"}"#,
            r#"{"id":"7","name":"u","type":"ROBOT"}"#,
            r#"{"id":"a/b","name":"u","type":"USER"}"#,
        ] {
            let s = SourceState::from_json(bad.as_bytes()).unwrap();
            let f = from_vcf_user(&s).unwrap_err();
            assert!(f.diags.has_errors(), "{bad}");
        }
    }
}
