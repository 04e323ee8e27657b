//! Everything a request handler needs, built once at start-up.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use orcid::OrcidClient;

use crate::affiliations::Affiliations;
use crate::config::Settings;
use crate::crypto::TokenCipher;
use crate::grants::Grants;
use crate::invitations::{self, Invitations};
use crate::jobs::runner::Runner;
use crate::lookups::{Lookups, PublicLookup};
use crate::mail::{Mailer, Outbox};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::web::connect_limit::ConnectLimiter;
use crate::web::pending_signin::SpentStates;
use crate::works::Works;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

pub struct Inner {
    pub settings: Settings,
    pub store: Store,
    pub orcid: OrcidClient,
    pub metrics: Metrics,
    pub sessions: tower_sessions_sqlx_store::SqliteStore,
    /// The simulated ORCID's routes, mounted at /mock-orcid in demo mode.
    pub simulated_orcid: Option<axum::Router>,
    /// Reading and writing researchers' works.
    pub works: Works,
    /// Writing researchers' affiliations (through `works`' grants and ORCID client).
    pub affiliations: Affiliations,
    /// The bulk-push runner: started once by `main`, woken when a job is started.
    pub runner: Runner,
    /// Researchers' grants: sign-in, refresh, disconnect, and the revoker (started by `main`).
    pub grants: Grants,
    /// Seals what idlink leaves with the browser (pending sign-ins); the store holds a copy.
    pub cipher: TokenCipher,
    /// Sign-ins started per client address.
    pub connect_limiter: ConnectLimiter,
    /// Sign-in states already used.
    pub spent_states: SpentStates,
    /// Outgoing mail: SMTP, demo mode's simulated mailbox, or not configured.
    pub mailer: Mailer,
    /// Mail to many people, stored then sent at `MAIL_RATE_PER_MIN` (sender started by `main`).
    pub outbox: Outbox,
    /// Invitations to connect, their links and reminders.
    pub invitations: Invitations,
    /// The background Public API lookups of the iDs rosters and uploads name (started by `main`).
    pub lookups: Lookups,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Key(#[from] crate::crypto::CryptoError),
    #[error("database {path}: {source}")]
    Database { path: String, source: sqlx::Error },
    #[error("mail: {0}")]
    Mail(#[from] crate::mail::MailError),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[cfg(feature = "demo")]
    #[error("simulated ORCID: {0}")]
    Mock(#[from] orcid_sim::MockError),
}

impl AppState {
    /// Opens the database and key, and in demo mode starts the simulated ORCID with its
    /// state kept in the data folder so demo sign-ins survive a restart.
    pub async fn new(settings: Settings) -> Result<Self, StartError> {
        #[cfg(feature = "demo")]
        let simulated = match settings.orcid_env {
            crate::config::OrcidEnv::Mock => {
                let dir = data_dir(&settings.database_path)?;
                Some(crate::demo::start(&settings, &dir)?.router())
            }
            _ => None,
        };
        #[cfg(not(feature = "demo"))]
        let simulated = None;
        Self::build(settings, simulated).await
    }

    /// As [`AppState::new`], with a simulated ORCID the caller made (tests keep a handle
    /// to it to inject faults).
    #[cfg(feature = "demo")]
    pub async fn with_mock(
        settings: Settings,
        mock: Option<orcid_sim::MockOrcid>,
    ) -> Result<Self, StartError> {
        Self::build(settings, mock.map(|m| m.router())).await
    }

    async fn build(
        settings: Settings,
        simulated_orcid: Option<axum::Router>,
    ) -> Result<Self, StartError> {
        let cipher = match &settings.token_key {
            Some(key) => TokenCipher::from_base64(key)?,
            None => {
                let dir = data_dir(&settings.database_path)?;
                let path = dir.join("token.key");
                let (cipher, created) = TokenCipher::load_or_create(&path)?;
                if created {
                    tracing::warn!(
                        path = %path.display(),
                        "TOKEN_KEY is not set: generated a new key file. Back it up with the database; \
                         without it stored ORCID tokens cannot be read"
                    );
                }
                cipher
            }
        };
        let db_err = |source| StartError::Database {
            path: settings.database_path.display().to_string(),
            source,
        };
        let store = Store::open(&settings.database_path, cipher.clone())
            .await
            .map_err(db_err)?;
        let sessions = store.session_store().await.map_err(db_err)?;
        let metrics = Metrics::default();
        let orcid = OrcidClient::new(
            settings.orcid_client_config(),
            std::sync::Arc::new(metrics.clone()),
        )?;
        let grants = Grants::new(
            store.clone(),
            orcid.clone(),
            settings.revoke_retry,
            settings.token_check_every,
        );
        let works = Works::new(
            store.clone(),
            orcid.clone(),
            grants.clone(),
            settings.works_refresh_cooldown,
        );
        let affiliations = Affiliations::new(works.clone(), settings.org.clone());
        // Bulk pushes take only the ORCID slots no person is waiting for.
        let runner = Runner::new(
            store.clone(),
            orcid.bulk(),
            metrics.clone(),
            works.bulk(),
            affiliations.bulk(),
            settings.institution_name.clone(),
        );
        let mailer = Mailer::new(&settings.mail)?;
        let outbox = Outbox::new(
            store.clone(),
            mailer.clone(),
            metrics.clone(),
            settings.public_url.clone(),
            settings.mail.rate_per_min,
            settings.mail.retry,
        );
        let limit = &settings.connect_limit;
        let connect_limiter =
            ConnectLimiter::new(limit.per_minute, limit.burst, limit.proxy_header.clone());
        let spent_states = SpentStates::new(std::time::Duration::from_secs(
            settings.oauth_state_ttl_secs.unsigned_abs(),
        ));
        let lookup = PublicLookup::new(store.clone(), orcid.clone());
        let lookups = Lookups::new(store.clone(), lookup.clone());
        let invitations = Invitations::new(invitations::Parts {
            store: store.clone(),
            lookup,
            outbox: outbox.clone(),
            settings: settings.invite,
            public_url: settings.public_url.to_string(),
            institution: settings.institution_name.clone(),
        });
        Ok(Self {
            inner: Arc::new(Inner {
                invitations,
                lookups,
                cipher,
                connect_limiter,
                spent_states,
                settings,
                store,
                orcid,
                metrics,
                sessions,
                simulated_orcid,
                works,
                affiliations,
                runner,
                grants,
                mailer,
                outbox,
            }),
        })
    }

    pub fn redirect_uri(&self) -> String {
        self.settings.redirect_uri()
    }
}

/// The folder of the database file, created if missing: it also holds the generated
/// token key and the simulated ORCID's files.
pub(crate) fn data_dir(db: &Path) -> Result<PathBuf, crate::crypto::CryptoError> {
    let dir = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::store::create_private_dir(&dir).map_err(|e| crate::crypto::CryptoError::KeyFile {
        path: dir.display().to_string(),
        source: e,
    })?;
    Ok(dir)
}
