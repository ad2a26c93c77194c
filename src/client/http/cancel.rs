//! The error of a request ended by the provider's stop signal.

use std::time::Duration;

use crate::client::error::{ApiError, ErrorKind, OpContext};

/// Where a request stood when the provider was stopped.
pub(crate) enum Stage<'a> {
    /// Not sent yet.
    NotSent,
    /// Sent (idempotent or not), the answer not complete.
    InFlight(bool),
    /// Waiting this long before the next attempt, after this failure.
    Backoff(Duration, &'a ApiError),
}

/// The error of a request ended by the stop signal: says that Terraform stopped the run, names
/// the request, and says whether it may have been applied.
pub(crate) fn cancelled(target: &str, op: &OpContext, stage: Stage<'_>) -> ApiError {
    let what = if op.what.is_empty() {
        target.to_string()
    } else {
        format!("{} ({target})", op.what)
    };
    let how = match stage {
        Stage::NotSent => "before the request was sent; nothing was sent.".to_string(),
        Stage::InFlight(true) => "while it waited for the answer; the provider closed the \
             connection. The request is safe to repeat: running Terraform again does it again."
            .to_string(),
        Stage::InFlight(false) => "while it waited for the answer; the provider closed the \
             connection. The request had been sent, so the server may have applied it."
            .to_string(),
        Stage::Backoff(delay, last) => format!(
            "while it waited {} to try again; it was not sent again. {}",
            secs(delay),
            match last.status() {
                Some(s) => format!("The server had answered the last attempt with HTTP {s}."),
                None => format!("The last attempt had failed ({}).", last.summary()),
            }
        ),
    };
    ApiError::new(
        ErrorKind::Cancelled,
        "Operation cancelled",
        format!(
            "{what}: cancelled by Terraform (Ctrl-C or an interrupted run stops the provider) {how}"
        ),
    )
}

/// `60s`, `1.5s`.
pub(super) fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}
