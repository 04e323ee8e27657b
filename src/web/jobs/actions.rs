//! Starting and cancelling a job: POSTs with the CSRF token, each in the audit log.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::views::{CancelPage, JobSummary};
use super::{job_of, job_ref, job_url, PageError};
use crate::state::AppState;
use crate::store::{AuditAction, JobCounts, JobStatus};
use crate::web::csrf::CsrfForm;
use crate::web::flash::{self, Flash};
use crate::web::pages::render;
use crate::web::staff::Staff;

#[derive(Deserialize)]
pub struct StartForm {
    /// The "push again anyway" checkbox: present (any value) when ticked.
    #[serde(default)]
    push_again: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StartForm>,
) -> Result<Response, PageError> {
    let (job, counts) = job_of(&state, &id).await?;
    let push_again = form.push_again.is_some();
    let flash = if job.status != JobStatus::Draft {
        refused(
            &state,
            &staff,
            AuditAction::JobStart,
            &job,
            "already started or cancelled",
        )
        .await;
        Flash::warn("This job was already started (or cancelled), so it was not started again. Nothing changed.")
    } else if counts.pending + counts.waiting == 0 {
        refused(&state, &staff, AuditAction::JobStart, &job, "no valid rows").await;
        Flash::error("No row of this file can be sent. Fix the file and upload it again.")
            .with_link("/admin/jobs", "Upload a file")
    } else if counts.waiting > 0 && state.store.job_lookup_counts(job.id).await?.pending > 0 {
        refused(
            &state,
            &staff,
            AuditAction::JobStart,
            &job,
            "iDs still being looked up",
        )
        .await;
        Flash::warn("The iDs of people not connected to idlink are still being looked up on ORCID, so the job was not started. Start is offered once every iD has been looked up.")
    } else if state.store.start_job(job.id, push_again).await? {
        state.runner.wake();
        let detail = format!(
            "{}: {} items, {} waiting, push again: {}",
            job_ref(&job),
            counts.pending,
            counts.waiting,
            if push_again { "yes" } else { "no" }
        );
        staff
            .audit(
                &state,
                &staff.orcid,
                AuditAction::JobStart,
                "ok",
                Some(&detail),
            )
            .await;
        Flash::ok(format!(
            "Job started: idlink is pushing the {} {} in the background, at the pace ORCID allows. You can leave this page; the job keeps running.{}",
            counts.pending,
            job.kind.as_str(),
            if counts.waiting > 0 {
                format!(" {} rows wait for their researchers to connect.", counts.waiting)
            } else {
                String::new()
            }
        ))
    } else {
        // Someone else started or cancelled it between the page and the click.
        refused(
            &state,
            &staff,
            AuditAction::JobStart,
            &job,
            "already started or cancelled",
        )
        .await;
        Flash::warn("This job was already started (or cancelled), so it was not started again. Nothing changed.")
    };
    flash::set(&staff.session, flash).await?;
    Ok(Redirect::to(&job_url(job.id)).into_response())
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    action: AuditAction,
    job: &crate::store::Job,
    why: &str,
) {
    let detail = format!("{}: {why}", job_ref(job));
    staff
        .audit(state, &staff.orcid, action, "refused", Some(&detail))
        .await;
}

/// Whether a job in `status` with these counts can still be cancelled: not yet ended, or
/// finished with rows still waiting for their researchers.
pub(super) fn can_cancel(status: JobStatus, counts: &JobCounts) -> bool {
    match status {
        JobStatus::Cancelled => false,
        JobStatus::Finished => counts.waiting > 0,
        _ => true,
    }
}

/// The confirmation page: cancelling cannot be undone.
pub async fn confirm_cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (job, counts) = job_of(&state, &id).await?;
    if !can_cancel(job.status, &counts) {
        flash::set(
            &staff.session,
            Flash::warn("This job has already ended; there is nothing to cancel."),
        )
        .await?;
        return Ok(Redirect::to(&job_url(job.id)).into_response());
    }
    Ok(render(&CancelPage {
        layout: staff.layout(&state).await?,
        nav: "jobs",
        waiting: counts.pending + counts.waiting,
        draft: job.status == JobStatus::Draft,
        job: JobSummary::new(&job, counts),
    }))
}

pub async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let (job, counts) = job_of(&state, &id).await?;
    let flash = if state.store.cancel_job(job.id).await? {
        let detail = format!(
            "{}: was {}, {} items not sent",
            job_ref(&job),
            job.status.as_str(),
            counts.pending + counts.waiting
        );
        staff
            .audit(
                &state,
                &staff.orcid,
                AuditAction::JobCancel,
                "ok",
                Some(&detail),
            )
            .await;
        if job.status == JobStatus::Draft {
            Flash::ok("The upload was discarded. Nothing was sent to ORCID.")
        } else {
            Flash::ok(format!(
                "The job was cancelled: {} {} not sent yet will not be sent. Those already added stay on the records.",
                counts.pending + counts.waiting,
                job.kind.as_str()
            ))
        }
    } else {
        refused(
            &state,
            &staff,
            AuditAction::JobCancel,
            &job,
            "already ended",
        )
        .await;
        Flash::warn("This job had already ended, so there was nothing to cancel.")
    };
    flash::set(&staff.session, flash).await?;
    Ok(Redirect::to(&job_url(job.id)).into_response())
}
