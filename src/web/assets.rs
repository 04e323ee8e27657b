//! The few static files, compiled into the binary so the image needs nothing beside it.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

const CSS: &str = include_str!("../../static/idlink.css");
const ID_ICON: &str = include_str!("../../static/orcid-id.svg");
const JOB_JS: &str = include_str!("../../static/job.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/idlink.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/orcid-id.svg",
            get(|| async { asset("image/svg+xml", ID_ICON) }),
        )
        .route(
            "/static/job.js",
            get(|| async { asset("text/javascript; charset=utf-8", JOB_JS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
