//! The outbox for staff (`/admin/mail`): messages by status, and the ones that need a
//! person: failed (with the reason), waiting after a failure, or in doubt after a
//! restart, which are sent again only from here (`POST /admin/mail/{id}/send-again`).
//! `GET /admin/mail/progress.json[?batch=…]` gives the counts for pages that follow a
//! sending live.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::mail::outbox::{MailKind, MailProgress, MailStatus, OutboxEntry};
use crate::state::AppState;
use crate::store::AuditAction;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::format::when;
use crate::web::pages::{render, Layout};
use crate::web::staff::Staff;

/// Messages listed on the page, newest first.
const LISTED: i64 = 200;

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    nav: &'static str,
    counts: MailProgress,
    rate_per_min: u32,
    rows: Vec<Row>,
    flash: Option<Flash>,
}

struct Row {
    id: i64,
    to: String,
    kind: &'static str,
    subject: String,
    status: &'static str,
    /// What happened, in words.
    note: String,
    updated: String,
    can_send_again: bool,
}

fn kind_label(kind: MailKind) -> &'static str {
    match kind {
        MailKind::Invitation => "invitation",
        MailKind::Reminder => "reminder",
        MailKind::Reconsent => "re-consent",
        MailKind::Notice => "notice",
    }
}

fn row(e: OutboxEntry) -> Row {
    let error = e.last_error.unwrap_or_default();
    let (status, note) = match e.status {
        MailStatus::Queued => (
            "waiting to retry",
            format!(
                "Tried {} times; next try {}. Last answer: {error}",
                e.attempts,
                when(e.retry_at)
            ),
        ),
        MailStatus::Unknown => (
            "in doubt",
            "idlink stopped while handing this message to the mail server, so it may or may not have arrived. Send it again only if the person did not get it.".to_string(),
        ),
        _ => (e.status.as_str(), error),
    };
    Row {
        id: e.id,
        to: e.to_address,
        kind: kind_label(e.kind),
        subject: e.subject,
        status,
        note,
        updated: when(e.updated_at),
        can_send_again: matches!(e.status, MailStatus::Unknown | MailStatus::Failed),
    }
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let counts = state.outbox.counts().await?;
    let rows = state.outbox.troubles(LISTED).await?;
    Ok(render(&OutboxPage {
        layout: staff.layout(&state).await?,
        nav: "mail",
        counts,
        rate_per_min: state.settings.mail.rate_per_min.get(),
        rows: rows.into_iter().map(row).collect(),
        flash: flash::take(&staff.session).await?,
    }))
}

pub async fn send_again(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let flash = if state.outbox.send_again(id).await? {
        let detail = format!("message {id}");
        staff
            .audit(
                &state,
                &staff.orcid,
                AuditAction::MailSendAgain,
                "ok",
                Some(&detail),
            )
            .await;
        Flash::ok("The message is queued again and will be sent in its turn.")
    } else {
        Flash::warn("That message is not failed or in doubt any more, so it was left as it is.")
    };
    flash::set(&staff.session, flash).await?;
    Ok(Redirect::to("/admin/mail").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProgressParams {
    batch: Option<String>,
}

/// Messages by status, as JSON.
#[derive(Serialize)]
struct ProgressJson {
    queued: i64,
    sending: i64,
    sent: i64,
    failed: i64,
    stopped: i64,
    unknown: i64,
    total: i64,
    /// Messages that will not move again on their own.
    settled: i64,
}

pub async fn progress_json(
    State(state): State<AppState>,
    _staff: Staff,
    Query(params): Query<ProgressParams>,
) -> Result<Response, PageError> {
    let p = match params.batch.as_deref().filter(|b| !b.is_empty()) {
        Some(batch) => state.outbox.progress(batch).await?,
        None => state.outbox.counts().await?,
    };
    Ok(Json(ProgressJson {
        queued: p.queued,
        sending: p.sending,
        sent: p.sent,
        failed: p.failed,
        stopped: p.stopped,
        unknown: p.unknown,
        total: p.total(),
        settled: p.settled(),
    })
    .into_response())
}
