//! The details of the dashboard's lines, for a bounded set of iDs (a page, or a chunk of
//! an export): status, scopes, works added and the last ORCID call, in one query.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite};

use super::ConnectionStatus;
use crate::store::audit::orcid_call_condition;
use crate::store::{now, AuditAction, Store, TokenStatus};
use orcid::OrcidId;

/// iDs per details query (SQLite allows 32,766 bound values; stay far below).
const DETAILS_CHUNK: usize = 500;

/// The most recent ORCID call made for a researcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastCall {
    /// A works refresh (`works_sync`); `error` is why it failed, if it did.
    WorksRefresh { at: i64, error: Option<String> },
    /// An entry of the audit log that called ORCID (a write).
    Audit {
        at: i64,
        action: AuditAction,
        outcome: String,
    },
}

impl LastCall {
    pub fn at(&self) -> i64 {
        match self {
            Self::WorksRefresh { at, .. } | Self::Audit { at, .. } => *at,
        }
    }
}

/// One line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardRow {
    pub orcid: OrcidId,
    pub name: String,
    pub is_staff: bool,
    pub status: ConnectionStatus,
    /// The granted scopes, space-separated; empty when disconnected.
    pub scope: String,
    pub first_connected_at: i64,
    pub last_signed_in_at: i64,
    pub disconnected_at: Option<i64>,
    /// Works idlink put on the record that are still there (`idlink_works` active).
    pub works_added: i64,
    pub last_call: Option<LastCall>,
}

#[derive(sqlx::FromRow)]
struct DetailsRow {
    orcid: OrcidId,
    name: String,
    is_staff: bool,
    first_connected_at: i64,
    last_signed_in_at: i64,
    disconnected_at: Option<i64>,
    scope: Option<String>,
    token_status: Option<TokenStatus>,
    expires_at: Option<i64>,
    works_added: i64,
    sync_at: Option<i64>,
    sync_error: Option<String>,
    audit_at: Option<i64>,
    audit_action: Option<AuditAction>,
    audit_outcome: Option<String>,
}

impl DetailsRow {
    fn into_row(self, at: i64) -> DashboardRow {
        let audit = match (self.audit_at, self.audit_action, self.audit_outcome) {
            (Some(at), Some(action), Some(outcome)) => Some(LastCall::Audit {
                at,
                action,
                outcome,
            }),
            _ => None,
        };
        let sync = self.sync_at.map(|at| LastCall::WorksRefresh {
            at,
            error: self.sync_error,
        });
        // On a tie the audit entry wins: a write is followed at once by a refresh.
        let last_call = match (audit, sync) {
            (Some(a), Some(s)) if s.at() > a.at() => Some(s),
            (Some(a), _) => Some(a),
            (None, s) => s,
        };
        DashboardRow {
            orcid: self.orcid,
            name: self.name,
            is_staff: self.is_staff,
            status: ConnectionStatus::of(self.token_status, self.expires_at, at),
            scope: self.scope.unwrap_or_default(),
            first_connected_at: self.first_connected_at,
            last_signed_in_at: self.last_signed_in_at,
            disconnected_at: self.disconnected_at,
            works_added: self.works_added,
            last_call,
        }
    }
}

impl Store {
    /// The dashboard lines of these iDs, in the order given (unknown iDs are left out).
    pub async fn dashboard_rows(&self, ids: &[OrcidId]) -> Result<Vec<DashboardRow>, sqlx::Error> {
        let at = now();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(DETAILS_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT r.orcid, r.name, r.is_staff, r.first_connected_at, r.last_signed_in_at,
                    r.disconnected_at, t.scope, t.status AS token_status, t.expires_at,
                    (SELECT COUNT(*) FROM idlink_works w WHERE w.orcid = r.orcid AND w.status = 'active')
                        AS works_added,
                    s.attempted_at AS sync_at, s.last_error AS sync_error,
                    la.at AS audit_at, la.action AS audit_action, la.outcome AS audit_outcome
                 FROM researchers r
                 LEFT JOIN orcid_tokens t ON t.orcid = r.orcid
                 LEFT JOIN works_sync s ON s.orcid = r.orcid
                 LEFT JOIN audit_log la ON la.id = (SELECT a.id FROM audit_log a
                    WHERE a.orcid = r.orcid AND {} ORDER BY a.at DESC, a.id DESC LIMIT 1)
                 WHERE r.orcid IN (",
                orcid_call_condition()
            ));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            q.push(")");
            let rows: Vec<DetailsRow> = q.build_query_as().fetch_all(&self.pool).await?;
            let mut rows: Vec<DashboardRow> = rows.into_iter().map(|r| r.into_row(at)).collect();
            // Put the rows back in the page's order.
            let order: HashMap<&OrcidId, usize> =
                chunk.iter().enumerate().map(|(i, id)| (id, i)).collect();
            rows.sort_by_key(|r| order.get(&r.orcid).copied());
            out.extend(rows);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{test_researcher, test_store, AuditAction, AuditEntry, LastCall};
    use orcid::OrcidId;

    #[tokio::test]
    async fn the_last_orcid_call_skips_staff_actions_inside_idlink() {
        let (_dir, store) = test_store().await;
        let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &staff).await;
        let line = |action| AuditEntry {
            actor: &staff,
            orcid: &staff,
            action,
            put_code: Some(7),
            outcome: "ok",
            detail: None,
        };
        // A write to the staff member's own record, then staff actions about jobs, logged
        // under their own iD: those never reached ORCID.
        store.audit(&line(AuditAction::AddWork)).await.unwrap();
        for action in AuditAction::ALL.into_iter().filter(|a| !a.is_orcid_call()) {
            store.audit(&line(action)).await.unwrap();
        }

        let rows = store.dashboard_rows(&[staff]).await.unwrap();

        match &rows[0].last_call {
            Some(LastCall::Audit { action, .. }) => assert_eq!(*action, AuditAction::AddWork),
            other => panic!("last ORCID call: {other:?}"),
        }
    }
}
