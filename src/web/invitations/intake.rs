//! Inviting: the form for one person, the roster upload, and the template. Either way
//! the people are checked into a draft batch that staff review before anything is sent.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::batch_url;
use super::views::NewPage;
use crate::invitations::intake::{self, IntakeError, Review};
use crate::invitations::roster::{self, PersonForm};
use crate::state::AppState;
use crate::store::{AuditAction, DraftReport};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::csv_response;
use crate::web::error::PageError;
use crate::web::flash;
use crate::web::jobs::{receive, NOT_A_FILE};
use crate::web::pages::render;
use crate::web::staff::Staff;

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let mut page = NewPage::new(staff.layout(&state).await?);
    page.flash = flash::take(&staff.session).await?;
    Ok(render(&page))
}

pub async fn template(_staff: Staff) -> Response {
    csv_response("invitations-template.csv", roster::template().into_bytes())
}

/// One person from the form: a problem sends the form back with every value kept and
/// each problem beside its field.
pub async fn person(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response, PageError> {
    let row = match roster::check_form(&form) {
        Ok(row) => row,
        Err(errors) => {
            let mut page = NewPage::new(staff.layout(&state).await?);
            page.form_errors = errors.into_iter().map(|e| (e.column, e.message)).collect();
            page.form = form;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let review = intake::review_person(&state.store, Some(state.invitations.lookup()), row)
        .await
        .map_err(PageError::internal)?;
    if review.invitations.is_empty() {
        // Already connected, or an iD with no ORCID record: said beside the field.
        let mut page = NewPage::new(staff.layout(&state).await?);
        page.form_errors = review
            .findings
            .kept()
            .into_iter()
            .map(|e| (e.column, e.message))
            .collect();
        page.form = form;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    save_draft(&state, &staff, "form", review).await
}

pub async fn roster(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let Ok(multipart) = multipart else {
        return refuse(&state, &staff, StatusCode::BAD_REQUEST, NOT_A_FILE.into()).await;
    };
    let received = receive(&staff, multipart).await?;
    let (name, bytes) = match received.file(
        &roster::RosterError::TooLarge.to_string(),
        "Choose the CSV file with the people to invite.",
    ) {
        Ok(file) => file,
        Err((status, msg)) => return refuse(&state, &staff, status, msg).await,
    };
    match intake::review_roster(&state.store, bytes).await {
        Ok(review) => {
            let saved = save_draft(&state, &staff, &name, review).await;
            // Its named iDs are looked up in the background; the draft page follows them.
            state.lookups.wake();
            saved
        }
        Err(IntakeError::File(e)) => {
            let detail = format!("{name}: {e}");
            staff
                .audit(
                    &state,
                    &staff.orcid,
                    AuditAction::InviteCheck,
                    "refused",
                    Some(&detail),
                )
                .await;
            refuse(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                e.to_string(),
            )
            .await
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

async fn save_draft(
    state: &AppState,
    staff: &Staff,
    source: &str,
    review: Review,
) -> Result<Response, PageError> {
    let id = state
        .store
        .create_invitation_batch(
            &staff.orcid,
            source,
            DraftReport {
                rows_total: review.rows_total,
                rows_invalid: review.rows_invalid(),
                kept: &review.findings.kept(),
                omitted: &review.findings.omitted(),
            },
            &review.invitations,
        )
        .await?;
    let detail = format!(
        "batch {id} ({source}): {} rows, {} to invite, {} refused",
        review.rows_total,
        review.invitations.len(),
        review.rows_invalid()
    );
    staff
        .audit(
            state,
            &staff.orcid,
            AuditAction::InviteCheck,
            "ok",
            Some(&detail),
        )
        .await;
    Ok(Redirect::to(&batch_url(id)).into_response())
}

async fn refuse(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    message: String,
) -> Result<Response, PageError> {
    let mut page = NewPage::new(staff.layout(state).await?);
    page.roster_error = Some(message);
    Ok((status, render(&page)).into_response())
}
