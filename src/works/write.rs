//! Adding, editing and deleting works at ORCID, each outcome in plain words, each write
//! in the audit log.

use crate::state::AppState;
use crate::store::{AuditAction, AuditEntry, WorkChange};
use orcid::model::Work;
use orcid::{ApiError, OrcidId};

use super::access::{access, note_api_error, AccessError};
use super::sync::refresh_works;

/// What happened to a write, as the person is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Added {
        put_code: i64,
    },
    Updated {
        put_code: i64,
    },
    Deleted,
    /// 409 / 9021: idlink had already added a work with this identifier.
    AlreadyOnRecord {
        put_code: Option<i64>,
    },
    /// 401: the researcher revoked idlink's access at ORCID.
    Revoked,
    /// 403 / 9038: the grant does not allow adding works.
    MissingScope,
    /// 403 / 9010: another source's work.
    NotSource,
    /// 404: the work is no longer on the record.
    Gone,
    /// 400: ORCID's own `user-message`.
    Invalid(String),
    /// 503 after every retry.
    Busy,
    NotConnected,
    Unavailable,
}

impl WriteOutcome {
    /// A short label for the audit log and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Added { .. } | Self::Updated { .. } | Self::Deleted => "ok",
            Self::AlreadyOnRecord { .. } => "duplicate",
            Self::Revoked => "revoked",
            Self::MissingScope => "missing_scope",
            Self::NotSource => "not_source",
            Self::Gone => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Busy => "busy",
            Self::NotConnected => "not_connected",
            Self::Unavailable => "unavailable",
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Self::Added { .. } | Self::Updated { .. } | Self::Deleted
        )
    }

    fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::InvalidToken | ApiError::WrongRecord => Self::Revoked,
            ApiError::MissingScope => Self::MissingScope,
            ApiError::NotSource => Self::NotSource,
            ApiError::NotFound => Self::Gone,
            ApiError::Duplicate { existing } => Self::AlreadyOnRecord {
                put_code: *existing,
            },
            ApiError::Invalid {
                user_message,
                developer_message,
                ..
            } => Self::Invalid(if user_message.is_empty() {
                developer_message.clone()
            } else {
                user_message.clone()
            }),
            ApiError::Busy => Self::Busy,
            ApiError::Other { .. } | ApiError::Transport(_) => Self::Unavailable,
        }
    }

    fn from_access(e: &AccessError) -> Self {
        match e {
            AccessError::NotConnected => Self::NotConnected,
            AccessError::Revoked => Self::Revoked,
            AccessError::Refresh(_) | AccessError::Db(_) => Self::Unavailable,
        }
    }
}

/// Who acts on which record.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub actor: &'a OrcidId,
    pub orcid: &'a OrcidId,
}

pub async fn add_work(
    state: &AppState,
    who: Actor<'_>,
    work: &Work,
    identity: &[(String, String)],
) -> WriteOutcome {
    let outcome = match access(state, who.orcid).await {
        Err(e) => WriteOutcome::from_access(&e),
        Ok(a) => match state.orcid.add_work(&a.token, who.orcid, work).await {
            Ok(put_code) => WriteOutcome::Added { put_code },
            Err(e) => {
                note_api_error(state, who.orcid, &e).await;
                WriteOutcome::from_api(&e)
            }
        },
    };
    let title = work.title_text().unwrap_or_default();
    let change = match outcome {
        // A 9021 names a work from idlink's own client: it is idlink's too.
        WriteOutcome::Added { put_code }
        | WriteOutcome::AlreadyOnRecord {
            put_code: Some(put_code),
        } => WorkChange::Recorded {
            put_code,
            title,
            identifiers: identity,
        },
        _ => WorkChange::Nothing,
    };
    let audit = (AuditAction::AddWork, put_code_of(&outcome), Some(title));
    finish(state, who, audit, &outcome, change).await;
    outcome
}

pub async fn update_work(
    state: &AppState,
    who: Actor<'_>,
    put_code: i64,
    work: &Work,
    identity: &[(String, String)],
) -> WriteOutcome {
    let outcome = match access(state, who.orcid).await {
        Err(e) => WriteOutcome::from_access(&e),
        Ok(a) => match state
            .orcid
            .update_work(&a.token, who.orcid, put_code, work)
            .await
        {
            Ok(_) => WriteOutcome::Updated { put_code },
            Err(e) => {
                note_api_error(state, who.orcid, &e).await;
                WriteOutcome::from_api(&e)
            }
        },
    };
    let change = match outcome {
        WriteOutcome::Updated { .. } => WorkChange::Recorded {
            put_code,
            title: work.title_text().unwrap_or_default(),
            identifiers: identity,
        },
        WriteOutcome::Gone => WorkChange::GoneAtOrcid { put_code },
        _ => WorkChange::Nothing,
    };
    let audit = (AuditAction::UpdateWork, Some(put_code), work.title_text());
    finish(state, who, audit, &outcome, change).await;
    outcome
}

pub async fn delete_work(state: &AppState, who: Actor<'_>, put_code: i64) -> WriteOutcome {
    let outcome = match access(state, who.orcid).await {
        Err(e) => WriteOutcome::from_access(&e),
        Ok(a) => match state.orcid.delete_work(&a.token, who.orcid, put_code).await {
            Ok(()) => WriteOutcome::Deleted,
            Err(e) => {
                note_api_error(state, who.orcid, &e).await;
                WriteOutcome::from_api(&e)
            }
        },
    };
    let change = match outcome {
        WriteOutcome::Deleted => WorkChange::Deleted { put_code },
        WriteOutcome::Gone => WorkChange::GoneAtOrcid { put_code },
        _ => WorkChange::Nothing,
    };
    let audit = (AuditAction::DeleteWork, Some(put_code), None);
    finish(state, who, audit, &outcome, change).await;
    outcome
}

fn put_code_of(o: &WriteOutcome) -> Option<i64> {
    match o {
        WriteOutcome::Added { put_code } | WriteOutcome::Updated { put_code } => Some(*put_code),
        WriteOutcome::AlreadyOnRecord { put_code } => *put_code,
        _ => None,
    }
}

/// Records idlink's side of the write with its audit line (one transaction), then brings
/// the cache in step so /me shows ORCID's view of the change. `audit` is the line's
/// action, put code and detail.
async fn finish(
    state: &AppState,
    who: Actor<'_>,
    audit: (AuditAction, Option<i64>, Option<&str>),
    outcome: &WriteOutcome,
    change: WorkChange<'_>,
) {
    let (action, put_code, detail) = audit;
    let detail = match outcome {
        WriteOutcome::Invalid(m) => Some(m.as_str()),
        _ => detail,
    };
    let entry = AuditEntry {
        actor: who.actor,
        orcid: who.orcid,
        action,
        put_code,
        outcome: outcome.label(),
        detail,
    };
    log_db(state.store.record_work_write(change, &entry).await);
    if outcome.is_success()
        || matches!(
            outcome,
            WriteOutcome::Gone | WriteOutcome::AlreadyOnRecord { .. }
        )
    {
        let _ = refresh_works(state, who.orcid).await;
    }
}

fn log_db(r: Result<(), sqlx::Error>) {
    if let Err(e) = r {
        tracing::error!(error = %e, "could not record a write to ORCID");
    }
}
