//! Sign-ins in flight, kept in the browser rather than in the database: anyone can start
//! one without an account, so storing them server-side let anonymous visitors grow the
//! sessions table at will.
//!
//! The browser holds them in one cookie sealed with idlink's key (XChaCha20-Poly1305,
//! [`TokenCipher::seal`]), so it can neither read nor alter them. Each carries its start
//! time inside the seal; the callback refuses one older than `OAUTH_STATE_TTL_SECS`. A
//! state works once: the callback removes it from the cookie, and remembers it as spent
//! until it would have expired anyway, so a copy of an old cookie cannot replay it.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::crypto::TokenCipher;

/// The cookie's name; it is sent only to `/orcid/...` (connect and the callback).
pub const COOKIE: &str = "idlink_signin";
const COOKIE_PATH: &str = "/orcid";
/// Associated data of the seal: a value sealed for anything else does not open here.
const CONTEXT: &str = "idlink.pending_signin.v1";
/// Several tabs may start a sign-in at once; each keeps its own state, up to this many.
const MAX_PENDING: usize = 5;
/// Spent states remembered at most; each entry costs well under 200 bytes.
const MAX_SPENT: u64 = 100_000;

/// One authorize redirect in flight: its `state`, `nonce` and the scopes asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuth {
    pub state: String,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// The invitation this sign-in was started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<i64>,
}

/// The cookie was there but did not open: altered, cut short, or sealed under another key.
#[derive(Debug)]
pub struct Unreadable;

/// The pending sign-ins a browser sent, and whether they changed since.
#[derive(Debug, Default)]
pub struct PendingSignIns {
    all: Vec<PendingAuth>,
    /// The browser sent the cookie: when emptied, it is removed.
    sent: bool,
}

impl PendingSignIns {
    /// Reads the cookie from a request; no cookie is no pending sign-in.
    pub fn from_headers(headers: &HeaderMap, cipher: &TokenCipher) -> Result<Self, Unreadable> {
        let values: Vec<String> = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| Cookie::split_parse(v.to_owned()))
            .filter_map(Result::ok)
            .filter(|c| c.name() == COOKIE)
            .map(|c| c.value().to_owned())
            .collect();
        if values.is_empty() {
            return Ok(Self::default());
        }
        // A browser sends one; should it send more, the first that opens counts.
        values
            .iter()
            .find_map(|v| open(cipher, v))
            .map(|all| Self { all, sent: true })
            .ok_or(Unreadable)
    }

    /// Adds a sign-in, dropping expired ones and the oldest past [`MAX_PENDING`].
    pub fn push(&mut self, pending: PendingAuth, ttl_secs: i64, now: i64) {
        self.all.retain(|p| now - p.created_at <= ttl_secs);
        self.all.push(pending);
        if self.all.len() > MAX_PENDING {
            self.all.remove(0);
        }
    }

    /// Removes and returns the sign-in whose state matches.
    pub fn take(&mut self, state: &str) -> Option<PendingAuth> {
        self.all
            .iter()
            .position(|p| bool::from(p.state.as_bytes().ct_eq(state.as_bytes())))
            .map(|i| self.all.remove(i))
    }

    /// The `Set-Cookie` value that stores what is left (or removes the cookie when nothing
    /// is); `None` when the browser has no cookie and needs none.
    pub fn set_cookie(
        &self,
        cipher: &TokenCipher,
        secure: bool,
        ttl_secs: i64,
    ) -> Option<HeaderValue> {
        if self.all.is_empty() && !self.sent {
            return None;
        }
        let cookie = if self.all.is_empty() {
            cookie(String::new(), secure, 0)
        } else {
            cookie(seal(cipher, &self.all), secure, ttl_secs)
        };
        HeaderValue::try_from(cookie.to_string()).ok()
    }
}

/// A `Set-Cookie` that removes the pending sign-ins (after an unreadable cookie).
pub fn removal(secure: bool) -> HeaderValue {
    HeaderValue::try_from(cookie(String::new(), secure, 0).to_string())
        .expect("a cookie without user data is a valid header")
}

/// `SameSite=Lax` so the cookie comes back with ORCID's top-level redirect to the callback.
fn cookie(value: String, secure: bool, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

pub fn seal(cipher: &TokenCipher, all: &[PendingAuth]) -> String {
    let json = serde_json::to_vec(all).expect("pending sign-ins serialise");
    URL_SAFE_NO_PAD.encode(cipher.seal(&json, CONTEXT))
}

pub fn open(cipher: &TokenCipher, value: &str) -> Option<Vec<PendingAuth>> {
    let sealed = URL_SAFE_NO_PAD.decode(value).ok()?;
    let json = cipher.open(&sealed, CONTEXT).ok()?;
    serde_json::from_slice(&json).ok()
}

/// States already used, kept until they would have expired: with the sign-ins in the
/// browser, this is what makes a state work once even if an old cookie is sent again.
#[derive(Clone)]
pub struct SpentStates {
    spent: moka::sync::Cache<String, ()>,
}

impl SpentStates {
    pub fn new(ttl: Duration) -> Self {
        Self {
            spent: moka::sync::Cache::builder()
                .max_capacity(MAX_SPENT)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// Marks `state` spent; false if it already was.
    pub fn spend(&self, state: &str) -> bool {
        let entry = self.spent.entry(state.to_owned()).or_insert(());
        entry.is_fresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> TokenCipher {
        TokenCipher::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32]))
            .unwrap()
    }

    fn pending(state: &str, created_at: i64) -> PendingAuth {
        PendingAuth {
            state: state.into(),
            nonce: Some("n".into()),
            scopes: vec!["openid".into()],
            created_at,
            invitation: None,
        }
    }

    fn request_with(cookie: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::try_from(cookie).unwrap());
        h
    }

    #[test]
    fn sealed_cookie_round_trips_and_hides_its_content() {
        let c = cipher();
        let mut signins = PendingSignIns::default();
        signins.push(pending("the-state-value", 100), 600, 100);
        let set = signins.set_cookie(&c, true, 600).unwrap();
        let set = set.to_str().unwrap();
        for attr in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/orcid",
            "Max-Age=600",
        ] {
            assert!(set.contains(attr), "{attr}: {set}");
        }
        assert!(!set.contains("the-state-value"));
        let value = set.split(';').next().unwrap();
        let mut back =
            PendingSignIns::from_headers(&request_with(&format!("a=b; {value}")), &c).unwrap();
        assert_eq!(back.take("the-state-value").unwrap().created_at, 100);
        assert!(back.take("the-state-value").is_none());
        // Emptied: the cookie is removed.
        let removal = back.set_cookie(&c, false, 600).unwrap();
        assert!(removal.to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn altered_or_foreign_cookies_are_unreadable() {
        let c = cipher();
        let good = seal(&c, &[pending("s", 1)]);
        let mut bytes = URL_SAFE_NO_PAD.decode(&good).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        let other =
            TokenCipher::from_base64(&base64::engine::general_purpose::STANDARD.encode([8u8; 32]))
                .unwrap();
        for bad in [
            URL_SAFE_NO_PAD.encode(&bytes),
            seal(&other, &[pending("s", 1)]),
            URL_SAFE_NO_PAD.encode(c.seal(b"[]", "another.context")),
            "not base64!".into(),
            String::new(),
        ] {
            let h = request_with(&format!("{COOKIE}={bad}"));
            assert!(PendingSignIns::from_headers(&h, &c).is_err(), "{bad:?}");
        }
        assert!(PendingSignIns::from_headers(&HeaderMap::new(), &c)
            .unwrap()
            .set_cookie(&c, false, 600)
            .is_none());
    }

    #[test]
    fn keeps_the_newest_unexpired_few() {
        let mut signins = PendingSignIns::default();
        signins.push(pending("old", 0), 600, 0);
        signins.push(pending("a", 700), 600, 700);
        assert!(signins.take("old").is_none(), "expired ones are dropped");
        for i in 0..MAX_PENDING {
            signins.push(pending(&format!("s{i}"), 700), 600, 700);
        }
        assert!(signins.take("a").is_none(), "the oldest goes past the cap");
        assert!(signins.take("s0").is_some());
    }

    #[test]
    fn a_state_is_spent_once() {
        let spent = SpentStates::new(Duration::from_secs(600));
        assert!(spent.spend("x"));
        assert!(!spent.spend("x"));
        assert!(spent.spend("y"));
    }
}
