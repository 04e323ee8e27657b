//! The background health check: every grant is confirmed once per check period with the
//! smallest Member API read idlink makes (the person section, which any grant may read),
//! on the limiter's idle priority, so it only takes ORCID capacity that people and bulk
//! jobs leave free. Due times live in the database (spread at random over the period when
//! a grant is first seen), so checks survive restarts and do not bunch up.

use std::time::Duration;

use orcid::{ApiError, OrcidId};

use super::{AccessError, CallError, Grants};
use crate::store::now;

/// Grants read per query of due checks.
const BATCH: i64 = 100;
/// The longest the checker sleeps before looking for due checks (and new grants) again.
const LOOK_EVERY: Duration = Duration::from_secs(60);
/// When a check reaches no verdict (ORCID busy or unreachable), it is tried again this
/// much later (or after a full period, if that is sooner).
const RETRY_AFTER_SECS: i64 = 3600;

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// ORCID accepted the grant.
    Confirmed,
    /// ORCID refused it and it could not be refreshed: marked revoked.
    Revoked,
    /// No verdict (ORCID busy or unreachable, or the grant vanished meanwhile).
    Undecided,
}

impl Grants {
    /// Starts the background health check. Call once per process, after the database is
    /// open.
    pub fn start_health_checks(&self) -> tokio::task::JoinHandle<()> {
        let grants = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = grants.check_due_grants(now()).await {
                    tracing::warn!(error = %e, "grant health check: database error");
                }
                let wait = match grants.store.next_grant_check_at().await {
                    Ok(Some(due)) => {
                        Duration::from_secs(due.saturating_sub(now()).max(1).unsigned_abs())
                    }
                    _ => LOOK_EVERY,
                };
                tokio::time::sleep(wait.min(LOOK_EVERY)).await;
            }
        })
    }

    /// Gives new grants a due time, then checks, one at a time, every grant due at `at`
    /// (each then falls due a period after `at`). Returns how many were checked.
    pub async fn check_due_grants(&self, at: i64) -> Result<usize, sqlx::Error> {
        let period = self.check_every_secs();
        let scheduled = self.store.schedule_grant_checks(now(), period).await?;
        if scheduled > 0 {
            tracing::info!(scheduled, "grant health checks scheduled over the period");
        }
        let mut checked = 0;
        loop {
            let due = self.store.due_grant_checks(at, BATCH).await?;
            if due.is_empty() {
                return Ok(checked);
            }
            for orcid in due {
                let outcome = self.check_grant(&orcid, at).await?;
                tracing::debug!(orcid = %orcid, ?outcome, "grant health check");
                checked += 1;
            }
        }
    }

    /// Confirms one grant with ORCID and records what was found as of `at` (now, but for
    /// tests that look ahead), which the next due time counts from.
    pub async fn check_grant(&self, orcid: &OrcidId, at: i64) -> Result<CheckOutcome, sqlx::Error> {
        let period = self.check_every_secs();
        let outcome = match self.confirm(orcid).await {
            Ok(()) => CheckOutcome::Confirmed,
            Err(CallError::Access(AccessError::Revoked))
            | Err(CallError::Api(ApiError::InvalidToken)) => {
                tracing::info!(orcid = %orcid, "health check: the researcher revoked the grant");
                CheckOutcome::Revoked
            }
            Err(CallError::Access(AccessError::Db(e))) => return Err(e),
            Err(e) => {
                tracing::info!(orcid = %orcid, error = %e, "health check reached no verdict");
                CheckOutcome::Undecided
            }
        };
        match outcome {
            CheckOutcome::Undecided => {
                let next = at.saturating_add(RETRY_AFTER_SECS.min(period));
                self.store.postpone_grant_check(orcid, next).await?;
            }
            _ => {
                let next = at.saturating_add(period);
                self.store.note_grant_checked(orcid, at, next).await?;
            }
        }
        Ok(outcome)
    }

    /// One read with the grant, refreshed once if ORCID refuses it; every call of it
    /// (the refresh too) on the idle priority.
    async fn confirm(&self, orcid: &OrcidId) -> Result<(), CallError> {
        let idle = Self {
            orcid: self.orcid.idle(),
            ..self.clone()
        };
        let mut token = idle.access(orcid).await.map_err(CallError::Access)?.token;
        let client = &idle.orcid;
        idle.call_unnoted(orcid, &mut token, |t| async move {
            client.person(&t, orcid).await.map(|_| ())
        })
        .await
    }
}
