//! ListResource streams results as they arrive.

use super::*;

fn list_req(limit: i64, include: bool) -> pb::list_resource::Request {
    let lty = Type::object([("prefix", Type::String)]);
    pb::list_resource::Request {
        type_name: "test_thing".into(),
        config: Some(
            encode_dynamic(&Value::object([("prefix", Value::string("p"))]), &lty).unwrap(),
        ),
        include_resource_object: include,
        limit,
    }
}

#[tokio::test]
async fn list_streams_each_page_as_it_arrives_and_honours_the_limit() {
    let pages = Arc::new(tokio::sync::Semaphore::new(0));
    let fetched = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let svc = ProviderService::new(provider_with_pages(pages.clone(), fetched.clone()));
    let meta = svc
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.list_resources[0].type_name, "test_thing");
    let schema = svc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(schema.list_resource_schemas.contains_key("test_thing"));
    assert!(schema.server_capabilities.unwrap().generate_resource_config);

    let mut stream = svc
        .list_resource(Request::new(list_req(0, true)))
        .await
        .unwrap()
        .into_inner();
    // The first results arrive while later pages are not fetched (they wait for permits).
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.display_name, "p0");
    assert_eq!(
        identity_of(first.identity).attr("name").as_str(),
        Some("p0")
    );
    assert_eq!(
        val(first.resource_object).attr("id").as_str(),
        Some("id-p0")
    );
    assert_eq!(stream.next().await.unwrap().unwrap().display_name, "p1");
    assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 1);
    pages.add_permits(2);
    let rest: Vec<String> = stream.map(|e| e.unwrap().display_name).collect().await;
    assert_eq!(rest, vec!["p2", "p3", "p4"]);
    assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 3);

    // A limit of 3 ends the stream after the second page without fetching the third, and
    // without the object when it is not asked for.
    fetched.store(0, std::sync::atomic::Ordering::SeqCst);
    pages.add_permits(1);
    let events: Vec<pb::list_resource::Event> = svc
        .list_resource(Request::new(list_req(3, false)))
        .await
        .unwrap()
        .into_inner()
        .map(|e| e.unwrap())
        .collect()
        .await;
    assert_eq!(events.len(), 3);
    assert!(
        events
            .iter()
            .all(|e| e.resource_object.is_none() && e.identity.is_some())
    );
    assert_eq!(fetched.load(std::sync::atomic::Ordering::SeqCst), 2);

    // Unknown list type: one event with the diagnostic.
    let mut req = list_req(0, false);
    req.type_name = "test_other".into();
    let events: Vec<_> = svc
        .list_resource(Request::new(req))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        errors(&events[0].as_ref().unwrap().diagnostic),
        vec!["Unknown list resource type"]
    );
}
