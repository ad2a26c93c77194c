//! The one HTTP client of the provider: reqwest over rustls with the provider's trust settings,
//! pooled keep-alive connections, a per-attempt timeout, a process-wide limit on requests in
//! flight, retries of idempotent requests, and the provider's stop signal, which ends every
//! send and every wait (answer, body, backoff) at once when Terraform stops the run. It knows
//! nothing of authentication: callers pass the bearer to send, and `ApiClient` (in `api.rs`)
//! handles 401s.

use std::error::Error as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Url};
use std::sync::OnceLock;

use tokio::sync::{Semaphore, watch};
use zeroize::Zeroizing;

use super::error::{ApiError, ErrorKind, OpContext, body_snippet, from_status};
use super::retry::{RetryPolicy, parse_retry_after, retryable_status};
use crate::framework::{Secret, StopToken};

/// Largest response body read; a bigger one is an error, not an out-of-memory.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Transport settings, taken from the provider configuration.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// PEM certificates trusted in addition to the system trust store.
    pub ca_pem: Option<String>,
    /// A file of PEM certificates trusted in addition to the system trust store.
    pub ca_file: Option<String>,
    /// Turn certificate verification off (the provider warns at configure time).
    pub insecure: bool,
    /// Timeout of one attempt (connect, send, and read the whole answer).
    pub request_timeout: Duration,
    /// Retries of an idempotent request after the first attempt.
    pub max_retries: u32,
    /// Requests in flight at once, over all API families.
    pub parallel_requests: u32,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            ca_pem: None,
            ca_file: None,
            insecure: false,
            request_timeout: Duration::from_secs(60),
            max_retries: 5,
            parallel_requests: 8,
        }
    }
}

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
    method: Method,
    url: Url,
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
            .map(|l| format!(" to {}", super::error::scrub(l)))
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

/// What one attempt produced.
enum Attempt {
    Answer(Response),
    Failed(ApiError, Retry),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Nothing was sent (connection refused, reset before the request): safe for any method.
    NotSent,
    /// The request may have been applied: only idempotent requests go again.
    IfIdempotent,
    Never,
}

/// The shared HTTP client. Cheap to share behind an `Arc`; builds no connection until used.
pub struct HttpClient {
    client: reqwest::Client,
    limit: Semaphore,
    policy: RetryPolicy,
    timeout: Duration,
    /// Which certificates are trusted, in words, for TLS error messages.
    trust: String,
    /// Ticks every [`TICK`]; attempts check their timeout on each tick.
    ticker: OnceLock<watch::Receiver<()>>,
    /// The provider process's stop signal (StopProvider, the plugin stopping): every send,
    /// every wait for an answer or its body, and every backoff wait ends when it is cancelled.
    stop: StopToken,
    /// Set once the provider ends its sessions: those last requests are not cancelled (the
    /// plugin bounds them with a short timeout instead).
    closing: AtomicBool,
}

/// Granularity of request timeouts.
const TICK: Duration = Duration::from_millis(250);

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .field("trust", &self.trust)
            .finish()
    }
}

impl HttpClient {
    /// Builds the client; reads the CA file but opens no connection.
    pub fn new(opts: &TransportOptions) -> Result<HttpClient, ApiError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!(
                "terraform-provider-vcf/",
                env!("CARGO_PKG_VERSION")
            ))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.request_timeout.min(Duration::from_secs(30)))
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(opts.parallel_requests.max(1) as usize)
            .tcp_keepalive(Duration::from_secs(60))
            .tcp_nodelay(true);
        let trust = if opts.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
            "nothing (insecure = true turns verification off)".to_string()
        } else {
            let (pem, origin) = match (&opts.ca_pem, &opts.ca_file) {
                (Some(pem), _) => (Some(pem.as_bytes().to_vec()), "ca_pem".to_string()),
                (None, Some(path)) => {
                    let bytes = std::fs::read(path).map_err(|e| {
                        ApiError::config(format!(
                            "ca_file {path:?} cannot be read: {e}. Set ca_file to a readable PEM file \
                             with the CA certificate of the appliances."
                        ))
                    })?;
                    (Some(bytes), format!("ca_file {path:?}"))
                }
                (None, None) => (None, String::new()),
            };
            match pem {
                Some(pem) => {
                    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                        ApiError::config(format!("{origin} holds no usable PEM certificate: {e}"))
                    })?;
                    if certs.is_empty() {
                        return Err(ApiError::config(format!(
                            "{origin} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                        )));
                    }
                    let n = certs.len();
                    let tls = pinned_tls_config(&pem).map_err(|e| {
                        ApiError::config(format!("{origin} cannot be used for TLS: {e}"))
                    })?;
                    drop(certs);
                    builder = builder.use_preconfigured_tls(tls);
                    format!("the {n} certificate(s) of {origin} and the system trust store")
                }
                None => "the system trust store only (neither ca_file nor ca_pem is set)".into(),
            }
        };
        let client = builder.build().map_err(|e| {
            ApiError::config(format!("the HTTPS client cannot be set up: {}", chain(&e)))
        })?;
        Ok(HttpClient {
            client,
            limit: Semaphore::new(opts.parallel_requests.max(1) as usize),
            policy: RetryPolicy::new(opts.max_retries, opts.request_timeout),
            timeout: opts.request_timeout,
            trust,
            ticker: OnceLock::new(),
            stop: StopToken::new(),
            closing: AtomicBool::new(false),
        })
    }

    /// The client with `stop` as its stop signal (see [`HttpClient::cancelled`]).
    pub fn with_stop(mut self, stop: StopToken) -> Self {
        self.stop = stop;
        self
    }

    /// From now on requests are the provider's last ones — ending its sessions, revoking what
    /// must not outlive it — and are sent even though the stop signal was raised.
    pub fn closing(&self) {
        self.closing.store(true, Ordering::SeqCst);
    }

    /// Resolves when the work in flight must end: the stop signal was raised and the provider
    /// is not ending its sessions. Pending forever otherwise.
    pub async fn cancelled(&self) {
        if self.closing.load(Ordering::SeqCst) {
            return std::future::pending().await;
        }
        self.stop.cancelled().await
    }

    fn is_cancelled(&self) -> bool {
        self.stop.is_cancelled() && !self.closing.load(Ordering::SeqCst)
    }

    /// Waits `delay` before the next attempt of `target`, unless the provider is stopped
    /// first: then the error says so (with `last`, the failure that led to the wait).
    pub async fn backoff(
        &self,
        delay: Duration,
        target: &str,
        op: &OpContext,
        last: &ApiError,
    ) -> Result<(), ApiError> {
        tokio::select! {
            _ = tokio::time::sleep(delay) => Ok(()),
            _ = self.cancelled() => Err(cancelled(target, op, Stage::Backoff(delay, last))),
        }
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends `req` (with `Authorization: Bearer <bearer>` when given) and retries what may be
    /// retried. Statuses of 400 and above become errors, mapped with `op`.
    pub async fn send(
        &self,
        req: &Request,
        bearer: Option<&Secret>,
        op: &OpContext,
    ) -> Result<Response, ApiError> {
        self.send_as(req, bearer.map(|b| ("Bearer", b)), op).await
    }

    /// [`HttpClient::send`] with `Authorization: <scheme> <token>` when given.
    pub async fn send_as(
        &self,
        req: &Request,
        auth: Option<(&str, &Secret)>,
        op: &OpContext,
    ) -> Result<Response, ApiError> {
        let auth = match auth {
            Some((scheme, token)) => Some(auth_header(scheme, token)?),
            None => None,
        };
        let start = Instant::now();
        let mut retry: u32 = 0;
        let target = req.target();
        loop {
            if self.is_cancelled() {
                return Err(cancelled(&target, op, Stage::NotSent));
            }
            let remaining = self.policy.deadline.saturating_sub(start.elapsed());
            let timeout = self.timeout.min(remaining).max(Duration::from_millis(1));
            let attempt = {
                let _permit = tokio::select! {
                    biased;
                    p = self.limit.acquire() => p.map_err(|_| {
                        ApiError::new(
                            ErrorKind::Config,
                            "Client closed",
                            "the provider is stopping",
                        )
                    })?,
                    _ = self.cancelled() => return Err(cancelled(&target, op, Stage::NotSent)),
                };
                // Dropping the attempt drops its connection: the server sees the client go.
                // An answer that is ready counts, even when the stop came in the same instant.
                tokio::select! {
                    biased;
                    a = self.attempt(req, auth.as_ref(), timeout) => a,
                    _ = self.cancelled() => {
                        let e = cancelled(&target, op, Stage::InFlight(req.idempotent));
                        return Err(e.with_ambiguous(!req.idempotent));
                    }
                }
            };
            let (err, retry_after, may_retry) = match attempt {
                Attempt::Answer(resp) if resp.status < 400 => {
                    tracing::debug!(
                        method = %req.method,
                        path = req.url.path(),
                        status = resp.status,
                        retries = retry,
                        elapsed_ms = start.elapsed().as_millis() as u64,
                        "request done"
                    );
                    return Ok(resp);
                }
                Attempt::Answer(resp) => {
                    let ra = resp
                        .header(RETRY_AFTER.as_str())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let may =
                        retryable_status(resp.status) && (req.idempotent || resp.status == 429);
                    let err = from_status(resp.status, &resp.body, &req.target(), op, ra)
                        // A gateway error or a crash may come after the change was applied.
                        .with_ambiguous(!req.idempotent && matches!(resp.status, 500 | 502 | 504));
                    (err, ra, may)
                }
                Attempt::Failed(err, how) => {
                    let may = match how {
                        Retry::NotSent => true,
                        Retry::IfIdempotent => req.idempotent,
                        Retry::Never => false,
                    };
                    (err, None, may)
                }
            };
            if !may_retry || retry >= self.policy.max_retries {
                return Err(if retry > 0 {
                    err.add_detail(&format!("Gave up after {} attempt(s).", retry + 1))
                } else {
                    err
                });
            }
            if retry_after.is_some_and(|ra| ra > self.policy.max_retry_after) {
                return Err(
                    err.add_detail("The server asked to wait longer than the provider waits.")
                );
            }
            let delay = self.policy.delay(retry, retry_after, rand::random::<f64>());
            if start.elapsed() + delay >= self.policy.deadline {
                return Err(err.add_detail(&format!(
                    "Gave up after {} attempt(s): request_timeout ({}) bounds all attempts of \
                     one request together, and another would not fit.",
                    retry + 1,
                    secs(self.timeout)
                )));
            }
            tracing::debug!(
                method = %req.method,
                path = req.url.path(),
                status = err.status().unwrap_or(0),
                kind = ?err.kind(),
                retry = retry + 1,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            self.backoff(delay, &target, op, &err).await?;
            retry += 1;
        }
    }

    /// One exchange, bounded by `timeout`. The bound is kept with the coarse shared ticker
    /// rather than a timer per request (a timer each costs more than everything else the
    /// client adds to a request; see tests/client_bench.rs).
    async fn attempt(
        &self,
        req: &Request,
        auth: Option<&HeaderValue>,
        timeout: Duration,
    ) -> Attempt {
        let start = Instant::now();
        let exchange = self.exchange(req, auth);
        tokio::pin!(exchange);
        let Some(mut tick) = self.ticker() else {
            return match tokio::time::timeout(timeout, exchange).await {
                Ok(a) => a,
                Err(_) => timed_out(req, self.timeout),
            };
        };
        loop {
            tokio::select! {
                biased;
                a = &mut exchange => return a,
                changed = tick.changed() => {
                    if changed.is_err() {
                        let left = timeout.saturating_sub(start.elapsed());
                        return match tokio::time::timeout(left, exchange).await {
                            Ok(a) => a,
                            Err(_) => timed_out(req, self.timeout),
                        };
                    }
                    if start.elapsed() >= timeout {
                        return timed_out(req, self.timeout);
                    }
                }
            }
        }
    }

    /// A receiver of the shared ticker, started on first use (None outside a runtime).
    fn ticker(&self) -> Option<watch::Receiver<()>> {
        if let Some(rx) = self.ticker.get() {
            return Some(rx.clone());
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let rx = self.ticker.get_or_init(|| {
            let (tx, rx) = watch::channel(());
            handle.spawn(async move {
                // Ends when the HttpClient (the last receiver) is gone.
                while !tx.is_closed() {
                    tokio::time::sleep(TICK).await;
                    tx.send_replace(());
                }
            });
            rx
        });
        Some(rx.clone())
    }

    async fn exchange(&self, req: &Request, auth: Option<&HeaderValue>) -> Attempt {
        let mut rb = self
            .client
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone());
        if let Some(a) = auth {
            rb = rb.header(AUTHORIZATION, a.clone());
        }
        if let Some(body) = &req.body {
            rb = rb.body(body.clone());
        }
        let mut resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return self.failure(&e, req),
        };
        let status = resp.status().as_u16();
        let headers = std::mem::take(resp.headers_mut());
        let too_big = || {
            Attempt::Failed(
                ApiError::new(
                    ErrorKind::Decode,
                    "Response too large",
                    format!(
                        "{}: HTTP {status} with a body larger than {} MiB, the most the provider \
                         reads of one answer; it stopped reading. No API call of the provider gets \
                         answers that large: check that the host setting names the appliance and \
                         that no proxy in front of it answers instead.",
                        req.target(),
                        MAX_RESPONSE_BYTES >> 20
                    ),
                )
                .with_status(status),
                Retry::Never,
            )
        };
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return too_big();
        }
        // Read with a running limit: a chunked answer announces no length.
        let mut body = bytes::BytesMut::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return too_big();
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return self.failure(&e, req),
            }
        }
        Attempt::Answer(Response {
            status,
            headers,
            body: body.freeze(),
            method: req.method.clone(),
            url: req.url.clone(),
        })
    }

    /// Turns a transport failure into an error that says what to check, and whether the
    /// request may have been applied.
    fn failure(&self, e: &reqwest::Error, req: &Request) -> Attempt {
        let host = req
            .url
            .host_str()
            .map(|h| match req.url.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
            .unwrap_or_default();
        let target = req.target();
        if let Some(tls) = tls_cause(e).filter(is_protocol_problem) {
            let err = ApiError::new(
                ErrorKind::Tls,
                "TLS handshake failed",
                format!(
                    "{target}: {host} and the provider share no TLS protocol version or cipher \
                     suite ({tls}). The provider speaks TLS 1.2 and 1.3 only; a server that offers \
                     only TLS 1.0 or 1.1 must be upgraded (the certificate was not the problem).",
                ),
            );
            return Attempt::Failed(err, Retry::Never);
        }
        if let Some(tls) = tls_cause(e) {
            let err = ApiError::new(
                ErrorKind::Tls,
                "TLS handshake failed",
                format!(
                    "{target}: the certificate of {host} was not accepted: {tls}. The provider trusted \
                     {}. Fix: set ca_file (or VCF_CA_FILE) to a PEM file with the CA certificate that \
                     issued the appliance's certificate, or ca_pem to its contents, and make sure the \
                     host setting matches a name in the certificate. insecure = true skips the check \
                     and is only for throwaway labs.",
                    self.trust
                ),
            );
            return Attempt::Failed(err, Retry::Never);
        }
        if e.is_dns() {
            let err = ApiError::new(
                ErrorKind::Dns,
                "Host not found",
                format!(
                    "{target}: the host name {host:?} does not resolve ({}). Check the host setting \
                     and the DNS of the machine that runs Terraform.",
                    chain(e)
                ),
            );
            return Attempt::Failed(err, Retry::Never);
        }
        if e.is_connect() {
            let refused = io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused);
            let err = ApiError::new(
                if e.is_timeout() {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Connect
                },
                "Cannot connect",
                format!(
                    "{target}: cannot connect to {host}: {}. Check that the host setting is right, \
                     that the appliance is up, and that this machine can reach it on that port.",
                    if refused {
                        "connection refused".to_string()
                    } else {
                        chain(e)
                    }
                ),
            );
            return Attempt::Failed(err, Retry::NotSent);
        }
        if e.is_timeout() {
            return timed_out(req, self.timeout);
        }
        let err = ApiError::new(
            ErrorKind::Transport,
            "Connection lost",
            format!(
                "{target}: the connection to {host} broke before the answer arrived ({}).",
                chain(e)
            ),
        )
        .with_ambiguous(true);
        Attempt::Failed(err, Retry::IfIdempotent)
    }
}

/// Where a request stood when the provider was stopped.
pub(crate) enum Stage<'a> {
    /// Not sent yet.
    NotSent,
    /// Sent (idempotent or not), the answer not complete.
    InFlight(bool),
    /// Waiting this long before the next attempt, after this failure.
    Backoff(Duration, &'a ApiError),
}

/// The error of a request ended by the stop signal: says that Terraform stopped the run, names
/// the request, and says whether it may have been applied.
pub(crate) fn cancelled(target: &str, op: &OpContext, stage: Stage<'_>) -> ApiError {
    let what = if op.what.is_empty() {
        target.to_string()
    } else {
        format!("{} ({target})", op.what)
    };
    let how = match stage {
        Stage::NotSent => "before the request was sent; nothing was sent.".to_string(),
        Stage::InFlight(true) => "while it waited for the answer; the provider closed the \
             connection. The request is safe to repeat: running Terraform again does it again."
            .to_string(),
        Stage::InFlight(false) => "while it waited for the answer; the provider closed the \
             connection. The request had been sent, so the server may have applied it."
            .to_string(),
        Stage::Backoff(delay, last) => format!(
            "while it waited {} to try again; it was not sent again. {}",
            secs(delay),
            match last.status() {
                Some(s) => format!("The server had answered the last attempt with HTTP {s}."),
                None => format!("The last attempt had failed ({}).", last.summary()),
            }
        ),
    };
    ApiError::new(
        ErrorKind::Cancelled,
        "Operation cancelled",
        format!(
            "{what}: cancelled by Terraform (Ctrl-C or an interrupted run stops the provider) {how}"
        ),
    )
}

/// `60s`, `1.5s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

/// No complete answer within the request's time budget: the request may have been applied.
/// `configured` is request_timeout, which bounds all attempts of a request together.
fn timed_out(req: &Request, configured: Duration) -> Attempt {
    let host = req.url.host_str().unwrap_or_default();
    let err = ApiError::new(
        ErrorKind::Timeout,
        "Request timed out",
        format!(
            "{}: no complete answer from {host} within request_timeout ({}, for all attempts of \
             the request together). The appliance may be overloaded; raise request_timeout or \
             lower parallel_requests.",
            req.target(),
            secs(configured)
        ),
    )
    .with_ambiguous(true);
    Attempt::Failed(err, Retry::IfIdempotent)
}

/// Appends `s` form-urlencoded (WHATWG `application/x-www-form-urlencoded`).
fn form_encode(s: &str, out: &mut String) {
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
fn auth_header(scheme: &str, token: &Secret) -> Result<HeaderValue, ApiError> {
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

/// The TLS client configuration when `ca_file` / `ca_pem` give certificates: the system trust
/// store plus those certificates as trust anchors (as reqwest builds it), and — as `curl
/// --cacert` does — each of those exact certificates trusted as the server's own even where
/// WebPKI refuses it: a self-signed CA:TRUE certificate serving as the end entity
/// (`CaUsedAsEndEntity`), or the server's leaf given instead of its CA (`UnknownIssuer`). The
/// host name and the validity dates of such a certificate are still checked.
fn pinned_tls_config(pem: &[u8]) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let ders: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("unreadable PEM certificate: {e}"))?;
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let inner =
        rustls_platform_verifier::Verifier::new_with_extra_roots(ders.clone(), provider.clone())
            .map_err(|e| e.to_string())?;
    let verifier = PinnedVerifier {
        inner,
        pinned: ders,
        provider: provider.clone(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// See [`pinned_tls_config`].
#[derive(Debug)]
struct PinnedVerifier {
    inner: rustls_platform_verifier::Verifier,
    pinned: Vec<rustls::pki_types::CertificateDer<'static>>,
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::CertificateError as C;
        let err = match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        // WebPKI's refusals of a trust anchor used as the server's own certificate.
        let refused_as_anchor = match &err {
            rustls::Error::InvalidCertificate(C::UnknownIssuer) => true,
            rustls::Error::InvalidCertificate(C::Other(o)) => {
                o.to_string().contains("CaUsedAsEndEntity")
            }
            _ => false,
        };
        if !refused_as_anchor
            || !self
                .pinned
                .iter()
                .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Err(err);
        }
        // The very certificate the user trusts: still for this host, and still valid.
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        match validity(end_entity.as_ref()) {
            Some((not_before, not_after)) => {
                let t = now.as_secs() as i64;
                if t < not_before {
                    return Err(rustls::Error::InvalidCertificate(C::NotValidYet));
                }
                if t > not_after {
                    return Err(rustls::Error::InvalidCertificate(C::Expired));
                }
            }
            None => return Err(rustls::Error::InvalidCertificate(C::BadEncoding)),
        }
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `notBefore` and `notAfter` of a DER X.509 certificate, in seconds since the Unix epoch.
fn validity(der: &[u8]) -> Option<(i64, i64)> {
    /// One DER element at the start of `b`: (tag, content, rest).
    fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, b) = b.split_first()?;
        let (&l, mut b) = b.split_first()?;
        let len = if l < 0x80 {
            l as usize
        } else {
            let n = (l & 0x7f) as usize;
            if n == 0 || n > 4 || b.len() < n {
                return None;
            }
            let v = b[..n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
            b = &b[n..];
            v
        };
        (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
    }
    fn time(tag: u8, t: &[u8]) -> Option<i64> {
        let s = std::str::from_utf8(t).ok()?.strip_suffix('Z')?;
        let (year, rest) = match tag {
            0x17 if s.len() == 12 => {
                let y: i64 = s[..2].parse().ok()?;
                (if y < 50 { 2000 + y } else { 1900 + y }, &s[2..])
            }
            0x18 if s.len() == 14 => (s[..4].parse().ok()?, &s[4..]),
            _ => return None,
        };
        let n = |i: usize| rest.get(i..i + 2)?.parse::<i64>().ok();
        let (mo, d, h, mi, se) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
        // Days from the civil date (proleptic Gregorian calendar).
        let (y, m) = if mo <= 2 {
            (year - 1, mo + 9)
        } else {
            (year, mo - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(days * 86_400 + h * 3600 + mi * 60 + se)
    }
    let (_, cert, _) = tlv(der)?;
    let (_, tbs, _) = tlv(cert)?;
    let mut rest = tbs;
    let (tag, _, r) = tlv(rest)?;
    if tag == 0xa0 {
        rest = r; // version
    }
    let (_, _, r) = tlv(rest)?; // serialNumber
    let (_, _, r) = tlv(r)?; // signature
    let (_, _, r) = tlv(r)?; // issuer
    let (_, v, _) = tlv(r)?; // validity
    let (t1, nb, r) = tlv(v)?;
    let (t2, na, _) = tlv(r)?;
    Some((time(t1, nb)?, time(t2, na)?))
}

/// Whether a TLS failure is about the protocol (no TLS version or cipher suite in common),
/// not about the certificate.
fn is_protocol_problem(e: &rustls::Error) -> bool {
    use rustls::AlertDescription as A;
    matches!(
        e,
        rustls::Error::PeerIncompatible(_)
            | rustls::Error::AlertReceived(
                A::ProtocolVersion | A::HandshakeFailure | A::InsufficientSecurity
            )
    )
}

/// The rustls error in the cause chain, if the failure was a TLS one.
fn tls_cause(e: &reqwest::Error) -> Option<rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.clone());
        }
        // tokio-rustls wraps the rustls error in an io::Error, which hyper wraps in another;
        // io::Error::source skips the wrapped value, so look inside with get_ref.
        let mut io = err.downcast_ref::<std::io::Error>();
        while let Some(inner) = io.and_then(|i| i.get_ref()) {
            if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                return Some(t.clone());
            }
            io = inner.downcast_ref::<std::io::Error>();
        }
        cur = err.source();
    }
    None
}

fn io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

/// The error and its causes, joined, without the URL (which `target` already gives).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        // reqwest's own message repeats the URL, which the caller already names.
        let s = match err.downcast_ref::<reqwest::Error>() {
            Some(r) if r.is_connect() => "connect error".to_string(),
            Some(r) if r.is_timeout() => "timed out".to_string(),
            Some(r) if r.is_body() => "body error".to_string(),
            Some(_) => "request error".to_string(),
            None => err.to_string(),
        };
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_follows_the_method() {
        let u = Url::parse("https://h/x?q=1").expect("url");
        assert!(Request::new(Method::GET, u.clone()).idempotent);
        assert!(Request::new(Method::PUT, u.clone()).idempotent);
        assert!(Request::new(Method::DELETE, u.clone()).idempotent);
        assert!(!Request::new(Method::POST, u.clone()).idempotent);
        assert!(!Request::new(Method::PATCH, u.clone()).idempotent);
        assert_eq!(Request::new(Method::GET, u).target(), "GET https://h/x");
    }

    #[test]
    fn form_bodies_are_encoded() {
        let u = Url::parse("https://h/t").expect("url");
        let r = Request::form(
            u,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "a b+/=&é"),
            ],
        );
        assert_eq!(
            r.body.as_deref(),
            Some(&b"grant_type=refresh_token&refresh_token=a+b%2B%2F%3D%26%C3%A9"[..])
        );
        assert!(!r.idempotent);
        assert!(basic_header("u@org", &Secret::new("p")).is_sensitive());
    }

    #[test]
    fn auth_header_is_sensitive() {
        let v = auth_header("Bearer", &Secret::new("abc")).expect("header");
        assert!(v.is_sensitive());
        assert!(format!("{v:?}").contains("Sensitive"));
        assert!(auth_header("OpsToken", &Secret::new("a\nb")).is_err());
    }

    #[test]
    fn validity_dates_are_read_from_the_certificate() {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut p = rcgen::CertificateParams::new(vec!["h".to_string()]).expect("params");
        p.not_before = time::macros::datetime!(2024-02-29 12:34:56 UTC);
        p.not_after = time::macros::datetime!(2051-01-01 00:00:00 UTC);
        let cert = p.self_signed(&key).expect("cert");
        assert_eq!(
            validity(cert.der().as_ref()),
            Some((1_709_210_096, 2_556_143_999 + 1))
        );
        assert_eq!(validity(b"\x30\x03\x02\x01"), None);
    }

    /// The stop signal ends a request whose answer the server holds back (the server sees the
    /// connection close), refuses to send afterwards, ends backoff waits, and spares the
    /// requests made once the provider is closing (ending its sessions).
    #[tokio::test]
    async fn the_stop_signal_ends_requests_and_waits() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listen");
        let addr = listener.local_addr().expect("addr");
        let stop = StopToken::new();
        let http = HttpClient::new(&TransportOptions::default())
            .expect("client")
            .with_stop(stop.clone());
        let url = Url::parse(&format!("http://{addr}/things")).expect("url");
        let req = Request::new(Method::POST, url);
        let op = OpContext {
            what: "create thing".into(),
            ..OpContext::default()
        };
        let send = http.send(&req, None, &op);
        tokio::pin!(send);
        let mut sock = tokio::select! {
            a = listener.accept() => a.expect("accept").0,
            r = &mut send => panic!("answered without a server: {r:?}"),
        };
        let mut buf = [0u8; 1024];
        tokio::select! {
            n = sock.read(&mut buf) => assert!(n.expect("read") > 0),
            r = &mut send => panic!("answered: {r:?}"),
        }
        stop.cancel();
        let e = send.await.expect_err("cancelled");
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert!(e.is_ambiguous(), "a POST in flight may have been applied");
        assert_eq!(e.summary(), "Operation cancelled");
        assert!(
            e.detail().contains(&format!(
                "create thing (POST http://{addr}/things): cancelled by Terraform"
            )),
            "{e}"
        );
        // The server sees the connection closed.
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        // Nothing is sent once stopped.
        let e = http.send(&req, None, &op).await.expect_err("stopped");
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert!(e.detail().contains("nothing was sent"), "{e}");
        let last = ApiError::new(ErrorKind::Server, "Server error", "x").with_status(503);
        let e = http
            .backoff(Duration::from_secs(3600), "GET http://h/x", &op, &last)
            .await
            .expect_err("no wait once stopped");
        assert!(
            e.detail()
                .contains("while it waited 3600s to try again; it was not sent again. The server had answered the last attempt with HTTP 503."),
            "{e}"
        );
        // The provider's last requests (ending sessions) still go.
        http.closing();
        let server = async {
            let (mut s, _) = listener.accept().await.expect("accept");
            let _ = s.read(&mut buf).await;
            s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .await
                .expect("write");
            s
        };
        let (resp, _s) = tokio::join!(http.send(&req, None, &op), server);
        assert_eq!(resp.expect("sent while closing").status, 204);
    }

    #[test]
    fn bad_ca_settings_are_config_errors() {
        let opts = TransportOptions {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..TransportOptions::default()
        };
        let e = HttpClient::new(&opts).expect_err("missing file");
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
        let opts = TransportOptions {
            ca_pem: Some("not a pem".into()),
            ..TransportOptions::default()
        };
        assert_eq!(
            HttpClient::new(&opts).expect_err("no certs").kind(),
            ErrorKind::Config
        );
        assert!(HttpClient::new(&TransportOptions::default()).is_ok());
    }
}
