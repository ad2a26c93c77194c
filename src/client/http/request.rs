//! One request, complete so that it can be sent again, its answer, and the `Authorization`
//! header values.

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use zeroize::Zeroizing;

use crate::client::error::{ApiError, ErrorKind, body_snippet};
use crate::framework::Secret;

/// One request, complete, so that it can be sent again.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    /// May the request be sent again after a failure whose outcome is unknown?
    pub idempotent: bool,
}

impl Request {
    /// GET, PUT, DELETE, HEAD and OPTIONS are idempotent; POST and PATCH only when the caller
    /// says so (a query POST, a token refresh).
    pub fn new(method: Method, url: Url) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
        );
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent,
        }
    }

    /// A request with a JSON body. The serialized body is wiped from memory when dropped, as it
    /// may hold a password.
    pub fn json<T: serde::Serialize + ?Sized>(
        method: Method,
        url: Url,
        body: &T,
    ) -> Result<Self, ApiError> {
        let bytes = Zeroizing::new(serde_json::to_vec(body).map_err(|e| {
            ApiError::new(
                ErrorKind::Config,
                "Cannot encode the request",
                format!(
                    "the JSON body of {method} {} cannot be encoded: {e}",
                    url.path()
                ),
            )
        })?);
        let mut r = Request::new(method, url);
        r.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.body = Some(Bytes::from_owner(bytes));
        Ok(r)
    }

    /// A POST with an `application/x-www-form-urlencoded` body (wiped from memory when dropped).
    pub fn form(url: Url, fields: &[(&str, &str)]) -> Self {
        let mut body = Zeroizing::new(String::new());
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                body.push('&');
            }
            form_encode(k, &mut body);
            body.push('=');
            form_encode(v, &mut body);
        }
        let mut r = Request::new(Method::POST, url);
        r.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        r.body = Some(Bytes::from_owner(Zeroizing::new(body.as_bytes().to_vec())));
        r
    }

    /// Marks the request safe (or not) to send again after an unknown outcome.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// `METHOD scheme://host/path` (no query string), for messages and logs.
    pub fn target(&self) -> String {
        let mut u = self.url.clone();
        u.set_query(None);
        format!("{} {u}", self.method)
    }
}

/// A response with a status below 400, its body read.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub(super) method: Method,
    pub(super) url: Url,
}

impl Response {
    /// Decodes the body; a body that does not match is a `Decode` error quoting it (scrubbed).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        if (300..400).contains(&self.status) {
            return Err(self.redirect());
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::new(
                ErrorKind::Decode,
                "Unexpected response",
                format!(
                    "{}: HTTP {} with a body the provider cannot read ({e}). Body: {}",
                    self.target(),
                    self.status,
                    body_snippet(&self.body)
                ),
            )
            .with_status(self.status)
        })
    }

    /// A 3xx answer as an error that names it a redirect and where it points: the provider
    /// follows no redirect (it would carry the credentials elsewhere).
    pub fn redirect(&self) -> ApiError {
        let to = self
            .header("location")
            .map(|l| format!(" to {}", crate::client::error::scrub(l)))
            .unwrap_or_default();
        ApiError::new(
            ErrorKind::Decode,
            "Unexpected redirect",
            format!(
                "{}: HTTP {} redirects{to}. The provider follows no redirects; check that the host \
                 setting names the appliance itself (not a proxy or a login page in front of it).",
                self.target(),
                self.status
            ),
        )
        .with_status(self.status)
    }

    /// A response as if `method url` had answered it (for tests of what callers make of it).
    #[cfg(test)]
    pub(crate) fn for_test(status: u16, headers: HeaderMap, body: &'static [u8]) -> Response {
        Response {
            status,
            headers,
            body: Bytes::from_static(body),
            method: Method::DELETE,
            url: Url::parse("https://ops.example/suite-api/x").expect("static url"),
        }
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `METHOD scheme://host/path` of the request that got this answer.
    pub fn target(&self) -> String {
        let mut u = self.url.clone();
        u.set_query(None);
        format!("{} {u}", self.method)
    }
}

/// Appends `s` form-urlencoded (WHATWG `application/x-www-form-urlencoded`).
pub(super) fn form_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// `Basic base64(user:password)` as a sensitive header value.
pub fn basic_header(user: &str, password: &Secret) -> HeaderValue {
    use base64::Engine;
    let raw = Zeroizing::new(format!("{user}:{}", password.expose()));
    let text = Zeroizing::new(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
    ));
    let mut v = HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    v.set_sensitive(true);
    v
}

/// `<scheme> <token>` as a header value marked sensitive (so it is never printed).
pub(super) fn auth_header(scheme: &str, token: &Secret) -> Result<HeaderValue, ApiError> {
    let text = Zeroizing::new(format!("{scheme} {}", token.expose()));
    let mut v = HeaderValue::from_str(&text).map_err(|_| {
        ApiError::new(
            ErrorKind::Decode,
            "Unusable access token",
            "the access token the server issued contains characters not allowed in a header",
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}
