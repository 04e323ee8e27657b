//! The `pending_revocations` table: grants idlink gave up but ORCID has not yet confirmed
//! revoked. The token is kept encrypted, bound to the iD, until the revoker succeeds.

use secrecy::SecretString;

use orcid::OrcidId;

use super::{now, Store};

/// Why idlink gave a grant up (`pending_revocations.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum RevokeReason {
    /// A sign-in brought fewer permissions than the grant idlink keeps.
    NarrowerSignIn,
    /// A newer grant took its place.
    Replaced,
    /// The researcher disconnected.
    Disconnected,
}

/// A queued revocation, decrypted. `Debug` never shows the token (SecretString).
#[derive(Debug)]
pub struct PendingRevocation {
    pub id: i64,
    pub orcid: OrcidId,
    pub token: SecretString,
    pub reason: RevokeReason,
    pub attempts: i64,
}

/// What staff see: how many grants are still to revoke, and the latest trouble.
#[derive(Debug, Clone, Default)]
pub struct RevocationBacklog {
    pub count: i64,
    pub researchers: i64,
    pub oldest_at: Option<i64>,
    pub last_error: Option<String>,
}

fn context(orcid: &OrcidId) -> String {
    format!("{orcid}/revocation")
}

impl Store {
    /// Queues a token to revoke at ORCID, first tried again at `next_attempt_at`.
    pub async fn queue_revocation(
        &self,
        orcid: &OrcidId,
        token: &SecretString,
        reason: RevokeReason,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), sqlx::Error> {
        let sealed = self.cipher.encrypt(token, &context(orcid));
        let t = now();
        sqlx::query!(
            "INSERT INTO pending_revocations (orcid, token, reason, attempts, last_error, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)",
            orcid,
            sealed,
            reason,
            error,
            next_attempt_at,
            t,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Queued revocations due now, oldest first, decrypted.
    pub async fn due_revocations(&self, limit: i64) -> Result<Vec<PendingRevocation>, sqlx::Error> {
        let t = now();
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", orcid AS "orcid: OrcidId", token, reason AS "reason: RevokeReason", attempts
               FROM pending_revocations WHERE next_attempt_at <= ?1
               ORDER BY next_attempt_at, id LIMIT ?2"#,
            t,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for r in rows {
            match self.cipher.decrypt(&r.token, &context(&r.orcid)) {
                Ok(token) => due.push(PendingRevocation {
                    id: r.id,
                    orcid: r.orcid,
                    token,
                    reason: r.reason,
                    attempts: r.attempts,
                }),
                // Sealed under another key (the key file was replaced): it can never be
                // sent, and left in place it would stay due and stall the queue behind it.
                Err(e) => {
                    tracing::warn!(orcid = %r.orcid, error = %e, "a queued revocation cannot be decrypted with this key; dropped");
                    self.revocation_done(r.id).await?;
                }
            }
        }
        Ok(due)
    }

    /// When the next queued revocation is due; `None` when none is queued.
    pub async fn next_revocation_at(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT MIN(next_attempt_at) AS "next?: i64" FROM pending_revocations"#
        )
        .fetch_one(&self.pool)
        .await
    }

    /// ORCID confirmed the revocation: the token is forgotten.
    pub async fn revocation_done(&self, id: i64) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM pending_revocations WHERE id = ?1", id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Another attempt failed: try again at `next_attempt_at`.
    pub async fn revocation_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE pending_revocations SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
             WHERE id = ?1",
            id,
            error,
            next_attempt_at,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Makes the researcher's queued revocations due now; returns how many there are.
    pub async fn hurry_revocations(&self, orcid: &OrcidId) -> Result<u64, sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE pending_revocations SET next_attempt_at = ?2 WHERE orcid = ?1",
            orcid,
            t
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
    }

    /// How many of the researcher's grants are still to revoke.
    pub async fn revocations_pending_for(&self, orcid: &OrcidId) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT COUNT(*) FROM pending_revocations WHERE orcid = ?1",
            orcid
        )
        .fetch_one(&self.pool)
        .await
    }

    /// The queue as staff see it.
    pub async fn revocation_backlog(&self) -> Result<RevocationBacklog, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "count!: i64", COUNT(DISTINCT orcid) AS "researchers!: i64",
                      MIN(created_at) AS "oldest_at?: i64",
                      (SELECT last_error FROM pending_revocations
                       ORDER BY next_attempt_at DESC, id DESC LIMIT 1) AS "last_error?: String"
               FROM pending_revocations"#
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(RevocationBacklog {
            count: r.count,
            researchers: r.researchers,
            oldest_at: r.oldest_at,
            last_error: r.last_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;
    use secrecy::ExposeSecret;

    #[tokio::test]
    async fn a_queued_token_is_stored_encrypted_and_comes_back_when_due() {
        let (_dir, store) = test_store().await;
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let token = SecretString::from("secret-access-token");
        store
            .queue_revocation(&id, &token, RevokeReason::Replaced, "HTTP 500", now() + 60)
            .await
            .unwrap();
        assert!(store.due_revocations(10).await.unwrap().is_empty());
        // Tests only: plain queries, outside the checked set.
        let raw: Vec<u8> = sqlx::query_scalar("SELECT token FROM pending_revocations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!raw
            .windows(token.expose_secret().len())
            .any(|w| w == token.expose_secret().as_bytes()));
        let backlog = store.revocation_backlog().await.unwrap();
        assert_eq!((backlog.count, backlog.researchers), (1, 1));
        assert_eq!(backlog.last_error.as_deref(), Some("HTTP 500"));

        sqlx::query("UPDATE pending_revocations SET next_attempt_at = 0")
            .execute(store.pool())
            .await
            .unwrap();
        let due = store.due_revocations(10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].token.expose_secret(), "secret-access-token");
        assert_eq!(due[0].reason, RevokeReason::Replaced);
        store.revocation_done(due[0].id).await.unwrap();
        assert_eq!(store.revocation_backlog().await.unwrap().count, 0);
    }

    #[tokio::test]
    async fn a_token_sealed_under_another_key_is_dropped_and_the_rest_still_come() {
        let (_dir, store) = test_store().await;
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        // Tests only: a row as an earlier key would have left it, due first.
        sqlx::query(
            "INSERT INTO pending_revocations (orcid, token, reason, next_attempt_at, created_at)
             VALUES (?1, x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'replaced', 0, 0)",
        )
        .bind(id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
        store
            .queue_revocation(
                &id,
                &SecretString::from("readable"),
                RevokeReason::Disconnected,
                "timeout",
                1,
            )
            .await
            .unwrap();
        let due = store.due_revocations(10).await.unwrap();
        assert_eq!(due.len(), 1, "the readable one still comes");
        assert_eq!(due[0].token.expose_secret(), "readable");
        assert_eq!(
            store.revocation_backlog().await.unwrap().count,
            1,
            "the unreadable one no longer holds the queue"
        );
    }
}
