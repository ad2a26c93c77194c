//! The go-plugin transport that Terraform expects from a provider binary: magic cookie check,
//! protocol version negotiation, a listener (unix socket, or TCP loopback), AutoMTLS, the
//! handshake line on stdout, and the side services (health, controller, stdio). Also the
//! `-debug` mode that serves without Terraform and prints `TF_REATTACH_PROVIDERS`.

mod listener;
mod names;
mod services;
pub mod tls;

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use crate::framework::Provider;
use crate::framework::rpc::ProviderService;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use listener::Listener;
pub use names::Names;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// Terraform and the Go SDKs allow messages up to 256 MiB.
const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How the process was asked to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Started by Terraform (cookie present).
    Managed,
    /// `-debug`: serve without TLS and print the reattach configuration.
    Debug,
}

/// Entry point for the provider binary. Returns the process exit code.
pub fn run<P: Provider>(provider: P, provider_address: &str, args: &[String]) -> i32 {
    let names = Names::of(provider.type_name());
    let debug = args.iter().any(|a| a == "-debug" || a == "--debug");
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "{}\n\nFlags:\n  -debug   serve without Terraform and print TF_REATTACH_PROVIDERS\n  -version print the version",
            names.not_a_program()
        );
        return 0;
    }
    if args.iter().any(|a| a == "-version" || a == "--version") {
        println!("{} {}", names.binary, env!("CARGO_PKG_VERSION"));
        return 0;
    }
    let mode = if debug { Mode::Debug } else { Mode::Managed };
    if mode == Mode::Managed {
        if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
            eprintln!("{}", names.not_a_program());
            return 1;
        }
        if let Err(msg) = negotiate_version(
            &names.binary,
            std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref(),
        ) {
            eprintln!("{msg}");
            return 1;
        }
    }
    crate::logging::init(&names.log_env, names.provider);
    // One thread: the provider waits on Terraform and on HTTP and spends microseconds of CPU per
    // request, so worker threads only add start-up, cross-thread wake-ups and teardown. Against
    // the multi-thread runtime this cut the CPU of a plan of 1 000 resources by 29% and of a
    // validate by 19% (BENCHMARKS.md). Blocking work (DNS lookups) still goes to tokio's
    // blocking pool, and nothing in the provider blocks the thread otherwise.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}: cannot start the async runtime: {e}", names.binary);
            return 1;
        }
    };
    let result = runtime.block_on(serve(provider, &names, provider_address, mode));
    // Do not wait for lingering tasks (open HTTP connections) once serving is over.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}: {e}", names.binary);
            1
        }
    }
}

/// Picks the protocol version from Terraform's offer (a comma list such as `5,6`); `binary`
/// names the provider in the refusal.
pub fn negotiate_version(binary: &str, offer: Option<&str>) -> Result<u32, String> {
    let Some(offer) = offer.filter(|o| !o.trim().is_empty()) else {
        // go-plugin clients that predate negotiation expect the server's version.
        return Ok(PROTOCOL_VERSION);
    };
    let offered: Vec<&str> = offer.split(',').map(str::trim).collect();
    if offered
        .iter()
        .any(|v| v.parse::<u32>().ok() == Some(PROTOCOL_VERSION))
    {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(format!(
            "{binary} speaks plugin protocol {PROTOCOL_VERSION} (Terraform 1.0 or later), \
             but this Terraform offers only {offer:?}. Upgrade Terraform."
        ))
    }
}

/// An accepted connection: unix or TCP, plain or TLS. While it lives it counts as one of
/// Terraform's connections ([`Connections`]).
pub(crate) struct Conn {
    io: Pin<Box<dyn Io>>,
    _counted: ClientGuard,
}

/// The gRPC connections the server holds; `gone` resolves once the last one closed after at
/// least one was served (Terraform's plugin client went away).
#[derive(Clone)]
struct Connections(Arc<watch::Sender<(u64, u64)>>);

/// One counted connection; uncounts it when dropped.
struct ClientGuard(Connections);

impl Connections {
    fn new() -> Connections {
        Connections(Arc::new(watch::Sender::new((0, 0))))
    }

    fn enter(&self) -> ClientGuard {
        self.0.send_modify(|(open, ever)| {
            *open += 1;
            *ever += 1;
        });
        ClientGuard(self.clone())
    }

    /// Resolves when connections were served and none is left.
    async fn gone(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|(open, ever)| *ever > 0 && *open == 0).await;
    }
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        (self.0)
            .0
            .send_modify(|(open, _)| *open = open.saturating_sub(1));
    }
}

trait Io: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> Io for T {}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.io.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.io.as_mut().poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.io.as_mut().poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.io.as_mut().poll_shutdown(cx)
    }
}

/// Accepts connections and, with TLS, completes each handshake off the accept loop; only
/// connections that pass go to the gRPC server, and only those count in `clients`.
fn spawn_acceptor(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    clients: Connections,
) -> ReceiverStream<std::io::Result<Conn>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted: std::io::Result<Pin<Box<dyn Io>>> = match &listener {
                Listener::Unix(l, _) => l
                    .accept()
                    .await
                    .map(|(s, _)| Box::pin(s) as Pin<Box<dyn Io>>),
                Listener::Tcp(l) => l.accept().await.map(|(s, _)| {
                    let _ = s.set_nodelay(true);
                    Box::pin(s) as Pin<Box<dyn Io>>
                }),
            };
            let stream = match accepted {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            };
            let tx = tx.clone();
            match &tls {
                None => {
                    if tx
                        .send(Ok(Conn {
                            io: stream,
                            _counted: clients.enter(),
                        }))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    let clients = clients.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(tls_stream)) => {
                                let conn = Conn {
                                    io: Box::pin(tls_stream),
                                    _counted: clients.enter(),
                                };
                                let _ = tx.send(Ok(conn)).await;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!(error = %e, "refused a connection that failed mutual TLS")
                            }
                            Err(_) => tracing::warn!(
                                "refused a connection that did not finish the TLS handshake"
                            ),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

async fn serve<P: Provider>(
    provider: P,
    names: &Names,
    provider_address: &str,
    mode: Mode,
) -> Result<(), String> {
    // Read before the handshake: the process that started this one may die right after it.
    let parent = std::os::unix::process::parent_id();
    let client_cert = std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    let tls = match (&mode, client_cert) {
        (Mode::Managed, Some(pem)) => {
            let started = std::time::Instant::now();
            let tls = tls::server_tls(&pem, &names.binary)?;
            tracing::debug!(
                duration_us = started.elapsed().as_micros() as u64,
                "AutoMTLS certificate ready"
            );
            Some(tls)
        }
        _ => None,
    };
    let listener = Listener::bind(&names.network_env)?;
    let (network, address) = listener.network_and_address();
    let socket_path = match &listener {
        Listener::Unix(_, p) => Some(p.clone()),
        Listener::Tcp(_) => None,
    };

    let (shutdown, _) = watch::channel(false);
    let shutdown = Arc::new(shutdown);
    let stdio = services::Stdio {
        shutdown: shutdown.subscribe(),
    };
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let service = Arc::new(ProviderService::new(provider));
    let provider_service = ProviderServer::from_arc(service.clone())
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let controller = GrpcControllerServer::new(services::Controller {
        shutdown: shutdown.clone(),
    });
    let stdio_service = GrpcStdioServer::new(stdio.clone());

    let clients = Connections::new();
    let incoming = spawn_acceptor(
        listener,
        tls.as_ref()
            .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone())),
        clients.clone(),
    );
    let mut server_shutdown = shutdown.subscribe();
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(health_service)
            .add_service(controller)
            .add_service(stdio_service)
            .add_service(provider_service)
            .serve_with_incoming_shutdown(incoming, async move {
                let _ = server_shutdown.wait_for(|stop| *stop).await;
            }),
    );

    // Signal handlers exist before Terraform learns the address, so no signal finds the
    // process with the default (terminating) disposition.
    let signals = Signals::install();
    announce(
        &mode,
        network,
        &address,
        tls.as_ref().map(|t| t.cert_der.as_slice()),
        provider_address,
    )?;
    tracing::info!(network, address = %address, tls = tls.is_some(), "serving");

    wait_for_shutdown(&mode, parent, signals, shutdown.subscribe(), &clients).await;
    // Work still in flight ends at once (each request with a "cancelled" error), so that the
    // RPCs answer and the sessions can be ended within Terraform's grace period.
    service.stop();
    shutdown.send_replace(true);
    // In-flight RPCs get a moment to finish, then the provider ends its API sessions; Terraform
    // kills the process 2 s after Shutdown.
    match tokio::time::timeout(Duration::from_millis(1000), server).await {
        Ok(Ok(Err(e))) => tracing::warn!(error = %e, "server ended with an error"),
        Err(_) => tracing::warn!("in-flight requests did not finish; stopping anyway"),
        _ => {}
    }
    if tokio::time::timeout(Duration::from_millis(700), service.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("ending API sessions took too long; stopping anyway");
    }
    if let Some(p) = socket_path {
        let _ = std::fs::remove_file(p);
    }
    tracing::info!("stopped");
    Ok(())
}

/// Prints the handshake line (managed) or the reattach instructions (debug).
fn announce(
    mode: &Mode,
    network: &str,
    address: &str,
    cert: Option<&[u8]>,
    provider_address: &str,
) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let text = match mode {
        Mode::Managed => {
            let cert = cert
                .map(|c| base64::engine::general_purpose::STANDARD_NO_PAD.encode(c))
                .unwrap_or_default();
            format!("1|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}\n")
        }
        Mode::Debug => {
            let reattach = serde_json::json!({
                provider_address: {
                    "Protocol": "grpc",
                    "ProtocolVersion": PROTOCOL_VERSION,
                    "Pid": std::process::id(),
                    "Test": true,
                    "Addr": { "Network": network, "String": address },
                }
            });
            format!(
                "Provider started. To attach Terraform, set TF_REATTACH_PROVIDERS in the shell that runs it:\n\n\
                 \tTF_REATTACH_PROVIDERS='{reattach}'\n\nStop the provider with Ctrl-C.\n"
            )
        }
    };
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write the handshake: {e}"))
}

struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals {
            term: signal(SignalKind::terminate()).ok(),
            int: signal(SignalKind::interrupt()).ok(),
        }
    }
}

async fn next_signal(s: &mut Option<tokio::signal::unix::Signal>) {
    match s {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// How often a managed provider checks that the Terraform process that started it still lives.
const PARENT_CHECK: Duration = Duration::from_millis(500);

/// Resolves when the process that started this one is gone: a SIGKILLed Terraform cannot send
/// Shutdown, and its orphaned provider would otherwise keep its API sessions (and itself) alive.
/// An orphan is re-parented, so its parent id changes from `parent` (read at startup, before
/// the handshake). Pending forever in debug mode (the user stops it) and when the parent was
/// already init (nothing to outlive).
async fn parent_gone(mode: &Mode, parent: u32) {
    if *mode == Mode::Debug || parent <= 1 {
        return std::future::pending().await;
    }
    let mut tick = tokio::time::interval(PARENT_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if std::os::unix::process::parent_id() != parent {
            tracing::warn!(
                parent,
                "the Terraform process that started the provider is gone; stopping"
            );
            return;
        }
    }
}

/// Resolves when Terraform's plugin client went away: it connected, and its connection
/// closed without a Shutdown (a Terraform that crashed or was killed, whose process may still
/// be a zombie or whose pid the provider cannot watch). Pending forever in debug mode, where
/// every Terraform command connects and disconnects.
async fn client_gone(mode: &Mode, clients: &Connections) {
    if *mode == Mode::Debug {
        return std::future::pending().await;
    }
    clients.gone().await;
    tracing::warn!("Terraform closed its connection without stopping the provider; stopping");
}

/// Waits for the controller's Shutdown RPC, SIGTERM, SIGINT, the end of the Terraform process
/// that started the provider, or the end of its connection. Under Terraform the first SIGINT
/// (Ctrl-C reaches the whole process group) is left to Terraform, which stops providers
/// through StopProvider and Shutdown once in-flight work is saved; a second SIGINT ends the
/// process. In debug mode the first SIGINT ends it.
async fn wait_for_shutdown(
    mode: &Mode,
    parent: u32,
    mut signals: Signals,
    mut shutdown: watch::Receiver<bool>,
    clients: &Connections,
) {
    let mut interrupts = 0;
    let orphaned = parent_gone(mode, parent);
    tokio::pin!(orphaned);
    let disconnected = client_gone(mode, clients);
    tokio::pin!(disconnected);
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            _ = next_signal(&mut signals.term) => return,
            _ = &mut orphaned => return,
            _ = &mut disconnected => return,
            _ = next_signal(&mut signals.int) => {
                interrupts += 1;
                if *mode == Mode::Debug || interrupts >= 2 {
                    return;
                }
                tracing::info!("interrupt received; waiting for Terraform to stop the provider");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_negotiation() {
        let n = |offer| negotiate_version("terraform-provider-test", offer);
        assert_eq!(n(Some("5,6")), Ok(6));
        assert_eq!(n(Some("6")), Ok(6));
        assert_eq!(n(Some(" 6 , 5")), Ok(6));
        assert_eq!(n(None), Ok(6));
        let err = n(Some("4,5")).unwrap_err();
        assert!(
            err.starts_with("terraform-provider-test speaks plugin protocol 6"),
            "{err}"
        );
    }
}
