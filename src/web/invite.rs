//! The personal invitation link, `/invite/{token}`: greets the person, explains what
//! connecting does, and starts the connection with ORCID's form pre-filled. A re-consent
//! link says what stopped working and offers Connect again. A link that
//! is unknown, expired or already used gets a page that says so plainly.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::error::PageError;
use super::format::day;
use super::pages::{render, Layout, Notice};
use crate::invitations::reconsent::what_stopped;
use crate::invitations::LinkState;
use crate::state::AppState;
use orcid::scopes;

pub fn router() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(page))
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    layout: Layout,
    name: String,
    has_orcid: bool,
    department: String,
    scopes_text: String,
    token: String,
    expires: String,
}

/// A re-consent link's page: what stopped working, and Connect again.
#[derive(Template)]
#[template(path = "reconsent_link.html")]
struct ReconsentLinkPage {
    layout: Layout,
    name: String,
    what_stopped: String,
    scopes_text: String,
    token: String,
    expires: String,
}

async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let link = state.invitations.open(&token).await?;
    let LinkState::Open(inv) = link else {
        return Ok(closed_page(&state, &link));
    };
    let scopes_text =
        scopes::describe_all(state.settings.scopes.iter().map(String::as_str)).join(", ");
    if let Some(grant) = state.invitations.reconsent_state(inv.id).await? {
        return Ok(render(&ReconsentLinkPage {
            layout: Layout::new(&state, false, String::new()),
            name: inv.given_names.trim().to_string(),
            what_stopped: what_stopped(grant, &state.settings.institution_name),
            scopes_text,
            token,
            expires: inv.expires_at.map(day).unwrap_or_default(),
        }));
    }
    Ok(render(&InvitePage {
        layout: Layout::new(&state, false, String::new()),
        name: format!("{} {}", inv.given_names, inv.family_names)
            .trim()
            .to_string(),
        has_orcid: inv.named_orcid.is_some(),
        department: inv.department,
        scopes_text,
        token,
        expires: inv.expires_at.map(day).unwrap_or_default(),
    }))
}

/// The request path for logs: an invitation link's token is left out.
pub(super) fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/…"
    } else {
        path
    }
}

/// The page for a link that cannot be used (also when Connect is pressed on one).
pub fn closed_page(state: &AppState, link: &LinkState) -> Response {
    let institution = &state.settings.institution_name;
    let (status, title, message) = match link {
        LinkState::Used(_) => (
            StatusCode::GONE,
            "This invitation has already been used",
            format!("Your ORCID iD is connected to {institution} through this link, so it cannot be used again. To see or change your connection, sign in with ORCID on the start page."),
        ),
        LinkState::Expired(_) => (
            StatusCode::GONE,
            "This invitation has expired",
            format!("Invitation links work for a limited time and this one has run out. You can still connect from the start page, or ask {institution}'s ORCID team for a new invitation."),
        ),
        LinkState::Unknown | LinkState::Open(_) => (
            StatusCode::NOT_FOUND,
            "This invitation link is not valid",
            format!("idlink does not know this link. Check that you copied the whole link from the email, or connect from the start page. {institution}'s ORCID team can send a new invitation."),
        ),
    };
    let page = Notice {
        layout: Layout::new(state, false, String::new()),
        title,
        message: &message,
        action: Some(("/", "Go to the start page")),
    };
    (status, render(&page)).into_response()
}
