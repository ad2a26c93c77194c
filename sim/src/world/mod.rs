//! The simulated world: every object of the three API families, the issued tokens and sessions,
//! and the lockout counters. It is one serde value, so persisting it is one JSON file.
//! Handlers get `&mut World` under one lock; nothing here does I/O.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::LockoutConfig;
use crate::http::ApiError;

mod seed;

/// What a handler knows besides the world and the request.
pub struct Ctx<'a> {
    /// Simulated now, ms since the epoch.
    pub now: i64,
    /// `https://127.0.0.1:PORT`, used in token endpoint URLs.
    pub base_url: &'a str,
    /// Wall-clock now, ms since the epoch.
    pub real_now: i64,
    /// `--time-scale`.
    pub scale: f64,
}

impl<'a> Ctx<'a> {
    pub fn new(clock: &crate::clock::Clock, base_url: &'a str) -> Ctx<'a> {
        Ctx {
            now: clock.now_ms(),
            base_url,
            real_now: crate::clock::real_now_ms(),
            scale: clock.scale(),
        }
    }

    /// The wall-clock time at which simulated time `sim_ms` arrives if nobody advances the clock.
    /// Used for lifetimes told to clients for scheduling (JWT `exp`, acquire `validity`), so a
    /// client that refreshes at 75% of a token's life does so before the sim expires it.
    pub fn client_time(&self, sim_ms: i64) -> i64 {
        let ahead = (sim_ms.saturating_sub(self.now)) as f64 / self.scale;
        self.real_now.saturating_add(ahead as i64)
    }
}

#[derive(Serialize, Deserialize, Default)]
pub struct World {
    pub jwt_key: String,
    pub sddc: SddcState,
    pub fleet: FleetState,
    pub director: DirectorState,
    /// Bearer token → session, for all three families.
    pub sessions: HashMap<String, Session>,
    pub lockouts: HashMap<String, LockState>,
    /// Skew of the simulated clock at the last save, so a restart keeps advanced time.
    pub clock_skew_ms: i64,
    /// Credentials printed in the ready line.
    pub ready: ReadyCreds,
    #[serde(skip)]
    pub lockout_cfg: LockoutConfig,
    #[serde(skip)]
    pub dirty: bool,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct ReadyCreds {
    pub sddc_username: String,
    pub sddc_password: String,
    pub ops_username: String,
    pub ops_password: String,
    pub ops_api_token: String,
    pub director_org: String,
    pub director_username: String,
    pub director_password: String,
    pub realm_id: String,
    pub vcf_instance_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub enum SessionKind {
    Sddc {
        user_id: String,
    },
    Fleet {
        realm_id: String,
        principal_id: String,
        api_token_id: Option<String>,
        /// A `token/acquire` session token (sent as `OpsToken`), not a VCF SSO access token
        /// (sent as `Bearer`).
        #[serde(default)]
        acquired: bool,
    },
    Director {
        org_id: String,
        user_id: String,
        api_token_id: Option<String>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Session {
    pub kind: SessionKind,
    pub expires_ms: i64,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct LockState {
    pub failures: Vec<i64>,
    pub locked_until: i64,
}

// ---------------------------------------------------------------------------------------------
// SDDC Manager

#[derive(Serialize, Deserialize, Default)]
pub struct SddcState {
    pub users: Vec<SddcUser>,
    pub roles: Vec<SddcRole>,
    /// Refresh token → (user id, expiry ms).
    pub refresh_tokens: HashMap<String, RefreshToken>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct SddcUser {
    pub id: String,
    pub name: String,
    pub domain: String,
    #[serde(rename = "type")]
    pub user_type: String,
    pub role_id: String,
    pub creation_timestamp: String,
    pub password: Option<String>,
    pub api_key: Option<String>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct SddcRole {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct RefreshToken {
    pub user_id: String,
    pub expires_ms: i64,
}

// ---------------------------------------------------------------------------------------------
// Fleet IAM

#[derive(Serialize, Deserialize, Default)]
pub struct FleetState {
    pub realms: Vec<Realm>,
    pub clients: Vec<ApiClient>,
    pub users: Vec<SsoUser>,
    /// Key `"{realm_id}/{principal_id}"`.
    pub assignments: BTreeMap<String, Vec<Assignment>>,
    pub custom_roles: Vec<VcfRole>,
    pub tokens: Vec<ApiToken>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Realm {
    pub id: String,
    pub name: String,
    pub vidb_resource_id: String,
    pub vcf_instance_id: String,
    pub coverage: Vec<Coverage>,
    pub idp_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Coverage {
    pub id: String,
    pub name: String,
    pub entity_type: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct ApiClient {
    pub realm_id: String,
    pub client_id: String,
    pub client_uuid: String,
    pub client_name: String,
    pub client_description: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct SsoUser {
    pub id: String,
    pub name: String,
    pub password: String,
    pub realm_id: String,
}

#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct Assignment {
    pub role_name: String,
    pub scope_type: String,
    pub resources: Vec<String>,
    pub expires_at: Option<i64>,
}

/// A VCF role. Roles are fleet-wide (`/roles`), not kept per SSO realm.
#[derive(Serialize, Deserialize, Clone)]
pub struct VcfRole {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub built_in: bool,
    /// `(componentType, role names)`, each component once.
    pub component_roles: Vec<(String, Vec<String>)>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `[(component, role)]` pairs grouped by component, in first-seen order, without duplicates.
pub fn group_component_roles(pairs: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (c, r) in pairs {
        match out.iter_mut().find(|(k, _)| k == c) {
            Some((_, roles)) if roles.contains(r) => {}
            Some((_, roles)) => roles.push(r.clone()),
            None => out.push((c.clone(), vec![r.clone()])),
        }
    }
    out
}

#[derive(Serialize, Deserialize, Clone)]
pub struct ApiToken {
    pub id: String,
    pub realm_id: String,
    pub api_client_id: Option<String>,
    pub principal_id: String,
    pub principal_name: String,
    pub token_name: String,
    pub token_description: String,
    pub api_token_ttl: i64,
    pub access_token_ttl: i64,
    pub token_type: String,
    pub secret: String,
    pub creation_date: i64,
    pub expiration_date: i64,
    pub last_used_date: i64,
}

impl ApiToken {
    /// ACTIVE or EXPIRED (the reference has no REVOKED: a revoked token is deleted).
    pub fn status(&self, now: i64) -> &'static str {
        if now >= self.expiration_date {
            "EXPIRED"
        } else {
            "ACTIVE"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Director

#[derive(Serialize, Deserialize, Default)]
pub struct DirectorState {
    /// `cloud_director` or `vcf_automation` (see `director/mod.rs`).
    #[serde(default)]
    pub flavor: String,
    pub orgs: Vec<Org>,
    pub users: Vec<DirUser>,
    pub clients: Vec<DirClient>,
    pub tokens: Vec<DirToken>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct DirUser {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub password: String,
    pub role: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct DirClient {
    pub client_id: String,
    pub org_id: String,
    pub user_id: String,
    pub name: String,
    pub used: bool,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct DirToken {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub owner_user_id: String,
    pub secret: String,
    pub created: i64,
    /// `REFRESH` for API tokens; `PROXY` / `EXTENSION` for tokens of `POST /cloudapi/1.0.0/tokens`.
    #[serde(default = "refresh_type")]
    pub token_type: String,
}

fn refresh_type() -> String {
    "REFRESH".into()
}

// ---------------------------------------------------------------------------------------------

pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random bytes, URL-safe base64 without padding.
pub fn random_b64(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rng().fill(&mut b[..]);
    URL_SAFE_NO_PAD.encode(b)
}

pub fn random_alnum(n: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// ISO-8601 UTC text for ms since the epoch (`2026-11-23T11:00:13.000Z`).
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

pub const SDDC_ROLE_IDS: [(&str, &str, &str); 3] = [
    (
        "ADMIN",
        "e7b4b1a2-6f3c-4c1e-9d7a-0a1b2c3d4e01",
        "Administrator: all APIs, including credential, password and user management",
    ),
    (
        "OPERATOR",
        "e7b4b1a2-6f3c-4c1e-9d7a-0a1b2c3d4e02",
        "Operator: all APIs except credential, password and user management",
    ),
    (
        "VIEWER",
        "e7b4b1a2-6f3c-4c1e-9d7a-0a1b2c3d4e03",
        "Viewer: read-only (GET) access, excluding password and user management",
    ),
];

impl World {
    pub fn sddc_role_by_name(&self, name: &str) -> Option<&SddcRole> {
        self.sddc.roles.iter().find(|r| r.name == name)
    }

    /// Mint an HS256 JWT for a session that the sim expires at simulated `exp_ms`; `iat` and `exp`
    /// are wall-clock seconds (see [`Ctx::client_time`]).
    pub fn mint_jwt(&self, sub: &str, aud: &str, ctx: &Ctx, exp_ms: i64) -> String {
        let now = ctx.real_now;
        let exp_ms = ctx.client_time(exp_ms);
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({
            "iss": "vcf-sim",
            "sub": sub,
            "aud": aud,
            "iat": now / 1000,
            "exp": exp_ms / 1000,
            "jti": new_uuid(),
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let key_bytes = STANDARD
            .decode(&self.jwt_key)
            .or_else(|_| URL_SAFE_NO_PAD.decode(&self.jwt_key))
            .unwrap_or_default();
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key_bytes);
        let sig = aws_lc_rs::hmac::sign(&key, signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    /// Look up a bearer token. Unknown and expired tokens are `None` (expired ones are dropped).
    pub fn session(&mut self, token: &str, now: i64) -> Option<Session> {
        let s = self.sessions.get(token)?;
        if s.expires_ms <= now {
            self.sessions.remove(token);
            self.dirty = true;
            return None;
        }
        Some(s.clone())
    }

    pub fn add_session(&mut self, token: String, kind: SessionKind, expires_ms: i64) {
        self.sessions.insert(token, Session { kind, expires_ms });
        self.dirty = true;
    }

    /// Drop expired sessions and refresh tokens (called before saving).
    pub fn prune(&mut self, now: i64) {
        self.sessions.retain(|_, s| s.expires_ms > now);
        self.sddc.refresh_tokens.retain(|_, r| r.expires_ms > now);
    }

    /// Password check with lockout: `max_failures` bad passwords within `window_minutes` lock the
    /// account for `lock_minutes`; while locked even the right password fails.
    pub fn check_login(&mut self, key: &str, password_ok: bool, now: i64) -> Result<(), ApiError> {
        let cfg = self.lockout_cfg.clone();
        let st = self.lockouts.entry(key.to_string()).or_default();
        if st.locked_until > now {
            return Err(ApiError::new(
                401,
                "ACCOUNT_LOCKED",
                format!(
                    "The account is locked after {} failed login attempts; try again in {} seconds",
                    cfg.max_failures,
                    (st.locked_until - now + 999) / 1000
                ),
            ));
        }
        self.dirty = true;
        if password_ok {
            st.failures.clear();
            return Ok(());
        }
        let window = cfg.window_minutes * 60_000;
        st.failures.retain(|t| now - t < window);
        st.failures.push(now);
        if st.failures.len() >= cfg.max_failures {
            st.locked_until = now + cfg.lock_minutes * 60_000;
            st.failures.clear();
            return Err(ApiError::new(
                401,
                "ACCOUNT_LOCKED",
                format!(
                    "Invalid username or password; the account is now locked for {} minutes after {} failed attempts",
                    cfg.lock_minutes, cfg.max_failures
                ),
            ));
        }
        Err(ApiError::new(
            401,
            "INVALID_CREDENTIALS",
            "Invalid username or password",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_779_354_411_000), "2026-05-21T09:06:51.000Z");
        assert_eq!(iso8601(951_782_400_123), "2000-02-29T00:00:00.123Z");
    }

    #[test]
    fn lockout_after_five() {
        let mut w = World::seed(&Config::default(), 0).expect("seed");
        for _ in 0..4 {
            let e = w.check_login("u", false, 1000).expect_err("bad");
            assert_eq!(e.code, "INVALID_CREDENTIALS");
        }
        assert_eq!(
            w.check_login("u", false, 1000).expect_err("5th").code,
            "ACCOUNT_LOCKED"
        );
        assert_eq!(
            w.check_login("u", true, 2000).expect_err("locked").code,
            "ACCOUNT_LOCKED"
        );
        assert!(w.check_login("u", true, 2000 + 15 * 60_000).is_ok());
    }
}
