//! The details of the dashboard's lines, for a bounded set of iDs (a page, or a chunk of
//! an export): status, scopes, works added and the last ORCID call, in one query.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite};

use super::{orcid_call_condition, ConnectionStatus};
use crate::store::{now, Store};
use orcid::OrcidId;

/// iDs per details query (SQLite allows 32,766 bound values; stay far below).
const DETAILS_CHUNK: usize = 500;

/// The most recent ORCID call made for a researcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastCall {
    /// A works refresh (`works_sync`); `error` is why it failed, if it did.
    WorksRefresh { at: i64, error: Option<String> },
    /// An entry of the audit log (a write to ORCID).
    Audit {
        at: i64,
        action: String,
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
    orcid: String,
    name: String,
    is_staff: i64,
    first_connected_at: i64,
    last_signed_in_at: i64,
    disconnected_at: Option<i64>,
    scope: Option<String>,
    token_status: Option<String>,
    expires_at: Option<i64>,
    works_added: i64,
    sync_at: Option<i64>,
    sync_error: Option<String>,
    audit_at: Option<i64>,
    audit_action: Option<String>,
    audit_outcome: Option<String>,
}

impl DetailsRow {
    fn into_row(self, at: i64) -> Result<DashboardRow, sqlx::Error> {
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
        Ok(DashboardRow {
            orcid: OrcidId::parse(&self.orcid).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            name: self.name,
            is_staff: self.is_staff != 0,
            status: ConnectionStatus::of(self.token_status.as_deref(), self.expires_at, at),
            scope: self.scope.unwrap_or_default(),
            first_connected_at: self.first_connected_at,
            last_signed_in_at: self.last_signed_in_at,
            disconnected_at: self.disconnected_at,
            works_added: self.works_added,
            last_call,
        })
    }
}

impl Store {
    /// The dashboard lines of these iDs, in the order given (unknown iDs are left out).
    pub async fn dashboard_rows(&self, ids: &[String]) -> Result<Vec<DashboardRow>, sqlx::Error> {
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
                list.push_bind(id.as_str());
            }
            q.push(")");
            let rows: Vec<DetailsRow> = q.build_query_as().fetch_all(&self.pool).await?;
            let mut rows: Vec<DashboardRow> = rows
                .into_iter()
                .map(|r| r.into_row(at))
                .collect::<Result<_, _>>()?;
            // Put the rows back in the page's order.
            let order: HashMap<&str, usize> = chunk
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            rows.sort_by_key(|r| order.get(r.orcid.as_str()).copied());
            out.extend(rows);
        }
        Ok(out)
    }
}
