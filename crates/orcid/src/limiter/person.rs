//! A rate per person: calls made for one iD, so that one person cannot use the share of
//! ORCID's rate limit that everyone else needs.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::{Held, TokioClock};
use crate::OrcidId;

/// How many checks pass between two clean-ups of people with nothing left to count.
const CLEAN_EVERY: u64 = 1024;

/// `per_minute` calls a person, with a burst of `burst`; never waits, only says when.
#[derive(Clone)]
pub struct PersonLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    rate: RateLimiter<OrcidId, DefaultKeyedStateStore<OrcidId>, TokioClock, NoOpMiddleware<Nanos>>,
    clock: TokioClock,
    checks: AtomicU64,
}

impl PersonLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let clock = TokioClock::default();
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            inner: Arc::new(Inner {
                rate: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone()),
                clock,
                checks: AtomicU64::new(0),
            }),
        }
    }

    /// Counts one call for `person`, or says how long until the next is allowed.
    pub fn check(&self, person: &OrcidId) -> Result<(), Held> {
        let inner = &*self.inner;
        if inner.checks.fetch_add(1, Ordering::Relaxed) % CLEAN_EVERY == CLEAN_EVERY - 1 {
            // People whose allowance is whole again need no entry: memory stays bounded by
            // those active in the last minute or so.
            inner.rate.retain_recent();
            inner.rate.shrink_to_fit();
        }
        inner
            .rate
            .check_key(person)
            .map_err(|not_until| Held::PersonLimit {
                retry_after: not_until.wait_time_from(inner.clock.now()),
            })
    }
}
