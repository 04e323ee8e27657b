//! What the simulated registry remembers: test researchers, sign-in sessions,
//! authorization codes and tokens, optionally persisted as one JSON file.
//!
//! Like a real authorization server it keeps only SHA-256 digests of the access and refresh
//! tokens it issues ([`TokenHash`]); the raw values exist only in the token response (and, with
//! the `testing` feature, in the in-memory revoke log of `hooks`), so the state file holds no
//! usable token.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::affiliations_store::AffiliationsStore;
use super::works_store::WorksStore;
use super::MockError;
use orcid::OrcidId;

/// Authorization codes are single use and valid for 10 minutes.
pub(crate) const CODE_LIFETIME_SECS: u64 = 600;
/// `expires_in` of every token ORCID issues: about 20 years.
pub(crate) const TOKEN_LIFETIME_SECS: u64 = 631_138_518;
/// Used codes are remembered this long, so reuse is still detected.
const CODE_MEMORY_SECS: u64 = 24 * 3600;
const SESSION_LIFETIME_SECS: u64 = 7 * 24 * 3600;
const MAX_SESSIONS: usize = 10_000;
/// Format of the state file. 1 (or no `version`): tokens in plain text, migrated on load.
/// 2: tokens only as [`TokenHash`] digests.
const STATE_VERSION: u64 = 2;

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

/// The SHA-256 digest (base64url, no padding) of an access or refresh token: all the
/// registry stores, and what it looks a presented token up by.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct TokenHash(String);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        TokenHash(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({})", self.0)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Researcher {
    pub orcid: OrcidId,
    pub given_names: String,
    pub family_name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The person made their email public (visible to `/read-public`), not only to
    /// trusted parties.
    #[serde(default)]
    pub email_public: bool,
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
    /// Digests of the access tokens issued from this code (disabled if the code is reused).
    pub tokens: Vec<TokenHash>,
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
    pub access_hash: TokenHash,
    pub refresh_hash: TokenHash,
    pub client_id: String,
    pub orcid: Option<OrcidId>,
    pub scopes: Vec<String>,
    pub issued_at: u64,
    pub expires_at: u64,
    /// When the access token alone stops working, earlier than the pair (a test control):
    /// the refresh token still gets a new pair, as an expired ORCID access token's does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<u64>,
    pub auth_time: Option<u64>,
    pub disabled: Option<DisabledReason>,
}

impl TokenRecord {
    /// The access token works for API calls.
    pub fn is_active(&self, now: u64) -> bool {
        self.is_live(now) && self.access_expires_at.is_none_or(|t| now < t)
    }

    /// The grant still stands: not revoked, and its refresh token can still be used.
    pub fn is_live(&self, now: u64) -> bool {
        self.disabled.is_none() && now < self.expires_at
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("client_id", &self.client_id)
            .field("orcid", &self.orcid)
            .field("scopes", &self.scopes)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// A pair just issued: the only place the raw token values exist, for the token response.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub record: TokenRecord,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("record", &self.record)
            .finish()
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
    /// [`STATE_VERSION`] when written; see [`State::load_or_seed`] for older files.
    #[serde(default)]
    pub version: u64,
    pub researchers: Vec<Researcher>,
    #[serde(default)]
    pub sessions: HashMap<String, Session>,
    #[serde(default)]
    pub codes: HashMap<String, CodeRecord>,
    /// By digest of the access token.
    #[serde(default)]
    pub tokens: HashMap<TokenHash, TokenRecord>,
    /// Digest of the refresh token to digest of the access token (rebuilt on load).
    #[serde(skip)]
    pub refresh_index: HashMap<TokenHash, TokenHash>,
    /// Works of every record; seeded works are regenerated on load, not stored.
    #[serde(default)]
    pub works: WorksStore,
    /// Affiliations of every record, all seven sections; seeded ones as for works.
    #[serde(default)]
    pub affiliations: AffiliationsStore,
}

impl State {
    /// A fresh registry with two test researchers to pick in the demo.
    pub fn seeded() -> Self {
        let mut st = State {
            version: STATE_VERSION,
            ..State::default()
        };
        for (digits, given, family) in super::seed_ids::RESEARCHERS {
            st.insert_researcher(OrcidId::from_base_digits(digits), given, family);
        }
        st.plant_seeded_works();
        st
    }

    /// Regenerates the seeded works and affiliations of the seeded researchers present
    /// (see `seed` and `seed_affiliations`).
    fn plant_seeded_works(&mut self) {
        let ids: Vec<OrcidId> = self.researchers.iter().map(|r| r.orcid).collect();
        self.works.plant_seeds(&ids);
        self.affiliations.plant_seeds(&ids);
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
        let mut value: Value = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        let version = value.get("version").and_then(Value::as_u64).unwrap_or(1);
        if version > STATE_VERSION {
            return Err(err(format!(
                "written in format {version}, newer than this build's {STATE_VERSION}"
            )));
        }
        if version < 2 {
            // The caller saves the state right after loading, which replaces the plain text.
            hash_legacy_tokens(&mut value).map_err(err)?;
        }
        let mut st: State = serde_json::from_value(value).map_err(|e| err(e.to_string()))?;
        st.version = STATE_VERSION;
        // "Prolific Author" joined the seeded researchers after the first state files.
        let (digits, given, family) = super::seed_ids::RESEARCHERS[2];
        let prolific = OrcidId::from_base_digits(digits);
        if st.researcher(&prolific).is_none() {
            st.insert_researcher(prolific, given, family);
        }
        st.plant_seeded_works();
        st.refresh_index = st
            .tokens
            .values()
            .map(|t| (t.refresh_hash.clone(), t.access_hash.clone()))
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
            email_public: false,
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

    /// Mints a token pair; the raw values are returned, only their digests are kept.
    pub fn issue_token(&mut self, new: NewToken) -> Issued {
        let access_token = uuid::Uuid::new_v4().to_string();
        let refresh_token = uuid::Uuid::new_v4().to_string();
        let record = TokenRecord {
            access_hash: TokenHash::of(&access_token),
            refresh_hash: TokenHash::of(&refresh_token),
            client_id: new.client_id,
            orcid: new.orcid,
            scopes: new.scopes,
            issued_at: now(),
            expires_at: new.expires_at,
            access_expires_at: None,
            auth_time: new.auth_time,
            disabled: None,
        };
        self.refresh_index
            .insert(record.refresh_hash.clone(), record.access_hash.clone());
        self.tokens
            .insert(record.access_hash.clone(), record.clone());
        Issued {
            access_token,
            refresh_token,
            record,
        }
    }

    /// Finds a pair by its raw access token.
    pub fn by_access(&self, access_token: &str) -> Option<&TokenRecord> {
        self.tokens.get(&TokenHash::of(access_token))
    }

    /// Finds a pair by its raw access or its raw refresh token.
    pub fn pair_mut(&mut self, token: &str) -> Option<&mut TokenRecord> {
        let hash = TokenHash::of(token);
        let key = if self.tokens.contains_key(&hash) {
            hash
        } else {
            self.refresh_index.get(&hash)?.clone()
        };
        self.tokens.get_mut(&key)
    }

    /// Finds a pair by its raw refresh token.
    pub fn by_refresh(&self, refresh_token: &str) -> Option<&TokenRecord> {
        self.tokens
            .get(self.refresh_index.get(&TokenHash::of(refresh_token))?)
    }

    pub fn disable(&mut self, access_hash: &TokenHash, reason: DisabledReason) {
        if let Some(t) = self.tokens.get_mut(access_hash) {
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

/// Rewrites a format-1 state (raw tokens as the `tokens` keys, in `access_token` /
/// `refresh_token` and in each code's `tokens`) into format 2, digests only.
fn hash_legacy_tokens(state: &mut Value) -> Result<(), String> {
    let digest = |v: &Value, what: &str| -> Result<Value, String> {
        let raw = v
            .as_str()
            .ok_or_else(|| format!("{what} is not a string"))?;
        Ok(Value::String(TokenHash::of(raw).0))
    };
    if let Some(tokens) = state.get_mut("tokens").and_then(Value::as_object_mut) {
        let old = std::mem::take(tokens);
        for (_, mut record) in old {
            let Some(fields) = record.as_object_mut() else {
                return Err("a token record is not an object".to_owned());
            };
            let access = fields
                .remove("access_token")
                .ok_or("a token record has no access_token")?;
            let refresh = fields
                .remove("refresh_token")
                .ok_or("a token record has no refresh_token")?;
            let access_hash = digest(&access, "access_token")?;
            fields.insert("access_hash".to_owned(), access_hash.clone());
            fields.insert(
                "refresh_hash".to_owned(),
                digest(&refresh, "refresh_token")?,
            );
            if let Value::String(key) = access_hash {
                tokens.insert(key, record);
            }
        }
    }
    if let Some(codes) = state.get_mut("codes").and_then(Value::as_object_mut) {
        for code in codes.values_mut() {
            if let Some(list) = code.get_mut("tokens").and_then(Value::as_array_mut) {
                for t in list.iter_mut() {
                    *t = digest(t, "a code's token")?;
                }
            }
        }
    }
    if let Some(fields) = state.as_object_mut() {
        fields.insert("version".to_owned(), Value::from(STATE_VERSION));
    }
    Ok(())
}
