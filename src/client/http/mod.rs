//! The one HTTP client of the provider: reqwest over rustls with the provider's trust settings,
//! pooled keep-alive connections, a per-attempt timeout, a process-wide limit on requests in
//! flight, retries of idempotent requests, and the provider's stop signal, which ends every
//! send and every wait (answer, body, backoff) at once when Terraform stops the run. It knows
//! nothing of authentication: callers pass the bearer to send, and `ApiClient` (in `api.rs`)
//! handles 401s.

mod cancel;
mod failure;
mod request;
mod retry_step;
#[cfg(test)]
mod tests;
mod tls;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderValue, RETRY_AFTER};
use tokio::sync::{Semaphore, watch};

use super::error::{ApiError, ErrorKind, OpContext, from_status};
use super::retry::{Retries, RetryPolicy, parse_retry_after, retryable_status};
use crate::framework::{Secret, StopToken};

pub(crate) use cancel::{Stage, cancelled};
use failure::{chain, timed_out};
use request::auth_header;
pub use request::{Request, Response, basic_header};
pub use retry_step::{Failed, Retrying};
use tls::pinned_tls_config;

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
        let mut retries = Retries::within_deadline(self.policy);
        let target = req.target();
        let retrying = Retrying {
            target: &target,
            op,
            family: None,
            log: "retrying",
        };
        loop {
            if self.is_cancelled() {
                return Err(cancelled(&target, op, Stage::NotSent));
            }
            let timeout = self
                .timeout
                .min(retries.remaining())
                .max(Duration::from_millis(1));
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
            let failed = match attempt {
                Attempt::Answer(resp) if resp.status < 400 => {
                    tracing::debug!(
                        method = %req.method,
                        path = req.url.path(),
                        status = resp.status,
                        retries = retries.made(),
                        elapsed_ms = retries.elapsed().as_millis() as u64,
                        "request done"
                    );
                    return Ok(resp);
                }
                Attempt::Answer(resp) => {
                    let ra = resp
                        .header(RETRY_AFTER.as_str())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let err = from_status(resp.status, &resp.body, &req.target(), op, ra)
                        // A gateway error or a crash may come after the change was applied.
                        .with_ambiguous(!req.idempotent && matches!(resp.status, 500 | 502 | 504));
                    Failed {
                        error: err,
                        retryable: retryable_status(resp.status)
                            && (req.idempotent || resp.status == 429),
                        when_exhausted: None,
                    }
                }
                Attempt::Failed(err, how) => Failed {
                    error: err,
                    retryable: match how {
                        Retry::NotSent => true,
                        Retry::IfIdempotent => req.idempotent,
                        Retry::Never => false,
                    },
                    when_exhausted: None,
                },
            };
            self.retry_step(&mut retries, failed, &retrying).await?;
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
}
