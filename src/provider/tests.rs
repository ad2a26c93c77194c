//! Tests of the provider configuration: the model against the schema, schema validation, the
//! extra checks, and the merge with the environment.

use super::model::{DirectorModel, OperationsModel, ProviderModel, SddcManagerModel};
use super::schema::schema;
use super::settings::DEFAULT_REQUEST_TIMEOUT;
use super::validate::{host_problem, validate};
use super::{Auth, Settings, batched_token_reads};
use crate::framework::diag::AttributePath;
use crate::framework::model::ToValue;
use crate::framework::{Block, Diagnostics, Model, Number, Secret, Type, Val, Value};

fn secret(s: &str) -> Val<Secret> {
    Secret::new(s).into()
}

fn number(n: i64) -> Val<Number> {
    Val::Known(Number::from(n))
}

fn with_operations(ops: OperationsModel) -> ProviderModel {
    ProviderModel {
        operations: Val::Known(ops),
        ..Default::default()
    }
}

fn with_sddc_manager(sddc: SddcManagerModel) -> ProviderModel {
    ProviderModel {
        sddc_manager: Val::Known(sddc),
        ..Default::default()
    }
}

fn with_director(director: DirectorModel) -> ProviderModel {
    ProviderModel {
        director: Val::Known(director),
        ..Default::default()
    }
}

/// The schema's validators on the wire value, then the provider's own checks on the model,
/// with no environment variable set.
fn validate_all(config: &ProviderModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    schema()
        .block
        .validate(&config.to_value(), &AttributePath::root(), &mut d);
    validate(config, |_| false, &mut d);
    d
}

fn error_paths(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|x| x.severity == crate::framework::diag::Severity::Error)
        .map(|x| {
            x.attribute
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default()
        })
        .collect()
}

fn names(block: &Block) -> Vec<String> {
    let mut names: Vec<String> = block
        .attributes
        .iter()
        .map(|a| a.name.clone())
        .chain(block.blocks.iter().map(|b| b.name.clone()))
        .collect();
    names.sort();
    names
}

fn sorted(names: Vec<&'static str>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(str::to_string).collect();
    names.sort();
    names
}

/// A value of type `ty` with every attribute set, nested objects included.
fn filled(ty: &Type) -> Value {
    match ty {
        Type::Bool => Value::Bool(true),
        Type::Number => Value::from(1),
        Type::String => Value::string("x"),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(name, ty)| (name.clone(), filled(ty)))
                .collect(),
        ),
        other => panic!("the provider schema has no attribute of type {other:?}"),
    }
}

/// The model has exactly the attributes and blocks of the provider schema, each block's model
/// those of its block, and a configuration with everything set decodes and encodes unchanged
/// (so every field also has the schema's type).
#[test]
fn provider_model_matches_its_schema() {
    let schema = schema();
    assert_eq!(
        sorted(ProviderModel::attribute_names()),
        names(&schema.block)
    );
    let block = |name: &str| {
        &schema
            .block
            .blocks
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("block {name}"))
            .block
    };
    assert_eq!(
        sorted(OperationsModel::attribute_names()),
        names(block("operations"))
    );
    assert_eq!(
        sorted(SddcManagerModel::attribute_names()),
        names(block("sddc_manager"))
    );
    assert_eq!(
        sorted(DirectorModel::attribute_names()),
        names(block("director"))
    );
    let full = filled(&schema.value_type());
    let model = ProviderModel::decode(&full).expect("a full configuration decodes");
    assert_eq!(model.to_value(), full);
    let empty = ProviderModel::decode(&ProviderModel::default().to_value()).expect("decodes");
    assert_eq!(empty, ProviderModel::default());
}

#[test]
fn host_rules() {
    for ok in [
        "flt-ops01.rainpole.io",
        "10.0.0.1:8443",
        "[::1]:443",
        "localhost",
    ] {
        assert_eq!(host_problem(ok), None, "{ok}");
    }
    for bad in [
        "https://x.example.com",
        "x.example.com/api",
        "x:0",
        "x:abc",
        "a b",
        "user@x",
    ] {
        assert!(host_problem(bad).is_some(), "{bad}");
    }
    let msg = host_problem("https://ops.example.com/").unwrap();
    assert!(msg.contains("\"ops.example.com\""), "{msg}");
}

#[test]
fn validation_points_at_the_attribute() {
    let cases: Vec<(ProviderModel, &str)> = vec![
        (
            with_operations(OperationsModel {
                api_token: secret("t"),
                username: "u".into(),
                password: secret("p"),
                token_endpoint_url: "https://i/t".into(),
                ..Default::default()
            }),
            "operations.api_token",
        ),
        (
            with_operations(OperationsModel {
                host: "https://ops".into(),
                ..Default::default()
            }),
            "operations.host",
        ),
        (
            with_sddc_manager(SddcManagerModel {
                host: "sddc/api".into(),
                ..Default::default()
            }),
            "sddc_manager.host",
        ),
        (
            ProviderModel {
                ca_pem: "-----BEGIN CERTIFICATE-----".into(),
                ca_file: "/x".into(),
                ..Default::default()
            },
            "ca_pem",
        ),
        (
            ProviderModel {
                request_timeout: "soon".into(),
                ..Default::default()
            },
            "request_timeout",
        ),
        (
            ProviderModel {
                parallel_requests: number(0),
                ..Default::default()
            },
            "parallel_requests",
        ),
        (
            ProviderModel {
                max_retries: number(21),
                ..Default::default()
            },
            "max_retries",
        ),
        (
            with_operations(OperationsModel {
                api_token: secret("t"),
                ..Default::default()
            }),
            "operations.token_endpoint_url",
        ),
        (
            with_operations(OperationsModel {
                token_endpoint_url: "http://i/t".into(),
                ..Default::default()
            }),
            "operations.token_endpoint_url",
        ),
        (
            with_director(DirectorModel {
                username: "u".into(),
                ..Default::default()
            }),
            "director.username",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(
            error_paths(&validate_all(&v)),
            vec![want.to_string()],
            "case {want}"
        );
    }
    // Unknown values are accepted at validate time.
    let v = with_operations(OperationsModel {
        host: Val::Unknown,
        api_token: Val::Unknown,
        token_endpoint_url: Val::Unknown,
        ..Default::default()
    });
    assert!(validate_all(&v).is_empty());
    // The token endpoint may come from the environment.
    let token_only = with_operations(OperationsModel {
        api_token: secret("t"),
        ..Default::default()
    });
    let mut d = Diagnostics::new();
    validate(
        &token_only,
        |k| k == "VCF_OPERATIONS_TOKEN_ENDPOINT_URL",
        &mut d,
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn insecure_with_ca_certificates_warns_on_insecure() {
    let v = ProviderModel {
        insecure: true.into(),
        ca_file: "/etc/ca.pem".into(),
        ..Default::default()
    };
    let d = validate_all(&v);
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(d.0.len(), 1, "{d:?}");
    assert_eq!(d.0[0].summary, "CA certificates are ignored");
    assert_eq!(d.0[0].attribute, Some(AttributePath::attr("insecure")));
}

#[test]
fn configure_merges_environment_and_keeps_secrets_secret() {
    let env = |k: &str| match k {
        "VCF_OPERATIONS_HOST" => Some("ops.example.com".to_string()),
        "VCF_OPERATIONS_API_TOKEN" => Some("vidb_secret_value".to_string()),
        "VCF_OPERATIONS_TOKEN_ENDPOINT_URL" => Some("https://idb/acs/t/CUSTOMER/token".to_string()),
        "VCF_PARALLEL_REQUESTS" => Some("16".to_string()),
        _ => None,
    };
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&ProviderModel::default(), env, &mut d).unwrap();
    assert!(d.is_empty(), "{d:?}");
    let ops = s.operations.as_ref().unwrap();
    assert_eq!(ops.host, "ops.example.com");
    assert_eq!(s.transport.parallel_requests, 16);
    assert_eq!(s.transport.request_timeout, DEFAULT_REQUEST_TIMEOUT);
    assert!(s.sddc_manager.is_none() && s.director.is_none());
    let printed = format!("{s:?}");
    assert!(!printed.contains("vidb_secret_value"), "{printed}");
}

#[test]
fn configuration_wins_over_the_environment() {
    let env = |k: &str| match k {
        "VCF_DIRECTOR_HOST" => Some("env-host".to_string()),
        "VCF_DIRECTOR_ORG" => Some("env-org".to_string()),
        "VCF_DIRECTOR_USERNAME" => Some("env-user".to_string()),
        "VCF_DIRECTOR_PASSWORD" => Some("env-password".to_string()),
        "VCF_MAX_RETRIES" => Some("7".to_string()),
        "VCF_INSECURE" => Some("true".to_string()),
        _ => None,
    };
    let v = ProviderModel {
        max_retries: number(2),
        insecure: false.into(),
        ..with_director(DirectorModel {
            host: "vcfa".into(),
            org: "acme".into(),
            username: "admin".into(),
            ..Default::default()
        })
    };
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&v, env, &mut d).expect("settings");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.transport.max_retries, 2);
    assert!(!s.transport.insecure);
    let director = s.director.expect("director");
    assert_eq!(director.endpoint.host, "vcfa");
    assert_eq!(director.org.as_deref(), Some("acme"));
    assert!(matches!(
        &director.endpoint.auth,
        Auth::Password { username, password, .. }
            if username == "admin" && password.expose() == "env-password"
    ));
}

#[test]
fn configure_reports_missing_pieces_on_the_block() {
    let mut d = Diagnostics::new();
    let v = with_sddc_manager(SddcManagerModel {
        host: "sddc".into(),
        ..Default::default()
    });
    assert!(Settings::from_config(&v, |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager"]);
    let mut d = Diagnostics::new();
    assert!(
        Settings::from_config(
            &ProviderModel::default(),
            |k| (k == "VCF_MAX_RETRIES").then(|| "lots".into()),
            &mut d
        )
        .is_none()
    );
    assert_eq!(error_paths(&d), vec!["max_retries"]);
    assert_eq!(
        d.0[0].detail,
        "max_retries (from VCF_MAX_RETRIES) must be a whole number between 0 and 20."
    );
    // A block without its host, and no host variable.
    let mut d = Diagnostics::new();
    let v = with_director(DirectorModel {
        api_token: secret("t0k3n"),
        ..Default::default()
    });
    assert!(Settings::from_config(&v, |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["director.host"]);
    assert_eq!(
        d.0[0].detail,
        "The director block needs a host: set director.host or VCF_DIRECTOR_HOST."
    );
}

#[test]
fn sddc_manager_takes_exactly_one_of_password_and_api_key() {
    let block = |sddc: SddcManagerModel| {
        with_sddc_manager(SddcManagerModel {
            host: "sddc".into(),
            ..sddc
        })
    };
    // The api key alone: an API-key login, never printed.
    let v = block(SddcManagerModel {
        api_key: secret("key-0f3b9c"),
        ..Default::default()
    });
    assert!(validate_all(&v).is_empty());
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&v, |_| None, &mut d).expect("settings");
    assert!(d.is_empty(), "{d:?}");
    let e = s.sddc_manager.as_ref().expect("sddc");
    assert!(matches!(&e.auth, Auth::ApiToken { token, .. } if token.expose() == "key-0f3b9c"));
    assert!(!format!("{s:?}").contains("key-0f3b9c"));
    // From the environment too.
    let env = |k: &str| match k {
        "VCF_SDDC_MANAGER_HOST" => Some("sddc".to_string()),
        "VCF_SDDC_MANAGER_API_KEY" => Some("env-key".to_string()),
        _ => None,
    };
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&ProviderModel::default(), env, &mut d).expect("settings");
    assert!(
        matches!(&s.sddc_manager.expect("sddc").auth, Auth::ApiToken { token, .. } if token.expose() == "env-key")
    );
    // Both: at validate time and at configure time, on sddc_manager.api_key.
    let both = block(SddcManagerModel {
        username: "u".into(),
        password: secret("p"),
        api_key: secret("k"),
        ..Default::default()
    });
    let mut paths = error_paths(&validate_all(&both));
    paths.dedup();
    assert_eq!(paths, vec!["sddc_manager.api_key"]);
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&both, |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
    let env_user = |k: &str| (k == "VCF_SDDC_MANAGER_PASSWORD").then(|| "p".to_string());
    let key_only = block(SddcManagerModel {
        api_key: secret("k"),
        ..Default::default()
    });
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&key_only, env_user, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
    // Neither: on the block, naming both ways.
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&block(SddcManagerModel::default()), |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager"]);
    assert!(format!("{d:?}").contains("api_key"), "{d:?}");
    // An empty key is refused on the attribute.
    let empty = block(SddcManagerModel {
        api_key: secret(""),
        ..Default::default()
    });
    assert_eq!(
        error_paths(&validate_all(&empty)),
        vec!["sddc_manager.api_key"]
    );
}

#[test]
fn director_flavor_is_checked_on_the_attribute() {
    let block = |flavor: Val<String>| {
        with_director(DirectorModel {
            host: "vcfa".into(),
            flavor,
            org: "acme".into(),
            api_token: secret("t0k3n"),
            ..Default::default()
        })
    };
    assert_eq!(
        error_paths(&validate_all(&block("vcd".into()))),
        vec!["director.flavor"]
    );
    use crate::client::contract::director::Flavor;
    for (value, want) in [
        ("vcf_automation", Some(Flavor::VcfAutomation)),
        ("cloud_director", Some(Flavor::CloudDirector)),
        ("auto", None),
    ] {
        let mut d = Diagnostics::new();
        let s = Settings::from_config(&block(value.into()), |_| None, &mut d).expect("settings");
        assert_eq!(s.director.expect("director").flavor, want, "{value}");
    }
    // From the environment, checked on the same attribute.
    let mut d = Diagnostics::new();
    let env = |k: &str| (k == "VCF_DIRECTOR_FLAVOR").then(|| "vcd".to_string());
    assert!(Settings::from_config(&block(Val::Null), env, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["director.flavor"]);
}

#[test]
fn operations_access_token_is_used_as_is_and_never_printed() {
    let access = OperationsModel {
        host: "ops".into(),
        access_token: secret("eyJhbGciOiJIUzI1NiJ9.e30.sig"),
        ..Default::default()
    };
    let v = with_operations(access.clone());
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&v, |_| None, &mut d).unwrap();
    assert!(d.is_empty(), "{d:?}");
    let ops = s.operations.as_ref().unwrap();
    assert!(matches!(&ops.auth, Auth::AccessToken { token } if token.expose().starts_with("eyJ")));
    assert!(!format!("{s:?}").contains("eyJ"));
    let both = with_operations(OperationsModel {
        api_token: secret("vidb_x"),
        ..access
    });
    let errors = error_paths(&validate_all(&both));
    assert!(
        errors.contains(&"operations.access_token".to_string()),
        "{errors:?}"
    );
}

#[test]
fn batched_token_reads_switch() {
    let mut diags = Diagnostics::new();
    assert!(batched_token_reads(None, &mut diags));
    assert!(batched_token_reads(Some(" true ".into()), &mut diags));
    assert!(!batched_token_reads(Some("false".into()), &mut diags));
    assert!(diags.is_empty());
    assert!(batched_token_reads(Some("no".into()), &mut diags));
    assert!(!diags.has_errors());
    assert_eq!(diags.0.len(), 1);
    assert!(diags.0[0].detail.contains("\"no\""), "{diags:?}");
}
