//! Authentication: one manager per API family behind one trait, [`Authenticator`].
//!
//! The rules (seed 000, mandatory for every family): authenticate once per provider process;
//! refresh preemptively at 75% of the access token's lifetime (from the JWT `exp`, else the
//! family's documented lifetime); on a 401 refresh once — single-flight, so N concurrent 401s
//! cause ONE refresh — and let the caller retry once; when the refresh fails, authenticate again
//! from the credentials once; a rejection of the authentication call itself is final and never
//! retried (repeated failures lock the account); invalidate the refresh token at shutdown.
//!
//! The family-specific part is a [`Flow`] (how to log in, refresh, log out); [`TokenManager`]
//! applies the rules to any flow.

mod director;
mod fleet;
pub mod jwt;
mod rejected;
mod sddc;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::error::{ApiError, ErrorKind};
use crate::framework::Secret;

pub use director::{DirectorCredentials, DirectorFlow};
pub use fleet::{FleetCredentials, FleetFlow};
pub(crate) use rejected::rejected;
pub use sddc::{SddcCredentials, SddcFlow};

/// How a family is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ApiToken,
    Password,
}

/// How often a manager authenticated and refreshed (for logs and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthCounters {
    pub logins: u64,
    pub refreshes: u64,
}

/// Gives the bearer for requests of one API family and keeps it fresh.
#[async_trait]
pub trait Authenticator: Send + Sync + std::fmt::Debug {
    /// The access token to send now; authenticates (or refreshes, when due) first if needed.
    async fn bearer(&self) -> Result<Secret, ApiError>;
    /// The server answered 401 to `rejected`. Returns the token to retry with: a fresh one (one
    /// refresh shared by all concurrent callers), or the current one when another caller
    /// already replaced `rejected`.
    async fn on_unauthorized(&self, rejected: &Secret) -> Result<Secret, ApiError>;
    /// Ends the session (invalidates the refresh token where the API has one). Best effort.
    async fn shutdown(&self);
    /// The `Authorization` scheme the token from [`Authenticator::bearer`] is sent with.
    fn scheme(&self) -> &'static str;
    fn method(&self) -> AuthMethod;
    fn counters(&self) -> AuthCounters;
}

/// What a successful authentication or refresh returns.
pub struct Grant {
    pub access: Secret,
    /// How long the access token lives, when the server said (JWT `exp`, `expires_in`, …).
    pub lifetime: Option<Duration>,
    /// A new refresh token, when the call issued one.
    pub refresh_token: Option<Secret>,
}

/// The family-specific steps.
#[async_trait]
pub trait Flow: Send + Sync + 'static {
    /// Authenticates from the configured credentials. A rejection must be
    /// `ErrorKind::CredentialsRejected` or `ErrorKind::AccountLocked`: both are final.
    async fn login(&self) -> Result<Grant, ApiError>;
    /// Renews the access token with a refresh token. Any error with an HTTP 4xx status means the
    /// refresh token is dead and leads to one new login.
    async fn refresh(&self, _refresh_token: &Secret) -> Result<Grant, ApiError> {
        self.login().await
    }
    /// Invalidates the refresh token (`access` is the session's current access token).
    async fn logout(&self, _access: &Secret, _refresh_token: &Secret) -> Result<(), ApiError> {
        Ok(())
    }
    /// Ends a session that has no refresh token (`access` is its current token), at shutdown.
    async fn release(&self, _access: &Secret) -> Result<(), ApiError> {
        Ok(())
    }
    /// The `Authorization` scheme of the access token.
    fn scheme(&self) -> &'static str {
        "Bearer"
    }
    /// The lifetime assumed when the server does not tell.
    fn default_lifetime(&self) -> Duration {
        Duration::from_secs(60 * 60)
    }
    fn method(&self) -> AuthMethod;
    /// The family, for logs ("SDDC Manager").
    fn family(&self) -> &'static str;
}

/// The clock the managers schedule refreshes with: monotonic time plus an offset that tests
/// can advance (together with the simulator's clock).
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now(&self) -> Instant {
        let off = self.0.load(Ordering::Relaxed);
        Instant::now() + Duration::from_millis(off.max(0) as u64)
    }

    /// Moves this clock forward.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(
            i64::try_from(by.as_millis()).unwrap_or(i64::MAX),
            Ordering::Relaxed,
        );
    }
}

/// How far in the past a fresh token's `exp` may lie before it counts as issued expired
/// (clocks of the appliance and of this machine may differ that much).
pub const EXPIRED_ON_ARRIVAL_SKEW: Duration = Duration::from_secs(300);

/// Refresh at this share of the access token's lifetime.
pub const REFRESH_AT: f64 = 0.75;
/// Shortest lifetime the managers plan with (a shorter one would make every request refresh).
pub const MIN_LIFETIME: Duration = Duration::from_secs(10);

/// When to refresh and when the token expires, counted from the moment it was received.
pub fn schedule(lifetime: Duration) -> (Duration, Duration) {
    let lifetime = lifetime.max(MIN_LIFETIME);
    (lifetime.mul_f64(REFRESH_AT), lifetime)
}

struct Session {
    access: Secret,
    refresh_token: Option<Secret>,
    refresh_at: Instant,
    expires_at: Instant,
}

/// Applies the authentication rules to a [`Flow`].
pub struct TokenManager<F: Flow> {
    flow: F,
    clock: Clock,
    current: RwLock<Option<Arc<Session>>>,
    /// Held while authenticating or refreshing: the single flight. Holds the final failure of
    /// the credentials, so that nobody tries them again.
    gate: tokio::sync::Mutex<Option<ApiError>>,
    logins: AtomicU64,
    refreshes: AtomicU64,
}

impl<F: Flow> std::fmt::Debug for TokenManager<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("family", &self.flow.family())
            .field("method", &self.flow.method())
            .finish_non_exhaustive()
    }
}

impl<F: Flow> TokenManager<F> {
    pub fn new(flow: F, clock: Clock) -> Self {
        TokenManager {
            flow,
            clock,
            current: RwLock::new(None),
            gate: tokio::sync::Mutex::new(None),
            logins: AtomicU64::new(0),
            refreshes: AtomicU64::new(0),
        }
    }

    fn session(&self) -> Option<Arc<Session>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_session(&self, s: Option<Arc<Session>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = s;
    }

    fn store(&self, g: Grant, keep_refresh: Option<Secret>) -> Arc<Session> {
        let now = self.clock.now();
        let (refresh_after, lifetime) =
            schedule(g.lifetime.unwrap_or(self.flow.default_lifetime()));
        let s = Arc::new(Session {
            access: g.access,
            refresh_token: g.refresh_token.or(keep_refresh),
            refresh_at: now + refresh_after,
            expires_at: now + lifetime,
        });
        tracing::debug!(
            family = self.flow.family(),
            refresh_in_s = refresh_after.as_secs(),
            "access token stored"
        );
        self.set_session(Some(s.clone()));
        s
    }

    /// An access token whose JWT `exp` lies well in the past (beyond any clock skew) was
    /// issued expired: every call would be refused, and each refusal would fetch the same token
    /// again. That is final, like rejected credentials.
    fn expired_on_arrival(&self, g: &Grant, failed: &mut Option<ApiError>) -> Result<(), ApiError> {
        let Some((_, exp)) = jwt::claims(g.access.expose()) else {
            return Ok(());
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        if exp + EXPIRED_ON_ARRIVAL_SKEW.as_secs_f64() >= now {
            return Ok(());
        }
        let e = ApiError::new(
            ErrorKind::CredentialsRejected,
            "Access token expired on arrival",
            format!(
                "{} issued an access token that had expired {:.0}s before this machine's clock (its \
                 `exp` claim). Every call with it would be refused, so the provider stopped instead \
                 of asking for it again. Check the clocks of the appliance and of this machine \
                 (NTP), then run Terraform again.",
                self.flow.family(),
                now - exp
            ),
        );
        self.set_session(None);
        *failed = Some(e.clone());
        Err(e)
    }

    /// Refreshes (or, without a usable refresh token, logs in). Call with the gate held.
    async fn renew(
        &self,
        failed: &mut Option<ApiError>,
        prev: Option<Arc<Session>>,
    ) -> Result<Arc<Session>, ApiError> {
        if let Some(e) = failed {
            return Err(e.clone());
        }
        if let Some(rt) = prev.and_then(|s| s.refresh_token.clone()) {
            self.refreshes.fetch_add(1, Ordering::Relaxed);
            match self.flow.refresh(&rt).await {
                Ok(g) => {
                    self.expired_on_arrival(&g, failed)?;
                    return Ok(self.store(g, Some(rt)));
                }
                Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                    tracing::debug!(
                        family = self.flow.family(),
                        status = e.status().unwrap_or(0),
                        "refresh token no longer accepted; authenticating again"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        self.logins.fetch_add(1, Ordering::Relaxed);
        match self.flow.login().await {
            Ok(g) => {
                self.expired_on_arrival(&g, failed)?;
                Ok(self.store(g, None))
            }
            Err(e) => {
                if matches!(
                    e.kind(),
                    ErrorKind::CredentialsRejected | ErrorKind::AccountLocked
                ) {
                    self.set_session(None);
                    *failed = Some(e.clone());
                }
                Err(e)
            }
        }
    }
}

#[async_trait]
impl<F: Flow> Authenticator for TokenManager<F> {
    async fn bearer(&self) -> Result<Secret, ApiError> {
        if let Some(s) = self.session() {
            let now = self.clock.now();
            if now < s.refresh_at {
                return Ok(s.access.clone());
            }
            if now < s.expires_at {
                // Due for a proactive refresh but still valid: one caller refreshes, the
                // others keep using the valid token meanwhile.
                let Ok(mut gate) = self.gate.try_lock() else {
                    return Ok(s.access.clone());
                };
                let cur = self.session();
                if let Some(c) = &cur
                    && self.clock.now() < c.refresh_at
                {
                    return Ok(c.access.clone());
                }
                return match self.renew(&mut gate, cur).await {
                    Ok(n) => Ok(n.access.clone()),
                    Err(e) if gate.is_some() => Err(e),
                    Err(e) => {
                        tracing::warn!(
                            family = self.flow.family(),
                            error = %e,
                            "proactive refresh failed; using the current token until it expires"
                        );
                        Ok(s.access.clone())
                    }
                };
            }
        }
        let mut gate = self.gate.lock().await;
        let cur = self.session();
        if let Some(c) = &cur
            && self.clock.now() < c.refresh_at
        {
            return Ok(c.access.clone());
        }
        self.renew(&mut gate, cur).await.map(|s| s.access.clone())
    }

    async fn on_unauthorized(&self, rejected: &Secret) -> Result<Secret, ApiError> {
        let mut gate = self.gate.lock().await;
        let cur = self.session();
        if let Some(c) = &cur
            && c.access != *rejected
            && gate.is_none()
        {
            return Ok(c.access.clone());
        }
        self.renew(&mut gate, cur).await.map(|s| s.access.clone())
    }

    async fn shutdown(&self) {
        let _gate = self.gate.lock().await;
        let prev = self
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(s) = prev else { return };
        let ended = match &s.refresh_token {
            Some(rt) => self.flow.logout(&s.access, rt).await,
            None => self.flow.release(&s.access).await,
        };
        if let Err(e) = ended {
            tracing::debug!(
                family = self.flow.family(),
                error = %e,
                "ending the session failed"
            );
        }
    }

    fn scheme(&self) -> &'static str {
        self.flow.scheme()
    }

    fn method(&self) -> AuthMethod {
        self.flow.method()
    }

    fn counters(&self) -> AuthCounters {
        AuthCounters {
            logins: self.logins.load(Ordering::Relaxed),
            refreshes: self.refreshes.load(Ordering::Relaxed),
        }
    }
}
