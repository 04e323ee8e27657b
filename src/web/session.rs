//! What idlink keeps in a browser session, under namespaced keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::error::PageError;
use orcid::OrcidId;

const USER: &str = "idlink.user";
const CSRF: &str = "idlink.csrf";
const PENDING: &str = "idlink.oauth_pending";

/// Several tabs may start a sign-in at once; each keeps its own state, up to this many.
const MAX_PENDING: usize = 5;

/// One authorize redirect in flight: its `state`, `nonce` and the scopes asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuth {
    pub state: String,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: i64,
}

/// 256 random bits, URL-safe; used for `state`, `nonce` and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub async fn current_user(session: &Session) -> Result<Option<OrcidId>, PageError> {
    Ok(session.get::<OrcidId>(USER).await?)
}

/// Signs the person in: a new session id first, so an id planted before sign-in is useless.
pub async fn sign_in(session: &Session, orcid: &OrcidId) -> Result<(), PageError> {
    session.cycle_id().await?;
    session.insert(USER, orcid).await?;
    session.insert(CSRF, random_token()).await?;
    Ok(())
}

pub async fn sign_out(session: &Session) -> Result<(), PageError> {
    session.flush().await?;
    Ok(())
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, PageError> {
    if let Some(t) = session.get::<String>(CSRF).await? {
        return Ok(t);
    }
    let t = random_token();
    session.insert(CSRF, &t).await?;
    Ok(t)
}

pub async fn check_csrf(session: &Session, submitted: &str) -> Result<(), PageError> {
    let expected = session.get::<String>(CSRF).await?.unwrap_or_default();
    let ok = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()));
    if ok {
        Ok(())
    } else {
        tracing::warn!("POST refused: CSRF token missing or wrong");
        Err(PageError::csrf())
    }
}

pub async fn push_pending(
    session: &Session,
    pending: PendingAuth,
    ttl_secs: i64,
) -> Result<(), PageError> {
    let mut all: Vec<PendingAuth> = session.get(PENDING).await?.unwrap_or_default();
    all.retain(|p| crate::store::now() - p.created_at <= ttl_secs);
    all.push(pending);
    if all.len() > MAX_PENDING {
        all.remove(0);
    }
    session.insert(PENDING, all).await?;
    Ok(())
}

/// Removes and returns the pending sign-in whose state matches: a state works once.
pub async fn take_pending(
    session: &Session,
    state: &str,
) -> Result<Option<PendingAuth>, PageError> {
    let mut all: Vec<PendingAuth> = session.get(PENDING).await?.unwrap_or_default();
    let found = all
        .iter()
        .position(|p| bool::from(p.state.as_bytes().ct_eq(state.as_bytes())))
        .map(|i| all.remove(i));
    if found.is_some() {
        session.insert(PENDING, all).await?;
    }
    Ok(found)
}
