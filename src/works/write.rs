//! Adding, editing and deleting works at ORCID, each outcome in plain words, each write
//! in the audit log.

use crate::store::{AuditEntry, IdlinkWorkStatus};
use orcid::model::Work;
use orcid::OrcidId;

use super::{Works, WriteOutcome};

/// Who acts on which record.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub actor: &'a OrcidId,
    pub orcid: &'a OrcidId,
}

impl Works {
    pub async fn add(
        &self,
        who: Actor<'_>,
        work: &Work,
        identity: &[(String, String)],
    ) -> WriteOutcome {
        let outcome = match self.access(who.orcid).await {
            Err(e) => WriteOutcome::from_access(&e),
            Ok(a) => match self.orcid.add_work(&a.token, who.orcid, work).await {
                Ok(put_code) => WriteOutcome::Added { put_code },
                Err(e) => {
                    self.note_api_error(who.orcid, &e).await;
                    WriteOutcome::from_api(&e)
                }
            },
        };
        let title = work.title_text().unwrap_or_default();
        if let WriteOutcome::Added { put_code }
        | WriteOutcome::AlreadyOnRecord {
            put_code: Some(put_code),
        } = outcome
        {
            // A 9021 names a work from idlink's own client: it is idlink's too.
            log_db(
                self.store
                    .record_idlink_work(who.orcid, put_code, title, identity)
                    .await,
            );
        }
        self.finish(
            who,
            "add_work",
            put_code_of(&outcome),
            &outcome,
            Some(title),
        )
        .await;
        outcome
    }

    pub async fn update(
        &self,
        who: Actor<'_>,
        put_code: i64,
        work: &Work,
        identity: &[(String, String)],
    ) -> WriteOutcome {
        let outcome = match self.access(who.orcid).await {
            Err(e) => WriteOutcome::from_access(&e),
            Ok(a) => match self
                .orcid
                .update_work(&a.token, who.orcid, put_code, work)
                .await
            {
                Ok(_) => WriteOutcome::Updated { put_code },
                Err(e) => {
                    self.note_api_error(who.orcid, &e).await;
                    WriteOutcome::from_api(&e)
                }
            },
        };
        match outcome {
            WriteOutcome::Updated { .. } => {
                log_db(
                    self.store
                        .record_idlink_work(
                            who.orcid,
                            put_code,
                            work.title_text().unwrap_or_default(),
                            identity,
                        )
                        .await,
                );
            }
            WriteOutcome::Gone => {
                log_db(
                    self.store
                        .set_idlink_work_status(
                            who.orcid,
                            put_code,
                            IdlinkWorkStatus::DeletedByResearcher,
                        )
                        .await,
                );
            }
            _ => {}
        }
        self.finish(
            who,
            "update_work",
            Some(put_code),
            &outcome,
            work.title_text(),
        )
        .await;
        outcome
    }

    pub async fn delete(&self, who: Actor<'_>, put_code: i64) -> WriteOutcome {
        let outcome = match self.access(who.orcid).await {
            Err(e) => WriteOutcome::from_access(&e),
            Ok(a) => match self.orcid.delete_work(&a.token, who.orcid, put_code).await {
                Ok(()) => WriteOutcome::Deleted,
                Err(e) => {
                    self.note_api_error(who.orcid, &e).await;
                    WriteOutcome::from_api(&e)
                }
            },
        };
        match outcome {
            WriteOutcome::Deleted => {
                log_db(
                    self.store
                        .set_idlink_work_status(who.orcid, put_code, IdlinkWorkStatus::Deleted)
                        .await,
                );
                log_db(self.store.forget_cached_work(who.orcid, put_code).await);
            }
            WriteOutcome::Gone => {
                log_db(
                    self.store
                        .set_idlink_work_status(
                            who.orcid,
                            put_code,
                            IdlinkWorkStatus::DeletedByResearcher,
                        )
                        .await,
                );
            }
            _ => {}
        }
        self.finish(who, "delete_work", Some(put_code), &outcome, None)
            .await;
        outcome
    }
}

fn put_code_of(o: &WriteOutcome) -> Option<i64> {
    match o {
        WriteOutcome::Added { put_code } | WriteOutcome::Updated { put_code } => Some(*put_code),
        WriteOutcome::AlreadyOnRecord { put_code } => *put_code,
        _ => None,
    }
}

impl Works {
    /// Audit, then bring the cache in step so /me shows ORCID's view of the change.
    async fn finish(
        &self,
        who: Actor<'_>,
        action: &str,
        put_code: Option<i64>,
        outcome: &WriteOutcome,
        detail: Option<&str>,
    ) {
        let detail = match outcome {
            WriteOutcome::Invalid(m) => Some(m.as_str()),
            _ => detail,
        };
        log_db(
            self.store
                .audit(&AuditEntry {
                    actor: who.actor,
                    orcid: who.orcid,
                    action,
                    put_code,
                    outcome: outcome.label(),
                    detail,
                })
                .await,
        );
        if outcome.is_success()
            || matches!(
                outcome,
                WriteOutcome::Gone | WriteOutcome::AlreadyOnRecord { .. }
            )
        {
            let _ = self.refresh(who.orcid).await;
        }
    }
}

fn log_db(r: Result<(), sqlx::Error>) {
    if let Err(e) = r {
        tracing::error!(error = %e, "could not record a write to ORCID");
    }
}
