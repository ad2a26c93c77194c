//! Unit tests of the HTTP client.

use reqwest::{Method, Url};

use super::tls::validity;
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
