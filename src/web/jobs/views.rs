//! What the bulk-push pages show: the askama page types and the view models behind them.

use std::collections::HashMap;

use askama::Template;

use crate::jobs::progress::{status_label, Progress};
use crate::state::AppState;
use crate::store::{
    ItemStatus, Job, JobCounts, JobItem, JobLookup, JobLookupCounts, JobLookupStatus, RowError,
};
use crate::web::flash::Flash;
use crate::web::lookup_progress::LookupProgressView;
use crate::web::pager::Pager;
use crate::web::pages::Layout;
use orcid::{work_types, OrcidId};

/// Items per page of the result table.
pub const ITEMS_PER_PAGE: i64 = 50;
/// Findings drawn on a draft's page; all of them are in the errors CSV.
pub const FINDINGS_SHOWN: usize = 1000;
/// Looked-up iDs drawn on a draft's page (those without a record first).
pub const LOOKUPS_SHOWN: i64 = 500;

/// A job in the recent-jobs list.
pub struct JobSummary {
    pub id: i64,
    /// What the job puts on records: "works" or "affiliations".
    pub kind: &'static str,
    pub file_name: String,
    pub created: String,
    pub created_by: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub counts: JobCounts,
    pub rows_total: i64,
    pub rows_invalid: i64,
}

impl JobSummary {
    pub fn new(job: &Job, counts: JobCounts) -> Self {
        JobSummary {
            id: job.id,
            kind: job.kind.as_str(),
            file_name: job.file_name.clone(),
            created: crate::web::works_view::ago(job.created_at),
            created_by: job.created_by.clone(),
            status: job.status.as_str(),
            status_label: status_label(job.status),
            counts,
            rows_total: job.rows_total,
            rows_invalid: job.rows_invalid,
        }
    }
}

#[derive(Template)]
#[template(path = "jobs/upload.html")]
pub struct UploadPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub flash: Option<Flash>,
    /// Why the last upload was refused as a whole.
    pub error: Option<String>,
    pub jobs: Vec<JobSummary>,
    pub columns: &'static [&'static str],
    pub types: Vec<(&'static str, &'static str)>,
    pub max_mb: usize,
    pub max_rows: String,
    pub max_columns: usize,
    pub affiliation_columns: &'static [&'static str],
    pub affiliation_types: Vec<&'static str>,
    /// Why affiliations cannot be uploaded now (incomplete `ORG_*` settings).
    pub org_missing: Option<String>,
    /// The organisation every affiliation is written at.
    pub org_name: String,
}

impl UploadPage {
    pub fn new(
        layout: Layout,
        flash: Option<Flash>,
        jobs: Vec<JobSummary>,
        limits: crate::jobs::csv_rows::Limits,
        org: &crate::config::InstitutionOrg,
    ) -> Self {
        UploadPage {
            layout,
            nav: "jobs",
            flash,
            error: None,
            jobs,
            columns: &crate::jobs::csv_rows::COLUMNS,
            types: work_types::WORK_TYPES
                .iter()
                .map(|t| (t.slug, t.label))
                .collect(),
            max_mb: crate::jobs::csv_rows::MAX_BYTES / (1024 * 1024),
            max_rows: thousands(limits.max_rows),
            max_columns: limits.max_columns,
            affiliation_columns: &crate::jobs::csv_rows::affiliations::COLUMNS,
            affiliation_types: orcid::model::AffiliationSection::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
            org_missing: org.missing_message(),
            org_name: org.known.name.clone(),
        }
    }
}

/// A draft: the validation report and the start button.
pub struct DraftView {
    pub header_notes: Vec<RowError>,
    pub findings: Vec<RowError>,
    /// All findings about rows, including those not drawn.
    pub findings_total: usize,
    /// Findings only counted, not kept: "and 12,345 more rows with a problem in title".
    pub omitted: Vec<String>,
    pub valid: i64,
    /// Rows kept until their researcher connects (affiliations).
    pub waiting: i64,
    /// The iDs of people idlink has never connected, looked up on ORCID; `None` when the
    /// file names none.
    pub lookups: Option<UploadLookups>,
}

impl DraftView {
    /// `errors`: the first findings in file order (header notes first); `total`: all of
    /// them, header notes included.
    pub fn new(
        errors: Vec<RowError>,
        total: i64,
        omitted: &[(String, i64)],
        counts: JobCounts,
    ) -> Self {
        let (header_notes, findings): (Vec<_>, Vec<_>) =
            errors.into_iter().partition(|e| e.line <= 1);
        let notes = header_notes.len();
        DraftView {
            header_notes,
            findings,
            findings_total: usize::try_from(total).unwrap_or(0).saturating_sub(notes),
            omitted: omitted
                .iter()
                .map(|(column, n)| omitted_text(column, *n))
                .collect(),
            valid: counts.pending,
            waiting: counts.waiting,
            lookups: None,
        }
    }

    /// Start waits while iDs are looked up when rows wait for their researcher: an iD
    /// without a record takes its rows out of the draft.
    pub fn start_waits(&self) -> bool {
        self.waiting > 0 && self.lookups.as_ref().is_some_and(|l| l.progress.active)
    }
}

/// An upload's iDs of people idlink has never connected, as ORCID's Public API answered.
pub struct UploadLookups {
    pub progress: LookupProgressView,
    pub counts: JobLookupCounts,
    pub shown: Vec<LookupView>,
}

impl UploadLookups {
    pub fn new(state: &AppState, counts: JobLookupCounts, shown: Vec<JobLookup>) -> Self {
        UploadLookups {
            progress: LookupProgressView::new(counts.total, counts.pending),
            counts,
            shown: shown
                .into_iter()
                .map(|l| LookupView::new(state, l))
                .collect(),
        }
    }

    /// Not every iD is drawn.
    pub fn is_cut(&self) -> bool {
        self.counts.total > self.shown.len() as i64
    }
}

/// One looked-up iD: what ORCID shows for it, and the rows naming it.
pub struct LookupView {
    pub orcid: String,
    pub record_url: String,
    /// For the style: named, no_record, unchecked or pending.
    pub answer: &'static str,
    pub text: String,
    pub rows: i64,
    pub first_line: i64,
}

impl LookupView {
    fn new(state: &AppState, l: JobLookup) -> Self {
        let (answer, text) = match l.status {
            JobLookupStatus::Named => match l.public_name.filter(|n| !n.is_empty()) {
                Some(name) => ("named", name),
                None => ("named", "The record exists; its name is not public".into()),
            },
            JobLookupStatus::NoRecord => (
                "no_record",
                "No ORCID record: check the iD with the person".into(),
            ),
            JobLookupStatus::Unchecked => (
                "unchecked",
                "Could not be checked: ORCID did not answer".into(),
            ),
            JobLookupStatus::Pending => ("pending", "Being looked up…".into()),
        };
        LookupView {
            orcid: l.orcid.to_string(),
            record_url: state.orcid.record_url(&l.orcid),
            answer,
            text,
            rows: l.rows,
            first_line: l.first_line,
        }
    }
}

/// "and 12,345 more rows with a problem in “title” (not listed)", for the page and the
/// report file.
pub fn omitted_text(column: &str, n: i64) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    let rows = if n == 1 { "row" } else { "rows" };
    format!(
        "and {} more {rows} with a problem in “{column}” (not listed: idlink keeps the first {} problems of a file)",
        thousands(n),
        thousands(crate::jobs::findings::MAX_KEPT)
    )
}

/// 12345 → "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

pub struct ItemView {
    pub line: i64,
    pub orcid: String,
    pub record_url: String,
    pub name: String,
    /// `name` is the public name ORCID showed when the file was checked: the person has
    /// not connected, so idlink knows no name of its own.
    pub name_from_orcid: bool,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub put_code: Option<i64>,
    pub detail: String,
}

impl ItemView {
    pub fn new(state: &AppState, item: JobItem, name: Option<&ShownName>) -> Self {
        ItemView {
            line: item.line,
            orcid: item.orcid.to_string(),
            record_url: state.orcid.record_url(&item.orcid),
            name: name.map(|n| n.name.clone()).unwrap_or_default(),
            name_from_orcid: name.is_some_and(|n| n.from_orcid),
            title: item.title,
            status: item.status.as_str(),
            status_label: item_label(item.status),
            put_code: item.put_code,
            detail: item.detail.unwrap_or_default(),
        }
    }
}

pub fn item_label(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Waiting => "Waiting for the researcher to connect",
        ItemStatus::Pending => "Queued",
        ItemStatus::Sending => "Being sent",
        ItemStatus::Done => "Added",
        ItemStatus::AlreadyPresent => "Already on the record",
        ItemStatus::Skipped => "Skipped",
        ItemStatus::Failed => "Failed",
        ItemStatus::Cancelled => "Cancelled",
    }
}

/// A link that filters the result table by status.
pub struct FilterLink {
    pub href: String,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// A started job: progress, the result table and its pager.
pub struct RunView {
    pub progress: Progress,
    pub items: Vec<ItemView>,
    pub filters: Vec<FilterLink>,
    pub pager: Pager,
    pub can_cancel: bool,
}

impl RunView {
    pub fn filters(id: i64, counts: &JobCounts, current: Option<ItemStatus>) -> Vec<FilterLink> {
        let mut out = vec![FilterLink {
            href: format!("/admin/jobs/{id}#items"),
            label: "All",
            count: counts.total(),
            current: current.is_none(),
        }];
        for s in ItemStatus::ALL {
            if counts.get(s) > 0 {
                out.push(FilterLink {
                    href: format!("/admin/jobs/{id}?status={}#items", s.as_str()),
                    label: item_label(s),
                    count: counts.get(s),
                    current: current == Some(s),
                });
            }
        }
        out
    }
}

#[derive(Template)]
#[template(path = "jobs/job.html")]
pub struct JobPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub flash: Option<Flash>,
    pub job: JobSummary,
    pub started: String,
    pub push_again: bool,
    pub draft: Option<DraftView>,
    pub run: Option<RunView>,
}

#[derive(Template)]
#[template(path = "jobs/cancel.html")]
pub struct CancelPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub job: JobSummary,
    /// Items not yet sent, which cancelling stops.
    pub waiting: i64,
    pub draft: bool,
}

/// A researcher's name beside their items.
pub struct ShownName {
    pub name: String,
    /// The public name ORCID showed, for a person idlink has never connected.
    pub from_orcid: bool,
}

/// Names for the researchers on a page of a job's items: as idlink knows them, else as
/// ORCID showed them when the file was checked.
pub async fn names_of(
    state: &AppState,
    job_id: i64,
    items: &[JobItem],
) -> Result<HashMap<OrcidId, ShownName>, sqlx::Error> {
    let mut ids: Vec<OrcidId> = items.iter().map(|i| i.orcid).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names: HashMap<OrcidId, ShownName> = state
        .store
        .researcher_names(&ids)
        .await?
        .into_iter()
        .map(|(id, name)| {
            let shown = ShownName {
                name,
                from_orcid: false,
            };
            (id, shown)
        })
        .collect();
    let unknown: Vec<OrcidId> = ids
        .into_iter()
        .filter(|id| !names.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        for (id, name) in state.store.job_public_names(job_id, &unknown).await? {
            if !name.is_empty() {
                names.insert(
                    id,
                    ShownName {
                        name,
                        from_orcid: true,
                    },
                );
            }
        }
    }
    Ok(names)
}
