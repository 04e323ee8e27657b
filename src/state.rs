//! Everything a request handler needs, built once at start-up.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{OrcidEnv, Settings, MOCK_PATH};
use crate::crypto::TokenCipher;
use crate::metrics::Metrics;
use crate::mock_orcid::{MockClient, MockConfig, MockOrcid};
use crate::orcid::OrcidClient;
use crate::store::Store;

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
    /// The simulated ORCID, mounted at /mock-orcid in mock mode.
    pub mock: Option<MockOrcid>,
    pub refreshing: crate::works::RefreshSet,
    /// Wakes the bulk-push runner when a job is started (it also polls the database).
    pub jobs_wake: tokio::sync::Notify,
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
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("simulated ORCID: {0}")]
    Mock(#[from] crate::mock_orcid::MockError),
}

impl AppState {
    /// Opens the database and key, and in mock mode starts the simulated ORCID with its
    /// state kept in the data folder so demo sign-ins survive a restart.
    pub async fn new(settings: Settings) -> Result<Self, StartError> {
        let mock = match settings.orcid_env {
            OrcidEnv::Mock => {
                let dir = data_dir(&settings.database_path);
                std::fs::create_dir_all(&dir).map_err(|e| crate::crypto::CryptoError::KeyFile {
                    path: dir.display().to_string(),
                    source: e,
                })?;
                Some(MockOrcid::new(mock_config(
                    &settings,
                    Some(dir.join("mock-orcid-key.pem")),
                    Some(dir.join("mock-orcid-state.json")),
                ))?)
            }
            _ => None,
        };
        Self::with_mock(settings, mock).await
    }

    /// As [`AppState::new`], with a simulated ORCID the caller made (tests keep a handle
    /// to it to inject faults).
    pub async fn with_mock(
        settings: Settings,
        mock: Option<MockOrcid>,
    ) -> Result<Self, StartError> {
        let cipher = match &settings.token_key {
            Some(key) => TokenCipher::from_base64(key)?,
            None => {
                let dir = data_dir(&settings.database_path);
                std::fs::create_dir_all(&dir).map_err(|e| crate::crypto::CryptoError::KeyFile {
                    path: dir.display().to_string(),
                    source: e,
                })?;
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
        let store = Store::open(&settings.database_path, cipher)
            .await
            .map_err(db_err)?;
        let sessions = store.session_store().await.map_err(db_err)?;
        let metrics = Metrics::default();
        let orcid = OrcidClient::new(&settings, metrics.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                store,
                orcid,
                metrics,
                sessions,
                mock,
                refreshing: Default::default(),
                jobs_wake: tokio::sync::Notify::new(),
            }),
        })
    }

    pub fn redirect_uri(&self) -> String {
        format!(
            "{}/orcid/callback",
            self.settings.public_url.as_str().trim_end_matches('/')
        )
    }
}

/// The simulated ORCID's settings for this app: the demo client, registered with this
/// app's redirect URI.
pub fn mock_config(
    settings: &Settings,
    key_file: Option<PathBuf>,
    state_file: Option<PathBuf>,
) -> MockConfig {
    MockConfig {
        base_url: format!(
            "{}{MOCK_PATH}",
            settings.public_url.as_str().trim_end_matches('/')
        ),
        clients: vec![MockClient {
            client_id: settings.client_id.clone(),
            client_secret: secrecy::ExposeSecret::expose_secret(&settings.client_secret)
                .to_string(),
            name: settings.institution_name.clone(),
            redirect_uris: vec![],
        }],
        key_file,
        state_file,
    }
}

fn data_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
