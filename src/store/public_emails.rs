//! The addresses people made public on ORCID (`public_emails`), looked up in the
//! background for re-consent messages: queued by the preview, answered by the lookups
//! task, reused until stale.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::{now, Store};

/// iDs per statement (SQLite's bound values are limited).
const CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum PublicEmailStatus {
    /// To be asked of ORCID.
    Pending,
    Found,
    /// The record shows no public address (or there is no record).
    #[sqlx(rename = "none")]
    NoAddress,
    /// ORCID did not answer, time after time.
    Failed,
}

/// What idlink knows of one person's public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicEmail {
    pub status: PublicEmailStatus,
    pub email: Option<String>,
}

/// An iD whose public address is to be asked of ORCID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPublicEmail {
    pub orcid: OrcidId,
    /// Times ORCID was asked without answering.
    pub attempts: i64,
}

/// What became of one lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicEmailAnswer {
    /// ORCID answered: the preferred public address, if any.
    Answered(Option<String>),
    /// ORCID did not answer: asked again at this time.
    Again { retry_at: i64 },
    /// ORCID did not answer, time after time.
    Failed,
}

impl Store {
    /// Queues the iDs whose address is unknown, was read before `stale_before`, or failed
    /// before `failed_before` (a pending one stays as it is; an address being read again
    /// is kept meanwhile); returns how many were queued. Answers older than
    /// `forget_before` are deleted: nobody has needed them for a long while.
    pub async fn queue_public_emails(
        &self,
        orcids: &[OrcidId],
        stale_before: i64,
        failed_before: i64,
        forget_before: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut queued = 0;
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "DELETE FROM public_emails WHERE status != 'pending' AND checked_at < ?1",
            forget_before
        )
        .execute(&mut *tx)
        .await?;
        for chunk in orcids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO public_emails (orcid) ");
            q.push_values(chunk, |mut b, id| {
                b.push_bind(id);
            });
            q.push(
                " ON CONFLICT (orcid) DO UPDATE SET status = 'pending', attempts = 0, retry_at = 0
                  WHERE (public_emails.status IN ('found', 'none') AND public_emails.checked_at < ",
            );
            q.push_bind(stale_before);
            q.push(") OR (public_emails.status = 'failed' AND public_emails.checked_at < ");
            q.push_bind(failed_before);
            q.push(")");
            queued += q.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// iDs to be asked of ORCID by `at`.
    pub async fn pending_public_emails(
        &self,
        at: i64,
        limit: i64,
    ) -> Result<Vec<PendingPublicEmail>, sqlx::Error> {
        sqlx::query_as!(
            PendingPublicEmail,
            r#"SELECT orcid AS "orcid: OrcidId", attempts FROM public_emails
               WHERE status = 'pending' AND retry_at <= ?1 ORDER BY retry_at LIMIT ?2"#,
            at,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Records lookups' answers in one transaction.
    pub async fn record_public_emails(
        &self,
        answers: &[(OrcidId, PublicEmailAnswer)],
    ) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for (orcid, answer) in answers {
            match answer {
                PublicEmailAnswer::Answered(email) => {
                    let status = if email.is_some() {
                        PublicEmailStatus::Found
                    } else {
                        PublicEmailStatus::NoAddress
                    };
                    sqlx::query!(
                        "UPDATE public_emails SET status = ?2, email = ?3, checked_at = ?4
                         WHERE orcid = ?1",
                        orcid,
                        status,
                        email,
                        t,
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                PublicEmailAnswer::Again { retry_at } => {
                    sqlx::query!(
                        "UPDATE public_emails SET attempts = attempts + 1, retry_at = ?2
                         WHERE orcid = ?1 AND status = 'pending'",
                        orcid,
                        retry_at,
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                PublicEmailAnswer::Failed => {
                    // An address read before stays in use until ORCID answers again.
                    sqlx::query!(
                        "UPDATE public_emails
                         SET status = CASE WHEN email IS NULL THEN 'failed' ELSE 'found' END,
                             checked_at = ?2
                         WHERE orcid = ?1 AND status = 'pending'",
                        orcid,
                        t,
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await
    }

    /// What idlink knows of these people's public addresses (iDs never queued left out).
    pub async fn public_emails_of(
        &self,
        orcids: &[OrcidId],
    ) -> Result<HashMap<OrcidId, PublicEmail>, sqlx::Error> {
        let mut out = HashMap::with_capacity(orcids.len());
        for chunk in orcids.chunks(CHUNK) {
            let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let rows = sqlx::query!(
                r#"SELECT orcid AS "orcid: OrcidId", status AS "status: PublicEmailStatus", email
                   FROM public_emails WHERE orcid IN (SELECT value FROM json_each(?1))"#,
                ids
            )
            .fetch_all(&self.pool)
            .await?;
            out.extend(rows.into_iter().map(|r| {
                (
                    r.orcid,
                    PublicEmail {
                        status: r.status,
                        email: r.email,
                    },
                )
            }));
        }
        Ok(out)
    }

    /// Public addresses still to be asked of ORCID, for the preview's live progress.
    pub async fn public_emails_pending(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!("SELECT COUNT(*) FROM public_emails WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    #[tokio::test]
    async fn addresses_are_queued_once_answered_and_asked_again_when_stale_or_failed() {
        let (_dir, store) = test_store().await;
        let (a, b, c) = (
            OrcidId::from_base_digits(1),
            OrcidId::from_base_digits(2),
            OrcidId::from_base_digits(3),
        );
        assert_eq!(
            store
                .queue_public_emails(&[a, b, c], 0, 0, 0)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            store.queue_public_emails(&[a, b], 0, 0, 0).await.unwrap(),
            0,
            "already pending"
        );
        assert_eq!(store.public_emails_pending().await.unwrap(), 3);
        store
            .record_public_emails(&[
                (
                    a,
                    PublicEmailAnswer::Answered(Some("ada@example.org".into())),
                ),
                (b, PublicEmailAnswer::Answered(None)),
                (c, PublicEmailAnswer::Again { retry_at: 500 }),
            ])
            .await
            .unwrap();
        let known = store.public_emails_of(&[a, b, c]).await.unwrap();
        assert_eq!(known[&a].email.as_deref(), Some("ada@example.org"));
        assert_eq!(known[&a].status, PublicEmailStatus::Found);
        assert_eq!(known[&b].status, PublicEmailStatus::NoAddress);
        assert_eq!(known[&c].status, PublicEmailStatus::Pending);
        assert!(store
            .pending_public_emails(499, 10)
            .await
            .unwrap()
            .is_empty());
        let due = store.pending_public_emails(500, 10).await.unwrap();
        assert_eq!(
            due,
            [PendingPublicEmail {
                orcid: c,
                attempts: 1
            }]
        );
        store
            .record_public_emails(&[(c, PublicEmailAnswer::Failed)])
            .await
            .unwrap();

        // Fresh answers are reused, and a failure for a while; then they are asked again.
        assert_eq!(
            store
                .queue_public_emails(&[a, b, c], 0, 0, 0)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .queue_public_emails(&[a, b, c], 0, i64::MAX, 0)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .queue_public_emails(&[a, b], i64::MAX, 0, 0)
                .await
                .unwrap(),
            2
        );
        assert_eq!(store.public_emails_pending().await.unwrap(), 3);

        // Read again and not answered: the address read before stays in use.
        store
            .record_public_emails(&[(a, PublicEmailAnswer::Failed)])
            .await
            .unwrap();
        let known = store.public_emails_of(&[a]).await.unwrap();
        assert_eq!(known[&a].status, PublicEmailStatus::Found);
        assert_eq!(known[&a].email.as_deref(), Some("ada@example.org"));

        // Long unneeded answers are forgotten; so is a person's on disconnecting.
        store
            .queue_public_emails(&[], 0, 0, i64::MAX)
            .await
            .unwrap();
        assert!(store.public_emails_of(&[a]).await.unwrap().is_empty());
        crate::store::test_researcher(&store, &b).await;
        store.disconnect(&b).await.unwrap();
        assert!(store.public_emails_of(&[b]).await.unwrap().is_empty());
        assert_eq!(
            store.public_emails_pending().await.unwrap(),
            1,
            "c is still asked"
        );
    }
}
