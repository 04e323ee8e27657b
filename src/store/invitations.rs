//! Invitations to connect an ORCID iD: draft batches with their findings
//! (`invitation_batches`, `invitation_findings`), the invitations (`invitations`), the
//! hashes of their personal links (`invitation_links`), and the Public API token
//! (`public_api_token`). Listing and export queries are in `listing`.

mod listing;

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;
use secrecy::SecretString;

use super::{now, DraftReport, RowError, Store};

pub use listing::{InvitationFilter, InvitationRow, InvitationStatus};

/// SQLite allows 32,766 bound values; rows are inserted in chunks well below that.
const INSERT_CHUNK: usize = 2000;

/// Associated data of the sealed Public API token.
const PUBLIC_TOKEN_CONTEXT: &str = "idlink.public_api_token.v1";

/// One person to invite, as the check accepted them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub line: i64,
    pub email: String,
    pub given_names: String,
    pub family_names: String,
    pub department: String,
    pub named_orcid: Option<OrcidId>,
    /// ORCID's public name for `named_orcid` ("" when the record shows none).
    pub public_name: Option<String>,
    /// `named_orcid` is still to be looked up on ORCID, in the background.
    pub lookup_pending: bool,
}

/// A named iD waiting for its Public API lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLookup {
    pub invitation_id: i64,
    pub batch_id: i64,
    pub line: i64,
    pub orcid: OrcidId,
    /// Times ORCID was asked about it without answering.
    pub attempts: i64,
}

/// What a background lookup found for one invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupAnswer {
    /// The record exists: its public name ("" when not public).
    Named(String),
    /// No record behind the iD: the person is taken out of the draft with this finding.
    NoRecord(String),
    /// ORCID did not answer: asked again at this time.
    Again { retry_at: i64 },
    /// ORCID did not answer, time after time: left without a name beside the iD.
    Unchecked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum BatchStatus {
    Draft,
    Sent,
    Discarded,
}

#[derive(Debug, Clone)]
pub struct InvitationBatch {
    pub id: i64,
    pub created_at: i64,
    pub created_by: OrcidId,
    pub source: String,
    pub status: BatchStatus,
    pub sent_at: Option<i64>,
    pub rows_total: i64,
    pub rows_invalid: i64,
    pub invitations: i64,
    /// Named iDs to look up in all, and those not yet looked up.
    pub lookups_total: i64,
    pub lookups_pending: i64,
}

/// One invitation as the link, the sender and the reminders need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub batch_id: i64,
    pub line: i64,
    pub email: String,
    pub given_names: String,
    pub family_names: String,
    pub department: String,
    pub named_orcid: Option<OrcidId>,
    pub public_name: Option<String>,
    pub invited_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub opened_at: Option<i64>,
    pub connected_at: Option<i64>,
    pub connected_orcid: Option<OrcidId>,
    pub reminders_sent: i64,
    pub last_mailed_at: Option<i64>,
}

impl Invitation {
    pub fn is_expired(&self, at: i64) -> bool {
        self.expires_at.is_some_and(|e| e <= at)
    }

    /// The iD that connected is not the one staff named.
    pub fn mismatch(&self) -> bool {
        matches!((&self.named_orcid, &self.connected_orcid), (Some(a), Some(b)) if a != b)
    }
}

impl Store {
    /// Saves a checked roster as a draft batch: its counts, findings and the people to
    /// invite, in one transaction.
    pub async fn create_invitation_batch(
        &self,
        created_by: &OrcidId,
        source: &str,
        report: DraftReport<'_>,
        rows: &[NewInvitation],
    ) -> Result<i64, sqlx::Error> {
        let t = now();
        let omitted = serde_json::to_string(report.omitted).unwrap_or_else(|_| "[]".into());
        let lookups = rows.iter().filter(|r| r.lookup_pending).count() as i64;
        let mut tx = self.pool.begin().await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO invitation_batches
                 (created_at, created_by, source, status, rows_total, rows_invalid, omitted,
                  lookups_total)
             VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7) RETURNING id",
            t,
            created_by,
            source,
            report.rows_total,
            report.rows_invalid,
            omitted,
            lookups,
        )
        .fetch_one(&mut *tx)
        .await?;
        for chunk in report.kept.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO invitation_findings (batch_id, line, column_name, message) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(id)
                    .push_bind(e.line)
                    .push_bind(&e.column)
                    .push_bind(&e.message);
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in rows.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO invitations (batch_id, line, email, given_names, family_names,
                     department, named_orcid, public_name, lookup_pending) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(id)
                    .push_bind(r.line)
                    .push_bind(&r.email)
                    .push_bind(&r.given_names)
                    .push_bind(&r.family_names)
                    .push_bind(&r.department)
                    .push_bind(r.named_orcid)
                    .push_bind(&r.public_name)
                    .push_bind(r.lookup_pending);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn invitation_batch(&self, id: i64) -> Result<Option<InvitationBatch>, sqlx::Error> {
        sqlx::query_as!(
            InvitationBatch,
            r#"SELECT b.id, b.created_at, b.created_by AS "created_by: OrcidId", b.source,
                      b.status AS "status: BatchStatus", b.sent_at, b.rows_total, b.rows_invalid,
                      (SELECT COUNT(*) FROM invitations i WHERE i.batch_id = b.id) AS "invitations!: i64",
                      b.lookups_total,
                      (SELECT COUNT(*) FROM invitations i
                       WHERE i.batch_id = b.id AND i.lookup_pending = 1) AS "lookups_pending!: i64"
               FROM invitation_batches b WHERE b.id = ?1"#,
            id
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// The batch's findings kept word for word, and the others counted by column.
    pub async fn invitation_findings(
        &self,
        batch_id: i64,
    ) -> Result<(Vec<RowError>, Vec<(String, i64)>), sqlx::Error> {
        let kept = sqlx::query_as!(
            RowError,
            r#"SELECT line, column_name AS "column", message FROM invitation_findings
               WHERE batch_id = ?1 ORDER BY line, rowid"#,
            batch_id
        )
        .fetch_all(&self.pool)
        .await?;
        let omitted: String = sqlx::query_scalar!(
            "SELECT omitted FROM invitation_batches WHERE id = ?1",
            batch_id
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or_default();
        Ok((kept, serde_json::from_str(&omitted).unwrap_or_default()))
    }

    /// A batch's invitations in file order, `limit` at most.
    pub async fn batch_invitations(
        &self,
        batch_id: i64,
        limit: i64,
    ) -> Result<Vec<Invitation>, sqlx::Error> {
        sqlx::query_as!(
            Invitation,
            r#"SELECT id AS "id!", batch_id, line, email, given_names, family_names, department,
                      named_orcid AS "named_orcid: OrcidId", public_name, invited_at, expires_at,
                      opened_at, connected_at, connected_orcid AS "connected_orcid: OrcidId",
                      reminders_sent, last_mailed_at
               FROM invitations WHERE batch_id = ?1 ORDER BY line LIMIT ?2"#,
            batch_id,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Turns a draft into sent invitations: each gets its link's hash (in the order of
    /// [`Store::batch_invitations`]) and its expiry. `false` when the batch was no longer
    /// a draft (sent twice, or discarded): nothing changes.
    pub async fn send_invitation_batch(
        &self,
        batch_id: i64,
        expires_at: i64,
        links: &[(i64, [u8; 32])],
    ) -> Result<bool, sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        // Not while an iD is still being looked up: its row may yet be taken out.
        let changed = sqlx::query!(
            "UPDATE invitation_batches SET status = 'sent', sent_at = ?2
             WHERE id = ?1 AND status = 'draft'
               AND NOT EXISTS (SELECT 1 FROM invitations
                               WHERE batch_id = ?1 AND lookup_pending = 1)",
            batch_id,
            t
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        sqlx::query!(
            "UPDATE invitations SET invited_at = ?2, expires_at = ?3, last_mailed_at = ?2
             WHERE batch_id = ?1",
            batch_id,
            t,
            expires_at
        )
        .execute(&mut *tx)
        .await?;
        for chunk in links.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO invitation_links (token_hash, invitation_id, created_at) ",
            );
            q.push_values(chunk, |mut b, (id, hash)| {
                b.push_bind(hash.as_slice()).push_bind(*id).push_bind(t);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The audit log's "who invited whom": one line per invitation of a sent batch, on
    /// the named iD's record when staff gave one.
    pub async fn audit_invitations_sent(
        &self,
        actor: &OrcidId,
        batch_id: i64,
    ) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "INSERT INTO audit_log (at, actor, orcid, action, outcome, detail)
             SELECT ?1, ?2, COALESCE(named_orcid, ?2), 'invite_send', 'ok',
                    'invitation ' || id || ' to ' || given_names || ' ' || family_names
                    || ' <' || email || '> (batch ' || batch_id || ')'
             FROM invitations WHERE batch_id = ?3 ORDER BY id",
            t,
            actor,
            batch_id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn discard_invitation_batch(&self, batch_id: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query!(
            "UPDATE invitation_batches SET status = 'discarded' WHERE id = ?1 AND status = 'draft'",
            batch_id
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Another valid link for an invitation (a reminder's).
    pub async fn add_invitation_link(
        &self,
        invitation_id: i64,
        hash: &[u8; 32],
    ) -> Result<(), sqlx::Error> {
        let t = now();
        let hash = hash.as_slice();
        sqlx::query!(
            "INSERT INTO invitation_links (token_hash, invitation_id, created_at) VALUES (?1, ?2, ?3)",
            hash,
            invitation_id,
            t
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The invitation a link's token hash belongs to.
    pub async fn invitation_by_link(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<Invitation>, sqlx::Error> {
        let hash = hash.as_slice();
        sqlx::query_as!(
            Invitation,
            r#"SELECT i.id AS "id!", i.batch_id, i.line, i.email, i.given_names, i.family_names, i.department,
                      i.named_orcid AS "named_orcid: OrcidId", i.public_name, i.invited_at,
                      i.expires_at, i.opened_at, i.connected_at,
                      i.connected_orcid AS "connected_orcid: OrcidId",
                      i.reminders_sent, i.last_mailed_at
               FROM invitation_links l JOIN invitations i ON i.id = l.invitation_id
               WHERE l.token_hash = ?1 AND i.invited_at IS NOT NULL"#,
            hash
        )
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn invitation(&self, id: i64) -> Result<Option<Invitation>, sqlx::Error> {
        sqlx::query_as!(
            Invitation,
            r#"SELECT id AS "id!", batch_id, line, email, given_names, family_names, department,
                      named_orcid AS "named_orcid: OrcidId", public_name, invited_at, expires_at,
                      opened_at, connected_at, connected_orcid AS "connected_orcid: OrcidId",
                      reminders_sent, last_mailed_at
               FROM invitations WHERE id = ?1"#,
            id
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// The first opening of the link counts.
    pub async fn mark_invitation_opened(&self, id: i64) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE invitations SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL",
            id,
            t
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the connection the invitation led to; `false` when it already had one
    /// (the link is single use once it has led to a connection).
    pub async fn mark_invitation_connected(
        &self,
        id: i64,
        orcid: &OrcidId,
    ) -> Result<bool, sqlx::Error> {
        let t = now();
        let done = sqlx::query!(
            "UPDATE invitations SET connected_at = ?2, connected_orcid = ?3,
                 opened_at = COALESCE(opened_at, ?2)
             WHERE id = ?1 AND connected_at IS NULL",
            id,
            t,
            orcid
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A reminder was queued for an invitation.
    pub async fn record_invitation_reminder(&self, id: i64) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE invitations SET last_mailed_at = ?2, reminders_sent = reminders_sent + 1
             WHERE id = ?1",
            id,
            t
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Invitations due a reminder at `at` (re-consents get none): sent, open (not connected, not expired), last
    /// mailed at or before `mailed_before`, with fewer than `max` reminders, to an
    /// address that has not asked for no more emails. Oldest first, `limit` at most.
    pub async fn invitations_due_reminder(
        &self,
        at: i64,
        mailed_before: i64,
        max: i64,
        limit: i64,
    ) -> Result<Vec<Invitation>, sqlx::Error> {
        sqlx::query_as!(
            Invitation,
            r#"SELECT i.id AS "id!", i.batch_id, i.line, i.email, i.given_names, i.family_names,
                      i.department, i.named_orcid AS "named_orcid: OrcidId", i.public_name,
                      i.invited_at, i.expires_at, i.opened_at, i.connected_at,
                      i.connected_orcid AS "connected_orcid: OrcidId",
                      i.reminders_sent, i.last_mailed_at
               FROM invitations i
               WHERE i.connected_at IS NULL AND i.invited_at IS NOT NULL AND i.kind = 'invite'
                 AND i.last_mailed_at <= ?2 AND i.expires_at > ?1 AND i.reminders_sent < ?3
                 AND NOT EXISTS (SELECT 1 FROM mail_stopped s WHERE s.address = i.email)
               ORDER BY i.last_mailed_at, i.id LIMIT ?4"#,
            at,
            mailed_before,
            max,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Invitations of sent batches, sent before `sent_before`, with no message in the
    /// outbox: idlink stopped while their batch was being queued.
    pub async fn invitations_sent_unmailed(
        &self,
        sent_before: i64,
        limit: i64,
    ) -> Result<Vec<Invitation>, sqlx::Error> {
        sqlx::query_as!(
            Invitation,
            r#"SELECT i.id AS "id!", i.batch_id, i.line, i.email, i.given_names, i.family_names,
                      i.department, i.named_orcid AS "named_orcid: OrcidId", i.public_name,
                      i.invited_at, i.expires_at, i.opened_at, i.connected_at,
                      i.connected_orcid AS "connected_orcid: OrcidId",
                      i.reminders_sent, i.last_mailed_at
               FROM invitations i
               WHERE i.kind = 'invite' AND i.invited_at IS NOT NULL AND i.invited_at < ?1
                 AND i.connected_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.invitation_id = i.id)
                 AND NOT EXISTS (SELECT 1 FROM mail_stopped s WHERE s.address = i.email)
               ORDER BY i.id LIMIT ?2"#,
            sent_before,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Addresses among `emails` whose invitation already led to a connection.
    pub async fn connected_invitation_emails(
        &self,
        emails: &[String],
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let mut out = std::collections::HashSet::new();
        for chunk in emails.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT DISTINCT lower(email) FROM invitations WHERE connected_at IS NOT NULL AND lower(email) IN (",
            );
            let mut list = q.separated(", ");
            for e in chunk {
                list.push_bind(e.to_lowercase());
            }
            q.push(")");
            let rows: Vec<(String,)> = q.build_query_as().fetch_all(&self.pool).await?;
            out.extend(rows.into_iter().map(|r| r.0));
        }
        Ok(out)
    }

    /// Named iDs of draft batches to be looked up by `at`, oldest batch first.
    pub async fn pending_lookups(
        &self,
        at: i64,
        limit: i64,
    ) -> Result<Vec<PendingLookup>, sqlx::Error> {
        sqlx::query_as!(
            PendingLookup,
            r#"SELECT i.id AS "invitation_id!", i.batch_id, i.line,
                      i.named_orcid AS "orcid!: OrcidId", i.lookup_attempts AS attempts
               FROM invitations i JOIN invitation_batches b ON b.id = i.batch_id
               WHERE i.lookup_pending = 1 AND i.named_orcid IS NOT NULL AND b.status = 'draft'
                 AND i.lookup_retry_at <= ?1
               ORDER BY i.batch_id, i.id LIMIT ?2"#,
            at,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Records lookups' answers in one transaction: the public name beside the iD, or,
    /// for an iD with no record, the person out of the draft and a finding in its place.
    pub async fn record_lookups(
        &self,
        answers: &[(PendingLookup, LookupAnswer)],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for (p, answer) in answers {
            match answer {
                LookupAnswer::Named(name) => {
                    sqlx::query!(
                        "UPDATE invitations SET public_name = ?2, lookup_pending = 0 WHERE id = ?1",
                        p.invitation_id,
                        name
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                LookupAnswer::Again { retry_at } => {
                    sqlx::query!(
                        "UPDATE invitations SET lookup_attempts = lookup_attempts + 1,
                                lookup_retry_at = ?2
                         WHERE id = ?1 AND lookup_pending = 1",
                        p.invitation_id,
                        retry_at
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                LookupAnswer::Unchecked => {
                    sqlx::query!(
                        "UPDATE invitations SET lookup_pending = 0 WHERE id = ?1",
                        p.invitation_id
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                LookupAnswer::NoRecord(message) => {
                    let gone = sqlx::query!(
                        "DELETE FROM invitations WHERE id = ?1 AND lookup_pending = 1",
                        p.invitation_id
                    )
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if gone == 0 {
                        continue;
                    }
                    sqlx::query!(
                        "INSERT INTO invitation_findings (batch_id, line, column_name, message)
                         VALUES (?1, ?2, 'orcid', ?3)",
                        p.batch_id,
                        p.line,
                        message
                    )
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query!(
                        "UPDATE invitation_batches SET rows_invalid = rows_invalid + 1 WHERE id = ?1",
                        p.batch_id
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await
    }

    /// The stored `/read-public` token while it has not expired at `at`.
    pub async fn public_api_token(
        &self,
        at: i64,
    ) -> Result<Option<(SecretString, i64)>, sqlx::Error> {
        let row = sqlx::query!(
            "SELECT sealed, expires_at FROM public_api_token WHERE id = 1 AND expires_at > ?1",
            at
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| match self.cipher.decrypt(&r.sealed, PUBLIC_TOKEN_CONTEXT) {
            Ok(token) => Some((token, r.expires_at)),
            Err(_) => {
                tracing::warn!("the stored Public API token does not open with this TOKEN_KEY; a new one is fetched");
                None
            }
        }))
    }

    pub async fn save_public_api_token(
        &self,
        token: &SecretString,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        let sealed = self.cipher.encrypt(token, PUBLIC_TOKEN_CONTEXT);
        sqlx::query!(
            "INSERT INTO public_api_token (id, sealed, expires_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at",
            sealed,
            expires_at
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
