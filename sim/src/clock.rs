//! The simulated clock: real time scaled by `--time-scale`, plus whatever the control API added
//! with `POST /_sim/clock/advance`. Every TTL, expiry and lockout window is measured on it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub struct Clock {
    start: Instant,
    base_ms: i64,
    scale: f64,
    advanced_ms: AtomicI64,
}

pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Clock {
    /// A clock that starts at real time plus `skew_ms` and runs `scale` times faster than real time.
    pub fn new(scale: f64, skew_ms: i64) -> Clock {
        Clock {
            start: Instant::now(),
            base_ms: real_now_ms() + skew_ms,
            scale,
            advanced_ms: AtomicI64::new(0),
        }
    }

    /// Simulated now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let elapsed = self.start.elapsed().as_secs_f64() * 1000.0 * self.scale;
        self.base_ms
            .saturating_add(elapsed as i64)
            .saturating_add(self.advanced_ms.load(Ordering::Relaxed))
    }

    pub fn advance(&self, ms: i64) {
        self.advanced_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Simulated minus real time; persisted so that a restarted sim keeps its advanced clock.
    pub fn skew_ms(&self) -> i64 {
        self.now_ms() - real_now_ms()
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now() {
        let c = Clock::new(1.0, 0);
        let a = c.now_ms();
        c.advance(3_600_000);
        assert!(c.now_ms() - a >= 3_600_000);
    }
}
