//! Request and response values shared by every API family, the JSON error body, and the small
//! parsers (query strings, form bodies, JSON bodies) that turn bad input into 400s instead of panics.

use hyper::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Largest request body accepted; anything bigger is a 400.
pub const MAX_BODY: usize = 1 << 20;

/// A fully read request, as handlers see it.
pub struct Req {
    pub method: hyper::Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Values of the `{param}` segments of the matched route template, in order.
    pub params: Vec<String>,
    pub peer_loopback: bool,
}

impl Req {
    pub fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or("")
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The credential of an `Authorization: <scheme> <value>` header, for any of `schemes`
    /// (compared case-insensitively).
    /// The scheme and credential of the `Authorization` header.
    pub fn authorization(&self) -> Option<(&str, &str)> {
        let h = self.header("authorization")?.trim();
        let (scheme, rest) = h.split_once(' ')?;
        let v = rest.trim();
        (!v.is_empty()).then_some((scheme, v))
    }

    pub fn auth_credential(&self, schemes: &[&str]) -> Option<&str> {
        let h = self.header("authorization")?.trim();
        let (scheme, rest) = h.split_once(' ')?;
        if schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            let v = rest.trim();
            (!v.is_empty()).then_some(v)
        } else {
            None
        }
    }

    /// Parse the body as JSON into `T`; any failure is a 400 that names the problem.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.is_empty() {
            return Err(ApiError::bad_request("request body is required (JSON)"));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))
    }

    /// Parse an `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Result<Vec<(String, String)>, ApiError> {
        let s = std::str::from_utf8(&self.body)
            .map_err(|_| ApiError::bad_request("form body is not UTF-8"))?;
        Ok(parse_urlencoded(s))
    }
}

/// A response before it is turned into a hyper response.
pub struct Resp {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    pub fn ok(v: Value) -> Resp {
        Resp::json(200, &v)
    }

    pub fn no_content() -> Resp {
        Resp::empty(204)
    }

    /// A status without a body (a real appliance answers some writes with 200 and no body).
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Resp {
        self.headers.push((name, value));
        self
    }
}

/// Flavour of the error body: product APIs use `{errorCode, message}`, OAuth token endpoints use
/// `{error, error_description}` (RFC 6749 §5.2). Both always carry `requestId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorStyle {
    Api,
    OAuth,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub style: ErrorStyle,
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            style: ErrorStyle::Api,
            headers: Vec::new(),
        }
    }
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError::new(400, "BAD_REQUEST", m)
    }
    pub fn unauthorized(m: impl Into<String>) -> ApiError {
        ApiError::new(401, "UNAUTHORIZED", m)
    }
    /// The answer to an access token that is unknown or has expired.
    pub fn token_expired() -> ApiError {
        ApiError::new(
            401,
            "TOKEN_EXPIRED",
            "The access token is invalid or has expired",
        )
    }
    pub fn forbidden(m: impl Into<String>) -> ApiError {
        ApiError::new(403, "FORBIDDEN", m)
    }
    pub fn not_found(m: impl Into<String>) -> ApiError {
        ApiError::new(404, "NOT_FOUND", m)
    }
    pub fn conflict(m: impl Into<String>) -> ApiError {
        ApiError::new(409, "CONFLICT", m)
    }
    /// An OAuth-style error (`{"error": code, "error_description": message}`).
    pub fn oauth(status: u16, code: &str, m: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(status, code, m);
        e.style = ErrorStyle::OAuth;
        e
    }

    pub fn into_resp(self, request_id: &str) -> Resp {
        let body = match self.style {
            ErrorStyle::Api => json!({
                "errorCode": self.code,
                "message": self.message,
                "httpStatusCode": self.status,
                "requestId": request_id,
            }),
            ErrorStyle::OAuth => json!({
                "error": self.code,
                "error_description": self.message,
                "requestId": request_id,
            }),
        };
        let mut r = Resp::json(self.status, &body);
        r.headers = self.headers;
        r
    }
}

pub type HResult = Result<Resp, ApiError>;

/// Decode `a=b&c=d` with percent escapes and `+` as space. Malformed escapes are kept literally.
pub fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded() {
        let v = parse_urlencoded("grant_type=refresh_token&refresh_token=a%2Bb+c&x&bad=%zz%4");
        assert_eq!(v[0], ("grant_type".into(), "refresh_token".into()));
        assert_eq!(v[1], ("refresh_token".into(), "a+b c".into()));
        assert_eq!(v[2], ("x".into(), "".into()));
        assert_eq!(v[3], ("bad".into(), "%zz%4".into()));
    }
}
