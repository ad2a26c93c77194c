//! When and how long to wait before retrying: exponential backoff with full jitter, bounded by
//! a cap, the number of retries and an overall deadline, and `Retry-After` honoured.

use std::time::{Duration, SystemTime};

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
