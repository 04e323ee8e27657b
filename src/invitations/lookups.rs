//! The background lookups of a roster's named iDs: a draft is stored at once, and its iDs
//! are looked up here on ORCID's Public API, at bulk priority on the shared limiter (and
//! cached), a few at a time. Each answer fills in the public name, or takes a person
//! whose iD has no record out of the draft with a finding. What is pending lives in the
//! database, so lookups carry on after a restart.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};

use super::intake::no_record_message;
use super::lookup::Found;
use super::Invitations;
use crate::store::{LookupAnswer, PendingLookup};

/// iDs read from the database per round; their answers are written in one transaction.
const PER_ROUND: i64 = 32;
/// Lookups in flight at once (each still waits for the shared limiter).
const AT_ONCE: usize = 8;
/// How long the task sleeps with nothing pending, unless woken by an upload.
const IDLE_WAIT: Duration = Duration::from_secs(60);
/// After a database error, before looking again.
const DB_ERROR_WAIT: Duration = Duration::from_secs(5);

impl Invitations {
    /// Looks up pending iDs until idlink stops.
    pub fn start_lookups(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.lookup_round().await {
                    Ok(0) => {
                        tokio::select! {
                            () = this.lookups_due.notified() => {}
                            () = tokio::time::sleep(IDLE_WAIT) => {}
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "roster iDs could not be looked up");
                        tokio::time::sleep(DB_ERROR_WAIT).await;
                    }
                }
            }
        })
    }

    /// A roster's iDs await lookup.
    pub fn wake_lookups(&self) {
        self.lookups_due.notify_one();
    }

    /// Looks up one round of pending iDs and records the answers; how many.
    async fn lookup_round(&self) -> Result<usize, sqlx::Error> {
        let pending = self.store.pending_lookups(PER_ROUND).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let lookup = self.lookup.bulk();
        let answers: Vec<(PendingLookup, LookupAnswer)> = stream::iter(pending)
            .map(|p| {
                let lookup = lookup.clone();
                async move {
                    let answer = match lookup.find(&p.orcid).await {
                        Ok(Found::Record { public_name }) => LookupAnswer::Named(public_name),
                        Ok(Found::NoRecord) => {
                            LookupAnswer::NoRecord(no_record_message(&p.orcid.to_string()))
                        }
                        Err(e) => {
                            tracing::warn!(line = p.line, error = %e, "a named iD could not be looked up");
                            LookupAnswer::Unchecked
                        }
                    };
                    (p, answer)
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        self.store.record_lookups(&answers).await?;
        Ok(answers.len())
    }
}
