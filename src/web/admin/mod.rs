//! Staff pages under /admin: the dashboard of connected researchers, one researcher's
//! page, grant health (and re-consent from it), and the audit log. Every handler takes the [`Staff`] extractor, so anyone else
//! gets 403 (and anonymous visitors are sent to the start) before anything else runs.
//! Exports are POST forms with the CSRF token: they write to the audit log.

mod audit;
mod export;
mod grant_charts;
mod grants;
mod grants_export;
mod mail_test;
mod outbox;
mod reconsent;
mod researcher;
mod researchers;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(researchers::dashboard))
        .route("/admin/export", post(export::researchers))
        .route("/admin/mail", get(outbox::page))
        .route("/admin/mail/progress.json", get(outbox::progress_json))
        .route("/admin/grants", get(grants::page))
        .route("/admin/grants/export", post(grants_export::export))
        .route(
            "/admin/grants/reconsent",
            get(reconsent::page).post(reconsent::send),
        )
        .route(
            "/admin/grants/reconsent/lookups.json",
            get(reconsent::lookups_json),
        )
        .route("/admin/mail/test", post(mail_test::send))
        .route("/admin/mail/{id}/send-again", post(outbox::send_again))
        .route("/admin/researchers/{orcid}", get(researcher::page))
        .route("/admin/audit", get(audit::page))
        .route("/admin/audit/export", post(audit::export))
}
