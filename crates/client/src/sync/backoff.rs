//! When to try again after a failed sync: doubling pauses with jitter, so a room of laptops
//! whose Wi-Fi comes back at once does not retry in step. Pure: the random draw is passed in.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff { first, max, failures: 0 }
    }

    /// After a success: the next failure starts from the first pause again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The pause after one more failure: `first · 2^(n-1)`, capped at `max`, plus up to half of
    /// it again as jitter. `unit` is a random draw in [0, 1).
    pub fn next(&mut self, unit: f64) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let base = self.first.saturating_mul(1u32 << (self.failures - 1).min(20)).min(self.max);
        base + base.mul_f64(unit.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap_and_reset_after_success() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
        let waits: Vec<u64> = (0..7).map(|_| b.next(0.0).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60]);
        b.reset();
        assert_eq!(b.next(0.0), Duration::from_secs(2));
    }

    #[test]
    fn jitter_adds_at_most_half() {
        let mut b = Backoff::new(Duration::from_secs(10), Duration::from_secs(60));
        assert_eq!(b.next(0.999_999).as_millis(), 14_999);
        let mut b = Backoff::new(Duration::from_secs(10), Duration::from_secs(60));
        assert_eq!(b.next(7.0), Duration::from_secs(15), "out-of-range draws are clamped");
    }

    #[test]
    fn thousands_of_failures_do_not_overflow() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        for _ in 0..10_000 {
            assert!(b.next(0.5) <= Duration::from_secs(45));
        }
    }
}
