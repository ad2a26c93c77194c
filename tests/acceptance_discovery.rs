//! Acceptance: discovery and adoption of objects made outside Terraform — `terraform query`
//! with the list resources, `-generate-config-out`, import by identity for every resource type,
//! identity kept across a token regenerate, and the request count of a 500-token listing.
//! These features need Terraform 1.14+ (identity: 1.12+); the tests run with every Terraform of
//! TF_ACC_TERRAFORM_PATHS that has them and say which ones they skipped.

mod common;

use common::{
    Control, REQUIRED_PROVIDERS, Sim, SyncControl, Terraform, Workdir, fleet_workdir, realm_ids,
    terraforms,
};
use serde_json::{Value, json};

/// The Terraform binaries at or above `minor` (1.x), printing the ones skipped.
fn at_least(minor: u32, what: &str) -> Vec<Terraform> {
    terraforms()
        .into_iter()
        .filter(|tf| {
            let m: u32 = tf
                .version
                .split('.')
                .nth(1)
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            let ok = tf.version.starts_with("1.") && m >= minor;
            if !ok {
                eprintln!(
                    "{what}: skipped with Terraform {} (needs 1.{minor}+)",
                    tf.version
                );
            }
            ok
        })
        .collect()
}

const PROVIDER: &str = r#"provider "vcf" {}
"#;

/// Makes `n` API clients `adopt-<i>` with one token `tok-<i>` and one `vcf_viewer` assignment
/// each (realm-wide for even i, on the VCF instance for odd i), all out of band.
fn adoptable(ctl: &SyncControl, n: usize, instance: &str) {
    let created = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "count": n,
               "fields": {"clientId": "adopt", "clientName": "Adopted client"}}),
    );
    let clients = created["created"].as_array().expect("clients").clone();
    assert_eq!(clients.len(), n);
    for (i, c) in clients.iter().enumerate() {
        let client_id = c["clientId"].as_str().unwrap();
        let principal = c["clientUuid"].as_str().unwrap();
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_token",
                   "fields": {"apiClientId": client_id, "tokenName": format!("tok-{i}"),
                              "apiTokenTtl": 40320, "accessTokenTtl": 30}}),
        );
        let scope = if i % 2 == 0 {
            json!({"scopeType": "SSO_REALM"})
        } else {
            json!({"scopeType": "VCF_INSTANCE", "resources": [{"id": instance}]})
        };
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": principal,
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": scope}]}}),
        );
    }
}

const QUERY: &str = r#"
list "vcf_api_client" "clients" {
  provider         = vcf
  include_resource = true
  limit            = 500
  config {
    client_id_prefix = "adopt-"
  }
}

list "vcf_api_token" "tokens" {
  provider         = vcf
  include_resource = true
  limit            = 500
  config {
    name_prefix = "tok-"
  }
}

list "vcf_role_assignment" "assignments" {
  provider         = vcf
  include_resource = true
  limit            = 500
  config {
    role_name = "vcf_viewer"
  }
}
"#;

#[test]
fn query_generates_configuration_that_adopts_150_objects() {
    for tf in at_least(14, "query_generates_configuration_that_adopts_150_objects") {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let (_, instance) = realm_ids(&sim);
        adoptable(&ctl, 50, &instance);

        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!("{REQUIRED_PROVIDERS}{PROVIDER}"));
        std::fs::write(wd.path().join("adopt.tfquery.hcl"), QUERY).unwrap();
        let listed = wd.ok(&["query", "-no-color"]);
        for list in ["clients", "tokens", "assignments"] {
            let n = listed
                .lines()
                .filter(|l| l.starts_with("list.vcf_") && l.contains(&format!(".{list} ")))
                .count();
            assert_eq!(n, 50, "{v}: {list}:\n{listed}");
        }
        wd.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        let generated = std::fs::read_to_string(wd.path().join("generated.tf")).unwrap();
        assert_eq!(
            generated.matches("\nimport {").count(),
            150,
            "{v}:\n{generated}"
        );
        assert_eq!(generated.matches("\nresource \"vcf_").count(), 150, "{v}");
        assert!(
            generated.contains("identity = {"),
            "{v}: imports by identity"
        );
        assert!(
            generated.contains("\"VCF_INSTANCE:"),
            "{v}: scope in identities:\n{generated}"
        );
        assert!(
            !generated.contains("vidb_")
                && !generated
                    .lines()
                    .any(|l| l.trim_start().starts_with("token "))
                && !generated.contains(" id "),
            "{v}: no secret and no computed attribute in generated configuration:\n{generated}"
        );

        let (code, plan) = wd.plan_code();
        assert!(
            plan.contains("Plan: 150 to import, 0 to add, 0 to change, 0 to destroy."),
            "{v}: exit {code}:\n{plan}"
        );
        let applied = wd.apply();
        assert!(
            applied.contains("Resources: 150 imported, 0 added, 0 changed, 0 destroyed."),
            "{v}:\n{applied}"
        );
        wd.assert_no_changes("after adopting 150 objects");
    }
}

/// Identities of the objects made by `objects_for_every_type`, as HCL objects per address.
struct Made {
    imports: Vec<(&'static str, String)>,
}

fn objects_for_every_type(ctl: &SyncControl, sim: &Sim) -> Made {
    let (realm, instance) = realm_ids(sim);
    let c = &ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client",
               "fields": {"clientId": "byid", "clientName": "By identity"}}),
    )["created"][0];
    let principal = c["clientUuid"].as_str().unwrap().to_string();
    let c2 = &ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_client", "fields": {"clientId": "byid-all"}}),
    )["created"][0];
    let principal2 = c2["clientUuid"].as_str().unwrap().to_string();
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token",
               "fields": {"apiClientId": "byid", "tokenName": "byid-token",
                          "apiTokenTtl": 40320, "accessTokenTtl": 30}}),
    );
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "role_assignments", "id": principal,
               "fields": {"vcfRoleAssignments": [{"roleName": "sddc_admin",
                   "roleScope": {"scopeType": "VCF_INSTANCE", "resources": [{"id": instance}]}}]}}),
    );
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "role_assignments", "id": principal2,
               "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer",
                   "roleScope": {"scopeType": "SSO_REALM"}}]}}),
    );
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "custom_role",
               "fields": {"roleName": "byid-role", "roleDescription": "made by hand",
                          "componentRoles": [{"componentType": "VCF_OPERATIONS", "roles": ["Administrator"]}]}}),
    );
    let user = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "sddc_user",
               "fields": {"name": "svc-byid", "type": "SERVICE", "role": "OPERATOR"}}),
    );
    let user_id = user["id"].as_str().expect("sddc user id").to_string();
    let dir = ctl.post(
        "/objects",
        json!({"op": "create", "kind": "director_token", "fields": {"name": "byid-director"}}),
    );
    let dir_id = dir["created"][0]["id"].as_str().unwrap().to_string();
    Made {
        imports: vec![
            (
                "vcf_api_client.c",
                format!(r#"{{ sso_realm_id = "{realm}", client_id = "byid" }}"#),
            ),
            (
                "vcf_api_token.t",
                format!(
                    r#"{{ sso_realm_id = "{realm}", api_client_id = "byid", name = "byid-token" }}"#
                ),
            ),
            (
                "vcf_role_assignment.r",
                format!(
                    r#"{{ sso_realm_id = "{realm}", principal_id = "{principal}", role_name = "sddc_admin", scope = "VCF_INSTANCE:{instance}" }}"#
                ),
            ),
            (
                "vcf_principal_roles.p",
                format!(r#"{{ sso_realm_id = "{realm}", principal_id = "{principal2}" }}"#),
            ),
            (
                "vcf_custom_role.cr",
                r#"{ name = "byid-role" }"#.to_string(),
            ),
            ("vcf_sddc_user.u", format!(r#"{{ id = "{user_id}" }}"#)),
            (
                "vcf_director_api_token.d",
                format!(r#"{{ id = "{dir_id}" }}"#),
            ),
        ],
    }
}

/// Fleet, SDDC Manager and Director configured from the environment.
fn all_families(tf: &Terraform, sim: &Sim) -> Workdir {
    let sddc = &sim.ready["sddc_manager"];
    let d = &sim.ready["director"];
    fleet_workdir(tf, sim)
        .env("VCF_SDDC_MANAGER_HOST", &sim.host())
        .env(
            "VCF_SDDC_MANAGER_USERNAME",
            sddc["username"].as_str().unwrap(),
        )
        .env(
            "VCF_SDDC_MANAGER_PASSWORD",
            sddc["password"].as_str().unwrap(),
        )
        .env("VCF_DIRECTOR_HOST", &sim.host())
        .env("VCF_DIRECTOR_ORG", d["org"].as_str().unwrap())
        .env("VCF_DIRECTOR_USERNAME", d["username"].as_str().unwrap())
        .env("VCF_DIRECTOR_PASSWORD", d["password"].as_str().unwrap())
}

#[test]
fn import_by_identity_for_every_resource_type() {
    for tf in at_least(14, "import_by_identity_for_every_resource_type") {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        let made = objects_for_every_type(&ctl, &sim);
        let wd = all_families(&tf, &sim);
        let mut config = format!("{REQUIRED_PROVIDERS}{PROVIDER}");
        for (to, identity) in &made.imports {
            config.push_str(&format!(
                "\nimport {{\n  to       = {to}\n  identity = {identity}\n}}\n"
            ));
        }
        wd.write_config(&config);
        // Terraform writes the resource blocks with the provider's GenerateResourceConfig.
        let planned = wd.ok(&["plan", "-no-color", "-generate-config-out=generated.tf"]);
        assert!(
            planned.contains("Plan: 7 to import, 0 to add, 0 to change, 0 to destroy."),
            "{v}:\n{planned}"
        );
        wd.apply();
        wd.assert_no_changes("after import by identity");
        let show: Value = serde_json::from_str(&wd.ok(&["show", "-json"])).unwrap();
        let resources = show["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(resources.len(), 7, "{v}");
        for r in &resources {
            assert!(r["identity"].is_object(), "{v}: identity in state: {r}");
        }

        // Regenerating the token in place gives it a new id but keeps its identity.
        let token = |show: &Value| {
            show["values"]["root_module"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["address"] == "vcf_api_token.t")
                .cloned()
                .unwrap()
        };
        let before = token(&show);
        let generated = std::fs::read_to_string(wd.path().join("generated.tf")).unwrap();
        // `terraform fmt` aligns the `=` of a block, so match the names, not the spacing.
        let rotated = generated
            .lines()
            .map(|l| match l.split_once('=') {
                Some((k, v)) if k.trim() == "rotation_strategy" && v.trim() == "null" => {
                    format!("{k}= \"regenerate\"")
                }
                Some((k, v)) if k.trim() == "rotation_triggers" && v.trim() == "null" => {
                    format!("{k}= {{ v = \"2\" }}")
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(rotated, generated);
        std::fs::write(wd.path().join("generated.tf"), rotated).unwrap();
        let applied = wd.apply();
        assert!(applied.contains("1 changed"), "{v}:\n{applied}");
        wd.assert_no_changes("after regenerate");
        let after = token(&serde_json::from_str(&wd.ok(&["show", "-json"])).unwrap());
        assert_ne!(
            before["values"]["token"], after["values"]["token"],
            "{v}: new secret"
        );
        assert_eq!(before["identity"], after["identity"], "{v}: same identity");
    }
}

#[test]
fn listing_500_tokens_pages_through_the_api_and_honours_the_limit() {
    for tf in at_least(
        14,
        "listing_500_tokens_pages_through_the_api_and_honours_the_limit",
    ) {
        let v = tf.version.clone();
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_token", "count": 500,
                   "fields": {"apiClientId": "vcf-sim-bootstrap", "tokenName": "bulk"}}),
        );
        let wd = fleet_workdir(&tf, &sim);
        wd.write_config(&format!("{REQUIRED_PROVIDERS}{PROVIDER}"));
        let query = |limit: u32| {
            format!(
                "list \"vcf_api_token\" \"bulk\" {{\n  provider = vcf\n  limit = {limit}\n  config {{\n    name_prefix = \"bulk-\"\n  }}\n}}\n"
            )
        };
        std::fs::write(wd.path().join("bulk.tfquery.hcl"), query(1000)).unwrap();
        ctl.reset_stats();
        let listed = wd.ok(&["query", "-no-color"]);
        let n = listed
            .lines()
            .filter(|l| l.starts_with("list.vcf_api_token.bulk "))
            .count();
        assert_eq!(n, 500, "{v}");
        let total = ctl.stats()["total"].as_u64().unwrap();
        eprintln!("{v}: listing 500 tokens took {total} API requests");
        assert!(
            total <= 500u64.div_ceil(50) + 2,
            "{v}: {total} requests: {}",
            ctl.stats()
        );

        // The limit ends the listing early: 60 results need two pages, not ten.
        std::fs::write(wd.path().join("bulk.tfquery.hcl"), query(60)).unwrap();
        ctl.reset_stats();
        let listed = wd.ok(&["query", "-no-color"]);
        let n = listed
            .lines()
            .filter(|l| l.starts_with("list.vcf_api_token.bulk "))
            .count();
        assert_eq!(n, 60, "{v}");
        let pages = query_pages(&ctl.stats());
        assert_eq!(pages, 2, "{v}: {}", ctl.stats());

        // Filters: three tokens of another client that expire within two hours.
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_client", "fields": {"clientId": "short-lived"}}),
        );
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_token", "count": 3,
                   "fields": {"apiClientId": "short-lived", "tokenName": "soon", "apiTokenTtl": 60}}),
        );
        let filtered = |config: &str| {
            std::fs::write(
                wd.path().join("bulk.tfquery.hcl"),
                format!("list \"vcf_api_token\" \"bulk\" {{\n  provider = vcf\n  config {{\n{config}\n  }}\n}}\n"),
            )
            .unwrap();
            let out = wd.ok(&["query", "-no-color"]);
            out.lines()
                .filter(|l| l.starts_with("list.vcf_api_token.bulk "))
                .count()
        };
        assert_eq!(filtered("expiring_within = \"2h\""), 3, "{v}");
        assert_eq!(filtered("api_client_id = \"short-lived\""), 3, "{v}");
        assert_eq!(
            filtered("api_client_id = \"short\""),
            0,
            "{v}: exact client"
        );
        assert_eq!(filtered("status = \"UNKNOWN\""), 0, "{v}");
    }
}

/// Token query requests counted by the sim since its stats were reset.
fn query_pages(stats: &Value) -> u64 {
    stats["endpoints"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.contains("api-tokens/query"))
                .flat_map(|(_, by_status)| {
                    by_status.as_object().into_iter().flat_map(|o| o.values())
                })
                .filter_map(Value::as_u64)
                .sum()
        })
        .unwrap_or(0)
}

/// Streaming, measured at the provider's RPC layer with latency on every token page: the first
/// result of a 500-token listing arrives while only the first of its ten pages has been
/// fetched (counted by the sim), and the rest follow page by page.
#[test]
fn list_streams_results_before_the_last_page_is_fetched() {
    use terraform_provider_vcf::framework::codec::{decode_dynamic, encode_dynamic};
    use terraform_provider_vcf::framework::rpc::ProviderService;
    use terraform_provider_vcf::framework::{Provider, Type, Value as V};
    use terraform_provider_vcf::proto::tfplugin6 as pb;
    use terraform_provider_vcf::proto::tfplugin6::provider_server::Provider as _;
    use terraform_provider_vcf::provider::VcfProvider;
    use tokio_stream::StreamExt;

    fn nulls(ty: &Type) -> V {
        match ty {
            Type::Object(attrs) => V::object(attrs.keys().map(|k| (k.clone(), V::Null))),
            _ => V::Null,
        }
    }

    let sim = Sim::start();
    let ctl = SyncControl::new(&sim);
    ctl.post(
        "/objects",
        json!({"op": "create", "kind": "api_token", "count": 500,
               "fields": {"apiClientId": "vcf-sim-bootstrap", "tokenName": "bulk"}}),
    );
    ctl.fault(json!({"path": "*/api-tokens/query*", "kind": "latency", "latency_ms": [30, 30]}));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let control = Control::new(&sim);
        let svc = ProviderService::new(VcfProvider);
        let pty = VcfProvider.schema().value_type();
        let mut config = nulls(&pty);
        let Type::Object(blocks) = &pty else { panic!() };
        let mut ops = nulls(&blocks["operations"]);
        ops.set_attr("host", V::string(sim.host()));
        ops.set_attr(
            "api_token",
            V::string(sim.ready["operations"]["api_token"].as_str().unwrap()),
        );
        ops.set_attr(
            "token_endpoint_url",
            V::string(
                sim.ready["operations"]["token_endpoint_url"]
                    .as_str()
                    .unwrap(),
            ),
        );
        config.set_attr("operations", ops);
        config.set_attr("ca_file", V::string(sim.ca_file()));
        config.set_attr("default_sso_realm", V::string("flt-idb02"));
        let r = svc
            .configure_provider(tonic::Request::new(pb::configure_provider::Request {
                config: Some(encode_dynamic(&config, &pty).unwrap()),
                terraform_version: "1.15.0".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

        let schema = svc
            .get_provider_schema(tonic::Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        let list_schema = &schema.list_resource_schemas["vcf_api_token"];
        let attrs: Vec<String> = list_schema
            .block
            .as_ref()
            .unwrap()
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect();
        let lty = Type::object(attrs.iter().map(|a| (a.clone(), Type::String)));
        let mut lconfig = nulls(&lty);
        lconfig.set_attr("name_prefix", V::string("bulk-"));
        control.reset_stats().await;
        let mut stream = svc
            .list_resource(tonic::Request::new(pb::list_resource::Request {
                type_name: "vcf_api_token".into(),
                config: Some(encode_dynamic(&lconfig, &lty).unwrap()),
                include_resource_object: false,
                limit: 0,
            }))
            .await
            .unwrap()
            .into_inner();
        let first = stream.next().await.unwrap().unwrap();
        assert!(first.diagnostic.is_empty(), "{:?}", first.diagnostic);
        let id_ty = Type::object([
            ("sso_realm_id", Type::String),
            ("api_client_id", Type::String),
            ("name", Type::String),
        ]);
        let identity =
            decode_dynamic(first.identity.unwrap().identity_data.as_ref(), &id_ty).unwrap();
        let name = identity
            .attr("name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(name.starts_with("bulk-"), "{name}");
        let pages_at_first = query_pages(&control.stats().await);
        assert_eq!(
            pages_at_first, 1,
            "the first result came before page two was fetched"
        );
        let mut n = 1;
        while let Some(ev) = stream.next().await {
            let ev = ev.unwrap();
            assert!(ev.diagnostic.is_empty(), "{:?}", ev.diagnostic);
            n += 1;
        }
        assert_eq!(n, 500);
        let pages = query_pages(&control.stats().await);
        assert_eq!(pages, 10);
    });
}

/// Every example under `examples/list-resources/` runs with `terraform query` against vcf-sim
/// (all three API families configured).
#[test]
fn list_resource_examples_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/list-resources");
    let mut examples: Vec<_> = std::fs::read_dir(&root)
        .expect("examples/list-resources")
        .flatten()
        .map(|e| e.path().join("list.tfquery.hcl"))
        .collect();
    examples.sort();
    assert_eq!(examples.len(), 7);
    for tf in at_least(14, "list_resource_examples_run") {
        let sim = Sim::start();
        let ctl = SyncControl::new(&sim);
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "sddc_user",
                   "fields": {"name": "svc-listed", "type": "SERVICE", "role": "VIEWER"}}),
        );
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "custom_role",
                   "fields": {"roleName": "fleet-listed",
                              "componentRoles": [{"componentType": "VCF_OPERATIONS", "roles": ["ReadOnly"]}]}}),
        );
        let viewer = ctl.post(
            "/objects",
            json!({"op": "create", "kind": "api_client", "fields": {"clientId": "viewer-listed"}}),
        );
        ctl.post(
            "/objects",
            json!({"op": "create", "kind": "role_assignments", "id": viewer["created"][0]["clientUuid"],
                   "fields": {"vcfRoleAssignments": [{"roleName": "vcf_viewer", "roleScope": {"scopeType": "SSO_REALM"}}]}}),
        );
        let wd = all_families(&tf, &sim);
        wd.write_config(&format!("{REQUIRED_PROVIDERS}{PROVIDER}"));
        for ex in &examples {
            for old in std::fs::read_dir(wd.path()).unwrap().flatten() {
                if old.path().to_string_lossy().ends_with(".tfquery.hcl") {
                    std::fs::remove_file(old.path()).unwrap();
                }
            }
            std::fs::copy(ex, wd.path().join("example.tfquery.hcl")).unwrap();
            let out = wd.ok(&["query", "-no-color"]);
            let expected = [
                ("vcf_sddc_user", "svc-listed (SERVICE, VIEWER)"),
                ("vcf_custom_role", "name=fleet-listed "),
                (
                    "vcf_principal_roles",
                    "viewer-listed: vcf_viewer (1 assignment)",
                ),
            ];
            for (ty, line) in expected {
                if ex.to_string_lossy().contains(&format!("/{ty}/")) {
                    assert!(out.contains(line), "{}: {ty}: {out}", tf.version);
                }
            }
        }
    }
}
