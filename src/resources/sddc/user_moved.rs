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

/// The `vcf_sddc_user` state of a `vcf_user` state.
pub fn from_vcf_user(state: &SourceState) -> Result<SddcUserModel> {
    let Some(id) = state.non_empty("id") else {
        return Err(Failure::error(
            "Cannot move vcf_user without an id",
            "The vcf_user state has no SDDC Manager user id, so there is no user to take over. Remove the \
             moved block and the vcf_user from the state (terraform state rm), then import the user as \
             vcf_sddc_user by its id (GET /v1/users lists it).",
        ));
    };
    // The id becomes a path segment of every later request, as an imported one does.
    if crate::client::path_segment(id) != id {
        return Err(Failure::error(
            "Cannot move vcf_user",
            format!(
                "The vcf_user state's id {id:?} is not an SDDC Manager user id (a UUID from GET /v1/users)."
            ),
        ));
    }
    if let Some(t) = state.non_empty("type")
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
    let text = |name: &str| -> Val<String> { state.non_empty(name).map(str::to_string).into() };
    Ok(SddcUserModel {
        id: id.into(),
        name: text("name"),
        domain: text("domain"),
        r#type: state.non_empty("type").map(str::to_ascii_uppercase).into(),
        role: text("role_name"),
        role_id: Val::Null,
        creation_timestamp: text("creation_timestamp"),
        api_key: state.non_empty("api_key").map(Secret::new).into(),
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
