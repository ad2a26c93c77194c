//! TLS trust: the certificates of `ca_file` / `ca_pem` as trust anchors and as pinned
//! server certificates.

/// The TLS client configuration when `ca_file` / `ca_pem` give certificates: the system trust
/// store plus those certificates as trust anchors (as reqwest builds it), and — as `curl
/// --cacert` does — each of those exact certificates trusted as the server's own even where
/// WebPKI refuses it: a self-signed CA:TRUE certificate serving as the end entity
/// (`CaUsedAsEndEntity`), or the server's leaf given instead of its CA (`UnknownIssuer`). The
/// host name and the validity dates of such a certificate are still checked.
pub(super) fn pinned_tls_config(pem: &[u8]) -> Result<rustls::ClientConfig, String> {
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
pub(super) fn validity(der: &[u8]) -> Option<(i64, i64)> {
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
