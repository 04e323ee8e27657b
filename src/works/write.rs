//! Adding, editing and deleting works at ORCID, each outcome in plain words, each write
//! in the audit log.

use secrecy::SecretString;

use crate::store::{AuditAction, AuditEntry, WorkChange};
use orcid::model::Work;
use orcid::OrcidId;

use super::{Works, WriteOutcome};

/// Who acts on which record.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The signed-in person (a researcher acts on their own record).
    pub actor: &'a OrcidId,
    pub orcid: &'a OrcidId,
}

impl<'a> Actor<'a> {
    /// The audit line for a write: `audit` is its action, put code and detail; when ORCID
    /// refused the payload, its reason is the detail.
    pub(crate) fn audit_entry(
        self,
        audit: (AuditAction, Option<i64>, Option<&'a str>),
        outcome: &'a WriteOutcome,
    ) -> AuditEntry<'a> {
        let (action, put_code, detail) = audit;
        let detail = match outcome {
            WriteOutcome::Invalid(m) => Some(m.as_str()),
            _ => detail,
        };
        AuditEntry {
            actor: self.actor,
            orcid: self.orcid,
            action,
            put_code,
            outcome: outcome.label(),
            detail,
        }
    }
}

impl Works {
    /// A work of the person's record as ORCID has it now, to fill the edit form; or, when
    /// it cannot be read, what to tell them. A work removed at ORCID is also dropped from
    /// the cache (by a refresh), and a revoked grant is remembered.
    pub async fn work_for_edit(
        &self,
        orcid: &OrcidId,
        put_code: i64,
    ) -> Result<Work, WriteOutcome> {
        let read = |t: SecretString| async move { self.orcid.work(&t, orcid, put_code).await };
        match self.with_token(orcid, read).await {
            Ok(work) => Ok(work),
            Err(e) => {
                let outcome = WriteOutcome::from_call(&e);
                if outcome == WriteOutcome::Gone {
                    let _ = self.refresh(orcid).await;
                }
                Err(outcome)
            }
        }
    }

    pub async fn add(
        &self,
        who: Actor<'_>,
        work: &Work,
        identity: &[(String, String)],
    ) -> WriteOutcome {
        let call = |t: SecretString| async move { self.orcid.add_work(&t, who.orcid, work).await };
        let outcome = match self.with_token(who.orcid, call).await {
            Ok(put_code) => WriteOutcome::Added { put_code },
            Err(e) => WriteOutcome::from_call(&e),
        };
        let title = work.title_text().unwrap_or_default();
        let change = match outcome {
            // A 9021 names a work from idlink's own client: it is idlink's too.
            WriteOutcome::Added { put_code }
            | WriteOutcome::AlreadyOnRecord {
                put_code: Some(put_code),
            } => WorkChange::Recorded {
                put_code,
                title,
                identifiers: identity,
            },
            _ => WorkChange::Nothing,
        };
        let audit = (AuditAction::AddWork, put_code_of(&outcome), Some(title));
        self.finish(who, audit, &outcome, change).await;
        outcome
    }

    pub async fn update(
        &self,
        who: Actor<'_>,
        put_code: i64,
        work: &Work,
        identity: &[(String, String)],
    ) -> WriteOutcome {
        let call = |t: SecretString| async move {
            self.orcid.update_work(&t, who.orcid, put_code, work).await
        };
        let outcome = match self.with_token(who.orcid, call).await {
            Ok(_) => WriteOutcome::Updated { put_code },
            Err(e) => WriteOutcome::from_call(&e),
        };
        let change = match outcome {
            WriteOutcome::Updated { .. } => WorkChange::Recorded {
                put_code,
                title: work.title_text().unwrap_or_default(),
                identifiers: identity,
            },
            WriteOutcome::Gone => WorkChange::GoneAtOrcid { put_code },
            _ => WorkChange::Nothing,
        };
        let audit = (AuditAction::UpdateWork, Some(put_code), work.title_text());
        self.finish(who, audit, &outcome, change).await;
        outcome
    }

    pub async fn delete(&self, who: Actor<'_>, put_code: i64) -> WriteOutcome {
        let call =
            |t: SecretString| async move { self.orcid.delete_work(&t, who.orcid, put_code).await };
        let outcome = match self.with_token(who.orcid, call).await {
            Ok(()) => WriteOutcome::Deleted,
            Err(e) => WriteOutcome::from_call(&e),
        };
        let change = match outcome {
            WriteOutcome::Deleted => WorkChange::Deleted { put_code },
            WriteOutcome::Gone => WorkChange::GoneAtOrcid { put_code },
            _ => WorkChange::Nothing,
        };
        let audit = (AuditAction::DeleteWork, Some(put_code), None);
        self.finish(who, audit, &outcome, change).await;
        outcome
    }

    /// Records idlink's side of the write with its audit line (one transaction), then
    /// brings the cache in step so /me shows ORCID's view of the change. `audit` is the
    /// line's action, put code and detail.
    async fn finish(
        &self,
        who: Actor<'_>,
        audit: (AuditAction, Option<i64>, Option<&str>),
        outcome: &WriteOutcome,
        change: WorkChange<'_>,
    ) {
        let entry = who.audit_entry(audit, outcome);
        log_db(self.store.record_work_write(change, &entry).await);
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

fn put_code_of(o: &WriteOutcome) -> Option<i64> {
    match o {
        WriteOutcome::Added { put_code } | WriteOutcome::Updated { put_code } => Some(*put_code),
        WriteOutcome::AlreadyOnRecord { put_code } => *put_code,
        _ => None,
    }
}

fn log_db(r: Result<(), sqlx::Error>) {
    if let Err(e) = r {
        tracing::error!(error = %e, "could not record a write to ORCID");
    }
}
