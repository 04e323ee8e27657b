//! Keeping the works cache in step with ORCID: one call per refresh, however many works
//! the record has. A refresh reads the whole record (`GET /activities`: works and every
//! affiliation section); the bulk runner's look before it sends reads the works alone.

use crate::store::{now, CachedId, CachedWork, SyncStatus};
use orcid::model::{self, ExternalIds, PublicationDate, Source, Value, WorkSummary, WorkTitle};
use orcid::{Held, OrcidId};

use super::access::{AccessError, CallError};
use super::refresh_gate::{NotNow, Pass};
use super::{Works, WriteOutcome};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Api(#[from] orcid::ApiError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<CallError> for SyncError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Access(e) => Self::Access(e),
            CallError::Api(e) => Self::Api(e),
        }
    }
}

impl SyncError {
    /// What the page says about a failed refresh.
    pub fn for_person(&self) -> &'static str {
        WriteOutcome::from_sync(self).refresh_words()
    }

    /// Whether idlink's own limits held the read back, and which.
    pub fn held(&self) -> Option<Held> {
        match self {
            SyncError::Access(AccessError::Refresh(e)) => e.held(),
            SyncError::Api(e) => e.held(),
            _ => None,
        }
    }
}

/// What a refresh reads.
#[derive(Clone, Copy)]
enum Part {
    /// Works and affiliations, in one `GET /activities`.
    Record,
    /// Works alone, `GET /works`.
    Works,
}

/// What came of a refresh a person asked for.
pub enum Refreshed {
    /// It ran: how many works the record has, or why it could not be read.
    Ran(Result<usize, SyncError>),
    /// It did not run: one is running, or one ran a moment ago.
    NotNow(NotNow),
}

/// Whether the cache is older than `max_age_secs` (or was never filled).
pub fn is_stale(status: Option<&SyncStatus>, max_age_secs: i64) -> bool {
    status
        .and_then(|s| s.synced_at)
        .is_none_or(|t| now() - t >= max_age_secs)
}

impl Works {
    /// Reads the record's works and affiliations from ORCID in one call and replaces
    /// their caches; returns how many works.
    pub async fn refresh(&self, orcid: &OrcidId) -> Result<usize, SyncError> {
        self.refresh_part(orcid, Part::Record).await
    }

    /// Reads only the record's works (`GET /works`) and replaces their cache: for the bulk
    /// runner, which compares works alone before sending.
    pub async fn refresh_works(&self, orcid: &OrcidId) -> Result<usize, SyncError> {
        self.refresh_part(orcid, Part::Works).await
    }

    async fn refresh_part(&self, orcid: &OrcidId, part: Part) -> Result<usize, SyncError> {
        let result = self.fetch(orcid, part).await;
        match &result {
            // Not sent: nothing was learnt about the record, and the person is told.
            Err(e) if e.held().is_some() => {}
            Err(e) => {
                tracing::info!(orcid = %orcid, error = %e, "works refresh failed");
                self.store
                    .record_sync_failure(orcid, e.for_person())
                    .await?;
            }
            Ok(_) => {}
        }
        result
    }

    /// A refresh a person asked for (or caused by opening a page): it runs now unless
    /// one is running for the record or finished within the cooldown.
    pub async fn refresh_once(&self, orcid: &OrcidId) -> Refreshed {
        match self.refreshes.start(*orcid) {
            Ok(pass) => Refreshed::Ran(self.refresh_with(orcid, pass).await),
            Err(not_now) => Refreshed::NotNow(not_now),
        }
    }

    async fn refresh_with(&self, orcid: &OrcidId, pass: Pass) -> Result<usize, SyncError> {
        let result = self.refresh(orcid).await;
        if result.as_ref().is_err_and(|e| e.held().is_some()) {
            pass.unread();
        }
        result
    }

    async fn fetch(&self, orcid: &OrcidId, part: Part) -> Result<usize, SyncError> {
        let cached = match part {
            Part::Works => {
                let works = self
                    .with_token(orcid, |t| async move { self.orcid.works(&t, orcid).await })
                    .await?;
                let cached = to_cached(&works);
                self.store.replace_cached_works(orcid, &cached).await?;
                cached
            }
            Part::Record => {
                let activities = self
                    .with_token(
                        orcid,
                        |t| async move { self.orcid.activities(&t, orcid).await },
                    )
                    .await?;
                let cached = activities.works.as_ref().map(to_cached).unwrap_or_default();
                let affiliations = crate::affiliations::read::to_cached(&activities);
                self.store
                    .replace_cached_activities(orcid, &cached, &affiliations)
                    .await?;
                cached
            }
        };
        Ok(cached.len())
    }

    /// Starts a refresh in the background unless one is running for this record or
    /// finished within the cooldown; returns whether one is running now.
    pub fn refresh_in_background(&self, orcid: OrcidId) -> bool {
        match self.refreshes.start(orcid) {
            Ok(pass) => {
                let works = self.clone();
                tokio::spawn(async move {
                    let _ = works.refresh_with(&orcid, pass).await;
                });
                true
            }
            Err(NotNow::Running) => true,
            Err(NotNow::Recent { .. }) => false,
        }
    }
}

/// ORCID's grouped list flattened into cache rows, keeping its group order.
pub fn to_cached(works: &model::Works) -> Vec<CachedWork> {
    works
        .group
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group
                .work_summary
                .iter()
                .map(move |s| summary_row(g as i64, s))
        })
        .collect()
}

fn summary_row(group_index: i64, s: &WorkSummary) -> CachedWork {
    cache_row(
        group_index,
        RowParts {
            put_code: s.put_code,
            title: s.title.as_ref(),
            work_type: &s.work_type,
            date: s.publication_date.as_ref(),
            journal_title: s.journal_title.as_ref(),
            url: s.url.as_ref(),
            source: s.source.as_ref(),
            visibility: s.visibility.as_ref(),
            external_ids: s.external_ids.as_ref(),
            last_modified: s.last_modified_date.as_ref(),
        },
    )
}

/// What a cache row keeps, taken alike from a work summary or a full work.
pub(crate) struct RowParts<'a> {
    pub put_code: Option<i64>,
    pub title: Option<&'a WorkTitle>,
    pub work_type: &'a str,
    pub date: Option<&'a PublicationDate>,
    pub journal_title: Option<&'a Value<String>>,
    pub url: Option<&'a Value<String>>,
    pub source: Option<&'a Source>,
    pub visibility: Option<&'a String>,
    pub external_ids: Option<&'a ExternalIds>,
    pub last_modified: Option<&'a Value<i64>>,
}

pub(crate) fn cache_row(group_index: i64, p: RowParts<'_>) -> CachedWork {
    let text = |v: Option<&Value<String>>| {
        v.map(|v| v.as_str().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    CachedWork {
        put_code: p.put_code.unwrap_or_default(),
        group_index,
        title: p
            .title
            .and_then(|t| t.text())
            .unwrap_or("(untitled)")
            .to_string(),
        subtitle: p.title.and_then(|t| text(t.subtitle.as_ref())),
        work_type: p.work_type.to_string(),
        pub_year: p.date.and_then(|d| text(d.year.as_ref())),
        pub_month: p.date.and_then(|d| text(d.month.as_ref())),
        pub_day: p.date.and_then(|d| text(d.day.as_ref())),
        journal_title: text(p.journal_title),
        url: text(p.url),
        source_name: p.source.and_then(|src| src.name()).map(String::from),
        source_client_id: p.source.and_then(|src| src.client_id()).map(String::from),
        visibility: p.visibility.cloned(),
        external_ids: p
            .external_ids
            .iter()
            .flat_map(|e| &e.external_id)
            .map(|id| CachedId {
                id_type: id.external_id_type.clone(),
                value: id.external_id_value.clone(),
                normalized: id.normalized(),
                url: id.link(),
                relationship: id.external_id_relationship.clone(),
            })
            .collect(),
        last_modified: p.last_modified.map(|v| v.value),
    }
}
