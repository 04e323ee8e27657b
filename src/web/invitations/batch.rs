//! One batch: the draft's report and the people it would invite (with ORCID's public
//! name beside each named iD), Send and Discard; once sent, live progress of its mail.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json, Redirect, Response};

use super::views::{BatchPage, DraftView, MailProgressView, PersonView};
use super::{batch_url, parse_id};
use crate::invitations::send::SendError;
use crate::state::AppState;
use crate::store::{AuditAction, BatchStatus, InvitationBatch};
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::lookup_progress::LookupProgressView;
use crate::web::pages::render;
use crate::web::staff::Staff;

/// People listed on a draft's page; the rest are counted.
const PEOPLE_SHOWN: i64 = 500;

async fn batch_of(state: &AppState, raw: &str) -> Result<InvitationBatch, PageError> {
    let id = parse_id(raw)?;
    state
        .store
        .invitation_batch(id)
        .await?
        .ok_or_else(PageError::not_found)
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let batch = batch_of(&state, &id).await?;
    let flash = flash::take(&staff.session).await?;
    let people = state
        .store
        .batch_invitations(batch.id, PEOPLE_SHOWN)
        .await?
        .iter()
        .map(|i| PersonView::new(&state, i))
        .collect();
    let draft = match batch.status {
        BatchStatus::Draft => {
            let (findings, omitted) = state.store.invitation_findings(batch.id).await?;
            Some(DraftView::new(&batch, findings, omitted))
        }
        _ => None,
    };
    let progress = match batch.status {
        BatchStatus::Sent => Some(MailProgressView::new(
            batch.id,
            state.invitations.progress(batch.id).await?,
        )),
        _ => None,
    };
    Ok(render(&BatchPage::new(
        staff.layout(&state).await?,
        flash,
        &batch,
        draft,
        people,
        progress,
    )))
}

pub async fn progress_json(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let batch = batch_of(&state, &id).await?;
    let progress = state.invitations.progress(batch.id).await?;
    Ok(Json(MailProgressView::new(batch.id, progress)).into_response())
}

/// A draft's Public API lookups, for the draft page's live progress.
pub async fn lookups_json(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let batch = batch_of(&state, &id).await?;
    Ok(Json(LookupProgressView::new(
        batch.lookups_total,
        batch.lookups_pending,
    ))
    .into_response())
}

pub async fn send(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, PageError> {
    let batch = batch_of(&state, &id).await?;
    let message = match state.invitations.send_batch(batch.id, &staff.orcid).await {
        Ok(n) => Flash::ok(format!(
            "{n} {} queued. They are sent at the mail rate; this page follows them.",
            if n == 1 { "invitation" } else { "invitations" }
        )),
        Err(SendError::NotDraft) => {
            Flash::warn("This batch was already sent or discarded: nothing was sent again.")
        }
        Err(SendError::Empty) => Flash::error("This batch has nobody to invite."),
        Err(SendError::LookingUp) => Flash::warn(
            "The iDs in this roster are still being looked up on ORCID: nothing was sent. Send once every iD has been looked up.",
        ),
        Err(e) => return Err(PageError::internal(e)),
    };
    flash::set(&staff.session, message).await?;
    Ok(Redirect::to(&batch_url(batch.id)).into_response())
}

pub async fn discard(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, PageError> {
    let batch = batch_of(&state, &id).await?;
    let message = if state.store.discard_invitation_batch(batch.id).await? {
        let detail = format!("batch {}", batch.id);
        staff
            .audit(
                &state,
                &staff.orcid,
                AuditAction::InviteDiscard,
                "ok",
                Some(&detail),
            )
            .await;
        Flash::ok("The draft was discarded; nobody was invited.")
    } else {
        Flash::warn("Only a draft can be discarded; this batch was already sent.")
    };
    flash::set(&staff.session, message).await?;
    Ok(Redirect::to("/admin/invitations/new").into_response())
}
