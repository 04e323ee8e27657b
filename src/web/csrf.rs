//! The CSRF-checked form: every POST handler takes its fields through [`CsrfForm`], so no
//! handler can forget the check.

use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tower_sessions::Session;

use super::error::PageError;
use super::session;

/// An urlencoded form whose `csrf` field matched the session's token; yields the other
/// fields as `T` (a form with none takes the default [`NoFields`]). A missing or wrong
/// token is refused with the "form has expired" page before `T` is read.
pub struct CsrfForm<T = NoFields>(pub T);

/// For forms that carry only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = serde_urlencoded::from_bytes::<Token>(&bytes)
            .map(|t| t.csrf)
            .unwrap_or_default();
        check(&session, &token)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|e| unreadable(e).into_response())
    }
}

/// Checks a token taken from a body by hand (a multipart upload reads it as its first
/// field); the same check [`CsrfForm`] makes.
pub async fn check(session: &Session, submitted: &str) -> Result<(), PageError> {
    session::check_csrf(session, submitted).await
}

fn unreadable(e: serde_urlencoded::de::Error) -> PageError {
    tracing::info!(error = %e, "POST refused: the form could not be read");
    PageError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "This form could not be read",
        "Some of what was sent was not what this form asks for. Nothing was changed.",
    )
    .with_action("/", "Back to the start")
}
