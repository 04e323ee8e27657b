//! A usable ORCID access token for a researcher: decrypted, refreshed when it has expired
//! or ORCID refused it, and marked revoked only when the refresh token fails too.
//!
//! ORCID answers `401 invalid_token` alike for an expired and a revoked access token, and
//! disables a token once it has been refreshed. So refreshes of one grant run one at a
//! time, and each first looks whether another has already replaced the token.

use secrecy::SecretString;

use super::{same_token, Grants};
use crate::store::{now, NewTokens, StoredTokens, TokenStatus};
use orcid::{OrcidError, OrcidId};

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

    fn of(tokens: StoredTokens) -> Self {
        let scopes = tokens.scopes().map(String::from).collect();
        Access {
            token: tokens.access_token,
            scopes,
        }
    }
}

impl Grants {
    /// The researcher's grant, refreshed first when it is about to expire.
    pub async fn access(&self, orcid: &OrcidId) -> Result<Access, AccessError> {
        let tokens = self.usable(orcid).await?;
        if tokens.expires_at > now() + REFRESH_MARGIN_SECS {
            return Ok(Access::of(tokens));
        }
        self.refresh(orcid, &tokens.access_token).await
    }

    /// ORCID refused `refused` (401 invalid_token): a new access token from the refresh
    /// token, unless another task has already replaced it. Only a failed refresh marks
    /// the grant revoked.
    pub async fn after_refusal(
        &self,
        orcid: &OrcidId,
        refused: &SecretString,
    ) -> Result<Access, AccessError> {
        tracing::info!(orcid = %orcid, "ORCID refused the access token; refreshing it");
        self.refresh(orcid, refused).await
    }

    /// ORCID still refused `refused` after a refresh: the grant is gone, unless a sign-in
    /// or another refresh has stored a different token meanwhile (checked under the lock).
    pub async fn refused_again(
        &self,
        orcid: &OrcidId,
        refused: &SecretString,
    ) -> Result<(), sqlx::Error> {
        let _one_at_a_time = self.locks.lock(orcid).await;
        let current = matches!(
            self.store.tokens(orcid).await,
            Ok(Some(t)) if same_token(&t.access_token, refused)
        );
        if current {
            self.store.mark_tokens_revoked(orcid).await?;
            tracing::info!(orcid = %orcid, "ORCID refused a refreshed token: the grant is revoked");
        }
        Ok(())
    }

    async fn usable(&self, orcid: &OrcidId) -> Result<StoredTokens, AccessError> {
        let tokens = self
            .store
            .tokens(orcid)
            .await?
            .ok_or(AccessError::NotConnected)?;
        if tokens.status == TokenStatus::Revoked {
            return Err(AccessError::Revoked);
        }
        Ok(tokens)
    }

    /// Replaces the access token `seen` by refreshing, under the researcher's lock.
    async fn refresh(&self, orcid: &OrcidId, seen: &SecretString) -> Result<Access, AccessError> {
        let _one_at_a_time = self.locks.lock(orcid).await;
        // Whoever held the lock before may have refreshed (or a sign-in replaced) it.
        let tokens = self.usable(orcid).await?;
        if !same_token(&tokens.access_token, seen) {
            return Ok(Access::of(tokens));
        }
        let Some(refresh) = tokens.refresh_token.clone() else {
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
                tracing::info!(orcid = %orcid, "refreshed an ORCID access token");
                let scopes = new.scope.split_whitespace().map(String::from).collect();
                Ok(Access {
                    token: new.access_token,
                    scopes,
                })
            }
            Err(OrcidError::OAuth { body, .. }) if body.error == "invalid_grant" => {
                // Look again before concluding: the stored pair may have changed meanwhile.
                let now_stored = self.usable(orcid).await?;
                if !same_token(&now_stored.access_token, seen) {
                    return Ok(Access::of(now_stored));
                }
                self.store.mark_tokens_revoked(orcid).await?;
                tracing::info!(orcid = %orcid, "ORCID refused the refresh token: the grant is revoked");
                Err(AccessError::Revoked)
            }
            Err(e) => Err(AccessError::Refresh(e)),
        }
    }
}
