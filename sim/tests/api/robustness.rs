//! Bad input on every route never crashes the sim and never yields a 5xx.

use reqwest::Method;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn garbage_on_every_route() {
    let sim = Sim::start().await;
    let fleet = sim.fleet_admin().await;
    let sddc = sim.sddc_admin().await["accessToken"]
        .as_str()
        .expect("at")
        .to_string();
    let director = sim.director_login().await;
    let routes = sim.ctl(Method::GET, "/routes", None).await;
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"[{}]".to_vec(),
        b"17".to_vec(),
        b"\"str\"".to_vec(),
        br#"{"a":{"b":[1,2,{"c":null}]},"clientId":[],"tokenName":{},"vcfRoleAssignments":[{"roleName":1}],"searchTerms":5}"#.to_vec(),
        b"grant_type=refresh_token&refresh_token=%ZZ&assertion=&client_id=".to_vec(),
        nested.into_bytes(),
        vec![0xff, 0xfe, 0x00, 0x80],
    ];
    let mut checked = 0;
    for r in routes["routes"].as_array().expect("routes") {
        let method =
            Method::from_bytes(r["method"].as_str().expect("m").as_bytes()).expect("method");
        let path = r["template"]
            .as_str()
            .expect("t")
            .split('/')
            .map(|s| if s.starts_with('{') { "x%2Fy" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let realm_path = path.replace("/ssorealms/x%2Fy", &format!("/ssorealms/{}", sim.realm()));
        for p in [&path, &realm_path] {
            for bearer in [None, Some(&fleet), Some(&sddc), Some(&director)] {
                for body in &bodies {
                    for ct in ["application/json", "application/x-www-form-urlencoded"] {
                        let mut rb = sim
                            .client
                            .request(method.clone(), format!("{}{p}", sim.url))
                            .header("content-type", ct)
                            .body(body.clone());
                        if let Some(b) = bearer {
                            rb = rb.bearer_auth(b);
                        }
                        let res = finish(rb).await;
                        assert!(
                            res.status < 500,
                            "{method} {p} gave {}: {}",
                            res.status,
                            res.text
                        );
                        if res.status >= 400 {
                            assert_ne!(
                                res.body["requestId"],
                                Value::Null,
                                "{method} {p}: {}",
                                res.text
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 1000);
    assert_eq!(sim.ctl(Method::GET, "/health", None).await["ok"], true);
}
