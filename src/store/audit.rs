//! The audit log: every write to ORCID and every staff action.

use orcid::OrcidId;

use super::{now, Store};

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Whoever acted (the researcher, or a staff member).
    pub actor: &'a OrcidId,
    /// The record acted on.
    pub orcid: &'a OrcidId,
    pub action: &'a str,
    pub put_code: Option<i64>,
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub orcid: String,
    pub action: String,
    pub put_code: Option<i64>,
    pub outcome: String,
    pub detail: Option<String>,
}

impl Store {
    pub async fn audit(&self, e: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, orcid, action, put_code, outcome, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(now())
        .bind(e.actor.as_str())
        .bind(e.orcid.as_str())
        .bind(e.action)
        .bind(e.put_code)
        .bind(e.outcome)
        .bind(e.detail)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The most recent entries about one record, newest first.
    pub async fn audit_for(
        &self,
        orcid: &OrcidId,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, at, actor, orcid, action, put_code, outcome, detail FROM audit_log
             WHERE orcid = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
        )
        .bind(orcid.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}
