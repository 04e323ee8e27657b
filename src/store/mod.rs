//! All SQL lives under this module; handlers call these functions and never write SQL.

mod audit;
mod researchers;
mod tokens;
mod works;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::crypto::TokenCipher;

pub use audit::{AuditEntry, AuditRecord};
pub use researchers::Researcher;
pub use tokens::{NewTokens, StoredTokens, TokenStatus};
pub use works::{CachedId, CachedWork, IdentifierMatch, IdlinkWork, IdlinkWorkStatus, SyncStatus};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    cipher: TokenCipher,
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
        Ok(Self { pool, cipher })
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
