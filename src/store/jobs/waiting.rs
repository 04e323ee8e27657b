//! Rows kept for researchers who cannot be written to yet (`waiting` items): queued again
//! when the person connects, listed on their staff page, and what their affiliation form
//! starts with.

use orcid::OrcidId;

use super::WaitingItem;
use crate::store::{now, CachedSection, Store};

impl Store {
    /// A researcher connected (again): their waiting items of jobs not cancelled go back
    /// in the queue, and a job that had finished with only those left runs again.
    /// Returns how many items were queued.
    pub async fn resume_waiting(&self, orcid: &OrcidId) -> Result<u64, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        let jobs = sqlx::query_scalar!(
            r#"UPDATE job_items SET status = 'pending', retry_at = 0, attempts = 0, updated_at = ?2
               WHERE orcid = ?1 AND status = 'waiting'
                 AND job_id IN (SELECT id FROM jobs WHERE status != 'cancelled')
               RETURNING job_id AS "job_id!: i64""#,
            orcid,
            t,
        )
        .fetch_all(&mut *tx)
        .await?;
        let queued = jobs.len() as u64;
        let mut ids = jobs;
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            sqlx::query!(
                "UPDATE jobs SET status = 'queued', finished_at = NULL WHERE id = ?1 AND status = 'finished'",
                id,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The affiliation of `section` that staff last uploaded for `orcid` (newest job
    /// first, then the first row of that job), as its payload; cancelled jobs left out.
    pub async fn uploaded_affiliation(
        &self,
        orcid: &OrcidId,
        section: CachedSection,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT i.payload FROM job_items i JOIN jobs j ON j.id = i.job_id
             WHERE i.orcid = ?1 AND i.section = ?2 AND j.kind = 'affiliations'
               AND j.status != 'cancelled'
             ORDER BY j.id DESC, i.line LIMIT 1",
            orcid,
            section,
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// A researcher's waiting items, newest job first: for the staff researcher page.
    pub async fn waiting_items_of(
        &self,
        orcid: &OrcidId,
        limit: i64,
    ) -> Result<Vec<WaitingItem>, sqlx::Error> {
        sqlx::query_as!(
            WaitingItem,
            r#"SELECT job_id, line, title, detail FROM job_items
               WHERE orcid = ?1 AND status = 'waiting'
               ORDER BY job_id DESC, line LIMIT ?2"#,
            orcid,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }
}
