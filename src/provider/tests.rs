//! Tests of the provider configuration: schema validation, the extra checks, and the merge
//! with the environment.

use super::schema::schema;
use super::settings::DEFAULT_REQUEST_TIMEOUT;
use super::validate::{host_problem, validate};
use super::{Auth, Settings, batched_token_reads};
use crate::framework::diag::AttributePath;
use crate::framework::{Diagnostics, Type, Value};

fn config(pairs: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = schema().value_type() else {
        unreachable!()
    };
    let mut v = Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect());
    for (k, val) in pairs {
        v.set_attr(k, val.clone());
    }
    v
}

fn validate_all(v: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    schema().block.validate(v, &AttributePath::root(), &mut d);
    validate(v, &mut d);
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

#[test]
fn host_rules() {
    for ok in [
        "flt-ops01.rainpole.io",
        "10.0.0.1:8443",
        "[::1]:443",
        "localhost",
    ] {
        assert_eq!(host_problem(&ok.into()), None, "{ok}");
    }
    for bad in [
        "https://x.example.com",
        "x.example.com/api",
        "x:0",
        "x:abc",
        "a b",
        "user@x",
    ] {
        assert!(host_problem(&bad.into()).is_some(), "{bad}");
    }
    let msg = host_problem(&"https://ops.example.com/".into()).unwrap();
    assert!(msg.contains("\"ops.example.com\""), "{msg}");
}

#[test]
fn validation_points_at_the_attribute() {
    let ops = |pairs: &[(&str, Value)]| {
        Value::object(pairs.iter().cloned().map(|(k, v)| (k.to_string(), v)))
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            config(&[(
                "operations",
                ops(&[
                    ("api_token", "t".into()),
                    ("username", "u".into()),
                    ("password", "p".into()),
                    ("token_endpoint_url", "https://i/t".into()),
                ]),
            )]),
            "operations.api_token",
        ),
        (
            config(&[("operations", ops(&[("host", "https://ops".into())]))]),
            "operations.host",
        ),
        (
            config(&[("sddc_manager", ops(&[("host", "sddc/api".into())]))]),
            "sddc_manager.host",
        ),
        (
            config(&[
                ("ca_pem", "-----BEGIN CERTIFICATE-----".into()),
                ("ca_file", "/x".into()),
            ]),
            "ca_pem",
        ),
        (
            config(&[("request_timeout", "soon".into())]),
            "request_timeout",
        ),
        (
            config(&[("parallel_requests", 0.into())]),
            "parallel_requests",
        ),
        (config(&[("max_retries", 21.into())]), "max_retries"),
        (
            config(&[("operations", ops(&[("api_token", "t".into())]))]),
            "operations.token_endpoint_url",
        ),
        (
            config(&[(
                "operations",
                ops(&[("token_endpoint_url", "http://i/t".into())]),
            )]),
            "operations.token_endpoint_url",
        ),
        (
            config(&[("director", ops(&[("username", "u".into())]))]),
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
    let v = config(&[(
        "operations",
        ops(&[
            ("host", Value::Unknown),
            ("api_token", Value::Unknown),
            ("token_endpoint_url", Value::Unknown),
        ]),
    )]);
    assert!(validate_all(&v).is_empty());
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
    let s = Settings::from_config(&config(&[]), env, &mut d).unwrap();
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
fn configure_reports_missing_pieces_on_the_block() {
    let mut d = Diagnostics::new();
    let v = config(&[(
        "sddc_manager",
        Value::object([
            ("host", Value::from("sddc")),
            ("username", Value::Null),
            ("password", Value::Null),
        ]),
    )]);
    assert!(Settings::from_config(&v, |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager"]);
    let mut d = Diagnostics::new();
    assert!(
        Settings::from_config(
            &config(&[]),
            |k| (k == "VCF_MAX_RETRIES").then(|| "lots".into()),
            &mut d
        )
        .is_none()
    );
    assert_eq!(error_paths(&d), vec!["max_retries"]);
}

#[test]
fn sddc_manager_takes_exactly_one_of_password_and_api_key() {
    let block = |pairs: &[(&str, Value)]| {
        let mut b = Value::object(
            ["host", "username", "password", "api_key"]
                .iter()
                .map(|k| (k.to_string(), Value::Null)),
        );
        for (k, v) in pairs {
            b.set_attr(k, v.clone());
        }
        config(&[("sddc_manager", b)])
    };
    // The api key alone: an API-key login, never printed.
    let v = block(&[("host", "sddc".into()), ("api_key", "key-0f3b9c".into())]);
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
    let s = Settings::from_config(&config(&[]), env, &mut d).expect("settings");
    assert!(
        matches!(&s.sddc_manager.expect("sddc").auth, Auth::ApiToken { token, .. } if token.expose() == "env-key")
    );
    // Both: at validate time and at configure time, on sddc_manager.api_key.
    let both = block(&[
        ("host", "sddc".into()),
        ("username", "u".into()),
        ("password", "p".into()),
        ("api_key", "k".into()),
    ]);
    let mut paths = error_paths(&validate_all(&both));
    paths.dedup();
    assert_eq!(paths, vec!["sddc_manager.api_key"]);
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&both, |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
    let env_user = |k: &str| (k == "VCF_SDDC_MANAGER_PASSWORD").then(|| "p".to_string());
    let key_only = block(&[("host", "sddc".into()), ("api_key", "k".into())]);
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&key_only, env_user, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager.api_key"]);
    // Neither: on the block, naming both ways.
    let mut d = Diagnostics::new();
    assert!(Settings::from_config(&block(&[("host", "sddc".into())]), |_| None, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["sddc_manager"]);
    assert!(format!("{d:?}").contains("api_key"), "{d:?}");
    // An empty key is refused on the attribute.
    let empty = block(&[("host", "sddc".into()), ("api_key", "".into())]);
    assert_eq!(
        error_paths(&validate_all(&empty)),
        vec!["sddc_manager.api_key"]
    );
}

#[test]
fn director_flavor_is_checked_on_the_attribute() {
    let block = |flavor: Value| {
        config(&[(
            "director",
            Value::object([
                ("host", Value::from("vcfa")),
                ("flavor", flavor),
                ("org", Value::from("acme")),
                ("api_token", Value::from("t0k3n")),
                ("username", Value::Null),
                ("password", Value::Null),
            ]),
        )])
    };
    assert_eq!(
        error_paths(&validate_all(&block(Value::from("vcd")))),
        vec!["director.flavor"]
    );
    use crate::client::contract::director::Flavor;
    for (value, want) in [
        ("vcf_automation", Some(Flavor::VcfAutomation)),
        ("cloud_director", Some(Flavor::CloudDirector)),
        ("auto", None),
    ] {
        let mut d = Diagnostics::new();
        let s =
            Settings::from_config(&block(Value::from(value)), |_| None, &mut d).expect("settings");
        assert_eq!(s.director.expect("director").flavor, want, "{value}");
    }
    // From the environment, checked on the same attribute.
    let mut d = Diagnostics::new();
    let env = |k: &str| (k == "VCF_DIRECTOR_FLAVOR").then(|| "vcd".to_string());
    assert!(Settings::from_config(&block(Value::Null), env, &mut d).is_none());
    assert_eq!(error_paths(&d), vec!["director.flavor"]);
}

#[test]
fn operations_access_token_is_used_as_is_and_never_printed() {
    let v = config(&[(
        "operations",
        Value::object([
            ("host", Value::from("ops")),
            ("access_token", Value::from("eyJhbGciOiJIUzI1NiJ9.e30.sig")),
            ("api_token", Value::Null),
            ("username", Value::Null),
            ("password", Value::Null),
            ("auth_source", Value::Null),
            ("token_endpoint_url", Value::Null),
        ]),
    )]);
    let mut d = Diagnostics::new();
    let s = Settings::from_config(&v, |_| None, &mut d).unwrap();
    assert!(d.is_empty(), "{d:?}");
    let ops = s.operations.as_ref().unwrap();
    assert!(matches!(&ops.auth, Auth::AccessToken { token } if token.expose().starts_with("eyJ")));
    assert!(!format!("{s:?}").contains("eyJ"));
    let mut both = v.clone();
    if let Some(o) = both.attr_mut("operations") {
        o.set_attr("api_token", Value::from("vidb_x"));
    }
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
