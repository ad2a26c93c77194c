//! The two flavours the Director family plays: VCF Automation (OAuth under `/tm/oauth`, 9.x
//! versions) against Cloud Director (OAuth under `/oauth`), each refusing the other's paths and
//! versions.

use reqwest::Method;
use serde_json::json;

use super::create_token_at;
use crate::common::*;

/// VCF Automation mode: OAuth lives under `/tm/oauth` (the Cloud Director paths are 404),
/// cloudapi calls asking for a Cloud Director version are 406 and `version=9.1.0` works, and
/// `GET /api/versions` lists 9.x versions. Cloud Director mode is the mirror image, and refuses
/// the old `version=36.1`.
#[tokio::test]
async fn vcf_automation_mode_paths_and_versions() {
    let sim = Sim::start_with(&["--director-flavor", "vcf_automation"]).await;
    assert_eq!(sim.ready["director"]["flavor"], "vcf_automation");
    let org = sim.ready_str("director", "org");
    let user = sim.ready_str("director", "username");
    let pw = sim.ready_str("director", "password");
    let versions = sim.call(Method::GET, "/api/versions", None, None).await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    assert!(versions.text.contains("9.1.0") && !versions.text.contains("39.1"));

    // The old Accept version is refused; 9.1.0 logs in.
    let old = sim
        .director_basic("/cloudapi/1.0.0/sessions", &user, &org, &pw)
        .await;
    assert_error(&old, 406);
    let cred = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{user}@{org}:{pw}"),
    );
    let login = finish(
        sim.client
            .post(format!("{}/cloudapi/1.0.0/sessions", sim.url))
            .header("authorization", format!("Basic {cred}"))
            .header("accept", "application/json;version=9.1.0"),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let session = login.headers["x-vmware-vcloud-access-token"]
        .to_str()
        .expect("header")
        .to_string();

    // Cloud Director's OAuth paths do not exist here.
    for path in [
        format!("/oauth/tenant/{org}/register"),
        format!("/oauth/tenant/{org}/token"),
        "/oauth/provider/token".to_string(),
    ] {
        let r = sim
            .call(
                Method::POST,
                &path,
                Some(&session),
                Some(&json!({ "client_name": "x" })),
            )
            .await;
        assert_error(&r, 404);
    }
    let created = create_token_at(&sim, "/tm/oauth", &session, &org, "vcfa-ci").await;
    assert_eq!(created.status, 200, "{}", created.text);
    let api_token = created.body["refresh_token"].as_str().expect("token");
    let ex = sim
        .form(
            &format!("/tm/oauth/tenant/{org}/token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", api_token),
            ],
        )
        .await;
    assert_eq!(ex.status, 200, "{}", ex.text);
    assert_eq!(ex.body["token_type"], "Bearer");
    let list = finish(
        sim.client
            .get(format!(
                "{}/cloudapi/1.0.0/tokens?page=1&pageSize=128",
                sim.url
            ))
            .bearer_auth(&session)
            .header("accept", "application/json;version=39.1"),
    )
    .await;
    assert_error(&list, 406);

    // Cloud Director mode: /tm/oauth is 404, 36.1 is 406, 39.1 works.
    let vcd = Sim::start().await;
    assert_eq!(vcd.ready["director"]["flavor"], "cloud_director");
    let r = vcd
        .form(
            &format!("/tm/oauth/tenant/{org}/token"),
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_error(&r, 404);
    let cred = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!(
            "{}@{}:{}",
            vcd.ready_str("director", "username"),
            vcd.ready_str("director", "org"),
            vcd.ready_str("director", "password")
        ),
    );
    let old = finish(
        vcd.client
            .post(format!("{}/cloudapi/1.0.0/sessions", vcd.url))
            .header("authorization", format!("Basic {cred}"))
            .header("accept", "application/json;version=36.1"),
    )
    .await;
    assert_error(&old, 406);
    assert!(old.body["message"].as_str().expect("msg").contains("39.1"));
    let versions = vcd.call(Method::GET, "/api/versions", None, None).await;
    assert!(versions.text.contains("39.1"), "{}", versions.text);
}
