//! Researchers' ORCID grants: one live grant per researcher, never silently narrowed.
//!
//! - `signin`: what a completed sign-in does to the stored grant (keep or replace), and
//!   revoking the one given up.
//! - `access`: a usable access token, refreshed one at a time per researcher.
//! - `revoke`: revoking at ORCID now, or queueing it when ORCID cannot be reached.
//! - `revoker`: the background task that works through that queue.

mod access;
mod locks;
mod revoke;
mod revoker;
mod signin;

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;

use orcid::OrcidClient;

use crate::store::Store;

pub use access::{Access, AccessError};
pub use revoke::Disconnected;
pub use signin::{SignIn, SignInOutcome};

/// The grant rules and what they use. Built once at start-up; cheap to clone.
#[derive(Clone)]
pub struct Grants {
    store: Store,
    orcid: OrcidClient,
    /// One refresh or sign-in at a time per researcher.
    locks: Arc<locks::Locks>,
    /// First wait before a failed revocation is tried again.
    retry: Duration,
    /// Wakes the revoker when a revocation is queued.
    queued: Arc<Notify>,
}

impl Grants {
    pub fn new(store: Store, orcid: OrcidClient, retry: Duration) -> Self {
        Self {
            store,
            orcid,
            locks: Arc::default(),
            retry,
            queued: Arc::default(),
        }
    }

    /// Starts the revoker. Call once per process, after the database is open.
    pub fn start_revoker(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(revoker::run(self.clone()))
    }
}

/// Whether two tokens are the same one.
fn same_token(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}
