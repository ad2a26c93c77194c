//! Unit tests of the token manager and of the mapping of rejected logins.

use super::*;
use std::sync::Mutex;

/// A flow that counts calls and answers from a script.
struct Scripted {
    logins: Mutex<Vec<Result<Grant, ApiError>>>,
    refreshes: Mutex<Vec<Result<Grant, ApiError>>>,
    delay: Duration,
}

fn grant(token: &str, refresh: Option<&str>) -> Result<Grant, ApiError> {
    Ok(Grant {
        access: Secret::new(token),
        lifetime: Some(Duration::from_secs(3600)),
        refresh_token: refresh.map(Secret::new),
    })
}

fn status(s: u16) -> ApiError {
    ApiError::new(ErrorKind::BadRequest, "x", "y").with_status(s)
}

#[async_trait]
impl Flow for Scripted {
    async fn login(&self) -> Result<Grant, ApiError> {
        tokio::time::sleep(self.delay).await;
        self.logins.lock().expect("lock").remove(0)
    }
    async fn refresh(&self, _rt: &Secret) -> Result<Grant, ApiError> {
        tokio::time::sleep(self.delay).await;
        self.refreshes.lock().expect("lock").remove(0)
    }
    fn method(&self) -> AuthMethod {
        AuthMethod::Password
    }
    fn family(&self) -> &'static str {
        "test"
    }
}

fn manager(
    logins: Vec<Result<Grant, ApiError>>,
    refreshes: Vec<Result<Grant, ApiError>>,
) -> Arc<TokenManager<Scripted>> {
    Arc::new(TokenManager::new(
        Scripted {
            logins: Mutex::new(logins),
            refreshes: Mutex::new(refreshes),
            delay: Duration::from_millis(5),
        },
        Clock::default(),
    ))
}

#[tokio::test]
async fn concurrent_callers_share_one_login_and_one_refresh() {
    let m = manager(vec![grant("a1", Some("r1"))], vec![grant("a2", None)]);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let m = m.clone();
            tokio::spawn(async move { m.bearer().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("bearer").expose(), "a1");
    }
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let m = m.clone();
            tokio::spawn(async move { m.on_unauthorized(&Secret::new("a1")).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("fresh").expose(), "a2");
    }
    assert_eq!(
        m.counters(),
        AuthCounters {
            logins: 1,
            refreshes: 1
        }
    );
}

#[tokio::test]
async fn dead_refresh_token_leads_to_one_login_and_rejection_is_final() {
    let m = manager(
        vec![
            grant("a1", Some("r1")),
            Err(rejected(status(401), "SDDC Manager", "u", "fix")),
        ],
        vec![Err(status(404))],
    );
    m.bearer().await.expect("login");
    let e = m
        .on_unauthorized(&Secret::new("a1"))
        .await
        .expect_err("rejected");
    assert_eq!(e.kind(), ErrorKind::CredentialsRejected);
    // Final: no further login call (the script is empty and would panic).
    assert_eq!(
        m.bearer().await.expect_err("final").kind(),
        ErrorKind::CredentialsRejected
    );
    assert_eq!(
        m.counters(),
        AuthCounters {
            logins: 2,
            refreshes: 1
        }
    );
}

#[tokio::test]
async fn proactive_refresh_at_three_quarters() {
    let m = manager(vec![grant("a1", Some("r1"))], vec![grant("a2", None)]);
    assert_eq!(m.bearer().await.expect("login").expose(), "a1");
    m.clock.advance(Duration::from_secs(44 * 60));
    assert_eq!(m.bearer().await.expect("still valid").expose(), "a1");
    m.clock.advance(Duration::from_secs(2 * 60));
    assert_eq!(m.bearer().await.expect("refreshed").expose(), "a2");
    assert_eq!(
        m.counters(),
        AuthCounters {
            logins: 1,
            refreshes: 1
        }
    );
}

#[tokio::test]
async fn transient_refresh_failure_keeps_the_valid_token() {
    let m = manager(vec![grant("a1", Some("r1"))], vec![Err(status(503))]);
    m.bearer().await.expect("login");
    m.clock.advance(Duration::from_secs(50 * 60));
    assert_eq!(m.bearer().await.expect("old token").expose(), "a1");
}

#[test]
fn schedule_is_three_quarters_with_a_floor() {
    assert_eq!(
        schedule(Duration::from_secs(3600)),
        (Duration::from_secs(2700), Duration::from_secs(3600))
    );
    assert_eq!(schedule(Duration::ZERO).1, MIN_LIFETIME);
}

#[test]
fn rejection_mapping() {
    let e = rejected(
        status(401),
        "SDDC Manager",
        "user \"u\"",
        "check the password",
    );
    assert_eq!(e.kind(), ErrorKind::CredentialsRejected);
    assert!(
        e.to_string()
            .contains("rejected the credentials of user \"u\""),
        "{e}"
    );
    let locked = ApiError::new(ErrorKind::Unauthorized, "x", "ACCOUNT_LOCKED").with_status(401);
    assert_eq!(
        rejected(locked, "f", "u", "x").kind(),
        ErrorKind::AccountLocked
    );
    assert_eq!(
        rejected(status(423), "f", "u", "x").kind(),
        ErrorKind::AccountLocked
    );
    let grant =
        ApiError::new(ErrorKind::BadRequest, "x", "{\"error\":\"invalid_grant\"}").with_status(400);
    assert_eq!(
        rejected(grant, "f", "u", "x").kind(),
        ErrorKind::CredentialsRejected
    );
    assert_eq!(
        rejected(status(503), "f", "u", "x").kind(),
        ErrorKind::BadRequest
    );
    let net = ApiError::new(ErrorKind::Connect, "x", "y");
    assert_eq!(rejected(net, "f", "u", "x").kind(), ErrorKind::Connect);
}
