//! The works idlink wrote to one researcher's record, for the staff view of that person.

use crate::store::Store;
use orcid::OrcidId;

/// One work idlink put on a record, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdlinkWrite {
    pub put_code: i64,
    /// `active`, `deleted` (idlink deleted it) or `deleted_by_researcher`.
    pub status: String,
    pub title: String,
    /// The normalised self identifiers sent, e.g. `[("doi", "10.1/abc")]`.
    pub identifiers: Vec<(String, String)>,
    pub created_at: i64,
    pub updated_at: i64,
}

type WriteRow = (i64, String, String, String, i64, i64);

impl Store {
    pub async fn idlink_writes_count(&self, orcid: &OrcidId) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM idlink_works WHERE orcid = ?1")
            .bind(orcid.as_str())
            .fetch_one(&self.pool)
            .await
    }

    /// One page of idlink's writes to the record, newest first.
    pub async fn idlink_writes_page(
        &self,
        orcid: &OrcidId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<IdlinkWrite>, sqlx::Error> {
        let rows: Vec<WriteRow> = sqlx::query_as(
            "SELECT put_code, status, title, identifiers, created_at, updated_at FROM idlink_works
             WHERE orcid = ?1 ORDER BY created_at DESC, put_code DESC LIMIT ?2 OFFSET ?3",
        )
        .bind(orcid.as_str())
        .bind(limit)
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(put_code, status, title, ids, created_at, updated_at)| IdlinkWrite {
                    put_code,
                    status,
                    title,
                    identifiers: serde_json::from_str(&ids).unwrap_or_default(),
                    created_at,
                    updated_at,
                },
            )
            .collect())
    }
}
