//! The one retry step of the client: after a failed attempt, wait for the next one or give up.
//! Both retry loops use it — [`HttpClient::send_as`] for every request and
//! `ApiClient::create_with_lookup` for creates (which look the object up before a create may
//! go again) — so the policy (how many retries, backoff with jitter, `Retry-After`, the
//! deadline, the stop signal) lives here and in [`Retries`], nowhere else.

use std::time::Duration;

use super::HttpClient;
use super::cancel::{Stage, cancelled, secs};
use crate::client::error::{ApiError, OpContext};
use crate::client::retry::{GiveUp, Retries};

/// A failed attempt, as the retry step sees it.
#[derive(Debug)]
pub struct Failed {
    pub error: ApiError,
    /// Whether this failure may be tried again at all.
    pub retryable: bool,
    /// Said before "Gave up after N attempt(s)." when the retries are used up (what the
    /// failure means for the object). Without it, that sentence follows only when retries
    /// were made.
    pub when_exhausted: Option<&'static str>,
}

/// The request being retried, for the step's log line and for its error when the provider
/// stops during the wait.
#[derive(Debug)]
pub struct Retrying<'a> {
    /// `METHOD scheme://host/path`.
    pub target: &'a str,
    pub op: &'a OpContext,
    /// The API family, where the caller knows it (for the log line).
    pub family: Option<&'a str>,
    /// The log message of a retry.
    pub log: &'a str,
}

impl HttpClient {
    /// Waits `delay` before the next attempt of `target`, unless the provider is stopped
    /// first: then the error says so (with `last`, the failure that led to the wait).
    pub async fn backoff(
        &self,
        delay: Duration,
        target: &str,
        op: &OpContext,
        last: &ApiError,
    ) -> Result<(), ApiError> {
        tokio::select! {
            _ = tokio::time::sleep(delay) => Ok(()),
            _ = self.cancelled() => Err(cancelled(target, op, Stage::Backoff(delay, last))),
        }
    }

    /// After a failed attempt: waits the backoff [`Retries`] decides and counts the retry
    /// (`Ok`: attempt again), or returns the error to give up with, completed with why — the
    /// failure is not one to retry, the retries are used up, the server asked for a longer
    /// wait than the provider waits, another attempt would pass the deadline, or the provider
    /// was stopped during the wait.
    pub async fn retry_step(
        &self,
        retries: &mut Retries,
        failed: Failed,
        about: &Retrying<'_>,
    ) -> Result<(), ApiError> {
        let err = failed.error;
        let delay =
            match retries.next_delay(failed.retryable, err.retry_after(), rand::random::<f64>()) {
                Ok(delay) => delay,
                Err(why) => return Err(gave_up(retries, why, err, failed.when_exhausted)),
            };
        tracing::debug!(
            request = about.target,
            family = about.family,
            status = err.status().unwrap_or(0),
            kind = ?err.kind(),
            retry = retries.made() + 1,
            delay_ms = delay.as_millis() as u64,
            "{}",
            about.log
        );
        self.backoff(delay, about.target, about.op, &err).await?;
        retries.retried();
        Ok(())
    }
}

/// `err` completed with why the retries end.
fn gave_up(retries: &Retries, why: GiveUp, err: ApiError, note: Option<&str>) -> ApiError {
    let attempts = retries.made() + 1;
    match (why, note) {
        (GiveUp::Exhausted, Some(note)) => err
            .add_detail(note)
            .add_detail(&format!("Gave up after {attempts} attempt(s).")),
        (GiveUp::NotRetryable | GiveUp::Exhausted, _) if retries.made() > 0 => {
            err.add_detail(&format!("Gave up after {attempts} attempt(s)."))
        }
        (GiveUp::NotRetryable | GiveUp::Exhausted, _) => err,
        (GiveUp::WaitTooLong, _) => {
            err.add_detail("The server asked to wait longer than the provider waits.")
        }
        (GiveUp::NoTimeLeft, _) => err.add_detail(&format!(
            "Gave up after {attempts} attempt(s): request_timeout ({}) bounds all attempts of \
             one request together, and another would not fit.",
            secs(retries.policy().deadline)
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::client::error::ErrorKind;
    use crate::client::retry::RetryPolicy;

    fn err() -> ApiError {
        ApiError::new(ErrorKind::Server, "Server error", "HTTP 502.")
    }

    fn after(made: u32) -> Retries {
        let mut r = Retries::within_deadline(RetryPolicy::new(5, Duration::from_secs(2)));
        for _ in 0..made {
            r.retried();
        }
        r
    }

    #[test]
    fn giving_up_says_why() {
        let text = |r: &Retries, why, note| gave_up(r, why, err(), note).detail().to_string();
        assert_eq!(text(&after(0), GiveUp::NotRetryable, None), "HTTP 502.");
        assert_eq!(text(&after(0), GiveUp::Exhausted, None), "HTTP 502.");
        assert_eq!(
            text(&after(2), GiveUp::NotRetryable, None),
            "HTTP 502. Gave up after 3 attempt(s)."
        );
        assert_eq!(
            text(&after(5), GiveUp::Exhausted, Some("Not created.")),
            "HTTP 502. Not created. Gave up after 6 attempt(s)."
        );
        assert_eq!(
            text(&after(1), GiveUp::WaitTooLong, Some("Not created.")),
            "HTTP 502. The server asked to wait longer than the provider waits."
        );
        assert_eq!(
            text(&after(0), GiveUp::NoTimeLeft, None),
            "HTTP 502. Gave up after 1 attempt(s): request_timeout (2s) bounds all attempts of \
             one request together, and another would not fit."
        );
    }
}
