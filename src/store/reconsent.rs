//! Re-consent invitations: the people whose grant needs them to connect again, with the
//! address staff gave in their invitation, and the sending of a re-consent batch (an
//! `invitations` batch of its own, rows of kind `reconsent`).

use orcid::OrcidId;

use super::{now, GrantState, Store};

/// Someone whose grant was revoked, has expired or lacks a permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconsentCandidate {
    pub orcid: OrcidId,
    pub name: String,
    pub state: GrantState,
    /// The address staff gave in an invitation for this iD, if any.
    pub invited_email: Option<String>,
    /// A re-consent invitation went to them after the time asked about.
    pub recently_sent: bool,
}

/// One re-consent invitation to store.
#[derive(Debug, Clone)]
pub struct NewReconsent {
    pub orcid: OrcidId,
    pub name: String,
    pub email: String,
    pub state: GrantState,
    /// The hash of the link's token.
    pub link_hash: [u8; 32],
}

impl Store {
    /// Everyone whose grant needs them to connect again at `at`, judged against the
    /// `required` scopes as on the health page, oldest connection first. `recent_since`:
    /// a re-consent invitation sent at or after it marks the person recently sent.
    pub async fn reconsent_candidates(
        &self,
        required: &[String],
        at: i64,
        recent_since: i64,
    ) -> Result<Vec<ReconsentCandidate>, sqlx::Error> {
        let lacking = self.lacking_scopes(required).await?;
        // The state's CASE is the one in `grant_health.rs`: the three must say the same.
        let rows = sqlx::query!(
            r#"SELECT orcid AS "orcid!: OrcidId", name AS "name!: String", state AS "state!: String",
                      email, recent AS "recent!: bool" FROM (
                 SELECT t.orcid, r.name, t.created_at,
                   CASE
                   WHEN t.status = 'revoked' THEN 'revoked'
                   WHEN t.expires_at <= ?2 THEN 'expired'
                   WHEN t.scope IN (SELECT value FROM json_each(?1)) THEN 'missing_scope'
                   WHEN h.last_success_at IS NULL THEN 'never_used'
                   ELSE 'active' END AS state,
                   COALESCE(
                     (SELECT i.email FROM invitations i
                      WHERE i.connected_orcid = t.orcid AND i.kind = 'invite'
                      ORDER BY i.id DESC LIMIT 1),
                     (SELECT i.email FROM invitations i
                      WHERE i.named_orcid = t.orcid AND i.kind = 'invite' AND i.invited_at IS NOT NULL
                      ORDER BY i.id DESC LIMIT 1)) AS email,
                   EXISTS (SELECT 1 FROM invitations i
                           WHERE i.named_orcid = t.orcid AND i.kind = 'reconsent'
                             AND i.invited_at >= ?3) AS recent
                 FROM orcid_tokens t
                 JOIN researchers r ON r.orcid = t.orcid
                 LEFT JOIN grant_health h ON h.orcid = t.orcid
               )
               WHERE state IN ('revoked', 'expired', 'missing_scope')
               ORDER BY created_at, orcid"#,
            lacking,
            at,
            recent_since,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(ReconsentCandidate {
                    state: GrantState::from_slug(&r.state)?,
                    orcid: r.orcid,
                    name: r.name,
                    invited_email: r.email,
                    recently_sent: r.recent,
                })
            })
            .collect())
    }

    /// Stores a sent re-consent batch: one invitation per person (with its link, expiry
    /// and an audit line naming `staff`), except for people sent one at or after
    /// `recent_since` — a second click, even at the same moment, sends nothing twice.
    /// Returns the batch and, for each person stored, their index in `people` and
    /// invitation id; `None` when nobody was left to send to.
    pub async fn create_reconsent_batch(
        &self,
        staff: &OrcidId,
        people: &[NewReconsent],
        expires_at: i64,
        recent_since: i64,
    ) -> Result<Option<(i64, Vec<(usize, i64)>)>, sqlx::Error> {
        let t = now();
        let total = i64::try_from(people.len()).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        // Writing first takes SQLite's write lock for the whole transaction, so two
        // sends run one after the other and the second sees the first's invitations.
        let batch_id = sqlx::query_scalar!(
            "INSERT INTO invitation_batches
                 (created_at, created_by, source, status, sent_at, rows_total, rows_invalid)
             VALUES (?1, ?2, 're-consent', 'sent', ?1, ?3, 0) RETURNING id",
            t,
            staff,
            total,
        )
        .fetch_one(&mut *tx)
        .await?;
        let mut stored = Vec::with_capacity(people.len());
        for (index, p) in people.iter().enumerate() {
            let line = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
            let state = p.state.slug();
            let id = sqlx::query_scalar!(
                r#"INSERT INTO invitations (batch_id, line, email, given_names, family_names,
                     department, named_orcid, invited_at, expires_at, last_mailed_at, kind,
                     grant_state)
                 SELECT ?1, ?2, ?3, ?4, '', '', ?5, ?6, ?7, ?6, 'reconsent', ?8
                 WHERE NOT EXISTS (SELECT 1 FROM invitations i
                                   WHERE i.named_orcid = ?5 AND i.kind = 'reconsent'
                                     AND i.invited_at >= ?9)
                 RETURNING id AS "id!: i64""#,
                batch_id,
                line,
                p.email,
                p.name,
                p.orcid,
                t,
                expires_at,
                state,
                recent_since,
            )
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { continue };
            let hash = p.link_hash.as_slice();
            sqlx::query!(
                "INSERT INTO invitation_links (token_hash, invitation_id, created_at) VALUES (?1, ?2, ?3)",
                hash,
                id,
                t
            )
            .execute(&mut *tx)
            .await?;
            let detail = format!(
                "re-consent invitation {id} to {} <{}> (grant {}; batch {batch_id})",
                p.name,
                p.email,
                p.state.label()
            );
            sqlx::query!(
                "INSERT INTO audit_log (at, actor, orcid, action, outcome, detail)
                 VALUES (?1, ?2, ?3, 'reconsent_send', 'ok', ?4)",
                t,
                staff,
                p.orcid,
                detail
            )
            .execute(&mut *tx)
            .await?;
            stored.push((index, id));
        }
        if stored.is_empty() {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some((batch_id, stored)))
    }

    /// For a re-consent invitation, what had stopped working when it was sent; `None`
    /// for an ordinary invitation.
    pub async fn reconsent_grant_state(
        &self,
        invitation_id: i64,
    ) -> Result<Option<GrantState>, sqlx::Error> {
        let state = sqlx::query_scalar!(
            "SELECT grant_state FROM invitations WHERE id = ?1 AND kind = 'reconsent'",
            invitation_id
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        Ok(state.as_deref().and_then(GrantState::from_slug))
    }

    /// Re-consent invitations sent before `sent_before` with no message in the outbox:
    /// idlink stopped between storing their batch and queuing its messages (re-consent
    /// batches are small: every one is returned).
    pub async fn reconsents_sent_unmailed(
        &self,
        sent_before: i64,
    ) -> Result<Vec<UnmailedReconsent>, sqlx::Error> {
        sqlx::query_as!(
            UnmailedReconsent,
            r#"SELECT i.id AS "id!", i.batch_id, i.email, i.given_names AS name,
                      i.grant_state AS "grant_state!"
               FROM invitations i
               WHERE i.kind = 'reconsent' AND i.invited_at < ?1 AND i.connected_at IS NULL
                 AND i.grant_state IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.invitation_id = i.id)
                 AND NOT EXISTS (SELECT 1 FROM mail_stopped s WHERE s.address = i.email)
               ORDER BY i.id"#,
            sent_before
        )
        .fetch_all(&self.pool)
        .await
    }
}

/// A re-consent invitation whose message was never queued.
#[derive(Debug, Clone)]
pub struct UnmailedReconsent {
    pub id: i64,
    pub batch_id: i64,
    pub email: String,
    pub name: String,
    /// What had stopped working, as stored (a [`GrantState`] slug).
    pub grant_state: String,
}
