//! Bulk-push jobs from staff CSV uploads (`jobs`), their validation findings
//! (`job_row_errors`) and their items (`job_items`). The background runner's queries on
//! items (claiming, settling, retrying) are in `items`.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::{now, Store, TokenStatus};

mod items;
mod lookups;
mod model;
mod waiting;

use super::CachedSection;
pub use items::{AuditLine, BatchRecord, JobUnit, OwnWork, Settlement};
pub use lookups::{JobLookup, JobLookupCounts, JobLookupStatus, PendingJobLookup};
use model::ItemRow;
pub use model::{
    DraftReport, Grant, GrantToken, ItemOutcome, ItemStatus, Job, JobCounts, JobItem, JobKind,
    JobStatus, NewJobItem, NewJobLookup, RowError, WaitingItem,
};

/// SQLite allows 32,766 bound values; rows are inserted in chunks well below that.
const INSERT_CHUNK: usize = 500;

impl Store {
    /// Saves an upload of works as a draft job: see [`Store::create_draft`].
    pub async fn create_draft_job(
        &self,
        created_by: &OrcidId,
        file_name: &str,
        report: DraftReport<'_>,
        items: &[NewJobItem],
    ) -> Result<i64, sqlx::Error> {
        self.create_draft(created_by, JobKind::Works, file_name, report, items, &[])
            .await
    }

    /// Saves an upload: the job as a draft, its report (counts, findings kept word for
    /// word, and the count of the others by column) and its valid rows as pending (or
    /// waiting) items, and the iDs to look up on ORCID, in one transaction (all or nothing).
    pub async fn create_draft(
        &self,
        created_by: &OrcidId,
        kind: JobKind,
        file_name: &str,
        report: DraftReport<'_>,
        items: &[NewJobItem],
        lookups: &[NewJobLookup],
    ) -> Result<i64, sqlx::Error> {
        let DraftReport {
            rows_total,
            rows_invalid,
            kept,
            omitted,
        } = report;
        let t = now();
        let mut tx = self.pool.begin().await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO jobs (created_by, created_at, file_name, kind, status, rows_total, rows_invalid)
             VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6) RETURNING id",
            created_by,
            t,
            file_name,
            kind,
            rows_total,
            rows_invalid,
        )
        .fetch_one(&mut *tx)
        .await?;
        for chunk in kept.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO job_row_errors (job_id, line, column_name, message) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(id)
                    .push_bind(e.line)
                    .push_bind(&e.column)
                    .push_bind(&e.message);
            });
            q.build().execute(&mut *tx).await?;
        }
        for (column, count) in omitted {
            sqlx::query!(
                "INSERT INTO job_findings_omitted (job_id, column_name, count) VALUES (?1, ?2, ?3)",
                id,
                column,
                count,
            )
            .execute(&mut *tx)
            .await?;
        }
        for chunk in items.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO job_items (job_id, line, orcid, title, payload, section, identity, status, updated_at) ",
            );
            q.push_values(chunk, |mut b, it| {
                let identity = serde_json::to_string(&it.identity).unwrap_or_else(|_| "[]".into());
                let status = if it.waiting {
                    ItemStatus::Waiting
                } else {
                    ItemStatus::Pending
                };
                b.push_bind(id)
                    .push_bind(it.line)
                    .push_bind(it.orcid)
                    .push_bind(&it.title)
                    .push_bind(&it.payload)
                    .push_bind(it.section)
                    .push_bind(identity)
                    .push_bind(status)
                    .push_bind(t);
            });
            q.build().execute(&mut *tx).await?;
        }
        Self::insert_job_lookups(&mut tx, id, lookups).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>, sqlx::Error> {
        sqlx::query_as!(
            Job,
            r#"SELECT id, created_by, created_at, file_name, kind AS "kind: JobKind",
                      status AS "status: JobStatus",
                      push_again AS "push_again: bool", started_at, finished_at, rows_total,
                      rows_invalid
               FROM jobs WHERE id = ?1"#,
            id,
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Draft → queued, with the staff member's "push again anyway" choice. False when the
    /// job is not a draft (already started, or cancelled), or when it has waiting rows
    /// and iDs still to be looked up on ORCID (an iD without a record takes its rows out):
    /// nothing changes then.
    pub async fn start_job(&self, id: i64, push_again: bool) -> Result<bool, sqlx::Error> {
        let r = sqlx::query!(
            "UPDATE jobs SET status = 'queued', push_again = ?2 WHERE id = ?1 AND status = 'draft'
               AND NOT (EXISTS (SELECT 1 FROM job_lookups WHERE job_id = ?1 AND status = 'pending')
                    AND EXISTS (SELECT 1 FROM job_items WHERE job_id = ?1 AND status = 'waiting'))",
            id,
            push_again,
        )
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Draft, queued, running or finished with waiting rows → cancelled, and its pending
    /// and waiting items with it (and its iDs still to be looked up). Items being
    /// sent are left for the runner to settle. False when the job had already ended.
    pub async fn cancel_job(&self, id: i64) -> Result<bool, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query!(
            "UPDATE jobs SET status = 'cancelled', finished_at = ?2
             WHERE id = ?1 AND (status IN ('draft', 'queued', 'running')
                OR (status = 'finished' AND EXISTS (SELECT 1 FROM job_items i
                    WHERE i.job_id = jobs.id AND i.status = 'waiting')))",
            id,
            t,
        )
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query!(
            "UPDATE job_items SET status = 'cancelled', updated_at = ?2
             WHERE job_id = ?1 AND status IN ('pending', 'waiting')",
            id,
            t,
        )
        .execute(&mut *tx)
        .await?;
        // Nothing is left for the answers to change.
        sqlx::query!(
            "DELETE FROM job_lookups WHERE job_id = ?1 AND status = 'pending'",
            id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn job_counts(&self, id: i64) -> Result<JobCounts, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT status AS "status: ItemStatus", COUNT(*) AS "n!: i64" FROM job_items
               WHERE job_id = ?1 GROUP BY status"#,
            id,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut c = JobCounts::default();
        for r in rows {
            *c.slot(r.status) += r.n;
        }
        Ok(c)
    }

    /// Items in file order (ids are given in file order), optionally of one status.
    pub async fn job_items(
        &self,
        id: i64,
        status: Option<ItemStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<JobItem>, sqlx::Error> {
        // Two statements rather than `(?2 IS NULL OR status = ?2)`, so each uses the index.
        let rows = match status {
            Some(status) => {
                sqlx::query_as!(
                    ItemRow,
                    r#"SELECT id AS "id!", job_id, line, orcid, title, payload,
                              section AS "section: CachedSection", identity,
                              status AS "status: ItemStatus", put_code, detail, attempts,
                              updated_at
                       FROM job_items WHERE job_id = ?1 AND status = ?2
                       ORDER BY id LIMIT ?3 OFFSET ?4"#,
                    id,
                    status,
                    limit,
                    offset,
                )
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as!(
                    ItemRow,
                    r#"SELECT id AS "id!", job_id, line, orcid, title, payload,
                              section AS "section: CachedSection", identity,
                              status AS "status: ItemStatus", put_code, detail, attempts,
                              updated_at
                       FROM job_items WHERE job_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"#,
                    id,
                    limit,
                    offset,
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.into_iter().map(JobItem::try_from).collect()
    }

    /// The outcomes of the next `limit` items after item `after_id`, in file order: for
    /// reading a whole job (no OFFSET, whose cost grows with the position; no work JSON).
    pub async fn job_outcomes_after(
        &self,
        id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<ItemOutcome>, sqlx::Error> {
        sqlx::query_as!(
            ItemOutcome,
            r#"SELECT id AS "id!", line, orcid, title, status AS "status: ItemStatus", put_code, detail
               FROM job_items WHERE job_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"#,
            id,
            after_id,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The newest jobs first.
    pub async fn recent_jobs(&self, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
        sqlx::query_as!(
            Job,
            r#"SELECT id, created_by, created_at, file_name, kind AS "kind: JobKind",
                      status AS "status: JobStatus",
                      push_again AS "push_again: bool", started_at, finished_at, rows_total,
                      rows_invalid
               FROM jobs ORDER BY id DESC LIMIT ?1"#,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The upload's validation findings, in file order.
    pub async fn row_errors(&self, id: i64) -> Result<Vec<RowError>, sqlx::Error> {
        sqlx::query_as!(
            RowError,
            r#"SELECT line, column_name AS "column", message FROM job_row_errors
               WHERE job_id = ?1 ORDER BY line, rowid"#,
            id,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The next `limit` findings after the one at (line, rowid), in file order, each with
    /// its rowid: for reading them all in batches.
    pub async fn row_errors_after(
        &self,
        id: i64,
        (after_line, after_rowid): (i64, i64),
        limit: i64,
    ) -> Result<Vec<(i64, RowError)>, sqlx::Error> {
        // In file order, though findings a lookup added later were stored last.
        let rows = sqlx::query!(
            r#"SELECT rowid AS "rowid!: i64", line, column_name, message FROM job_row_errors
               WHERE job_id = ?1 AND (line > ?2 OR (line = ?2 AND rowid > ?3))
               ORDER BY line, rowid LIMIT ?4"#,
            id,
            after_line,
            after_rowid,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let e = RowError {
                    line: r.line,
                    column: r.column_name,
                    message: r.message,
                };
                (r.rowid, e)
            })
            .collect())
    }

    /// Findings not kept word for word: how many, by column.
    pub async fn findings_omitted(&self, id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let rows = sqlx::query!(
            "SELECT column_name, count FROM job_findings_omitted WHERE job_id = ?1
             ORDER BY column_name",
            id,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.column_name, r.count)).collect())
    }

    /// The first `limit` findings in file order, and how many there are in all.
    pub async fn row_errors_first(
        &self,
        id: i64,
        limit: i64,
    ) -> Result<(Vec<RowError>, i64), sqlx::Error> {
        let first = sqlx::query_as!(
            RowError,
            r#"SELECT line, column_name AS "column", message FROM job_row_errors
               WHERE job_id = ?1 ORDER BY line, rowid LIMIT ?2"#,
            id,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        let total =
            sqlx::query_scalar!("SELECT COUNT(*) FROM job_row_errors WHERE job_id = ?1", id)
                .fetch_one(&self.pool)
                .await?;
        Ok((first, total))
    }

    /// Items that got an outcome at or after `since` (for the rate): how many, and the
    /// earliest such time.
    pub async fn job_settled_since(
        &self,
        id: i64,
        since: i64,
    ) -> Result<(i64, Option<i64>), sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "n!: i64", MIN(updated_at) AS "first?: i64" FROM job_items
               WHERE job_id = ?1 AND updated_at >= ?2
                 AND status IN ('done', 'already_present', 'skipped', 'failed')"#,
            id,
            since,
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((r.n, r.first))
    }

    /// What idlink holds for each of these researchers; those it never saw are absent.
    pub async fn grants_of(
        &self,
        orcids: &[OrcidId],
    ) -> Result<HashMap<OrcidId, Grant>, sqlx::Error> {
        type Row = (
            OrcidId,
            Option<i64>,
            Option<String>,
            Option<TokenStatus>,
            Option<i64>,
            Option<bool>,
        );
        let mut out = HashMap::new();
        for chunk in orcids.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT r.orcid, r.disconnected_at, t.scope, t.status, t.expires_at,
                        t.refresh_token IS NOT NULL
                 FROM researchers r LEFT JOIN orcid_tokens t ON t.orcid = r.orcid
                 WHERE r.orcid IN (",
            );
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            q.push(")");
            let rows: Vec<Row> = q.build_query_as().fetch_all(&self.pool).await?;
            for (orcid, disconnected_at, scope, status, expires_at, has_refresh) in rows {
                let token = scope.map(|scope| GrantToken {
                    scope,
                    revoked: status == Some(TokenStatus::Revoked),
                    expires_at: expires_at.unwrap_or(0),
                    has_refresh: has_refresh.unwrap_or(false),
                });
                out.insert(
                    orcid,
                    Grant {
                        disconnected: disconnected_at.is_some(),
                        token,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Display names of researchers idlink knows, for the item table.
    pub async fn researcher_names(
        &self,
        orcids: &[OrcidId],
    ) -> Result<HashMap<OrcidId, String>, sqlx::Error> {
        let mut out = HashMap::new();
        for chunk in orcids.chunks(INSERT_CHUNK) {
            let mut q =
                QueryBuilder::<Sqlite>::new("SELECT orcid, name FROM researchers WHERE orcid IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            q.push(")");
            let rows: Vec<(OrcidId, String)> = q.build_query_as().fetch_all(&self.pool).await?;
            out.extend(rows);
        }
        Ok(out)
    }
}
