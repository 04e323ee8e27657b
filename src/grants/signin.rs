//! A completed sign-in against the grant idlink already holds: a sign-in never narrows
//! what idlink may do, and the grant given up (the new narrower one, or the old one a new
//! grant replaces) is revoked at ORCID, so each researcher has one live grant.

use super::{same_token, Grants};
use crate::store::{now, NewTokens, RevokeReason, StoredTokens, TokenStatus};
use orcid::scopes::{AUTHENTICATE, OPENID};
use orcid::OrcidId;

/// What idlink holds before the sign-in, as far as the decision goes.
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a> {
    pub scope: &'a str,
    /// Active, and either unexpired or refreshable.
    pub usable: bool,
}

impl<'a> Stored<'a> {
    fn of(t: &'a StoredTokens) -> Self {
        Stored {
            scope: &t.scope,
            usable: t.status == TokenStatus::Active
                && (t.expires_at > now() || t.refresh_token.is_some()),
        }
    }
}

/// What the sign-in did to the stored grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// The first grant (or the first since disconnecting).
    New,
    /// The new grant took the old one's place.
    Replaced,
    /// The new grant allows less than the stored one, which idlink keeps.
    Kept,
}

/// Keep the stored grant only when it is usable and the new one allows strictly less.
/// `openid` and `/authenticate` both mean "know the iD", which every grant allows.
pub fn decide(stored: Option<Stored<'_>>, new_scope: &str) -> SignInOutcome {
    let Some(stored) = stored else {
        return SignInOutcome::New;
    };
    let norm = |scope: &str| -> Vec<String> {
        let mut v: Vec<String> = scope
            .split_whitespace()
            .filter(|s| *s != OPENID && *s != AUTHENTICATE)
            .map(String::from)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (old, new) = (norm(stored.scope), norm(new_scope));
    let narrower = new.iter().all(|s| old.contains(s)) && new.len() < old.len();
    if stored.usable && narrower {
        SignInOutcome::Kept
    } else {
        SignInOutcome::Replaced
    }
}

/// A completed sign-in: who, and the grant ORCID just issued.
pub struct SignIn<'a> {
    pub orcid: &'a OrcidId,
    pub name: &'a str,
    pub is_staff: bool,
    pub tokens: NewTokens,
}

impl Grants {
    /// Records the sign-in, keeping or replacing the stored grant, then revokes the grant
    /// given up (queued for later when ORCID cannot do it now; the sign-in goes on).
    pub async fn sign_in(&self, s: SignIn<'_>) -> Result<SignInOutcome, sqlx::Error> {
        let lock = self.locks.lock(s.orcid).await;
        let stored = match self.store.tokens(s.orcid).await {
            Ok(t) => t,
            // A pair the key cannot open is useless: the new grant replaces it.
            Err(sqlx::Error::Decode(e)) => {
                tracing::warn!(orcid = %s.orcid, error = %e, "stored tokens could not be decrypted");
                None
            }
            Err(e) => return Err(e),
        };
        let outcome = decide(stored.as_ref().map(Stored::of), &s.tokens.scope);
        let (kept, given_up, reason) = match outcome {
            SignInOutcome::Kept => {
                self.store
                    .record_sign_in(s.orcid, s.name, s.is_staff)
                    .await?;
                let kept = stored.map(|t| t.access_token);
                (
                    kept,
                    Some(s.tokens.access_token),
                    RevokeReason::NarrowerSignIn,
                )
            }
            SignInOutcome::New | SignInOutcome::Replaced => {
                self.store
                    .save_connection(s.orcid, s.name, s.is_staff, &s.tokens)
                    .await?;
                self.forget_success(s.orcid);
                let old = stored.map(|t| t.access_token);
                (Some(s.tokens.access_token), old, RevokeReason::Replaced)
            }
        };
        drop(lock);
        tracing::info!(orcid = %s.orcid, ?outcome, "sign-in recorded");
        // ORCID may hand back the very token idlink keeps: that one stays.
        let given_up = given_up.filter(|t| kept.as_ref().is_none_or(|k| !same_token(t, k)));
        if let Some(token) = given_up {
            // The sign-in is recorded whatever happens here.
            if let Err(e) = self.revoke_or_queue(s.orcid, &token, reason).await {
                tracing::error!(orcid = %s.orcid, error = %e, "could not queue a revocation");
            }
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usable(scope: &str) -> Option<Stored<'_>> {
        Some(Stored {
            scope,
            usable: true,
        })
    }

    const FULL: &str = "openid /read-limited /activities/update";

    #[test]
    fn a_narrower_sign_in_keeps_the_stored_grant() {
        assert_eq!(decide(usable(FULL), "openid"), SignInOutcome::Kept);
        assert_eq!(decide(usable(FULL), "/authenticate"), SignInOutcome::Kept);
        assert_eq!(
            decide(usable(FULL), "/read-limited openid"),
            SignInOutcome::Kept
        );
    }

    #[test]
    fn an_equal_or_wider_grant_replaces_it() {
        assert_eq!(decide(usable(FULL), FULL), SignInOutcome::Replaced);
        assert_eq!(
            decide(usable("openid"), FULL),
            SignInOutcome::Replaced,
            "more scopes"
        );
        assert_eq!(
            decide(usable("openid"), "/authenticate"),
            SignInOutcome::Replaced
        );
        assert_eq!(
            decide(usable("openid /read-limited"), "openid /activities/update"),
            SignInOutcome::Replaced,
            "different, not narrower"
        );
        assert_eq!(decide(None, "openid"), SignInOutcome::New);
    }

    #[test]
    fn a_dead_grant_is_replaced_even_by_a_narrower_one() {
        let dead = Some(Stored {
            scope: FULL,
            usable: false,
        });
        assert_eq!(decide(dead, "openid"), SignInOutcome::Replaced);
    }
}
