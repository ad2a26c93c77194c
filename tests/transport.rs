//! The go-plugin transport, tested as Terraform's plugin client sees it: the binary started
//! with the magic cookie, the handshake line, AutoMTLS (the pinned client certificate is
//! required; plaintext and other certificates are refused), health, controller shutdown,
//! signals, debug mode, and RPC routing that answers bad input with diagnostics.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use terraform_provider_vcf::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_vcf::proto::tfplugin6 as pb;
use terraform_provider_vcf::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_vcf::server::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};

/// A client certificate shaped like the one Terraform generates (self-signed, a CA, P-256 here).
struct ClientCert {
    pem: String,
    der: Vec<u8>,
    key: Vec<u8>,
}

fn client_cert() -> ClientCert {
    let (der, key) =
        terraform_provider_vcf::server::tls::generate_server_cert("terraform-provider-vcf")
            .expect("cert");
    let PrivateKeyDer::Pkcs8(key) = key else {
        panic!("pkcs8 key expected")
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let body: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        body.join("\n")
    );
    ClientCert {
        pem,
        der,
        key: key.secret_pkcs8_der().to_vec(),
    }
}

/// The provider binary as Terraform starts it: with the magic cookie and no client certificate.
fn provider_command() -> Command {
    let mut cmd = Command::new(common::provider_bin());
    cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env_remove("PLUGIN_CLIENT_CERT");
    cmd
}

/// Reads the handshake line from the child's stdout (and closes that pipe).
fn read_handshake(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("handshake line");
    line
}

/// Sends `sig` (`-TERM`, `-INT`, …) to process `pid` and asserts that `kill` succeeded.
fn send_signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill {sig} {pid}");
}

/// Polls the child until it exits, for at most `limit`: its exit code, or `Err` (after killing
/// it) when it still ran.
fn exit_code_within(child: &mut Child, limit: Duration) -> Result<Option<i32>, ()> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Ok(status.code());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Plugin {
    child: Child,
    network: String,
    address: String,
    server_cert: Vec<u8>,
}

impl Plugin {
    fn start(client_cert_pem: Option<&str>) -> Plugin {
        let mut cmd = provider_command();
        cmd.env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(pem) = client_cert_pem {
            cmd.env("PLUGIN_CLIENT_CERT", pem);
        }
        let mut child = cmd.spawn().expect("provider starts");
        let line = read_handshake(&mut child);
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?}");
        assert_eq!(&parts[..2], &["1", "6"]);
        assert_eq!(parts[4], "grpc");
        let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("unpadded base64 DER");
        Plugin {
            child,
            network: parts[2].to_string(),
            address: parts[3].to_string(),
            server_cert,
        }
    }

    /// Waits (bounded) for the process to exit and returns its exit code.
    fn wait_exit(&mut self) -> Option<i32> {
        exit_code_within(&mut self.child, Duration::from_secs(10)).unwrap_or(None)
    }

    fn signal(&self, sig: &str) {
        send_signal(self.child.id(), sig);
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer(Vec<u8>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, &algs)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, &algs)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn tls_connector(server_cert: &[u8], client: Option<&ClientCert>) -> tokio_rustls::TlsConnector {
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert.to_vec())));
    let mut config = match client {
        Some(c) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(c.der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(c.key.clone())),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn channel(
    address: &str,
    tls: Option<tokio_rustls::TlsConnector>,
) -> Result<Channel, tonic::transport::Error> {
    let path = PathBuf::from(address);
    Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let path = path.clone();
            let tls = tls.clone();
            async move {
                let stream = UnixStream::connect(path).await?;
                match tls {
                    None => {
                        Ok::<_, std::io::Error>(TokioIo::new(Box::new(stream) as Box<dyn IoStream>))
                    }
                    Some(tls) => {
                        let s = tls
                            .connect(ServerName::try_from("localhost").unwrap(), stream)
                            .await?;
                        Ok(TokioIo::new(Box::new(s) as Box<dyn IoStream>))
                    }
                }
            }
        }))
        .await
}

/// Does the plugin serve HTTP/2 over TLS to a client presenting `client` (or no certificate)?
/// A refused handshake counts as not served.
async fn tls_is_served(plugin: &Plugin, client: Option<&ClientCert>) -> bool {
    let conn = tls_connector(&plugin.server_cert, client)
        .connect(
            ServerName::try_from("localhost").unwrap(),
            UnixStream::connect(&plugin.address).await.unwrap(),
        )
        .await;
    match conn {
        Ok(conn) => speaks_http2(conn).await,
        Err(_) => false,
    }
}

trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> IoStream for T {}

async fn health(ch: Channel) -> Result<i32, tonic::Status> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(ch);
    let resp = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    Ok(resp.into_inner().status)
}

/// True when the server answers an HTTP/2 preface over this stream with anything but a
/// refusal (a TLS alert or a closed connection).
async fn speaks_http2<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut s: S) -> bool {
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";
    if s.write_all(preface).await.is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await {
        Ok(Ok(n)) if n >= 9 => buf[3] == 0x04, // an HTTP/2 SETTINGS frame came back
        _ => false,
    }
}

#[test]
fn run_by_hand_it_explains_itself() {
    let out = Command::new(common::provider_bin())
        .env_remove(MAGIC_COOKIE_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("plugin for Terraform") && err.contains("-debug"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn refuses_terraform_without_protocol_6() {
    let out = Command::new(common::provider_bin())
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automtls_requires_terraforms_certificate() {
    let terraform = client_cert();
    let mut plugin = Plugin::start(Some(&terraform.pem));
    assert_eq!(plugin.network, "unix");

    // Plaintext HTTP/2 is refused.
    let plain = UnixStream::connect(&plugin.address).await.unwrap();
    assert!(
        !speaks_http2(plain).await,
        "plaintext connection was served"
    );
    assert!(
        health(channel(&plugin.address, None).await.unwrap())
            .await
            .is_err()
    );

    // TLS without a client certificate is refused.
    assert!(
        !tls_is_served(&plugin, None).await,
        "TLS connection without a client certificate was served"
    );

    // TLS with some other certificate is refused.
    let stranger = client_cert();
    assert!(
        !tls_is_served(&plugin, Some(&stranger)).await,
        "TLS connection with a foreign certificate was served"
    );

    // Terraform's own certificate is served: health says SERVING, the schema comes back.
    let ch = channel(
        &plugin.address,
        Some(tls_connector(&plugin.server_cert, Some(&terraform))),
    )
    .await
    .unwrap();
    assert_eq!(
        health(ch.clone()).await.unwrap(),
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    let schema = ProviderClient::new(ch.clone())
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let provider = schema.provider.unwrap().block.unwrap();
    assert!(
        provider
            .block_types
            .iter()
            .any(|b| b.type_name == "operations")
    );
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);

    // The controller's Shutdown ends the process cleanly and removes the socket.
    GrpcControllerClient::new(ch)
        .shutdown(terraform_provider_vcf::proto::plugin::Empty {})
        .await
        .unwrap();
    assert_eq!(plugin.wait_exit(), Some(0));
    assert!(
        !PathBuf::from(&plugin.address).exists(),
        "socket left behind"
    );
}

/// A resource, data source, action and state store type the provider does not have.
const UNKNOWN_TYPE: &str = "vcf_nothing";

/// Does any of the diagnostics have the severity error?
fn has_error(diagnostics: &[pb::Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == pb::diagnostic::Severity::Error as i32)
}

/// Calls RPC `$rpc` of `$client` with a `pb::$module::Request` (`$module` is the RPC's name
/// unless given) whose `$field` (`type_name` unless given) names [`UNKNOWN_TYPE`], and asserts
/// that the answer carries an error diagnostic.
macro_rules! assert_unknown_type_refused {
    ($client:ident, $rpc:ident) => {
        assert_unknown_type_refused!(@call $client, $rpc, $rpc, type_name)
    };
    ($client:ident, $rpc:ident, module = $module:ident) => {
        assert_unknown_type_refused!(@call $client, $rpc, $module, type_name)
    };
    ($client:ident, $rpc:ident, field = $field:ident) => {
        assert_unknown_type_refused!(@call $client, $rpc, $rpc, $field)
    };
    (@call $client:ident, $rpc:ident, $module:ident, $field:ident) => {{
        let r = $client
            .$rpc(pb::$module::Request {
                $field: UNKNOWN_TYPE.into(),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            has_error(&r.get_ref().diagnostics),
            "{}: no error diagnostic in {:?}",
            stringify!($rpc),
            r.get_ref().diagnostics
        );
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_answers_unknown_types_and_bad_values_with_diagnostics() {
    let plugin = Plugin::start(None);
    let mut c = ProviderClient::new(channel(&plugin.address, None).await.unwrap());
    let bad = |bytes: Vec<u8>| {
        Some(pb::DynamicValue {
            msgpack: bytes,
            json: vec![],
        })
    };

    assert_unknown_type_refused!(c, validate_resource_config);
    assert_unknown_type_refused!(c, validate_data_resource_config);
    assert_unknown_type_refused!(c, validate_ephemeral_resource_config);
    assert_unknown_type_refused!(c, upgrade_resource_state);
    assert_unknown_type_refused!(c, read_resource);
    assert_unknown_type_refused!(c, plan_resource_change);
    assert_unknown_type_refused!(c, apply_resource_change);
    let r = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: UNKNOWN_TYPE.into(),
            id: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(has_error(&r.get_ref().diagnostics));
    assert_unknown_type_refused!(c, move_resource_state, field = target_type_name);
    assert_unknown_type_refused!(c, read_data_source);
    assert_unknown_type_refused!(c, generate_resource_config);
    assert_unknown_type_refused!(c, open_ephemeral_resource);
    assert_unknown_type_refused!(c, renew_ephemeral_resource);
    assert_unknown_type_refused!(c, close_ephemeral_resource);
    assert_unknown_type_refused!(c, validate_list_resource_config);
    let mut events = c
        .list_resource(pb::list_resource::Request {
            type_name: UNKNOWN_TYPE.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = events.message().await.unwrap().expect("one event");
    assert!(has_error(&first.diagnostic));
    let r = c
        .call_function(pb::call_function::Request {
            name: "nothing".into(),
            arguments: vec![],
        })
        .await
        .unwrap();
    assert!(r.get_ref().error.is_some());
    assert!(
        c.get_functions(pb::get_functions::Request {})
            .await
            .unwrap()
            .get_ref()
            .functions
            .is_empty()
    );
    let r = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap();
    assert!(r.get_ref().diagnostics.is_empty());
    assert_unknown_type_refused!(c, upgrade_resource_identity);
    assert_unknown_type_refused!(
        c,
        validate_state_store_config,
        module = validate_state_store
    );
    assert_unknown_type_refused!(c, configure_state_store);
    let mut chunks = c
        .read_state_bytes(pb::read_state_bytes::Request {
            type_name: UNKNOWN_TYPE.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(has_error(
        &chunks.message().await.unwrap().unwrap().diagnostics
    ));
    let r = c
        .write_state_bytes(tokio_stream::iter(vec![
            pb::write_state_bytes::RequestChunk::default(),
        ]))
        .await
        .unwrap();
    assert!(has_error(&r.get_ref().diagnostics));
    assert_unknown_type_refused!(c, lock_state);
    assert_unknown_type_refused!(c, unlock_state);
    let r = c
        .get_states(pb::get_states::Request {
            type_name: UNKNOWN_TYPE.into(),
        })
        .await
        .unwrap();
    assert!(has_error(&r.get_ref().diagnostics));
    assert_unknown_type_refused!(c, delete_state);
    assert_unknown_type_refused!(c, plan_action, field = action_type);
    let mut action = c
        .invoke_action(pb::invoke_action::Request {
            action_type: UNKNOWN_TYPE.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(action.message().await.unwrap().unwrap().r#type, Some(pb::invoke_action::event::Type::Completed(ref done)) if has_error(&done.diagnostics))
    );
    assert_unknown_type_refused!(c, validate_action_config);
    let meta = c
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(meta.server_capabilities.unwrap().plan_destroy);
    c.stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();

    // Malformed provider configurations: truncated, wrong type, absurd nesting.
    let mut deep: Vec<u8> = std::iter::repeat_n(0x91u8, 10_000).collect();
    deep.push(0xc0);
    for bytes in [
        vec![0x85, 0xa1],
        vec![0xc3],
        deep,
        vec![0xdf, 0xff, 0xff, 0xff, 0xff],
    ] {
        let r = c
            .validate_provider_config(pb::validate_provider_config::Request {
                config: bad(bytes.clone()),
            })
            .await
            .unwrap();
        assert!(has_error(&r.get_ref().diagnostics), "{bytes:?}");
        let r = c
            .configure_provider(pb::configure_provider::Request {
                config: bad(bytes),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(has_error(&r.get_ref().diagnostics));
    }
    let r = c
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(pb::DynamicValue {
                msgpack: vec![],
                json: b"{\"ca_pem\": [".to_vec(),
            }),
        })
        .await
        .unwrap();
    assert!(has_error(&r.get_ref().diagnostics));
    // The server is still healthy after all of that.
    assert!(c.get_metadata(pb::get_metadata::Request {}).await.is_ok());
}

#[test]
fn sigterm_stops_cleanly() {
    let mut plugin = Plugin::start(None);
    plugin.signal("-TERM");
    assert_eq!(plugin.wait_exit(), Some(0));
    assert!(
        !PathBuf::from(&plugin.address).exists(),
        "socket left behind"
    );
}

/// Is process `pid` still running (present and not a zombie)?
fn running(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn a_provider_whose_terraform_was_killed_stops_and_cleans_up() {
    // A shell stands in for Terraform: it starts the provider, says the provider's pid, and
    // is then SIGKILLed, so no Shutdown RPC and no signal ever reach the provider.
    let mut parent = Command::new("sh")
        .args(["-c", "\"$0\" & echo \"pid $!\"; wait"])
        .arg(common::provider_bin())
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env_remove("PLUGIN_CLIENT_CERT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts");
    let mut out = BufReader::new(parent.stdout.take().unwrap());
    let (mut pid, mut address) = (None, None);
    while pid.is_none() || address.is_none() {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "no pid or handshake");
        match line.trim_end().strip_prefix("pid ") {
            Some(p) => pid = Some(p.to_string()),
            None => address = line.split('|').nth(3).map(str::to_string),
        }
    }
    let (pid, address) = (pid.unwrap(), address.unwrap());
    assert!(running(&pid), "the provider runs before its parent dies");
    parent.kill().expect("SIGKILL the parent");
    parent.wait().expect("reap the parent");

    // Generous: the provider notices within a second, but a loaded CI machine may be slow.
    let deadline = Instant::now() + Duration::from_secs(60);
    while running(&pid) {
        if Instant::now() > deadline {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("the provider outlived the process that started it by 60 s; /proc stat: {stat}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !PathBuf::from(&address).exists(),
        "the provider did not take its orderly way out (socket left behind)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sigint_is_left_to_terraform_and_a_second_one_stops() {
    let mut child = provider_command()
        .env("TF_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let line = read_handshake(&mut child);
    let address = line.split('|').nth(3).unwrap().to_string();
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    send_signal(child.id(), "-INT");
    // Wait until the provider says it saw the interrupt, then prove it still serves.
    let mut seen = false;
    for _ in 0..20 {
        let mut l = String::new();
        if logs.read_line(&mut l).unwrap() == 0 {
            break;
        }
        if l.contains("interrupt received") {
            seen = true;
            break;
        }
    }
    assert!(seen, "the provider did not log the first interrupt");
    let ch = channel(&address, None).await.unwrap();
    assert!(
        health(ch).await.is_ok(),
        "provider stopped serving after one SIGINT"
    );
    send_signal(child.id(), "-INT");
    let code = exit_code_within(&mut child, Duration::from_secs(10))
        .unwrap_or_else(|()| panic!("provider did not stop on the second SIGINT"));
    assert_eq!(code, Some(0));
}

#[test]
fn debug_mode_prints_the_reattach_configuration() {
    let mut child = Command::new(common::provider_bin())
        .arg("-debug")
        .env_remove(MAGIC_COOKIE_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach: serde_json::Value =
        serde_json::from_str(&reattach.expect("reattach line")).unwrap();
    let entry = &reattach["local/vmware/vcf"];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], child.id());
    assert_eq!(entry["Addr"]["Network"], "unix");
    assert!(PathBuf::from(entry["Addr"]["String"].as_str().unwrap()).exists());
    send_signal(child.id(), "-INT");
    let code = exit_code_within(&mut child, Duration::from_secs(10))
        .unwrap_or_else(|()| panic!("debug server did not stop on SIGINT"));
    assert_eq!(code, Some(0));
    let mut rest = String::new();
    let _ = reader.read_to_string(&mut rest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_loopback_listener_serves_too() {
    let mut child = provider_command()
        .env("TF_PROVIDER_VCF_NETWORK", "tcp")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = read_handshake(&mut child);
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts[2], "tcp", "{line}");
    assert!(parts[3].starts_with("127.0.0.1:"), "{line}");
    let ch = Endpoint::try_from(format!("http://{}", parts[3]))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let meta = ProviderClient::new(ch)
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        meta.data_sources
            .iter()
            .any(|d| d.type_name == "vcf_sso_realms")
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Terraform's plugin client goes away without Shutdown (its connection closes, as when
/// Terraform crashes or a wrapper kills it while its pid lives on): the provider notices the
/// closed connection, stops the orderly way and ends its API sessions on the way out — the
/// VCF Operations session is released, the SDDC Manager refresh token invalidated and the
/// Cloud Director session logged out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_whose_client_went_away_stops_and_ends_its_sessions() {
    let sim = common::Sim::start();
    let ctl = common::Control::new(&sim);
    let r = &sim.ready;
    let s = |v: &serde_json::Value| v.as_str().expect("ready line field").to_string();
    let mut child = provider_command()
        .env("VCF_CA_FILE", sim.ca_file())
        .env("VCF_OPERATIONS_HOST", sim.host())
        .env("VCF_OPERATIONS_USERNAME", s(&r["operations"]["username"]))
        .env("VCF_OPERATIONS_PASSWORD", s(&r["operations"]["password"]))
        .env("VCF_SDDC_MANAGER_HOST", sim.host())
        .env(
            "VCF_SDDC_MANAGER_USERNAME",
            s(&r["sddc_manager"]["username"]),
        )
        .env(
            "VCF_SDDC_MANAGER_PASSWORD",
            s(&r["sddc_manager"]["password"]),
        )
        .env("VCF_DIRECTOR_HOST", sim.host())
        .env("VCF_DIRECTOR_ORG", s(&r["director"]["org"]))
        .env("VCF_DIRECTOR_USERNAME", s(&r["director"]["username"]))
        .env("VCF_DIRECTOR_PASSWORD", s(&r["director"]["password"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provider starts");
    let line = read_handshake(&mut child);
    let address = line.split('|').nth(3).expect("address").to_string();

    let ch = channel(&address, None).await.unwrap();
    let mut c = ProviderClient::new(ch);
    let empty = || {
        Some(pb::DynamicValue {
            msgpack: vec![],
            json: b"{}".to_vec(),
        })
    };
    let errors = |d: &[pb::Diagnostic]| {
        d.iter()
            .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect::<Vec<_>>()
    };
    let r = c
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: empty(),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    // One read per family, so that each has a session to end.
    for ds in [
        "vcf_sso_realms",
        "vcf_sddc_roles",
        "vcf_director_api_tokens",
    ] {
        let r = c
            .read_data_source(pb::read_data_source::Request {
                type_name: ds.into(),
                config: empty(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "{ds}: {:?}",
            r.diagnostics
        );
    }
    let release = "POST /suite-api/api/auth/token/release";
    let invalidate = "DELETE /v1/tokens/refresh-token";
    let logout = "DELETE /cloudapi/1.0.0/sessions/current";
    assert_eq!(ctl.count(release, None).await, 0);
    assert_eq!(ctl.count(invalidate, None).await, 0);
    assert_eq!(ctl.count(logout, None).await, 0);

    // The client goes: its connection closes, no Shutdown was sent, the test process (the
    // provider's parent) lives on.
    drop(c);
    // Generous: the provider stops at once, but a loaded CI machine may be slow.
    let code = tokio::task::block_in_place(|| {
        exit_code_within(&mut child, Duration::from_secs(60))
            .unwrap_or_else(|()| panic!("the provider outlived its client's connection by 60 s"))
    });
    assert_eq!(code, Some(0), "the provider did not stop the orderly way");
    assert!(
        !PathBuf::from(&address).exists(),
        "socket left behind: not the orderly way out"
    );
    assert_eq!(
        ctl.count(release, Some("200")).await,
        1,
        "VCF Operations session not released: {}",
        ctl.stats().await
    );
    assert_eq!(
        ctl.count(invalidate, Some("204")).await,
        1,
        "SDDC Manager refresh token not invalidated: {}",
        ctl.stats().await
    );
    assert_eq!(
        ctl.count(logout, Some("204")).await,
        1,
        "Cloud Director session not logged out: {}",
        ctl.stats().await
    );
}

/// The provider's own log variable, `TF_LOG_PROVIDER_VCF` (the server names it from the
/// provider's name), comes before `TF_LOG_PROVIDER`; events are hclog JSON lines on stderr whose
/// `@module` starts with the provider's name.
#[test]
fn the_providers_own_log_variable_comes_first() {
    let run = |vars: &[(&str, &str)]| -> String {
        let mut cmd = provider_command();
        cmd.env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PROVIDER_VCF")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("provider starts");
        read_handshake(&mut child);
        send_signal(child.id(), "-TERM");
        exit_code_within(&mut child, Duration::from_secs(10))
            .unwrap_or_else(|()| panic!("the provider did not stop on SIGTERM"));
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .expect("stderr");
        stderr
    };
    let logged = run(&[("TF_LOG_PROVIDER", "off"), ("TF_LOG_PROVIDER_VCF", "info")]);
    let serving = logged
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|j| j["@message"] == "serving")
        .unwrap_or_else(|| panic!("no \"serving\" event in {logged:?}"));
    assert_eq!(serving["@level"], "info");
    assert_eq!(serving["@module"], "vcf.server");
    let silent = run(&[("TF_LOG_PROVIDER", "info"), ("TF_LOG_PROVIDER_VCF", "off")]);
    assert!(!silent.contains("@module"), "{silent}");
}
