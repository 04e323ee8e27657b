//! Settings: every one is an environment variable and a CLI flag (DESIGN.md's table).
//! `Config` is what the person typed; [`Settings`] is the checked, resolved form the
//! rest of idlink uses, so invalid combinations are refused once, at start-up.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::HeaderName;
use clap::{Parser, ValueEnum};
use secrecy::SecretString;
use url::Url;

use orcid::{is_client_id, ClientConfig, Endpoints, OrcidId};

mod invite;
mod mail;
mod org;

use invite::InviteInput;
pub use invite::InviteSettings;
use mail::MailInput;
pub use mail::{MailRoute, MailSettings, SmtpSecurity, SmtpServer, DEMO_MAIL_FROM};
pub use org::InstitutionOrg;
use org::OrgInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrcidEnv {
    /// The built-in simulated ORCID, mounted at /mock-orcid (demo mode, tests).
    Mock,
    /// ORCID's sandbox: sandbox.orcid.org, api.sandbox.orcid.org.
    Sandbox,
    /// The real registry: orcid.org, api.orcid.org.
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// idlink lets your researchers connect their ORCID iD, and lets your institution read
/// and write their ORCID records through the ORCID Member API v3.0.
///
/// With no settings at all it starts in demo mode against a built-in simulated ORCID.
#[derive(Debug, Clone, Parser)]
#[command(name = "idlink", version, about, long_about)]
pub struct Config {
    /// Address and port to listen on (the container uses 0.0.0.0:8080).
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
    pub bind_addr: SocketAddr,

    /// The external base URL researchers use; ORCID redirects back to PUBLIC_URL/orcid/callback,
    /// so register exactly that redirect URI. Cookies are marked Secure when it is https.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://localhost:8080")]
    pub public_url: Url,

    /// SQLite database; the file and its folder are created if missing. The folder also
    /// holds the generated token key when TOKEN_KEY is not set.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/idlink.db")]
    pub database_url: String,

    /// Which ORCID to talk to. Default: sandbox when ORCID_CLIENT_ID is set; mock (demo mode)
    /// only when no ORCID client or URL setting is given at all; a partial set is refused.
    #[arg(long, env = "ORCID_ENV", value_enum)]
    pub orcid_env: Option<OrcidEnv>,

    /// Your ORCID API client id (APP-XXXXXXXXXXXXXXXX), from ORCID's developer tools or member credentials.
    #[arg(long, env = "ORCID_CLIENT_ID")]
    pub orcid_client_id: Option<String>,

    /// The client secret that goes with ORCID_CLIENT_ID. Required for sandbox and production.
    #[arg(long, env = "ORCID_CLIENT_SECRET", hide_env_values = true)]
    pub orcid_client_secret: Option<String>,

    /// Override the ORCID registry URL (authorize, token, revoke, JWKS, userinfo). http:// is
    /// accepted for local simulators. Moves traffic only: iDs still link to the real registry.
    #[arg(long, env = "ORCID_BASE_URL")]
    pub orcid_base_url: Option<Url>,

    /// Override the Member API root (paths /v3.0/...).
    #[arg(long, env = "ORCID_API_URL")]
    pub orcid_api_url: Option<Url>,

    /// Override the Public API root.
    #[arg(long, env = "ORCID_PUBLIC_API_URL")]
    pub orcid_public_api_url: Option<Url>,

    /// Space-separated scopes researchers are asked for. Use openid or /authenticate, not both.
    #[arg(
        long,
        env = "ORCID_SCOPES",
        default_value = "openid /read-limited /activities/update"
    )]
    pub orcid_scopes: String,

    /// Client-side limit on ORCID API calls per second, shared by everything in the process.
    #[arg(long, env = "ORCID_RATE_PER_SEC", default_value_t = 24)]
    pub orcid_rate_per_sec: u32,

    /// Burst allowed above ORCID_RATE_PER_SEC.
    #[arg(long, env = "ORCID_BURST", default_value_t = 40)]
    pub orcid_burst: u32,

    /// Seconds to wait for any one ORCID call before giving up.
    #[arg(long, env = "ORCID_TIMEOUT_SECS", default_value_t = 10)]
    pub orcid_timeout_secs: u64,

    /// Longest a person's request waits for its turn at the ORCID rate limit (people go
    /// before bulk pushes); past it they see "ORCID is busy, try again in a minute" (503).
    #[arg(long, env = "ORCID_QUEUE_WAIT_SECS", default_value_t = 5)]
    pub orcid_queue_wait_secs: u64,

    /// ORCID calls a minute one person's requests may cause (their own page, their works,
    /// a staff member's reconciliation reads); past it they see a 429 page saying when to
    /// try again. Bulk pushes are not counted.
    #[arg(long, env = "RESEARCHER_ORCID_PER_MINUTE", default_value_t = 20)]
    pub researcher_orcid_per_minute: u32,

    /// Burst allowed above RESEARCHER_ORCID_PER_MINUTE.
    #[arg(long, env = "RESEARCHER_ORCID_BURST", default_value_t = 10)]
    pub researcher_orcid_burst: u32,

    /// Minutes after which a researcher's works are fetched from ORCID again when they
    /// open their page (they can also refresh by hand).
    #[arg(long, env = "WORKS_REFRESH_MINUTES", default_value_t = 15)]
    pub works_refresh_minutes: u32,

    /// Seconds before a failed revocation at ORCID (of a grant idlink gave up) is tried
    /// again; each further failure doubles the wait, up to six hours. 1 to 3600.
    #[arg(long, env = "REVOKE_RETRY_SECS", default_value_t = 60)]
    pub revoke_retry_secs: u64,
    /// Days between two background checks of each researcher's grant with ORCID (one
    /// small read on capacity nobody else is using; a refused grant is marked revoked).
    /// Checks are spread over the period. 1 to 365.
    #[arg(long, env = "TOKEN_CHECK_DAYS", default_value_t = 7)]
    pub token_check_days: u32,
    /// Seconds after a refresh of a record's works from ORCID before another one starts;
    /// a refresh asked for sooner, or while one runs, is answered "already refreshing".
    #[arg(long, env = "WORKS_REFRESH_COOLDOWN_SECS", default_value_t = 10)]
    pub works_refresh_cooldown_secs: u64,

    /// Comma-separated ORCID iDs that get the staff role when they sign in. In demo mode
    /// the simulated researcher Sofia Garcia (0009-0001-2345-6786) is staff as well.
    #[arg(long, env = "STAFF_ORCIDS", default_value = "")]
    pub staff_orcids: String,

    /// Base64 of 32 random bytes (openssl rand -base64 32); ORCID tokens are encrypted at rest
    /// with it. If unset, a key is generated into the data folder (mode 0600) with a warning.
    /// Losing it makes stored tokens unreadable: researchers would have to reconnect.
    #[arg(long, env = "TOKEN_KEY", hide_env_values = true)]
    pub token_key: Option<String>,

    /// Your institution's name, shown on pages and in the consent explanation.
    #[arg(long, env = "INSTITUTION_NAME", default_value = "Your institution")]
    pub institution_name: String,

    /// Seconds a started sign-in may take at ORCID before its state is refused. ORCID's
    /// codes live 10 minutes; tests shorten this.
    #[arg(long, env = "OAUTH_STATE_TTL_SECS", default_value_t = 600, hide = true)]
    pub oauth_state_ttl_secs: u64,

    /// Seconds a client has to send a request's headers, counted from the connection's
    /// opening or from the first byte of a later request. Slower clients are disconnected.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,

    /// Seconds a client has to send a whole request body (uploads included); past it the
    /// request fails. Raise it for large uploads over slow links.
    #[arg(long, env = "REQUEST_BODY_TIMEOUT_SECS", default_value_t = 60)]
    pub request_body_timeout_secs: u64,

    /// Seconds an idle keep-alive connection stays open waiting for the next request. Keep it
    /// above the idle timeout of a reverse proxy in front (nginx: 60 s).
    #[arg(long, env = "KEEP_ALIVE_TIMEOUT_SECS", default_value_t = 75)]
    pub keep_alive_timeout_secs: u64,

    /// Seconds one request may take from its headers to its answer's headers, body and ORCID
    /// calls included; past it the person sees "this took too long" (503).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 120)]
    pub request_timeout_secs: u64,

    /// Most client connections open at once; more get a short 503 and are closed. Keep it
    /// well below the open-file limit (ulimit -n).
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,

    /// Sign-ins one client address may start per minute (GET /orcid/connect); more get a
    /// 429 with Retry-After.
    #[arg(long, env = "CONNECT_RATE_PER_MIN", default_value_t = 30)]
    pub connect_rate_per_min: u32,

    /// Sign-ins one client address may start in a quick burst before CONNECT_RATE_PER_MIN
    /// applies.
    #[arg(long, env = "CONNECT_BURST", default_value_t = 10)]
    pub connect_burst: u32,

    /// Request header that carries the client's address, added by your reverse proxy (e.g.
    /// X-Forwarded-For; its right-most entry is used). Set it ONLY behind a proxy that sets
    /// or appends it, or clients choose their own address. Unset: the socket peer's address.
    #[arg(long, env = "TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,

    /// Bearer token that /metrics requires (Authorization: Bearer <token>), at least 16
    /// characters, e.g. from: openssl rand -hex 32. Unset: /metrics is not served (404).
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Most data rows a bulk-upload CSV file may have; a longer file is refused whole,
    /// before anything is stored, with a message to split it.
    #[arg(long, env = "UPLOAD_MAX_ROWS", default_value_t = 50_000)]
    pub upload_max_rows: usize,

    /// Most values on any line of a bulk-upload CSV file (at least 12, the template's
    /// columns); a wider file is refused whole, before anything is stored.
    #[arg(long, env = "UPLOAD_MAX_COLUMNS", default_value_t = 64)]
    pub upload_max_columns: usize,

    /// The institution's name as an ORCID organisation, written on every affiliation
    /// idlink adds. Default: INSTITUTION_NAME.
    #[arg(long, env = "ORG_NAME")]
    pub org_name: Option<String>,

    /// The institution's city, as ORCID shows it on affiliations. Needed to write
    /// affiliations (demo mode: the demo institution's).
    #[arg(long, env = "ORG_CITY")]
    pub org_city: Option<String>,

    /// The institution's region or state, if you want it on affiliations.
    #[arg(long, env = "ORG_REGION")]
    pub org_region: Option<String>,

    /// The institution's country: ISO 3166-1 alpha-2, e.g. NZ, GB, US. Needed to write
    /// affiliations.
    #[arg(long, env = "ORG_COUNTRY")]
    pub org_country: Option<String>,

    /// The institution's ROR id, bare (05qwgg493) or in full (https://ror.org/05qwgg493);
    /// its checksum is checked. This or ORG_RINGGOLD is needed to write affiliations; ROR
    /// is used when both are set.
    #[arg(long, env = "ORG_ROR")]
    pub org_ror: Option<String>,

    /// The institution's Ringgold id (digits), used when ORG_ROR is not set.
    #[arg(long, env = "ORG_RINGGOLD")]
    pub org_ringgold: Option<String>,

    /// The affiliation sections researchers may add themselves on /me ("Add my
    /// employment at …"), comma-separated: employment, education, qualification,
    /// invited-position, distinction, membership, service. Empty: none.
    #[arg(
        long,
        env = "AFFILIATION_FORM_SECTIONS",
        default_value = "employment,education"
    )]
    pub affiliation_form_sections: String,

    /// The SMTP server for outgoing mail: smtp://host:port (no encryption, for a local
    /// relay), smtp://host:port?tls=required (STARTTLS) or smtps://host:port (TLS); a user
    /// and password may go before the host (smtp://user:password@host:587?tls=required,
    /// percent-encoded). Unset: demo mode keeps mail in a simulated mailbox at
    /// /demo/mailbox; otherwise idlink sends no mail.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of idlink's mail, e.g. "Research Office <orcid@example.ac.nz>".
    /// Required with SMTP_URL.
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Where replies to idlink's mail go, if not to MAIL_FROM.
    #[arg(long, env = "MAIL_REPLY_TO")]
    pub mail_reply_to: Option<String>,

    /// Seconds one message may take to reach the SMTP server, connecting included; past it
    /// the message is reported as not sent. 1 to 300; with SMTP_URL, shorter than
    /// REQUEST_TIMEOUT_SECS.
    #[arg(long, env = "SMTP_TIMEOUT_SECS", default_value_t = 10)]
    pub smtp_timeout_secs: u64,

    /// Messages idlink sends a minute at most (invitations, reminders and other mail to
    /// many people), 1 to 6000; ask the mail provider what it accepts.
    #[arg(long, env = "MAIL_RATE_PER_MIN", default_value_t = 60)]
    pub mail_rate_per_min: u32,

    /// Seconds before a message the mail server did not take is first tried again; the
    /// wait doubles with each try, up to an hour. 1 to 3600.
    #[arg(long, env = "MAIL_RETRY_SECS", default_value_t = 60)]
    pub mail_retry_secs: u64,

    /// Log format: text or json. The level comes from RUST_LOG (default info).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub invite: InviteInput,
}

/// The checked settings.
#[derive(Clone)]
pub struct Settings {
    pub bind_addr: SocketAddr,
    pub public_url: Url,
    pub secure_cookies: bool,
    pub database_path: PathBuf,
    pub orcid_env: OrcidEnv,
    pub client_id: String,
    pub client_secret: SecretString,
    pub endpoints: Endpoints,
    pub scopes: Vec<String>,
    pub rate_per_sec: u32,
    pub burst: u32,
    pub orcid_timeout: Duration,
    /// How long a person's ORCID call may wait for its turn.
    pub orcid_queue_wait: Duration,
    /// ORCID calls a minute, and their burst, for one person.
    pub person_per_minute: u32,
    pub person_burst: u32,
    pub oauth_state_ttl_secs: i64,
    pub works_refresh_secs: i64,
    /// First wait before a failed revocation is tried again.
    pub revoke_retry: Duration,
    /// How often each grant is confirmed with ORCID.
    pub token_check_every: Duration,
    /// Time between two refreshes of one record's works.
    pub works_refresh_cooldown: Duration,
    pub staff: Staff,
    pub token_key: Option<String>,
    pub institution_name: String,
    pub log_format: LogFormat,
    /// Timeouts and the connection cap of the HTTP server.
    pub serve: crate::server::Limits,
    /// The per-address limit on starting sign-ins.
    pub connect_limit: ConnectLimit,
    /// `METRICS_TOKEN`; without it /metrics is not served.
    pub metrics_token: Option<SecretString>,
    /// How many rows and columns a bulk upload may have.
    pub upload: UploadLimits,
    /// The institution as an ORCID organisation (`ORG_*`).
    pub org: InstitutionOrg,
    /// The sections researchers may add on /me, in the order given.
    pub affiliation_form_sections: Vec<orcid::model::AffiliationSection>,
    /// Outgoing mail (`SMTP_URL`, `MAIL_FROM`, …).
    pub mail: MailSettings,
    /// Invitation links and reminders (`INVITE_TTL_DAYS`, `REMIND_*`).
    pub invite: InviteSettings,
}

/// `CONNECT_RATE_PER_MIN`, `CONNECT_BURST` and `TRUSTED_PROXY_HEADER`, checked.
#[derive(Clone, Debug)]
pub struct ConnectLimit {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
    pub proxy_header: Option<HeaderName>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind_addr", &self.bind_addr)
            .field("public_url", &self.public_url.as_str())
            .field("database_path", &self.database_path)
            .field("orcid_env", &self.orcid_env)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("endpoints", &self.endpoints)
            .field("scopes", &self.scopes)
            .field("token_key", &self.token_key.as_ref().map(|_| "[redacted]"))
            .field("connect_limit", &self.connect_limit)
            .field("org", &self.org)
            .field("mail", &self.mail)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Who gets the staff role when they sign in.
#[derive(Clone, Debug, Default)]
pub struct Staff {
    /// `STAFF_ORCIDS`, as configured.
    pub listed: Vec<OrcidId>,
    /// In demo mode, [`DEMO_STAFF_ORCID`]; otherwise none.
    pub demo: Option<OrcidId>,
}

impl Staff {
    pub fn contains(&self, id: &OrcidId) -> bool {
        self.listed.contains(id) || self.demo.as_ref() == Some(id)
    }
}

/// In demo mode this researcher, seeded by the simulated ORCID, is staff even with
/// `STAFF_ORCIDS` empty, so that a first run shows the staff pages too. Named here rather
/// than taken from the simulator, which config must not import; a unit test checks that
/// the two agree.
pub const DEMO_STAFF_ORCID: &str = "0009-0001-2345-6786";
/// The name the simulated ORCID gives [`DEMO_STAFF_ORCID`].
pub const DEMO_STAFF_NAME: &str = "Sofia Garcia";

/// Known scopes for a three-legged authorization (orcid-api.md §2).
const THREE_LEGGED_SCOPES: &[&str] = &[
    "openid",
    "/authenticate",
    "/read-limited",
    "/activities/update",
    "/person/update",
];

pub const MOCK_PATH: &str = "/mock-orcid";

/// The client idlink registers with its built-in simulated ORCID in demo mode. ORCID
/// client ids are `APP-` and 16 of `[0-9A-Z]`.
pub const DEMO_CLIENT_ID: &str = "APP-IDLINKDEMO000000";
/// The secret of [`DEMO_CLIENT_ID`].
pub const DEMO_CLIENT_SECRET: &str = "idlink-demo-secret";

impl Config {
    /// Checks every setting and resolves defaults; the message says what to fix.
    pub fn resolve(self) -> Result<Settings, String> {
        let env = match self.orcid_env {
            Some(env) => env,
            None => self.implied_orcid_env()?,
        };
        let serve = self.serve_limits()?;
        let connect_limit = self.connect_limit()?;
        let metrics_token = self.metrics_token()?;
        let upload = self.upload_limits()?;
        self.check_fair_use()?;
        if env == OrcidEnv::Mock && !cfg!(feature = "demo") {
            return Err("this idlink was built without the simulated ORCID (the `demo` feature): set ORCID_CLIENT_ID and ORCID_CLIENT_SECRET, and ORCID_ENV=sandbox or production".into());
        }
        if !matches!(self.public_url.scheme(), "http" | "https") {
            return Err("PUBLIC_URL must start with http:// or https://".into());
        }
        let public = self.public_url.as_str().trim_end_matches('/').to_string();
        let (client_id, client_secret) = match env {
            // Blank values (an emptied line in .env) count as unset.
            OrcidEnv::Mock => (
                self.orcid_client_id
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| DEMO_CLIENT_ID.to_string()),
                self.orcid_client_secret
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| DEMO_CLIENT_SECRET.to_string()),
            ),
            OrcidEnv::Sandbox | OrcidEnv::Production => {
                let name = if env == OrcidEnv::Sandbox {
                    "sandbox"
                } else {
                    "production"
                };
                let id = self.orcid_client_id.ok_or_else(|| {
                    format!("ORCID_ENV={name} needs ORCID_CLIENT_ID (your ORCID API client id)")
                })?;
                let secret = self
                    .orcid_client_secret
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        format!("ORCID_ENV={name} needs ORCID_CLIENT_SECRET (the secret of {id})")
                    })?;
                (id, secret)
            }
        };
        if env == OrcidEnv::Production && self.public_url.scheme() != "https" {
            return Err("PUBLIC_URL must be https:// with ORCID_ENV=production: ORCID only accepts https redirect URIs in production".into());
        }
        if !is_client_id(&client_id) {
            return Err(format!(
                "ORCID_CLIENT_ID {client_id:?} is not an ORCID client id: it looks like APP- followed by 16 letters or digits"
            ));
        }
        let mut endpoints = endpoints(
            env,
            &public,
            self.orcid_base_url.clone(),
            self.orcid_api_url.clone(),
            self.orcid_public_api_url.clone(),
        )?;
        if env == OrcidEnv::Mock && self.orcid_base_url.is_none() {
            // The built-in simulation lives on idlink's own listener: call it there, so a
            // port mapping or proxy in front of PUBLIC_URL does not matter.
            let own = own_listener(self.bind_addr, MOCK_PATH)?;
            endpoints.server_base = own.clone();
            if self.orcid_api_url.is_none() {
                endpoints.api = own.clone();
            }
            if self.orcid_public_api_url.is_none() {
                endpoints.public_api = own;
            }
        }
        let scopes = parse_scopes(&self.orcid_scopes)?;
        if self.orcid_rate_per_sec == 0 || self.orcid_burst == 0 {
            return Err("ORCID_RATE_PER_SEC and ORCID_BURST must be at least 1".into());
        }
        if self.orcid_timeout_secs == 0 || self.orcid_timeout_secs > 300 {
            return Err("ORCID_TIMEOUT_SECS must be between 1 and 300".into());
        }
        if !(1..=3600).contains(&self.revoke_retry_secs) {
            return Err("REVOKE_RETRY_SECS must be between 1 and 3600".into());
        }
        if !(1..=365).contains(&self.token_check_days) {
            return Err("TOKEN_CHECK_DAYS must be between 1 and 365".into());
        }
        let listed = self
            .staff_orcids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| OrcidId::parse(s).map_err(|e| format!("STAFF_ORCIDS: {s:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let demo = (env == OrcidEnv::Mock)
            .then(|| OrcidId::parse(DEMO_STAFF_ORCID).expect("DEMO_STAFF_ORCID is a valid iD"));
        let staff = Staff { listed, demo };
        if let Some(key) = &self.token_key {
            crate::crypto::TokenCipher::from_base64(key).map_err(|e| format!("TOKEN_KEY: {e}"))?;
        }
        let institution_name = self.institution_name.trim().to_string();
        if institution_name.is_empty() {
            return Err("INSTITUTION_NAME must not be empty".into());
        }
        let org = OrgInput {
            name: self.org_name.as_deref(),
            city: self.org_city.as_deref(),
            region: self.org_region.as_deref(),
            country: self.org_country.as_deref(),
            ror: self.org_ror.as_deref(),
            ringgold: self.org_ringgold.as_deref(),
        }
        .or_demo(env == OrcidEnv::Mock)
        .resolve(&institution_name)?;
        let affiliation_form_sections = org::form_sections(&self.affiliation_form_sections)?;
        // The staff test message is sent through SMTP while the person waits for the page.
        let smtp_set = self
            .smtp_url
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty());
        if smtp_set && self.smtp_timeout_secs >= self.request_timeout_secs {
            return Err(format!(
                "SMTP_TIMEOUT_SECS ({}) must be shorter than REQUEST_TIMEOUT_SECS ({})",
                self.smtp_timeout_secs, self.request_timeout_secs
            ));
        }
        let mail = MailInput {
            smtp_url: self.smtp_url.as_deref(),
            from: self.mail_from.as_deref(),
            reply_to: self.mail_reply_to.as_deref(),
            timeout_secs: self.smtp_timeout_secs,
            rate_per_min: self.mail_rate_per_min,
            retry_secs: self.mail_retry_secs,
            demo: env == OrcidEnv::Mock,
        }
        .resolve()?;
        let invite = self.invite.resolve()?;
        Ok(Settings {
            bind_addr: self.bind_addr,
            secure_cookies: self.public_url.scheme() == "https",
            public_url: self.public_url,
            database_path: database_path(&self.database_url)?,
            orcid_env: env,
            client_id,
            client_secret: SecretString::from(client_secret),
            endpoints,
            scopes,
            rate_per_sec: self.orcid_rate_per_sec,
            burst: self.orcid_burst,
            orcid_timeout: Duration::from_secs(self.orcid_timeout_secs),
            orcid_queue_wait: Duration::from_secs(self.orcid_queue_wait_secs),
            person_per_minute: self.researcher_orcid_per_minute,
            person_burst: self.researcher_orcid_burst,
            works_refresh_cooldown: Duration::from_secs(self.works_refresh_cooldown_secs),
            oauth_state_ttl_secs: self.oauth_state_ttl_secs.clamp(1, 3600) as i64,
            works_refresh_secs: i64::from(self.works_refresh_minutes) * 60,
            revoke_retry: Duration::from_secs(self.revoke_retry_secs),
            token_check_every: Duration::from_secs(u64::from(self.token_check_days) * 86_400),
            staff,
            token_key: self.token_key,
            institution_name,
            log_format: self.log_format,
            serve,
            connect_limit,
            metrics_token,
            upload,
            org,
            affiliation_form_sections,
            mail,
            invite,
        })
    }

    fn upload_limits(&self) -> Result<UploadLimits, String> {
        if !(1..=10_000_000).contains(&self.upload_max_rows) {
            return Err("UPLOAD_MAX_ROWS must be between 1 and 10000000".into());
        }
        let columns = UPLOAD_MIN_COLUMNS;
        if !(columns..=100_000).contains(&self.upload_max_columns) {
            return Err(format!(
                "UPLOAD_MAX_COLUMNS must be between {columns} (the templates' columns) and 100000"
            ));
        }
        Ok(UploadLimits {
            max_rows: self.upload_max_rows,
            max_columns: self.upload_max_columns,
        })
    }

    fn connect_limit(&self) -> Result<ConnectLimit, String> {
        let in_range = |name: &str, v: u32| {
            NonZeroU32::new(v)
                .filter(|v| v.get() <= 1_000_000)
                .ok_or_else(|| format!("{name} must be between 1 and 1000000"))
        };
        let per_minute = in_range("CONNECT_RATE_PER_MIN", self.connect_rate_per_min)?;
        let burst = in_range("CONNECT_BURST", self.connect_burst)?;
        let proxy_header = match self.trusted_proxy_header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) if name.eq_ignore_ascii_case("forwarded") => {
                return Err("TRUSTED_PROXY_HEADER: the Forwarded header is not supported; \
                            use a header that holds plain addresses, such as X-Forwarded-For or X-Real-IP"
                    .into())
            }
            Some(name) => Some(HeaderName::try_from(name).map_err(|_| {
                format!("TRUSTED_PROXY_HEADER {name:?} is not a valid header name")
            })?),
        };
        Ok(ConnectLimit {
            per_minute,
            burst,
            proxy_header,
        })
    }

    fn metrics_token(&self) -> Result<Option<SecretString>, String> {
        // A blank value (an emptied line in .env) counts as unset.
        let Some(token) = self
            .metrics_token
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        else {
            return Ok(None);
        };
        if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("METRICS_TOKEN must be at least 16 characters, without spaces (e.g. from: openssl rand -hex 32)".into());
        }
        Ok(Some(SecretString::from(token.to_owned())))
    }

    /// The limits that share ORCID's rate among people and bulk pushes.
    fn check_fair_use(&self) -> Result<(), String> {
        if !(1..=60).contains(&self.orcid_queue_wait_secs) {
            return Err("ORCID_QUEUE_WAIT_SECS must be between 1 and 60".into());
        }
        if self.researcher_orcid_per_minute == 0 || self.researcher_orcid_burst == 0 {
            return Err(
                "RESEARCHER_ORCID_PER_MINUTE and RESEARCHER_ORCID_BURST must be at least 1".into(),
            );
        }
        if self.works_refresh_cooldown_secs > 3600 {
            return Err("WORKS_REFRESH_COOLDOWN_SECS must be between 0 and 3600".into());
        }
        Ok(())
    }

    fn serve_limits(&self) -> Result<crate::server::Limits, String> {
        for (name, secs) in [
            ("HEADER_READ_TIMEOUT_SECS", self.header_read_timeout_secs),
            ("REQUEST_BODY_TIMEOUT_SECS", self.request_body_timeout_secs),
            ("KEEP_ALIVE_TIMEOUT_SECS", self.keep_alive_timeout_secs),
            ("REQUEST_TIMEOUT_SECS", self.request_timeout_secs),
        ] {
            if !(1..=3600).contains(&secs) {
                return Err(format!("{name} must be between 1 and 3600 seconds"));
            }
        }
        // A request that waits on ORCID must be able to hear ORCID's answer or its timeout.
        if self.request_timeout_secs <= self.orcid_timeout_secs {
            return Err(format!(
                "REQUEST_TIMEOUT_SECS ({}) must be longer than ORCID_TIMEOUT_SECS ({})",
                self.request_timeout_secs, self.orcid_timeout_secs
            ));
        }
        if self.request_timeout_secs < self.request_body_timeout_secs {
            return Err(format!(
                "REQUEST_TIMEOUT_SECS ({}) must be at least REQUEST_BODY_TIMEOUT_SECS ({}): the body is part of the request",
                self.request_timeout_secs, self.request_body_timeout_secs
            ));
        }
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Err("MAX_CONNECTIONS must be between 1 and 1000000".into());
        }
        Ok(crate::server::Limits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            request_body_timeout: Duration::from_secs(self.request_body_timeout_secs),
            keep_alive_timeout: Duration::from_secs(self.keep_alive_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            max_connections: self.max_connections,
        })
    }
}

impl Config {
    /// The ORCID to use when ORCID_ENV is not set: sandbox with a client id, demo mode
    /// with no ORCID setting at all. Anything in between is refused: a forgotten client id
    /// must not quietly turn a real deployment into a demo whose client secret is public.
    fn implied_orcid_env(&self) -> Result<OrcidEnv, String> {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        if given(&self.orcid_client_id) {
            return Ok(OrcidEnv::Sandbox);
        }
        let partial: Vec<&str> = [
            ("ORCID_CLIENT_SECRET", given(&self.orcid_client_secret)),
            ("ORCID_BASE_URL", self.orcid_base_url.is_some()),
            ("ORCID_API_URL", self.orcid_api_url.is_some()),
            ("ORCID_PUBLIC_API_URL", self.orcid_public_api_url.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        if partial.is_empty() {
            return Ok(OrcidEnv::Mock);
        }
        Err(format!(
            "{} {} set but ORCID_CLIENT_ID is not, so it is unclear which ORCID to use. \
             To use ORCID, also set ORCID_CLIENT_ID (and ORCID_ENV=sandbox or production); \
             to run the demo with the simulated ORCID, remove the ORCID settings \
             (or set ORCID_ENV=mock explicitly)",
            partial.join(", "),
            if partial.len() == 1 { "is" } else { "are" }
        ))
    }
}

impl Settings {
    /// Where ORCID sends researchers back: the redirect URI to register with ORCID.
    pub fn redirect_uri(&self) -> String {
        format!(
            "{}/orcid/callback",
            self.public_url.as_str().trim_end_matches('/')
        )
    }

    /// What the ORCID client needs of these settings.
    pub fn orcid_client_config(&self) -> ClientConfig {
        ClientConfig {
            endpoints: self.endpoints.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            timeout: self.orcid_timeout,
            rate_per_sec: self.rate_per_sec,
            burst: self.burst,
            queue_wait: self.orcid_queue_wait,
            person_per_minute: self.person_per_minute,
            person_burst: self.person_burst,
            user_agent: concat!("idlink/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

fn endpoints(
    env: OrcidEnv,
    public: &str,
    base: Option<Url>,
    api: Option<Url>,
    public_api: Option<Url>,
) -> Result<Endpoints, String> {
    let parse = |name: &str, s: &str| Url::parse(s).map_err(|e| format!("{name}: {e}"));
    let (def_base, def_api, def_pub, issuer) = match env {
        OrcidEnv::Production => (
            "https://orcid.org".to_string(),
            "https://api.orcid.org".to_string(),
            "https://pub.orcid.org".to_string(),
            "https://orcid.org".to_string(),
        ),
        OrcidEnv::Sandbox => (
            "https://sandbox.orcid.org".to_string(),
            "https://api.sandbox.orcid.org".to_string(),
            "https://pub.sandbox.orcid.org".to_string(),
            "https://sandbox.orcid.org".to_string(),
        ),
        OrcidEnv::Mock => {
            let m = base
                .as_ref()
                .map(|u| u.as_str().trim_end_matches('/').to_string())
                .unwrap_or_else(|| format!("{public}{MOCK_PATH}"));
            (m.clone(), m.clone(), m.clone(), m)
        }
    };
    for (name, u) in [
        ("ORCID_BASE_URL", &base),
        ("ORCID_API_URL", &api),
        ("ORCID_PUBLIC_API_URL", &public_api),
    ] {
        if let Some(u) = u {
            if !matches!(u.scheme(), "http" | "https") {
                return Err(format!("{name} must be an http:// or https:// URL"));
            }
        }
    }
    let base = base.map_or_else(|| parse("ORCID_BASE_URL", &def_base), Ok)?;
    let record_base = format!("{}/", issuer.trim_end_matches('/'));
    Ok(Endpoints {
        server_base: base.clone(),
        base,
        api: api.map_or_else(|| parse("ORCID_API_URL", &def_api), Ok)?,
        public_api: public_api.map_or_else(|| parse("ORCID_PUBLIC_API_URL", &def_pub), Ok)?,
        issuer,
        record_base,
    })
}

/// `http://<address idlink listens on>/<path>`, with a wildcard address replaced by
/// the loopback one.
fn own_listener(bind: SocketAddr, path: &str) -> Result<Url, String> {
    let ip = match bind.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => {
            std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
        }
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => {
            std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
        }
        ip => ip,
    };
    Url::parse(&format!(
        "http://{}{path}",
        SocketAddr::new(ip, bind.port())
    ))
    .map_err(|e| format!("BIND_ADDR: {e}"))
}

fn parse_scopes(s: &str) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = s
        .split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if scopes.is_empty() {
        return Err("ORCID_SCOPES must name at least one scope, e.g. \"openid /read-limited /activities/update\"".into());
    }
    for sc in &scopes {
        if !THREE_LEGGED_SCOPES.contains(&sc.as_str()) {
            return Err(format!(
                "ORCID_SCOPES: {sc:?} is not a scope a researcher can grant; use some of {}",
                THREE_LEGGED_SCOPES.join(", ")
            ));
        }
    }
    if scopes.iter().any(|s| s == "openid") && scopes.iter().any(|s| s == "/authenticate") {
        return Err("ORCID_SCOPES: use openid or /authenticate, not both".into());
    }
    Ok(scopes)
}

/// `sqlite://data/idlink.db`, `sqlite:data/idlink.db`, `sqlite:///abs/path.db` or a bare path.
fn database_path(url: &str) -> Result<PathBuf, String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or_default();
    if rest.is_empty() || rest == ":memory:" {
        return Err("DATABASE_URL must name a SQLite file, e.g. sqlite://data/idlink.db".into());
    }
    Ok(Path::new(rest).to_path_buf())
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;

/// The columns of the widest bulk-upload template (affiliations): a file may never be
/// limited below them.
pub const UPLOAD_MIN_COLUMNS: usize = 13;

/// The most a bulk upload may hold; beyond either, the file is refused whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Data rows (the header not counted).
    pub max_rows: usize,
    /// Values on any one line, the header included.
    pub max_columns: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_rows: 50_000,
            max_columns: 64,
        }
    }
}
