//! Works on a researcher's ORCID record: the cache, the form, and the writes. Handlers in
//! `web::works` call these; these call the ORCID client and the store.

pub mod access;
pub mod form;
pub mod sync;
pub mod write;

use std::collections::HashSet;
use std::sync::Mutex;

use orcid::OrcidId;

/// Records whose works are being refreshed right now, so a burst of page views starts
/// one refresh, not many.
#[derive(Default)]
pub struct RefreshSet(Mutex<HashSet<OrcidId>>);

impl RefreshSet {
    /// Claims the record; false if a refresh is already running.
    pub fn start(&self, id: OrcidId) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(id)
    }

    pub fn finish(&self, id: &OrcidId) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}
