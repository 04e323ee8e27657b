//! Reconciliation of a bulk push, for staff: per job (one line per researcher, from
//! idlink's copy of each record with its read time), per researcher (their record read
//! from ORCID again first), and as a CSV file of every item.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::views::item_label;
use crate::jobs::reconcile::{self, Reconciliation, Row, Tally};
use crate::state::AppState;
use crate::store::{AuditAction, Job};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_stream, Batch};
use crate::web::error::PageError;
use crate::web::format::iso;
use crate::web::pager::{last_page, parse_page, Pager, PAGE_SIZE};
use crate::web::pages::{render, IdDisplay, Layout};
use crate::web::staff::Staff;
use crate::web::works_view::ago;
use crate::works::sync::Refreshed;
use orcid::OrcidId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs/{id}/reconcile", get(job_page))
        // Audited: POST with the CSRF token; a GET is 405.
        .route("/admin/jobs/{id}/reconcile.csv", post(export))
        .route("/admin/jobs/{id}/reconcile/{orcid}", get(researcher_page))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: String,
}

#[derive(Deserialize, Default)]
struct ExportForm {
    #[serde(default)]
    orcid: String,
}

/// One researcher's line on the job's reconciliation page.
pub struct ResearcherLine {
    pub orcid: String,
    pub name: String,
    pub items: usize,
    pub tally: Tally,
    /// "3 minutes ago", or empty when never read.
    pub synced: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "jobs/reconcile.html")]
pub struct JobPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub job_id: i64,
    pub file_name: String,
    pub researchers_total: i64,
    pub lines: Vec<ResearcherLine>,
    pub pager: Pager,
}

/// One item as the per-researcher page draws it.
pub struct RowView {
    pub row: Row,
    pub status: &'static str,
    pub status_label: &'static str,
    pub difference_key: &'static str,
    pub difference: String,
}

#[derive(Template)]
#[template(path = "jobs/reconcile_researcher.html")]
pub struct ResearcherPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub job_id: i64,
    pub file_name: String,
    pub name: String,
    pub orcid: String,
    pub id: IdDisplay,
    pub tally: Tally,
    pub rows: Vec<RowView>,
    /// "just now", "5 minutes ago"; empty when never read.
    pub synced: String,
    /// Why ORCID could not be read now, when it could not.
    pub refresh_error: Option<String>,
}

async fn job_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let job = job_of(&state, &id).await?;
    let mut notices = Vec::new();
    let page = parse_page(&q.page, &mut notices);
    let total = state.store.count_job_researchers(job.id).await?;
    let researchers = state
        .store
        .job_researchers(job.id, (page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
        .await?;
    let orcids: Vec<OrcidId> = researchers.iter().map(|(o, _)| *o).collect();
    let names = state.store.researcher_names(&orcids).await?;
    let mut lines = Vec::with_capacity(researchers.len());
    for (orcid, _) in researchers {
        let r = reconcile::researcher(&state.store, ours(&state), job.id, &orcid).await?;
        lines.push(ResearcherLine {
            orcid: orcid.to_string(),
            name: names.get(&orcid).cloned().unwrap_or_default(),
            items: r.rows.len(),
            tally: r.tally(),
            synced: synced(&r),
            href: format!("/admin/jobs/{}/reconcile/{orcid}", job.id),
        });
    }
    let pager = Pager::new(
        "Pages of researchers",
        page,
        last_page(total, PAGE_SIZE),
        |p| format!("/admin/jobs/{}/reconcile?page={p}", job.id),
    );
    let layout = staff.layout(&state).await?;
    Ok(render(&JobPage {
        layout,
        nav: "jobs",
        notices,
        job_id: job.id,
        file_name: job.file_name,
        researchers_total: total,
        lines,
        pager,
    }))
}

async fn researcher_page(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, orcid)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let job = job_of(&state, &id).await?;
    let orcid = OrcidId::parse(&orcid).map_err(|_| not_found())?;
    // ORCID's view of this moment, read for this staff member within their own allowance;
    // idlink's copy with its read time if ORCID cannot say, or was read a moment ago.
    let refresh_error = match state
        .works
        .for_person(staff.orcid)
        .refresh_once(&orcid)
        .await
    {
        Refreshed::Ran(Err(e)) => match e.held() {
            Some(held) => return Err(PageError::held(held, ("/admin/jobs", "All bulk pushes"))),
            None => Some(e.for_person().to_string()),
        },
        Refreshed::Ran(Ok(_)) | Refreshed::NotNow(_) => None,
    };
    let r = reconcile::researcher(&state.store, ours(&state), job.id, &orcid).await?;
    if r.rows.is_empty() {
        return Err(not_found());
    }
    let name = state
        .store
        .researcher_names(&[orcid])
        .await?
        .remove(&orcid)
        .unwrap_or_default();
    let layout = staff.layout(&state).await?;
    Ok(render(&ResearcherPage {
        layout,
        nav: "jobs",
        notices: Vec::new(),
        job_id: job.id,
        file_name: job.file_name,
        name,
        orcid: orcid.to_string(),
        id: IdDisplay {
            url: state.orcid.record_url(&orcid),
        },
        tally: r.tally(),
        synced: synced(&r),
        refresh_error,
        rows: r.rows.into_iter().map(row_view).collect(),
    }))
}

const CSV_HEADER: [&str; 17] = [
    "line",
    "orcid",
    "item_status",
    "item_put_code",
    "item_detail",
    "asked_title",
    "asked_type",
    "asked_date",
    "asked_identifiers",
    "record_put_code",
    "record_title",
    "record_type",
    "record_date",
    "record_source",
    "difference",
    "difference_detail",
    "record_read_at",
];

/// Researchers whose items are read per batch of the CSV file.
const RESEARCHERS_PER_BATCH: i64 = 50;

/// Every item of the job (or of one researcher, the form's `orcid`), as compared with
/// idlink's copy of the records, streamed researcher by researcher. Written to the audit
/// log as a staff action.
async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(q): CsrfForm<ExportForm>,
) -> Result<Response, PageError> {
    let job = job_of(&state, &id).await?;
    let only = match q.orcid.trim() {
        "" => None,
        s => Some(OrcidId::parse(s).map_err(|_| not_found())?),
    };
    let detail = match only {
        Some(o) => format!("job {}, researcher {o}", job.id),
        None => format!("job {}", job.id),
    };
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::ExportReconcile,
            "ok",
            Some(&detail),
        )
        .await;
    let job_id = job.id;
    Ok(csv_stream(
        &format!("job-{job_id}-reconcile.csv"),
        &CSV_HEADER,
        0,
        move |offset: i64| {
            let state = state.clone();
            async move {
                let (researchers, next) = match only {
                    Some(o) => (vec![o], None),
                    None => {
                        let page = state
                            .store
                            .job_researchers(job_id, offset, RESEARCHERS_PER_BATCH)
                            .await?;
                        let next = (page.len() as i64 == RESEARCHERS_PER_BATCH)
                            .then_some(offset + RESEARCHERS_PER_BATCH);
                        (page.into_iter().map(|(o, _)| o).collect(), next)
                    }
                };
                let mut rows = Vec::new();
                for orcid in &researchers {
                    let r =
                        reconcile::researcher(&state.store, ours(&state), job_id, orcid).await?;
                    let read_at = r.sync.as_ref().and_then(|s| s.synced_at).map(iso);
                    rows.extend(
                        r.rows
                            .iter()
                            .map(|row| csv_record(row, read_at.as_deref().unwrap_or_default())),
                    );
                }
                Ok::<Batch<i64>, sqlx::Error>((rows, next))
            }
        },
    ))
}

/// One item's line; cells are defused by the download.
fn csv_record(row: &Row, read_at: &str) -> Vec<String> {
    let rec = row.on_record.as_ref();
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    vec![
        row.item.line.to_string(),
        row.item.orcid.to_string(),
        row.item.status.as_str().to_string(),
        row.item.put_code.map(|p| p.to_string()).unwrap_or_default(),
        text(row.item.detail.as_deref()),
        row.asked.title.clone(),
        row.asked.work_type.clone(),
        text(row.asked.date.as_deref()),
        row.asked.identifiers.clone(),
        rec.map(|w| w.put_code.to_string()).unwrap_or_default(),
        text(rec.map(|w| w.title.as_str())),
        text(rec.map(|w| w.work_type.as_str())),
        text(rec.and_then(|w| w.date.as_deref())),
        text(rec.map(|w| w.source.as_str())),
        row.difference.key().to_string(),
        row.difference.label(),
        read_at.to_string(),
    ]
}

fn row_view(row: Row) -> RowView {
    RowView {
        status: row.item.status.as_str(),
        status_label: item_label(row.item.status),
        difference_key: row.difference.key(),
        difference: row.difference.label(),
        row,
    }
}

fn synced(r: &Reconciliation) -> String {
    r.sync
        .as_ref()
        .and_then(|s| s.synced_at)
        .map(ago)
        .unwrap_or_default()
}

async fn job_of(state: &AppState, raw: &str) -> Result<Job, PageError> {
    let id: i64 = raw.trim().parse().map_err(|_| not_found())?;
    state.store.job(id).await?.ok_or_else(not_found)
}

fn not_found() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such bulk push, or that researcher is not in it.",
    )
    .with_action("/admin/jobs", "All bulk pushes")
}

/// How the reconciliation tells idlink's own works apart, from this app's settings.
fn ours(state: &AppState) -> reconcile::Ours<'_> {
    reconcile::Ours {
        client_id: state.orcid.client_id(),
        institution: &state.settings.institution_name,
        organization: &state.settings.org.known,
    }
}
