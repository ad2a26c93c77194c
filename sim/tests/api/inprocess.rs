//! The library entry points run the same server inside the caller's process.

use serde_json::Value;

use crate::common::temp_dir;

#[tokio::test]
async fn spawn_in_process() {
    let dir = temp_dir();
    let bg = vcf_sim::spawn(vcf_sim::Options {
        state_dir: Some(dir.clone()),
        seed: Some(3),
        ..vcf_sim::Options::default()
    })
    .expect("spawn");
    let ready = bg.server().ready().clone();
    assert_eq!(ready["url"].as_str(), Some(bg.server().url()));
    assert_eq!(ready["seed"], 3);
    let ca = std::fs::read(ready["ca_file"].as_str().expect("ca")).expect("read ca");
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).expect("pem")])
        .no_proxy()
        .build()
        .expect("client");
    let token: Value = client
        .post(format!("{}/acs/t/CUSTOMER/token", bg.server().url()))
        .form(&[
            (
                "grant_type",
                "urn:custom:vcf:params:oauth:grant-type:api-token",
            ),
            (
                "api_token",
                ready["operations"]["api_token"].as_str().expect("t"),
            ),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(token["token_type"], "Bearer");
    drop(bg);
    assert!(dir.join("state.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
