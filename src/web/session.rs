//! What idlink keeps in a browser session, under namespaced keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::error::PageError;
use orcid::OrcidId;

const USER: &str = "idlink.user";
const CSRF: &str = "idlink.csrf";

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

/// The CSRF token to embed in the page being drawn, created on first use.
///
/// Pages are compressed, so a secret repeated unchanged on every page beside reflected
/// input can be recovered from response sizes (BREACH). What a page carries is therefore
/// masked afresh each time: `base64url(pad || (pad XOR token))` with a new random pad, as
/// Django and Rails do. [`check_csrf`] unmasks it.
pub async fn csrf_token(session: &Session) -> Result<String, PageError> {
    let token = match session.get::<String>(CSRF).await? {
        Some(t) => t,
        None => {
            let t = random_token();
            session.insert(CSRF, &t).await?;
            t
        }
    };
    Ok(mask(&token))
}

/// Accepts a masked token (see [`csrf_token`]) that unmasks to the session's token.
pub async fn check_csrf(session: &Session, submitted: &str) -> Result<(), PageError> {
    let expected = session.get::<String>(CSRF).await?.unwrap_or_default();
    if !expected.is_empty() && unmasks_to(submitted, &expected) {
        Ok(())
    } else {
        tracing::warn!("POST refused: CSRF token missing or wrong");
        Err(PageError::csrf())
    }
}

fn mask(token: &str) -> String {
    let token = token.as_bytes();
    let mut pad = vec![0u8; token.len()];
    rand::rngs::OsRng.fill_bytes(&mut pad);
    let masked: Vec<u8> = pad.iter().zip(token).map(|(p, t)| p ^ t).collect();
    pad.extend_from_slice(&masked);
    URL_SAFE_NO_PAD.encode(pad)
}

/// Whether `submitted` is some masking of `expected`; compared in constant time.
fn unmasks_to(submitted: &str, expected: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(submitted) else {
        return false;
    };
    if bytes.len() != 2 * expected.len() {
        return false;
    }
    let (pad, masked) = bytes.split_at(expected.len());
    let token: Vec<u8> = pad.iter().zip(masked).map(|(p, m)| p ^ m).collect();
    bool::from(token.ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_masking_differs_and_unmasks_to_the_token() {
        let token = random_token();
        let (a, b) = (mask(&token), mask(&token));
        assert_ne!(a, b);
        assert!(!a.contains(&token));
        assert!(unmasks_to(&a, &token) && unmasks_to(&b, &token));
    }

    #[test]
    fn other_tokens_and_junk_are_refused() {
        let token = random_token();
        assert!(!unmasks_to(&mask(&random_token()), &token));
        // The bare token, as pages carried it before masking, is no longer accepted.
        assert!(!unmasks_to(&token, &token));
        for junk in ["", "x", "!!!!", &mask(&token)[1..]] {
            assert!(!unmasks_to(junk, &token), "{junk:?}");
        }
    }
}
