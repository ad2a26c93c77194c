//! One attempt of a request: the exchange with the server (with the limit on the size of the
//! answer) and the translation of a transport failure into an error that says what to check.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::cancel::secs;
use super::{Attempt, HttpClient, MAX_RESPONSE_BYTES, Request, Response, Retry};
use crate::client::error::{ApiError, ErrorKind};

impl HttpClient {
    pub(super) async fn exchange(&self, req: &Request, auth: Option<&HeaderValue>) -> Attempt {
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
    pub(super) fn failure(&self, e: &reqwest::Error, req: &Request) -> Attempt {
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

/// No complete answer within the request's time budget: the request may have been applied.
/// `configured` is request_timeout, which bounds all attempts of a request together.
pub(super) fn timed_out(req: &Request, configured: Duration) -> Attempt {
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
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
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
