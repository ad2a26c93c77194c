//! When and how long to wait before retrying: exponential backoff with full jitter, bounded by
//! a cap, the number of retries and an overall deadline, and `Retry-After` honoured.
//! [`Retries`] applies the policy to the attempts of one request; the client's one retry step
//! (`HttpClient::retry_step`) asks it after each failure and waits what it says.

use std::time::{Duration, Instant, SystemTime};

/// Statuses worth retrying for an idempotent request.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Ceiling of the first backoff; doubled on each retry.
    pub base: Duration,
    /// Largest backoff ceiling.
    pub cap: Duration,
    /// Longest `Retry-After` the client waits; a longer one ends the retries.
    pub max_retry_after: Duration,
    /// Time budget of all attempts of one request together.
    pub deadline: Duration,
}

impl RetryPolicy {
    /// The policy for the provider settings: `max_retries` retries, all attempts of one
    /// request (and the waits between them) within `request_timeout`, the setting's "time
    /// limit for one HTTP request".
    pub fn new(max_retries: u32, request_timeout: Duration) -> Self {
        RetryPolicy {
            max_retries,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            deadline: request_timeout,
        }
    }

    /// Ceiling of the backoff before retry number `retry` (0 for the first retry):
    /// `min(cap, base * 2^retry)`, without overflow.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The wait before retry number `retry`: full jitter (`unit` in [0, 1) scales the ceiling),
    /// but never less than `retry_after`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let jitter = self.ceiling(retry).mul_f64(unit);
        match retry_after {
            Some(ra) => ra.max(jitter),
            None => jitter,
        }
    }
}

/// Why there is no further attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The failure is not one to retry (a refusal, or a request that may have been applied and
    /// must not go again blindly).
    NotRetryable,
    /// The policy's `max_retries` retries were made.
    Exhausted,
    /// The server asked to wait longer than `max_retry_after`.
    WaitTooLong,
    /// The wait and another attempt would end after the deadline.
    NoTimeLeft,
}

/// The attempts of one request so far, under a [`RetryPolicy`]: after each failure,
/// [`Retries::next_delay`] says how long to wait before the next attempt, or why there is none.
#[derive(Debug, Clone)]
pub struct Retries {
    policy: RetryPolicy,
    /// Retries made so far (0 during the first attempt).
    made: u32,
    started: Instant,
    /// Whether the policy's deadline bounds all attempts together.
    bounded: bool,
}

impl Retries {
    /// The attempts of one request, all of them (and the waits between them) within the
    /// policy's deadline, counted from now.
    pub fn within_deadline(policy: RetryPolicy) -> Self {
        Retries {
            policy,
            made: 0,
            started: Instant::now(),
            bounded: true,
        }
    }

    /// Attempts that each keep their own deadline (each one is a whole request with its own
    /// retries, as the attempts of a create are), so only their number bounds them.
    pub fn each_within_deadline(policy: RetryPolicy) -> Self {
        Retries {
            bounded: false,
            ..Self::within_deadline(policy)
        }
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Retries made so far.
    pub fn made(&self) -> u32 {
        self.made
    }

    /// Time since the first attempt started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// What is left of the deadline.
    pub fn remaining(&self) -> Duration {
        self.policy.deadline.saturating_sub(self.elapsed())
    }

    /// After a failed attempt: the wait before the next one, or why there is none. `retryable`
    /// says whether the failure may be retried at all, `retry_after` is the server's
    /// `Retry-After`, and `unit` in [0, 1) draws the jitter.
    pub fn next_delay(
        &self,
        retryable: bool,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Result<Duration, GiveUp> {
        if !retryable {
            return Err(GiveUp::NotRetryable);
        }
        if self.made >= self.policy.max_retries {
            return Err(GiveUp::Exhausted);
        }
        if retry_after.is_some_and(|ra| ra > self.policy.max_retry_after) {
            return Err(GiveUp::WaitTooLong);
        }
        let delay = self.policy.delay(self.made, retry_after, unit);
        if self.bounded && self.elapsed() + delay >= self.policy.deadline {
            return Err(GiveUp::NoTimeLeft);
        }
        Ok(delay)
    }

    /// Counts a retry, once its wait is over.
    pub fn retried(&mut self) {
        self.made += 1;
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in
/// the past is a zero wait; garbage is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(5, Duration::from_secs(60))
    }

    #[test]
    fn ceiling_doubles_up_to_the_cap() {
        let p = policy();
        assert_eq!(p.ceiling(0), Duration::from_millis(200));
        assert_eq!(p.ceiling(1), Duration::from_millis(400));
        assert_eq!(p.ceiling(3), Duration::from_millis(1600));
        assert_eq!(p.ceiling(7), Duration::from_secs(20));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(20));
    }

    #[test]
    fn full_jitter_spans_zero_to_ceiling_and_respects_retry_after() {
        let p = policy();
        assert_eq!(p.delay(2, None, 0.0), Duration::ZERO);
        assert_eq!(p.delay(2, None, 0.5), Duration::from_millis(400));
        assert_eq!(p.delay(2, None, 1.0), Duration::from_millis(800));
        assert_eq!(p.delay(2, None, f64::NAN), Duration::ZERO);
        assert_eq!(p.delay(2, None, 7.0), Duration::from_millis(800));
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(1)), 0.9),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(9, Some(Duration::from_secs(1)), 0.5),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn the_deadline_is_the_request_timeout() {
        assert_eq!(policy().deadline, Duration::from_secs(60));
        assert_eq!(
            RetryPolicy::new(20, Duration::from_secs(300)).deadline,
            Duration::from_secs(300)
        );
    }

    #[test]
    fn retries_end_by_kind_count_retry_after_and_deadline() {
        let mut r = Retries::within_deadline(RetryPolicy::new(2, Duration::from_secs(60)));
        assert_eq!(r.next_delay(false, None, 0.5), Err(GiveUp::NotRetryable));
        assert_eq!(
            r.next_delay(true, None, 0.5),
            Ok(Duration::from_millis(100))
        );
        r.retried();
        assert_eq!(
            r.next_delay(true, Some(Duration::from_secs(3)), 0.5),
            Ok(Duration::from_secs(3))
        );
        assert_eq!(
            r.next_delay(true, Some(Duration::from_secs(121)), 0.5),
            Err(GiveUp::WaitTooLong)
        );
        assert_eq!(
            r.next_delay(true, Some(Duration::from_secs(60)), 0.5),
            Err(GiveUp::NoTimeLeft)
        );
        r.retried();
        assert_eq!(r.made(), 2);
        assert_eq!(r.next_delay(true, None, 0.5), Err(GiveUp::Exhausted));
        // Attempts with their own deadlines are bounded by their number only.
        let r = Retries::each_within_deadline(RetryPolicy::new(2, Duration::from_secs(60)));
        assert_eq!(
            r.next_delay(true, Some(Duration::from_secs(90)), 0.5),
            Ok(Duration::from_secs(90))
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in ["", "-1", "1.5", "soon", "Sun, 99 Nov 1994"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 409, 423, 500, 501] {
            assert!(!retryable_status(s));
        }
    }
}
