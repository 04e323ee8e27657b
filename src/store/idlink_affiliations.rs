//! `idlink_affiliations`: the affiliations idlink put on researchers' records, what they
//! mean and what became of them; and the one transaction a write is recorded in, with its
//! audit line and the matching change to the affiliations cache.

use orcid::OrcidId;

use super::affiliations_cache::{self, CachedAffiliation, CachedSection};
use super::audit::{self, AuditEntry};
pub use super::idlink_works::IdlinkWorkStatus as IdlinkAffiliationStatus;
use super::{now, Store};

/// One affiliation idlink wrote: its meaning as sent (the organisation as
/// `SOURCE:identifier`), its end date, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdlinkAffiliation {
    pub section: CachedSection,
    pub put_code: i64,
    pub status: IdlinkAffiliationStatus,
    pub org_key: String,
    pub department: Option<String>,
    pub role_title: Option<String>,
    pub start_year: Option<String>,
    pub start_month: Option<String>,
    pub start_day: Option<String>,
    pub end_year: Option<String>,
    pub end_month: Option<String>,
    pub end_day: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a write changed in idlink's own tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AffiliationChange<'a> {
    /// The affiliation is idlink's and on the record as `row` says (added, or updated):
    /// recorded with `org_key`, and the cache row written (a new one goes last in its
    /// section; an existing one keeps its place).
    Recorded {
        row: &'a CachedAffiliation,
        org_key: &'a str,
    },
    /// idlink deleted it at ORCID: marked deleted and dropped from the cache.
    Deleted {
        section: CachedSection,
        put_code: i64,
    },
    /// ORCID no longer has it: the researcher removed it there.
    GoneAtOrcid {
        section: CachedSection,
        put_code: i64,
    },
    /// Nothing changed at ORCID; only the audit line is written.
    Nothing,
}

async fn upsert(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    a: &CachedAffiliation,
    org_key: &str,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query!(
        "INSERT INTO idlink_affiliations (orcid, section, put_code, status, org_key, department,
             role_title, start_year, start_month, start_day, end_year, end_month, end_day,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
         ON CONFLICT(orcid, section, put_code) DO UPDATE SET status = 'active',
             org_key = excluded.org_key, department = excluded.department,
             role_title = excluded.role_title, start_year = excluded.start_year,
             start_month = excluded.start_month, start_day = excluded.start_day,
             end_year = excluded.end_year, end_month = excluded.end_month,
             end_day = excluded.end_day, updated_at = excluded.updated_at",
        orcid,
        a.section,
        a.put_code,
        org_key,
        a.department,
        a.role_title,
        a.start_year,
        a.start_month,
        a.start_day,
        a.end_year,
        a.end_month,
        a.end_day,
        t,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

async fn set_status(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    section: CachedSection,
    put_code: i64,
    status: IdlinkAffiliationStatus,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query!(
        "UPDATE idlink_affiliations SET status = ?4, updated_at = ?5
         WHERE orcid = ?1 AND section = ?2 AND put_code = ?3",
        orcid,
        section,
        put_code,
        status,
        t,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// An affiliation no longer on the record: marked with `status` and dropped from the cache.
async fn removed(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    section: CachedSection,
    put_code: i64,
    status: IdlinkAffiliationStatus,
) -> Result<(), sqlx::Error> {
    set_status(&mut *conn, orcid, section, put_code, status).await?;
    affiliations_cache::forget(conn, orcid, section, put_code).await
}

impl Store {
    /// Records what a write of one affiliation did: idlink's row, the cache change and
    /// the audit line commit together, so a failure never leaves one without the others.
    pub async fn record_affiliation_write(
        &self,
        change: AffiliationChange<'_>,
        entry: &AuditEntry<'_>,
    ) -> Result<(), sqlx::Error> {
        let orcid = entry.orcid;
        let mut tx = self.pool.begin().await?;
        match change {
            AffiliationChange::Recorded { row, org_key } => {
                upsert(&mut tx, orcid, row, org_key).await?;
                affiliations_cache::put(&mut tx, orcid, row).await?;
            }
            AffiliationChange::Deleted { section, put_code } => {
                let status = IdlinkAffiliationStatus::Deleted;
                removed(&mut tx, orcid, section, put_code, status).await?;
            }
            AffiliationChange::GoneAtOrcid { section, put_code } => {
                let status = IdlinkAffiliationStatus::DeletedByResearcher;
                removed(&mut tx, orcid, section, put_code, status).await?;
            }
            AffiliationChange::Nothing => {}
        }
        audit::insert(&mut tx, entry).await?;
        tx.commit().await
    }

    /// Every affiliation idlink wrote to the record, whatever became of it, oldest first.
    pub async fn idlink_affiliations(
        &self,
        orcid: &OrcidId,
    ) -> Result<Vec<IdlinkAffiliation>, sqlx::Error> {
        sqlx::query_as!(
            IdlinkAffiliation,
            r#"SELECT section AS "section: CachedSection", put_code,
                      status AS "status: IdlinkAffiliationStatus", org_key, department,
                      role_title, start_year, start_month, start_day, end_year, end_month,
                      end_day, created_at, updated_at
               FROM idlink_affiliations WHERE orcid = ?1 ORDER BY created_at, put_code"#,
            orcid,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// One affiliation idlink wrote, if it did.
    pub async fn idlink_affiliation(
        &self,
        orcid: &OrcidId,
        section: CachedSection,
        put_code: i64,
    ) -> Result<Option<IdlinkAffiliation>, sqlx::Error> {
        sqlx::query_as!(
            IdlinkAffiliation,
            r#"SELECT section AS "section: CachedSection", put_code,
                      status AS "status: IdlinkAffiliationStatus", org_key, department,
                      role_title, start_year, start_month, start_day, end_year, end_month,
                      end_day, created_at, updated_at
               FROM idlink_affiliations WHERE orcid = ?1 AND section = ?2 AND put_code = ?3"#,
            orcid,
            section,
            put_code,
        )
        .fetch_optional(&self.pool)
        .await
    }
}

#[cfg(test)]
#[path = "idlink_affiliations_tests.rs"]
mod tests;
