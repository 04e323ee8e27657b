//! A call to ORCID with a researcher's grant: when ORCID refuses the token (401
//! invalid_token, alike for an expired and a revoked one), refresh it once and call
//! again; a token still refused after that means the grant is gone.

use std::future::Future;

use secrecy::SecretString;

use super::{AccessError, Grants};
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

impl Grants {
    /// Runs `call` with `token`, refreshing and retrying once on 401 invalid_token;
    /// `token` is then the refreshed one, for the caller's next calls. A success is noted
    /// as the grant's last successful use.
    pub async fn call<T, F, Fut>(
        &self,
        orcid: &OrcidId,
        token: &mut SecretString,
        call: F,
    ) -> Result<T, CallError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let result = self.call_unnoted(orcid, token, call).await;
        if result.is_ok() {
            self.note_success(orcid).await;
        }
        result
    }

    /// As [`Grants::call`], without noting a success: for the health check, which
    /// confirms a grant but does not use it.
    pub(super) async fn call_unnoted<T, F, Fut>(
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
            if let Err(db) = self.refused_again(orcid, token).await {
                tracing::error!(error = %db, "could not mark a grant revoked");
            }
        }
        result.map_err(CallError::Api)
    }
}
