//! The revoker: a background task beside the bulk-push runner that works through the
//! queue of grants still to revoke at ORCID, waiting longer after each failure.

use std::time::Duration;

use super::Grants;
use crate::store::now;

/// Queued revocations tried in one pass.
const BATCH: i64 = 20;
/// How often the queue is looked at when nothing woke the revoker.
const POLL_SECS: i64 = 60;
/// The longest wait between two attempts at one revocation.
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// Seconds to wait before attempt `attempt + 1`: `retry`, doubled per failure, capped.
pub(super) fn backoff_secs(retry: Duration, attempt: i64) -> i64 {
    let base = i64::try_from(retry.as_secs()).unwrap_or(MAX_BACKOFF_SECS);
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF_SECS)
}

pub(super) async fn run(grants: Grants) {
    tracing::info!("revoker started");
    loop {
        grants.revoke_due().await;
        let wait = match grants.store.next_revocation_at().await {
            Ok(Some(at)) => (at - now()).clamp(1, POLL_SECS),
            Ok(None) => POLL_SECS,
            Err(e) => {
                tracing::error!(error = %e, "could not read the revocation queue");
                POLL_SECS
            }
        };
        let wait = Duration::from_secs(u64::try_from(wait).unwrap_or(1));
        tokio::select! {
            () = grants.queued.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

impl Grants {
    /// One pass over the revocations due now.
    pub(super) async fn revoke_due(&self) {
        let due = match self.store.due_revocations(BATCH).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "could not read the revocation queue");
                return;
            }
        };
        for r in due {
            let result = match self.orcid.revoke(&r.token).await {
                Ok(()) => {
                    tracing::info!(orcid = %r.orcid, reason = ?r.reason, attempts = r.attempts + 1, "revoked a queued grant at ORCID");
                    self.store.revocation_done(r.id).await
                }
                Err(e) => {
                    let next = now().saturating_add(backoff_secs(self.retry, r.attempts + 1));
                    tracing::warn!(orcid = %r.orcid, error = %e, attempts = r.attempts + 1, "revoking a queued grant failed again");
                    self.store
                        .revocation_failed(r.id, &e.to_string(), next)
                        .await
                }
            };
            if let Err(e) = result {
                tracing::error!(error = %e, "could not update the revocation queue");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_and_is_capped() {
        let one_minute = Duration::from_secs(60);
        assert_eq!(backoff_secs(one_minute, 1), 60);
        assert_eq!(backoff_secs(one_minute, 2), 120);
        assert_eq!(backoff_secs(one_minute, 4), 480);
        assert_eq!(backoff_secs(one_minute, 50), MAX_BACKOFF_SECS);
    }
}
