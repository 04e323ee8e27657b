//! Keeping idlink's copy of a record in step after a push without another read: ORCID's
//! bulk answer holds each created work in full, so those works are added to the copy
//! read at the start of the unit. /me, the staff pages and the next job then see them
//! at no cost to the rate limit.

use crate::store::{CachedWork, Store};
use crate::works::sync::{cache_row, RowParts};
use orcid::model::Work;
use orcid::OrcidId;

/// Adds `added` (works ORCID just created) to the cached record, each as a new group
/// after the existing ones.
pub async fn add_to_cache(
    store: &Store,
    orcid: &OrcidId,
    added: &[Work],
) -> Result<(), sqlx::Error> {
    if added.is_empty() {
        return Ok(());
    }
    let mut works =
        std::sync::Arc::unwrap_or_clone(store.cached_works_page(orcid, 0, i64::MAX).await?);
    let next_group = works.iter().map(|w| w.group_index + 1).max().unwrap_or(0);
    let known: std::collections::HashSet<i64> = works.iter().map(|w| w.put_code).collect();
    let fresh = added
        .iter()
        .filter(|w| w.put_code.is_some_and(|pc| !known.contains(&pc)));
    for (n, w) in fresh.enumerate() {
        works.push(cached(w, next_group + n as i64));
    }
    store.replace_cached_works(orcid, &works).await
}

/// A full work as a cache row (the same fields a works-summary row carries).
fn cached(w: &Work, group_index: i64) -> CachedWork {
    cache_row(
        group_index,
        RowParts {
            put_code: w.put_code,
            title: w.title.as_ref(),
            work_type: &w.work_type,
            date: w.publication_date.as_ref(),
            journal_title: w.journal_title.as_ref(),
            url: w.url.as_ref(),
            source: w.source.as_ref(),
            visibility: w.visibility.as_ref(),
            external_ids: w.external_ids.as_ref(),
            last_modified: w.last_modified_date.as_ref(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use orcid::model::{ExternalId, ExternalIds, PublicationDate, Value, WorkTitle};

    #[test]
    fn a_created_work_becomes_a_cache_row() {
        let w = Work {
            put_code: Some(42),
            title: Some(WorkTitle::new(" Tides ")),
            work_type: "book".into(),
            publication_date: Some(PublicationDate {
                year: Some(Value::new("2020".to_string())),
                month: Some(Value::new("04".to_string())),
                day: None,
            }),
            external_ids: Some(ExternalIds {
                external_id: vec![ExternalId::new("doi", "10.1/ABC", "self")],
            }),
            ..Work::default()
        };
        let row = cached(&w, 7);
        assert_eq!((row.put_code, row.group_index), (42, 7));
        assert_eq!(row.title, "Tides");
        assert_eq!(row.pub_month.as_deref(), Some("04"));
        assert_eq!(row.external_ids[0].normalized.as_deref(), Some("10.1/abc"));
    }
}
