//! One error type for pages: each variant has a status and a message for the person;
//! internal causes are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    /// A "start again" style link: (href, label).
    pub action: Option<(&'static str, &'static str)>,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            action: None,
        }
    }

    pub fn with_action(mut self, href: &'static str, label: &'static str) -> Self {
        self.action = Some((href, label));
        self
    }

    /// Something broke inside idlink: log the cause, tell the person little.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "idlink hit an unexpected problem. Nothing was changed. Please try again; if it keeps happening, contact your institution's ORCID team.",
        )
        .with_action("/", "Back to the start")
    }

    /// No page at this address: unknown paths and static files with an old hash.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address. The link may be mistyped or out of date.",
        )
        .with_action("/", "Go to the start page")
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form you sent was not the one idlink gave you (it may have come from another site, or your session ended). Nothing was changed.",
        )
        .with_action("/me", "Go back and try again")
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(format_args!("database: {e}"))
    }
}

impl From<tower_sessions::session::Error> for PageError {
    fn from(e: tower_sessions::session::Error) -> Self {
        Self::internal(format_args!("session: {e}"))
    }
}

/// The page is drawn later by [`super::layers::render_error_pages`], which knows the
/// institution and the mode; here the error only travels as a response extension.
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(Arc::new(self));
        res
    }
}
