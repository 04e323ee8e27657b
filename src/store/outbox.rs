//! The mail outbox (`mail_outbox`), stop links (`mail_stop_tokens`) and the addresses that
//! asked for no more mail (`mail_stopped`).

use sqlx::{QueryBuilder, Sqlite};

use super::{now, Store};

/// Rows per INSERT statement: 13 values each stays well below SQLite's 32,766.
const INSERT_CHUNK: usize = 1000;

/// What a message is for (`mail_outbox.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum MailKind {
    Invitation,
    Reminder,
    Reconsent,
    Notice,
}

/// Where a message is (`mail_outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its turn, or for a retry after a failure.
    Queued,
    /// Handed to the SMTP server; the answer is not in yet.
    Sending,
    /// The SMTP server accepted it.
    Sent,
    /// Given up: refused for good, or still failing after every retry.
    Failed,
    /// Not sent: the address asked for no more mail.
    Stopped,
    /// idlink stopped while sending it, so it may or may not have gone: sent again
    /// only when staff ask.
    Unknown,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Stopped => "stopped",
            MailStatus::Unknown => "unknown",
        }
    }
}

/// How a recipient stopped their mail (`mail_stopped.via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum StopVia {
    /// The button on the stop page.
    Page,
    /// A mail program's RFC 8058 one-click POST.
    OneClick,
}

/// A message to store in the outbox.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub to_address: &'a str,
    pub to_name: Option<&'a str>,
    pub kind: MailKind,
    pub invitation_id: Option<i64>,
    pub batch: Option<&'a str>,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub stop_url: &'a str,
    pub message_id: &'a str,
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub to_address: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub stop_url: String,
    pub message_id: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The address asked for no more mail: settled `stopped`, not sent.
    pub stopped: bool,
}

/// How a claimed message ended (or when it is tried again).
#[derive(Debug, Clone)]
pub struct MailOutcome {
    pub id: i64,
    pub status: MailStatus,
    pub error: Option<String>,
    /// A queued message's next try.
    pub retry_at: Option<i64>,
}

/// A message as staff see it in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub to_address: String,
    pub kind: MailKind,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub retry_at: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

/// Messages by status: one batch's, or the whole outbox's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailProgress {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub stopped: i64,
    pub unknown: i64,
}

impl MailProgress {
    pub fn total(&self) -> i64 {
        self.queued + self.sending + self.sent + self.failed + self.stopped + self.unknown
    }

    /// Messages that will not move again on their own.
    pub fn settled(&self) -> i64 {
        self.sent + self.failed + self.stopped + self.unknown
    }
}

impl Store {
    /// Stores the messages, due now, in one transaction; their ids in the same order.
    pub async fn enqueue_mail(&self, mails: &[NewMail<'_>]) -> Result<Vec<i64>, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(mails.len());
        // Many rows per statement: a batch of thousands is queued in a moment.
        for chunk in mails.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO mail_outbox (to_address, to_name, kind, invitation_id, batch, subject,
                     body_text, body_html, stop_url, message_id, retry_at, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, m| {
                b.push_bind(m.to_address)
                    .push_bind(m.to_name)
                    .push_bind(m.kind)
                    .push_bind(m.invitation_id)
                    .push_bind(m.batch)
                    .push_bind(m.subject)
                    .push_bind(m.body_text)
                    .push_bind(m.body_html)
                    .push_bind(m.stop_url)
                    .push_bind(m.message_id)
                    .push_bind(t)
                    .push_bind(t)
                    .push_bind(t);
            });
            q.push(" RETURNING id");
            let mut chunk_ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
            // RETURNING gives no order, but one statement's rows get rising ids in the
            // order of its values.
            chunk_ids.sort_unstable();
            ids.extend(chunk_ids);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// When the next queued message is due (maybe in the past); `None` when none is queued.
    pub async fn next_mail_due_at(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT MIN(retry_at) AS "due?: i64" FROM mail_outbox WHERE status = 'queued'"#
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Marks up to `limit` due messages `sending` and returns them, oldest due first: the
    /// claim is written before the SMTP exchange starts, so a crash during it cannot lead
    /// to a second send. Each says whether its address has asked for no more mail.
    pub async fn claim_mail(&self, limit: i64) -> Result<Vec<ClaimedMail>, sqlx::Error> {
        let t = now();
        let rows = sqlx::query!(
            r#"UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?1
               WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' AND retry_at <= ?1
                            ORDER BY retry_at, id LIMIT ?2)
               RETURNING id AS "id!: i64", to_address AS "to_address!: String",
                         to_name AS "to_name?: String", subject AS "subject!: String",
                         body_text AS "body_text!: String", body_html AS "body_html!: String",
                         stop_url AS "stop_url!: String", message_id AS "message_id!: String",
                         attempts AS "attempts!: i64", retry_at AS "retry_at!: i64",
                         EXISTS (SELECT 1 FROM mail_stopped s
                                 WHERE s.address = mail_outbox.to_address) AS "stopped!: bool""#,
            t,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut claimed: Vec<(i64, ClaimedMail)> = rows
            .into_iter()
            .map(|r| {
                (
                    r.retry_at,
                    ClaimedMail {
                        id: r.id,
                        to_address: r.to_address,
                        to_name: r.to_name,
                        subject: r.subject,
                        body_text: r.body_text,
                        body_html: r.body_html,
                        stop_url: r.stop_url,
                        message_id: r.message_id,
                        attempts: r.attempts,
                        stopped: r.stopped,
                    },
                )
            })
            .collect();
        // RETURNING gives no order.
        claimed.sort_by_key(|(due, m)| (*due, m.id));
        Ok(claimed.into_iter().map(|(_, m)| m).collect())
    }

    /// Claimed messages that were never handed to the server go back to the queue as
    /// they were (a clean stop, or the outbox held).
    pub async fn release_mail(&self, ids: &[i64]) -> Result<(), sqlx::Error> {
        let t = now();
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        sqlx::query!(
            "UPDATE mail_outbox SET status = 'queued', attempts = attempts - 1, updated_at = ?2
             WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?1))",
            ids,
            t,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Settles claimed messages, in one transaction. A sent one keeps no body: the links
    /// in it are the recipient's, and not needed on disk once delivered.
    pub async fn settle_mail(&self, outcomes: &[MailOutcome]) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for o in outcomes {
            sqlx::query!(
                r#"UPDATE mail_outbox SET status = ?2, last_error = ?3, retry_at = COALESCE(?4, retry_at),
                       updated_at = ?5,
                       sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END,
                       body_text = CASE WHEN ?2 = 'sent' THEN '' ELSE body_text END,
                       body_html = CASE WHEN ?2 = 'sent' THEN '' ELSE body_html END
                   WHERE id = ?1 AND status = 'sending'"#,
                o.id,
                o.status,
                o.error,
                o.retry_at,
                t,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// At start-up: messages left `sending` by a crash or a stop become `unknown`.
    pub async fn mail_sending_to_unknown(&self) -> Result<u64, sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE mail_outbox SET status = 'unknown', updated_at = ?1,
                 last_error = 'idlink stopped while handing this message to the mail server: it may or may not have been sent'
             WHERE status = 'sending'",
            t,
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
    }

    /// Queues an `unknown` or `failed` message again, due now; false if it is neither.
    pub async fn requeue_mail(&self, id: i64) -> Result<bool, sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE mail_outbox SET status = 'queued', retry_at = ?2, attempts = 0, updated_at = ?2
             WHERE id = ?1 AND status IN ('unknown', 'failed')",
            id,
            t,
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected() == 1)
    }

    /// The messages of one batch by status.
    pub async fn mail_progress(&self, batch: &str) -> Result<MailProgress, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT status AS "status!: MailStatus", COUNT(*) AS "n!: i64"
               FROM mail_outbox WHERE batch = ?1 GROUP BY status"#,
            batch,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(progress_of(rows.into_iter().map(|r| (r.status, r.n))))
    }

    /// The whole outbox by status.
    pub async fn outbox_counts(&self) -> Result<MailProgress, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT status AS "status!: MailStatus", COUNT(*) AS "n!: i64"
               FROM mail_outbox GROUP BY status"#,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(progress_of(rows.into_iter().map(|r| (r.status, r.n))))
    }

    /// The status of each of these messages that exists.
    pub async fn mail_statuses(&self, ids: &[i64]) -> Result<Vec<(i64, MailStatus)>, sqlx::Error> {
        // A JSON array bound as one value: any number of ids, still a checked query.
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: i64", status AS "status!: MailStatus" FROM mail_outbox
               WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"#,
            ids,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.id, r.status)).collect())
    }

    /// Messages staff should look at: failed, unknown, or waiting after a failure;
    /// newest first.
    pub async fn outbox_troubles(&self, limit: i64) -> Result<Vec<OutboxEntry>, sqlx::Error> {
        sqlx::query_as!(
            OutboxEntry,
            r#"SELECT id AS "id!: i64", to_address, kind AS "kind: MailKind", subject,
                      status AS "status: MailStatus", attempts, retry_at, last_error, updated_at
               FROM mail_outbox
               WHERE status IN ('failed', 'unknown')
                  OR (status = 'queued' AND last_error IS NOT NULL)
               ORDER BY updated_at DESC, id DESC LIMIT ?1"#,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Remembers stop links' token hashes, each with its address, in one transaction.
    pub async fn add_stop_tokens(&self, tokens: &[(Vec<u8>, &str)]) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for chunk in tokens.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO mail_stop_tokens (token_hash, address, created_at) ",
            );
            q.push_values(chunk, |mut b, (hash, address)| {
                b.push_bind(hash.as_slice())
                    .push_bind(*address)
                    .push_bind(t);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// The address a stop link's token hash belongs to.
    pub async fn stop_token_address(&self, hash: &[u8]) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT address FROM mail_stop_tokens WHERE token_hash = ?1",
            hash
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Stops mail to an address; true when it was not stopped before. Messages to it
    /// still queued are settled `stopped` at once.
    pub async fn stop_address(&self, address: &str, via: StopVia) -> Result<bool, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        let added = sqlx::query!(
            "INSERT INTO mail_stopped (address, stopped_at, via) VALUES (?1, ?2, ?3)
             ON CONFLICT (address) DO NOTHING",
            address,
            t,
            via,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        sqlx::query!(
            "UPDATE mail_outbox SET status = 'stopped', updated_at = ?2,
                 last_error = 'the recipient asked for no more mail'
             WHERE status = 'queued' AND to_address = ?1 COLLATE NOCASE",
            address,
            t,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Which of `addresses` asked for no more email (compared as stored: ASCII case
    /// folded), one query per few hundred: for a list of thousands.
    pub async fn stopped_among(
        &self,
        addresses: &[&str],
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let mut stopped = std::collections::HashSet::new();
        for chunk in addresses.chunks(500) {
            let list = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            // `address` on the left of IN: its NOCASE collation decides the comparison.
            let rows = sqlx::query_scalar!(
                "SELECT address FROM mail_stopped WHERE address IN (SELECT value FROM json_each(?1))",
                list
            )
            .fetch_all(&self.pool)
            .await?;
            stopped.extend(rows.into_iter().map(|a| a.to_ascii_lowercase()));
        }
        Ok(addresses
            .iter()
            .filter(|a| stopped.contains(&a.to_ascii_lowercase()))
            .map(|a| a.to_string())
            .collect())
    }

    pub async fn is_address_stopped(&self, address: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM mail_stopped WHERE address = ?1) AS "stopped!: bool""#,
            address
        )
        .fetch_one(&self.pool)
        .await
    }
}

fn progress_of(rows: impl Iterator<Item = (MailStatus, i64)>) -> MailProgress {
    let mut p = MailProgress::default();
    for (status, n) in rows {
        *match status {
            MailStatus::Queued => &mut p.queued,
            MailStatus::Sending => &mut p.sending,
            MailStatus::Sent => &mut p.sent,
            MailStatus::Failed => &mut p.failed,
            MailStatus::Stopped => &mut p.stopped,
            MailStatus::Unknown => &mut p.unknown,
        } += n;
    }
    p
}

/// Reaching past the methods above, for the mail module's tests.
#[cfg(test)]
impl Store {
    /// What is kept of every stop link handed out.
    pub(crate) async fn stop_token_hashes(&self) -> Vec<Vec<u8>> {
        sqlx::query_scalar("SELECT token_hash FROM mail_stop_tokens")
            .fetch_all(&self.pool)
            .await
            .expect("stop token hashes")
    }

    /// Records a stop without settling the queued messages: as when it arrives just as
    /// they are being claimed.
    pub(crate) async fn stop_address_alone(&self, address: &str) {
        sqlx::query("INSERT INTO mail_stopped (address, stopped_at, via) VALUES (?1, 0, 'page')")
            .bind(address)
            .execute(&self.pool)
            .await
            .expect("a stopped address");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    #[tokio::test]
    async fn stopped_addresses_are_found_in_a_list_whatever_their_case() {
        let (_dir, store) = test_store().await;
        store
            .stop_address("Sid@Example.org", StopVia::Page)
            .await
            .unwrap();
        let many: Vec<String> = (0..1200).map(|n| format!("p{n}@example.org")).collect();
        let mut list: Vec<&str> = many.iter().map(String::as_str).collect();
        list.push("sid@example.ORG");
        let stopped = store.stopped_among(&list).await.unwrap();
        assert_eq!(
            stopped.into_iter().collect::<Vec<_>>(),
            ["sid@example.ORG"],
            "as given, past the first few hundred"
        );
        assert!(store.stopped_among(&[]).await.unwrap().is_empty());
    }
}
