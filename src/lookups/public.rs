//! Looking up an iD on ORCID's Public API: does the record exist, what public name does
//! it show, and what email address has the person made public. The two-legged
//! `/read-public` token is fetched once, kept sealed in the database and reused until it
//! expires; answers are cached for a while, so a roster checked twice (or a re-consent
//! previewed, then sent) costs ORCID nothing the second time.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use secrecy::SecretString;
use tokio::sync::Mutex;

use crate::store::{now, Store};
use orcid::{ApiError, OrcidClient, OrcidId};

/// How long an answer is reused.
const CACHE_TTL: Duration = Duration::from_secs(60 * 60);
const CACHE_ENTRIES: u64 = 200_000;

/// What ORCID says about an iD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The record exists; its public name ("" when the person keeps it private).
    Record { public_name: String },
    /// A checksum-valid iD with no record behind it.
    NoRecord,
}

/// Why an iD could not be checked now (ORCID slow, down, or idlink's limit reached).
#[derive(Debug, Clone, thiserror::Error)]
#[error("ORCID could not be asked about this iD now: {0}")]
pub struct LookupFailed(String);

#[derive(Clone)]
pub struct PublicLookup {
    store: Store,
    orcid: OrcidClient,
    cache: Cache<OrcidId, Found>,
    /// Public email addresses (`None`: the person shows none).
    emails: Cache<OrcidId, Option<String>>,
    /// The token in memory; the lock also keeps two lookups from fetching one each.
    token: Arc<Mutex<Option<(SecretString, i64)>>>,
}

impl PublicLookup {
    pub fn new(store: Store, orcid: OrcidClient) -> Self {
        Self {
            store,
            orcid,
            cache: Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            emails: Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            token: Arc::new(Mutex::new(None)),
        }
    }

    /// The same lookups (cache and token shared) at bulk priority on the shared limiter:
    /// for work nobody is waiting on, served after people's calls.
    pub fn bulk(&self) -> Self {
        Self {
            orcid: self.orcid.bulk(),
            ..self.clone()
        }
    }

    /// The record behind `id`, from the cache or from ORCID.
    #[tracing::instrument(skip(self), fields(orcid = %id))]
    pub async fn find(&self, id: &OrcidId) -> Result<Found, LookupFailed> {
        if let Some(found) = self.cache.get(id) {
            return Ok(found);
        }
        let orcid = &self.orcid;
        let found = match self
            .ask(|token| async move { orcid.public_person(&token, id).await })
            .await?
        {
            Some(person) => Found::Record {
                public_name: person
                    .name
                    .as_ref()
                    .and_then(|n| n.display())
                    .unwrap_or_default(),
            },
            None => Found::NoRecord,
        };
        self.cache.insert(*id, found.clone());
        Ok(found)
    }

    /// The address the person made public on their ORCID record (`None`: none public,
    /// or no record), from the cache or from ORCID.
    #[tracing::instrument(skip(self), fields(orcid = %id))]
    pub async fn public_email(&self, id: &OrcidId) -> Result<Option<String>, LookupFailed> {
        if let Some(email) = self.emails.get(id) {
            return Ok(email);
        }
        let orcid = &self.orcid;
        let email = self
            .ask(|token| async move { orcid.public_emails(&token, id).await })
            .await?
            .and_then(|emails| emails.preferred().map(str::to_string));
        self.emails.insert(*id, email.clone());
        Ok(email)
    }

    /// One Public API call with the `/read-public` token; when ORCID refuses the stored
    /// token (revoked, or lapsed), a new one is fetched, once.
    async fn ask<T, F, Fut>(&self, call: F) -> Result<T, LookupFailed>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let mut fresh_token = false;
        loop {
            let token = self.token(fresh_token).await?;
            match call(token).await {
                Ok(answer) => return Ok(answer),
                Err(ApiError::InvalidToken) if !fresh_token => {
                    *self.token.lock().await = None;
                    fresh_token = true;
                }
                Err(e) => return Err(LookupFailed(e.to_string())),
            }
        }
    }

    /// The `/read-public` token: in memory, else in the database, else a new one from
    /// ORCID (`renew`: the one held was refused).
    async fn token(&self, renew: bool) -> Result<SecretString, LookupFailed> {
        let mut held = self.token.lock().await;
        let t = now();
        if let Some((token, _)) = held.as_ref().filter(|(_, expires_at)| *expires_at > t) {
            return Ok(token.clone());
        }
        if !renew {
            match self.store.public_api_token(t).await {
                Ok(Some((token, expires_at))) => {
                    *held = Some((token.clone(), expires_at));
                    return Ok(token);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not read the stored Public API token"),
            }
        }
        let answer = self
            .orcid
            .read_public_token()
            .await
            .map_err(|e| LookupFailed(e.to_string()))?;
        let expires_at = t.saturating_add(answer.expires_in.max(0));
        if let Err(e) = self
            .store
            .save_public_api_token(&answer.access_token, expires_at)
            .await
        {
            tracing::warn!(error = %e, "could not store the Public API token; it is kept in memory");
        }
        *held = Some((answer.access_token.clone(), expires_at));
        Ok(answer.access_token)
    }
}
