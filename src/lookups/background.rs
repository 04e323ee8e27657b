//! The background lookups: a roster or a bulk upload is stored at once, and the iDs it
//! names for people idlink holds no connection for are looked up here on ORCID's Public
//! API, at bulk priority on the shared limiter (and cached), a few at a time; so are the
//! public addresses a re-consent preview needs. Each answer fills in the public name, or
//! takes the rows of an iD without a record out of the draft with a finding. What is
//! pending lives in the database, so lookups carry on after a restart. What ORCID does
//! not answer about (down, or slow) is asked again a little later, a few times, before
//! it is left unchecked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use tokio::sync::Notify;

use super::{no_record_message, Found, LookupFailed, PublicLookup};
use crate::jobs::findings::MAX_KEPT;
use crate::store::{now, LookupAnswer, PublicEmailAnswer, Store};
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

    /// Something awaits lookup: a draft's iDs, or a re-consent preview's addresses.
    pub fn wake(&self) {
        self.due.notify_one();
    }

    /// Looks up one round of whatever is pending and records the answers; how many.
    async fn round(&self) -> Result<usize, sqlx::Error> {
        Ok(self.ids_round(now()).await? + self.emails_round().await?)
    }

    /// Looks up one round of rosters' and uploads' iDs and records the answers.
    async fn ids_round(&self, t: i64) -> Result<usize, sqlx::Error> {
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
        // Retries count from when ORCID failed to answer, not from when the round began.
        let answered_at = now();
        let answer = |id: &OrcidId, attempts: i64| match found.get(id) {
            Some(Ok(Found::Record { public_name })) => LookupAnswer::Named(public_name.clone()),
            Some(Ok(Found::NoRecord)) => LookupAnswer::NoRecord(no_record_message(&id.to_string())),
            Some(Err(_)) | None => unanswered(attempts, answered_at),
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

    /// Looks up one round of public addresses (for re-consent) and records them.
    async fn emails_round(&self) -> Result<usize, sqlx::Error> {
        let t = now();
        let pending = self.store.pending_public_emails(t, PER_ROUND).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let lookup = self.lookup.bulk();
        let answers: Vec<_> = stream::iter(pending)
            .map(|p| {
                let lookup = lookup.clone();
                async move {
                    let answer = match lookup.public_email(&p.orcid).await {
                        Ok(email) => PublicEmailAnswer::Answered(email),
                        Err(e) => {
                            tracing::warn!(orcid = %p.orcid, error = %e, "a public address could not be looked up");
                            match retry_at(p.attempts, now()) {
                                Some(retry_at) => PublicEmailAnswer::Again { retry_at },
                                None => PublicEmailAnswer::Failed,
                            }
                        }
                    };
                    (p.orcid, answer)
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        self.store.record_public_emails(&answers).await?;
        Ok(answers.len())
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
/// tries: asked again later, until the last try.
fn unanswered(attempts: i64, now: i64) -> LookupAnswer {
    match retry_at(attempts, now) {
        Some(retry_at) => LookupAnswer::Again { retry_at },
        None => LookupAnswer::Unchecked,
    }
}

/// When to ask again after `attempts` earlier unanswered tries and this one (60 s, then
/// twice as long each time); `None` after the last try.
fn retry_at(attempts: i64, now: i64) -> Option<i64> {
    if attempts + 1 >= MAX_ATTEMPTS {
        return None;
    }
    let wait = FIRST_RETRY.as_secs() << attempts.clamp(0, 16);
    Some(now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX)))
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
