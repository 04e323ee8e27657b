use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use idlink::config::{Config, LogFormat, OrcidEnv};
use idlink::AppState;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let settings = match Config::parse().resolve() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("idlink: invalid setting: {msg}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    match run(settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("idlink stopped: {e}");
            eprintln!("idlink: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(settings: idlink::config::Settings) -> Result<(), Box<dyn std::error::Error>> {
    let addr = settings.bind_addr;
    let public = settings.public_url.clone();
    let demo = settings.orcid_env == OrcidEnv::Mock;
    let state = AppState::new(settings).await?;
    // Expired sessions are removed in the background.
    tokio::spawn(
        tower_sessions::ExpiredDeletion::continuously_delete_expired(
            state.sessions.clone(),
            tokio::time::Duration::from_secs(300),
        ),
    );
    // Bulk pushes resume from the database, whatever was running when idlink stopped.
    let _runner = state.runner.start();
    // Grants idlink gave up but ORCID has not yet confirmed revoked: retried with backoff.
    let _revoker = state.grants.start_revoker();
    // Queued mail is sent at MAIL_RATE_PER_MIN; what a stop left half-sent is not resent.
    let outbox = state.outbox.start();
    // Reminders for invitations not yet taken up, through the outbox.
    let _reminders = state.invitations.start_reminders();
    // Each grant confirmed with ORCID once per TOKEN_CHECK_DAYS, due times in the database.
    let _health_checks = state.grants.start_health_checks();
    // The iDs rosters and bulk uploads name are looked up on ORCID, carrying on from
    // before a restart.
    let _lookups = state.lookups.start();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    if let Some(missing) = state.settings.org.missing_message() {
        tracing::warn!("{missing}");
    }
    // Where mail goes, and whether the SMTP server answers: logged, never fatal.
    let mailer = state.mailer.clone();
    tokio::spawn(async move { mailer.log_check().await });
    if demo {
        tracing::warn!("demo mode: talking to the built-in simulated ORCID at {public}mock-orcid");
    }
    tracing::info!("idlink listening on {addr}; open {public}");
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let server = idlink::server::serve(
        listener,
        idlink::app(state.clone()),
        state.settings.serve,
        async move {
            shutdown_signal().await;
            tracing::info!("stop requested: finishing open requests");
            signalled.notify_one();
        },
    );
    // A client that never finishes its request must not hold the shutdown past the
    // grace period a container manager gives (docker stop: 10 s), closing included.
    tokio::select! {
        () = server => {}
        () = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("requests still open after {SHUTDOWN_GRACE:?}; stopping anyway"),
    }
    // Messages being sent are settled first, so a clean stop leaves none in doubt.
    let grace = state.settings.mail.timeout.min(SHUTDOWN_GRACE);
    state.outbox.shut_down(outbox, grace).await;
    // Bulk-push items in flight stay `sending` in the database and are settled at the
    // next start; the write-ahead log is folded into the database file.
    state.store.close().await;
    tracing::info!("idlink stopped");
    Ok(())
}

/// How long in-flight requests may take to finish once a stop is asked for.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(6);

/// Ctrl-C, or SIGTERM from `docker stop`: finish the requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
