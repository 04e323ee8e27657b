//! The researcher's grant as the works rules use it: a usable token from [`Grants`], and
//! ORCID calls through [`Grants::call`] (refreshed once on 401 invalid_token, and noted
//! as the grant's last successful use).

use std::future::Future;

use secrecy::SecretString;

use super::Works;
pub use crate::grants::{Access, AccessError, CallError};
use orcid::{ApiError, OrcidId};

impl Works {
    /// The researcher's grant, refreshed first when it is about to expire.
    pub async fn access(&self, orcid: &OrcidId) -> Result<Access, AccessError> {
        self.grants.access(orcid).await
    }

    /// Runs `call` with the researcher's access token. A 401 invalid_token gets one
    /// refresh (shared with any running for the same researcher) and one more try; the
    /// grant counts as revoked only if that refresh fails.
    pub async fn with_token<T, F, Fut>(&self, orcid: &OrcidId, call: F) -> Result<T, CallError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut token = self.access(orcid).await.map_err(CallError::Access)?.token;
        self.retrying(orcid, &mut token, call).await
    }

    /// Runs `call` with `token`, refreshing and retrying once on 401 invalid_token;
    /// `token` is then the refreshed one, for the caller's next calls.
    pub async fn retrying<T, F, Fut>(
        &self,
        orcid: &OrcidId,
        token: &mut SecretString,
        call: F,
    ) -> Result<T, CallError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.grants.call(orcid, token, call).await
    }
}
