//! The upload page and the upload itself: the file is read (up to the limit), checked row
//! by row, and saved as a draft job whose report the staff member reviews before starting.

use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::views::UploadPage;
use super::{job_url, PageError};
use crate::jobs::csv_rows::{FileError, MAX_BYTES};
use crate::jobs::intake::{self, IntakeError};
use crate::state::AppState;
use crate::store::{AuditAction, DraftReport, JobKind};
use crate::web::flash;
use crate::web::pages::render;
use crate::web::staff::Staff;

/// The request body this route accepts: well above [`MAX_BYTES`], so a file over the
/// limit is still read to its end and answered with a clear page.
pub const BODY_LIMIT: usize = 100 * 1024 * 1024;

/// Jobs listed under the upload form.
const RECENT_JOBS: i64 = 20;

/// The CSRF token is short; anything longer in that field is not one.
const MAX_CSRF_LEN: usize = 256;

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let flash = flash::take(&staff.session).await?;
    let page = upload_page(&state, &staff, flash).await?;
    Ok(render(&page))
}

async fn upload_page(
    state: &AppState,
    staff: &Staff,
    flash: Option<flash::Flash>,
) -> Result<UploadPage, PageError> {
    let jobs = super::recent(state, RECENT_JOBS).await?;
    let layout = staff.layout(state).await?;
    Ok(UploadPage::new(
        layout,
        flash,
        jobs,
        state.settings.upload,
        &state.settings.org,
    ))
}

/// What came in the multipart body.
pub(in crate::web) enum Received {
    File { name: String, bytes: Vec<u8> },
    TooLarge,
    NoFile,
    Broken,
}

/// Said when the body was not a multipart upload at all.
pub(in crate::web) const NOT_A_FILE: &str =
    "The upload did not arrive as a file. Use the form on this page to choose the CSV file.";

impl Received {
    /// The file's name and bytes, or the status and words the upload page answers with:
    /// `too_large` and `no_file` say it for this upload.
    pub(in crate::web) fn file(
        self,
        too_large: &str,
        no_file: &str,
    ) -> Result<(String, Vec<u8>), (StatusCode, String)> {
        match self {
            Received::File { name, bytes } => Ok((name, bytes)),
            Received::TooLarge => Err((StatusCode::PAYLOAD_TOO_LARGE, too_large.into())),
            Received::NoFile => Err((StatusCode::BAD_REQUEST, no_file.into())),
            Received::Broken => Err((
                StatusCode::BAD_REQUEST,
                "The upload was interrupted before the whole file arrived. Please try again."
                    .into(),
            )),
        }
    }
}

/// An upload of works.
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    upload_of(state, staff, multipart, JobKind::Works).await
}

/// An upload of affiliations: refused whole while the `ORG_*` settings are incomplete,
/// since nothing in it could be written.
pub async fn upload_affiliations(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    if let Some(missing) = state.settings.org.missing_message() {
        return refuse(&state, &staff, StatusCode::UNPROCESSABLE_ENTITY, missing).await;
    }
    upload_of(state, staff, multipart, JobKind::Affiliations).await
}

async fn upload_of(
    state: AppState,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
    kind: JobKind,
) -> Result<Response, PageError> {
    let Ok(multipart) = multipart else {
        return refuse(&state, &staff, StatusCode::BAD_REQUEST, NOT_A_FILE.into()).await;
    };
    let received = receive(&staff, multipart).await?;
    let (name, bytes) = match received.file(
        &FileError::TooLarge.to_string(),
        "Choose the CSV file to upload.",
    ) {
        Ok(file) => file,
        Err((status, msg)) => {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                staff
                    .audit(
                        &state,
                        &staff.orcid,
                        AuditAction::JobUpload,
                        "refused",
                        Some(&msg),
                    )
                    .await;
            }
            return refuse(&state, &staff, status, msg).await;
        }
    };
    let limits = state.settings.upload;
    let reviewed = match kind {
        JobKind::Works => {
            intake::review(&state.store, bytes, state.orcid.record_host(), limits).await
        }
        JobKind::Affiliations => {
            // Checked before the file was read; the settings do not change while running.
            let Some(org) = state.settings.org.writable() else {
                let missing = state.settings.org.missing_message().unwrap_or_default();
                return refuse(&state, &staff, StatusCode::UNPROCESSABLE_ENTITY, missing).await;
            };
            intake::review_affiliations(&state.store, bytes, org, limits).await
        }
    };
    let review = match reviewed {
        Ok(r) => r,
        Err(IntakeError::File(e)) => {
            let msg = e.to_string();
            let detail = format!("{name}: {msg}");
            staff
                .audit(
                    &state,
                    &staff.orcid,
                    AuditAction::JobUpload,
                    "refused",
                    Some(&detail),
                )
                .await;
            let status = match e {
                FileError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return refuse(&state, &staff, status, msg).await;
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    let id = state
        .store
        .create_draft(
            &staff.orcid,
            kind,
            &name,
            DraftReport {
                rows_total: review.rows_total,
                rows_invalid: review.rows_invalid(),
                kept: &review.findings.kept(),
                omitted: &review.findings.omitted(),
            },
            &review.items,
            &review.lookups,
        )
        .await?;
    if !review.lookups.is_empty() {
        state.lookups.wake();
    }
    let detail = format!(
        "job {id} ({name}, {}): {} rows, {} valid, {} refused, {} waiting",
        kind.as_str(),
        review.rows_total,
        review.items.len() - review.waiting(),
        review.rows_invalid(),
        review.waiting(),
    );
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::JobUpload,
            "ok",
            Some(&detail),
        )
        .await;
    tracing::info!(
        job = id,
        rows = review.rows_total,
        valid = review.items.len(),
        "bulk upload checked"
    );
    Ok(Redirect::to(&format!("{}#report", job_url(id))).into_response())
}

/// The upload page again, with why the file was refused.
async fn refuse(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    message: String,
) -> Result<Response, PageError> {
    let mut page = upload_page(state, staff, None).await?;
    page.error = Some(message);
    Ok((status, render(&page)).into_response())
}

/// Reads the CSRF field (it must come first, so a forged upload is refused before its
/// file is read), then the file, keeping at most [`MAX_BYTES`].
pub(in crate::web) async fn receive(
    staff: &Staff,
    mut multipart: Multipart,
) -> Result<Received, PageError> {
    let csrf = match multipart.next_field().await {
        Ok(Some(mut field)) if field.name() == Some("csrf") => {
            match read_capped(&mut field, MAX_CSRF_LEN).await {
                Some(Some(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
                _ => String::new(),
            }
        }
        _ => String::new(),
    };
    staff.check_csrf(&csrf).await?;
    let mut received = Received::NoFile;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(received),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(Received::TooLarge),
            Err(_) => return Ok(Received::Broken),
        };
        if field.name() != Some("file") || !matches!(received, Received::NoFile) {
            if drain(&mut field).await.is_err() {
                return Ok(Received::Broken);
            }
            continue;
        }
        let name = file_name(field.file_name());
        match read_capped(&mut field, MAX_BYTES).await {
            Some(Some(bytes)) if bytes.is_empty() && name.is_none() => {}
            Some(Some(bytes)) => {
                received = Received::File {
                    name: name.unwrap_or_else(|| "upload.csv".into()),
                    bytes,
                }
            }
            Some(None) => {
                // Over the limit: read the rest so the browser gets the page, not a reset.
                let _ = drain(&mut field).await;
                drop(field);
                drain_all(&mut multipart).await;
                return Ok(Received::TooLarge);
            }
            None => return Ok(Received::Broken),
        }
    }
}

/// The field's bytes: `Some(Some(bytes))`, `Some(None)` when longer than `max`, `None`
/// when the body broke off.
async fn read_capped(field: &mut Field<'_>, max: usize) -> Option<Option<Vec<u8>>> {
    let mut out = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > max {
                    return Some(None);
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Some(Some(out)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Some(None),
            Err(_) => return None,
        }
    }
}

async fn drain(field: &mut Field<'_>) -> Result<(), ()> {
    loop {
        match field.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(_) => return Err(()),
        }
    }
}

async fn drain_all(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if drain(&mut field).await.is_err() {
            return;
        }
    }
}

/// The name shown for the upload: the browser's file name without any folder, trimmed.
fn file_name(raw: Option<&str>) -> Option<String> {
    let raw = raw?.rsplit(['/', '\\']).next()?.trim();
    let name: String = raw.chars().filter(|c| !c.is_control()).take(200).collect();
    (!name.is_empty()).then_some(name)
}
