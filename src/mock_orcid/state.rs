//! What the simulated registry remembers: test researchers, sign-in sessions,
//! authorization codes and tokens, optionally persisted as one JSON file.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::MockError;
use crate::orcid::OrcidId;

/// Authorization codes are single use and valid for 10 minutes.
pub(crate) const CODE_LIFETIME_SECS: u64 = 600;
/// `expires_in` of every token ORCID issues: about 20 years.
pub(crate) const TOKEN_LIFETIME_SECS: u64 = 631_138_518;
/// Used codes are remembered this long, so reuse is still detected.
const CODE_MEMORY_SECS: u64 = 24 * 3600;
const SESSION_LIFETIME_SECS: u64 = 7 * 24 * 3600;
const MAX_SESSIONS: usize = 10_000;

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) fn random_alnum(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Researcher {
    pub orcid: OrcidId,
    pub given_names: String,
    pub family_name: String,
    #[serde(default)]
    pub email: Option<String>,
}

impl Researcher {
    /// The public display name, as ORCID puts it in the token response's `name`.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_names, self.family_name)
            .trim()
            .to_owned()
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub csrf: String,
    pub researcher: Option<OrcidId>,
    pub auth_time: Option<u64>,
    pub created_at: u64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub orcid: OrcidId,
    pub auth_time: u64,
    pub created_at: u64,
    /// Set once the code has been presented; a used code is never honoured again.
    pub used: bool,
    /// Access tokens issued from this code (disabled if the code is reused).
    pub tokens: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DisabledReason {
    ClientRevoked,
    UserRevoked,
    AuthCodeReused,
    RevokeOld,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub access_token: String,
    pub refresh_token: String,
    pub client_id: String,
    pub orcid: Option<OrcidId>,
    pub scopes: Vec<String>,
    pub issued_at: u64,
    pub expires_at: u64,
    pub auth_time: Option<u64>,
    pub disabled: Option<DisabledReason>,
}

impl TokenRecord {
    pub fn is_active(&self, now: u64) -> bool {
        self.disabled.is_none() && now < self.expires_at
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("client_id", &self.client_id)
            .field("orcid", &self.orcid)
            .field("scopes", &self.scopes)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// Data for a new token pair.
pub(crate) struct NewToken {
    pub client_id: String,
    pub orcid: Option<OrcidId>,
    pub scopes: Vec<String>,
    pub expires_at: u64,
    pub auth_time: Option<u64>,
}

#[derive(Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub researchers: Vec<Researcher>,
    #[serde(default)]
    pub sessions: HashMap<String, Session>,
    #[serde(default)]
    pub codes: HashMap<String, CodeRecord>,
    /// By access token value.
    #[serde(default)]
    pub tokens: HashMap<String, TokenRecord>,
    /// Refresh token value to access token value.
    #[serde(skip)]
    pub refresh_index: HashMap<String, String>,
    #[serde(skip)]
    pub revoke_log: Vec<String>,
}

impl State {
    /// A fresh registry with two test researchers to pick in the demo.
    pub fn seeded() -> Self {
        let mut st = State::default();
        st.insert_researcher(
            OrcidId::from_base_digits(900_012_345_678),
            "Sofia",
            "Garcia",
        );
        st.insert_researcher(OrcidId::from_base_digits(900_087_654_321), "Tomás", "Ng");
        st
    }

    pub fn load_or_seed(path: &Path) -> Result<Self, MockError> {
        let err = |message: String| MockError::StateFile {
            path: path.to_owned(),
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::seeded()),
            Err(e) => return Err(err(e.to_string())),
        };
        let mut st: State = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        st.refresh_index = st
            .tokens
            .values()
            .map(|t| (t.refresh_token.clone(), t.access_token.clone()))
            .collect();
        Ok(st)
    }

    /// Writes the whole state to a temporary file (mode 0600) and renames it into place.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("tmp");
        // A leftover temporary file may have looser permissions; start afresh.
        let _ = std::fs::remove_file(&tmp);
        let mut file = super::keys::create_private_file(&tmp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }

    pub fn researcher(&self, id: &OrcidId) -> Option<&Researcher> {
        self.researchers.iter().find(|r| &r.orcid == id)
    }

    pub fn researcher_by_email(&self, email: &str) -> Option<&Researcher> {
        self.researchers.iter().find(|r| {
            r.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }

    pub fn insert_researcher(&mut self, orcid: OrcidId, given: &str, family: &str) {
        self.researchers.retain(|r| r.orcid != orcid);
        self.researchers.push(Researcher {
            orcid,
            given_names: given.to_owned(),
            family_name: family.to_owned(),
            email: None,
        });
    }

    /// Mints a fresh iD in the 0009-… block ORCID assigns today.
    pub fn add_researcher(&mut self, given: &str, family: &str, email: Option<String>) -> OrcidId {
        let mut rng = rand::thread_rng();
        let orcid = loop {
            let id = OrcidId::from_base_digits(rng.gen_range(900_000_000_000..1_000_000_000_000));
            if self.researcher(&id).is_none() {
                break id;
            }
        };
        self.insert_researcher(orcid, given, family);
        if let Some(r) = self.researchers.last_mut() {
            r.email = email;
        }
        orcid
    }

    /// A new anonymous sign-in session; returns its id.
    pub fn new_session(&mut self, researcher: Option<OrcidId>, auth_time: Option<u64>) -> String {
        let now = now();
        self.sessions
            .retain(|_, s| now.saturating_sub(s.created_at) < SESSION_LIFETIME_SECS);
        if self.sessions.len() >= MAX_SESSIONS {
            let oldest = self
                .sessions
                .iter()
                .min_by_key(|(_, s)| s.created_at)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.sessions.remove(&k);
            }
        }
        let sid = random_alnum(32);
        self.sessions.insert(
            sid.clone(),
            Session {
                csrf: random_alnum(32),
                researcher,
                auth_time,
                created_at: now,
            },
        );
        sid
    }

    /// Issues a fresh 6-character base-62 code.
    pub fn issue_code(&mut self, mut record: CodeRecord) -> String {
        let now = now();
        self.codes
            .retain(|_, c| now.saturating_sub(c.created_at) < CODE_MEMORY_SECS);
        let code = loop {
            let c = random_alnum(6);
            if !self.codes.contains_key(&c) {
                break c;
            }
        };
        record.created_at = now;
        record.used = false;
        record.tokens.clear();
        self.codes.insert(code.clone(), record);
        code
    }

    pub fn issue_token(&mut self, new: NewToken) -> TokenRecord {
        let record = TokenRecord {
            access_token: uuid::Uuid::new_v4().to_string(),
            refresh_token: uuid::Uuid::new_v4().to_string(),
            client_id: new.client_id,
            orcid: new.orcid,
            scopes: new.scopes,
            issued_at: now(),
            expires_at: new.expires_at,
            auth_time: new.auth_time,
            disabled: None,
        };
        self.refresh_index
            .insert(record.refresh_token.clone(), record.access_token.clone());
        self.tokens
            .insert(record.access_token.clone(), record.clone());
        record
    }

    /// Finds a pair by its access or its refresh token.
    pub fn pair_mut(&mut self, token: &str) -> Option<&mut TokenRecord> {
        let key = if self.tokens.contains_key(token) {
            token.to_owned()
        } else {
            self.refresh_index.get(token)?.clone()
        };
        self.tokens.get_mut(&key)
    }

    pub fn by_refresh(&self, refresh: &str) -> Option<&TokenRecord> {
        self.tokens.get(self.refresh_index.get(refresh)?)
    }

    pub fn disable(&mut self, access_token: &str, reason: DisabledReason) {
        if let Some(t) = self.tokens.get_mut(access_token) {
            if t.disabled.is_none() {
                t.disabled = Some(reason);
            }
        }
    }

    /// Does the researcher already hold an active token of this client covering `scopes`?
    /// (ORCID then lets `prompt=none` through without asking again.)
    pub fn has_authorization(&self, orcid: &OrcidId, client_id: &str, scopes: &[String]) -> bool {
        let now = now();
        self.tokens.values().any(|t| {
            t.orcid.as_ref() == Some(orcid)
                && t.client_id == client_id
                && t.is_active(now)
                && scopes.iter().all(|s| t.has_scope(s))
        })
    }
}
