//! Waiting for something to happen by looking again and again, not by sleeping a fixed
//! time: fast when it happens at once, patient on a loaded machine.

use std::future::Future;
use std::time::Duration;

use tokio::time::{sleep, Instant};

/// The condition did not hold within the time allowed.
#[derive(Debug)]
pub struct TimedOut(pub Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not within {:?}", self.0)
    }
}

/// Checks `condition` until it is true or `timeout` has passed; callers say what they
/// waited for: `wait_until(.., ..).await.expect("the job finishes")`.
pub async fn wait_until<F, Fut>(mut condition: F, timeout: Duration) -> Result<(), TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    wait_for(
        || {
            let check = condition();
            async move { check.await.then_some(()) }
        },
        timeout,
    )
    .await
}

/// Like [`wait_until`], for a condition that yields a value once it holds.
pub async fn wait_for<T, F, Fut>(condition: F, timeout: Duration) -> Result<T, TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    // Look often at first, then less, so a long wait does not crowd the machine.
    poll(condition, timeout, Duration::from_millis(50)).await
}

/// Like [`wait_until`], but looking every `every` however long it takes: for timings,
/// where noticing late would be counted as time taken.
pub async fn wait_until_every<F, Fut>(
    mut condition: F,
    timeout: Duration,
    every: Duration,
) -> Result<(), TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    poll(
        || {
            let check = condition();
            async move { check.await.then_some(()) }
        },
        timeout,
        every,
    )
    .await
}

/// Checks `condition` until it yields a value or `timeout` has passed, pausing 5 ms
/// after the first look and twice as long after each one, up to `longest`.
async fn poll<T, F, Fut>(
    mut condition: F,
    timeout: Duration,
    longest: Duration,
) -> Result<T, TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(5).min(longest);
    loop {
        if let Some(value) = condition().await {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(TimedOut(timeout));
        }
        sleep(pause).await;
        pause = (pause * 2).min(longest);
    }
}
