//! The bulk-push runner: a loop that takes its work from the database (never from memory,
//! so a crash loses nothing), pushes each researcher's works in bulk requests, and settles
//! every item exactly once.
//!
//! The unit of work is one researcher's share of one job. At most one unit per researcher
//! runs at a time, and a few researchers run side by side so that the requests queue at
//! the process-wide ORCID rate limiter (inside `OrcidClient`) and keep it busy.

mod cache;
mod trouble;
mod unit;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

use crate::state::AppState;
use crate::store::JobUnit;
use orcid::OrcidId;

pub use trouble::REVOKED;

/// Researchers pushed to at the same time. Each unit spends most of its time waiting for
/// the rate limiter, so a few are enough to use the whole rate.
pub const CONCURRENT_RESEARCHERS: usize = 4;

/// How often the database is looked at when nothing woke the runner.
const POLL: Duration = Duration::from_secs(1);

pub use super::retry::MAX_ATTEMPTS;

/// Starts the runner. Call once per process, after the database is open.
pub fn start(state: AppState) -> JoinHandle<()> {
    tokio::spawn(run(state))
}

/// Tells the runner a job was started, so it begins now rather than at the next poll.
pub fn wake(state: &AppState) {
    state.jobs_wake.notify_one();
}

async fn run(state: AppState) {
    tracing::info!("bulk-push runner started");
    // Units run as tasks of this set, so stopping the runner (abort) stops them too.
    let mut units: JoinSet<()> = JoinSet::new();
    let mut busy: HashMap<tokio::task::Id, OrcidId> = HashMap::new();
    loop {
        schedule(&state, &mut units, &mut busy).await;
        tokio::select! {
            Some(done) = units.join_next_with_id(), if !units.is_empty() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => {
                        tracing::error!(error = %e, "a bulk-push unit stopped abnormally");
                        e.id()
                    }
                };
                busy.remove(&id);
            }
            () = state.jobs_wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Finishes jobs with nothing left, then starts units for researchers with work, up to
/// [`CONCURRENT_RESEARCHERS`].
async fn schedule(
    state: &AppState,
    units: &mut JoinSet<()>,
    busy: &mut HashMap<tokio::task::Id, OrcidId>,
) {
    match state.store.finish_done_jobs().await {
        Ok(ids) => {
            for id in ids {
                tracing::info!(job = id, "bulk-push job finished");
            }
        }
        Err(e) => tracing::error!(error = %e, "could not finish bulk-push jobs"),
    }
    let free = CONCURRENT_RESEARCHERS.saturating_sub(units.len());
    if free == 0 {
        return;
    }
    // Busy researchers may hold some of the rows; ask for enough to fill every slot.
    let limit = i64::try_from((busy.len() + free) * 2).unwrap_or(i64::MAX);
    let candidates = match state.store.runnable_units(limit).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not read bulk-push work");
            return;
        }
    };
    let mut taken: HashSet<OrcidId> = busy.values().copied().collect();
    for unit in candidates {
        if units.len() >= CONCURRENT_RESEARCHERS {
            break;
        }
        if !taken.insert(unit.orcid) {
            continue;
        }
        if let Err(e) = state.store.mark_job_running(unit.job_id).await {
            tracing::error!(error = %e, job = unit.job_id, "could not mark a job running");
            continue;
        }
        let handle = units.spawn(run_unit(state.clone(), unit));
        busy.insert(handle.id(), unit.orcid);
    }
}

async fn run_unit(state: AppState, unit: JobUnit) {
    if let Err(e) = unit::process(&state, unit).await {
        // The items stay as they are (pending or sending) and are taken up again later.
        tracing::error!(error = %e, job = unit.job_id, orcid = %unit.orcid, "bulk-push unit failed");
        tokio::time::sleep(POLL).await;
    }
}
