//! The HTTP side: one module per feature, merged here with the layers every route shares.

mod admin;
mod affiliation_pages;
mod affiliations;
mod affiliations_view;
pub mod assets;
mod connect;
pub mod connect_limit;
mod csrf;
mod csv_download;
mod demo_mailbox;
pub mod error;
mod flash;
mod format;
mod invitations;
mod invite;
mod jobs;
mod lang;
mod layers;
mod lookup_progress;
mod mail_stop;
mod me;
mod ops;
mod pager;
mod pages;
pub mod pending_signin;
mod researcher;
mod session;
pub mod staff;
mod works;
mod works_view;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use axum::Router;
use time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;

use crate::config::MOCK_PATH;
use crate::state::AppState;

/// Sessions kept in memory in front of SQLite, so a page view reads no session row.
const SESSION_CACHE_ENTRIES: u64 = 50_000;

/// Idle time after which a session ends and the person signs in again.
const SESSION_IDLE: Duration = Duration::hours(12);

pub fn app(state: AppState) -> Router {
    let store = CachingSessionStore::new(
        MokaStore::new(Some(SESSION_CACHE_ENTRIES)),
        state.sessions.clone(),
    );
    let sessions = SessionManagerLayer::new(store)
        .with_name("idlink_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE));

    let mut router = Router::new()
        .merge(connect::router())
        .merge(invite::router())
        .merge(invitations::router())
        .merge(me::router())
        .merge(works::router())
        .merge(affiliations::router())
        .merge(admin::router())
        .merge(demo_mailbox::router())
        .merge(mail_stop::router())
        .merge(jobs::router())
        .merge(ops::router())
        .merge(assets::router())
        .fallback(|| async { error::PageError::not_found() });
    // The simulated ORCID shares idlink's listener, so it gets the same time limits.
    if let Some(sim) = &state.simulated_orcid {
        router = router.nest(MOCK_PATH, sim.clone().with_state(()));
    }
    router
        // Inside render_error_pages, so a request that runs out of time gets a page.
        .layer(from_fn_with_state(state.clone(), layers::request_timeout))
        .layer(RequestBodyDeadlineLayer::new(
            state.settings.serve.request_body_timeout,
        ))
        // Inside the session layer, so an error page knows who is signed in.
        .layer(from_fn_with_state(
            state.clone(),
            layers::render_error_pages,
        ))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), layers::security_headers))
        .layer(from_fn_with_state(state.clone(), layers::track_requests))
        .layer(DefaultBodyLimit::max(64 * 1024))
        // gzip, or brotli at tower-http's quick level 4: a long /me shrinks about ninefold.
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                // The path only: query strings carry authorization codes and state.
                let path = invite::loggable_path(mail_stop::loggable_path(req.uri().path()));
                tracing::info_span!("request", method = %req.method(), path = %path)
            }),
        )
        .with_state(state)
}
