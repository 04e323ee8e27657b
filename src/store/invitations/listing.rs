//! Sent invitations as staff list, filter and export them, each with its status worked
//! out in SQL from the invitation, its latest email in the outbox and the stop list, so
//! filtering and paging happen in the database.

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::super::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum InvitationStatus {
    Queued,
    Sent,
    Failed,
    Opened,
    Connected,
    Expired,
    Stopped,
}

impl InvitationStatus {
    pub const ALL: [Self; 7] = [
        Self::Queued,
        Self::Sent,
        Self::Failed,
        Self::Opened,
        Self::Connected,
        Self::Expired,
        Self::Stopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Opened => "opened",
            Self::Connected => "connected",
            Self::Expired => "expired",
            Self::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Waiting to be sent",
            Self::Sent => "Sent",
            Self::Failed => "Not delivered",
            Self::Opened => "Link opened",
            Self::Connected => "Connected",
            Self::Expired => "Expired",
            Self::Stopped => "Asked for no more emails",
        }
    }
}

/// What staff narrowed the list to.
#[derive(Debug, Clone, Default)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
    /// Part of the email, a name or the department.
    pub search: Option<String>,
    pub batch: Option<i64>,
    /// Only those whose connecting iD differs from the one staff named.
    pub mismatch_only: bool,
}

/// One invitation as the list and the export show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub batch_id: i64,
    pub email: String,
    pub given_names: String,
    pub family_names: String,
    pub department: String,
    pub named_orcid: Option<OrcidId>,
    pub public_name: Option<String>,
    pub connected_orcid: Option<OrcidId>,
    pub invited_at: i64,
    pub expires_at: i64,
    pub opened_at: Option<i64>,
    pub connected_at: Option<i64>,
    pub reminders_sent: i64,
    pub status: InvitationStatus,
    /// Why the latest email was not delivered, in words staff can act on.
    pub mail_error: Option<String>,
}

impl InvitationRow {
    pub fn mismatch(&self) -> bool {
        matches!((&self.named_orcid, &self.connected_orcid), (Some(a), Some(b)) if a != b)
    }
}

/// The status, from the strongest fact down: a connection stands whatever else happened.
const STATUS_SQL: &str = "CASE
    WHEN i.connected_at IS NOT NULL THEN 'connected'
    WHEN EXISTS (SELECT 1 FROM mail_stopped s WHERE s.address = i.email) OR m.status = 'stopped'
        THEN 'stopped'
    WHEN i.expires_at <= ?now THEN 'expired'
    WHEN i.opened_at IS NOT NULL THEN 'opened'
    WHEN m.status = 'sent' THEN 'sent'
    WHEN m.status IN ('failed', 'unknown') THEN 'failed'
    ELSE 'queued' END";

impl Store {
    /// One page of the filtered list, newest first, and the number of matches.
    pub async fn invitations_page(
        &self,
        filter: &InvitationFilter,
        at: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<InvitationRow>, i64), sqlx::Error> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (");
        push_select(&mut count, filter, at, "i.id");
        count.push(")");
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM (");
        push_select(&mut q, filter, at, COLUMNS);
        q.push(") ORDER BY invited_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = q.build_query_as().fetch_all(&self.pool).await?;
        Ok((rows, total))
    }

    /// The filtered list in id order from `after` on, `limit` at a time (for the export).
    pub async fn invitations_after(
        &self,
        filter: &InvitationFilter,
        at: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<InvitationRow>, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM (");
        push_select(&mut q, filter, at, COLUMNS);
        q.push(") WHERE id > ")
            .push_bind(after)
            .push(" ORDER BY id LIMIT ")
            .push_bind(limit);
        q.build_query_as().fetch_all(&self.pool).await
    }

    /// How many invitations are in each status (for the dashboard and the filter).
    pub async fn invitation_counts(
        &self,
        at: i64,
    ) -> Result<Vec<(InvitationStatus, i64)>, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT status, COUNT(*) FROM (");
        push_select(&mut q, &InvitationFilter::default(), at, "i.id");
        q.push(") GROUP BY status");
        q.build_query_as().fetch_all(&self.pool).await
    }
}

const COLUMNS: &str = "i.id, i.batch_id, i.email, i.given_names, i.family_names, i.department,
    i.named_orcid, i.public_name, i.connected_orcid, i.invited_at, i.expires_at, i.opened_at,
    i.connected_at, i.reminders_sent, m.last_error AS mail_error";

/// `SELECT <columns>, <status> AS status FROM …` of sent invitations, filtered; the
/// status filter applies outside, so callers wrap it.
fn push_select(
    q: &mut QueryBuilder<'_, Sqlite>,
    filter: &InvitationFilter,
    at: i64,
    columns: &str,
) {
    q.push("SELECT * FROM (SELECT ").push(columns).push(", ");
    let mut parts = STATUS_SQL.split("?now");
    q.push(parts.next().unwrap_or_default());
    for part in parts {
        q.push_bind(at).push(part);
    }
    q.push(
        " AS status FROM invitations i
          LEFT JOIN mail_outbox m ON m.id =
              (SELECT MAX(o.id) FROM mail_outbox o WHERE o.invitation_id = i.id)
          WHERE i.invited_at IS NOT NULL",
    );
    if let Some(batch) = filter.batch {
        q.push(" AND i.batch_id = ").push_bind(batch);
    }
    if filter.mismatch_only {
        q.push(" AND i.connected_orcid IS NOT NULL AND i.named_orcid IS NOT NULL AND i.connected_orcid <> i.named_orcid");
    }
    if let Some(text) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let like = format!(
            "%{}%",
            text.trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (lower(i.email) LIKE ")
            .push_bind(like.clone())
            .push(" ESCAPE '\\' OR lower(i.given_names || ' ' || i.family_names) LIKE ")
            .push_bind(like.clone())
            .push(" ESCAPE '\\' OR lower(i.department) LIKE ")
            .push_bind(like)
            .push(" ESCAPE '\\')");
    }
    q.push(")");
    if let Some(status) = filter.status {
        q.push(" WHERE status = ").push_bind(status.as_str());
    }
}
