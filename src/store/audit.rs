//! The audit log: every write to ORCID and every staff action.

mod query;

use orcid::OrcidId;

use super::{now, Store};

pub use query::{AuditFilter, AuditVocabulary};

/// What an audit line records (`audit_log.action`). Only the first six are calls to
/// ORCID; the rest are staff actions inside idlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AuditAction {
    AddWork,
    UpdateWork,
    DeleteWork,
    AddAffiliation,
    UpdateAffiliation,
    DeleteAffiliation,
    ExportResearchers,
    ExportAudit,
    ExportReconcile,
    ExportGrants,
    #[sqlx(rename = "job.upload")]
    JobUpload,
    #[sqlx(rename = "job.start")]
    JobStart,
    #[sqlx(rename = "job.cancel")]
    JobCancel,
    #[sqlx(rename = "job.download_results")]
    JobDownloadResults,
    #[sqlx(rename = "job.download_report")]
    JobDownloadReport,
    /// A roster or one person checked into a draft invitation batch.
    #[sqlx(rename = "invite_check")]
    InviteCheck,
    /// Invitations sent: one line per person invited (who invited whom).
    #[sqlx(rename = "invite_send")]
    InviteSend,
    #[sqlx(rename = "invite_export")]
    InviteExport,
    /// Re-consent invitations sent from grant health: one line per person.
    #[sqlx(rename = "reconsent_send")]
    ReconsentSend,
    /// A draft invitation batch discarded.
    #[sqlx(rename = "invite_discard")]
    InviteDiscard,
    /// A failed or in-doubt message queued again from the outbox page.
    #[sqlx(rename = "mail_send_again")]
    MailSendAgain,
    /// A test message sent from the admin page.
    #[sqlx(rename = "mail_test")]
    MailTest,
}

impl AuditAction {
    pub const ALL: [Self; 22] = [
        Self::AddWork,
        Self::UpdateWork,
        Self::DeleteWork,
        Self::AddAffiliation,
        Self::UpdateAffiliation,
        Self::DeleteAffiliation,
        Self::ExportResearchers,
        Self::ExportAudit,
        Self::ExportReconcile,
        Self::ExportGrants,
        Self::JobUpload,
        Self::JobStart,
        Self::JobCancel,
        Self::JobDownloadResults,
        Self::JobDownloadReport,
        Self::InviteCheck,
        Self::InviteSend,
        Self::InviteExport,
        Self::ReconsentSend,
        Self::InviteDiscard,
        Self::MailSendAgain,
        Self::MailTest,
    ];

    /// The name stored in the log (and shown to staff).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AddWork => "add_work",
            Self::UpdateWork => "update_work",
            Self::DeleteWork => "delete_work",
            Self::AddAffiliation => "add_affiliation",
            Self::UpdateAffiliation => "update_affiliation",
            Self::DeleteAffiliation => "delete_affiliation",
            Self::ExportResearchers => "export_researchers",
            Self::ExportAudit => "export_audit",
            Self::ExportReconcile => "export_reconcile",
            Self::ExportGrants => "export_grants",
            Self::JobUpload => "job.upload",
            Self::JobStart => "job.start",
            Self::JobCancel => "job.cancel",
            Self::JobDownloadResults => "job.download_results",
            Self::JobDownloadReport => "job.download_report",
            Self::InviteCheck => "invite_check",
            Self::InviteSend => "invite_send",
            Self::InviteExport => "invite_export",
            Self::ReconsentSend => "reconsent_send",
            Self::InviteDiscard => "invite_discard",
            Self::MailSendAgain => "mail_send_again",
            Self::MailTest => "mail_test",
        }
    }

    /// Whether idlink called ORCID for this (the dashboard's "last ORCID call").
    pub fn is_orcid_call(self) -> bool {
        matches!(
            self,
            Self::AddWork
                | Self::UpdateWork
                | Self::DeleteWork
                | Self::AddAffiliation
                | Self::UpdateAffiliation
                | Self::DeleteAffiliation
        )
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for AuditAction {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `a.action IN (…)` over the actions that call ORCID (constants, so nothing to bind).
pub(super) fn orcid_call_condition() -> String {
    let list: Vec<String> = AuditAction::ALL
        .into_iter()
        .filter(|a| a.is_orcid_call())
        .map(|a| format!("'{}'", a.as_str()))
        .collect();
    format!("a.action IN ({})", list.join(", "))
}

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Whoever acted (the researcher, or a staff member).
    pub actor: &'a OrcidId,
    /// The record acted on.
    pub orcid: &'a OrcidId,
    pub action: AuditAction,
    pub put_code: Option<i64>,
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub actor: OrcidId,
    pub orcid: OrcidId,
    pub action: AuditAction,
    pub put_code: Option<i64>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// Writes one line on the caller's connection (e.g. inside its transaction).
pub(super) async fn insert(
    conn: &mut sqlx::SqliteConnection,
    e: &AuditEntry<'_>,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query!(
        "INSERT INTO audit_log (at, actor, orcid, action, put_code, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        t,
        e.actor,
        e.orcid,
        e.action,
        e.put_code,
        e.outcome,
        e.detail,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

impl Store {
    pub async fn audit(&self, e: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
        insert(&mut *self.pool.acquire().await?, e).await
    }

    /// The most recent entries about one record, newest first.
    pub async fn audit_for(
        &self,
        orcid: &OrcidId,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        sqlx::query_as!(
            AuditRecord,
            r#"SELECT id AS "id!", at, actor AS "actor: OrcidId", orcid AS "orcid: OrcidId",
                      action AS "action: AuditAction", put_code, outcome, detail
               FROM audit_log WHERE orcid = ?1 ORDER BY at DESC, id DESC LIMIT ?2"#,
            orcid,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    #[tokio::test]
    async fn actions_round_trip_and_an_unknown_one_is_an_error() {
        let (_dir, store) = test_store().await;
        let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
        for action in AuditAction::ALL {
            let entry = AuditEntry {
                actor: &who,
                orcid: &who,
                action,
                put_code: None,
                outcome: "ok",
                detail: None,
            };
            store.audit(&entry).await.unwrap();
        }
        let mut read: Vec<AuditAction> = store
            .audit_for(&who, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
        read.reverse();
        assert_eq!(read, AuditAction::ALL);

        sqlx::query("UPDATE audit_log SET action = 'mystery' WHERE id = 1")
            .execute(store.pool())
            .await
            .unwrap();
        let err = store.audit_for(&who, 100).await.unwrap_err().to_string();
        assert!(err.contains("mystery"), "{err}");
    }
}
