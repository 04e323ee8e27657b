//! The works cache: what ORCID last returned for a record (`cached_works`, their
//! identifiers in `cached_work_ids`), when it was last read (`works_sync`), and pages of
//! it for /me, kept in memory until the record's cache changes (`pages`).

mod pages;

pub(super) use pages::WorksPageCache;

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::{now, Store};

/// One identifier of a cached work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedId {
    #[serde(rename = "type")]
    pub id_type: String,
    pub value: String,
    /// ORCID's normalised form (or idlink's, when ORCID sent none).
    pub normalized: Option<String>,
    pub url: Option<String>,
    pub relationship: Option<String>,
}

/// A work summary as shown on /me.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CachedWork {
    pub put_code: i64,
    pub group_index: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub work_type: String,
    pub pub_year: Option<String>,
    pub pub_month: Option<String>,
    pub pub_day: Option<String>,
    pub journal_title: Option<String>,
    pub url: Option<String>,
    pub source_name: Option<String>,
    pub source_client_id: Option<String>,
    pub visibility: Option<String>,
    pub external_ids: Vec<CachedId>,
    pub last_modified: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub synced_at: Option<i64>,
    pub attempted_at: i64,
    pub last_error: Option<String>,
}

/// A work on the record that shares an identifier with one being added.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentifierMatch {
    pub put_code: i64,
    pub title: String,
    pub source_name: Option<String>,
    pub source_client_id: Option<String>,
    pub id_type: String,
    pub id_value: String,
}

struct WorkRow {
    put_code: i64,
    group_index: i64,
    title: String,
    subtitle: Option<String>,
    work_type: String,
    pub_year: Option<String>,
    pub_month: Option<String>,
    pub_day: Option<String>,
    journal_title: Option<String>,
    url: Option<String>,
    source_name: Option<String>,
    source_client_id: Option<String>,
    visibility: Option<String>,
    external_ids: String,
    last_modified: Option<i64>,
}

impl From<WorkRow> for CachedWork {
    fn from(r: WorkRow) -> Self {
        CachedWork {
            put_code: r.put_code,
            group_index: r.group_index,
            title: r.title,
            subtitle: r.subtitle,
            work_type: r.work_type,
            pub_year: r.pub_year,
            pub_month: r.pub_month,
            pub_day: r.pub_day,
            journal_title: r.journal_title,
            url: r.url,
            source_name: r.source_name,
            source_client_id: r.source_client_id,
            visibility: r.visibility,
            // Written by idlink itself; an unreadable value shows as no identifiers.
            external_ids: serde_json::from_str(&r.external_ids).unwrap_or_default(),
            last_modified: r.last_modified,
        }
    }
}

const WORK_COLUMNS: &str =
    "put_code, group_index, title, subtitle, work_type, pub_year, pub_month, pub_day, \
     journal_title, url, source_name, source_client_id, visibility, external_ids, last_modified";

/// SQLite allows 32,766 bound values a statement; stay far below it.
const INSERT_CHUNK: usize = 500;

impl Store {
    /// Replaces the whole cache of one record with what ORCID returned, in one transaction,
    /// and marks active idlink works missing from it as deleted by the researcher.
    pub async fn replace_cached_works(
        &self,
        orcid: &OrcidId,
        works: &[CachedWork],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        replace_works(&mut tx, orcid, works).await?;
        let done = tx.commit().await;
        self.works_pages.changed(orcid);
        done
    }

    /// [`Store::replace_cached_works`] and the record's affiliations, in one transaction:
    /// what one `GET /activities` returned.
    pub async fn replace_cached_activities(
        &self,
        orcid: &OrcidId,
        works: &[CachedWork],
        affiliations: &[super::CachedAffiliation],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        replace_works(&mut tx, orcid, works).await?;
        super::affiliations_cache::replace(&mut tx, orcid, affiliations).await?;
        let done = tx.commit().await;
        self.works_pages.changed(orcid);
        done
    }

    pub async fn record_sync_failure(
        &self,
        orcid: &OrcidId,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "INSERT INTO works_sync (orcid, synced_at, attempted_at, last_error) VALUES (?1, NULL, ?2, ?3)
             ON CONFLICT(orcid) DO UPDATE SET attempted_at = ?2, last_error = ?3",
            orcid,
            t,
            error,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    pub async fn sync_status(&self, orcid: &OrcidId) -> Result<Option<SyncStatus>, sqlx::Error> {
        sqlx::query_as!(
            SyncStatus,
            "SELECT synced_at, attempted_at, last_error FROM works_sync WHERE orcid = ?1",
            orcid,
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Number of groups (as ORCID groups works) in the cache: indexes are dense from 0.
    pub async fn count_cached_groups(&self, orcid: &OrcidId) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT COALESCE(MAX(group_index) + 1, 0) AS "groups!: i64" FROM cached_works
               WHERE orcid = ?1"#,
            orcid,
        )
        .fetch_one(&self.pool)
        .await
    }

    pub async fn cached_work(
        &self,
        orcid: &OrcidId,
        put_code: i64,
    ) -> Result<Option<CachedWork>, sqlx::Error> {
        let row = sqlx::query_as!(
            WorkRow,
            "SELECT put_code, group_index, title, subtitle, work_type, pub_year, pub_month, pub_day,
                    journal_title, url, source_name, source_client_id, visibility, external_ids,
                    last_modified
             FROM cached_works WHERE orcid = ?1 AND put_code = ?2",
            orcid,
            put_code,
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(CachedWork::from))
    }

    /// Works on the record (any source) that carry one of these normalised identifiers.
    pub async fn works_with_identifiers(
        &self,
        orcid: &OrcidId,
        ids: &[(String, String)],
    ) -> Result<Vec<IdentifierMatch>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT DISTINCT w.put_code, w.title, w.source_name, w.source_client_id, i.id_type, i.id_value
             FROM cached_work_ids i JOIN cached_works w ON w.orcid = i.orcid AND w.put_code = i.put_code
             WHERE i.orcid = ",
        );
        q.push_bind(orcid).push(" AND (");
        for (n, (ty, v)) in ids.iter().enumerate() {
            if n > 0 {
                q.push(" OR ");
            }
            q.push("(i.id_type = ")
                .push_bind(ty)
                .push(" AND i.id_value = ")
                .push_bind(v)
                .push(")");
        }
        q.push(") ORDER BY w.group_index, w.put_code");
        q.build_query_as().fetch_all(&self.pool).await
    }
}

/// The works part of a replacement, on the caller's transaction; marks active idlink
/// works missing from ORCID's answer as deleted by the researcher.
async fn replace_works(
    tx: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    works: &[CachedWork],
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query!("DELETE FROM cached_works WHERE orcid = ?1", orcid)
        .execute(&mut *tx)
        .await?;

    for chunk in works.chunks(INSERT_CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO cached_works (orcid, {WORK_COLUMNS}) "
        ));
        q.push_values(chunk, |mut b, w| {
            b.push_bind(orcid)
                .push_bind(w.put_code)
                .push_bind(w.group_index)
                .push_bind(&w.title)
                .push_bind(&w.subtitle)
                .push_bind(&w.work_type)
                .push_bind(&w.pub_year)
                .push_bind(&w.pub_month)
                .push_bind(&w.pub_day)
                .push_bind(&w.journal_title)
                .push_bind(&w.url)
                .push_bind(&w.source_name)
                .push_bind(&w.source_client_id)
                .push_bind(&w.visibility)
                .push_bind(serde_json::to_string(&w.external_ids).unwrap_or_else(|_| "[]".into()))
                .push_bind(w.last_modified);
        });
        q.build().execute(&mut *tx).await?;
    }
    let ids: Vec<(i64, &str, &str)> = works
        .iter()
        .flat_map(|w| {
            w.external_ids.iter().filter_map(move |i| {
                i.normalized
                    .as_deref()
                    .map(|n| (w.put_code, i.id_type.as_str(), n))
            })
        })
        .collect();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO cached_work_ids (orcid, put_code, id_type, id_value) ",
        );
        q.push_values(chunk, |mut b, (pc, ty, v)| {
            b.push_bind(orcid)
                .push_bind(*pc)
                .push_bind(*ty)
                .push_bind(*v);
        });
        q.build().execute(&mut *tx).await?;
    }
    sqlx::query!(
        "INSERT INTO works_sync (orcid, synced_at, attempted_at, last_error) VALUES (?1, ?2, ?2, NULL)
         ON CONFLICT(orcid) DO UPDATE SET synced_at = ?2, attempted_at = ?2, last_error = NULL",
        orcid,
        t,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE idlink_works SET status = 'deleted_by_researcher', updated_at = ?2
         WHERE orcid = ?1 AND status = 'active'
           AND put_code NOT IN (SELECT put_code FROM cached_works WHERE orcid = ?1)",
        orcid,
        t,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Drops one work from the cache (idlink deleted it at ORCID), on the caller's connection
/// inside its transaction; the caller then tells the page cache.
pub(super) async fn forget(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    put_code: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM cached_works WHERE orcid = ?1 AND put_code = ?2",
        orcid,
        put_code
    )
    .execute(conn)
    .await
    .map(|_| ())
}
