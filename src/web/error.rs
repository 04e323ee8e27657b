//! One error type for pages: each variant has a status and a message for the person;
//! internal causes are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use std::sync::Arc;

use orcid::Held;

#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    /// A "start again" style link: (href, label).
    pub action: Option<(&'static str, &'static str)>,
    /// Sent as Retry-After, in seconds.
    pub retry_after: Option<u64>,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            action: None,
            retry_after: None,
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

    /// idlink's own limits on ORCID calls held the request back: 503 when ORCID's rate
    /// is taken by others, 429 when this person has used their own share.
    pub fn held(held: Held, action: (&'static str, &'static str)) -> Self {
        let page = match held {
            Held::Busy => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ORCID is busy",
                "ORCID is busy, try again in a minute. Many requests to ORCID are waiting right now, so idlink did not send yours. Nothing was changed.",
            )
            .retry_after(60),
            Held::PersonLimit { retry_after } => {
                let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests to ORCID",
                    format!(
                        "You asked idlink to talk to ORCID many times in a short while. To keep ORCID quick for everyone, please wait {} and try again. Nothing was changed.",
                        wait_words(secs)
                    ),
                )
                .retry_after(secs)
            }
        };
        page.with_action(action.0, action.1)
    }

    fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
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

/// "1 second", "45 seconds", "about a minute", "about 3 minutes".
pub(crate) fn wait_words(secs: u64) -> String {
    match secs {
        1 => "1 second".into(),
        2..=50 => format!("{secs} seconds"),
        51..=89 => "about a minute".into(),
        _ => format!("about {} minutes", secs.div_ceil(60)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_in_words() {
        assert_eq!(wait_words(1), "1 second");
        assert_eq!(wait_words(12), "12 seconds");
        assert_eq!(wait_words(60), "about a minute");
        assert_eq!(wait_words(150), "about 3 minutes");
    }
}
