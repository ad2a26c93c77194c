//! `ApiError`: every failure of the client layer, already turned into a message that tells the
//! user what happened and what to do about it. Response bodies quoted in errors are truncated
//! and scrubbed of anything that looks like a token, key or password, so an error text (and
//! therefore a Terraform diagnostic or a log line) never carries a secret.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use regex_lite::Regex;

use crate::framework::Diagnostic;

/// Longest part of a response body quoted in an error, in characters.
pub const BODY_SNIPPET_CHARS: usize = 512;

/// What went wrong, for callers that act on it (a read that treats `NotFound` as "gone", …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401 on an API call even after one refresh and one retry.
    Unauthorized,
    /// The authentication call itself was refused (401, or an OAuth `invalid_grant`). Final:
    /// never retried, so that repeated attempts do not lock the account.
    CredentialsRejected,
    /// The account is locked (423, or a lockout answer to the authentication call).
    AccountLocked,
    /// 403: authenticated, but the role is too low.
    Forbidden,
    NotFound,
    /// 409: the object already exists (or the change conflicts with its state).
    Conflict,
    /// 429 that outlasted the retries.
    RateLimited,
    /// 5xx that outlasted the retries (or was not retried).
    Server,
    /// Any other 4xx: the request itself was wrong (400, 405, 422, …).
    BadRequest,
    /// The TLS handshake failed (certificate not trusted, wrong host name, …).
    Tls,
    /// The host name does not resolve.
    Dns,
    /// TCP connection refused, unreachable, or reset before anything was sent.
    Connect,
    /// No answer within the request timeout.
    Timeout,
    /// The connection broke after the request may have been sent.
    Transport,
    /// The server answered, but not with what the contract says.
    Decode,
    /// The client is misconfigured (unreadable CA file, bad URL, …).
    Config,
    /// Terraform asked the provider to stop (Ctrl-C: StopProvider) or the provider is stopping:
    /// the request was not sent, its answer no longer awaited, or its retry not made.
    Cancelled,
}

/// A failure of one API operation, with an actionable message. `Display` is the whole message.
#[derive(Debug, Clone)]
pub struct ApiError {
    kind: ErrorKind,
    status: Option<u16>,
    summary: String,
    detail: String,
    ambiguous: bool,
    retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for ApiError {}

/// An API error ends a typed resource operation with its diagnostic (`?` in resource code).
impl From<ApiError> for crate::framework::Failure {
    fn from(e: ApiError) -> Self {
        e.to_diagnostic().into()
    }
}

impl ApiError {
    pub fn new(kind: ErrorKind, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            kind,
            status: None,
            summary: summary.into(),
            detail: escape_controls(&scrub(&detail.into())),
            ambiguous: false,
            retry_after: None,
        }
    }

    pub fn config(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, "Invalid provider configuration", detail)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_ambiguous(mut self, ambiguous: bool) -> Self {
        self.ambiguous = ambiguous;
        self
    }

    pub(crate) fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.retry_after = d;
        self
    }

    /// Appends a sentence to the detail.
    pub fn add_detail(mut self, more: &str) -> Self {
        self.detail.push(' ');
        self.detail.push_str(&escape_controls(&scrub(more)));
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// True when the request may have reached the server and been applied although no answer
    /// came back (connection reset or timeout after sending, or a gateway error). A
    /// non-idempotent request is never resent blindly after such a failure:
    /// `ApiClient::create_with_lookup` looks the object up first.
    pub fn is_ambiguous(&self) -> bool {
        self.ambiguous
    }

    /// `Retry-After` of the last 429/503 answer, when there was one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The error as a Terraform diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.summary.clone(), self.detail.clone())
    }
}

impl From<ApiError> for Diagnostic {
    fn from(e: ApiError) -> Diagnostic {
        e.to_diagnostic()
    }
}

/// What the caller tells the client about an operation, so that errors can say what was being
/// done and how to fix it.
#[derive(Debug, Clone, Default)]
pub struct OpContext {
    /// What was being done, e.g. `create API client "ci-bot"`.
    pub what: String,
    /// The role (or right) the operation needs, named in a 403.
    pub needs_role: Option<String>,
    /// The import ID of the object, suggested on a 409.
    pub import_id: Option<String>,
    /// The Terraform resource type, used in the import suggestion.
    pub resource_type: Option<String>,
}

/// Maps an HTTP error status to an `ApiError`. `body` is the raw response body (quoted after
/// scrubbing and truncation); `target` is `METHOD URL` of the request.
pub(crate) fn from_status(
    status: u16,
    body: &[u8],
    target: &str,
    op: &OpContext,
    retry_after: Option<Duration>,
) -> ApiError {
    let what = if op.what.is_empty() {
        target.to_string()
    } else {
        format!("{} ({target})", op.what)
    };
    let said = body_snippet(body);
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(" The server said: {said}")
    };
    let (kind, summary, advice) = match status {
        401 => (
            ErrorKind::Unauthorized,
            "Authentication failed",
            "HTTP 401: the access token was refused even after the provider refreshed it and retried \
             once. The session or the account behind it is no longer valid; check that the account \
             still exists and is enabled, then run Terraform again."
                .to_string(),
        ),
        403 => (
            ErrorKind::Forbidden,
            "Permission denied",
            match &op.needs_role {
                Some(role) => format!(
                    "HTTP 403: the credentials are valid but their role is too low. This operation \
                     needs {role}; give the account the provider uses that role (or use an account that \
                     has it)."
                ),
                None => "HTTP 403: the credentials are valid but their role does not allow this \
                         operation; use an account with a higher role."
                    .to_string(),
            },
        ),
        404 if is_api_error_body(body) => (
            ErrorKind::NotFound,
            "Not found",
            "HTTP 404: the object does not exist (it may have been deleted outside Terraform)."
                .to_string(),
        ),
        404 => (
            ErrorKind::Decode,
            "Unexpected response",
            "HTTP 404 without the API's error body: a proxy, a load balancer or another server in \
             front of the API answered, not the API, so the provider does not take the object as \
             deleted. Check the host setting and what answers on it."
                .to_string(),
        ),
        409 => (
            ErrorKind::Conflict,
            "Already exists",
            match (&op.import_id, &op.resource_type) {
                (Some(id), Some(ty)) => format!(
                    "HTTP 409: the object already exists. To manage it with Terraform, import it: \
                     terraform import {ty}.<name> {id:?} (or an `import` block with id = {id:?})."
                ),
                (Some(id), None) => format!(
                    "HTTP 409: the object already exists. To manage it with Terraform, import it \
                     with the import ID {id:?}."
                ),
                _ => "HTTP 409: the object already exists or conflicts with the current state."
                    .to_string(),
            },
        ),
        423 => (
            ErrorKind::AccountLocked,
            "Account locked",
            "HTTP 423: the account is locked. The provider stopped and will not retry; wait for the \
             lock to expire or ask an administrator to unlock it, and check the password."
                .to_string(),
        ),
        429 => (
            ErrorKind::RateLimited,
            "Too many requests",
            format!(
                "HTTP 429: the appliance kept rate-limiting the provider after its retries{}. Lower \
                 parallel_requests or raise max_retries.",
                retry_after
                    .map(|d| format!(" (Retry-After {}s)", d.as_secs()))
                    .unwrap_or_default()
            ),
        ),
        500..=599 => (
            ErrorKind::Server,
            "Server error",
            format!(
                "HTTP {status}: the appliance failed to handle the request. Check its health and \
                 try again."
            ),
        ),
        _ => (
            ErrorKind::BadRequest,
            "Request rejected",
            format!("HTTP {status}: the appliance rejected the request."),
        ),
    };
    ApiError::new(kind, summary, format!("{what}: {advice}{said}"))
        .with_status(status)
        .with_retry_after(retry_after)
}

/// Whether `body` is an error of one of the API families, so that a 404 says the object is gone
/// (anything else — an HTML page, plain text, no body — came from something in front of it):
/// a JSON object with `message` (VCF Operations `error`, message Required:
/// https://developer.broadcom.com/xapis/vcf-operations-api/latest/data-structures/error; SDDC
/// Manager's error `{errorCode, message, …}`:
/// https://developer.broadcom.com/xapis/sddc-manager-api/latest/data-structures/ResourceError),
/// `errorCode`, `minorErrorCode`/`majorErrorCode` (Cloud Director; UNCONFIRMED), or the OAuth
/// `error` (RFC 6749 §5.2).
pub fn is_api_error_body(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(m)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    [
        "message",
        "errorCode",
        "minorErrorCode",
        "majorErrorCode",
        "error",
    ]
    .iter()
    .any(|k| m.contains_key(*k))
}

/// A response body as it may appear in an error: lossy UTF-8, secrets scrubbed, whitespace
/// collapsed, at most [`BODY_SNIPPET_CHARS`] characters.
pub fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let scrubbed = scrub(&text);
    let collapsed: String = scrubbed.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_chars(&collapsed, BODY_SNIPPET_CHARS)
}

/// Control characters (ANSI escapes, NUL, C1 controls such as CSI) written as `\u{1b}`, so
/// that text from a server cannot drive the user's terminal. Newlines and tabs are kept.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}… ({} more bytes)", &s[..i], s.len() - i),
    }
}

/// Replaces every secret the provider holds (literally and escaped: see
/// [`crate::framework::secret::echo_forms`]), then anything token-like with `***`: values of
/// secret-named JSON fields and form fields,
/// `Bearer`/`Basic` credentials, JWTs, `vidb_` API tokens, and long opaque strings.
pub fn scrub(text: &str) -> String {
    // First every secret the provider holds, in each form a server may echo it in (a password
    // quoted inside a Jackson error message is out of reach of the patterns below).
    let text = &crate::framework::secret::scrub_known(text);
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        let key = r#"(?i)(access_?token|refresh_?token|id_?token|api_?key|apiToken|token|password|passwd|secret|client_secret|assertion|authorization)"#;
        let list: [(String, &'static str); 7] = [
            // "key": "value"  (JSON; the value may contain escaped quotes)
            (
                format!(r#"("{key}"\s*:\s*)"(?:[^"\\]|\\.)*""#),
                "${1}\"***\"",
            ),
            // key=value (form bodies, query strings)
            (format!(r#"(\b{key}=)[^&\s"']+"#), "${1}***"),
            (
                r"(?i)\b(bearer|basic|opstoken|vrealizeopstoken)\s+[A-Za-z0-9._~+/=:-]+".into(),
                "$1 ***",
            ),
            (
                r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?".into(),
                "***",
            ),
            (r"\bvidb_[A-Za-z0-9_+/=-]+".into(), "***"),
            // UUID pairs such as `uuid::uuid` session tokens
            (
                r"\b[0-9a-fA-F-]{36}::[0-9a-fA-F-]{36}\b".into(),
                "***",
            ),
            // long opaque runs (random keys); ids with dashes or colons are kept
            (r"\b[A-Za-z0-9+/_]{40,}={0,2}".into(), "***"),
        ];
        list.into_iter()
            .filter_map(|(p, r)| Regex::new(&p).ok().map(|re| (re, r)))
            .collect()
    });
    let mut out = text.to_string();
    for (re, rep) in patterns {
        if re.is_match(&out) {
            out = re.replace_all(&out, *rep).into_owned();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> OpContext {
        OpContext {
            what: "create SDDC Manager user \"svc\"".into(),
            needs_role: Some("the ADMIN role".into()),
            import_id: Some("7f1c".into()),
            resource_type: Some("vcf_sddc_user".into()),
        }
    }

    #[test]
    fn statuses_map_to_kinds_and_advice() {
        let t = "POST https://h/v1/users";
        let e = from_status(403, b"{\"message\":\"no\"}", t, &op(), None);
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert!(e.to_string().contains("needs the ADMIN role"), "{e}");
        assert!(e.to_string().contains("create SDDC Manager user"), "{e}");
        let e = from_status(409, b"", t, &op(), None);
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert!(
            e.to_string()
                .contains("terraform import vcf_sddc_user.<name> \"7f1c\""),
            "{e}"
        );
        let e = from_status(401, b"", t, &op(), None);
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert_eq!(
            from_status(
                404,
                br#"{"errorCode":"NOT_FOUND","message":"gone"}"#,
                t,
                &op(),
                None
            )
            .kind(),
            ErrorKind::NotFound
        );
        for not_the_api in [
            &b""[..],
            b"<html><body><h1>404 Not Found</h1></body></html>",
            b"Not Found",
            b"{}",
            b"[]",
        ] {
            let e = from_status(404, not_the_api, t, &op(), None);
            assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
            assert!(!e.is_not_found());
            assert!(e.detail().contains("not take the object as deleted"), "{e}");
        }
        assert_eq!(
            from_status(423, b"", t, &op(), None).kind(),
            ErrorKind::AccountLocked
        );
        let e = from_status(429, b"", t, &op(), Some(Duration::from_secs(7)));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("Retry-After 7s"));
        assert_eq!(
            from_status(503, b"", t, &op(), None).kind(),
            ErrorKind::Server
        );
        assert_eq!(
            from_status(400, b"", t, &op(), None).kind(),
            ErrorKind::BadRequest
        );
        assert_eq!(from_status(503, b"", t, &op(), None).status(), Some(503));
    }

    #[test]
    fn scrubs_secrets_from_bodies() {
        let body = br#"{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln","refreshToken":"9b3c0f2a-7e1d-4a5b-8c6e-123456789abc","token":"vidb_QUJDI2RlZg","password":"VMware1!","message":"bad \"password\": hunter2","apiKey":"k\"ey"}"#;
        let s = body_snippet(body);
        for secret in ["eyJhbG", "9b3c0f2a", "vidb_", "VMware1!", "k\\\"ey"] {
            assert!(!s.contains(secret), "{secret} leaked in {s}");
        }
        assert!(s.contains("\"accessToken\":\"***\""), "{s}");
        let form = scrub("grant_type=refresh_token&refresh_token=abc.def&x=1");
        assert_eq!(form, "grant_type=refresh_token&refresh_token=***&x=1");
        assert_eq!(
            scrub("Authorization: Bearer abc.def-ghi"),
            "Authorization: Bearer ***"
        );
        assert_eq!(
            scrub("key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA== end"),
            "key *** end"
        );
        assert_eq!(
            scrub("id urn:vcloud:token:1234-5678"),
            "id urn:vcloud:token:1234-5678"
        );
        let sessions =
            scrub("t 0f8fad5b-d9cb-469f-a165-70867728950e::7c9e6679-7425-40de-944b-e07fc1f90ae7 x");
        assert_eq!(sessions, "t *** x");
    }

    #[test]
    fn control_characters_from_servers_are_escaped() {
        let e = from_status(
            400,
            b"\x1b[31mred\x1b[0m\x00 \xc2\x9b2J end",
            "GET https://h/x",
            &OpContext::default(),
            None,
        );
        let t = e.to_string();
        assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
        assert!(
            t.contains("\\u{1b}[31mred\\u{1b}[0m\\u{0} \\u{9b}2J end"),
            "{t}"
        );
        assert_eq!(escape_controls("a\nb\tc"), "a\nb\tc");
    }

    #[test]
    fn truncates_long_bodies_on_char_boundaries() {
        let body = "é".repeat(2000);
        let s = body_snippet(body.as_bytes());
        assert!(s.starts_with(&"é".repeat(BODY_SNIPPET_CHARS)));
        assert!(s.ends_with("more bytes)"), "{s}");
        assert!(s.chars().count() < BODY_SNIPPET_CHARS + 40);
        assert_eq!(body_snippet(&[0xff, 0xfe, b'a']), "\u{fffd}\u{fffd}a");
    }

    #[test]
    fn errors_never_carry_secrets_passed_in_detail() {
        let e = ApiError::new(
            ErrorKind::Transport,
            "x",
            "sent refresh_token=vidb_abc and Bearer eyJa.eyJb.c",
        );
        assert!(!e.to_string().contains("vidb_abc"));
        assert!(!e.to_string().contains("eyJa"));
    }
}
