//! AutoMTLS as go-plugin does it: Terraform passes its own self-signed client certificate in
//! `PLUGIN_CLIENT_CERT`; the plugin generates an ephemeral self-signed server certificate,
//! announces it in the handshake line, and accepts only connections that present exactly
//! Terraform's certificate.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};

/// The server side of AutoMTLS: the rustls configuration and the certificate to announce.
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    /// DER of the server certificate, for the handshake line.
    pub cert_der: Vec<u8>,
}

/// Builds the TLS configuration from the PEM that Terraform put in `PLUGIN_CLIENT_CERT`;
/// `organization` goes into the server certificate's subject (the plugin's binary name).
pub fn server_tls(client_cert_pem: &str, organization: &str) -> Result<ServerTls, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let pinned: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(client_cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))?;
    if pinned.is_empty() {
        return Err("PLUGIN_CLIENT_CERT holds no certificate".into());
    }
    let (cert_der, key_der) = generate_server_cert(organization)?;
    let verifier = Arc::new(PinnedClientCert {
        pinned,
        algs: provider.signature_verification_algorithms,
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key_der)
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    // gRPC clients insist on HTTP/2 being negotiated through ALPN.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerTls {
        config: Arc::new(config),
        cert_der,
    })
}

/// A fresh self-signed certificate for `localhost`, shaped like go-plugin's own: usable as its
/// own CA (the client trusts exactly this certificate), for server and client authentication.
pub fn generate_server_cert(
    organization: &str,
) -> Result<(Vec<u8>, PrivateKeyDer<'static>), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose as Eku, IsCa, KeyPair,
        KeyUsagePurpose as Ku,
    };
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| format!("key generation failed: {e}"))?;
    let mut params =
        CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, organization);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        Ku::DigitalSignature,
        Ku::KeyEncipherment,
        Ku::KeyAgreement,
        Ku::KeyCertSign,
    ];
    params.extended_key_usages = vec![Eku::ServerAuth, Eku::ClientAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365);
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("certificate generation failed: {e}"))?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().to_vec(), key_der))
}

/// Accepts exactly the client certificate(s) Terraform announced, byte for byte, and checks
/// that the peer holds the matching private key (the handshake signature).
///
/// Terraform's certificate is self-signed and marked as a CA, which path-building verifiers
/// refuse as an end-entity certificate; pinning is both what go-plugin means and stricter.
#[derive(Debug)]
struct PinnedClientCert {
    pinned: Vec<CertificateDer<'static>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: the client then offers its one certificate.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "terraform-provider-test";

    #[test]
    fn rejects_a_missing_or_malformed_client_certificate() {
        assert!(server_tls("", ORG).is_err());
        assert!(
            server_tls(
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
                ORG
            )
            .is_err()
        );
    }

    #[test]
    fn accepts_a_generated_client_certificate() {
        let (der, _) = generate_server_cert(ORG).unwrap();
        let pem = CertificateDer::from(der);
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pem.as_ref())
        );
        let tls = server_tls(&pem, ORG).unwrap();
        assert_eq!(tls.config.alpn_protocols, vec![b"h2".to_vec()]);
        assert!(!tls.cert_der.is_empty());
    }
}
