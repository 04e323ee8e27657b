//! One client-side rate limit for every call an [`OrcidClient`](crate::OrcidClient) makes
//! to ORCID, shared by all its clones and sized by
//! [`ClientConfig::rate_per_sec`](crate::ClientConfig::rate_per_sec) and
//! [`ClientConfig::burst`](crate::ClientConfig::burst); and the retry policy for transient
//! failures.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use rand::Rng;

#[derive(Clone)]
pub struct Limiter {
    inner: Arc<RateLimiter<NotKeyed, InMemoryState, DefaultClock>>,
}

impl Limiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: Arc::new(RateLimiter::direct(
                Quota::per_second(rate).allow_burst(burst),
            )),
        }
    }

    /// The limiter for ORCID's own limit of `per_second` with a burst of `burst`, keeping
    /// a few slots of the burst in reserve ([`burst_reserve`]). ORCID counts a request
    /// when it arrives, idlink when it leaves; at full speed both buckets run empty, and a
    /// request that takes less time to arrive than the one before it would find ORCID's
    /// bucket a fraction of a token short and get a 503. The reserve absorbs that
    /// difference in travel time (4 slots at 24/s: about 170 ms) without lowering the rate.
    pub fn for_orcid(per_second: u32, burst: u32) -> Self {
        Self::new(
            per_second,
            burst.saturating_sub(burst_reserve(burst)).max(1),
        )
    }

    /// Waits for a slot.
    pub async fn ready(&self) {
        self.inner.until_ready().await;
    }
}

/// Slots of ORCID's burst idlink leaves unused: a tenth, at least one (none when the
/// burst is a single request).
pub fn burst_reserve(burst: u32) -> u32 {
    if burst <= 1 {
        0
    } else {
        (burst / 10).max(1)
    }
}

/// How often, and how patiently, a transient failure (503, 5xx, timeout) is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with equal jitter (a random delay between half and all of the
    /// capped exponential step) before attempt `n` (1-based, n ≥ 2), or the
    /// server's Retry-After when it gave one (capped).
    pub fn delay(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(self.max);
        }
        let exp = self
            .base
            .saturating_mul(1u32 << (n.saturating_sub(2)).min(16));
        let cap = exp.min(self.max);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for n in 2..10 {
            let d = p.delay(n, None);
            let exp = p.base.saturating_mul(1 << (n - 2)).min(p.max);
            assert!(d <= exp && d >= exp / 2, "attempt {n}: {d:?}");
        }
        assert_eq!(p.delay(3, Some(Duration::from_secs(60))), p.max);
        assert_eq!(
            p.delay(3, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn orcids_burst_keeps_a_reserve() {
        assert_eq!(burst_reserve(40), 4);
        assert_eq!(burst_reserve(5), 1);
        assert_eq!(burst_reserve(1), 0);
        let l = Limiter::for_orcid(24, 40);
        let granted = (0..50).filter(|_| l.inner.check().is_ok()).count();
        assert_eq!(granted, 36);
    }

    #[tokio::test]
    async fn burst_then_rate() {
        let l = Limiter::new(50, 5);
        let start = std::time::Instant::now();
        let granted = (0..10).filter(|_| l.inner.check().is_ok()).count();
        assert!((5..=6).contains(&granted), "the burst is 5, got {granted}");
        for _ in 0..5 {
            l.ready().await;
        }
        // Five more at 50/s cannot come sooner than about 100 ms after the burst.
        assert!(
            start.elapsed() >= Duration::from_millis(80),
            "{:?}",
            start.elapsed()
        );
    }
}
