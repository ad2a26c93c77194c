//! Unit tests of `vcf_access_token`: endpoints, renewal times, the URL check.

use super::*;

fn config(pairs: &[(&str, &str)]) -> AccessTokenModel {
    let mut c = AccessTokenModel::default();
    for (k, val) in pairs {
        let v: Val<String> = (*val).into();
        match *k {
            "api_token" => c.api_token = Val::Known(Secret::new(*val)),
            "token_endpoint_url" => c.token_endpoint_url = v,
            "director_host" => c.director_host = v,
            "director_org" => c.director_org = v,
            "director_flavor" => c.director_flavor = v,
            other => panic!("not a configuration attribute: {other}"),
        }
    }
    c
}

#[test]
fn sources_point_at_the_right_endpoint() {
    let source = |pairs: &[(&str, &str)]| Source::of(&config(pairs));
    let s = source(&[
        ("api_token", "t"),
        ("director_host", "vcd:8443"),
        ("director_org", "acme"),
    ])
    .unwrap();
    assert_eq!(
        s.endpoint.as_str(),
        "https://vcd:8443/oauth/tenant/acme/token"
    );
    assert_eq!(
        s.fallback.map(|u| u.path().to_string()).as_deref(),
        Some("/tm/oauth/tenant/acme/token")
    );
    let s = source(&[
        ("api_token", "t"),
        ("director_host", "vcd"),
        ("director_org", "System"),
    ])
    .unwrap();
    assert_eq!(s.endpoint.path(), "/oauth/provider/token");
    let s = source(&[
        ("api_token", "t"),
        ("director_host", "vcd"),
        ("director_flavor", "vcf_automation"),
    ])
    .unwrap();
    assert_eq!(s.endpoint.path(), "/tm/oauth/provider/token");
    assert!(s.fallback.is_none());
    let s = source(&[
        ("api_token", "vidb_x"),
        ("token_endpoint_url", "https://idb/acs/t/CUSTOMER/token"),
    ])
    .unwrap();
    assert_eq!(s.endpoint.path(), "/acs/t/CUSTOMER/token");
    assert!(s.fleet);
    let missing = source(&[("api_token", ""), ("director_host", "h")]).unwrap_err();
    assert_eq!(
        missing.diags.iter().next().unwrap().summary,
        "Missing API token"
    );
}

#[test]
fn renewal_is_before_expiry() {
    let before = SystemTime::now();
    let at = renew_time(Some(Duration::from_secs(100))).unwrap();
    assert!(
        at >= before + Duration::from_secs(74) && at <= SystemTime::now() + Duration::from_secs(76)
    );
    assert_eq!(renew_time(None), None);
    let expires = expiry(Duration::from_secs(3600)).unwrap();
    assert!(
        expires.ends_with('Z') && !expires.contains('.'),
        "{expires}"
    );
    assert_eq!(handle().len(), 32);
    assert!(https_url_problem(&Value::string("http://x")).is_some());
    assert!(https_url_problem(&Value::string("https://x/t")).is_none());
}
