//! Middleware every response passes through: security headers, metrics, error pages.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::error::PageError;
use super::pages::{self, ErrorPage, Layout};
use super::{session, staff};
use crate::state::AppState;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.settings.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages show personal data: never cache them. Static assets set their own policy.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub async fn track_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.run(req).await;
    state.metrics.request(&route, res.status().as_u16());
    res
}

/// Ends a request that takes longer than `REQUEST_TIMEOUT_SECS` (a slow upload, ORCID
/// hanging), so no request holds its connection and its memory indefinitely.
pub async fn request_timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.settings.serve.request_timeout;
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(path, limit_secs = limit.as_secs(), "request timed out");
            PageError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "This took too long",
                format!(
                    "idlink could not finish this request within {} seconds and stopped it. \
                     If you were saving something, check whether it was saved before trying again.",
                    limit.as_secs()
                ),
            )
            .into_response()
        }
    }
}

/// Draws [`PageError`]s into full pages, with the institution's name, the demo banner and,
/// for a signed-in person, the account links (so an error page still offers sign-out).
pub async fn render_error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<Arc<PageError>>().cloned() else {
        return res;
    };
    let page = ErrorPage {
        layout: error_layout(&state, session.as_ref()).await,
        status: err.status.as_u16(),
        title: err.title,
        message: &err.message,
        action: err.action,
    };
    let mut out = pages::render(&page);
    *out.status_mut() = err.status;
    // Cookies set on the way out (a spent sign-in removed) still reach the browser.
    for cookie in res.headers().get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    if let Some(secs) = err.retry_after {
        out.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.into());
    }
    out.into_response()
}

/// The layout of an error page: signed in or not as the session says. A failure to read
/// the session (or the staff flag) only costs the header links, never the error page.
async fn error_layout(state: &AppState, session: Option<&Session>) -> Layout {
    let Some(session) = session else {
        return Layout::new(state, false, String::new());
    };
    let Ok(Some(orcid)) = session::current_user(session).await else {
        return Layout::new(state, false, String::new());
    };
    let Ok(csrf) = session::csrf_token(session).await else {
        return Layout::new(state, false, String::new());
    };
    let layout = Layout::new(state, true, csrf);
    if matches!(staff::is_staff(state, &orcid).await, Ok(true)) {
        layout.staff()
    } else {
        layout
    }
}
