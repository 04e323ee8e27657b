//! The background lookups: a roster or a bulk upload is stored at once, and the iDs it
//! names for people idlink holds no connection for are looked up here on ORCID's Public
//! API, at bulk priority on the shared limiter (and cached), a few at a time. Each answer
//! fills in the public name, or takes the rows of an iD without a record out of the draft
//! with a finding. What is pending lives in the database, so lookups carry on after a
//! restart. An iD ORCID does not answer about (down, or slow) is asked again a little
//! later, a few times, before it is left unchecked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use tokio::sync::Notify;

use super::{no_record_message, Found, LookupFailed, PublicLookup};
use crate::jobs::findings::MAX_KEPT;
use crate::store::{now, LookupAnswer, Store};
use orcid::OrcidId;

/// iDs read from the database per round, of rosters and of uploads each; their answers are
/// written in one transaction each.
const PER_ROUND: i64 = 32;
/// Lookups in flight at once (each still waits for the shared limiter).
const AT_ONCE: usize = 8;
/// How long the task sleeps with nothing pending, unless woken by an upload.
const IDLE_WAIT: Duration = Duration::from_secs(60);
/// After a database error, before looking again.
const DB_ERROR_WAIT: Duration = Duration::from_secs(5);
/// Times ORCID is asked about one iD before it is left unchecked.
const MAX_ATTEMPTS: i64 = 3;
/// Before asking again after the first unanswered try; doubled after each further one.
const FIRST_RETRY: Duration = Duration::from_secs(60);

/// The lookups task and its wake-up call, shared by the pages that store drafts.
#[derive(Clone)]
pub struct Lookups {
    store: Store,
    lookup: PublicLookup,
    due: Arc<Notify>,
}

impl Lookups {
    pub fn new(store: Store, lookup: PublicLookup) -> Self {
        Self {
            store,
            lookup,
            due: Arc::new(Notify::new()),
        }
    }

    /// Looks up pending iDs until idlink stops.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.round().await {
                    Ok(0) => {
                        tokio::select! {
                            () = this.due.notified() => {}
                            () = tokio::time::sleep(IDLE_WAIT) => {}
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "named iDs could not be looked up");
                        tokio::time::sleep(DB_ERROR_WAIT).await;
                    }
                }
            }
        })
    }

    /// A draft's iDs await lookup.
    pub fn wake(&self) {
        self.due.notify_one();
    }

    /// Looks up one round of pending iDs and records the answers; how many.
    async fn round(&self) -> Result<usize, sqlx::Error> {
        let t = now();
        let roster = self.store.pending_lookups(t, PER_ROUND).await?;
        let uploads = self.store.pending_job_lookups(t, PER_ROUND).await?;
        if roster.is_empty() && uploads.is_empty() {
            return Ok(0);
        }
        let mut ids: Vec<OrcidId> = roster
            .iter()
            .map(|p| p.orcid)
            .chain(uploads.iter().map(|p| p.orcid))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let found = self.find_all(ids).await;
        let answer = |id: &OrcidId, attempts: i64| match found.get(id) {
            Some(Ok(Found::Record { public_name })) => LookupAnswer::Named(public_name.clone()),
            Some(Ok(Found::NoRecord)) => LookupAnswer::NoRecord(no_record_message(&id.to_string())),
            Some(Err(_)) | None => unanswered(attempts, t),
        };
        let roster: Vec<_> = roster
            .into_iter()
            .map(|p| {
                let a = answer(&p.orcid, p.attempts);
                (p, a)
            })
            .collect();
        let uploads: Vec<_> = uploads
            .into_iter()
            .map(|p| {
                let a = answer(&p.orcid, p.attempts);
                (p, a)
            })
            .collect();
        self.store.record_lookups(&roster).await?;
        self.store
            .record_job_lookups(&uploads, MAX_KEPT as i64)
            .await?;
        Ok(roster.len() + uploads.len())
    }

    /// Each iD once, a few at a time.
    async fn find_all(&self, ids: Vec<OrcidId>) -> HashMap<OrcidId, Result<Found, LookupFailed>> {
        let lookup = self.lookup.bulk();
        stream::iter(ids)
            .map(|id| {
                let lookup = lookup.clone();
                async move {
                    let found = lookup.find(&id).await;
                    if let Err(e) = &found {
                        tracing::warn!(orcid = %id, error = %e, "a named iD could not be looked up");
                    }
                    (id, found)
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await
    }
}

/// What becomes of a lookup ORCID did not answer, after `attempts` earlier unanswered
/// tries: asked again later (60 s, then twice as long each time), until the last try.
fn unanswered(attempts: i64, now: i64) -> LookupAnswer {
    if attempts + 1 >= MAX_ATTEMPTS {
        return LookupAnswer::Unchecked;
    }
    let wait = FIRST_RETRY.as_secs() << attempts.clamp(0, 16);
    LookupAnswer::Again {
        retry_at: now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unanswered_lookup_is_asked_again_later_then_left_unchecked() {
        assert_eq!(
            unanswered(0, 1_000),
            LookupAnswer::Again { retry_at: 1_060 }
        );
        assert_eq!(
            unanswered(1, 1_000),
            LookupAnswer::Again { retry_at: 1_120 }
        );
        assert_eq!(unanswered(2, 1_000), LookupAnswer::Unchecked);
        assert_eq!(unanswered(7, 1_000), LookupAnswer::Unchecked);
    }
}
