//! The signed-in researcher as an extractor: handlers that need one take it as an
//! argument, and a signed-out visitor is sent to the start page before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::error::PageError;
use super::session;
use orcid::OrcidId;

/// A signed-in researcher and their session (for flash messages and CSRF tokens).
pub struct Researcher {
    pub orcid: OrcidId,
    pub session: Session,
}

impl Researcher {
    /// The CSRF token for the forms on the page being drawn.
    pub async fn csrf(&self) -> Result<String, PageError> {
        session::csrf_token(&self.session).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Researcher {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match session::current_user(&session).await {
            Ok(Some(orcid)) => Ok(Researcher { orcid, session }),
            Ok(None) => Err(Redirect::to("/").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}
