//! Pages of a record's cached works for /me: read as one JSON row from SQLite (each row
//! sqlx reads crosses threads), and kept in memory until the record's cache changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orcid::OrcidId;

use super::CachedWork;
use crate::store::Store;

impl Store {
    /// The works of groups `[first_group, first_group + groups)` in ORCID's order: from
    /// memory when this page was read since the record's cache last changed, else from
    /// SQLite as one JSON row.
    pub async fn cached_works_page(
        &self,
        orcid: &OrcidId,
        first_group: i64,
        groups: i64,
    ) -> Result<Arc<Vec<CachedWork>>, sqlx::Error> {
        let key = self.works_pages.key(orcid, first_group, groups);
        if let Some(page) = self.works_pages.pages.get(&key) {
            return Ok(page);
        }
        let page = Arc::new(self.read_works_page(orcid, first_group, groups).await?);
        self.works_pages.pages.insert(key, page.clone());
        Ok(page)
    }

    async fn read_works_page(
        &self,
        orcid: &OrcidId,
        first_group: i64,
        groups: i64,
    ) -> Result<Vec<CachedWork>, sqlx::Error> {
        let last = first_group.saturating_add(groups);
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_object(
                 'put_code', put_code, 'group_index', group_index, 'title', title, 'subtitle', subtitle,
                 'work_type', work_type, 'pub_year', pub_year, 'pub_month', pub_month, 'pub_day', pub_day,
                 'journal_title', journal_title, 'url', url, 'source_name', source_name,
                 'source_client_id', source_client_id, 'visibility', visibility,
                 'external_ids', json(external_ids), 'last_modified', last_modified)) AS "page?: String"
             FROM (SELECT * FROM cached_works
                   WHERE orcid = ?1 AND group_index >= ?2 AND group_index < ?3
                   ORDER BY group_index, put_code)"#,
            orcid,
            first_group,
            last,
        )
        .fetch_one(&self.pool)
        .await?;
        serde_json::from_str(json.as_deref().unwrap_or("[]"))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

/// Pages keyed by (record, generation, first group, size). A change to a record's cache
/// bumps its generation, so its old pages are never read again and age out.
pub(in crate::store) struct WorksPageCache {
    pages: moka::sync::Cache<(OrcidId, u64, i64, i64), Arc<Vec<CachedWork>>>,
    generations: Mutex<HashMap<OrcidId, u64>>,
}

impl Default for WorksPageCache {
    fn default() -> Self {
        Self {
            pages: moka::sync::Cache::builder()
                .max_capacity(5_000)
                .time_to_idle(Duration::from_secs(15 * 60))
                .build(),
            generations: Mutex::default(),
        }
    }
}

impl std::fmt::Debug for WorksPageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorksPageCache")
            .field("pages", &self.pages.entry_count())
            .finish()
    }
}

impl WorksPageCache {
    fn key(&self, orcid: &OrcidId, first_group: i64, groups: i64) -> (OrcidId, u64, i64, i64) {
        let generation = self
            .generations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(orcid)
            .copied()
            .unwrap_or(0);
        (*orcid, generation, first_group, groups)
    }

    /// Called by every write to a record's cached works.
    pub(in crate::store) fn changed(&self, orcid: &OrcidId) {
        *self
            .generations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(*orcid)
            .or_insert(0) += 1;
    }
}
