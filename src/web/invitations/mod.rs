//! Staff pages for invitations: invite one person or a roster, review the draft, send,
//! follow the sending, and the list of every invitation with its status. Every handler
//! takes [`Staff`](crate::web::staff::Staff) first.

mod batch;
mod intake;
mod list;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use super::error::PageError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/invitations", get(list::page))
        .route("/admin/invitations/export", post(list::export))
        .route("/admin/invitations/new", get(intake::page))
        .route("/admin/invitations/person", post(intake::person))
        .route(
            "/admin/invitations/roster",
            post(intake::roster).layer(DefaultBodyLimit::max(super::jobs::BODY_LIMIT)),
        )
        .route("/admin/invitations/template.csv", get(intake::template))
        .route("/admin/invitations/batches/{id}", get(batch::page))
        .route(
            "/admin/invitations/batches/{id}/progress.json",
            get(batch::progress_json),
        )
        .route(
            "/admin/invitations/batches/{id}/lookups.json",
            get(batch::lookups_json),
        )
        .route("/admin/invitations/batches/{id}/send", post(batch::send))
        .route(
            "/admin/invitations/batches/{id}/discard",
            post(batch::discard),
        )
}

fn batch_url(id: i64) -> String {
    format!("/admin/invitations/batches/{id}")
}

/// A batch id from the path: anything else is "not found".
fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(PageError::not_found)
}
