//! The staff dashboard's listing of researchers with their status: counted, filtered,
//! sorted and paged in SQL so a page costs the same with 50,000 researchers.
//!
//! A page is read in two steps: the iDs of the page (one indexed query over
//! `researchers`), then the details of just those iDs (`overview`, one query, bounded by
//! the page).

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::DashboardRow;
use crate::store::audit::orcid_call_condition;
use crate::store::{now, Store, TokenStatus};

/// Where a researcher's connection stands, as the dashboard shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Active,
    /// ORCID refused the token (401): the researcher revoked idlink's access there.
    Revoked,
    /// The access token's expiry has passed and it has not been refreshed yet.
    Expired,
    /// The researcher disconnected; idlink holds no token.
    Disconnected,
}

impl ConnectionStatus {
    pub const ALL: [Self; 4] = [
        Self::Active,
        Self::Revoked,
        Self::Expired,
        Self::Disconnected,
    ];

    /// The value used in URLs and CSV files.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Disconnected => "disconnected",
        }
    }

    /// The words shown to staff.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked by the researcher",
            Self::Expired => "expired",
            Self::Disconnected => "disconnected",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == s)
    }

    pub(super) fn of(token_status: Option<TokenStatus>, expires_at: Option<i64>, at: i64) -> Self {
        match (token_status, expires_at) {
            (None, _) => Self::Disconnected,
            (Some(TokenStatus::Revoked), _) => Self::Revoked,
            (Some(_), Some(e)) if e < at => Self::Expired,
            _ => Self::Active,
        }
    }
}

/// What the dashboard search box matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A complete, valid iD.
    Id(OrcidId),
    /// Part of an iD: digits (and X) with the hyphens taken out, e.g. `00090001`.
    IdFragment(String),
    /// Part of a name, matched without regard to (ASCII) case.
    Name(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DashboardSort {
    #[default]
    Name,
    Connected,
    LastCall,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardFilter {
    pub search: Option<Search>,
    pub status: Option<ConnectionStatus>,
    pub sort: DashboardSort,
    pub descending: bool,
}

/// `%text%` for LIKE with `\` as the escape character.
fn like_contains(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn push_where(q: &mut QueryBuilder<'_, Sqlite>, f: &DashboardFilter, at: i64) {
    q.push(" WHERE 1 = 1");
    match &f.search {
        Some(Search::Id(id)) => {
            q.push(" AND r.orcid = ").push_bind(*id);
        }
        Some(Search::IdFragment(frag)) => {
            q.push(" AND replace(r.orcid, '-', '') LIKE ")
                .push_bind(like_contains(frag))
                .push(" ESCAPE '\\'");
        }
        Some(Search::Name(name)) => {
            q.push(" AND r.name LIKE ")
                .push_bind(like_contains(name))
                .push(" ESCAPE '\\'");
        }
        None => {}
    }
    // The status conditions follow [`ConnectionStatus::of`], on `t` (the joined tokens).
    // Most researchers are active: `+` keeps SQLite from reading them all through the
    // status index and sorting them, so a page walks the sort's index and stops at 50.
    // The rarer statuses are found faster through the status index.
    match f.status {
        Some(ConnectionStatus::Active) => {
            q.push(" AND +t.status = 'active' AND +t.expires_at >= ")
                .push_bind(at);
        }
        Some(ConnectionStatus::Expired) => {
            q.push(" AND t.status = 'active' AND t.expires_at < ")
                .push_bind(at);
        }
        Some(ConnectionStatus::Revoked) => {
            q.push(" AND t.status = 'revoked'");
        }
        Some(ConnectionStatus::Disconnected) => {
            q.push(" AND t.orcid IS NULL");
        }
        None => {}
    }
}

fn push_order(q: &mut QueryBuilder<'_, Sqlite>, f: &DashboardFilter) {
    let dir = if f.descending { "DESC" } else { "ASC" };
    let key = match f.sort {
        DashboardSort::Name => "r.name COLLATE NOCASE".to_owned(),
        DashboardSort::Connected => "r.first_connected_at".to_owned(),
        DashboardSort::LastCall => format!(
            "max(coalesce((SELECT a.at FROM audit_log a WHERE a.orcid = r.orcid AND {} \
             ORDER BY a.at DESC LIMIT 1), 0), coalesce(s.attempted_at, 0))",
            orcid_call_condition()
        ),
    };
    q.push(format!(" ORDER BY {key} {dir}, r.orcid {dir}"));
}

impl Store {
    /// How many researchers match the filter (for "N researchers, page X of Y"). Without
    /// a search, each status is counted from an index alone.
    pub async fn dashboard_count(&self, f: &DashboardFilter) -> Result<i64, sqlx::Error> {
        if f.search.is_none() {
            let t = now();
            let pool = &self.pool;
            return match f.status {
                None => {
                    sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM researchers"#)
                        .fetch_one(pool)
                        .await
                }
                // Every token row belongs to a researcher (foreign key).
                Some(ConnectionStatus::Disconnected) => {
                    sqlx::query_scalar!(
                        r#"SELECT (SELECT COUNT(*) FROM researchers)
                                - (SELECT COUNT(*) FROM orcid_tokens) AS "n!: i64""#
                    )
                    .fetch_one(pool)
                    .await
                }
                Some(ConnectionStatus::Revoked) => {
                    sqlx::query_scalar!(
                        r#"SELECT COUNT(*) AS "n!: i64" FROM orcid_tokens WHERE status = 'revoked'"#
                    )
                    .fetch_one(pool)
                    .await
                }
                Some(ConnectionStatus::Active) => {
                    sqlx::query_scalar!(
                        r#"SELECT COUNT(*) AS "n!: i64" FROM orcid_tokens
                           WHERE status = 'active' AND expires_at >= ?1"#,
                        t
                    )
                    .fetch_one(pool)
                    .await
                }
                Some(ConnectionStatus::Expired) => {
                    sqlx::query_scalar!(
                        r#"SELECT COUNT(*) AS "n!: i64" FROM orcid_tokens
                           WHERE status = 'active' AND expires_at < ?1"#,
                        t
                    )
                    .fetch_one(pool)
                    .await
                }
            };
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) FROM researchers r LEFT JOIN orcid_tokens t ON t.orcid = r.orcid",
        );
        push_where(&mut q, f, now());
        q.build_query_scalar().fetch_one(&self.pool).await
    }

    /// The iDs of one page (`limit` from `offset`), or of every match with `limit` None.
    pub async fn dashboard_ids(
        &self,
        f: &DashboardFilter,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<OrcidId>, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT r.orcid FROM researchers r LEFT JOIN orcid_tokens t ON t.orcid = r.orcid",
        );
        if f.sort == DashboardSort::LastCall {
            q.push(" LEFT JOIN works_sync s ON s.orcid = r.orcid");
        }
        push_where(&mut q, f, now());
        push_order(&mut q, f);
        q.push(" LIMIT ")
            .push_bind(limit.unwrap_or(-1))
            .push(" OFFSET ")
            .push_bind(offset.max(0));
        q.build_query_scalar().fetch_all(&self.pool).await
    }

    /// One page of the dashboard, in the filter's order.
    pub async fn dashboard_page(
        &self,
        f: &DashboardFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DashboardRow>, sqlx::Error> {
        let ids = self.dashboard_ids(f, Some(limit), offset).await?;
        self.dashboard_rows(&ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("a_b%c\\"), "%a\\_b\\%c\\\\%");
        assert_eq!(like_contains("0009"), "%0009%");
    }

    #[test]
    fn status_from_columns() {
        use ConnectionStatus as C;
        assert_eq!(C::of(None, None, 10), C::Disconnected);
        assert_eq!(C::of(Some(TokenStatus::Revoked), Some(5), 10), C::Revoked);
        assert_eq!(C::of(Some(TokenStatus::Active), Some(5), 10), C::Expired);
        assert_eq!(C::of(Some(TokenStatus::Active), Some(10), 10), C::Active);
        for c in C::ALL {
            assert_eq!(C::from_slug(c.slug()), Some(c));
        }
    }
}
