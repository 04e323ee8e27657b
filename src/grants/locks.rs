//! One lock per researcher, so that two refreshes (or a refresh and a sign-in) of the
//! same grant never run at once: ORCID disables a token once it has been refreshed, so
//! the second refresh would fail and look like a revoked grant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use orcid::OrcidId;

/// Entries no task holds are dropped once the map grows past this.
const PRUNE_ABOVE: usize = 256;

#[derive(Default)]
pub(super) struct Locks(Mutex<HashMap<OrcidId, Arc<tokio::sync::Mutex<()>>>>);

impl Locks {
    /// Waits for the researcher's lock; it is held until the guard is dropped.
    pub(super) async fn lock(&self, orcid: &OrcidId) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > PRUNE_ABOVE {
                map.retain(|_, l| Arc::strong_count(l) > 1);
            }
            map.entry(*orcid).or_default().clone()
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_per_researcher_others_independent() {
        let locks = Locks::default();
        let a = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let b = OrcidId::parse("0000-0001-5109-3700").unwrap();
        let held = locks.lock(&a).await;
        let other = tokio::time::timeout(std::time::Duration::from_secs(1), locks.lock(&b)).await;
        assert!(other.is_ok(), "another researcher is not held up");
        let same = tokio::time::timeout(std::time::Duration::from_millis(50), locks.lock(&a)).await;
        assert!(same.is_err(), "the same researcher waits");
        drop(held);
        assert!(
            tokio::time::timeout(std::time::Duration::from_secs(1), locks.lock(&a))
                .await
                .is_ok()
        );
    }
}
