//! What the bulk-push pages show: the askama page types and the view models behind them.

use askama::Template;

use crate::jobs::progress::{status_label, Progress};
use crate::state::AppState;
use crate::store::{ItemStatus, Job, JobCounts, JobItem, RowError};
use crate::web::flash::Flash;
use crate::web::pager::Pager;
use crate::web::pages::Layout;
use orcid::{work_types, OrcidId};

/// Items per page of the result table.
pub const ITEMS_PER_PAGE: i64 = 50;
/// Findings drawn on a draft's page; all of them are in the errors CSV.
pub const FINDINGS_SHOWN: usize = 1000;

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
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub put_code: Option<i64>,
    pub detail: String,
}

impl ItemView {
    pub fn new(state: &AppState, item: JobItem, name: Option<&String>) -> Self {
        ItemView {
            line: item.line,
            orcid: item.orcid.to_string(),
            record_url: state.orcid.record_url(&item.orcid),
            name: name.cloned().unwrap_or_default(),
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

/// Names for the researchers on a page of items, as idlink knows them.
pub async fn names_of(
    state: &AppState,
    items: &[JobItem],
) -> Result<std::collections::HashMap<OrcidId, String>, sqlx::Error> {
    let mut ids: Vec<OrcidId> = items.iter().map(|i| i.orcid).collect();
    ids.sort_unstable();
    ids.dedup();
    state.store.researcher_names(&ids).await
}
