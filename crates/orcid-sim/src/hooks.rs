//! What the handlers report to the test controls, and the fault tests inject: the fault
//! slot behind [`MockOrcid::set_fault`](crate::MockOrcid), the token, refresh-grant and Member API
//! request counters, and the raw token values sent to /oauth/revoke.
//!
//! It exists only with the `testing` feature (and in the crate's own tests). Without it
//! [`Hooks`] is empty and every hook does nothing, so the release binary checks no fault,
//! counts nothing and keeps no raw token value.

use crate::Fault;

#[cfg(any(test, feature = "testing"))]
pub(crate) use enabled::Hooks;

#[cfg(not(any(test, feature = "testing")))]
pub(crate) use disabled::Hooks;

#[cfg(any(test, feature = "testing"))]
mod enabled {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, MutexGuard};

    use super::Fault;

    #[derive(Default)]
    pub(crate) struct Hooks {
        fault: Mutex<Option<Fault>>,
        token_requests: AtomicUsize,
        refresh_grants: AtomicUsize,
        api_requests: AtomicUsize,
        /// Raw token values answered 200 by /oauth/revoke, in order; memory only.
        revoked: Mutex<Vec<String>>,
    }

    /// The hooks hold plain data, so a poisoned lock still holds a usable value.
    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    impl Hooks {
        pub(crate) fn new() -> Self {
            Hooks::default()
        }

        pub(crate) fn fault(&self) -> Option<Fault> {
            lock(&self.fault).clone()
        }

        pub(crate) fn set_fault(&self, fault: Option<Fault>) {
            *lock(&self.fault) = fault;
        }

        /// The fault a Member API call meets, using up one use of an `ApiStatus` fault
        /// (cleared after the last).
        pub(crate) fn api_fault(&self) -> Option<Fault> {
            let mut slot = lock(&self.fault);
            let current = slot.clone();
            if let Some(Fault::ApiStatus { status, times }) = current {
                *slot = (times > 1).then_some(Fault::ApiStatus {
                    status,
                    times: times - 1,
                });
            }
            current
        }

        pub(crate) fn token_request(&self) {
            self.token_requests.fetch_add(1, Ordering::SeqCst);
        }

        pub(crate) fn token_requests(&self) -> usize {
            self.token_requests.load(Ordering::SeqCst)
        }

        pub(crate) fn refresh_grant(&self) {
            self.refresh_grants.fetch_add(1, Ordering::SeqCst);
        }

        pub(crate) fn refresh_grants(&self) -> usize {
            self.refresh_grants.load(Ordering::SeqCst)
        }

        pub(crate) fn api_request(&self) {
            self.api_requests.fetch_add(1, Ordering::SeqCst);
        }

        pub(crate) fn api_requests(&self) -> usize {
            self.api_requests.load(Ordering::SeqCst)
        }

        pub(crate) fn revoked(&self, token: &str) {
            lock(&self.revoked).push(token.to_owned());
        }

        pub(crate) fn revoke_requests(&self) -> Vec<String> {
            lock(&self.revoked).clone()
        }
    }
}

#[cfg(not(any(test, feature = "testing")))]
mod disabled {
    use super::Fault;

    /// Without the `testing` feature: no fault, nothing recorded.
    pub(crate) struct Hooks;

    impl Hooks {
        pub(crate) fn new() -> Self {
            Hooks
        }

        pub(crate) fn fault(&self) -> Option<Fault> {
            None
        }

        pub(crate) fn api_fault(&self) -> Option<Fault> {
            None
        }

        pub(crate) fn token_request(&self) {}

        pub(crate) fn refresh_grant(&self) {}

        pub(crate) fn api_request(&self) {}

        pub(crate) fn revoked(&self, _token: &str) {}
    }
}
