//! Revoking a grant idlink gives up: at ORCID now, or queued for the revoker when ORCID
//! cannot be reached (either token of a pair revokes the pair).

use secrecy::SecretString;

use super::{revoker, Grants};
use crate::store::{now, RevokeReason};
use orcid::OrcidId;

/// What a disconnect achieved at ORCID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disconnected {
    /// ORCID confirmed: idlink holds no live grant for the researcher.
    Revoked,
    /// ORCID could not be reached; the revoker keeps trying.
    Queued,
}

impl Grants {
    /// Revokes `token` at ORCID; when that fails it is queued and retried in the
    /// background. Returns whether ORCID confirmed it now.
    pub(super) async fn revoke_or_queue(
        &self,
        orcid: &OrcidId,
        token: &SecretString,
        reason: RevokeReason,
    ) -> Result<bool, sqlx::Error> {
        match self.orcid.revoke(token).await {
            Ok(()) => {
                tracing::info!(orcid = %orcid, ?reason, "revoked a grant at ORCID");
                Ok(true)
            }
            Err(e) => {
                tracing::warn!(orcid = %orcid, ?reason, error = %e, "revoking at ORCID failed; queued to try again");
                let next = now().saturating_add(revoker::backoff_secs(self.retry, 1));
                self.store
                    .queue_revocation(orcid, token, reason, &e.to_string(), next)
                    .await?;
                self.queued.notify_one();
                Ok(false)
            }
        }
    }

    /// Forgets the researcher's tokens and revokes the grant at ORCID, along with any
    /// grant of theirs still waiting in the queue.
    pub async fn disconnect(&self, orcid: &OrcidId) -> Result<Disconnected, sqlx::Error> {
        let lock = self.locks.lock(orcid).await;
        // A pair the key cannot open cannot be revoked either; it is forgotten all the same,
        // and the page must not claim ORCID confirmed anything. Any other error stops here,
        // before the tokens are deleted.
        let mut confirmed = true;
        let stored = match self.store.tokens(orcid).await {
            Ok(stored) => stored,
            Err(sqlx::Error::Decode(_)) => {
                confirmed = false;
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(t) = &stored {
            confirmed = self
                .revoke_or_queue(orcid, &t.access_token, RevokeReason::Disconnected)
                .await?;
        }
        self.store.disconnect(orcid).await?;
        drop(lock);
        if self.store.hurry_revocations(orcid).await? > 0 {
            self.revoke_due().await;
            confirmed &= self.store.revocations_pending_for(orcid).await? == 0;
        }
        Ok(if confirmed {
            Disconnected::Revoked
        } else {
            Disconnected::Queued
        })
    }
}
