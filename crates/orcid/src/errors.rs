//! ORCID's error answers turned into typed errors, so callers can tell a person what happened.

use serde::Deserialize;

/// The OAuth error body: `{"error":"invalid_grant","error_description":"…"}` (orcid-api.md §3).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct OAuthErrorBody {
    pub error: String,
    #[serde(default, alias = "error-description")]
    pub error_description: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OrcidError {
    #[error("ORCID did not answer within the time limit")]
    Timeout,
    #[error("ORCID could not be reached: {0}")]
    Unreachable(String),
    /// An OAuth error from /oauth/token or /oauth/revoke.
    #[error("ORCID refused the request: {} ({status})", .body.error)]
    OAuth { status: u16, body: OAuthErrorBody },
    #[error("ORCID answered with HTTP {status}")]
    Status { status: u16 },
    #[error("ORCID's answer could not be understood: {0}")]
    InvalidResponse(String),
    #[error("ORCID's sign-in proof (id_token) failed verification: {0}")]
    IdToken(String),
    /// Not sent: idlink's own limits held the call back.
    #[error(transparent)]
    Held(#[from] crate::Held),
}

impl OrcidError {
    /// A short label for metrics (`outcome`).
    pub fn outcome(&self) -> &'static str {
        match self {
            OrcidError::Timeout => "timeout",
            OrcidError::Unreachable(_) => "unreachable",
            OrcidError::OAuth { .. } => "oauth_error",
            OrcidError::Status { status } if *status >= 500 => "server_error",
            OrcidError::Status { .. } => "client_error",
            OrcidError::InvalidResponse(_) => "invalid_response",
            OrcidError::IdToken(_) => "id_token_rejected",
            OrcidError::Held(h) => h.outcome(),
        }
    }

    /// Whether idlink's own limits held the call back, and which.
    pub fn held(&self) -> Option<crate::Held> {
        match self {
            OrcidError::Held(h) => Some(*h),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            OrcidError::Timeout
        } else if e.is_decode() {
            OrcidError::InvalidResponse(e.to_string())
        } else {
            // reqwest's message carries the URL but never a request body or header.
            OrcidError::Unreachable(without_url(&e))
        }
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(url.as_str(), url.path());
    }
    msg
}
