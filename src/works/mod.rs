//! Works on a researcher's ORCID record: the cache, the form, and the writes. Handlers in
//! `web::works` call the [`Works`] service; it calls the ORCID client and the store.

pub mod access;
pub mod form;
pub mod formula;
pub mod outcome;
pub mod sync;
pub mod write;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use orcid::{OrcidClient, OrcidId};

use crate::grants::Grants;
use crate::store::Store;

pub use outcome::{LinkTo, Message, Tone, WriteOutcome};

/// Reading and writing researchers' works: what it uses, and the refreshes under way.
/// Built once at start-up; cheap to clone (background refreshes take a clone).
#[derive(Clone)]
pub struct Works {
    store: Store,
    orcid: OrcidClient,
    grants: Grants,
    refreshing: Arc<RefreshSet>,
}

impl Works {
    pub fn new(store: Store, orcid: OrcidClient, grants: Grants) -> Self {
        Self {
            store,
            orcid,
            grants,
            refreshing: Arc::default(),
        }
    }
}

/// Records whose works are being refreshed right now, so a burst of page views starts
/// one refresh, not many.
#[derive(Default)]
struct RefreshSet(Mutex<HashSet<OrcidId>>);

impl RefreshSet {
    /// Claims the record; false if a refresh is already running.
    fn start(&self, id: OrcidId) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(id)
    }

    fn finish(&self, id: &OrcidId) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}
