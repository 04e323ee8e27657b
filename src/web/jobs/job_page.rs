//! One job's page: a draft's validation report, or a started job's progress and items;
//! and the progress as JSON for `static/job.js`, which keeps the numbers live.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::views::{
    names_of, DraftView, ItemView, JobPage, JobSummary, RunView, UploadLookups, FINDINGS_SHOWN,
    ITEMS_PER_PAGE, LOOKUPS_SHOWN,
};
use super::{job_of, PageError};
use crate::jobs::progress::{progress, window_start, Progress};
use crate::state::AppState;
use crate::store::{now, ItemStatus, Job, JobCounts, JobStatus};
use crate::web::flash;
use crate::web::lookup_progress::LookupProgressView;
use crate::web::pager::{last_page, Pager};
use crate::web::pages::render;
use crate::web::staff::Staff;

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (job, counts) = job_of(&state, &id).await?;
    let flash = flash::take(&staff.session).await?;
    let (draft, run) = if job.status == JobStatus::Draft {
        let (errors, total) = state
            .store
            .row_errors_first(job.id, FINDINGS_SHOWN as i64)
            .await?;
        let omitted = state.store.findings_omitted(job.id).await?;
        let mut draft = DraftView::new(errors, total, &omitted, counts);
        let looked_up = state.store.job_lookup_counts(job.id).await?;
        if looked_up.total > 0 {
            let shown = state.store.job_lookups(job.id, LOOKUPS_SHOWN).await?;
            draft.lookups = Some(UploadLookups::new(&state, looked_up, shown));
        }
        (Some(draft), None)
    } else {
        let status = query.get("status").and_then(|s| ItemStatus::from_query(s));
        let page: i64 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        (
            None,
            Some(run_view(&state, &job, counts, status, page).await?),
        )
    };
    let started = job
        .started_at
        .map(crate::web::works_view::ago)
        .unwrap_or_default();
    Ok(render(&JobPage {
        layout: staff.layout(&state).await?,
        nav: "jobs",
        flash,
        started,
        push_again: job.push_again,
        job: JobSummary::new(&job, counts),
        draft,
        run,
    }))
}

async fn run_view(
    state: &AppState,
    job: &Job,
    counts: JobCounts,
    status: Option<ItemStatus>,
    page: i64,
) -> Result<RunView, PageError> {
    let shown = status.map_or(counts.total(), |s| counts.get(s));
    let pages = last_page(shown, ITEMS_PER_PAGE);
    let page = page.clamp(1, pages);
    let items = state
        .store
        .job_items(job.id, status, (page - 1) * ITEMS_PER_PAGE, ITEMS_PER_PAGE)
        .await?;
    let names = names_of(state, job.id, &items).await?;
    let link = |p: i64| {
        let filter = status.map_or(String::new(), |s| format!("status={}&", s.as_str()));
        format!("/admin/jobs/{}?{filter}page={p}#items", job.id)
    };
    Ok(RunView {
        progress: current(state, job, counts).await?,
        filters: RunView::filters(job.id, &counts, status),
        items: items
            .into_iter()
            .map(|i| {
                let name = names.get(&i.orcid);
                ItemView::new(state, i, name)
            })
            .collect(),
        pager: Pager::new("Pages of items", page, pages, link),
        can_cancel: super::actions::can_cancel(job.status, &counts),
    })
}

async fn current(state: &AppState, job: &Job, counts: JobCounts) -> Result<Progress, PageError> {
    let t = now();
    let recent = state
        .store
        .job_settled_since(job.id, window_start(job, t))
        .await?;
    Ok(progress(job, counts, recent, t))
}

/// A draft's Public API lookups, for its page's live progress.
pub async fn lookups_json(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (job, _) = job_of(&state, &id).await?;
    let c = state.store.job_lookup_counts(job.id).await?;
    Ok(Json(LookupProgressView::new(c.total, c.pending)).into_response())
}

pub async fn progress_json(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (job, counts) = job_of(&state, &id).await?;
    Ok(Json(current(&state, &job, counts).await?).into_response())
}
