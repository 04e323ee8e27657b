//! A usable ORCID access token for a researcher: decrypted, refreshed when it has expired,
//! and marked revoked when ORCID says it no longer works.

use secrecy::SecretString;

use super::Works;
use crate::store::{now, NewTokens, TokenStatus};
use orcid::{ApiError, OrcidError, OrcidId};

/// Refresh a token this long before ORCID would refuse it.
const REFRESH_MARGIN_SECS: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the researcher has not connected their ORCID iD")]
    NotConnected,
    #[error("the researcher revoked idlink's access at ORCID")]
    Revoked,
    #[error("refreshing the token failed: {0}")]
    Refresh(OrcidError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The access token and granted scopes.
pub struct Access {
    pub token: SecretString,
    pub scopes: Vec<String>,
}

impl Access {
    pub fn can_write_works(&self) -> bool {
        self.scopes.iter().any(|s| s == "/activities/update")
    }
}

impl Works {
    /// The researcher's grant, refreshed first when it is about to expire.
    pub async fn access(&self, orcid: &OrcidId) -> Result<Access, AccessError> {
        let tokens = self
            .store
            .tokens(orcid)
            .await?
            .ok_or(AccessError::NotConnected)?;
        if tokens.status == TokenStatus::Revoked {
            return Err(AccessError::Revoked);
        }
        if tokens.expires_at > now() + REFRESH_MARGIN_SECS {
            let scopes = tokens.scopes().map(String::from).collect();
            return Ok(Access {
                token: tokens.access_token,
                scopes,
            });
        }
        let Some(refresh) = tokens.refresh_token else {
            self.store.mark_tokens_revoked(orcid).await?;
            return Err(AccessError::Revoked);
        };
        match self.orcid.refresh(&refresh).await {
            Ok(fresh) => {
                let new = NewTokens {
                    access_token: fresh.access_token,
                    refresh_token: fresh.refresh_token.or(Some(refresh)),
                    scope: if fresh.scope.is_empty() {
                        tokens.scope.clone()
                    } else {
                        fresh.scope
                    },
                    expires_at: now().saturating_add(fresh.expires_in.max(0)),
                };
                self.store.update_tokens(orcid, &new).await?;
                tracing::info!(orcid = %orcid, "refreshed an expired ORCID access token");
                let scopes = new.scope.split_whitespace().map(String::from).collect();
                Ok(Access {
                    token: new.access_token,
                    scopes,
                })
            }
            Err(OrcidError::OAuth { body, .. }) if body.error == "invalid_grant" => {
                self.store.mark_tokens_revoked(orcid).await?;
                Err(AccessError::Revoked)
            }
            Err(e) => Err(AccessError::Refresh(e)),
        }
    }

    /// Remembers what an API error says about the grant: a 401 means the researcher revoked it.
    pub async fn note_api_error(&self, orcid: &OrcidId, e: &ApiError) {
        if matches!(e, ApiError::InvalidToken) {
            if let Err(db) = self.store.mark_tokens_revoked(orcid).await {
                tracing::error!(error = %db, "could not mark a grant revoked");
            }
            tracing::info!(orcid = %orcid, "ORCID says the grant is revoked");
        }
    }
}
