//! Test harness: start the real `vcf-sim` binary on 127.0.0.1:0, read its ready line, and talk to
//! it over verified TLS with the CA file it wrote.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

pub const IAM: &str = "/suite-api/api/fleet-management/iam";

pub struct Sim {
    child: Child,
    pub ready: Value,
    pub url: String,
    pub client: reqwest::Client,
    pub dir: PathBuf,
    keep_dir: bool,
}

pub struct Res {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn temp_dir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("vcf-sim-test-{}-{n}-{nanos}", std::process::id()))
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::start_with(&[]).await
    }

    pub async fn start_with(extra: &[&str]) -> Sim {
        Sim::start_in(temp_dir(), extra, false)
    }

    /// Start in `dir` (kept when `keep_dir`, for restart tests).
    pub fn start_in(dir: PathBuf, extra: &[&str], keep_dir: bool) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vcf-sim"))
            .args(["--listen", "127.0.0.1:0", "--state-dir"])
            .arg(&dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn vcf-sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read ready line");
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("ready line is not JSON ({e}): {line:?}"));
        let url = ready["url"].as_str().expect("url").to_string();
        let ca = std::fs::read(ready["ca_file"].as_str().expect("ca_file")).expect("read CA");
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).expect("CA pem")])
            .no_proxy()
            .build()
            .expect("client");
        Sim {
            child,
            ready,
            url,
            client,
            dir,
            keep_dir,
        }
    }

    pub fn realm(&self) -> String {
        self.ready["sso_realm_id"]
            .as_str()
            .expect("realm")
            .to_string()
    }

    pub fn instance(&self) -> String {
        self.ready["vcf_instance_id"]
            .as_str()
            .expect("instance")
            .to_string()
    }

    /// The string `k1.k2` of the ready line.
    pub fn ready_str(&self, k1: &str, k2: &str) -> String {
        self.ready[k1][k2]
            .as_str()
            .expect("ready field")
            .to_string()
    }

    /// SIGTERM and wait for a clean exit (state is saved on the way out).
    pub fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "vcf-sim exited with {status}");
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Res {
        let mut rb = self.client.request(method, format!("{}{path}", self.url));
        if let Some(t) = bearer {
            // `OpsToken <token>` (a token/acquire session) is sent as given; anything else is
            // a bearer token.
            rb = if t.starts_with("OpsToken ") {
                rb.header("authorization", t)
            } else {
                rb.bearer_auth(t)
            };
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        finish(rb).await
    }

    /// `OpsToken <token>` of a `token/acquire` session of the configured operations user.
    pub async fn ops_session(&self) -> String {
        let ok = self
            .call(
                Method::POST,
                "/suite-api/api/auth/token/acquire",
                None,
                Some(&serde_json::json!({
                    "username": self.ready_str("operations", "username"),
                    "password": self.ready_str("operations", "password"),
                    "authSource": "LOCAL",
                })),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        format!("OpsToken {}", ok.body["token"].as_str().expect("token"))
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Res {
        self.call(Method::GET, path, Some(bearer), None).await
    }
    pub async fn post(&self, path: &str, bearer: &str, body: &Value) -> Res {
        self.call(Method::POST, path, Some(bearer), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, bearer: &str, body: &Value) -> Res {
        self.call(Method::PUT, path, Some(bearer), Some(body)).await
    }
    pub async fn delete(&self, path: &str, bearer: &str) -> Res {
        self.call(Method::DELETE, path, Some(bearer), None).await
    }

    pub async fn form(&self, path: &str, pairs: &[(&str, &str)]) -> Res {
        finish(
            self.client
                .post(format!("{}{path}", self.url))
                .header("accept", "application/json")
                .form(pairs),
        )
        .await
    }

    /// Control API call; panics unless 2xx.
    pub async fn ctl(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let res = self
            .call(method, &format!("/_sim{path}"), None, body.as_ref())
            .await;
        assert!(
            (200..300).contains(&res.status),
            "control call {path} failed: {} {}",
            res.status,
            res.text
        );
        res.body
    }

    pub async fn advance_minutes(&self, m: f64) {
        self.ctl(
            Method::POST,
            "/clock/advance",
            Some(json!({ "minutes": m })),
        )
        .await;
    }

    /// Exchange a `vidb_` token for a fleet access token.
    pub async fn exchange(&self, api_token: &str) -> Res {
        self.form(
            "/acs/t/CUSTOMER/token",
            &[
                (
                    "grant_type",
                    "urn:custom:vcf:params:oauth:grant-type:api-token",
                ),
                ("api_token", api_token),
            ],
        )
        .await
    }

    /// Fleet access token of the bootstrap client (vcf_admin).
    pub async fn fleet_admin(&self) -> String {
        let t = self.ready_str("operations", "api_token");
        let res = self.exchange(&t).await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body["access_token"].as_str().expect("at").to_string()
    }

    /// SDDC Manager token pair of the ready-line admin.
    pub async fn sddc_admin(&self) -> Value {
        let res = self
            .call(
                Method::POST,
                "/v1/tokens",
                None,
                Some(&json!({
                    "username": self.ready_str("sddc_manager", "username"),
                    "password": self.ready_str("sddc_manager", "password"),
                })),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body
    }

    /// A Director session token (user/password login) for the ready-line tenant user.
    pub async fn director_login(&self) -> String {
        let res = self
            .director_basic(
                "/cloudapi/1.0.0/sessions",
                &self.ready_str("director", "username"),
                &self.ready_str("director", "org"),
                &self.ready_str("director", "password"),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.headers["x-vmware-vcloud-access-token"]
            .to_str()
            .expect("header")
            .to_string()
    }

    pub async fn director_basic(&self, path: &str, user: &str, org: &str, pw: &str) -> Res {
        let cred = base64::engine::general_purpose::STANDARD.encode(format!("{user}@{org}:{pw}"));
        finish(
            self.client
                .post(format!("{}{path}", self.url))
                .header("authorization", format!("Basic {cred}"))
                .header("accept", "application/json;version=39.1"),
        )
        .await
    }

    /// Create an API client with the given VCF roles at SSO_REALM scope and return
    /// (clientUuid, vidb token, access token).
    pub async fn client_with_roles(
        &self,
        client_id: &str,
        roles: &[&str],
    ) -> (String, String, String) {
        let admin = self.fleet_admin().await;
        let realm = self.realm();
        let c = self
            .post(
                &format!("{IAM}/ssorealms/{realm}/api-clients"),
                &admin,
                &json!({ "clientId": client_id, "clientName": client_id, "clientDescription": "" }),
            )
            .await;
        assert_eq!(c.status, 201, "{}", c.text);
        let uuid = c.body["clientUuid"].as_str().expect("uuid").to_string();
        let set: Vec<Value> = roles
            .iter()
            .map(|r| json!({ "roleName": r, "roleScope": { "scopeType": "SSO_REALM" }, "expiresAt": null }))
            .collect();
        let a = self
            .put(
                &format!("{IAM}/ssorealms/{realm}/principals/{uuid}/roles"),
                &admin,
                &json!({ "vcfRoleAssignments": set }),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        let t = self
            .post(
                &format!("{IAM}/ssorealms/{realm}/api-tokens"),
                &admin,
                &json!({ "apiClientId": client_id, "tokenName": format!("{client_id}-t"), "tokenType": "API_CLIENT", "apiTokenTtl": 40320, "accessTokenTtl": 30 }),
            )
            .await;
        assert_eq!(t.status, 201, "{}", t.text);
        let vidb = t.body["token"].as_str().expect("token").to_string();
        let at = self.exchange(&vidb).await;
        assert_eq!(at.status, 200, "{}", at.text);
        (
            uuid,
            vidb,
            at.body["access_token"].as_str().expect("at").to_string(),
        )
    }
}

pub async fn finish(rb: reqwest::RequestBuilder) -> Res {
    let resp = rb.send().await.expect("request failed");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Res {
        status,
        body,
        headers,
        text,
    }
}

/// Every error body carries a request id and a message.
pub fn assert_error(res: &Res, status: u16) {
    assert_eq!(res.status, status, "unexpected status: {}", res.text);
    assert!(
        res.body["requestId"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "no requestId in {}",
        res.text
    );
    assert!(
        res.body["message"].is_string() || res.body["error_description"].is_string(),
        "no message in {}",
        res.text
    );
}

/// The claims of a JWT (no signature check).
pub fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("JWT has 3 parts");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&raw).expect("claims JSON")
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
