//! `ApiClient`: the client of one API family as resources use it — a base URL, an
//! authenticator and the shared `HttpClient`. A call gets the bearer, is sent (with retries for
//! what may be retried), and on a 401 is retried once with the token the authenticator
//! refreshed. `Call` describes one operation, including what the error messages should say.

use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::auth::{AuthMethod, Authenticator};
use super::error::{ApiError, ErrorKind, OpContext};
use super::http::{Failed, HttpClient, Request, Response, Retrying};
use super::retry::Retries;

/// The three API families of the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    SddcManager,
    Operations,
    Director,
}

impl Family {
    /// The provider block that configures the family.
    pub fn block(self) -> &'static str {
        match self {
            Family::SddcManager => "sddc_manager",
            Family::Operations => "operations",
            Family::Director => "director",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::SddcManager => "SDDC Manager",
            Family::Operations => "VCF Operations fleet IAM",
            Family::Director => "Cloud Director / VCF Automation",
        }
    }
}

/// One API operation: method, path (relative to the family's base URL), query, body, and the
/// context used in error messages.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Result<Bytes, String>>,
    headers: Vec<(HeaderName, HeaderValue)>,
    idempotent: Option<bool>,
    success: &'static [u16],
    op: OpContext,
}

impl Call {
    pub fn new(method: Method, path: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            idempotent: None,
            success: &[],
            op: OpContext::default(),
        }
    }

    pub fn get(path: impl Into<String>) -> Call {
        Call::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Call {
        Call::new(Method::POST, path)
    }

    pub fn put(path: impl Into<String>) -> Call {
        Call::new(Method::PUT, path)
    }

    pub fn patch(path: impl Into<String>) -> Call {
        Call::new(Method::PATCH, path)
    }

    pub fn delete(path: impl Into<String>) -> Call {
        Call::new(Method::DELETE, path)
    }

    pub fn query(mut self, key: &str, value: impl ToString) -> Call {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Call {
        self.body = Some(
            serde_json::to_vec(body)
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
        );
        self
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Call {
        self.headers.push((name, value));
        self
    }

    /// Overrides the method's idempotency (a POST that only queries is idempotent).
    pub fn idempotent(mut self, yes: bool) -> Call {
        self.idempotent = Some(yes);
        self
    }

    /// The status codes the API documents as success for this call (`&[201]`, `&[204]`, …).
    /// Any other answer below 400 — a 1xx, a redirect, an undocumented 2xx — is an error naming
    /// the status and its `Location`. Without this, any 2xx counts as success.
    pub fn success(mut self, codes: &'static [u16]) -> Call {
        self.success = codes;
        self
    }

    /// What the call does, for error messages: `create API client "ci-bot"`.
    pub fn what(mut self, what: impl Into<String>) -> Call {
        self.op.what = what.into();
        self
    }

    /// The role the call needs, named when the server answers 403: `the ADMIN role`.
    pub fn needs_role(mut self, role: impl Into<String>) -> Call {
        self.op.needs_role = Some(role.into());
        self
    }

    /// The resource type and import ID suggested when the server answers 409.
    pub fn import_hint(mut self, resource_type: &str, import_id: impl Into<String>) -> Call {
        self.op.resource_type = Some(resource_type.to_string());
        self.op.import_id = Some(import_id.into());
        self
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// `resp` if its status is one of `codes` (any 2xx when `codes` is empty), else an error that
/// names the status and, for a redirect, where it pointed.
pub fn check_success(resp: Response, codes: &[u16], op: &OpContext) -> Result<Response, ApiError> {
    let ok = if codes.is_empty() {
        (200..300).contains(&resp.status)
    } else {
        codes.contains(&resp.status)
    };
    if ok {
        return Ok(resp);
    }
    let expected = if codes.is_empty() {
        "a 2xx status".to_string()
    } else {
        let list: Vec<String> = codes.iter().map(u16::to_string).collect();
        format!("HTTP {}", list.join(" or "))
    };
    let location = resp
        .header("location")
        .map(|l| format!(" It points to Location: {}.", super::error::scrub(l)))
        .unwrap_or_default();
    let what = if op.what.is_empty() {
        String::new()
    } else {
        format!(" ({})", op.what)
    };
    Err(ApiError::new(
        ErrorKind::Decode,
        "Unexpected response",
        format!(
            "{}{what}: HTTP {} is not a success answer of this call (expected {expected}), so the \
             provider does not treat the change as made.{location} A proxy or load balancer in front \
             of the API may have answered instead of it.",
            resp.target(),
            resp.status,
        ),
    )
    .with_status(resp.status))
}

/// The result of [`ApiClient::create_with_lookup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created<T> {
    /// The create call answered.
    Fresh(T),
    /// The create call's answer was lost, but the lookup found the object it created. Values
    /// the API shows only in the create answer (secrets) are not in it.
    Recovered(T),
}

impl<T> Created<T> {
    pub fn into_inner(self) -> T {
        match self {
            Created::Fresh(t) | Created::Recovered(t) => t,
        }
    }

    pub fn is_recovered(&self) -> bool {
        matches!(self, Created::Recovered(_))
    }

    pub fn get(&self) -> &T {
        match self {
            Created::Fresh(t) | Created::Recovered(t) => t,
        }
    }
}

/// Headers decided when a request is built rather than when the client is (the Director
/// `Accept`, which depends on the product detected at login).
#[derive(Clone)]
pub struct HeaderHook(pub Arc<dyn Fn(&mut HeaderMap) + Send + Sync>);

impl std::fmt::Debug for HeaderHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeaderHook")
    }
}

/// The client of one API family.
#[derive(Debug, Clone)]
pub struct ApiClient {
    family: Family,
    http: Arc<HttpClient>,
    base: Url,
    auth: Arc<dyn Authenticator>,
    headers: HeaderMap,
    hook: Option<HeaderHook>,
}

impl ApiClient {
    pub fn new(
        family: Family,
        http: Arc<HttpClient>,
        base: Url,
        auth: Arc<dyn Authenticator>,
        headers: HeaderMap,
    ) -> ApiClient {
        ApiClient {
            family,
            http,
            base,
            auth,
            headers,
            hook: None,
        }
    }

    /// Adds headers computed for each request (after authentication, before the call's own).
    pub fn with_header_hook(mut self, hook: HeaderHook) -> ApiClient {
        self.hook = Some(hook);
        self
    }

    pub fn family(&self) -> Family {
        self.family
    }

    /// `https://host[:port]` plus the family's base path.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Whether the provider authenticates to this family with an API token or a password.
    pub fn auth_method(&self) -> AuthMethod {
        self.auth.method()
    }

    pub fn authenticator(&self) -> &Arc<dyn Authenticator> {
        &self.auth
    }

    /// The URL of `path` (relative to the base URL, starting with `/`) with `query`.
    pub fn url(&self, path: &str, query: &[(String, String)]) -> Url {
        let mut u = self.base.clone();
        let joined = format!("{}{}", self.base.path().trim_end_matches('/'), path);
        u.set_path(&joined);
        if !query.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        u
    }

    /// [`ApiClient::url`], refused when the URL library changed the path: it resolves `.` and
    /// `..` segments (also percent-encoded ones), which would turn a call on one object into a
    /// call on its parent or its collection. Such a call is an error and nothing is sent.
    pub fn checked_url(
        &self,
        method: &Method,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Url, ApiError> {
        let u = self.url(path, query);
        let intended = format!("{}{}", self.base.path().trim_end_matches('/'), path);
        if u.path() != intended {
            return Err(ApiError::new(
                ErrorKind::Config,
                "Unsafe request path",
                format!(
                    "{method} {intended}: a segment of this path is `.` or `..` (or another form \
                     that URLs resolve), which would send the request to {} instead of the object. \
                     The provider sent nothing. Check the ids and names in the configuration, the \
                     import ID, and the values the server returned.",
                    u.path()
                ),
            ));
        }
        Ok(u)
    }

    fn request(&self, call: &Call) -> Result<Request, ApiError> {
        let url = self.checked_url(&call.method, &call.path, &call.query)?;
        let mut req = Request::new(call.method.clone(), url);
        req.headers = self.headers.clone();
        if let Some(h) = &self.hook {
            (h.0)(&mut req.headers);
        }
        if let Some(body) = &call.body {
            let bytes = body.clone().map_err(|e| {
                ApiError::new(
                    ErrorKind::Config,
                    "Cannot encode the request",
                    format!("{}: the JSON body cannot be encoded: {e}", req.target()),
                )
            })?;
            req.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            req.body = Some(bytes);
        }
        for (k, v) in &call.headers {
            req.headers.insert(k.clone(), v.clone());
        }
        if let Some(i) = call.idempotent {
            req.idempotent = i;
        }
        Ok(req)
    }

    /// Sends the call: authenticates first if needed; on a 401 the authenticator refreshes (one
    /// refresh for all concurrent 401s) and the call is sent once more.
    /// Only the call's documented success codes ([`Call::success`]), or any 2xx when it names
    /// none, count as success.
    pub async fn call(&self, call: Call) -> Result<Response, ApiError> {
        // Authenticate first: the login can decide headers of the request (HeaderHook).
        let bearer = self.auth.bearer().await?;
        let req = self.request(&call)?;
        let scheme = self.auth.scheme();
        let resp = match self
            .http
            .send_as(&req, Some((scheme, &bearer)), &call.op)
            .await
        {
            Err(e) if e.status() == Some(401) => {
                tracing::debug!(
                    family = self.family.name(),
                    path = req.url.path(),
                    "401; refreshing the access token and retrying once"
                );
                let fresh = self.auth.on_unauthorized(&bearer).await?;
                self.http
                    .send_as(&req, Some((scheme, &fresh)), &call.op)
                    .await
            }
            other => other,
        }?;
        check_success(resp, call.success, &call.op)
    }

    /// Sends the call and decodes the JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        self.call(call).await?.json()
    }

    /// As [`ApiClient::json`], with a 404 meaning "no such object" (`Ok(None)`), as reads of a
    /// single object need.
    pub async fn json_if_found<T: DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<Option<T>, ApiError> {
        match self.json(call).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends a create (a non-idempotent POST), never blindly twice. When its outcome is
    /// unknown — the connection broke or timed out after the request was sent, or a gateway
    /// answered 500/502/504 — it runs `lookup` (find the object by client id, by name and
    /// creation time, …) and returns what it finds as [`Created::Recovered`]. Only when the
    /// lookup finds nothing, or the server said it did not take the request (503), is the
    /// create sent again, with the retry policy's backoff and `Retry-After`, up to its
    /// `max_retries`. So an object is never created twice, and a flaky appliance does not fail
    /// the apply.
    pub async fn create_with_lookup<T, F, Fut>(
        &self,
        call: Call,
        lookup: F,
    ) -> Result<Created<T>, ApiError>
    where
        T: DeserializeOwned,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<T>, ApiError>>,
    {
        let call = call.idempotent(false);
        // Each attempt is a whole request with its own deadline (`HttpClient::send_as`).
        let mut retries = Retries::each_within_deadline(*self.http.policy());
        let target = format!("{} {}", call.method, self.url(&call.path, &[]));
        let retrying = Retrying {
            target: &target,
            op: &call.op,
            family: Some(self.family.name()),
            log: "the create was not applied; sending it again",
        };
        loop {
            let err = match self.call(call.clone()).await {
                Ok(resp) => return resp.json().map(Created::Fresh),
                Err(e) => e,
            };
            if err.kind() == ErrorKind::Cancelled {
                // No look-up now (the provider is stopping). The object stays out of the state;
                // the next apply plans its create again, and a create of an object that exists
                // is answered 409 (with the import command) or, for tokens, found by the look-up
                // before create (a warning by default, a refusal with on_existing_token = "fail").
                return Err(if err.is_ambiguous() {
                    err.add_detail(
                        "If the server created it, the next plan reports it: an API client, \
                         custom role or SDDC Manager user is refused with HTTP 409 and the \
                         import command; a token of the same name is shown with its id and the \
                         import block (a warning, after which another token is created, unless \
                         on_existing_token = \"fail\"). Import it, or revoke it.",
                    )
                } else {
                    err
                });
            }
            let unapplied = err.status() == Some(503) && !err.is_ambiguous();
            if !err.is_ambiguous() && !unapplied {
                return Err(err);
            }
            if err.is_ambiguous() {
                tracing::debug!(
                    family = self.family.name(),
                    error = %err,
                    "the create may have been applied; looking the object up"
                );
                match lookup().await {
                    Ok(Some(found)) => return Ok(Created::Recovered(found)),
                    Ok(None) => {}
                    Err(le) => {
                        return Err(err.add_detail(&format!(
                            "Looking for the object afterwards failed too ({le}). Check whether it exists before \
                             running Terraform again, and import it if it does."
                        )));
                    }
                }
            }
            let when_exhausted = if err.is_ambiguous() {
                "The provider looked for the object afterwards and did not find it, so it was not \
                 created; running Terraform again is safe."
            } else {
                "The server did not take the request, so the object was not created; running \
                 Terraform again is safe."
            };
            // What may go again was decided above: a create whose look-up found nothing, or
            // one the server did not take.
            let failed = Failed {
                error: err,
                retryable: true,
                when_exhausted: Some(when_exhausted),
            };
            self.http
                .retry_step(&mut retries, failed, &retrying)
                .await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, location: Option<&'static str>) -> Response {
        let mut h = HeaderMap::new();
        if let Some(l) = location {
            h.insert("location", HeaderValue::from_static(l));
        }
        Response::for_test(status, h, b"")
    }

    #[test]
    fn only_documented_codes_are_success() {
        let op = OpContext::default();
        assert!(check_success(answer(204, None), &[204], &op).is_ok());
        assert!(check_success(answer(200, None), &[], &op).is_ok());
        for (status, codes) in [
            (200u16, &[204u16][..]),
            (202, &[204]),
            (101, &[]),
            (304, &[]),
        ] {
            let e = check_success(answer(status, None), codes, &op).unwrap_err();
            assert_eq!(e.status(), Some(status));
            assert!(e.detail().contains(&format!("HTTP {status} is not")), "{e}");
        }
    }

    #[test]
    fn a_redirect_names_its_location() {
        let op = OpContext {
            what: "delete API client \"ci\"".into(),
            ..OpContext::default()
        };
        let e =
            check_success(answer(302, Some("https://lb.example/login")), &[204], &op).unwrap_err();
        assert!(
            e.detail().contains("Location: https://lb.example/login"),
            "{e}"
        );
        assert!(e.detail().contains("expected HTTP 204"), "{e}");
        assert!(e.detail().contains("delete API client"), "{e}");
    }
}
