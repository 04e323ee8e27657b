//! The researcher's grant as the works rules use it: a usable token from [`Grants`], and
//! ORCID calls that, when ORCID refuses the token (401 invalid_token, alike for an expired
//! and a revoked one), refresh it once and call again.

use std::future::Future;

use secrecy::SecretString;

use super::Works;
pub use crate::grants::{Access, AccessError};
use orcid::{ApiError, OrcidId};

/// Why a call with the researcher's token failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Access(AccessError),
    #[error(transparent)]
    Api(ApiError),
}

impl CallError {
    /// A short label for the audit log.
    pub fn outcome(&self) -> &'static str {
        match self {
            CallError::Api(e) => e.outcome(),
            CallError::Access(AccessError::Revoked) => "revoked",
            CallError::Access(AccessError::NotConnected) => "not_connected",
            CallError::Access(AccessError::Refresh(_)) => "refresh_failed",
            CallError::Access(AccessError::Db(_)) => "database",
        }
    }
}

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
        let result = match call(token.clone()).await {
            Err(ApiError::InvalidToken) => {
                let fresh = self
                    .grants
                    .after_refusal(orcid, token)
                    .await
                    .map_err(CallError::Access)?;
                *token = fresh.token;
                call(token.clone()).await
            }
            other => other,
        };
        // A token ORCID still refuses after a refresh means the grant is gone.
        if let Err(ApiError::InvalidToken) = &result {
            if let Err(db) = self.grants.refused_again(orcid, token).await {
                tracing::error!(error = %db, "could not mark a grant revoked");
            }
        }
        result.map_err(CallError::Api)
    }
}
