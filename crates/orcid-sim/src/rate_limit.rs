//! ORCID's Member API limit: a token bucket per client id, 24 requests a second with a
//! burst of 40; beyond it the API answers 503 (orcid-api.md §8).

use std::collections::HashMap;
use std::time::Instant;

pub(crate) const DEFAULT: (u32, u32) = (24, 40);

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub(crate) struct RateLimiter {
    /// (requests per second, burst); None: no limit.
    config: Option<(u32, u32)>,
    buckets: HashMap<String, Bucket>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter {
            config: Some(DEFAULT),
            buckets: HashMap::new(),
        }
    }
}

impl RateLimiter {
    pub fn config(&self) -> Option<(u32, u32)> {
        self.config
    }

    /// A new limit starts every client with a full bucket.
    #[cfg(any(test, feature = "testing"))]
    pub fn set(&mut self, config: Option<(u32, u32)>) {
        self.config = config;
        self.buckets.clear();
    }

    /// Takes one token from `client_id`'s bucket; false when it is empty.
    pub fn allow(&mut self, client_id: &str, now: Instant) -> bool {
        let Some((per_sec, burst)) = self.config else {
            return true;
        };
        let burst = f64::from(burst.max(1));
        let bucket = self.buckets.entry(client_id.to_owned()).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * f64::from(per_sec)).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
