//! All SQL lives under this module; handlers call these functions and never write SQL.

mod admin;
mod audit;
mod job_runner;
mod jobs;
mod me_page;
mod researchers;
mod tokens;
mod works;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::crypto::TokenCipher;

pub use admin::{
    AuditFilter, AuditVocabulary, ConnectionStatus, DashboardFilter, DashboardRow, DashboardSort,
    IdlinkWrite, LastCall, LoadResearcher, Search, NOT_ORCID_CALLS,
};
pub use audit::{AuditEntry, AuditRecord};
pub use job_runner::{AuditLine, BatchRecord, JobUnit, OwnWork, Settlement, BACKOFF_CAP_SECS};
pub use jobs::{
    invalid_lines, Grant, GrantToken, ItemOutcome, ItemStatus, Job, JobCounts, JobItem, JobStatus,
    NewJobItem, RowError,
};
pub use me_page::{GrantSummary, MeSummary};
pub use researchers::Researcher;
pub use tokens::{NewTokens, StoredTokens, TokenStatus};
pub use works::{CachedId, CachedWork, IdentifierMatch, IdlinkWork, IdlinkWorkStatus, SyncStatus};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    cipher: TokenCipher,
    /// Pages of cached works, read-through; every write to `cached_works` goes through
    /// this Store and drops the record's pages.
    works_pages: std::sync::Arc<me_page::WorksPageCache>,
}

impl Store {
    /// Opens (creating if needed) the database file and its folder, in WAL mode with a
    /// busy timeout so concurrent sign-ins wait for the write lock instead of failing.
    pub async fn open(path: &Path, cipher: TokenCipher) -> Result<Self, sqlx::Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let opts = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            cipher,
            works_pages: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The session store shares the pool; its table is created here too.
    pub async fn session_store(
        &self,
    ) -> Result<tower_sessions_sqlx_store::SqliteStore, sqlx::Error> {
        let store = tower_sessions_sqlx_store::SqliteStore::new(self.pool.clone());
        store.migrate().await?;
        Ok(store)
    }

    /// Folds the write-ahead log into the database file and closes the pool, so a copy of
    /// `idlink.db` alone is complete after a clean stop.
    pub async fn close(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "could not checkpoint the database at shutdown");
        }
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// Unix time in seconds, as stored in every timestamp column.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
