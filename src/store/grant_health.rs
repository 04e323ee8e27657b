//! `grant_health`: when each grant was last used with success and last confirmed, when its
//! next check is due, and the state the health page shows (worked out in SQL, so counts,
//! filters and pages cost the same with 50,000 grants).

use orcid::OrcidId;

use super::Store;

/// Where a grant stands, worst first: the first that applies is the grant's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantState {
    /// ORCID answered 401 invalid_token and a refresh failed: the researcher revoked it.
    Revoked,
    /// Its expiry has passed (ORCID's refreshed tokens keep the first one's expiry).
    Expired,
    /// It lacks a scope idlink now asks for (`ORCID_SCOPES`).
    MissingScope,
    /// Works, as far as idlink knows, but idlink has not yet used it with success.
    NeverUsed,
    Active,
}

impl GrantState {
    pub const ALL: [Self; 5] = [
        Self::Active,
        Self::NeverUsed,
        Self::MissingScope,
        Self::Expired,
        Self::Revoked,
    ];

    /// The value used in SQL, URLs and CSV files.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::MissingScope => "missing_scope",
            Self::NeverUsed => "never_used",
            Self::Active => "active",
        }
    }

    /// The words shown to staff.
    pub fn label(self) -> &'static str {
        match self {
            Self::Revoked => "revoked by the researcher",
            Self::Expired => "expired",
            Self::MissingScope => "missing a permission",
            Self::NeverUsed => "never used",
            Self::Active => "active",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == s)
    }

    /// Whether the researcher must connect again for idlink to act on their record fully.
    pub fn needs_reconnect(self) -> bool {
        matches!(self, Self::Revoked | Self::Expired | Self::MissingScope)
    }
}

/// What the health page asks: the scopes a grant must hold, the time "expired" is
/// judged at, and the filters.
#[derive(Debug, Clone, Default)]
pub struct HealthQuery {
    /// Scopes every grant should hold (e.g. `/read-limited`).
    pub required: Vec<String>,
    pub at: i64,
    pub state: Option<GrantState>,
    /// Connected at or after this time.
    pub connected_after: Option<i64>,
    /// Connected before this time.
    pub connected_before: Option<i64>,
}

/// One grant on the health page or in its CSV file.
#[derive(Debug, Clone)]
pub struct GrantHealthRow {
    pub orcid: OrcidId,
    pub name: String,
    pub state: GrantState,
    pub connected_at: i64,
    pub last_success_at: Option<i64>,
    pub last_checked_at: Option<i64>,
}

/// Where the next batch of a listing starts: after this grant (newest first).
#[derive(Debug, Clone, Copy)]
pub struct HealthCursor {
    pub connected_at: i64,
    pub orcid: OrcidId,
}

impl Store {
    /// Records a successful call with the grant (if it is still stored); its next check
    /// moves to `next_check_at`, as the call has just confirmed it.
    pub async fn note_grant_success(
        &self,
        orcid: &OrcidId,
        at: i64,
        next_check_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO grant_health (orcid, last_success_at, next_check_at)
             SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM orcid_tokens WHERE orcid = ?1)
             ON CONFLICT(orcid) DO UPDATE SET
                last_success_at = excluded.last_success_at, next_check_at = excluded.next_check_at",
            orcid,
            at,
            next_check_at,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Records that the background check looked at the grant, and when it is due again.
    pub async fn note_grant_checked(
        &self,
        orcid: &OrcidId,
        at: i64,
        next_check_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO grant_health (orcid, last_checked_at, next_check_at)
             SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM orcid_tokens WHERE orcid = ?1)
             ON CONFLICT(orcid) DO UPDATE SET
                last_checked_at = excluded.last_checked_at, next_check_at = excluded.next_check_at",
            orcid,
            at,
            next_check_at,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Gives every grant without a due time one at random within `period` seconds from
    /// `at`, so that grants made at once (or found at the first start) are checked spread
    /// over the period, not all together. Returns how many were scheduled.
    pub async fn schedule_grant_checks(&self, at: i64, period: i64) -> Result<u64, sqlx::Error> {
        let period = period.max(1);
        sqlx::query!(
            "INSERT INTO grant_health (orcid, next_check_at)
             SELECT t.orcid, ?1 + abs(random() % ?2) FROM orcid_tokens t
             WHERE NOT EXISTS (SELECT 1 FROM grant_health h WHERE h.orcid = t.orcid)",
            at,
            period,
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
    }

    /// Moves a grant's next check to `next_check_at` without recording a check (the last
    /// one could not reach a verdict).
    pub async fn postpone_grant_check(
        &self,
        orcid: &OrcidId,
        next_check_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE grant_health SET next_check_at = ?2 WHERE orcid = ?1",
            orcid,
            next_check_at,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Grants whose check is due at `at`, longest due first. Revoked grants are left
    /// alone: only the researcher can bring them back. An expired one is checked: the
    /// check's refresh either renews it or finds it revoked.
    pub async fn due_grant_checks(&self, at: i64, limit: i64) -> Result<Vec<OrcidId>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT h.orcid AS "orcid: OrcidId" FROM grant_health h
               JOIN orcid_tokens t ON t.orcid = h.orcid
               WHERE h.next_check_at <= ?1 AND t.status = 'active'
               ORDER BY h.next_check_at LIMIT ?2"#,
            at,
            limit,
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The earliest due time of any grant a check could confirm, if there is one.
    pub async fn next_grant_check_at(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT MIN(h.next_check_at) AS "due: i64" FROM grant_health h
               JOIN orcid_tokens t ON t.orcid = h.orcid
               WHERE t.status = 'active'"#,
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Grants per state, within the query's connection dates (its state filter aside).
    /// The state's CASE is written out again in [`Store::grant_health_rows`] and
    /// [`Store::reconsent_candidates`] (the checked macros take one literal each): the
    /// three must say the same, which `states_from_scope_use_and_status` checks.
    pub async fn grant_state_counts(
        &self,
        q: &HealthQuery,
    ) -> Result<Vec<(GrantState, i64)>, sqlx::Error> {
        let lacking = self.lacking_scopes(&q.required).await?;
        let rows = sqlx::query!(
            r#"SELECT state AS "state!: String", COUNT(*) AS "count!: i64" FROM (
                 SELECT CASE
                   WHEN t.status = 'revoked' THEN 'revoked'
                   WHEN t.expires_at <= ?2 THEN 'expired'
                   WHEN t.scope IN (SELECT value FROM json_each(?1)) THEN 'missing_scope'
                   WHEN h.last_success_at IS NULL THEN 'never_used'
                   ELSE 'active' END AS state
                 FROM orcid_tokens t LEFT JOIN grant_health h ON h.orcid = t.orcid
                 WHERE (?3 IS NULL OR t.created_at >= ?3) AND (?4 IS NULL OR t.created_at < ?4)
               ) GROUP BY state"#,
            lacking,
            q.at,
            q.connected_after,
            q.connected_before,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| GrantState::from_slug(&r.state).map(|s| (s, r.count)))
            .collect())
    }

    /// Up to `limit` grants matching the query, newest connection first (ties by iD,
    /// descending, so the index is walked one way): skipping
    /// `offset` (a page) or starting after `after` (the next batch of an export).
    pub async fn grant_health_rows(
        &self,
        q: &HealthQuery,
        after: Option<HealthCursor>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<GrantHealthRow>, sqlx::Error> {
        let lacking = self.lacking_scopes(&q.required).await?;
        let state = q.state.map(GrantState::slug);
        let (after_at, after_id) = (after.map(|c| c.connected_at), after.map(|c| c.orcid));
        let rows = sqlx::query!(
            r#"SELECT orcid AS "orcid!: OrcidId", name AS "name!: String", state AS "state!: String",
                      created_at AS "created_at!: i64", last_success_at, last_checked_at FROM (
                 SELECT t.orcid, r.name, t.created_at, h.last_success_at, h.last_checked_at,
                   CASE
                   WHEN t.status = 'revoked' THEN 'revoked'
                   WHEN t.expires_at <= ?2 THEN 'expired'
                   WHEN t.scope IN (SELECT value FROM json_each(?1)) THEN 'missing_scope'
                   WHEN h.last_success_at IS NULL THEN 'never_used'
                   ELSE 'active' END AS state
                 FROM orcid_tokens t
                 JOIN researchers r ON r.orcid = t.orcid
                 LEFT JOIN grant_health h ON h.orcid = t.orcid
                 WHERE (?3 IS NULL OR t.created_at >= ?3) AND (?4 IS NULL OR t.created_at < ?4)
                   AND (?6 IS NULL OR t.created_at < ?6 OR (t.created_at = ?6 AND t.orcid < ?7))
               )
               WHERE (?5 IS NULL OR state = ?5)
               ORDER BY created_at DESC, orcid DESC
               LIMIT ?8 OFFSET ?9"#,
            lacking,
            q.at,
            q.connected_after,
            q.connected_before,
            state,
            after_at,
            after_id,
            limit,
            offset,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(GrantHealthRow {
                    state: GrantState::from_slug(&r.state)?,
                    orcid: r.orcid,
                    name: r.name,
                    connected_at: r.created_at,
                    last_success_at: r.last_success_at,
                    last_checked_at: r.last_checked_at,
                })
            })
            .collect())
    }

    /// The stored scope strings that lack one of `required`, as a JSON array for the
    /// queries above. Grants share few distinct scope strings (read off an index), so
    /// the page compares those once instead of every grant's.
    pub(super) async fn lacking_scopes(&self, required: &[String]) -> Result<String, sqlx::Error> {
        let stored = sqlx::query_scalar!("SELECT DISTINCT scope FROM orcid_tokens")
            .fetch_all(&self.pool)
            .await?;
        let lacking: Vec<String> = stored
            .into_iter()
            .filter(|scope| {
                let granted: Vec<&str> = scope.split_whitespace().collect();
                required.iter().any(|r| !granted.contains(&r.as_str()))
            })
            .collect();
        Ok(serde_json::to_string(&lacking).unwrap_or_else(|_| "[]".into()))
    }

    /// First connections per week since `since`: (week number counted from `since`, count).
    pub async fn connections_per_week(&self, since: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT (first_connected_at - ?1) / 604800 AS "week!: i64", COUNT(*) AS "count!: i64"
               FROM researchers WHERE first_connected_at >= ?1
               GROUP BY 1 ORDER BY 1"#,
            since,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.week, r.count)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_researcher, test_store};

    fn query(required: &[&str]) -> HealthQuery {
        HealthQuery {
            required: required.iter().map(|s| s.to_string()).collect(),
            at: now(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn states_from_scope_use_and_status() {
        let (_dir, store) = test_store().await;
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &id).await;
        // The state's CASE is written out in three queries: each step checks they agree.
        let state = |q: HealthQuery| {
            let store = store.clone();
            async move {
                let state = store.grant_health_rows(&q, None, 0, 10).await.unwrap()[0].state;
                let counts = store.grant_state_counts(&q).await.unwrap();
                assert_eq!(counts, [(state, 1)], "the page's counts");
                let candidates = store
                    .reconsent_candidates(&q.required, q.at, q.at)
                    .await
                    .unwrap();
                let asked = matches!(
                    state,
                    GrantState::Revoked | GrantState::Expired | GrantState::MissingScope
                );
                assert_eq!(
                    candidates.iter().map(|c| c.state).collect::<Vec<_>>(),
                    if asked { vec![state] } else { vec![] },
                    "re-consent's candidates"
                );
                state
            }
        };
        assert_eq!(
            state(query(&["/activities/update"])).await,
            GrantState::NeverUsed
        );
        assert_eq!(
            state(query(&["/read-limited", "/activities/update"])).await,
            GrantState::MissingScope,
            "a scope the grant lacks"
        );
        assert_eq!(
            state(query(&["/activities"])).await,
            GrantState::MissingScope,
            "a prefix of a granted scope is not that scope"
        );
        store
            .note_grant_success(&id, now(), now() + 60)
            .await
            .unwrap();
        assert_eq!(
            state(query(&["/activities/update"])).await,
            GrantState::Active
        );
        let later = HealthQuery {
            at: now() + 7200,
            ..query(&[])
        };
        assert_eq!(state(later).await, GrantState::Expired);
        store.mark_tokens_revoked(&id).await.unwrap();
        assert_eq!(state(query(&[])).await, GrantState::Revoked);
        let counts = store.grant_state_counts(&query(&[])).await.unwrap();
        assert_eq!(counts, [(GrantState::Revoked, 1)]);
    }

    #[tokio::test]
    async fn checks_are_scheduled_once_and_a_new_grant_starts_afresh() {
        let (_dir, store) = test_store().await;
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &id).await;
        let t = now();
        assert_eq!(store.schedule_grant_checks(t, 3600).await.unwrap(), 1);
        assert_eq!(store.schedule_grant_checks(t, 3600).await.unwrap(), 0);
        let due = store.next_grant_check_at().await.unwrap().unwrap();
        assert!((t..t + 3600).contains(&due), "{due} within the period");
        assert_eq!(store.due_grant_checks(due, 10).await.unwrap(), [id]);
        assert!(store
            .due_grant_checks(due - 1, 10)
            .await
            .unwrap()
            .is_empty());
        store.note_grant_checked(&id, t, t + 100).await.unwrap();
        store.note_grant_success(&id, t, t + 100).await.unwrap();
        // Connecting again replaces the grant: its record of use goes with the old one.
        test_researcher(&store, &id).await;
        let rows = store
            .grant_health_rows(&query(&[]), None, 0, 10)
            .await
            .unwrap();
        assert_eq!(rows[0].last_success_at, None);
        assert_eq!(rows[0].last_checked_at, None);
    }
}
