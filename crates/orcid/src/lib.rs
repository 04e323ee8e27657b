//! The ORCID client library: the iD type, OAuth and OpenID Connect, the v3.0 model, and
//! Member API calls (works, the seven affiliation sections, the activities summary and the
//! person section) behind one rate limiter (people's calls served before bulk ones, and
//! idle upkeep only when neither waits; each person within an allowance of their own) and
//! a retry policy. ORCID's affiliation rules are in [`affiliation_rules`], with the country
//! list and ROR ids they use. On the Public API it reads a person's public name and public
//! email addresses with a two-legged `/read-public` token.
//!
//! It knows nothing of web frameworks, databases or an application's settings (the
//! optional `sqlx` feature only lets an `OrcidId` be a SQLite column): callers
//! hand it a [`ClientConfig`] and, if they count calls, a [`CallObserver`].

pub mod affiliation_rules;
pub mod api;
pub mod countries;
pub mod errors;
pub mod external_ids;
pub mod id;
pub mod limiter;
pub mod model;
pub mod oauth;
pub mod oidc;
pub mod ror;
pub mod scopes;
#[cfg(feature = "sqlx")]
pub mod sqlite;
pub mod work_types;

use std::sync::Arc;

use secrecy::SecretString;
use url::Url;

pub use api::ApiError;
pub use errors::{OAuthErrorBody, OrcidError};
pub use id::{OrcidId, OrcidIdError};
pub use limiter::{Held, Priority};
pub use oauth::{AuthorizeRequest, Prefill, TokenResponse};

/// Where a client reaches ORCID, and how iDs are shown.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// Registry root as the browser reaches it: /oauth/authorize.
    pub base: Url,
    /// Registry root as the server reaches it: /oauth/token, /oauth/revoke, discovery,
    /// JWKS. The same as `base`, except for a simulation reached at another address.
    pub server_base: Url,
    /// Member API root (paths /v3.0/...).
    pub api: Url,
    /// Public API root (paths /v3.0/...): public person lookups.
    pub public_api: Url,
    /// The issuer expected in id_tokens.
    pub issuer: String,
    /// Where an iD's record lives, e.g. `https://orcid.org/` (display guidelines).
    pub record_base: String,
}

/// Everything an [`OrcidClient`] needs to know.
#[derive(Clone)]
pub struct ClientConfig {
    pub endpoints: Endpoints,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Bound on every call, connecting included.
    pub timeout: std::time::Duration,
    /// ORCID's limit for this client: requests a second, and the burst it allows.
    pub rate_per_sec: u32,
    pub burst: u32,
    /// The longest a call made for a waiting person waits for its turn at that limit.
    pub queue_wait: std::time::Duration,
    /// Calls a minute, and their burst, for one person ([`OrcidClient::for_person`]).
    pub person_per_minute: u32,
    pub person_burst: u32,
    /// Sent as User-Agent, e.g. `idlink/0.1.0`.
    pub user_agent: String,
}

/// Whether `id` has the shape of an ORCID client id: `APP-` followed by 16 characters
/// `[0-9A-Z]` (ORCID's clientIdPattern).
pub fn is_client_id(id: &str) -> bool {
    id.strip_prefix("APP-").is_some_and(|rest| {
        rest.len() == 16
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    })
}

/// Told of every call's outcome (e.g. to count them); `endpoint` and `outcome` are short labels.
pub trait CallObserver: Send + Sync {
    fn orcid_call(&self, endpoint: &str, outcome: &str);
}

/// An observer that ignores everything.
impl CallObserver for () {
    fn orcid_call(&self, _endpoint: &str, _outcome: &str) {}
}

/// Everything idlink says to ORCID goes through one of these (cheap to clone). A clone
/// from [`OrcidClient::bulk`] or [`OrcidClient::for_person`] shares the connection pool
/// and the limits, and only changes whose calls it makes.
#[derive(Clone)]
pub struct OrcidClient {
    inner: Arc<Inner>,
    priority: limiter::Priority,
    /// Whose own allowance each call is counted against, if anyone's.
    person: Option<OrcidId>,
}

pub struct Inner {
    http: reqwest::Client,
    endpoints: Endpoints,
    client_id: String,
    client_secret: SecretString,
    jwks: oidc::JwksCache,
    metrics: Arc<dyn CallObserver>,
    limiter: limiter::Limiter,
    per_person: limiter::PersonLimiter,
    retry: limiter::RetryPolicy,
}

impl std::ops::Deref for OrcidClient {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl OrcidClient {
    pub fn new(
        settings: ClientConfig,
        metrics: Arc<dyn CallObserver>,
    ) -> Result<Self, reqwest::Error> {
        // One client for the whole process: redirects off, every call bounded in time.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(std::time::Duration::from_secs(5)))
            .user_agent(settings.user_agent.clone())
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoints: settings.endpoints,
                client_id: settings.client_id,
                client_secret: settings.client_secret,
                jwks: oidc::JwksCache::default(),
                metrics,
                limiter: limiter::Limiter::for_orcid(
                    settings.rate_per_sec,
                    settings.burst,
                    settings.queue_wait,
                ),
                per_person: limiter::PersonLimiter::new(
                    settings.person_per_minute,
                    settings.person_burst,
                ),
                retry: limiter::RetryPolicy::default(),
            }),
            priority: limiter::Priority::Interactive,
            person: None,
        })
    }

    /// The same client for background work: its calls wait behind every call made for
    /// a waiting person, with no bound on the wait.
    pub fn bulk(&self) -> Self {
        Self {
            priority: limiter::Priority::Bulk,
            ..self.clone()
        }
    }

    /// The same client for upkeep no one waits for: its calls take only the capacity
    /// that people and bulk jobs leave unused.
    pub fn idle(&self) -> Self {
        Self {
            priority: limiter::Priority::Idle,
            ..self.clone()
        }
    }

    /// The same client acting for `person`: each call also counts against their own
    /// allowance, and is refused with [`limiter::Held::PersonLimit`] past it.
    pub fn for_person(&self, person: OrcidId) -> Self {
        Self {
            person: Some(person),
            ..self.clone()
        }
    }

    /// Waits for this call's turn under the limits.
    async fn turn(&self) -> Result<(), limiter::Held> {
        if let Some(person) = &self.person {
            self.per_person.check(person)?;
        }
        self.limiter.acquire(self.priority).await
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The record URL shown and linked for an iD (ORCID's display guidelines).
    pub fn record_url(&self, id: &OrcidId) -> String {
        format!("{}{}", self.endpoints.record_base, id)
    }

    /// The registry host iDs belong to (`orcid.org`, `sandbox.orcid.org`, or the simulation's).
    pub fn record_host(&self) -> &str {
        let rest = self
            .endpoints
            .record_base
            .split_once("://")
            .map_or("", |(_, r)| r);
        rest.split(['/', ':']).next().unwrap_or("orcid.org")
    }

    fn endpoint(&self, root: &Url, path: &str) -> Url {
        let mut base = root.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(path).unwrap_or(base)
    }

    fn observe<T>(&self, endpoint: &'static str, result: &Result<T, OrcidError>) {
        let outcome = match result {
            Ok(_) => "ok",
            // A call idlink held back itself is no failure of ORCID's.
            Err(e) if e.held().is_some() => e.outcome(),
            Err(e) => {
                tracing::warn!(endpoint, error = %e, "ORCID call failed");
                e.outcome()
            }
        };
        self.metrics.orcid_call(endpoint, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::is_client_id;

    #[test]
    fn client_id_pattern() {
        assert!(is_client_id("APP-IDLINKDEMO000000"));
        assert!(is_client_id("APP-0123456789ABCDEF"));
        assert!(!is_client_id("APP-IDLINKDEMO0000"));
        assert!(!is_client_id("APP-IDLINKDEMO0000000"));
        assert!(!is_client_id("APP-idlinkdemo000000"));
        assert!(!is_client_id("APP-IDLINKDEMO00000-"));
        assert!(!is_client_id("XYZ-IDLINKDEMO000000"));
        assert!(!is_client_id(""));
    }
}
