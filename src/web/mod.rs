//! The HTTP side: one module per feature, merged here with the layers every route shares.

mod assets;
mod connect;
pub mod error;
mod lang;
mod layers;
mod me;
mod ops;
mod pages;
mod session;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use axum::Router;
use time::Duration;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::MOCK_PATH;
use crate::state::AppState;

/// Idle time after which a session ends and the person signs in again.
const SESSION_IDLE: Duration = Duration::hours(12);

pub fn app(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name("idlink_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE));

    let mut router = Router::new()
        .merge(connect::router())
        .merge(me::router())
        .merge(ops::router())
        .merge(assets::router())
        .layer(sessions);
    if let Some(mock) = &state.mock {
        router = router.nest(MOCK_PATH, mock.router().with_state(()));
    }
    router
        .layer(from_fn_with_state(
            state.clone(),
            layers::render_error_pages,
        ))
        .layer(from_fn_with_state(state.clone(), layers::security_headers))
        .layer(from_fn_with_state(state.clone(), layers::track_requests))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                // The path only: query strings carry authorization codes and state.
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}
