//! The "stop these emails" link every outbox message carries: `GET /mail/stop/{token}`
//! explains what stops and offers a button; `POST` stops. The random token in the path
//! is the authentication, so the POST takes no CSRF token: mail programs send RFC 8058's
//! one-click `List-Unsubscribe=One-Click` POST without a session. Stopping is idempotent.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::error::PageError;
use super::pages::{render, Layout};
use crate::state::AppState;
use crate::store::StopVia;

pub fn router() -> Router<AppState> {
    Router::new().route("/mail/stop/{token}", get(page).post(stop))
}

#[derive(Template)]
#[template(path = "mail_stop.html")]
struct StopPage {
    layout: Layout,
    address: String,
    action: String,
    /// Stopped by this request.
    done: bool,
    /// Stopped before.
    already: bool,
}

/// Tokens are 43 URL-safe base64 characters; anything else is not looked up.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn unknown_link() -> PageError {
    PageError::new(
        axum::http::StatusCode::NOT_FOUND,
        "This link does not work",
        "This stop link is not one idlink made, or it was copied only in part. Open the link from the email again, or reply to the email to ask not to be contacted.",
    )
    .with_action("/", "Go to the start page")
}

async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !plausible(&token) {
        return Err(unknown_link());
    }
    let address = state
        .outbox
        .stop_link_address(&token)
        .await
        .map_err(PageError::internal)?
        .ok_or_else(unknown_link)?;
    let already = state
        .outbox
        .is_stopped(&address)
        .await
        .map_err(PageError::internal)?;
    Ok(render(&StopPage {
        layout: Layout::new(&state, false, String::new()),
        action: format!("/mail/stop/{token}"),
        address,
        done: false,
        already,
    }))
}

async fn stop(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    if !plausible(&token) {
        return Err(unknown_link());
    }
    // RFC 8058: the mail program's POST carries this field (urlencoded or multipart).
    let one_click = body
        .windows(b"List-Unsubscribe=One-Click".len())
        .any(|w| w == b"List-Unsubscribe=One-Click");
    let via = if one_click {
        StopVia::OneClick
    } else {
        StopVia::Page
    };
    let (address, newly) = state
        .outbox
        .stop_by_link(&token, via)
        .await
        .map_err(PageError::internal)?
        .ok_or_else(unknown_link)?;
    if newly {
        tracing::info!(target: "audit", action = "mail.stop", address = %address, via = ?via, "recipient stopped idlink's emails");
    }
    Ok(render(&StopPage {
        layout: Layout::new(&state, false, String::new()),
        action: format!("/mail/stop/{token}"),
        address,
        done: true,
        already: !newly,
    }))
}

/// The request path for logs: a stop link's token is left out.
pub(super) fn loggable_path(path: &str) -> &str {
    if path.starts_with("/mail/stop/") {
        "/mail/stop/…"
    } else {
        path
    }
}
