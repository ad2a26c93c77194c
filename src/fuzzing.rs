//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz/libFuzzer) and of the corpus replay
//! test (`tests/fuzz_corpus.rs`), which runs the committed corpora through the same functions
//! with plain `cargo test`. Each takes arbitrary bytes and must return without panicking,
//! whatever the bytes; a panic (or a hang, or unbounded memory under libFuzzer's limits) is a
//! finding. Not part of the provider's API: compiled only with the `fuzzing` feature (fuzz/ and
//! the corpus replay test turn it on), never into the shipped provider.
//!
//! - [`dynamic_value`]: `DynamicValue` decoding (msgpack and JSON) against every schema type of
//!   the provider and against dynamic types, the type JSON parser, and the re-encoding of what
//!   decoded (which must decode to the same value).
//! - [`server_json`]: the decoders of the answers of the three API families (fleet IAM, SDDC
//!   Manager, Director, and the token endpoints) and the conversion of what decoded to state.
//! - [`config_validation`]: the Validate*Config RPCs of the provider with configurations built
//!   from the bytes to fit each schema (so the validators see well-typed, hostile values) or
//!   raw msgpack.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::framework::codec::decode_dynamic;
use crate::framework::value::{Number, Type, Value};
use crate::framework::{Provider, json, msgpack};
use crate::proto::tfplugin6 as pb;
use crate::provider::VcfProvider;

/// Every schema type of the provider: the provider block, then resources, data sources and
/// ephemeral resources, each with its type name ("provider" for the provider block).
pub fn schema_types() -> &'static [(String, Kind, Type)] {
    static TYPES: OnceLock<Vec<(String, Kind, Type)>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let p = VcfProvider;
        let mut v = vec![(
            "provider".to_string(),
            Kind::Provider,
            p.schema().value_type(),
        )];
        for r in p.resources() {
            v.push((
                r.type_name().into(),
                Kind::Resource,
                r.schema().value_type(),
            ));
        }
        for d in p.data_sources() {
            v.push((
                d.type_name().into(),
                Kind::DataSource,
                d.schema().value_type(),
            ));
        }
        for e in p.ephemeral_resources() {
            v.push((
                e.type_name().into(),
                Kind::Ephemeral,
                e.schema().value_type(),
            ));
        }
        v
    })
}

/// What a schema belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Provider,
    Resource,
    DataSource,
    Ephemeral,
}

/// The type picked by a selector byte: a schema type, or the dynamic type.
fn pick_type(sel: u8) -> Type {
    let types = schema_types();
    let i = sel as usize % (types.len() + 1);
    types.get(i).map(|t| t.2.clone()).unwrap_or(Type::Dynamic)
}

/// Input: one selector byte (type, and codec in its top bit), then the encoded value.
pub fn dynamic_value(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ty = pick_type(sel & 0x7f);
    let decoded = if sel & 0x80 == 0 {
        msgpack::decode(body, &ty)
    } else {
        json::decode(body, &ty, json::Extra::Reject)
    };
    let _ = json::decode(body, &ty, json::Extra::Drop);
    let _ = Type::from_json_bytes(body);
    let dv = pb::DynamicValue {
        msgpack: body.to_vec(),
        json: Vec::new(),
    };
    let _ = decode_dynamic(Some(&dv), &ty);
    if let Ok(v) = decoded {
        // What decoded re-encodes, and the encoding decodes to the same value.
        let bytes = msgpack::encode(&v, &ty).expect("a decoded value encodes");
        let back = msgpack::decode(&bytes, &ty).expect("an encoded value decodes");
        assert_eq!(back, v, "msgpack round trip");
        if v.is_wholly_known() {
            let j = json::encode(&v, &ty).expect("a known value encodes as JSON");
            let back = json::decode(&j, &ty, json::Extra::Reject).expect("its JSON decodes");
            assert_eq!(back, v, "JSON round trip");
        }
    }
}

/// Reads bytes off the front of the input.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

/// Strings the validators care about: names, durations, dates, URLs, ids, PEM.
const WORDS: &[&str] = &[
    "",
    " ",
    "a",
    "SSO_REALM",
    "VCF_INSTANCE",
    "VCF_MANAGEMENT_COMPONENT",
    "replace",
    "regenerate",
    "vcf_admin",
    "168h",
    "14d",
    "-1h",
    "99999999999999999999h",
    "1h30m",
    "2099-01-01T00:00:00Z",
    "2024-02-30T25:61:61+99:99",
    "https://vcf.example.com",
    "https://127.0.0.1:1/acs/t/CUSTOMER/token",
    "http://[::1",
    "vcf.example.com:443",
    "host:99999",
    "rainpole",
    "System",
    "SERVICE",
    "USER",
    "ADMIN",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "d86a0d9d-f267-45fd-b966-ed8b30e59452",
    "../../etc/passwd",
    "\u{0}\u{7f}\u{fffd}é漢",
];

/// A value of type `ty` built from the input (null and unknown included), so that the
/// validators behind the decoder see well-typed values.
fn value_for(ty: &Type, b: &mut Bytes, depth: usize) -> Value {
    let tag = b.byte();
    if tag.is_multiple_of(16) {
        return Value::Null;
    }
    if tag % 16 == 1 {
        return Value::Unknown;
    }
    match ty {
        Type::Bool => Value::Bool(tag & 0x10 != 0),
        Type::Number => {
            let raw = b.take(8);
            let mut n = [0u8; 8];
            n[..raw.len()].copy_from_slice(raw);
            let i = i64::from_le_bytes(n);
            match tag % 4 {
                0 => Value::Number(Number::from(i % 1000)),
                1 => Value::Number(Number::from(i)),
                2 => Number::from_f64(f64::from_le_bytes(n))
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                _ => format!("{}e{}", i % 100_000, tag as i8)
                    .parse::<Number>()
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
            }
        }
        Type::String => {
            if tag & 0x20 == 0 {
                Value::string(WORDS[b.byte() as usize % WORDS.len()])
            } else {
                let n = b.byte() as usize;
                Value::string(String::from_utf8_lossy(b.take(n)).into_owned())
            }
        }
        Type::Dynamic => {
            let inner = [
                Type::String,
                Type::Number,
                Type::Bool,
                Type::list(Type::String),
            ][(tag as usize >> 4) % 4]
                .clone();
            value_for(&inner, b, depth + 1)
        }
        Type::List(e) | Type::Set(e) => {
            let n = if depth > 6 { 0 } else { (tag >> 5) as usize };
            let items: Vec<Value> = (0..n).map(|_| value_for(e, b, depth + 1)).collect();
            if matches!(ty, Type::List(_)) {
                Value::List(items)
            } else {
                // A set holds no duplicates.
                let mut uniq: Vec<Value> = Vec::new();
                for i in items {
                    if !uniq.contains(&i) {
                        uniq.push(i);
                    }
                }
                Value::Set(uniq)
            }
        }
        Type::Map(e) => {
            let n = if depth > 6 { 0 } else { (tag >> 5) as usize };
            let mut m = BTreeMap::new();
            for _ in 0..n {
                let k = WORDS[b.byte() as usize % WORDS.len()].to_string();
                m.insert(k, value_for(e, b, depth + 1));
            }
            Value::Map(m)
        }
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), value_for(t, b, depth + 1)))
                .collect(),
        ),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| value_for(t, b, depth + 1)).collect()),
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn service() -> &'static crate::framework::rpc::ProviderService<VcfProvider> {
    static SVC: OnceLock<crate::framework::rpc::ProviderService<VcfProvider>> = OnceLock::new();
    SVC.get_or_init(|| crate::framework::rpc::ProviderService::new(VcfProvider))
}

/// Input: a selector byte (which schema; top bit: the rest is raw msgpack rather than a value
/// built from it), then the bytes. Runs the matching Validate*Config RPC.
pub fn config_validation(data: &[u8]) {
    use crate::proto::tfplugin6::provider_server::Provider as _;
    use tonic::Request;
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let types = schema_types();
    let (name, kind, ty) = &types[(sel & 0x7f) as usize % types.len()];
    let msgpack = if sel & 0x80 == 0 {
        let v = value_for(ty, &mut Bytes(body), 0);
        msgpack::encode(&v, ty).expect("a generated value encodes")
    } else {
        body.to_vec()
    };
    let config = Some(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    });
    let svc = service();
    runtime().block_on(async {
        let diags = match kind {
            Kind::Provider => svc
                .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                    config,
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
            Kind::Resource => svc
                .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                    type_name: name.clone(),
                    config,
                    client_capabilities: None,
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
            Kind::DataSource => svc
                .validate_data_resource_config(Request::new(
                    pb::validate_data_resource_config::Request {
                        type_name: name.clone(),
                        config,
                    },
                ))
                .await
                .map(|r| r.into_inner().diagnostics),
            Kind::Ephemeral => svc
                .validate_ephemeral_resource_config(Request::new(
                    pb::validate_ephemeral_resource_config::Request {
                        type_name: name.clone(),
                        config,
                    },
                ))
                .await
                .map(|r| r.into_inner().diagnostics),
        };
        // Bad configuration is a diagnostic, never a gRPC failure.
        assert!(diags.is_ok(), "validate RPC failed: {diags:?}");
    });
}

/// Input: a selector byte (which answer), then the body as the server would send it. Decodes
/// it as the provider does and, where the provider turns the answer into state or schedules,
/// does that too.
pub fn server_json(data: &[u8]) {
    use crate::client::auth::jwt;
    use crate::client::contract;
    use crate::client::error::{OpContext, body_snippet, from_status, scrub};
    use crate::resources::fleet as f;
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    fn de<T: serde::de::DeserializeOwned>(b: &[u8]) -> Option<T> {
        serde_json::from_slice(b).ok()
    }
    match sel % 16 {
        0 => {
            if let Some(p) = de::<f::TokenPage>(body) {
                for t in &p.api_tokens {
                    crate::resources::fuzz_token_state(t);
                }
            }
            if let Some(t) = de::<f::TokenJson>(body) {
                crate::resources::fuzz_token_state(&t);
                let _ = format!("{t:?}");
            }
        }
        1 => {
            if let Some(l) = de::<f::ClientPage>(body) {
                for c in l.api_clients {
                    let _ = c.checked("fuzz");
                }
            }
            if let Some(c) = de::<f::ClientJson>(body) {
                let _ = c.checked("fuzz");
            }
        }
        2 => {
            if let Some(a) = de::<f::AssignmentsJson>(body) {
                for x in &a.vcf_role_assignments {
                    let _ = x.resource_ids();
                }
                let _ = serde_json::to_vec(&a);
            }
        }
        3 => {
            if let Some(l) = de::<f::RealmList>(body) {
                for r in &l.sso_realms {
                    let _ = r.vcf_instances().count();
                    crate::resources::fuzz_realm_state(r);
                }
            }
        }
        4 => {
            if let Some(l) = de::<f::RoleList>(body) {
                for r in &l.vcf_roles {
                    let _ = r.built_in();
                    let _ = crate::resources::fleet::custom_role::role_value(r);
                }
            }
            if let Some(r) = de::<f::RoleJson>(body) {
                let _ = serde_json::to_vec(&r);
            }
            let _ = de::<f::ComponentRoleSummaries>(body);
        }
        5 => {
            let _ = de::<contract::sddc::TokenPair>(body);
            let _ = de::<contract::fleet::Acquired>(body);
            if let Some(t) = de::<contract::OAuthToken>(body) {
                let _ = jwt::lifetime(&t.access_token, std::time::SystemTime::now());
            }
        }
        6 => {
            // A JWT as the token endpoints issue it: the claims the client schedules with.
            let text = String::from_utf8_lossy(body);
            let _ = jwt::claims(&text);
            if let Some(l) = jwt::lifetime(&text, std::time::SystemTime::now()) {
                let _ = crate::client::auth::schedule(l);
            }
        }
        7 | 8 => {
            // An error answer of any status.
            let status = 400 + u16::from(sel) % 200;
            let e = from_status(
                status,
                body,
                "POST https://vcf.example.com/x",
                &OpContext::default(),
                None,
            );
            let _ = e.to_diagnostic();
            let _ = body_snippet(body);
            let _ = scrub(&String::from_utf8_lossy(body));
        }
        9 | 10 => crate::resources::fuzz_sddc_json(body),
        11 | 12 => crate::resources::fuzz_director_json(body),
        13 => crate::resources::fuzz_oauth_json(body),
        _ => {
            let text = String::from_utf8_lossy(body);
            let _ = f::millis_from_rfc3339(&text);
            if body.len() >= 8 {
                let ms = i64::from_le_bytes(body[..8].try_into().unwrap_or([0; 8]));
                let _ = crate::resources::rfc3339_from_millis(ms);
            }
        }
    }
}

/// The seed inputs committed under `fuzz/corpus/<target>/` (written by the ignored test
/// `write_seed_corpora` in tests/fuzz_corpus.rs): well-formed inputs of every shape, from
/// which libFuzzer mutates.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let types = schema_types();
    for (i, (_, _, ty)) in types.iter().enumerate() {
        for pattern in [
            &[2u8, 3, 4, 5, 6, 7, 8, 9][..],
            &[0x22, 0x42, 7, 0x33, 1, 0x62, 9, 2],
        ] {
            let bytes: Vec<u8> = pattern.iter().cycle().take(96).copied().collect();
            let v = value_for(ty, &mut Bytes(&bytes), 0);
            let mp = msgpack::encode(&v, ty).expect("encodes");
            let mut dv = vec![i as u8];
            dv.extend_from_slice(&mp);
            out.push(("dynamic_value", dv));
            if v.is_wholly_known() {
                let mut j = vec![i as u8 | 0x80];
                j.extend(json::encode(&v, ty).expect("encodes"));
                out.push(("dynamic_value", j));
            }
            let mut cv = vec![i as u8];
            cv.extend_from_slice(&bytes);
            out.push(("config_validation", cv));
            let mut raw = vec![i as u8 | 0x80];
            raw.extend_from_slice(&mp);
            out.push(("config_validation", raw));
        }
    }
    let bodies: &[(u8, &str)] = &[
        (
            0,
            r#"{"pageInfo":{"totalCount":1},"apiTokens":[{"id":"27a2","apiClientId":"IamClient","tokenName":"t","apiTokenTtl":40320,"accessTokenTtl":30,"tokenType":"API_CLIENT","tokenLastChars":"DQxMQ","creationDate":1779354411000,"expirationDate":1781773611000,"lastUsedDate":-1,"tokenStatus":"ACTIVE","tokenEndpointUrl":"https://i/acs/t/CUSTOMER/token"}]}"#,
        ),
        (
            0,
            r#"{"id":"27a2","token":"vidb_x","creationDate":9223372036854775807,"expirationDate":-9223372036854775808,"tokenStatus":"REVOKED"}"#,
        ),
        (
            1,
            r#"{"apiClients":[{"clientId":"IamClient","clientUuid":"b1","clientName":"Iam Client","clientDescription":"d"}]}"#,
        ),
        (
            2,
            r#"{"vcfRoleAssignments":[{"roleName":"sddc_admin","roleScope":{"scopeType":"VCF_INSTANCE","resources":[{"id":"b"},{"id":"a"}]},"expiresAt":"2099-01-01T00:00:00Z"}]}"#,
        ),
        (
            3,
            r#"{"ssoRealms":[{"id":"d8","name":"flt-idb02","vidbResourceId":"v","vcfInstanceId":"a7","idpId":"i","totalConfiguredComponents":2,"coverage":[{"id":"a7","name":"sfo-vcf02","ssoEntityType":"VCF_INSTANCE"}],"createdAt":1779354411000,"updatedAt":1779354411000}]}"#,
        ),
        (
            2,
            r#"{"vcfRoleAssignments":[{"roleName":"VCF_Admin","roleDisplayName":"VCF Administrator","roleScope":{"resources":[]}},{"roleName":"x","roleScope":{"resources":null,"ssoName":"EMEA"}}]}"#,
        ),
        (
            4,
            r#"{"vcfRoles":[{"roleName":"administrator","roleDisplayName":"Administrator","roleDescription":"VC Administrator Role","type":"CUSTOM","componentRoles":[{"componentType":"VCENTER","roles":["Admin"]},{"componentType":"NSX_MANAGER","roles":null}],"createdBy":"admin","updatedBy":"admin","createdAt":1724927355,"updatedAt":1725424086}],"pageInfo":{"totalCount":1,"page":0,"pageSize":50}}"#,
        ),
        (
            4,
            r#"{"componentRoleSummaries":[{"componentType":"VCENTER","name":"Admin","displayName":"Administrator","type":"BUILT_IN","provisioningDetails":{"provisionedInstances":["i"]}}]}"#,
        ),
        (
            5,
            r#"{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEsImV4cCI6MzYwMX0.x","refreshToken":{"id":"r"},"token":"t","validity":1779354411000,"access_token":"a","expires_in":1800}"#,
        ),
        (
            6,
            "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEuNSwiZXhwIjoxZTMwOH0.sig",
        ),
        (
            7,
            r#"{"errorCode":"NOT_FOUND","message":"no such token vidb_secret","httpStatusCode":404,"requestId":"r1"}"#,
        ),
        (
            8,
            r#"{"error":"invalid_grant","error_description":"bad","requestId":"r2"}"#,
        ),
        (
            9,
            r#"{"elements":[{"id":"u1","name":"svc","domain":"vsphere.local","type":"SERVICE","role":{"id":"r1","name":"ADMIN"},"apiKey":"k","creationTimestamp":"2026-01-01T00:00:00Z"}]}"#,
        ),
        (
            10,
            r#"{"elements":[{"id":"r1","name":"ADMIN","description":"Administrator"}]}"#,
        ),
        (
            11,
            r#"{"resultTotal":1,"pageCount":1,"values":[{"id":"urn:vcloud:token:1","name":"t","owner":{"name":"tenant-admin"}}]}"#,
        ),
        (
            12,
            r#"{"client_id":"c1","access_token":"a","refresh_token":"r","expires_in":2592000}"#,
        ),
        (
            13,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":-1e308}"#,
        ),
        (14, "2026-05-21T10:00:00.123+02:00"),
    ];
    for (sel, body) in bodies {
        let mut v = vec![*sel];
        v.extend_from_slice(body.as_bytes());
        out.push(("server_json", v));
    }
    out
}
