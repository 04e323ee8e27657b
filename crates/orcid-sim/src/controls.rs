//! What tests (and benchmarks) do to the simulation from outside: seed researchers and
//! works, inject faults, expire codes, rotate the signing key, read request logs.

use orcid::OrcidId;

use crate::state::{self, DisabledReason};
use crate::{keys, AccessTokenInfo, Fault, MockError, MockOrcid};

impl MockOrcid {
    /// Switches to a new signing key with a new `kid`: the JWKS then lists only the new
    /// key, and id_tokens are signed with it (ORCID rotates its keys from time to time).
    pub fn rotate_signing_key(&self) -> Result<(), MockError> {
        let next = keys::rotated_key()?;
        *self.inner.key.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(())
    }

    pub fn add_researcher(&self, given_names: &str, family_name: &str) -> OrcidId {
        let mut st = self.inner.lock_or_recover();
        let id = st.add_researcher(given_names.trim(), family_name.trim(), None);
        self.inner.persist(&st);
        id
    }

    /// Adds (or renames) a test researcher with a chosen iD, e.g. one named in STAFF_ORCIDS.
    pub fn add_researcher_with_id(&self, id: &OrcidId, given_names: &str, family_name: &str) {
        let mut st = self.inner.lock_or_recover();
        st.insert_researcher(*id, given_names.trim(), family_name.trim());
        self.inner.persist(&st);
    }

    /// Sets a test researcher's email and whether it is public (the Public API shows
    /// only public addresses; a read-limited grant sees limited ones too).
    pub fn set_researcher_email(&self, id: &OrcidId, email: Option<&str>, public: bool) {
        let mut st = self.inner.lock_or_recover();
        if let Some(r) = st.researchers.iter_mut().find(|r| r.orcid == *id) {
            r.email = email.map(str::to_owned);
            r.email_public = public;
        }
        self.inner.persist(&st);
    }

    /// The public display name ("Given Family") of a test researcher.
    pub fn researcher_name(&self, id: &OrcidId) -> Option<String> {
        let st = self.inner.lock_or_recover();
        st.researcher(id).map(|r| r.display_name())
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.inner.hooks.set_fault(fault);
    }

    /// Number of POST /oauth/token requests received (any outcome).
    pub fn token_requests(&self) -> usize {
        self.inner.hooks.token_requests()
    }

    /// Token values sent to POST /oauth/revoke that were answered 200 (revoked, or unknown
    /// and ignored as ORCID does), in order. Requests refused by a fault or bad client
    /// credentials are not listed.
    pub fn revoke_requests(&self) -> Vec<String> {
        self.inner.hooks.revoke_requests()
    }

    /// Number of `grant_type=refresh_token` requests received (any outcome).
    pub fn refresh_grants(&self) -> usize {
        self.inner.hooks.refresh_grants()
    }

    /// Makes an access token expire now while its refresh token stays usable: the Member
    /// API then answers it 401 invalid_token, and a refresh still gets a new pair.
    pub fn expire_access_token(&self, token: &str) {
        let mut st = self.inner.lock_or_recover();
        if let Some(t) = st.pair_mut(token) {
            t.access_expires_at = Some(state::now());
        }
        self.inner.persist(&st);
    }

    /// Grants of `client_id` for the researcher that still stand (not revoked, not expired):
    /// each one could still be used or refreshed to act on the record.
    pub fn live_grants(&self, id: &OrcidId, client_id: &str) -> usize {
        let st = self.inner.lock_or_recover();
        let now = state::now();
        st.tokens
            .values()
            .filter(|t| t.orcid.as_ref() == Some(id) && t.client_id == client_id && t.is_live(now))
            .count()
    }

    pub fn is_access_token_active(&self, token: &str) -> bool {
        let st = self.inner.lock_or_recover();
        st.by_access(token)
            .is_some_and(|t| t.is_active(state::now()))
    }

    /// Everything the simulation knows about an access token; None if it never issued it.
    pub fn access_token(&self, token: &str) -> Option<AccessTokenInfo> {
        let st = self.inner.lock_or_recover();
        st.by_access(token).map(|t| AccessTokenInfo {
            client_id: t.client_id.clone(),
            orcid: t.orcid,
            scopes: t.scopes.clone(),
            active: t.is_active(state::now()),
            revoked_by_user: t.disabled == Some(DisabledReason::UserRevoked),
        })
    }

    /// The researcher removes every token of `client_id` under "Trusted organizations".
    pub fn revoke_all_for(&self, id: &OrcidId, client_id: &str) {
        let mut st = self.inner.lock_or_recover();
        for t in st.tokens.values_mut() {
            if t.orcid.as_ref() == Some(id) && t.client_id == client_id && t.disabled.is_none() {
                t.disabled = Some(DisabledReason::UserRevoked);
            }
        }
        self.inner.persist(&st);
    }

    /// Ages every outstanding authorization code past its 10-minute life, so tests can
    /// reach the "Authorization code has expired" answer without waiting.
    pub fn expire_codes(&self) {
        let mut st = self.inner.lock_or_recover();
        for c in st.codes.values_mut() {
            c.created_at = c.created_at.saturating_sub(state::CODE_LIFETIME_SECS + 1);
        }
        self.inner.persist(&st);
    }
}
