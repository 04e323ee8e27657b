//! Works on a researcher's ORCID record: the cache, the form, and the writes. Handlers in
//! `web::works` call the [`Works`] service; it calls the ORCID client and the store.

pub mod access;
pub mod form;
pub mod formula;
pub mod outcome;
pub mod refresh_gate;
pub mod sync;
pub mod write;

use std::sync::Arc;
use std::time::Duration;

use orcid::{OrcidClient, OrcidId};

use crate::grants::Grants;
use crate::store::Store;

pub use outcome::{LinkTo, Message, Tone, WriteOutcome};
use refresh_gate::RefreshGate;

/// Reading and writing researchers' works: what it uses, and the refreshes under way.
/// Built once at start-up; cheap to clone (background refreshes take a clone). Clones
/// from [`Works::bulk`] and [`Works::for_person`] share the refreshes under way.
#[derive(Clone)]
pub struct Works {
    store: Store,
    orcid: OrcidClient,
    grants: Grants,
    refreshes: Arc<RefreshGate>,
}

impl Works {
    /// `refresh_cooldown`: the least time between two refreshes of one record that a
    /// person asks for.
    pub fn new(
        store: Store,
        orcid: OrcidClient,
        grants: Grants,
        refresh_cooldown: Duration,
    ) -> Self {
        Self {
            store,
            orcid,
            grants,
            refreshes: Arc::new(RefreshGate::new(refresh_cooldown)),
        }
    }

    /// The ORCID client these calls go through (its limiter, and its allowance for a
    /// person when made by [`Works::for_person`]), for other activities' calls.
    pub fn client(&self) -> &OrcidClient {
        &self.orcid
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// For background jobs: every ORCID call waits behind those made for people.
    pub fn bulk(&self) -> Self {
        Self {
            orcid: self.orcid.bulk(),
            ..self.clone()
        }
    }

    /// For a request of `person` (a researcher on their own record, or a staff member
    /// reading someone's): every ORCID call counts against their own allowance.
    pub fn for_person(&self, person: OrcidId) -> Self {
        Self {
            orcid: self.orcid.for_person(person),
            ..self.clone()
        }
    }
}
