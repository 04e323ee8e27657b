//! Noting that a grant works: the time of the last successful call with it, written at
//! most once a minute per grant (a bulk push makes many calls a minute with one grant).

use std::time::Duration;

use orcid::OrcidId;

use super::Grants;
use crate::store::now;

/// How long a noted success stands before the next one is written.
const NOTE_EVERY: Duration = Duration::from_secs(60);

/// Grants whose success was written within the last [`NOTE_EVERY`].
pub(super) struct RecentSuccesses(moka::sync::Cache<OrcidId, ()>);

impl Default for RecentSuccesses {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .time_to_live(NOTE_EVERY)
                .max_capacity(100_000)
                .build(),
        )
    }
}

impl Grants {
    /// A call with the researcher's grant succeeded: records it (unless it was recorded
    /// within the last minute), which also puts off the grant's next health check.
    pub(super) async fn note_success(&self, orcid: &OrcidId) {
        if self.recent.0.contains_key(orcid) {
            return;
        }
        self.recent.0.insert(*orcid, ());
        let t = now();
        let next = t.saturating_add(self.check_every_secs());
        if let Err(e) = self.store.note_grant_success(orcid, t, next).await {
            // Only bookkeeping: the call itself worked.
            self.recent.0.invalidate(orcid);
            tracing::warn!(orcid = %orcid, error = %e, "could not record a successful ORCID call");
        }
    }

    /// A new grant was stored: nothing is known of its use yet.
    pub(super) fn forget_success(&self, orcid: &OrcidId) {
        self.recent.0.invalidate(orcid);
    }
}
