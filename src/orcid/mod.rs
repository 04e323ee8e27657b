//! The ORCID client. Nothing in here knows about axum: it could become its own crate.

pub mod api;
pub mod errors;
pub mod external_ids;
pub mod id;
pub mod limiter;
pub mod model;
pub mod oauth;
pub mod oidc;
pub mod scopes;
pub mod work_types;

use std::sync::Arc;

use secrecy::SecretString;
use url::Url;

pub use api::ApiError;
pub use errors::{OAuthErrorBody, OrcidError};
pub use id::{OrcidId, OrcidIdError};
pub use oauth::{AuthorizeRequest, TokenResponse};

use crate::config::{OrcidEndpoints, Settings};
use crate::metrics::Metrics;

/// Everything idlink says to ORCID goes through one of these (cheap to clone).
#[derive(Clone)]
pub struct OrcidClient {
    inner: Arc<Inner>,
}

pub struct Inner {
    http: reqwest::Client,
    endpoints: OrcidEndpoints,
    client_id: String,
    client_secret: SecretString,
    jwks: oidc::JwksCache,
    metrics: Metrics,
    limiter: limiter::Limiter,
    retry: limiter::RetryPolicy,
}

impl std::ops::Deref for OrcidClient {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl OrcidClient {
    pub fn new(settings: &Settings, metrics: Metrics) -> Result<Self, reqwest::Error> {
        // One client for the whole process: redirects off, every call bounded in time.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.orcid_timeout)
            .connect_timeout(
                settings
                    .orcid_timeout
                    .min(std::time::Duration::from_secs(5)),
            )
            .user_agent(concat!("idlink/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoints: settings.endpoints.clone(),
                client_id: settings.client_id.clone(),
                client_secret: settings.client_secret.clone(),
                jwks: oidc::JwksCache::default(),
                metrics,
                limiter: limiter::Limiter::for_orcid(settings.rate_per_sec, settings.burst),
                retry: limiter::RetryPolicy::default(),
            }),
        })
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
            Err(e) => {
                tracing::warn!(endpoint, error = %e, "ORCID call failed");
                e.outcome()
            }
        };
        self.metrics.orcid_call(endpoint, outcome);
    }
}
