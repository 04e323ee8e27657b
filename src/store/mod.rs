//! All SQL lives under this module, one module per table family; handlers call these
//! functions and never write SQL. Queries are checked against the migrations at compile
//! time (`sqlx::query!`; offline data in `.sqlx/`), except the few built at run time
//! (lists of iDs, optional filters), which use `QueryBuilder` with bound values.

mod affiliations_cache;
mod audit;
mod files;
mod grant_health;
mod idlink_affiliations;
mod idlink_works;
mod invitations;
mod jobs;
mod outbox;
mod public_emails;
mod reconsent;
mod researchers;
mod revocations;
#[cfg(any(test, feature = "load-seed"))]
mod seed;
mod tokens;
mod works_cache;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::crypto::TokenCipher;

pub use affiliations_cache::{CachedAffiliation, CachedSection};
pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditRecord, AuditVocabulary};
pub use files::create_private_dir;
pub use grant_health::{GrantHealthRow, GrantState, HealthCursor, HealthQuery};
pub use idlink_affiliations::{AffiliationChange, IdlinkAffiliation, IdlinkAffiliationStatus};
pub use idlink_works::{IdlinkWork, IdlinkWorkStatus, IdlinkWrite, WorkChange};
pub use invitations::{
    BatchStatus, Invitation, InvitationBatch, InvitationFilter, InvitationRow, InvitationStatus,
    LookupAnswer, NewInvitation, PendingLookup,
};
pub use jobs::{
    AuditLine, BatchRecord, DraftReport, Grant, GrantToken, ItemOutcome, ItemStatus, Job,
    JobCounts, JobItem, JobKind, JobLookup, JobLookupCounts, JobLookupStatus, JobStatus, JobUnit,
    NewJobItem, NewJobLookup, OwnWork, PendingJobLookup, RowError, Settlement, WaitingItem,
};
pub use outbox::{
    ClaimedMail, MailKind, MailOutcome, MailProgress, MailStatus, NewMail, OutboxEntry, StopVia,
};
pub use public_emails::{PendingPublicEmail, PublicEmail, PublicEmailAnswer, PublicEmailStatus};
pub use reconsent::{NewReconsent, ReconsentCandidate, UnmailedReconsent};
pub use researchers::{
    ConnectionStatus, DashboardFilter, DashboardRow, DashboardSort, GrantSummary, LastCall,
    MeSummary, Researcher, Search,
};
pub use revocations::{PendingRevocation, RevocationBacklog, RevokeReason};
#[cfg(any(test, feature = "load-seed"))]
pub use seed::LoadResearcher;
pub use tokens::{NewTokens, StoredTokens, TokenStatus};
pub use works_cache::{CachedId, CachedWork, IdentifierMatch, SyncStatus};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    cipher: TokenCipher,
    /// Pages of cached works, read-through; every write to `cached_works` goes through
    /// this Store and drops the record's pages.
    works_pages: std::sync::Arc<works_cache::WorksPageCache>,
}

impl Store {
    /// Opens (creating if needed) the database file and its folder, both private to
    /// idlink's user, in WAL mode with a busy timeout so concurrent sign-ins wait for the
    /// write lock instead of failing.
    pub async fn open(path: &Path, cipher: TokenCipher) -> Result<Self, sqlx::Error> {
        files::prepare_database_files(path)?;
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
            // A local file cannot go stale like a network connection: the ping sqlx sends
            // before handing out each connection would double every query's round trip to
            // its worker thread.
            .test_before_acquire(false)
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
        // A pragma, not a query the macros can check.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "could not checkpoint the database at shutdown");
        }
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query_scalar!("SELECT 1 AS one")
            .fetch_one(&self.pool)
            .await
            .map(|_| ())
    }
}

/// Unix time in seconds, as stored in every timestamp column.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A store on a fresh database in a temporary folder (kept alive by the returned guard).
#[cfg(test)]
pub(crate) async fn test_store() -> (tempfile::TempDir, Store) {
    use base64::Engine;
    let dir = tempfile::tempdir().expect("temporary folder");
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let cipher = TokenCipher::from_base64(&key).expect("test key");
    let store = Store::open(&dir.path().join("t.db"), cipher)
        .await
        .expect("test database");
    (dir, store)
}

/// Connects a researcher (with a token pair) in a test store.
#[cfg(test)]
pub(crate) async fn test_researcher(store: &Store, orcid: &orcid::OrcidId) {
    let tokens = NewTokens {
        access_token: secrecy::SecretString::from("access"),
        refresh_token: None,
        scope: "openid /activities/update".into(),
        expires_at: now() + 3600,
    };
    store
        .save_connection(orcid, "Test Researcher", false, &tokens)
        .await
        .expect("test researcher");
}
