//! Reconciliation of a bulk push: for each item, what the upload asked for, what the
//! ORCID record holds now (from idlink's copy of it, with its sync time), and how the two
//! differ.

mod affiliations;

use crate::store::{
    CachedWork, IdlinkWork, IdlinkWorkStatus, ItemStatus, JobItem, Store, SyncStatus,
};
use orcid::model::Work;
use orcid::OrcidId;

/// How an item compares with the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// On the record as asked.
    Same,
    /// On the record, but these fields differ (`title`, `type`, `date`).
    Differs(Vec<&'static str>),
    /// Asked for but not on the record (not sent, failed, or never arrived).
    Missing,
    /// idlink put it there and the researcher deleted it since.
    DeletedByResearcher,
    /// The job has not decided this item yet.
    InProgress,
}

impl Difference {
    /// A stable name for CSV files and CSS classes.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Differs(_) => "differs",
            Self::Missing => "missing",
            Self::DeletedByResearcher => "deleted_by_researcher",
            Self::InProgress => "in_progress",
        }
    }

    /// What staff read.
    pub fn label(&self) -> String {
        match self {
            Self::Same => "on the record as asked".into(),
            Self::Differs(fields) => format!("on the record, different {}", fields.join(", ")),
            Self::Missing => "not on the record".into(),
            Self::DeletedByResearcher => "added, then deleted by the researcher".into(),
            Self::InProgress => "not sent yet".into(),
        }
    }
}

/// The work as the upload described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub title: String,
    pub work_type: String,
    /// `2022`, `2022-05` or `2022-05-24`.
    pub date: Option<String>,
    /// `doi:10.1/abc; isbn:…`.
    pub identifiers: String,
}

/// The matching work on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnRecord {
    pub put_code: i64,
    pub title: String,
    pub work_type: String,
    pub date: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub item: JobItem,
    pub asked: Asked,
    pub on_record: Option<OnRecord>,
    pub difference: Difference,
}

/// One researcher's items in one job, compared with their record.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub orcid: OrcidId,
    pub rows: Vec<Row>,
    /// When idlink's copy of the record was last read from ORCID.
    pub sync: Option<SyncStatus>,
}

/// How many rows fall in each kind of difference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub same: usize,
    pub differs: usize,
    pub missing: usize,
    pub deleted: usize,
    pub in_progress: usize,
}

impl Reconciliation {
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for r in &self.rows {
            match r.difference {
                Difference::Same => t.same += 1,
                Difference::Differs(_) => t.differs += 1,
                Difference::Missing => t.missing += 1,
                Difference::DeletedByResearcher => t.deleted += 1,
                Difference::InProgress => t.in_progress += 1,
            }
        }
        t
    }
}

/// How idlink's own works are told apart on a record, and named to staff.
#[derive(Debug, Clone, Copy)]
pub struct Ours<'a> {
    /// idlink's ORCID client id: the source of the works it added.
    pub client_id: &'a str,
    pub institution: &'a str,
    /// The institution as an ORCID organisation: its own affiliations are recognised by it.
    pub organization: &'a orcid::model::Organization,
}

/// Compares one researcher's items in `job_id` with idlink's copy of their record (the
/// caller refreshes it first when it wants ORCID's view of this moment).
pub async fn researcher(
    store: &Store,
    ours: Ours<'_>,
    job_id: i64,
    orcid: &OrcidId,
) -> Result<Reconciliation, sqlx::Error> {
    let items = store.job_items_of(job_id, orcid).await?;
    if items.iter().any(|i| i.section.is_some()) {
        let rows = affiliations::rows(store, ours, ours.organization, orcid, items).await?;
        return Ok(Reconciliation {
            orcid: *orcid,
            rows,
            sync: store.sync_status(orcid).await?,
        });
    }
    let added = store.idlink_works(orcid).await?;
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let work = match item.put_code {
            Some(pc) => store.cached_work(orcid, pc).await?,
            None => None,
        };
        let work = match work {
            Some(w) => Some(w),
            None => by_identifiers(store, ours, orcid, &item).await?,
        };
        let on_record = work.map(|w| on_record(ours, w));
        let asked = asked(&item);
        let difference = compare(&item, &asked, on_record.as_ref(), &added);
        rows.push(Row {
            item,
            asked,
            on_record,
            difference,
        });
    }
    Ok(Reconciliation {
        orcid: *orcid,
        rows,
        sync: store.sync_status(orcid).await?,
    })
}

/// A work on the record sharing an identifier with the item, idlink's own first.
async fn by_identifiers(
    store: &Store,
    ours: Ours<'_>,
    orcid: &OrcidId,
    item: &JobItem,
) -> Result<Option<CachedWork>, sqlx::Error> {
    let matches = store.works_with_identifiers(orcid, &item.identity).await?;
    let best = matches
        .iter()
        .find(|m| m.source_client_id.as_deref() == Some(ours.client_id))
        .or(matches.first());
    match best {
        Some(m) => store.cached_work(orcid, m.put_code).await,
        None => Ok(None),
    }
}

fn on_record(ours: Ours<'_>, w: CachedWork) -> OnRecord {
    let source = if w.source_client_id.as_deref() == Some(ours.client_id) {
        format!("{} (idlink)", ours.institution)
    } else {
        w.source_name.unwrap_or_else(|| "an unnamed source".into())
    };
    OnRecord {
        put_code: w.put_code,
        title: w.title,
        work_type: w.work_type,
        date: date(w.pub_year, w.pub_month, w.pub_day),
        source,
    }
}

/// What the item asked for, read from the work it sends.
pub fn asked(item: &JobItem) -> Asked {
    let work: Option<Work> = serde_json::from_str(&item.payload).ok();
    let identifiers = item
        .identity
        .iter()
        .map(|(t, v)| format!("{t}:{v}"))
        .collect::<Vec<_>>()
        .join("; ");
    Asked {
        title: work
            .as_ref()
            .and_then(|w| w.title_text())
            .unwrap_or(&item.title)
            .to_string(),
        work_type: work
            .as_ref()
            .map(|w| w.work_type.clone())
            .unwrap_or_default(),
        date: work
            .as_ref()
            .and_then(|w| w.publication_date.as_ref())
            .and_then(|d| d.display()),
        identifiers,
    }
}

/// The difference between an item and the record.
pub fn compare(
    item: &JobItem,
    asked: &Asked,
    on_record: Option<&OnRecord>,
    ours: &[IdlinkWork],
) -> Difference {
    if let Some(w) = on_record {
        let mut fields = Vec::new();
        if simplified(&asked.title) != simplified(&w.title) {
            fields.push("title");
        }
        if asked.work_type != w.work_type {
            fields.push("type");
        }
        if asked.date != w.date {
            fields.push("date");
        }
        return if fields.is_empty() {
            Difference::Same
        } else {
            Difference::Differs(fields)
        };
    }
    let deleted = ours.iter().any(|w| {
        w.status == IdlinkWorkStatus::DeletedByResearcher
            && (Some(w.put_code) == item.put_code
                || w.identifiers.iter().any(|id| item.identity.contains(id)))
    });
    if deleted {
        Difference::DeletedByResearcher
    } else if matches!(
        item.status,
        ItemStatus::Pending | ItemStatus::Sending | ItemStatus::Waiting
    ) {
        Difference::InProgress
    } else {
        Difference::Missing
    }
}

/// Titles compared as people read them: case and runs of spaces do not count.
fn simplified(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn date(year: Option<String>, month: Option<String>, day: Option<String>) -> Option<String> {
    let year = year?;
    Some(match (month, day) {
        (Some(m), Some(d)) => format!("{year}-{m}-{d}"),
        (Some(m), None) => format!("{year}-{m}"),
        _ => year,
    })
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
