//! The audit log for staff: filtered, counted, paged newest first, and read in batches
//! for CSV export. Every filter has an index (migration 0004).

use sqlx::{QueryBuilder, Sqlite};

use crate::store::{AuditRecord, Store};
use orcid::OrcidId;

/// Which audit entries to show. Every field narrows the set; `Default` is everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The record acted on.
    pub orcid: Option<OrcidId>,
    /// Who acted (a researcher on their own record, or a staff member).
    pub actor: Option<OrcidId>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

/// The actions and outcomes that occur in the log, for the filter's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditVocabulary {
    pub actions: Vec<String>,
    pub outcomes: Vec<String>,
}

const COLUMNS: &str = "id, at, actor, orcid, action, put_code, outcome, detail";

fn push_where(q: &mut QueryBuilder<'_, Sqlite>, f: &AuditFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(o) = &f.orcid {
        q.push(" AND orcid = ").push_bind(*o);
    }
    if let Some(a) = &f.actor {
        q.push(" AND actor = ").push_bind(*a);
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").push_bind(a.clone());
    }
    if let Some(o) = &f.outcome {
        q.push(" AND outcome = ").push_bind(o.clone());
    }
    if let Some(t) = f.from {
        q.push(" AND at >= ").push_bind(t);
    }
    if let Some(t) = f.until {
        q.push(" AND at < ").push_bind(t);
    }
}

impl Store {
    pub async fn audit_count(&self, f: &AuditFilter) -> Result<i64, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log");
        push_where(&mut q, f);
        q.build_query_scalar().fetch_one(&self.pool).await
    }

    /// One page of matching entries, newest first.
    pub async fn audit_page(
        &self,
        f: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM audit_log"));
        push_where(&mut q, f);
        q.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset.max(0));
        q.build_query_as().fetch_all(&self.pool).await
    }

    /// Up to `limit` matching entries older than `after` (the `(at, id)` of the last entry
    /// of the previous batch), newest first: exports walk the whole log this way without
    /// the growing cost of OFFSET.
    pub async fn audit_batch(
        &self,
        f: &AuditFilter,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM audit_log"));
        push_where(&mut q, f);
        if let Some((at, id)) = after {
            q.push(" AND (at < ")
                .push_bind(at)
                .push(" OR (at = ")
                .push_bind(at)
                .push(" AND id < ")
                .push_bind(id)
                .push("))");
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit);
        q.build_query_as().fetch_all(&self.pool).await
    }

    /// The distinct values of the two indexed columns, one index seek per value (a "skip
    /// scan"), so a log of millions of rows with a dozen actions costs a dozen seeks.
    pub async fn audit_vocabulary(&self) -> Result<AuditVocabulary, sqlx::Error> {
        let actions = sqlx::query_scalar!(
            r#"WITH RECURSIVE v(x) AS (SELECT (SELECT MIN(action) FROM audit_log)
                 UNION ALL SELECT (SELECT MIN(action) FROM audit_log WHERE action > v.x) FROM v
                 WHERE v.x IS NOT NULL)
               SELECT x AS "x!: String" FROM v WHERE x IS NOT NULL"#
        )
        .fetch_all(&self.pool)
        .await?;
        let outcomes = sqlx::query_scalar!(
            r#"WITH RECURSIVE v(x) AS (SELECT (SELECT MIN(outcome) FROM audit_log)
                 UNION ALL SELECT (SELECT MIN(outcome) FROM audit_log WHERE outcome > v.x) FROM v
                 WHERE v.x IS NOT NULL)
               SELECT x AS "x!: String" FROM v WHERE x IS NOT NULL"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(AuditVocabulary { actions, outcomes })
    }
}
