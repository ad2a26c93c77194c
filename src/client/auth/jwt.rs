//! Reading the lifetime of an access token from its JWT claims, without verifying it (the
//! server does that); any malformed input is simply "unknown".

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Largest token looked at; a bigger one is not a JWT we can use.
const MAX_JWT: usize = 16 * 1024;
/// Longest lifetime believed.
const MAX_LIFETIME: Duration = Duration::from_secs(400 * 24 * 3600);

/// The `iat` and `exp` claims (seconds since the Unix epoch), when present and numeric.
pub fn claims(token: &str) -> Option<(Option<f64>, f64)> {
    if token.len() > MAX_JWT {
        return None;
    }
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let raw = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    let num = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_f64)
            .filter(|n| n.is_finite())
    };
    Some((num("iat"), num("exp")?))
}

/// How long `token` lives: `exp - iat` when both are present (immune to clock skew between us
/// and the server), else `exp - now`. `None` when it cannot tell or the answer is not positive.
pub fn lifetime(token: &str, now: SystemTime) -> Option<Duration> {
    let (iat, exp) = claims(token)?;
    let secs = match iat {
        Some(iat) if exp > iat => exp - iat,
        _ => exp - now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64(),
    };
    (secs > 0.0).then(|| Duration::from_secs_f64(secs.min(MAX_LIFETIME.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn reads_exp_and_iat() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            lifetime(&jwt(r#"{"iat":100,"exp":3700}"#), now),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            lifetime(&jwt(r#"{"exp":1000600}"#), now),
            Some(Duration::from_secs(600))
        );
        assert_eq!(lifetime(&jwt(r#"{"exp":10}"#), now), None);
        assert_eq!(
            lifetime(&jwt(r#"{"iat":5,"exp":5.5e99}"#), now),
            Some(MAX_LIFETIME)
        );
        assert_eq!(lifetime(&jwt(r#"{"exp":"soon"}"#), now), None);
        assert_eq!(lifetime(&jwt(r#"[1,2]"#), now), None);
        assert_eq!(lifetime(&jwt(r#"{"iat":900,"exp":100}"#), now), None);
    }

    #[test]
    fn garbage_is_unknown() {
        let now = SystemTime::now();
        for t in [
            "",
            ".",
            "..",
            "abc",
            "a.b.c",
            "a.%%%.c",
            "9b3c0f2a-7e1d-4a5b-8c6e",
        ] {
            assert_eq!(lifetime(t, now), None, "{t}");
        }
        assert_eq!(lifetime(&"a.".repeat(20_000), now), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = lifetime(&s, SystemTime::now());
        }

        #[test]
        fn never_panics_on_encoded_payloads(p in proptest::collection::vec(any::<u8>(), 0..256)) {
            let t = format!("h.{}.s", URL_SAFE_NO_PAD.encode(&p));
            let _ = lifetime(&t, SystemTime::now());
        }
    }
}
