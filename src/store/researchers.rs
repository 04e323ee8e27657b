//! The `researchers` table: connections, the summary a researcher's own page shows, and
//! the staff dashboard's listing (`listing`) and lines (`overview`).

mod listing;
mod overview;

use orcid::OrcidId;
use sqlx::{Sqlite, Transaction};

use super::{now, NewTokens, Store, SyncStatus, TokenStatus};

pub use listing::{ConnectionStatus, DashboardFilter, DashboardSort, Search};
pub use overview::{DashboardRow, LastCall};

#[derive(Debug, Clone)]
pub struct Researcher {
    pub orcid: OrcidId,
    pub name: String,
    pub is_staff: bool,
    pub first_connected_at: i64,
    pub last_signed_in_at: i64,
    pub disconnected_at: Option<i64>,
}

/// The grant, without decrypting the tokens (/me shows only what was granted and when).
#[derive(Debug, Clone)]
pub struct GrantSummary {
    pub scope: String,
    pub status: TokenStatus,
    pub created_at: i64,
    pub expires_at: i64,
}

impl GrantSummary {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

/// What a researcher's own page shows about them, read in one query.
#[derive(Debug, Clone)]
pub struct MeSummary {
    pub researcher: Researcher,
    pub grant: Option<GrantSummary>,
    pub sync: Option<SyncStatus>,
    /// Works groups in the cache.
    pub group_count: i64,
}

impl Store {
    /// Records a completed connection in one transaction: the researcher (created or
    /// updated) and their tokens (replacing any earlier pair). Nothing is half-stored.
    pub async fn save_connection(
        &self,
        orcid: &OrcidId,
        name: &str,
        is_staff: bool,
        tokens: &NewTokens,
    ) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        upsert_researcher(&mut tx, orcid, name, is_staff, t).await?;
        self.replace_tokens(&mut tx, orcid, tokens, t).await?;
        tx.commit().await
    }

    /// Records a sign-in that keeps the stored grant: only the researcher is updated.
    pub async fn record_sign_in(
        &self,
        orcid: &OrcidId,
        name: &str,
        is_staff: bool,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        upsert_researcher(&mut tx, orcid, name, is_staff, now()).await?;
        tx.commit().await
    }

    pub async fn researcher(&self, orcid: &OrcidId) -> Result<Option<Researcher>, sqlx::Error> {
        sqlx::query_as!(
            Researcher,
            r#"SELECT orcid AS "orcid: OrcidId", name, is_staff AS "is_staff: bool",
                      first_connected_at, last_signed_in_at, disconnected_at
               FROM researchers WHERE orcid = ?1"#,
            orcid,
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Researchers who currently hold an active grant.
    pub async fn count_connected(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!("SELECT COUNT(*) FROM orcid_tokens WHERE status = 'active'")
            .fetch_one(&self.pool)
            .await
    }

    /// Forgets the tokens and marks the researcher disconnected, in one transaction.
    pub async fn disconnect(&self, orcid: &OrcidId) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query!("DELETE FROM orcid_tokens WHERE orcid = ?1", orcid)
            .execute(&mut *tx)
            .await?;
        // Their public address was read only to ask them to connect again.
        sqlx::query!("DELETE FROM public_emails WHERE orcid = ?1", orcid)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "UPDATE researchers SET disconnected_at = ?2 WHERE orcid = ?1",
            orcid,
            t
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Everything /me shows about the researcher, in one row: each row sqlx reads from
    /// SQLite crosses threads, so the page asks for as few as it can.
    pub async fn me_summary(&self, orcid: &OrcidId) -> Result<Option<MeSummary>, sqlx::Error> {
        // Group indexes are dense from 0, so the largest + 1 is the count, read off the index.
        let row = sqlx::query!(
            r#"SELECT r.orcid AS "orcid: OrcidId", r.name, r.is_staff AS "is_staff: bool",
                      r.first_connected_at, r.last_signed_in_at, r.disconnected_at,
                      t.scope AS "scope?", t.status AS "status?: TokenStatus",
                      t.created_at AS "created_at?", t.expires_at AS "expires_at?",
                      s.synced_at AS "synced_at?", s.attempted_at AS "attempted_at?",
                      s.last_error AS "last_error?",
                      (SELECT COALESCE(MAX(w.group_index) + 1, 0) FROM cached_works w
                       WHERE w.orcid = r.orcid) AS "group_count!: i64"
               FROM researchers r
               LEFT JOIN orcid_tokens t ON t.orcid = r.orcid
               LEFT JOIN works_sync s ON s.orcid = r.orcid
               WHERE r.orcid = ?1"#,
            orcid,
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let grant = match (r.scope, r.status, r.created_at, r.expires_at) {
            (Some(scope), Some(status), Some(created_at), Some(expires_at)) => Some(GrantSummary {
                scope,
                status,
                created_at,
                expires_at,
            }),
            _ => None,
        };
        let sync = r.attempted_at.map(|attempted_at| SyncStatus {
            synced_at: r.synced_at,
            attempted_at,
            last_error: r.last_error,
        });
        Ok(Some(MeSummary {
            researcher: Researcher {
                orcid: r.orcid,
                name: r.name,
                is_staff: r.is_staff,
                first_connected_at: r.first_connected_at,
                last_signed_in_at: r.last_signed_in_at,
                disconnected_at: r.disconnected_at,
            },
            grant,
            sync,
            group_count: r.group_count,
        }))
    }
}

/// Creates the researcher, or updates their name, role and last sign-in and clears a
/// disconnection.
async fn upsert_researcher(
    tx: &mut Transaction<'_, Sqlite>,
    orcid: &OrcidId,
    name: &str,
    is_staff: bool,
    t: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO researchers (orcid, name, is_staff, first_connected_at, last_signed_in_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(orcid) DO UPDATE SET
            name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE researchers.name END,
            is_staff = excluded.is_staff,
            last_signed_in_at = excluded.last_signed_in_at,
            disconnected_at = NULL",
        orcid,
        name,
        is_staff,
        t,
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
