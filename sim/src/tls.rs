//! TLS material: a self-signed CA and a server certificate it signs (SAN 127.0.0.1, ::1,
//! localhost and the listen address). Kept in the state directory and reused on restart, so
//! clients that trusted `ca.pem` keep working; generated when absent or unreadable.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub const CA_FILE: &str = "ca.pem";
const CERT_FILE: &str = "server.pem";
const KEY_FILE: &str = "server-key.pem";

pub struct Material {
    pub cert_pem: String,
    pub key_pem: String,
}

fn generate(extra_san: Option<String>) -> Result<(String, Material), String> {
    let e = |x: rcgen::Error| format!("certificate generation failed: {x}");
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "vcf-sim test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut sans = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Some(s) = extra_san
        && !sans.contains(&s)
    {
        sans.push(s);
    }
    let key = KeyPair::generate().map_err(e)?;
    let mut params = CertificateParams::new(sans).map_err(e)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "vcf-sim");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = params.signed_by(&key, &issuer).map_err(e)?;
    Ok((
        ca_cert.pem(),
        Material {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        },
    ))
}

/// Load or create the TLS material in `dir`; returns the server config.
pub fn setup(dir: &Path, extra_san: Option<String>) -> Result<Arc<rustls::ServerConfig>, String> {
    let (ca_p, cert_p, key_p) = (dir.join(CA_FILE), dir.join(CERT_FILE), dir.join(KEY_FILE));
    let existing = match (
        std::fs::read_to_string(&ca_p),
        std::fs::read_to_string(&cert_p),
        std::fs::read_to_string(&key_p),
    ) {
        (Ok(_), Ok(c), Ok(k)) => Some(Material {
            cert_pem: c,
            key_pem: k,
        }),
        _ => None,
    };
    let material = match existing.and_then(|m| config(&m).ok().map(|c| (m, c))) {
        Some((_, cfg)) => return Ok(cfg),
        None => {
            let (ca_pem, m) = generate(extra_san)?;
            let w = |p: &Path, s: &str| {
                std::fs::write(p, s).map_err(|e| format!("cannot write {}: {e}", p.display()))
            };
            w(&ca_p, &ca_pem)?;
            w(&cert_p, &m.cert_pem)?;
            w(&key_p, &m.key_pem)?;
            m
        }
    };
    config(&material)
}

fn config(m: &Material) -> Result<Arc<rustls::ServerConfig>, String> {
    let cert = CertificateDer::from_pem_slice(m.cert_pem.as_bytes())
        .map_err(|e| format!("bad server certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(m.key_pem.as_bytes())
        .map_err(|e| format!("bad server key: {e}"))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}
