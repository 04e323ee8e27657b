//! The background runner's queries: which researchers have work, claiming items before a
//! request (pending → sending), settling them after, and resuming after a crash. Every
//! state change is one statement or one transaction, so a kill leaves nothing half-done.

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::model::ItemRow;
use super::{ItemStatus, JobItem};
use crate::store::audit::AuditAction;
use crate::store::{now, CachedSection, IdlinkWorkStatus, Store};

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
    pub action: AuditAction,
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

/// SQLite allows 32,766 bound values a statement; lists are bound in chunks below that.
const CHUNK: usize = 500;

impl Store {
    /// Researchers with work to do, oldest job first: pending items of a queued or running
    /// job, or items left `sending` by a crash (of any job, cancelled ones included, so
    /// they are resolved). A researcher waits until the latest `retry_at` of their items
    /// (set by the jobs domain's backoff when items are put back in the queue).
    ///
    /// Items whose stored iD is malformed can never be sent: they are failed here, with
    /// a detail naming the value, instead of being skipped for ever.
    pub async fn runnable_units(&self, limit: i64) -> Result<Vec<JobUnit>, sqlx::Error> {
        let t = now();
        // Driven from `jobs` (by its status index) so finished history is never scanned.
        let rows = sqlx::query!(
            r#"SELECT job_id AS "job_id!: i64", orcid AS "orcid!: String" FROM (
                 SELECT i.job_id, i.orcid, i.id, i.retry_at
                 FROM jobs j JOIN job_items i ON i.job_id = j.id AND i.status IN ('pending', 'sending')
                 WHERE j.status IN ('queued', 'running')
                 UNION ALL
                 SELECT i.job_id, i.orcid, i.id, i.retry_at
                 FROM jobs j JOIN job_items i ON i.job_id = j.id AND i.status = 'sending'
                 WHERE j.status = 'cancelled')
             GROUP BY job_id, orcid
             HAVING MAX(retry_at) <= ?1
             ORDER BY job_id, MIN(id)
             LIMIT ?2"#,
            t,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut units = Vec::with_capacity(rows.len());
        for r in rows {
            match OrcidId::parse(&r.orcid) {
                Ok(orcid) if orcid.as_str() == r.orcid => units.push(JobUnit {
                    job_id: r.job_id,
                    orcid,
                }),
                _ => self.fail_malformed_unit(r.job_id, &r.orcid).await?,
            }
        }
        Ok(units)
    }

    /// Fails the unsettled items of a job whose stored iD is not a valid iD, naming it.
    async fn fail_malformed_unit(&self, job_id: i64, value: &str) -> Result<(), sqlx::Error> {
        let detail = format!("stored ORCID iD {value:?} is malformed; not sent");
        let t = now();
        let lines = sqlx::query_scalar!(
            "UPDATE job_items SET status = 'failed', detail = ?3, updated_at = ?4
             WHERE job_id = ?1 AND orcid = ?2 AND status IN ('pending', 'sending')
             RETURNING line",
            job_id,
            value,
            detail,
            t,
        )
        .fetch_all(&self.pool)
        .await?;
        tracing::error!(
            job = job_id,
            orcid = value,
            ?lines,
            "job items with a malformed ORCID iD were failed"
        );
        Ok(())
    }

    /// Queued → running, noting when it started.
    pub async fn mark_job_running(&self, job_id: i64) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?2)
             WHERE id = ?1 AND status = 'queued'",
            job_id,
            t,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The unit's unsettled items (pending and sending), in CSV order.
    pub async fn unit_items(&self, unit: &JobUnit) -> Result<Vec<JobItem>, sqlx::Error> {
        let rows = sqlx::query_as!(
            ItemRow,
            r#"SELECT id AS "id!", job_id, line, orcid, title, payload,
                      section AS "section: CachedSection", identity,
                      status AS "status: ItemStatus", put_code, detail, attempts, updated_at
               FROM job_items WHERE job_id = ?1 AND orcid = ?2 AND status IN ('pending', 'sending')
               ORDER BY line, id"#,
            unit.job_id,
            unit.orcid,
        )
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
                row.push_bind(b.orcid)
                    .push_bind(w.put_code)
                    .push_bind(IdlinkWorkStatus::Active)
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
                    .push_bind(b.actor)
                    .push_bind(b.orcid)
                    .push_bind(a.action)
                    .push_bind(a.put_code)
                    .push_bind(a.outcome)
                    .push_bind(&a.detail);
            });
            q.build().execute(&mut *tx).await?;
        }
        let mut changed = 0;
        for s in &b.settlements {
            changed += sqlx::query!(
                "UPDATE job_items SET status = ?2, put_code = ?3, detail = ?4, updated_at = ?5
                 WHERE id = ?1 AND status IN ('pending', 'sending')",
                s.id,
                s.status,
                s.put_code,
                s.detail,
                t,
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Puts items back in the queue after a transient failure (`attempts` counted up when
    /// `count_attempt`), not to be tried before `retry_at` (the jobs domain's backoff), or
    /// marks them cancelled when their job was cancelled meanwhile.
    pub async fn release_items(
        &self,
        ids: &[i64],
        count_attempt: bool,
        detail: Option<&str>,
        retry_at: i64,
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
                .push(", detail), retry_at = ")
                .push_bind(retry_at)
                .push(", updated_at = ")
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
        // The same condition in both statements.
        let done = sqlx::query_scalar!(
            r#"SELECT id AS "id!" FROM jobs WHERE status IN ('queued', 'running')
               AND NOT EXISTS (SELECT 1 FROM job_items i
                               WHERE i.job_id = jobs.id AND i.status IN ('pending', 'sending'))"#
        )
        .fetch_all(&self.pool)
        .await?;
        if done.is_empty() {
            return Ok(done);
        }
        let t = now();
        sqlx::query_scalar!(
            r#"UPDATE jobs SET status = 'finished', finished_at = ?1
             WHERE status IN ('queued', 'running')
               AND NOT EXISTS (SELECT 1 FROM job_items i
                               WHERE i.job_id = jobs.id AND i.status IN ('pending', 'sending'))
             RETURNING id AS "id!""#,
            t,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Every item of one researcher in one job, in CSV order (for reconciliation).
    pub async fn job_items_of(
        &self,
        job_id: i64,
        orcid: &OrcidId,
    ) -> Result<Vec<JobItem>, sqlx::Error> {
        let rows = sqlx::query_as!(
            ItemRow,
            r#"SELECT id AS "id!", job_id, line, orcid, title, payload,
                      section AS "section: CachedSection", identity,
                      status AS "status: ItemStatus", put_code, detail, attempts, updated_at
               FROM job_items WHERE job_id = ?1 AND orcid = ?2 ORDER BY line, id"#,
            job_id,
            orcid,
        )
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
        let rows = sqlx::query!(
            r#"SELECT orcid AS "orcid: OrcidId", COUNT(*) AS "n!: i64" FROM job_items
               WHERE job_id = ?1 GROUP BY orcid ORDER BY MIN(line), orcid LIMIT ?2 OFFSET ?3"#,
            job_id,
            limit,
            offset,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.orcid, r.n)).collect())
    }

    pub async fn count_job_researchers(&self, job_id: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT COUNT(DISTINCT orcid) FROM job_items WHERE job_id = ?1",
            job_id
        )
        .fetch_one(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{test_store, DraftReport, ItemStatus, NewJobItem};

    fn report(rows_total: i64) -> DraftReport<'static> {
        DraftReport {
            rows_total,
            ..DraftReport::default()
        }
    }
    use orcid::OrcidId;

    #[tokio::test]
    async fn a_malformed_id_read_back_fails_its_items_naming_the_value() {
        let (_dir, store) = test_store().await;
        let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let item = |line, orcid| NewJobItem {
            line,
            orcid,
            title: format!("Work on line {line}"),
            payload: "{}".into(),
            section: None,
            identity: vec![],
            waiting: false,
        };
        let good = OrcidId::from_base_digits(1);
        let bad = OrcidId::from_base_digits(2);
        let items = [item(2, good), item(3, bad)];
        let job = store
            .create_draft_job(&staff, "works.csv", report(2), &items)
            .await
            .unwrap();
        assert!(store.start_job(job, false).await.unwrap());
        // The file was edited behind idlink's back.
        sqlx::query("UPDATE job_items SET orcid = '0000-0000-0000-000X' WHERE orcid = ?1")
            .bind(bad)
            .execute(store.pool())
            .await
            .unwrap();

        let units = store.runnable_units(10).await.unwrap();

        assert_eq!(units.len(), 1);
        assert_eq!(units[0].orcid, good);
        let outcomes = store.job_outcomes_after(job, 0, 10).await.unwrap();
        let failed = &outcomes[1];
        assert_eq!((failed.line, failed.status), (3, ItemStatus::Failed));
        let detail = failed.detail.as_deref().unwrap_or_default();
        assert!(detail.contains("0000-0000-0000-000X"), "{detail}");
        assert_eq!(outcomes[0].status, ItemStatus::Pending);
        // Reading the item itself names its row.
        let err = store
            .job_items(job, None, 0, 10)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("000X"), "{err}");
    }

    #[tokio::test]
    async fn a_released_item_waits_until_its_retry_time() {
        let (_dir, store) = test_store().await;
        let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let item = NewJobItem {
            line: 2,
            orcid: OrcidId::from_base_digits(1),
            title: "A work".into(),
            payload: "{}".into(),
            section: None,
            identity: vec![],
            waiting: false,
        };
        let job = store
            .create_draft_job(&staff, "works.csv", report(1), &[item])
            .await
            .unwrap();
        store.start_job(job, false).await.unwrap();
        let id = store.job_outcomes_after(job, 0, 1).await.unwrap()[0].id;
        assert_eq!(store.claim_items(job, &[id]).await.unwrap(), [id]);

        let later = crate::store::now() + 3600;
        store
            .release_items(&[id], true, Some("busy"), later)
            .await
            .unwrap();

        assert!(store.runnable_units(10).await.unwrap().is_empty());
        store.release_items(&[id], false, None, 0).await.unwrap();
        assert_eq!(store.runnable_units(10).await.unwrap().len(), 1);
    }
}
