//! Fault injection rules, set through `/_sim/faults`. A rule matches requests by method and path
//! glob (`*` matches any run of characters, `/` included), fires with its probability (drawn from
//! the RNG seeded by `--seed`, so a run is reproducible), and may be limited to `times` firings.
//! Latency rules add up; the first firing rule of any other kind decides the request's fate.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::http::{ApiError, Req, Resp};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Delay the request by a uniform random time in `[latency_ms[0], latency_ms[1]]`.
    Latency,
    /// Answer `status` (500, 502 or 503 — any 4xx/5xx is accepted) without touching state;
    /// with `retry_after`, also a `Retry-After` header.
    Error,
    /// Answer 429 with `Retry-After: retry_after` seconds, without touching state.
    RateLimit,
    /// Reset the TCP connection before the request is applied.
    ResetBefore,
    /// Apply the request, then reset the connection instead of answering.
    ResetAfter,
    /// Answer 401 even though the bearer token is valid (forces a client refresh).
    Unauthorized,
    /// Move the sim's clock forward by `advance_seconds` before the request is applied (the
    /// request then runs normally): time passes at an exact point of a client's run.
    AdvanceClock,
    /// Answer `status` (default 400) with an error that echoes the request — its body and its
    /// `Authorization` header — in `format`: `jackson` (a Spring Boot error whose message holds
    /// the JSON-escaped request), `text`, `yaml`, `xml` (attributes, `&apos;`-escaped) or
    /// `refresh_id` (the bare body, as "refresh token <id> not found"). Nothing is applied.
    Echo,
    /// Answer `status` (default 404) with an HTML page, as a load balancer or proxy in front of
    /// the API does (a 3xx also sends `Location: https://sso.lb.example/login?next=%2F`).
    /// Nothing is applied.
    Html,
    /// Answer 200 with a chunked body (no `Content-Length`) of `size_mb` MiB (default 24).
    /// Nothing is applied.
    HugeBody,
    /// Answer `status` (default 200) with `body` (default `{}`) as `application/json`: any
    /// answer a broken or hostile server gives (an empty list object, an expired token, a
    /// field of the wrong type). Nothing is applied.
    Answer,
    /// Hold the request open, before it is applied (with `after`: applied, its answer held),
    /// for `hold_seconds` (default 600), until
    /// `POST /_sim/faults/release`, or until the client goes away. A released or expired hold
    /// then runs as usual. `/_sim/stats` counts holds under `holds` (`started`, `holding`,
    /// `released`, `expired`, `client_gone`), and a request whose client went away is counted
    /// (and logged) as `client_gone`: a test sees a client give up without any clock.
    Hang,
    /// Another writer of a principal's role assignments: the request — a GET of
    /// `…/principals/{principalId}/roles` — is answered as usual, and right after that answer the
    /// principal's set is changed by `change` on `role` (at SSO_REALM scope): `revoke` (the role
    /// at every scope), `assign`, or `toggle` (revoke when held, else assign). So the change lands
    /// between a client's read and the write it bases on that read, with no timing involved;
    /// with `times` absent it happens after every read.
    OtherWriter,
}

/// What an [`FaultKind::OtherWriter`] rule does to the principal's set.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WriterChange {
    Revoke,
    Assign,
    Toggle,
}

/// How an [`FaultKind::Echo`] answer writes the request.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EchoFormat {
    Jackson,
    Text,
    Yaml,
    Xml,
    RefreshId,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub id: u64,
    /// Path glob, e.g. `/suite-api/*/api-tokens*`; `*` alone matches everything.
    pub path: String,
    /// Only this method (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub probability: f64,
    /// Remaining firings; the rule is removed when it reaches 0. Unlimited when absent.
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(default)]
    pub latency_ms: Option<[u64; 2]>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_seconds: Option<u64>,
    /// `echo`: how the request is written back (default `jackson`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<EchoFormat>,
    /// `html`: the page to send instead of the load balancer's default one; `answer`: the
    /// JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `huge_body`: size of the body in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_mb: Option<u64>,
    /// `other_writer`: the VCF role the other writer revokes, assigns or toggles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `other_writer`: what it does with `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<WriterChange>,
    /// `hang`: longest hold in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_seconds: Option<u64>,
    /// `hang`: apply the request first, then hold its answer (the ambiguous case: a client that
    /// gives up does not know the change was made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<bool>,
}

fn one() -> f64 {
    1.0
}

/// What the faults decided for one request.
#[derive(Default, Debug)]
pub struct Plan {
    pub latency_ms: u64,
    /// How far to move the clock before the request is applied.
    pub advance_ms: i64,
    pub terminal: Option<FaultRule>,
    /// `other_writer` rules that fired: applied after the request's own answer.
    pub other_writers: Vec<FaultRule>,
}

pub struct Faults {
    rules: Vec<FaultRule>,
    next_id: u64,
    rng: StdRng,
    seed: u64,
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            next_id: 1,
            rng: StdRng::seed_from_u64(seed),
            seed,
        }
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    pub fn add(&mut self, mut r: FaultRule) -> Result<FaultRule, ApiError> {
        if !(0.0..=1.0).contains(&r.probability) {
            return Err(ApiError::bad_request("probability must be between 0 and 1"));
        }
        match r.kind {
            FaultKind::Latency => {
                let [a, b] = r
                    .latency_ms
                    .ok_or_else(|| ApiError::bad_request("latency needs latency_ms: [min, max]"))?;
                if a > b || b > 60_000 {
                    return Err(ApiError::bad_request(
                        "latency_ms must be [min, max] with min <= max <= 60000",
                    ));
                }
            }
            FaultKind::Error => {
                let s = r.status.unwrap_or(503);
                if !(400..=599).contains(&s) {
                    return Err(ApiError::bad_request("status must be a 4xx or 5xx code"));
                }
                r.status = Some(s);
            }
            FaultKind::RateLimit => {
                r.retry_after.get_or_insert(1);
            }
            FaultKind::AdvanceClock => {
                let secs = r
                    .advance_seconds
                    .ok_or_else(|| ApiError::bad_request("advance_clock needs advance_seconds"))?;
                if secs == 0 || secs > 100 * 365 * 86_400 {
                    return Err(ApiError::bad_request(
                        "advance_seconds must be between 1 and 100 years",
                    ));
                }
            }
            FaultKind::Echo => {
                let s = *r.status.get_or_insert(400);
                if !(400..=599).contains(&s) {
                    return Err(ApiError::bad_request("status must be a 4xx or 5xx code"));
                }
                r.format.get_or_insert(EchoFormat::Jackson);
            }
            FaultKind::Html => {
                let s = *r.status.get_or_insert(404);
                if !(300..=599).contains(&s) {
                    return Err(ApiError::bad_request(
                        "status must be a 3xx, 4xx or 5xx code",
                    ));
                }
            }
            FaultKind::Answer => {
                let s = *r.status.get_or_insert(200);
                if !(100..=599).contains(&s) {
                    return Err(ApiError::bad_request("status must be an HTTP status code"));
                }
            }
            FaultKind::OtherWriter => {
                if r.role.as_deref().is_none_or(str::is_empty) || r.change.is_none() {
                    return Err(ApiError::bad_request(
                        "other_writer needs role (a VCF role) and change (revoke, assign or toggle)",
                    ));
                }
                // It plays a write that lands after a read.
                let m = r.method.get_or_insert_with(|| "GET".into());
                if !m.eq_ignore_ascii_case("GET") {
                    return Err(ApiError::bad_request(
                        "other_writer fires after reads: method must be GET",
                    ));
                }
            }
            FaultKind::Hang => {
                let secs = *r.hold_seconds.get_or_insert(600);
                if !(1..=86_400).contains(&secs) {
                    return Err(ApiError::bad_request(
                        "hold_seconds must be between 1 and 86400",
                    ));
                }
            }
            FaultKind::HugeBody => {
                let mb = *r.size_mb.get_or_insert(24);
                if !(1..=1024).contains(&mb) {
                    return Err(ApiError::bad_request("size_mb must be between 1 and 1024"));
                }
            }
            _ => {}
        }
        if r.times == Some(0) {
            return Err(ApiError::bad_request("times must be at least 1"));
        }
        r.id = self.next_id;
        self.next_id += 1;
        self.rules.push(r.clone());
        Ok(r)
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let n = self.rules.len();
        self.rules.retain(|r| r.id != id);
        n != self.rules.len()
    }

    /// Remove every rule and restart the RNG from the seed, so a test run is reproducible.
    pub fn clear(&mut self) {
        self.rules.clear();
        self.rng = StdRng::seed_from_u64(self.seed);
    }

    pub fn plan(&mut self, method: &str, path: &str) -> Plan {
        let mut plan = Plan::default();
        if self.rules.is_empty() {
            return plan;
        }
        let mut exhausted = Vec::new();
        for r in self.rules.iter_mut() {
            if r.method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
                || !glob(&r.path, path)
            {
                continue;
            }
            let passive = matches!(
                r.kind,
                FaultKind::Latency | FaultKind::AdvanceClock | FaultKind::OtherWriter
            );
            if !passive && plan.terminal.is_some() {
                continue;
            }
            if r.probability < 1.0 && self.rng.random::<f64>() >= r.probability {
                continue;
            }
            if let Some(t) = r.times.as_mut() {
                *t -= 1;
                if *t == 0 {
                    exhausted.push(r.id);
                }
            }
            if r.kind == FaultKind::OtherWriter {
                plan.other_writers.push(r.clone());
            } else if r.kind == FaultKind::AdvanceClock {
                plan.advance_ms += r.advance_seconds.unwrap_or(0) as i64 * 1000;
            } else if r.kind == FaultKind::Latency {
                let [a, b] = r.latency_ms.unwrap_or([0, 0]);
                plan.latency_ms += if a == b {
                    a
                } else {
                    self.rng.random_range(a..=b)
                };
            } else {
                plan.terminal = Some(r.clone());
            }
        }
        self.rules.retain(|r| !exhausted.contains(&r.id));
        plan
    }
}

/// The answer of an [`FaultKind::Echo`] rule to `req`: the request's body and `Authorization`
/// header written back in the rule's format, as careless servers do in their errors.
pub fn echo(rule: &FaultRule, req: &Req, request_id: &str) -> Resp {
    let status = rule.status.unwrap_or(400);
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let auth = req.header("authorization").unwrap_or_default().to_string();
    let (content_type, text) = match rule.format.unwrap_or(EchoFormat::Jackson) {
        EchoFormat::Jackson => (
            "application/json",
            serde_json::to_string(&serde_json::json!({
                "timestamp": "2026-01-01T00:00:00.000+00:00",
                "status": status,
                "error": "Bad Request",
                "message": format!(
                    "JSON parse error: Cannot deserialize value from {body}; Authorization: {auth}"
                ),
                "path": req.path,
                "requestId": request_id,
            }))
            .unwrap_or_default(),
        ),
        EchoFormat::Text => (
            "text/plain",
            format!(
                "Bad request {} {}\nAuthorization: {auth}\n\n{body}\n",
                req.method, req.path
            ),
        ),
        EchoFormat::Yaml => (
            "application/yaml",
            format!(
                "error: bad request\nrequestId: {request_id}\nrequest:\n  body: '{}'\n  authorization: '{}'\n",
                body.replace('\'', "''"),
                auth.replace('\'', "''")
            ),
        ),
        EchoFormat::Xml => {
            let esc = |s: &str| {
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('\'', "&apos;")
                    .replace('"', "&quot;")
            };
            (
                "application/xml",
                format!(
                    "<?xml version='1.0'?><error code='BAD_REQUEST' request='{}' authorization='{}' requestId='{request_id}'/>",
                    esc(&body),
                    esc(&auth)
                ),
            )
        }
        EchoFormat::RefreshId => {
            let id = serde_json::from_str::<String>(&body).unwrap_or(body);
            (
                "application/json",
                serde_json::to_string(&serde_json::json!({
                    "errorCode": "TOKEN_NOT_FOUND",
                    "message": format!("Refresh token {id} not found"),
                    "requestId": request_id,
                }))
                .unwrap_or_default(),
            )
        }
    };
    Resp {
        status,
        content_type,
        headers: Vec::new(),
        body: text.into_bytes(),
    }
}

/// The answer of an [`FaultKind::Html`] rule: a load balancer's error page.
pub fn html(rule: &FaultRule) -> Resp {
    let status = rule.status.unwrap_or(404);
    let headers = if (300..400).contains(&status) {
        vec![(
            "location",
            "https://sso.lb.example/login?next=%2F".to_string(),
        )]
    } else {
        Vec::new()
    };
    Resp {
        status,
        content_type: "text/html",
        headers,
        body: match &rule.body {
            Some(b) => b.clone().into_bytes(),
            None => format!(
            "<html>\r\n<head><title>{status} Not Found</title></head>\r\n<body>\r\n<center><h1>{status} \
             Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            )
            .into_bytes(),
        },
    }
}

/// The answer of an [`FaultKind::Answer`] rule.
pub fn answer(rule: &FaultRule) -> Resp {
    Resp {
        status: rule.status.unwrap_or(200),
        content_type: "application/json",
        headers: Vec::new(),
        body: rule
            .body
            .clone()
            .unwrap_or_else(|| "{}".into())
            .into_bytes(),
    }
}

/// The answer of a [`FaultKind::HugeBody`] rule: 200 with `size_mb` MiB of JSON-looking text,
/// sent chunked (the header makes the server stream it without `Content-Length`).
pub fn huge_body(rule: &FaultRule) -> Resp {
    let size = rule.size_mb.unwrap_or(24) as usize * 1024 * 1024;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(b"{\"elements\":[");
    while body.len() < size {
        body.extend_from_slice(b"{\"id\":\"0000000000\"},");
    }
    Resp {
        status: 200,
        content_type: "application/json",
        headers: vec![("transfer-encoding", "chunked".to_string())],
        body,
    }
}

/// `*` matches any run of characters (including `/`); everything else literally.
pub fn glob(pattern: &str, s: &str) -> bool {
    let p = pattern.as_bytes();
    let t = s.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "/v1/tokens"));
        assert!(glob("/v1/*", "/v1/users/x"));
        assert!(glob(
            "/suite-api/*/api-tokens*",
            "/suite-api/api/x/api-tokens/query"
        ));
        assert!(!glob("/v1/users", "/v1/users/x"));
        assert!(glob("*/regenerate", "/a/b/regenerate"));
        assert!(!glob("*/regenerate", "/a/b/regenerate/x"));
    }

    fn rule(kind: FaultKind) -> FaultRule {
        FaultRule {
            id: 0,
            path: "*".into(),
            method: None,
            kind,
            probability: 1.0,
            times: Some(1),
            latency_ms: Some([5, 5]),
            status: None,
            retry_after: None,
            advance_seconds: None,
            format: None,
            size_mb: None,
            body: None,
            role: None,
            change: None,
            hold_seconds: None,
            after: None,
        }
    }

    #[test]
    fn other_writer_needs_a_role_and_a_change_and_fires_after_reads() {
        let mut f = Faults::new(1);
        assert!(f.add(rule(FaultKind::OtherWriter)).is_err());
        let mut r = rule(FaultKind::OtherWriter);
        r.role = Some("vcf_operator".into());
        r.change = Some(WriterChange::Toggle);
        r.method = Some("PUT".into());
        assert!(f.add(r.clone()).is_err(), "only after reads");
        r.method = None;
        r.times = None;
        let added = f.add(r).expect("add");
        assert_eq!(added.method.as_deref(), Some("GET"));
        f.add(rule(FaultKind::Unauthorized)).expect("add");
        let p = f.plan("GET", "/x");
        assert_eq!(
            p.other_writers.len(),
            1,
            "passive: fires with a terminal rule"
        );
        assert!(p.terminal.is_some());
        assert!(f.plan("PUT", "/x").other_writers.is_empty());
        assert_eq!(f.plan("GET", "/x").other_writers.len(), 1, "every read");
    }

    #[test]
    fn hang_holds_ten_minutes_unless_told() {
        let mut f = Faults::new(1);
        let r = f.add(rule(FaultKind::Hang)).expect("hang");
        assert_eq!(r.hold_seconds, Some(600));
        let mut bad = rule(FaultKind::Hang);
        bad.hold_seconds = Some(0);
        assert!(f.add(bad).is_err());
    }

    #[test]
    fn advance_clock_is_passive_and_needs_seconds() {
        let mut f = Faults::new(1);
        assert!(f.add(rule(FaultKind::AdvanceClock)).is_err());
        let mut r = rule(FaultKind::AdvanceClock);
        r.advance_seconds = Some(3660);
        f.add(r).expect("add");
        f.add(rule(FaultKind::Unauthorized)).expect("add");
        let p = f.plan("GET", "/x");
        assert_eq!(p.advance_ms, 3_660_000);
        assert!(
            p.terminal
                .is_some_and(|t| t.kind == FaultKind::Unauthorized)
        );
        assert_eq!(f.plan("GET", "/x").advance_ms, 0, "fired once");
    }

    #[test]
    fn times_and_seed() {
        let mut f = Faults::new(7);
        f.add(rule(FaultKind::Error)).expect("add");
        assert_eq!(
            f.plan("GET", "/x").terminal.map(|r| r.status),
            Some(Some(503))
        );
        assert!(f.plan("GET", "/x").terminal.is_none());
        let draw = |seed| {
            let mut f = Faults::new(seed);
            let mut r = rule(FaultKind::Error);
            r.times = None;
            r.probability = 0.5;
            f.add(r).expect("add");
            (0..64)
                .map(|_| f.plan("GET", "/x").terminal.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
    }
}
