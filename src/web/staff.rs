//! Staff access: an extractor that admits only a signed-in researcher whose iD is in
//! STAFF_ORCIDS now and who was given the staff role at sign-in. Everyone else gets 403.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::csrf;
use super::error::PageError;
use super::pages::Layout;
use super::researcher::Researcher;
use super::session;
use crate::state::AppState;
use crate::store::{self, AuditAction, AuditEntry};
use orcid::OrcidId;

/// A staff member, for handlers under /admin.
pub struct Staff {
    pub orcid: OrcidId,
    pub session: Session,
}

impl Staff {
    /// The CSRF token for forms on staff pages.
    pub async fn csrf(&self) -> Result<String, PageError> {
        session::csrf_token(&self.session).await
    }

    /// The page layout for staff pages: signed in, with the header's staff link.
    pub async fn layout(&self, state: &AppState) -> Result<Layout, PageError> {
        Ok(Layout::new(state, true, self.csrf().await?).staff())
    }

    /// For a token read by hand (the multipart upload); urlencoded forms use
    /// [`csrf::CsrfForm`].
    pub async fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        csrf::check(&self.session, submitted).await
    }

    /// Records a staff action in the audit log (`orcid` is the record acted on, or the
    /// staff member's own iD for actions not about one researcher).
    pub async fn audit(
        &self,
        state: &AppState,
        orcid: &OrcidId,
        action: AuditAction,
        outcome: &str,
        detail: Option<&str>,
    ) {
        let entry = AuditEntry {
            actor: &self.orcid,
            orcid,
            action,
            put_code: None,
            outcome,
            detail,
        };
        if let Err(e) = state.store.audit(&entry).await {
            tracing::error!(error = %e, "could not write a staff action to the audit log");
        }
    }
}

/// The staff rule, in one place: the iD is in STAFF_ORCIDS now, and the researcher was
/// given the staff role when they last signed in (`is_staff` in the database).
pub fn admits(state: &AppState, researcher: &store::Researcher) -> bool {
    researcher.is_staff && state.settings.staff.contains(&researcher.orcid)
}

/// [`admits`] for an iD, reading the researcher from the database (only when the iD is
/// listed: the list alone already refuses everyone else).
pub async fn is_staff(state: &AppState, orcid: &OrcidId) -> Result<bool, sqlx::Error> {
    if !state.settings.staff.contains(orcid) {
        return Ok(false);
    }
    let researcher = state.store.researcher(orcid).await?;
    Ok(researcher.is_some_and(|r| admits(state, &r)))
}

fn forbidden() -> Response {
    PageError::new(
        StatusCode::FORBIDDEN,
        "Staff only",
        "These pages are for your institution's ORCID team. If you should have access, ask them to add your ORCID iD to the staff list, then sign in again.",
    )
    .with_action("/me", "Back to your page")
    .into_response()
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Signed out: to the start page, as for any researcher page.
        let Researcher { orcid, session } = Researcher::from_request_parts(parts, state).await?;
        match is_staff(state, &orcid).await {
            Ok(true) => Ok(Staff { orcid, session }),
            Ok(false) => Err(forbidden()),
            Err(e) => Err(PageError::from(e).into_response()),
        }
    }
}
