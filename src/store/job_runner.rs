//! The background runner's queries: which researchers have work, claiming items before a
//! request (pending → sending), settling them after, and resuming after a crash. Every
//! state change is one statement or one transaction, so a kill leaves nothing half-done.

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::jobs::ItemRow;
use super::{now, ItemStatus, JobItem, Store};

/// One researcher's share of one job: the runner works on these, one at a time per
/// researcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobUnit {
    pub job_id: i64,
    pub orcid: OrcidId,
}

/// The final outcome of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub id: i64,
    pub status: ItemStatus,
    pub put_code: Option<i64>,
    pub detail: Option<String>,
}

/// A work idlink now has on a record (an `idlink_works` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnWork {
    pub put_code: i64,
    pub title: String,
    pub identifiers: Vec<(String, String)>,
}

/// One audit line of a bulk write (the actor and record are the batch's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub put_code: Option<i64>,
    pub outcome: &'static str,
    pub detail: String,
}

/// Everything one answered request leaves behind, written in one transaction so a kill
/// never separates an item's outcome from idlink's record of the work and its audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    pub orcid: OrcidId,
    pub actor: OrcidId,
    pub settlements: Vec<Settlement>,
    pub ours: Vec<OwnWork>,
    pub audit: Vec<AuditLine>,
}

/// Seconds to wait before an item that failed `attempts` times is tried again.
pub const BACKOFF_CAP_SECS: i64 = 60;

/// SQLite allows 32,766 bound values a statement; lists are bound in chunks below that.
const CHUNK: usize = 500;

impl Store {
    /// Researchers with work to do, oldest job first: pending items of a queued or running
    /// job, or items left `sending` by a crash (of any job, cancelled ones included, so
    /// they are resolved). A researcher whose last attempt failed waits out its backoff
    /// (2^attempts seconds, capped), measured from the item's `updated_at`.
    pub async fn runnable_units(&self, limit: i64) -> Result<Vec<JobUnit>, sqlx::Error> {
        // Driven from `jobs` (by its status index) so finished history is never scanned.
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT job_id, orcid FROM (
                 SELECT i.job_id, i.orcid, i.id, i.attempts, i.updated_at
                 FROM jobs j JOIN job_items i ON i.job_id = j.id AND i.status IN ('pending', 'sending')
                 WHERE j.status IN ('queued', 'running')
                 UNION ALL
                 SELECT i.job_id, i.orcid, i.id, i.attempts, i.updated_at
                 FROM jobs j JOIN job_items i ON i.job_id = j.id AND i.status = 'sending'
                 WHERE j.status = 'cancelled')
             GROUP BY job_id, orcid
             HAVING MAX(CASE WHEN attempts = 0 THEN 0
                        ELSE updated_at + MIN(?2, 1 << MIN(attempts, 30)) END) <= ?1
             ORDER BY job_id, MIN(id)
             LIMIT ?3",
        )
        .bind(now())
        .bind(BACKOFF_CAP_SECS)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(job_id, orcid)| {
                Some(JobUnit {
                    job_id,
                    orcid: OrcidId::parse(&orcid).ok()?,
                })
            })
            .collect())
    }

    /// Queued → running, noting when it started.
    pub async fn mark_job_running(&self, job_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?2)
             WHERE id = ?1 AND status = 'queued'",
        )
        .bind(job_id)
        .bind(now())
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The unit's unsettled items (pending and sending), in CSV order.
    pub async fn unit_items(&self, unit: &JobUnit) -> Result<Vec<JobItem>, sqlx::Error> {
        let rows: Vec<ItemRow> = sqlx::query_as(
            "SELECT id, job_id, line, orcid, title, work_json, identity, status, put_code,
                    detail, attempts, updated_at
             FROM job_items WHERE job_id = ?1 AND orcid = ?2 AND status IN ('pending', 'sending')
             ORDER BY line, id",
        )
        .bind(unit.job_id)
        .bind(unit.orcid.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(JobItem::try_from).collect()
    }

    /// Pending → sending for these items, only while their job is queued or running (a
    /// cancelled job claims nothing). Returns the ids claimed; only those may be sent.
    pub async fn claim_items(&self, job_id: i64, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
        let mut claimed = Vec::with_capacity(ids.len());
        let mut tx = self.pool.begin().await?;
        for chunk in ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "UPDATE job_items SET status = 'sending', updated_at = ",
            );
            q.push_bind(now())
                .push(" WHERE status = 'pending' AND job_id = ")
                .push_bind(job_id)
                .push(" AND EXISTS (SELECT 1 FROM jobs WHERE id = ")
                .push_bind(job_id)
                .push(" AND status IN ('queued', 'running')) AND id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(") RETURNING id");
            let got: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
            claimed.extend(got);
        }
        tx.commit().await?;
        claimed.sort_unstable();
        Ok(claimed)
    }

    /// Writes a batch: idlink's works, the audit lines, then the items' outcomes. Only
    /// unsettled items change (one cancelled meanwhile keeps that status); returns how
    /// many did. The two inserts are those of `record_idlink_work` and `audit`, made
    /// here so they share the transaction.
    pub async fn record_batch(&self, b: &BatchRecord) -> Result<u64, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for chunk in b.ours.chunks(CHUNK / 8) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO idlink_works (orcid, put_code, status, title, identifiers, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut row, w| {
                let ids = serde_json::to_string(&w.identifiers).unwrap_or_else(|_| "[]".into());
                row.push_bind(b.orcid.as_str())
                    .push_bind(w.put_code)
                    .push_bind("active")
                    .push_bind(&w.title)
                    .push_bind(ids)
                    .push_bind(t)
                    .push_bind(t);
            });
            q.push(
                " ON CONFLICT(orcid, put_code) DO UPDATE SET status = 'active', title = excluded.title,
                  identifiers = excluded.identifiers, updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }
        for chunk in b.audit.chunks(CHUNK / 8) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO audit_log (at, actor, orcid, action, put_code, outcome, detail) ",
            );
            q.push_values(chunk, |mut row, a| {
                row.push_bind(t)
                    .push_bind(b.actor.as_str())
                    .push_bind(b.orcid.as_str())
                    .push_bind("add_work")
                    .push_bind(a.put_code)
                    .push_bind(a.outcome)
                    .push_bind(&a.detail);
            });
            q.build().execute(&mut *tx).await?;
        }
        let mut changed = 0;
        for s in &b.settlements {
            changed += sqlx::query(
                "UPDATE job_items SET status = ?2, put_code = ?3, detail = ?4, updated_at = ?5
                 WHERE id = ?1 AND status IN ('pending', 'sending')",
            )
            .bind(s.id)
            .bind(s.status.as_str())
            .bind(s.put_code)
            .bind(&s.detail)
            .bind(t)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Puts items back in the queue after a transient failure (`attempts` counted up when
    /// `count_attempt`), or marks them cancelled when their job was cancelled meanwhile.
    pub async fn release_items(
        &self,
        ids: &[i64],
        count_attempt: bool,
        detail: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for chunk in ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "UPDATE job_items SET status = CASE
                    WHEN (SELECT j.status FROM jobs j WHERE j.id = job_items.job_id) = 'cancelled'
                    THEN 'cancelled' ELSE 'pending' END, attempts = attempts + ",
            );
            q.push_bind(i64::from(count_attempt))
                .push(", detail = COALESCE(")
                .push_bind(detail)
                .push(", detail), updated_at = ")
                .push_bind(now())
                .push(" WHERE status IN ('pending', 'sending') AND id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Every job that is queued or running and has no unsettled item left becomes
    /// finished. Returns the ids of the jobs that just finished. Reads first, so an idle
    /// runner does not take the write lock.
    pub async fn finish_done_jobs(&self) -> Result<Vec<i64>, sqlx::Error> {
        const DONE: &str = "status IN ('queued', 'running')
               AND NOT EXISTS (SELECT 1 FROM job_items i
                               WHERE i.job_id = jobs.id AND i.status IN ('pending', 'sending'))";
        let done: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM jobs WHERE {DONE}"))
            .fetch_all(&self.pool)
            .await?;
        if done.is_empty() {
            return Ok(done);
        }
        sqlx::query_scalar(&format!(
            "UPDATE jobs SET status = 'finished', finished_at = ?1 WHERE {DONE} RETURNING id"
        ))
        .bind(now())
        .fetch_all(&self.pool)
        .await
    }

    /// Every item of one researcher in one job, in CSV order (for reconciliation).
    pub async fn job_items_of(
        &self,
        job_id: i64,
        orcid: &OrcidId,
    ) -> Result<Vec<JobItem>, sqlx::Error> {
        let rows: Vec<ItemRow> = sqlx::query_as(
            "SELECT id, job_id, line, orcid, title, work_json, identity, status, put_code,
                    detail, attempts, updated_at
             FROM job_items WHERE job_id = ?1 AND orcid = ?2 ORDER BY line, id",
        )
        .bind(job_id)
        .bind(orcid.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(JobItem::try_from).collect()
    }

    /// The researchers of a job in order of first appearance in the file, with their
    /// number of items; one page of them.
    pub async fn job_researchers(
        &self,
        job_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<(OrcidId, i64)>, sqlx::Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT orcid, COUNT(*) FROM job_items WHERE job_id = ?1
             GROUP BY orcid ORDER BY MIN(line), orcid LIMIT ?2 OFFSET ?3",
        )
        .bind(job_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(o, n)| Some((OrcidId::parse(&o).ok()?, n)))
            .collect())
    }

    pub async fn count_job_researchers(&self, job_id: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(DISTINCT orcid) FROM job_items WHERE job_id = ?1")
            .bind(job_id)
            .fetch_one(&self.pool)
            .await
    }
}
