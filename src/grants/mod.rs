//! Researchers' ORCID grants: one live grant per researcher, never silently narrowed.
//!
//! - `signin`: what a completed sign-in does to the stored grant (keep or replace), and
//!   revoking the one given up.
//! - `access`: a usable access token, refreshed one at a time per researcher.
//! - `revoke`: revoking at ORCID now, or queueing it when ORCID cannot be reached.
//! - `revoker`: the background task that works through that queue.
//! - `call`: a call with the grant, refreshed once when ORCID refuses it.
//! - `usage` and `checker`: the grant's health: its last successful use, and the
//!   background check that confirms each grant once per period.

mod access;
mod call;
mod checker;
mod locks;
mod revoke;
mod revoker;
mod signin;
mod usage;

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;

use orcid::OrcidClient;

use crate::store::Store;

pub use access::{Access, AccessError};
pub use call::CallError;
pub use checker::CheckOutcome;
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
    /// How often each grant is confirmed with ORCID (`TOKEN_CHECK_DAYS`).
    check_every: Duration,
    /// Grants whose successful use was recorded within the last minute.
    recent: Arc<usage::RecentSuccesses>,
}

impl Grants {
    /// `retry`: first wait before a failed revocation is tried again; `check_every`: how
    /// often each grant is confirmed with ORCID.
    pub fn new(store: Store, orcid: OrcidClient, retry: Duration, check_every: Duration) -> Self {
        Self {
            store,
            orcid,
            locks: Arc::default(),
            retry,
            queued: Arc::default(),
            check_every,
            recent: Arc::default(),
        }
    }

    fn check_every_secs(&self) -> i64 {
        i64::try_from(self.check_every.as_secs()).unwrap_or(i64::MAX)
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
