//! Staff pages for bulk pushes: upload a CSV, review it, run the job, follow it.
//! Every handler takes [`Staff`] first, so anyone else gets 403 before a body is read.

mod actions;
mod downloads;
mod job_page;
mod reconcile;
mod upload;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use super::error::PageError;
use crate::state::AppState;
use crate::store::{Job, JobCounts};
pub(in crate::web) use upload::{receive, BODY_LIMIT, NOT_A_FILE};
pub(in crate::web) use views::JobSummary;

/// The latest jobs with their counts, for the upload page and the staff dashboard.
pub(in crate::web) async fn recent(
    state: &AppState,
    limit: i64,
) -> Result<Vec<JobSummary>, PageError> {
    let mut out = Vec::new();
    for job in state.store.recent_jobs(limit).await? {
        let counts = state.store.job_counts(job.id).await?;
        out.push(JobSummary::new(&job, counts));
    }
    Ok(out)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/jobs",
            get(upload::page)
                .post(upload::upload)
                // Above the file limit, so an oversized upload is read and answered with a
                // page rather than cut off mid-request.
                .layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route(
            "/admin/jobs/affiliations",
            get(|| async { axum::response::Redirect::to("/admin/jobs#affiliations") })
                .post(upload::upload_affiliations)
                .layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route("/admin/jobs/template.csv", get(downloads::template))
        .route(
            "/admin/jobs/affiliations-template.csv",
            get(downloads::affiliations_template),
        )
        .route("/admin/jobs/{id}", get(job_page::page))
        .route(
            "/admin/jobs/{id}/progress.json",
            get(job_page::progress_json),
        )
        .route("/admin/jobs/{id}/lookups.json", get(job_page::lookups_json))
        // Audited downloads: POST with the CSRF token; a GET is 405.
        .route("/admin/jobs/{id}/results.csv", post(downloads::results))
        .route("/admin/jobs/{id}/errors.csv", post(downloads::errors))
        .route("/admin/jobs/{id}/start", post(actions::start))
        .route(
            "/admin/jobs/{id}/cancel",
            get(actions::confirm_cancel).post(actions::cancel),
        )
        .merge(reconcile::router())
}

/// The job named in the path (any text: a bad one is a 404 page, not a plain 400).
async fn job_of(state: &AppState, id: &str) -> Result<(Job, JobCounts), PageError> {
    let job = match id.parse::<i64>() {
        Ok(id) => state.store.job(id).await?,
        Err(_) => None,
    };
    let Some(job) = job else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "No such job",
            "There is no bulk push with this number.",
        )
        .with_action("/admin/jobs", "See the recent jobs"));
    };
    let counts = state.store.job_counts(job.id).await?;
    Ok((job, counts))
}

fn job_url(id: i64) -> String {
    format!("/admin/jobs/{id}")
}

/// "job 7 (works.csv)": the audit detail that names a job.
fn job_ref(job: &Job) -> String {
    format!("job {} ({})", job.id, job.file_name)
}
