//! The secrets the sim issues or is given, found in its answers and in the requests it serves and
//! recorded for `GET /_sim/secrets` (the leak checks of the provider's tests read them).

use super::{Shared, lock};
use crate::http::{Req, Resp};

/// Names of the answer fields and headers that carry a secret the sim issued.
const SECRET_FIELDS: &[&str] = &[
    "accessToken",
    "refreshToken",
    "access_token",
    "refresh_token",
    "token",
    "apiKey",
    "secret",
    "x-vmware-vcloud-access-token",
];

/// Names of the request fields (JSON or form) that carry a credential given to the sim.
const REQUEST_SECRET_FIELDS: &[&str] = &[
    "password",
    "newPassword",
    "secret",
    "client_secret",
    "apiKey",
    "token",
    "api_token",
    "apiToken",
    "refresh_token",
    "refreshToken",
    "access_token",
    "accessToken",
];

/// Adds (secret, kind) pairs to `Shared::issued`; a secret keeps the kind it was first seen as.
fn record(shared: &Shared, found: Vec<(String, String)>) {
    if found.is_empty() {
        return;
    }
    let mut issued = lock(&shared.issued);
    for (secret, kind) in found {
        issued.entry(secret).or_insert(kind);
    }
}

/// Adds the secrets an answer carries to `Shared::issued`.
pub(super) fn record_secrets(shared: &Shared, resp: &Resp) {
    record(shared, secrets_in(resp));
}

/// Adds the credentials a request gives to `Shared::issued`.
pub(super) fn record_request_secrets(shared: &Shared, req: &Req) {
    record(shared, request_secrets(req));
}

/// Values of the secret-named fields of a JSON document at any depth, with their field names.
fn json_secrets(v: &serde_json::Value, names: &[&str], out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match x {
                    serde_json::Value::String(s)
                        if names.contains(&k.as_str()) && !s.is_empty() =>
                    {
                        out.push((s.clone(), k.clone()))
                    }
                    // A secret-named object that carries its secret as `id` (SDDC Manager's
                    // RefreshToken `{"id"}`).
                    serde_json::Value::Object(o)
                        if names.contains(&k.as_str())
                            && o.get("id")
                                .and_then(|v| v.as_str())
                                .is_some_and(|s| !s.is_empty()) =>
                    {
                        if let Some(s) = o.get("id").and_then(|v| v.as_str()) {
                            out.push((s.to_string(), format!("{k}.id")));
                        }
                    }
                    _ => json_secrets(x, names, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_secrets(x, names, out)),
        _ => {}
    }
}

/// The secrets in an answer, each with its kind (`answer <field or header>`): values of
/// secret-named JSON fields at any depth and of secret-named headers.
fn secrets_in(resp: &Resp) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = resp
        .headers
        .iter()
        .filter(|(k, v)| SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(k)) && !v.is_empty())
        .map(|(k, v)| {
            (
                v.clone(),
                format!("answer header {}", k.to_ascii_lowercase()),
            )
        })
        .collect();
    if let Ok(serde_json::Value::String(s)) = serde_json::from_slice(&resp.body)
        && !s.is_empty()
    {
        // A bare JSON string answer is a token (SDDC Manager's refreshed access token).
        found.push((s, "answer string body".into()));
    } else if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&resp.body) {
        let mut fields = Vec::new();
        json_secrets(&v, SECRET_FIELDS, &mut fields);
        found.extend(
            fields
                .into_iter()
                .map(|(s, k)| (s, format!("answer field {k}"))),
        );
    }
    found
}

/// The credentials a request gives, each with its kind (`request <field>`): secret-named
/// fields of a JSON or form body, and the credential of the `Authorization` header (for
/// `Basic`, the encoded credential and the password in it).
fn request_secrets(req: &Req) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let auth = req
        .header("authorization")
        .and_then(|h| h.trim().split_once(' '));
    if let Some((scheme, cred)) = auth
        && !cred.trim().is_empty()
    {
        let cred = cred.trim();
        let scheme = scheme.to_ascii_lowercase();
        found.push((cred.to_string(), format!("request Authorization {scheme}")));
        if scheme == "basic" {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(cred)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            if let Some((_, password)) = decoded.as_deref().and_then(|d| d.split_once(':'))
                && !password.is_empty()
            {
                found.push((password.to_string(), "request Basic password".into()));
            }
        }
    }
    let mut fields = Vec::new();
    if let Ok(serde_json::Value::String(s)) = serde_json::from_slice(&req.body)
        && !s.is_empty()
    {
        // A bare JSON string body is a token (SDDC Manager's refresh-token id).
        found.push((s, "request string body".into()));
    } else if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&req.body) {
        json_secrets(&v, REQUEST_SECRET_FIELDS, &mut fields);
    } else if let Ok(s) = std::str::from_utf8(&req.body) {
        fields.extend(
            crate::http::parse_urlencoded(s)
                .into_iter()
                .filter(|(k, v)| REQUEST_SECRET_FIELDS.contains(&k.as_str()) && !v.is_empty())
                .map(|(k, v)| (v, k)),
        );
    }
    found.extend(
        fields
            .into_iter()
            .map(|(s, k)| (s, format!("request field {k}"))),
    );
    found
}

#[cfg(test)]
mod secret_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_found_in_fields_and_headers() {
        let mut resp = Resp::json(
            200,
            &json!({"id": "x", "token": "vidb_1", "list": [{"apiKey": "k2"}], "accessToken": "",
                    "name": "not-a-secret"}),
        );
        resp.headers
            .push(("X-VMWARE-VCLOUD-ACCESS-TOKEN", "h3".into()));
        resp.headers.push(("X-Request-Id", "r".into()));
        let mut found = secrets_in(&resp);
        found.sort();
        assert_eq!(
            found,
            vec![
                (
                    "h3".to_string(),
                    "answer header x-vmware-vcloud-access-token".to_string()
                ),
                ("k2".to_string(), "answer field apiKey".to_string()),
                ("vidb_1".to_string(), "answer field token".to_string()),
            ]
        );
    }

    #[test]
    fn a_refresh_token_object_is_a_secret_by_its_id() {
        let resp = Resp::json(
            200,
            &json!({"accessToken": "at-1", "refreshToken": {"id": "rt-1"}}),
        );
        let mut found = secrets_in(&resp);
        found.sort();
        assert_eq!(
            found,
            vec![
                ("at-1".to_string(), "answer field accessToken".to_string()),
                (
                    "rt-1".to_string(),
                    "answer field refreshToken.id".to_string()
                ),
            ]
        );
    }

    #[test]
    fn bare_string_bodies_are_secrets() {
        let resp = Resp::json(200, &json!("at-2"));
        assert_eq!(
            secrets_in(&resp),
            vec![("at-2".to_string(), "answer string body".to_string())]
        );
        assert_eq!(
            request_secrets(&request(&[], r#""rt-2""#)),
            vec![("rt-2".to_string(), "request string body".to_string())]
        );
    }

    fn request(headers: &[(&'static str, &str)], body: &str) -> Req {
        let mut map = hyper::HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        Req {
            method: hyper::Method::POST,
            path: "/x".into(),
            query: Vec::new(),
            headers: map,
            body: body.as_bytes().to_vec(),
            params: Vec::new(),
            peer_loopback: true,
        }
    }

    #[test]
    fn credentials_given_in_requests_are_found() {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode("admin@org:pa55word");
        let auth = format!("Basic {basic}");
        let mut found = request_secrets(&request(
            &[("authorization", auth.as_str())],
            r#"{"name":"svc","password":"user-pw","nested":{"apiKey":"k"},"token":""}"#,
        ));
        found.sort();
        assert_eq!(
            found,
            vec![
                (basic.clone(), "request Authorization basic".to_string()),
                ("k".to_string(), "request field apiKey".to_string()),
                ("pa55word".to_string(), "request Basic password".to_string()),
                ("user-pw".to_string(), "request field password".to_string()),
            ]
        );
        let found = request_secrets(&request(
            &[("authorization", "Bearer at-1")],
            "grant_type=refresh_token&refresh_token=rt%2B1&client_id=c",
        ));
        assert_eq!(
            found,
            vec![
                (
                    "at-1".to_string(),
                    "request Authorization bearer".to_string()
                ),
                (
                    "rt+1".to_string(),
                    "request field refresh_token".to_string()
                ),
            ]
        );
    }
}
