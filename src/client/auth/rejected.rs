//! The final errors of a rejected authentication call.

use crate::client::error::{ApiError, ErrorKind};

/// Turns the failure of an authentication call into a final `CredentialsRejected` (401, OAuth
/// `invalid_grant`/`invalid_client`) or `AccountLocked` (423, or an answer naming a lock), with
/// the fix; other failures (5xx, network) pass through unchanged.
pub(crate) fn rejected(e: ApiError, family: &str, who: &str, fix: &str) -> ApiError {
    let Some(status) = e.status() else {
        return e;
    };
    let server_said = e.detail().to_ascii_lowercase();
    let locked = status == 423 || server_said.contains("locked");
    // What the server said, without the generic advice for the status (which is about API calls,
    // not logins, and would contradict the fix given here).
    let detail = e.detail();
    let said = detail
        .find("The server said:")
        .map_or(String::new(), |i| format!(" {}", &detail[i..]));
    let refused = matches!(status, 401 | 403)
        || (status == 400
            && (server_said.contains("invalid_grant") || server_said.contains("invalid_client")));
    if locked {
        ApiError::new(
            ErrorKind::AccountLocked,
            "Account locked",
            format!(
                "{family} refused to authenticate {who} because the account is locked. The provider \
                 stopped and will not try again, so the lock is not extended. Wait for the lock to \
                 expire (or ask an administrator to unlock it), then check the credentials: {fix}.{said}"
            ),
        )
        .with_status(status)
    } else if refused {
        ApiError::new(
            ErrorKind::CredentialsRejected,
            "Credentials rejected",
            format!(
                "{family} rejected the credentials of {who} (HTTP {status}). The provider does not \
                 retry a rejected login, because repeated failures lock the account. Fix: {fix}.{said}"
            ),
        )
        .with_status(status)
    } else {
        e
    }
}
