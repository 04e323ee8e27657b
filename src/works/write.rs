//! Adding, editing and deleting works at ORCID, each outcome in plain words, each write
//! in the audit log.

use crate::state::AppState;
use crate::store::{AuditEntry, IdlinkWorkStatus};
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
    if let WriteOutcome::Added { put_code }
    | WriteOutcome::AlreadyOnRecord {
        put_code: Some(put_code),
    } = outcome
    {
        // A 9021 names a work from idlink's own client: it is idlink's too.
        log_db(
            state
                .store
                .record_idlink_work(who.orcid, put_code, title, identity)
                .await,
        );
    }
    finish(
        state,
        who,
        "add_work",
        put_code_of(&outcome),
        &outcome,
        Some(title),
    )
    .await;
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
    match outcome {
        WriteOutcome::Updated { .. } => {
            log_db(
                state
                    .store
                    .record_idlink_work(
                        who.orcid,
                        put_code,
                        work.title_text().unwrap_or_default(),
                        identity,
                    )
                    .await,
            );
        }
        WriteOutcome::Gone => {
            log_db(
                state
                    .store
                    .set_idlink_work_status(
                        who.orcid,
                        put_code,
                        IdlinkWorkStatus::DeletedByResearcher,
                    )
                    .await,
            );
        }
        _ => {}
    }
    finish(
        state,
        who,
        "update_work",
        Some(put_code),
        &outcome,
        work.title_text(),
    )
    .await;
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
    match outcome {
        WriteOutcome::Deleted => {
            log_db(
                state
                    .store
                    .set_idlink_work_status(who.orcid, put_code, IdlinkWorkStatus::Deleted)
                    .await,
            );
            log_db(state.store.forget_cached_work(who.orcid, put_code).await);
        }
        WriteOutcome::Gone => {
            log_db(
                state
                    .store
                    .set_idlink_work_status(
                        who.orcid,
                        put_code,
                        IdlinkWorkStatus::DeletedByResearcher,
                    )
                    .await,
            );
        }
        _ => {}
    }
    finish(state, who, "delete_work", Some(put_code), &outcome, None).await;
    outcome
}

fn put_code_of(o: &WriteOutcome) -> Option<i64> {
    match o {
        WriteOutcome::Added { put_code } | WriteOutcome::Updated { put_code } => Some(*put_code),
        WriteOutcome::AlreadyOnRecord { put_code } => *put_code,
        _ => None,
    }
}

/// Audit, then bring the cache in step so /me shows ORCID's view of the change.
async fn finish(
    state: &AppState,
    who: Actor<'_>,
    action: &str,
    put_code: Option<i64>,
    outcome: &WriteOutcome,
    detail: Option<&str>,
) {
    let detail = match outcome {
        WriteOutcome::Invalid(m) => Some(m.as_str()),
        _ => detail,
    };
    log_db(
        state
            .store
            .audit(&AuditEntry {
                actor: who.actor,
                orcid: who.orcid,
                action,
                put_code,
                outcome: outcome.label(),
                detail,
            })
            .await,
    );
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
