//! What a researcher's own page needs, in as few queries (and rows) as possible: each
//! row sqlx reads from SQLite crosses threads, so /me asks for one summary row and one
//! row holding the whole page of works.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orcid::OrcidId;

use super::{CachedWork, Researcher, Store, SyncStatus, TokenStatus};

/// The grant, without decrypting the tokens (/me shows only what was granted and when).
#[derive(Debug, Clone)]
pub struct GrantSummary {
    pub scope: String,
    pub status: TokenStatus,
    pub created_at: i64,
    pub expires_at: i64,
}

impl GrantSummary {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

#[derive(Debug, Clone)]
pub struct MeSummary {
    pub researcher: Researcher,
    pub grant: Option<GrantSummary>,
    pub sync: Option<SyncStatus>,
    /// Works groups in the cache.
    pub group_count: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    orcid: String,
    name: String,
    is_staff: i64,
    first_connected_at: i64,
    last_signed_in_at: i64,
    disconnected_at: Option<i64>,
    scope: Option<String>,
    status: Option<String>,
    created_at: Option<i64>,
    expires_at: Option<i64>,
    synced_at: Option<i64>,
    attempted_at: Option<i64>,
    last_error: Option<String>,
    group_count: i64,
}

impl Store {
    pub async fn me_summary(&self, orcid: &OrcidId) -> Result<Option<MeSummary>, sqlx::Error> {
        // Group indexes are dense from 0, so the largest + 1 is the count, read off the index.
        let row = sqlx::query_as::<_, Row>(
            "SELECT r.orcid, r.name, r.is_staff, r.first_connected_at, r.last_signed_in_at, r.disconnected_at,
                    t.scope, t.status, t.created_at, t.expires_at,
                    s.synced_at, s.attempted_at, s.last_error,
                    (SELECT COALESCE(MAX(w.group_index) + 1, 0) FROM cached_works w WHERE w.orcid = r.orcid) AS group_count
             FROM researchers r
             LEFT JOIN orcid_tokens t ON t.orcid = r.orcid
             LEFT JOIN works_sync s ON s.orcid = r.orcid
             WHERE r.orcid = ?1",
        )
        .bind(orcid.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let grant = match (r.scope, r.status, r.created_at, r.expires_at) {
            (Some(scope), Some(status), Some(created_at), Some(expires_at)) => Some(GrantSummary {
                scope,
                status: if status == "revoked" {
                    TokenStatus::Revoked
                } else {
                    TokenStatus::Active
                },
                created_at,
                expires_at,
            }),
            _ => None,
        };
        let sync = r.attempted_at.map(|attempted_at| SyncStatus {
            synced_at: r.synced_at,
            attempted_at,
            last_error: r.last_error,
        });
        Ok(Some(MeSummary {
            researcher: Researcher {
                orcid: OrcidId::parse(&r.orcid).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                name: r.name,
                is_staff: r.is_staff != 0,
                first_connected_at: r.first_connected_at,
                last_signed_in_at: r.last_signed_in_at,
                disconnected_at: r.disconnected_at,
            },
            grant,
            sync,
            group_count: r.group_count,
        }))
    }

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
        let json: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_object(
                 'put_code', put_code, 'group_index', group_index, 'title', title, 'subtitle', subtitle,
                 'work_type', work_type, 'pub_year', pub_year, 'pub_month', pub_month, 'pub_day', pub_day,
                 'journal_title', journal_title, 'url', url, 'source_name', source_name,
                 'source_client_id', source_client_id, 'visibility', visibility,
                 'external_ids', json(external_ids), 'last_modified', last_modified))
             FROM (SELECT * FROM cached_works
                   WHERE orcid = ?1 AND group_index >= ?2 AND group_index < ?3
                   ORDER BY group_index, put_code)",
        )
        .bind(orcid.as_str())
        .bind(first_group)
        .bind(first_group.saturating_add(groups))
        .fetch_one(&self.pool)
        .await?;
        serde_json::from_str(json.as_deref().unwrap_or("[]"))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

/// Pages keyed by (record, generation, first group, size). A change to a record's cache
/// bumps its generation, so its old pages are never read again and age out.
pub(super) struct WorksPageCache {
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
    pub(super) fn changed(&self, orcid: &OrcidId) {
        *self
            .generations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(*orcid)
            .or_insert(0) += 1;
    }
}
