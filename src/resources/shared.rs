//! Reads that the resources of one provider process share.
//!
//! Terraform refreshes every resource instance with its own call, many at once. Where the API
//! has no cheap read of one object (SDDC Manager users), or where one read answers for many
//! instances (one principal's role assignments, one API client's tokens, one realm's roles),
//! the instances share that read: the first caller of a key fetches, callers that come while it
//! is under way wait for its answer, and later callers get the same answer until it is forgotten
//! (after a write in this process) or, for aged reads, until it is older than the age limit.
//! A failed fetch is not kept: the next caller tries again.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a refresh read is shared: a plan reads all its instances within seconds, and a
/// long-lived provider process (`terraform console`, a test run) must not see old answers.
pub const REFRESH_MAX_AGE: Duration = Duration::from_secs(60);

type Cell<V> = Arc<tokio::sync::OnceCell<(Instant, V)>>;

/// Shared answers by key; see the module documentation.
pub struct SharedReads<V> {
    /// None: kept until forgotten.
    max_age: Option<Duration>,
    cells: Mutex<HashMap<String, Cell<V>>>,
}

impl<V> fmt::Debug for SharedReads<V> {
    /// Only the shape: the answers may hold names or ids that belong in no log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.cells.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("SharedReads")
            .field("max_age", &self.max_age)
            .field("keys", &keys)
            .finish()
    }
}

impl<V: Clone> SharedReads<V> {
    /// Answers are fetched again once they are older than `max_age`.
    pub fn aged(max_age: Duration) -> Self {
        SharedReads {
            max_age: Some(max_age),
            cells: Mutex::default(),
        }
    }

    /// Answers are kept until [`forget`](Self::forget) (for what only this process changes).
    pub fn until_forgotten() -> Self {
        SharedReads {
            max_age: None,
            cells: Mutex::default(),
        }
    }

    fn cell(&self, key: &str) -> Cell<V> {
        // A poisoned map only means another caller panicked while holding it; the map itself
        // is always whole, so keep using it.
        let mut m = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(max_age) = self.max_age {
            let stale = m
                .get(key)
                .and_then(|c| c.get())
                .is_some_and(|(taken, _)| taken.elapsed() >= max_age);
            if stale {
                m.remove(key);
            }
        }
        m.entry(key.to_string()).or_default().clone()
    }

    /// The shared answer for `key`, fetched by `fetch` when there is none (or it is too old).
    pub async fn get<E, F, Fut>(&self, key: &str, fetch: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        self.cell(key)
            .get_or_try_init(|| async { Ok((Instant::now(), fetch().await?)) })
            .await
            .map(|(_, v)| v.clone())
    }

    /// Drops the answer for `key`: the next caller fetches again. Callers already waiting for a
    /// fetch under way still get its answer.
    pub fn forget(&self, key: &str) {
        self.cells
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fetch that counts its calls and answers with the count.
    async fn counted(calls: &AtomicUsize) -> Result<usize, String> {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::task::yield_now().await;
        Ok(n)
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let reads = SharedReads::<usize>::until_forgotten();
        let calls = AtomicUsize::new(0);
        let fetch = || reads.get("k", || counted(&calls));
        let answers = tokio::join!(fetch(), fetch(), fetch(), fetch());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(answers, (Ok(1), Ok(1), Ok(1), Ok(1)));
        // Other keys are fetched on their own.
        assert_eq!(reads.get("other", || counted(&calls)).await, Ok(2));
        assert_eq!(reads.get("k", || counted(&calls)).await, Ok(1));
    }

    #[tokio::test]
    async fn forget_makes_the_next_caller_fetch() {
        let reads = SharedReads::<usize>::until_forgotten();
        let calls = AtomicUsize::new(0);
        assert_eq!(reads.get("k", || counted(&calls)).await, Ok(1));
        reads.forget("k");
        assert_eq!(reads.get("k", || counted(&calls)).await, Ok(2));
        assert_eq!(reads.get("k", || counted(&calls)).await, Ok(2));
    }

    #[tokio::test]
    async fn failures_are_not_kept() {
        let reads = SharedReads::<usize>::until_forgotten();
        let failed: Result<usize, String> = reads.get("k", || async { Err("down".into()) }).await;
        assert_eq!(failed, Err("down".to_string()));
        let calls = AtomicUsize::new(0);
        assert_eq!(reads.get("k", || counted(&calls)).await, Ok(1));
    }

    #[tokio::test]
    async fn aged_answers_are_fetched_again() {
        // An age limit of zero makes every kept answer too old; a long one keeps it.
        let calls = AtomicUsize::new(0);
        let always_old = SharedReads::<usize>::aged(Duration::ZERO);
        assert_eq!(always_old.get("k", || counted(&calls)).await, Ok(1));
        assert_eq!(always_old.get("k", || counted(&calls)).await, Ok(2));
        let kept = SharedReads::<usize>::aged(Duration::from_secs(3600));
        assert_eq!(kept.get("k", || counted(&calls)).await, Ok(3));
        assert_eq!(kept.get("k", || counted(&calls)).await, Ok(3));
    }

    #[tokio::test]
    async fn debug_shows_no_answers() {
        let reads = SharedReads::<String>::until_forgotten();
        let v: Result<String, ()> = reads
            .get("realm/principal", || async { Ok("answer".to_string()) })
            .await;
        assert_eq!(v.as_deref(), Ok("answer"));
        let shown = format!("{reads:?}");
        assert!(shown.contains("keys: 1"), "{shown}");
        assert!(
            !shown.contains("answer") && !shown.contains("principal"),
            "{shown}"
        );
    }
}
