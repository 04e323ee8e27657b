//! The simulated ORCID registry: authorize page, token, revoke, OpenID discovery, JWKS,
//! userinfo, a small public record page and the Member API v3.0 works, affiliation and
//! activities endpoints (with ORCID's validation, duplicate rule, error bodies and rate
//! limit), answering in ORCID's own wire shapes.
//!
//! It is a product feature (demo mode: `cargo run` with no credentials clicks through
//! against it) and the test double. Mount it under its base path:
//! `Router::new().nest("/mock-orcid", mock.router())`.

mod activity_store;
mod affiliation_schema;
mod affiliations_json;
mod affiliations_store;
mod api_error;
mod authorize;
mod authorize_page;
mod ext_ids;
mod hooks;
mod keys;
mod member_api;
mod oidc;
mod pages;
mod params;
mod rate_limit;
mod record_json;
mod revoke;
mod seed;
mod seed_affiliations;
mod seed_ids;
mod state;
mod token;
mod vocab;
mod wire;
mod work_conform;
mod work_schema;
mod work_validation;
mod works_json;
mod works_model;
mod works_store;

// Test controls: seeding, faults, expiry, key rotation, request logs. The release
// binary never enables them.
#[cfg(any(test, feature = "testing"))]
mod affiliations_admin;
#[cfg(any(test, feature = "testing"))]
mod controls;
#[cfg(any(test, feature = "testing"))]
mod works_admin;

#[cfg(test)]
mod activity_store_tests;
#[cfg(test)]
mod affiliations_read_tests;
#[cfg(test)]
mod affiliations_write_tests;
#[cfg(test)]
mod api_test_support;
#[cfg(test)]
mod authorize_tests;
#[cfg(test)]
mod member_api_tests;
#[cfg(test)]
mod oidc_tests;
#[cfg(test)]
mod rate_limit_tests;
#[cfg(test)]
mod revoke_tests;
#[cfg(test)]
mod state_tests;
#[cfg(test)]
mod test_harness;
#[cfg(test)]
mod token_tests;
#[cfg(test)]
mod work_validation_tests;
#[cfg(test)]
mod works_read_tests;
#[cfg(test)]
mod works_state_tests;
#[cfg(test)]
mod works_update_tests;
#[cfg(test)]
mod works_write_tests;

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use keys::SigningKey;
use orcid::OrcidId;
use state::State;

#[cfg(any(test, feature = "testing"))]
pub use affiliations_admin::SimAffiliation;
pub use seed_affiliations::{
    DEMO_ORG_CITY, DEMO_ORG_COUNTRY, DEMO_ORG_NAME, DEMO_ORG_ROR, HR_FEED_CLIENT_ID, HR_FEED_NAME,
    SEEDED_EDUCATION_PUT_CODE, SEEDED_EMPLOYMENT_DEPARTMENT, SEEDED_EMPLOYMENT_PUT_CODE,
    SEEDED_EMPLOYMENT_ROLE_TITLE, SEEDED_EMPLOYMENT_START,
};
pub use seed_ids::{
    SeededOrcid, CROSSREF_CLIENT_ID, CROSSREF_NAME, DATACITE_CLIENT_ID, DATACITE_NAME,
    PROLIFIC_AUTHOR, PROLIFIC_AUTHOR_ORCID, PROLIFIC_AUTHOR_WORKS, SCOPUS_CLIENT_ID, SCOPUS_NAME,
    SEEDED_CROSSREF_DOI, SEEDED_CROSSREF_PUT_CODE, SOFIA_GARCIA, SOFIA_GARCIA_ORCID, TOMAS_NG,
    TOMAS_NG_ORCID,
};

/// The client the app uses in demo mode. ORCID client ids are `APP-` and 16 of `[0-9A-Z]`.
pub const DEMO_CLIENT_ID: &str = "APP-IDLINKDEMO000000";
/// The secret of [`DEMO_CLIENT_ID`].
pub const DEMO_CLIENT_SECRET: &str = "idlink-demo-secret";

/// Name of the simulation's own sign-in cookie (Path = the base path).
pub const SESSION_COOKIE: &str = "mock_orcid_session";

#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Public base URL of the simulation, no trailing slash, e.g. "http://127.0.0.1:8080/mock-orcid".
    /// It is the OIDC issuer, the prefix of every endpoint in discovery, and the record-link base.
    pub base_url: String,
    pub clients: Vec<MockClient>,
    /// Where to keep the RS256 signing key (PKCS#8 or PKCS#1 PEM, file mode 0600) so id_tokens
    /// verify across restarts in demo mode. None: a key generated once per process.
    pub key_file: Option<PathBuf>,
    /// Where to persist test researchers and issued tokens as JSON so demo mode survives a
    /// restart. Tokens are kept only as SHA-256 digests, never in plain text. None: memory only.
    pub state_file: Option<PathBuf>,
}

#[derive(Clone)]
pub struct MockClient {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    /// The redirect URIs ORCID would hold for this client; any other `redirect_uri` gets an
    /// error page at the simulation, never a redirect. Empty = accept any (as the ORCID
    /// sandbox does for clients with none registered): only for test clients, never for
    /// one whose secret is public, such as the demo client.
    pub redirect_uris: Vec<String>,
}

impl MockClient {
    /// The demo client ([`DEMO_CLIENT_ID`] / [`DEMO_CLIENT_SECRET`]) under a display name.
    pub fn demo(name: &str, redirect_uris: Vec<String>) -> Self {
        MockClient {
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: DEMO_CLIENT_SECRET.to_owned(),
            name: name.to_owned(),
            redirect_uris,
        }
    }
}

impl fmt::Debug for MockClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("name", &self.name)
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

/// A failure the next requests should meet; set with `MockOrcid::set_fault` (the
/// `testing` feature). Without that feature no request ever meets one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// /oauth/token answers this status with `{"error":"server_error",...}` (or the matching
    /// OAuth error for a 4xx) and does nothing else.
    TokenStatus(u16),
    /// /oauth/token sleeps this long before answering normally.
    TokenDelay(Duration),
    /// id_tokens are signed with a key that is NOT in the JWKS (same kid).
    IdTokenWrongKey,
    /// id_tokens carry this nonce instead of the one sent.
    IdTokenNonce(String),
    /// id_tokens carry this `sub` instead of the researcher's iD.
    IdTokenSubject(String),
    /// /oauth/revoke answers this status and revokes nothing.
    RevokeStatus(u16),
    /// The next `times` Member API calls answer this status with the body ORCID sends with
    /// it (a v3.0 error; 401 and 503 in their own shapes), then normal service resumes.
    ApiStatus { status: u16, times: u32 },
    /// Every Member API call sleeps this long before answering normally.
    ApiDelay(Duration),
}

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("mock base URL {0:?} must be an absolute http(s) URL with no query or fragment")]
    BaseUrl(String),
    #[error("mock client id {0:?} must be APP- followed by 16 characters 0-9 A-Z, as at ORCID")]
    ClientId(String),
    #[error("mock client {0} is listed twice")]
    DuplicateClient(String),
    #[error("mock client {0} needs a non-empty secret")]
    EmptySecret(String),
    #[error("mock client {client}: redirect URI {uri:?} is not an absolute URL")]
    RedirectUri { client: String, uri: String },
    #[error("signing key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signing key: {0}")]
    Key(String),
    #[error("state file {path}: {message}")]
    StateFile { path: PathBuf, message: String },
}

/// What the simulation knows about an access token (for the simulated Member API).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessTokenInfo {
    pub client_id: String,
    /// None for client_credentials tokens.
    pub orcid: Option<OrcidId>,
    pub scopes: Vec<String>,
    /// Neither revoked nor expired.
    pub active: bool,
    /// The researcher revoked it under "Trusted organizations" (ORCID still honours such a
    /// token for DELETE calls).
    pub revoked_by_user: bool,
}

impl fmt::Debug for AccessTokenInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenInfo")
            .field("client_id", &self.client_id)
            .field("orcid", &self.orcid)
            .field("scopes", &self.scopes)
            .field("active", &self.active)
            .field("revoked_by_user", &self.revoked_by_user)
            .finish()
    }
}

/// The simulated ORCID. Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct MockOrcid {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// No trailing slash.
    base_url: String,
    /// Path part of `base_url` without trailing slash ("" when mounted at the root).
    base_path: String,
    secure_cookie: bool,
    clients: Vec<MockClient>,
    /// Behind a lock so the key can be rotated, as ORCID occasionally does.
    key: std::sync::RwLock<Arc<SigningKey>>,
    state: Mutex<State>,
    /// The injected fault and request logs; empty without the `testing` feature.
    hooks: hooks::Hooks,
    state_file: Option<PathBuf>,
    api: member_api::ApiState,
}

/// The state lock was poisoned by a panic elsewhere; handlers answer 500.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unavailable;

impl Inner {
    /// The current signing key.
    pub(crate) fn signing_key(&self) -> Arc<SigningKey> {
        self.key.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl fmt::Debug for MockOrcid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockOrcid")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

impl MockOrcid {
    pub fn new(cfg: MockConfig) -> Result<Self, MockError> {
        let (base_url, base_path, secure_cookie) = params::parse_base_url(&cfg.base_url)?;
        params::check_clients(&cfg.clients)?;
        let key = match &cfg.key_file {
            Some(path) => Arc::new(SigningKey::from_file(path)?),
            None => keys::process_key()?,
        };
        let state = match &cfg.state_file {
            Some(path) => State::load_or_seed(path)?,
            None => State::seeded(),
        };
        let api = member_api::ApiState::new(&base_url);
        let inner = Inner {
            api,
            base_url,
            base_path,
            secure_cookie,
            clients: cfg.clients,
            key: std::sync::RwLock::new(key),
            state: Mutex::new(state),
            hooks: hooks::Hooks::new(),
            state_file: cfg.state_file,
        };
        if let Ok(st) = inner.lock() {
            inner.persist(&st);
        }
        Ok(MockOrcid {
            inner: Arc::new(inner),
        })
    }

    /// Routes relative to base_url (the caller nests it, e.g.
    /// `Router::new().nest("/mock-orcid", mock.router())`).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(pages::index))
            .route("/mock.css", get(pages::stylesheet))
            .route("/userStatus.json", get(pages::user_status))
            .route(
                "/oauth/authorize",
                get(authorize::show).post(authorize::decide),
            )
            .route("/oauth/token", post(token::token))
            .route("/oauth/revoke", post(revoke::revoke))
            .route("/oauth/jwks", get(oidc::jwks))
            .route(
                "/oauth/userinfo",
                get(oidc::userinfo_get).post(oidc::userinfo_post),
            )
            .route("/.well-known/openid-configuration", get(oidc::discovery))
            .route("/{orcid}", get(pages::record))
            .merge(member_api::routes())
            .fallback(pages::not_found)
            .with_state(self.clone())
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

impl Inner {
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, State>, Unavailable> {
        self.state.lock().map_err(|_| {
            tracing::error!("simulated ORCID state lock is poisoned");
            Unavailable
        })
    }

    #[cfg(any(test, feature = "testing"))]
    /// For the test-facing API, which cannot return errors: the state is plain data, so a
    /// poisoned lock still holds a usable value.
    fn lock_or_recover(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&MockClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Writes the state file, if any. Failures are logged, never fatal: the in-memory state
    /// stays authoritative.
    pub(crate) fn persist(&self, st: &State) {
        if let Some(path) = &self.state_file {
            if let Err(e) = st.save(path) {
                tracing::warn!(path = %path.display(), error = %e, "simulated ORCID could not save its state");
            }
        }
    }

    pub(crate) fn record_url(&self, id: &OrcidId) -> String {
        format!("{}/{}", self.base_url, id)
    }
}
