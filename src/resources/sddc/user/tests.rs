use super::*;
use crate::framework::model::ToValue;
use crate::framework::msgpack;

#[test]
fn seed_000_create_answer_maps_to_the_schema_without_printing_the_key() {
    let json = r#"{"elements":[{"id":"6f1c","name":"svc-ci","domain":"vsphere.local","type":"SERVICE",
        "role":{"id":"r2","name":"OPERATOR"},"apiKey":"k3yMaterial","creationTimestamp":"2026-05-14T05:12:51.488Z"}]}"#;
    let r: Elements<User> = serde_json::from_str(json).unwrap();
    let u = &r.elements[0];
    assert_eq!(format!("{:?}", u.api_key), "Some(***)");
    let m = SddcUserModel::from_user(u, u.id().unwrap(), "OPERATOR").with_known(
        Val::Null,
        u.api_key.clone().into(),
        Val::Null,
    );
    assert_eq!(m.api_key.get().map(Secret::expose), Some("k3yMaterial"));
    assert_eq!(m.role_id.as_deref(), Some("r2"));
    assert!(!format!("{m:?}").contains("k3yMaterial"));
    msgpack::encode(&m.to_value(), &SddcUser.schema().value_type()).unwrap();
    let imported = import_state("6f1c");
    assert_eq!(imported.id.as_deref(), Some("6f1c"));
    msgpack::encode(&imported.to_value(), &SddcUser.schema().value_type()).unwrap();
}

#[test]
fn an_answer_without_id_or_role_keeps_what_the_provider_knows() {
    let bare: User = serde_json::from_str(r#"{"name":"g","type":"GROUP"}"#).unwrap();
    let m = SddcUserModel::from_user(&bare, "9", "VIEWER").with_known(
        "r3".into(),
        Val::Null,
        Val::Null,
    );
    assert_eq!(m.role_id.as_deref(), Some("r3"));
    assert_eq!(m.id.as_deref(), Some("9"));
    assert!(m.domain.is_null());
}

#[test]
fn the_identity_gives_the_import_id() {
    let identity = Value::object([("id", Value::string("6f1c"))]);
    assert_eq!(
        SddcUser.import_id_from_identity(&identity).as_deref(),
        Some("6f1c")
    );
    assert_eq!(SddcUser.import_id_from_identity(&Value::Null), None);
}

fn import_state(id: &str) -> SddcUserModel {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut d = Diagnostics::new();
    let m = rt
        .block_on(SddcUser.import(&Ctx::default(), id, &mut d))
        .unwrap();
    assert!(!d.has_errors());
    m
}

#[test]
fn import_rejects_ids_that_are_not_path_safe() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut d = Diagnostics::new();
    let f = rt
        .block_on(SddcUser.import(&Ctx::default(), "a/b", &mut d))
        .unwrap_err();
    assert!(f.diags.has_errors());
}
