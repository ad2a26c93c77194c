//! Plan, apply, read, import, state upgrade, write-only values and generated configuration.

use super::*;

#[tokio::test]
async fn plan_apply_read_import_and_destroy() {
    let svc = ProviderService::new(test_provider());
    let t = || "test_thing".to_string();

    // Create: id unknown, write-only value never planned or stored.
    let config = thing(Value::Null, "a", Some("n1"), Some("s3cret"));
    let plan = run_plan(&svc, plan_req(&Value::Null, &config, &config)).await;
    assert!(errors(&plan.diagnostics).is_empty());
    let planned = val(plan.planned_state);
    assert!(planned.attr("id").is_unknown());
    assert!(planned.attr("secret_wo").is_null());
    let applied = run_apply(&svc, apply_req(&Value::Null, &planned, &config)).await;
    let state = val(applied.new_state);
    assert_eq!(state.attr("id").as_str(), Some("id-a"));
    assert!(state.attr("secret_wo").is_null());

    // Changing the note is an in-place update that keeps the id; renaming forces replacement.
    let config2 = thing(Value::Null, "a", Some("n2"), None);
    let mut proposed = config2.clone();
    proposed.set_attr("id", "id-a".into());
    let plan = run_plan(&svc, plan_req(&state, &proposed, &config2)).await;
    assert!(plan.requires_replace.is_empty());
    assert_eq!(val(plan.planned_state).attr("id").as_str(), Some("id-a"));
    let renamed = thing(Value::string("id-a"), "b", Some("n1"), None);
    let plan = run_plan(
        &svc,
        plan_req(&state, &renamed, &thing(Value::Null, "b", Some("n1"), None)),
    )
    .await;
    assert_eq!(
        plan.requires_replace,
        vec![path_to_proto(&AttributePath::attr("name"))]
    );

    // Read finds it; import rebuilds a state for it.
    let read = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: t(),
            current_state: dv(&state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(read.new_state), state);
    let imported = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: t(),
            id: "id-a".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        val(imported.imported_resources[0].state.clone())
            .attr("name")
            .as_str(),
        Some("a")
    );

    // Destroy: planned null, apply deletes, read then reports it gone.
    let plan = run_plan(&svc, plan_req(&state, &Value::Null, &Value::Null)).await;
    assert!(val(plan.planned_state).is_null());
    let applied = run_apply(&svc, apply_req(&state, &Value::Null, &Value::Null)).await;
    assert!(val(applied.new_state).is_null());
    let read = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: t(),
            current_state: dv(&state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(val(read.new_state).is_null());
}

#[tokio::test]
async fn state_upgrade_passes_the_current_version_through() {
    let svc = ProviderService::new(test_provider());
    let upgrade = |version: i64, json: &str| pb::upgrade_resource_state::Request {
        type_name: "test_thing".into(),
        version,
        raw_state: Some(pb::RawState {
            json: json.as_bytes().to_vec(),
            flatmap: Default::default(),
        }),
    };
    let raw = r#"{"id":"id-a","name":"a","note":null,"secret_wo":null,"removed_attr":1}"#;
    let r = svc
        .upgrade_resource_state(Request::new(upgrade(2, raw)))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(val(r.upgraded_state).attr("id").as_str(), Some("id-a"));
    let r = svc
        .upgrade_resource_state(Request::new(upgrade(3, raw)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        errors(&r.diagnostics),
        vec!["Resource state from a newer provider"]
    );
    let r = svc
        .upgrade_resource_state(Request::new(upgrade(1, raw)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        errors(&r.diagnostics),
        vec!["Unable to upgrade resource state"]
    );
    let r = svc
        .upgrade_resource_state(Request::new(upgrade(2, "{not json")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(errors(&r.diagnostics), vec!["Invalid stored state value"]);
}

#[tokio::test]
async fn write_only_needs_a_capable_terraform() {
    let svc = ProviderService::new(test_provider());
    let config = thing(Value::Null, "a", None, Some("s"));
    let validate = |allowed: bool| pb::validate_resource_config::Request {
        type_name: "test_thing".into(),
        config: dv(&config),
        client_capabilities: Some(pb::ClientCapabilities {
            write_only_attributes_allowed: allowed,
            ..Default::default()
        }),
    };
    let r = svc
        .validate_resource_config(Request::new(validate(false)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        errors(&r.diagnostics),
        vec!["Write-only attribute not supported"]
    );
    let r = svc
        .validate_resource_config(Request::new(validate(true)))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty());
}

#[tokio::test]
async fn generated_config_drops_computed_and_write_only() {
    let svc = ProviderService::new(test_provider());
    let r = svc
        .generate_resource_config(Request::new(pb::generate_resource_config::Request {
            type_name: "test_thing".into(),
            state: dv(&thing(Value::string("id-a"), "a", Some("n"), Some("s"))),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty());
    assert_eq!(val(r.config), thing(Value::Null, "a", Some("n"), None));
}
