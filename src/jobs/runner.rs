//! The bulk-push runner: a loop that takes its work from the database (never from memory,
//! so a crash loses nothing), pushes each researcher's share of a job (works in bulk
//! requests, affiliations one by one), and settles every item exactly once.
//!
//! The unit of work is one researcher's share of one job. At most one unit per researcher
//! runs at a time, and a few researchers run side by side so that the requests queue at
//! the process-wide ORCID rate limiter (inside `OrcidClient`) and keep it busy. They
//! queue at bulk priority: a person's call waiting at the limiter goes first.

mod cache;
mod trouble;
mod unit;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::affiliations::Affiliations;
use crate::metrics::Metrics;
use crate::store::{JobUnit, Store};
use crate::works::Works;
use orcid::{OrcidClient, OrcidId};

pub use trouble::REVOKED;

/// Researchers pushed to at the same time. Each unit spends most of its time waiting for
/// the rate limiter, so a few are enough to use the whole rate.
pub const CONCURRENT_RESEARCHERS: usize = 4;

/// How often the database is looked at when nothing woke the runner.
const POLL: Duration = Duration::from_secs(1);

pub use super::retry::MAX_ATTEMPTS;

/// What the runner uses. Built once at start-up; each unit's task takes a clone.
#[derive(Clone)]
pub struct Runner {
    store: Store,
    orcid: OrcidClient,
    metrics: Metrics,
    works: Works,
    affiliations: Affiliations,
    /// The institution's name: how staff see idlink's own works named.
    institution: String,
    /// Wakes the runner when a job is started (it also polls the database).
    wake: Arc<Notify>,
}

impl Runner {
    pub fn new(
        store: Store,
        orcid: OrcidClient,
        metrics: Metrics,
        works: Works,
        affiliations: Affiliations,
        institution: String,
    ) -> Self {
        Self {
            store,
            orcid,
            metrics,
            works,
            affiliations,
            institution,
            wake: Arc::default(),
        }
    }

    /// Starts the runner. Call once per process, after the database is open.
    pub fn start(&self) -> JoinHandle<()> {
        tokio::spawn(run(self.clone()))
    }

    /// Tells the runner a job was started, so it begins now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// `orcid` has just granted idlink access (connected, or connected again): their
    /// waiting items, of any kind of job, are queued and the runner woken. Returns how
    /// many were queued.
    pub async fn resume_waiting(&self, orcid: &OrcidId) -> Result<u64, sqlx::Error> {
        // A sign-in that kept or gave a grant without the write scope changes nothing.
        let grants = self.store.grants_of(&[*orcid]).await?;
        if super::intake::grant_problem(grants.get(orcid), crate::store::now()).is_some() {
            return Ok(0);
        }
        let queued = self.store.resume_waiting(orcid).await?;
        if queued > 0 {
            tracing::info!(orcid = %orcid, items = queued, "waiting job items queued after a new grant");
            self.wake();
        }
        Ok(queued)
    }
}

async fn run(runner: Runner) {
    tracing::info!("bulk-push runner started");
    // Units run as tasks of this set, so stopping the runner (abort) stops them too.
    let mut units: JoinSet<()> = JoinSet::new();
    let mut busy: HashMap<tokio::task::Id, OrcidId> = HashMap::new();
    loop {
        schedule(&runner, &mut units, &mut busy).await;
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
            () = runner.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Finishes jobs with nothing left, then starts units for researchers with work, up to
/// [`CONCURRENT_RESEARCHERS`].
async fn schedule(
    runner: &Runner,
    units: &mut JoinSet<()>,
    busy: &mut HashMap<tokio::task::Id, OrcidId>,
) {
    match runner.store.finish_done_jobs().await {
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
    let candidates = match runner.store.runnable_units(limit).await {
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
        if let Err(e) = runner.store.mark_job_running(unit.job_id).await {
            tracing::error!(error = %e, job = unit.job_id, "could not mark a job running");
            continue;
        }
        let handle = units.spawn(run_unit(runner.clone(), unit));
        busy.insert(handle.id(), unit.orcid);
    }
}

async fn run_unit(runner: Runner, unit: JobUnit) {
    if let Err(e) = unit::process(&runner, unit).await {
        // The items stay as they are (pending or sending) and are taken up again later.
        tracing::error!(error = %e, job = unit.job_id, orcid = %unit.orcid, "bulk-push unit failed");
        tokio::time::sleep(POLL).await;
    }
}
