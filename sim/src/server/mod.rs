//! The HTTP(S) server: accept loop, one hyper HTTP/1.1 connection per socket (keep-alive), and the
//! request pipeline — request id, body limit, route match, fault injection, dispatch under the
//! world lock, counters. A connection-reset fault closes the socket with SO_LINGER 0 (a TCP RST).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::faults::{FaultKind, Faults};
use crate::http::{ApiError, MAX_BODY, Req, Resp, parse_urlencoded};
use crate::routes::{Match, Router};
use crate::world::{Ctx, World};

mod secrets;
use secrets::{record_request_secrets, record_secrets};

pub struct Shared {
    pub world: Mutex<World>,
    pub clock: Clock,
    pub router: Router,
    pub faults: Mutex<Faults>,
    pub stats: Mutex<Stats>,
    pub base_url: String,
    pub admin_secret: String,
    pub state_file: Option<PathBuf>,
    pub request_prefix: String,
    pub request_counter: AtomicU64,
    /// API requests being handled right now (for `max_in_flight` in the stats).
    pub in_flight: AtomicU64,
    /// Print one line per API request on stderr (`--log-requests`).
    pub log_requests: bool,
    /// Serialises writers of the state file (background saver and the final save).
    pub save_lock: Mutex<()>,
    /// Every secret the API answers have carried, and every credential the requests gave, since
    /// start (`GET /_sim/secrets`): secret → its kind (the field or header it came in).
    pub issued: Mutex<BTreeMap<String, String>>,
    /// Wakes every request held by a `hang` fault (`POST /_sim/faults/release`).
    pub release: Notify,
}

/// Lock a mutex, recovering from poisoning (a panicked holder must not take the server down).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
pub struct Stats {
    pub total: u64,
    /// `"METHOD template"` → status (or `"reset"`) → count.
    pub endpoints: HashMap<String, BTreeMap<String, u64>>,
    /// The most API requests handled at the same time since the last reset.
    pub max_in_flight: u64,
    /// Requests held by `hang` faults.
    pub holds: Holds,
}

/// What became of the requests a `hang` fault held.
#[derive(Default, serde::Serialize)]
pub struct Holds {
    pub started: u64,
    /// Held right now.
    pub holding: u64,
    pub released: u64,
    pub expired: u64,
    /// The client closed the connection while its request was held.
    pub client_gone: u64,
}

impl Stats {
    pub fn record(&mut self, key: &str, status: &str) {
        self.total += 1;
        if let Some(m) = self.endpoints.get_mut(key) {
            *m.entry(status.to_string()).or_default() += 1;
        } else {
            let mut m = BTreeMap::new();
            m.insert(status.to_string(), 1);
            self.endpoints.insert(key.to_string(), m);
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let endpoints: BTreeMap<&String, &BTreeMap<String, u64>> = self.endpoints.iter().collect();
        json!({
            "total": self.total,
            "endpoints": endpoints,
            "max_in_flight": self.max_in_flight,
            "holds": self.holds,
        })
    }
}

impl Shared {
    /// Count the outcome of a request and, with `--log-requests`, print it (never bodies,
    /// headers or query strings, so no secret reaches the log).
    fn finish(&self, rid: &str, req: &Req, key: &str, outcome: &str, started: std::time::Instant) {
        lock(&self.stats).record(key, outcome);
        if self.log_requests {
            eprintln!(
                "vcf-sim: {rid} {} {} -> {outcome} ({:.1} ms)",
                req.method,
                req.path,
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    fn next_request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n:08x}", self.request_prefix)
    }

    /// Write the world to the state file if it changed (or when `force`).
    pub fn save(&self, force: bool) -> std::io::Result<()> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let _guard = lock(&self.save_lock);
        let text = {
            let mut w = lock(&self.world);
            if !w.dirty && !force {
                return Ok(());
            }
            w.prune(self.clock.now_ms());
            w.clock_skew_ms = self.clock.skew_ms();
            w.dirty = false;
            serde_json::to_vec(&*w).map_err(std::io::Error::other)?
        };
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

/// A request held by a `hang` fault. Dropped before [`Hold::end`] means hyper dropped the
/// request because its client closed the connection: counted and logged as `client_gone`.
struct Hold<'a> {
    shared: &'a Shared,
    rid: &'a str,
    req: &'a Req,
    key: &'a str,
    started: std::time::Instant,
    ended: bool,
}

impl<'a> Hold<'a> {
    fn start(
        shared: &'a Shared,
        rid: &'a str,
        req: &'a Req,
        key: &'a str,
        started: std::time::Instant,
    ) -> Self {
        let mut stats = lock(&shared.stats);
        stats.holds.started += 1;
        stats.holds.holding += 1;
        drop(stats);
        if shared.log_requests {
            eprintln!("vcf-sim: {rid} {} {} held", req.method, req.path);
        }
        Hold {
            shared,
            rid,
            req,
            key,
            started,
            ended: false,
        }
    }

    fn end(mut self, released: bool) {
        self.ended = true;
        let mut stats = lock(&self.shared.stats);
        stats.holds.holding = stats.holds.holding.saturating_sub(1);
        if released {
            stats.holds.released += 1;
        } else {
            stats.holds.expired += 1;
        }
    }
}

/// Holds a request until `POST /_sim/faults/release`, until `limit` passed, or until the client
/// goes away (this future is then dropped, and the [`Hold`] counts it). The release is listened
/// for before the stats say `holding`, so a test that sees the hold and releases it at once is
/// never missed.
async fn hold(
    shared: &Shared,
    rid: &str,
    req: &Req,
    key: &str,
    started: std::time::Instant,
    limit: Duration,
) {
    let released = shared.release.notified();
    tokio::pin!(released);
    released.as_mut().enable();
    let hold = Hold::start(shared, rid, req, key, started);
    tokio::select! {
        _ = released => hold.end(true),
        _ = tokio::time::sleep(limit) => hold.end(false),
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        {
            let mut stats = lock(&self.shared.stats);
            stats.holds.holding = stats.holds.holding.saturating_sub(1);
            stats.holds.client_gone += 1;
        }
        self.shared
            .finish(self.rid, self.req, self.key, "client_gone", self.started);
    }
}

/// Counts one API request as in flight until dropped.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut stats = lock(&shared.stats);
        stats.max_in_flight = stats.max_in_flight.max(now);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Per-connection switch that a reset fault pulls.
struct ConnCtl {
    kill: Notify,
}

pub enum Tls {
    On(tokio_rustls::TlsAcceptor),
    Off,
}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>, tls: Tls) {
    let tls = Arc::new(tls);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("vcf-sim: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let dup: Option<OwnedFd> = tcp.as_fd().try_clone_to_owned().ok();
        let shared = shared.clone();
        let tls = tls.clone();
        let loopback = peer.ip().is_loopback();
        tokio::spawn(async move {
            match &*tls {
                Tls::On(acceptor) => {
                    if let Ok(s) = acceptor.accept(tcp).await {
                        serve_conn(s, shared, loopback, dup).await;
                    }
                }
                Tls::Off => serve_conn(tcp, shared, loopback, dup).await,
            }
        });
    }
}

async fn serve_conn<I>(io: I, shared: Arc<Shared>, loopback: bool, dup: Option<OwnedFd>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let ctl = Arc::new(ConnCtl {
        kill: Notify::new(),
    });
    let ctl2 = ctl.clone();
    let svc = service_fn(move |req| dated(shared.clone(), ctl2.clone(), loopback, req));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc);
    tokio::select! {
        _ = conn => {}
        _ = ctl.kill.notified() => {
            if let Some(fd) = &dup {
                let _ = socket2::SockRef::from(fd).set_linger(Some(Duration::ZERO));
            }
        }
    }
    drop(dup);
}

/// Read the body up to `MAX_BODY`. A bigger body is drained (up to 64 MiB, so the client gets to
/// read the 400 instead of a broken pipe) and reported as `None`.
async fn read_body(mut body: Incoming) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.ok()?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > 64 * MAX_BODY {
                return None;
            }
            if seen <= MAX_BODY {
                buf.extend_from_slice(&data);
            }
        }
    }
    (seen <= MAX_BODY).then_some(buf)
}

fn to_hyper(resp: Resp, request_id: &str) -> Response<Full<Bytes>> {
    let mut b = Response::builder()
        .status(resp.status)
        .header("x-request-id", request_id);
    if !resp.body.is_empty() || resp.status != 204 {
        b = b.header("content-type", resp.content_type);
    }
    for (k, v) in resp.headers {
        b = b.header(k, v);
    }
    b.body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// Every answer carries `Date` from the simulated clock, as a real server's carries its own
/// clock: clients that judge expiry by the server's time (the provider's `rotate_before`) then
/// follow `POST /_sim/clock/advance`.
async fn dated(
    shared: Arc<Shared>,
    ctl: Arc<ConnCtl>,
    loopback: bool,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let clock = shared.clone();
    let mut resp = handle(shared, ctl, loopback, req).await?;
    let ms = u64::try_from(clock.clock.now_ms()).unwrap_or(0);
    let when = std::time::UNIX_EPOCH + Duration::from_millis(ms);
    if let Ok(v) = hyper::header::HeaderValue::from_str(&httpdate::fmt_http_date(when)) {
        resp.headers_mut().insert(hyper::header::DATE, v);
    }
    Ok(resp)
}

async fn handle(
    shared: Arc<Shared>,
    ctl: Arc<ConnCtl>,
    loopback: bool,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = std::time::Instant::now();
    let rid = shared.next_request_id();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let is_control = path == "/_sim" || path.starts_with("/_sim/");
    let body = match read_body(body).await {
        Some(b) => b,
        None => {
            let e = ApiError::bad_request(format!(
                "request body too large (limit {MAX_BODY} bytes) or unreadable"
            ));
            if !is_control {
                lock(&shared.stats).record("oversized", "400");
            }
            return Ok(to_hyper(e.into_resp(&rid), &rid));
        }
    };
    let mut req = Req {
        method: parts.method,
        query: parts.uri.query().map(parse_urlencoded).unwrap_or_default(),
        path,
        headers: parts.headers,
        body,
        params: Vec::new(),
        peer_loopback: loopback,
    };
    if is_control {
        let resp = crate::control::handle(&shared, &req).unwrap_or_else(|e| e.into_resp(&rid));
        // Objects a test creates through the control API (API tokens, …) carry secrets too.
        if req.method == hyper::Method::POST {
            record_secrets(&shared, &resp);
        }
        return Ok(to_hyper(resp, &rid));
    }
    record_request_secrets(&shared, &req);

    let _in_flight = InFlight::enter(&shared);
    let (key, handler) = match shared.router.find(req.method.as_str(), &req.path) {
        Match::Found(e, params) => {
            req.params = params;
            (e.key.clone(), Some(e.route.handler))
        }
        Match::MethodNotAllowed(k) => (k, None),
        Match::NotFound => ("unmatched".to_string(), None),
    };

    let plan = lock(&shared.faults).plan(req.method.as_str(), &req.path);
    if plan.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.latency_ms)).await;
    }
    if plan.advance_ms > 0 {
        shared.clock.advance(plan.advance_ms);
        lock(&shared.world).dirty = true;
    }
    let mut reset_after = false;
    let mut hold_after = None;
    if let Some(rule) = plan.terminal {
        let injected = match rule.kind {
            FaultKind::Error => {
                let s = rule.status.unwrap_or(503);
                let mut e = ApiError::new(
                    s,
                    "INJECTED_FAULT",
                    format!("vcf-sim injected a {s} (fault rule {})", rule.id),
                );
                if let Some(ra) = rule.retry_after {
                    e.headers.push(("retry-after", ra.to_string()));
                }
                Some(e)
            }
            FaultKind::RateLimit => {
                let ra = rule.retry_after.unwrap_or(1);
                let mut e =
                    ApiError::new(429, "TOO_MANY_REQUESTS", "Rate limit exceeded; retry later");
                e.headers.push(("retry-after", ra.to_string()));
                Some(e)
            }
            FaultKind::Unauthorized => Some(ApiError::token_expired()),
            FaultKind::ResetBefore => {
                shared.finish(&rid, &req, &key, "reset", started);
                ctl.kill.notify_one();
                return std::future::pending().await;
            }
            FaultKind::ResetAfter => {
                reset_after = true;
                None
            }
            FaultKind::Echo | FaultKind::Html | FaultKind::HugeBody | FaultKind::Answer => {
                let resp = match rule.kind {
                    FaultKind::Echo => crate::faults::echo(&rule, &req, &rid),
                    FaultKind::Html => crate::faults::html(&rule),
                    FaultKind::Answer => crate::faults::answer(&rule),
                    _ => crate::faults::huge_body(&rule),
                };
                shared.finish(&rid, &req, &key, &resp.status.to_string(), started);
                return Ok(to_hyper(resp, &rid));
            }
            FaultKind::Hang if rule.after == Some(true) => {
                hold_after = Some(rule.hold_seconds.unwrap_or(600));
                None
            }
            FaultKind::Hang => {
                let limit = Duration::from_secs(rule.hold_seconds.unwrap_or(600));
                hold(&shared, &rid, &req, &key, started, limit).await;
                None
            }
            FaultKind::Latency | FaultKind::AdvanceClock | FaultKind::OtherWriter => None,
        };
        if let Some(e) = injected {
            shared.finish(&rid, &req, &key, &e.status.to_string(), started);
            return Ok(to_hyper(e.into_resp(&rid), &rid));
        }
    }

    let resp = match handler {
        Some(h) => {
            let mut w = lock(&shared.world);
            let ctx = Ctx::new(&shared.clock, &shared.base_url);
            let r = h(&mut w, &ctx, &req);
            // Another writer changes the set right after this read was answered.
            if r.as_ref().is_ok_and(|r| (200..300).contains(&r.status)) {
                for rule in &plan.other_writers {
                    crate::fleet::other_writer(&mut w, &key, &req, rule);
                }
            }
            r
        }
        None if key == "unmatched" => Err(ApiError::not_found(format!(
            "No API at {} {}",
            req.method, req.path
        ))),
        None => Err(ApiError::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("{} is not allowed on {}", req.method, req.path),
        )),
    }
    .unwrap_or_else(|e| e.into_resp(&rid));
    record_secrets(&shared, &resp);

    if let Some(secs) = hold_after {
        hold(
            &shared,
            &rid,
            &req,
            &key,
            started,
            Duration::from_secs(secs),
        )
        .await;
    }
    if reset_after {
        shared.finish(&rid, &req, &key, "reset", started);
        ctl.kill.notify_one();
        return std::future::pending().await;
    }
    shared.finish(&rid, &req, &key, &resp.status.to_string(), started);
    Ok(to_hyper(resp, &rid))
}
