//! What the benchmarks measure about one process running idlink and the simulated ORCID:
//! researchers connected through the simulated sign-in, a bulk job pushed at ORCID's rate
//! limit, the 503s idlink received, and memory from /proc.

use std::time::{Duration, Instant};

use idlink::store::{ItemStatus, JobStatus};
use orcid::OrcidId;

use super::{wait_until, wait_until_every, TestApp};

/// ORCID's Member API limit: requests a second, and the burst allowed above that.
pub const RATE: u32 = 24;
pub const BURST: u32 = 40;
/// Far more than the 6,000 requests of the largest run take at 24 a second.
const SEND_LIMIT: Duration = Duration::from_secs(1800);

/// What one bulk job's run measured.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct JobRun {
    /// Member API requests the simulated ORCID received.
    pub requests: usize,
    /// 503s idlink received.
    pub rejected: u64,
    /// From the job's start until no item was left to send.
    pub secs: f64,
    pub peak_kb: u64,
    /// Resident memory when the job started (after the sign-ins).
    pub start_kb: u64,
}

/// `n` researchers connected through the simulated ORCID's sign-in.
pub async fn connect(app: &TestApp, n: usize) -> Vec<OrcidId> {
    let mut who = Vec::with_capacity(n);
    for i in 0..n {
        let w = app.mock.add_researcher("Bench", &format!("Researcher {i}"));
        app.sign_in_as(&app.browser(), &w, "").await;
        who.push(w);
    }
    who
}

/// Puts ORCID's rate limit on the simulated ORCID and resets the peak memory; returns the
/// resident memory (kB) from which a job then starts.
pub async fn limit_orcid(app: &TestApp) -> u64 {
    // Sign-ins used the client's limiter too: let it fill up, and give ORCID's bucket
    // the same start.
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.mock.set_rate_limit(Some((RATE, BURST)));
    reset_peak_memory();
    memory_kb("VmRSS:")
}

/// Starts draft job `id` and measures it until no item is left to send; then checks that
/// all its `items` were done and the job is marked finished. `start_kb` is what
/// [`limit_orcid`] returned before the job was stored.
pub async fn run_job(app: &TestApp, id: i64, items: usize, start_kb: u64) -> JobRun {
    let store = &app.state.store;
    let before = app.mock.member_api_requests();
    let rejected_before = rejected(app);
    let started = Instant::now();
    assert!(store.start_job(id, false).await.expect("start"));
    app.state.runner.wake();
    // Looked at every 5 ms: a late look would count as time taken.
    wait_until_every(
        || async move {
            let c = store.job_counts(id).await.expect("counts");
            c.pending + c.sending == 0
        },
        SEND_LIMIT,
        Duration::from_millis(5),
    )
    .await
    .expect("every item is sent");
    let elapsed = started.elapsed();
    let requests = app.mock.member_api_requests() - before;
    let peak_kb = memory_kb("VmHWM:");
    let counts = store.job_counts(id).await.expect("counts");
    assert_eq!(counts.done as usize, items, "every item done: {counts:?}");
    wait_until(
        || async move {
            store.job(id).await.expect("job").map(|j| j.status) == Some(JobStatus::Finished)
        },
        Duration::from_secs(10),
    )
    .await
    .expect("the job is marked finished");
    let failed = store
        .job_items(id, Some(ItemStatus::Failed), 0, 1)
        .await
        .expect("items");
    assert!(failed.is_empty());
    JobRun {
        requests,
        rejected: rejected(app) - rejected_before,
        secs: elapsed.as_secs_f64(),
        peak_kb,
        start_kb,
    }
}

/// 503s idlink received: retried ones and those that outlasted the retries.
pub fn rejected(app: &TestApp) -> u64 {
    app.state
        .metrics
        .render(0)
        .lines()
        .filter(|l| l.starts_with("idlink_orcid_calls_total"))
        .filter(|l| l.contains("outcome=\"retried_503\"") || l.contains("outcome=\"busy\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `Vm…:` line of /proc/self/status, in kB.
pub fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
