//! Identities in every response, import by identity, identity upgrade.

use super::*;

fn identity(name: &str) -> Option<pb::ResourceIdentityData> {
    Some(pb::ResourceIdentityData {
        identity_data: Some(
            encode_dynamic(&Value::object([("name", Value::string(name))]), &id_ty()).unwrap(),
        ),
    })
}

#[tokio::test]
async fn identity_in_every_response_and_import_by_identity() {
    let svc = ProviderService::new(test_provider());
    let t = || "test_thing".to_string();
    let schemas = svc
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let s = &schemas.identity_schemas["test_thing"];
    assert_eq!(s.version, 0);
    assert_eq!(s.identity_attributes[0].name, "name");
    assert!(s.identity_attributes[0].required_for_import);

    // Create: identity known at plan (from configured attributes) and after apply.
    let config = thing(Value::Null, "a", None, None);
    let plan = run_plan(&svc, plan_req(&Value::Null, &config, &config)).await;
    assert_eq!(
        identity_of(plan.planned_identity.clone())
            .attr("name")
            .as_str(),
        Some("a")
    );
    // Not known yet (the name comes from another resource): no planned identity at all,
    // never an unknown one.
    let unknown_name = Value::object([
        ("id", Value::Null),
        ("name", Value::Unknown),
        ("note", Value::Null),
        ("secret_wo", Value::Null),
    ]);
    let later = run_plan(&svc, plan_req(&Value::Null, &unknown_name, &unknown_name)).await;
    assert!(errors(&later.diagnostics).is_empty());
    assert!(later.planned_identity.is_none());
    let applied = run_apply(
        &svc,
        pb::apply_resource_change::Request {
            planned_state: plan.planned_state,
            planned_identity: plan.planned_identity,
            ..apply_req(&Value::Null, &Value::Null, &config)
        },
    )
    .await;
    assert_eq!(
        identity_of(applied.new_identity).attr("name").as_str(),
        Some("a")
    );
    let state = val(applied.new_state);

    // Update in place keeps the prior identity; replacement plans the new one.
    let mut proposed = state.clone();
    proposed.set_attr("note", "n".into());
    let plan = run_plan(
        &svc,
        pb::plan_resource_change::Request {
            prior_identity: identity("a"),
            ..plan_req(&state, &proposed, &thing(Value::Null, "a", Some("n"), None))
        },
    )
    .await;
    assert_eq!(plan.planned_identity, identity("a"));
    let renamed = thing(Value::string("id-a"), "b", None, None);
    let plan = run_plan(
        &svc,
        pb::plan_resource_change::Request {
            prior_identity: identity("a"),
            ..plan_req(&state, &renamed, &thing(Value::Null, "b", None, None))
        },
    )
    .await;
    assert_eq!(plan.planned_identity, identity("b"));

    // Read returns the identity; a vanished object has none.
    let read = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: t(),
            current_state: dv(&state),
            current_identity: identity("a"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.new_identity, identity("a"));
    let gone = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: t(),
            current_state: dv(&thing(Value::string("id-z"), "z", None, None)),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(gone.new_identity.is_none());

    // Import by identity goes through the import ID; the result carries the identity.
    let imported = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: t(),
            identity: identity("a"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&imported.diagnostics).is_empty());
    let r = &imported.imported_resources[0];
    assert_eq!(val(r.state.clone()).attr("id").as_str(), Some("id-a"));
    assert_eq!(r.identity, identity("a"));

    // A malformed identity is a diagnostic, not a crash.
    let bad = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: t(),
            identity: Some(pb::ResourceIdentityData {
                identity_data: Some(pb::DynamicValue {
                    msgpack: vec![0xc1],
                    json: Vec::new(),
                }),
            }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(errors(&bad.diagnostics).len(), 1);
    assert!(bad.imported_resources.is_empty());

    // Identity upgrade: the current version passes through, others are refused.
    let up = |version| pb::upgrade_resource_identity::Request {
        type_name: t(),
        version,
        raw_identity: Some(pb::RawState {
            json: br#"{"name":"a"}"#.to_vec(),
            flatmap: Default::default(),
        }),
    };
    let r = svc
        .upgrade_resource_identity(Request::new(up(0)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.upgraded_identity, identity("a"));
    let r = svc
        .upgrade_resource_identity(Request::new(up(1)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        errors(&r.diagnostics),
        vec!["Unable to upgrade resource identity"]
    );
}
