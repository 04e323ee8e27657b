//! The client-side limits on calls to ORCID, shared by every clone of an
//! [`OrcidClient`](crate::OrcidClient): one rate for the whole client, sized by
//! [`ClientConfig::rate_per_sec`](crate::ClientConfig::rate_per_sec) and
//! [`ClientConfig::burst`](crate::ClientConfig::burst), served in [`Priority`] order with a
//! bounded wait; a rate per person ([`PersonLimiter`]); and the retry policy for
//! transient failures.

mod person;

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use rand::Rng;
use tokio::sync::Notify;
use tokio::time::Instant;

pub use person::PersonLimiter;

/// Who waits for a call: a person at a page, or a background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Someone is waiting for the page: served before any bulk call, and only for
    /// a bounded time ([`Limiter::new`]'s `max_wait`).
    Interactive,
    /// A background job: takes the slots no interactive call is waiting for, however
    /// long that takes; no person waits on it.
    Bulk,
    /// Upkeep no one waits for (confirming that grants still work): served only when no
    /// person and no bulk call is waiting, so it only ever uses capacity left over.
    Idle,
}

/// idlink's own limits kept a call from being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Held {
    /// No turn at the shared rate within the bounded wait: too many calls ahead.
    #[error("ORCID is busy: no turn at idlink's share of ORCID's rate limit in time")]
    Busy,
    /// The person behind the call has used their own share for now.
    #[error("too many ORCID calls for one person; the next is allowed in {} s", retry_after.as_secs())]
    PersonLimit { retry_after: Duration },
}

impl Held {
    /// A short label for metrics.
    pub fn outcome(&self) -> &'static str {
        match self {
            Held::Busy => "queue_busy",
            Held::PersonLimit { .. } => "person_limit",
        }
    }
}

/// governor's clock read from tokio's, so that the limiter's sense of time and its sleeps
/// agree (and tests can pause time).
#[derive(Debug, Clone)]
pub(crate) struct TokioClock {
    start: Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed())
    }
}

/// One rate for all calls, handed out in turns: the oldest interactive caller first,
/// then the oldest bulk caller, then the oldest idle one. Only the caller at the head of the line asks the rate for
/// a slot; the others sleep until the line moves.
#[derive(Clone)]
pub struct Limiter {
    shared: Arc<Shared>,
}

struct Shared {
    rate: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Nanos>>,
    clock: TokioClock,
    line: Mutex<Line>,
    /// Someone left the line: the next at its head may go.
    moved: Notify,
    max_wait: Duration,
    /// Interactive callers allowed in the line at once: more could not be served within
    /// `max_wait`, so they are told "busy" at once instead of after the wait.
    max_waiting: usize,
}

#[derive(Default)]
struct Line {
    next_ticket: u64,
    interactive: VecDeque<u64>,
    bulk: VecDeque<u64>,
    idle: VecDeque<u64>,
}

impl Line {
    fn head(&self) -> Option<u64> {
        self.interactive
            .front()
            .or(self.bulk.front())
            .or(self.idle.front())
            .copied()
    }

    fn queue(&mut self, priority: Priority) -> &mut VecDeque<u64> {
        match priority {
            Priority::Interactive => &mut self.interactive,
            Priority::Bulk => &mut self.bulk,
            Priority::Idle => &mut self.idle,
        }
    }
}

/// A caller's place in the line; leaving it (served, refused or cancelled) lets the
/// next one go.
struct Place<'a> {
    shared: &'a Shared,
    ticket: u64,
    priority: Priority,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut line = self.shared.lock();
        let queue = line.queue(self.priority);
        if let Some(i) = queue.iter().position(|t| *t == self.ticket) {
            queue.remove(i);
        }
        drop(line);
        self.shared.moved.notify_waiters();
    }
}

impl Shared {
    /// The line holds plain numbers, so a poisoned lock still holds a usable value.
    fn lock(&self) -> MutexGuard<'_, Line> {
        self.line.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_head(&self, ticket: u64) -> bool {
        self.lock().head() == Some(ticket)
    }
}

impl Limiter {
    /// `per_second` with a burst of `burst`; an interactive caller waits at most
    /// `max_wait` for its turn.
    pub fn new(per_second: u32, burst: u32, max_wait: Duration) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let clock = TokioClock::default();
        let quota = Quota::per_second(rate).allow_burst(burst);
        let max_waiting = (f64::from(rate.get()) * max_wait.as_secs_f64()).ceil() as usize;
        Self {
            shared: Arc::new(Shared {
                rate: RateLimiter::direct_with_clock(quota, clock.clone()),
                clock,
                line: Mutex::default(),
                moved: Notify::new(),
                max_wait,
                max_waiting: max_waiting.max(1),
            }),
        }
    }

    /// The limiter for ORCID's own limit of `per_second` with a burst of `burst`, keeping
    /// a few slots of the burst in reserve ([`burst_reserve`]). ORCID counts a request
    /// when it arrives, idlink when it leaves; at full speed both buckets run empty, and a
    /// request that takes less time to arrive than the one before it would find ORCID's
    /// bucket a fraction of a token short and get a 503. The reserve absorbs that
    /// difference in travel time (4 slots at 24/s: about 170 ms) without lowering the rate.
    pub fn for_orcid(per_second: u32, burst: u32, max_wait: Duration) -> Self {
        Self::new(
            per_second,
            burst.saturating_sub(burst_reserve(burst)).max(1),
            max_wait,
        )
    }

    /// Waits for a slot in `priority`'s turn. An interactive caller is refused with
    /// [`Held::Busy`] at once when the line is already longer than the bounded wait can
    /// serve, and as soon as its turn cannot come within that wait.
    pub async fn acquire(&self, priority: Priority) -> Result<(), Held> {
        let shared = &*self.shared;
        let place = self.join(priority)?;
        let deadline = match priority {
            Priority::Interactive => Some(Instant::now() + shared.max_wait),
            Priority::Bulk | Priority::Idle => None,
        };
        loop {
            // Listening before looking, so a move between the two is not missed.
            let moved = shared.moved.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            let slot_in = if shared.is_head(place.ticket) {
                match shared.rate.check() {
                    Ok(()) => return Ok(()),
                    Err(not_until) => Some(not_until.wait_time_from(shared.clock.now())),
                }
            } else {
                None
            };
            let now = Instant::now();
            if let Some(deadline) = deadline {
                if now >= deadline || slot_in.is_some_and(|w| now + w > deadline) {
                    return Err(Held::Busy);
                }
            }
            match slot_in.map(|w| now + w).or(deadline) {
                Some(at) => {
                    tokio::select! {
                        () = &mut moved => {}
                        () = tokio::time::sleep_until(at) => {}
                    }
                }
                None => moved.await,
            }
        }
    }

    fn join(&self, priority: Priority) -> Result<Place<'_>, Held> {
        let shared = &*self.shared;
        let mut line = shared.lock();
        if priority == Priority::Interactive && line.interactive.len() >= shared.max_waiting {
            return Err(Held::Busy);
        }
        let ticket = line.next_ticket;
        line.next_ticket += 1;
        line.queue(priority).push_back(ticket);
        Ok(Place {
            shared,
            ticket,
            priority,
        })
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
#[path = "limiter_tests.rs"]
mod tests;
