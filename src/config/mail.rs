//! `SMTP_URL`, `MAIL_FROM`, `MAIL_REPLY_TO` and `SMTP_TIMEOUT_SECS`, checked at start-up
//! into plain types: the mail module turns them into an SMTP client, so config needs no
//! mail library.

use std::num::NonZeroU32;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://host:port`: no encryption, for a relay on the same host or network.
    Plain,
    /// `smtp://host:port?tls=required`: STARTTLS, refused if the server does not offer it.
    StartTls,
    /// `smtps://host:port`: TLS from the first byte.
    Tls,
}

/// The SMTP server from `SMTP_URL`.
#[derive(Clone)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password from the URL, if any.
    pub credentials: Option<(String, SecretString)>,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "[redacted]")),
            )
            .finish()
    }
}

impl std::fmt::Display for SmtpServer {
    /// `host:port`, without credentials: for logs and staff pages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Where outgoing mail goes.
#[derive(Debug, Clone)]
pub enum MailRoute {
    /// Through this SMTP server.
    Smtp(SmtpServer),
    /// Demo mode without `SMTP_URL`: into the built-in simulated mailbox.
    DemoMailbox,
    /// Outside demo mode without `SMTP_URL`: no mail can be sent.
    NotConfigured,
}

/// The checked mail settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub route: MailRoute,
    /// `MAIL_FROM`, e.g. `Research Office <orcid@example.ac.nz>` (syntax checked here,
    /// parsed again by the mail module).
    pub from: String,
    pub reply_to: Option<String>,
    /// Longest one message may take to send, connection included.
    pub timeout: Duration,
    /// `MAIL_RATE_PER_MIN`: messages the outbox sends a minute at most.
    pub rate_per_min: NonZeroU32,
    /// `MAIL_RETRY_SECS`: the first wait before a failed message is tried again.
    pub retry: Duration,
}

/// The sender in demo mode when `MAIL_FROM` is not set.
pub const DEMO_MAIL_FROM: &str = "idlink demo <idlink@example.org>";

pub(super) struct MailInput<'a> {
    pub smtp_url: Option<&'a str>,
    pub from: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub timeout_secs: u64,
    pub rate_per_min: u32,
    pub retry_secs: u64,
    pub demo: bool,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl MailInput<'_> {
    pub(super) fn resolve(self) -> Result<MailSettings, String> {
        if !(1..=300).contains(&self.timeout_secs) {
            return Err("SMTP_TIMEOUT_SECS must be between 1 and 300".into());
        }
        let rate_per_min = NonZeroU32::new(self.rate_per_min)
            .filter(|r| r.get() <= 6000)
            .ok_or("MAIL_RATE_PER_MIN must be between 1 and 6000 messages a minute")?;
        if !(1..=3600).contains(&self.retry_secs) {
            return Err("MAIL_RETRY_SECS must be between 1 and 3600".into());
        }
        let route = match given(self.smtp_url) {
            Some(url) => MailRoute::Smtp(parse_smtp_url(url)?),
            None if self.demo => MailRoute::DemoMailbox,
            None => MailRoute::NotConfigured,
        };
        let from = match (given(self.from), &route) {
            (Some(from), _) => from.to_string(),
            (None, MailRoute::Smtp(_)) => {
                return Err("SMTP_URL is set but MAIL_FROM is not: set the sender, e.g. MAIL_FROM=\"Research Office <orcid@example.ac.nz>\"".into())
            }
            (None, _) => DEMO_MAIL_FROM.to_string(),
        };
        check_mailbox("MAIL_FROM", &from)?;
        let reply_to = given(self.reply_to).map(str::to_string);
        if let Some(r) = &reply_to {
            check_mailbox("MAIL_REPLY_TO", r)?;
        }
        Ok(MailSettings {
            route,
            from,
            reply_to,
            timeout: Duration::from_secs(self.timeout_secs),
            rate_per_min,
            retry: Duration::from_secs(self.retry_secs),
        })
    }
}

/// `address` or `Name <address>` with one `@` and something either side; the mail
/// module's parser has the last word at start-up.
fn check_mailbox(name: &str, value: &str) -> Result<(), String> {
    let address = match (value.rfind('<'), value.strip_suffix('>')) {
        (Some(open), Some(rest)) => &rest[open + 1..],
        _ => value,
    };
    let ok = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !address.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name} {value:?} is not an email address, e.g. orcid@example.ac.nz or \"Research Office <orcid@example.ac.nz>\""
        ))
    }
}

/// `smtp://[user:password@]host[:port][?tls=required]` or `smtps://…`.
fn parse_smtp_url(raw: &str) -> Result<SmtpServer, String> {
    // The URL may hold a password: errors name the setting, never echo the value.
    let url = Url::parse(raw).map_err(|e| format!("SMTP_URL is not a URL ({e})"))?;
    let (security, default_port) = match url.scheme() {
        "smtp" => {
            let mut tls = None;
            for (k, v) in url.query_pairs() {
                match (k.as_ref(), v.as_ref()) {
                    ("tls", "required") => tls = Some(SmtpSecurity::StartTls),
                    ("tls", "none") => tls = Some(SmtpSecurity::Plain),
                    ("tls", _) => {
                        return Err("SMTP_URL: tls= may be required (STARTTLS) or none".into())
                    }
                    _ => {
                        return Err(format!(
                            "SMTP_URL: unknown parameter {k:?}; only tls=required is understood"
                        ))
                    }
                }
            }
            (tls.unwrap_or(SmtpSecurity::Plain), 25)
        }
        "smtps" => (SmtpSecurity::Tls, 465),
        other => {
            return Err(format!(
                "SMTP_URL must start with smtp:// or smtps://, not {other}://"
            ))
        }
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("SMTP_URL must name a host, e.g. smtp://localhost:1025")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let decode = |s: &str| {
        percent_decode(s).ok_or("SMTP_URL: the user or password is not valid percent-encoding")
    };
    let credentials = match (url.username(), url.password()) {
        ("", None) => None,
        ("", Some(_)) => return Err("SMTP_URL has a password but no user name".into()),
        (_, None) => {
            return Err(
                "SMTP_URL has a user name but no password (smtp://user:password@host)".into(),
            )
        }
        (user, Some(password)) => Some((decode(user)?, SecretString::from(decode(password)?))),
    };
    // lettre logs in whenever the server offers it, encrypted or not: a password goes
    // over plain SMTP only to a relay on this machine.
    if credentials.is_some() && security == SmtpSecurity::Plain && !is_loopback(&host) {
        return Err(
            "SMTP_URL: a password would cross the network unencrypted; add ?tls=required \
             (STARTTLS) or use smtps://"
                .into(),
        );
    }
    Ok(SmtpServer {
        host,
        port: url.port().unwrap_or(default_port),
        security,
        credentials,
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn input(
        smtp_url: Option<&'static str>,
        from: Option<&'static str>,
        demo: bool,
    ) -> MailInput<'static> {
        MailInput {
            smtp_url,
            from,
            reply_to: None,
            timeout_secs: 10,
            rate_per_min: 60,
            retry_secs: 60,
            demo,
        }
    }

    #[test]
    fn smtp_urls() {
        let s = parse_smtp_url("smtp://localhost:1025").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("localhost", 1025, SmtpSecurity::Plain)
        );
        assert!(s.credentials.is_none());
        let s = parse_smtp_url("smtp://mail.example.org?tls=required").unwrap();
        assert_eq!((s.port, s.security), (25, SmtpSecurity::StartTls));
        let s = parse_smtp_url("smtps://ann%40x:p%3Ass@mail.example.org").unwrap();
        assert_eq!((s.port, s.security), (465, SmtpSecurity::Tls));
        let (user, password) = s.credentials.clone().unwrap();
        assert_eq!((user.as_str(), password.expose_secret()), ("ann@x", "p:ss"));
        let shown = format!("{s:?} {s}");
        assert!(
            !shown.contains("p:ss") && !shown.contains("p%3Ass"),
            "{shown}"
        );
        for bad in [
            "http://x",
            "smtp://",
            "smtp://x?tls=maybe",
            "smtp://u@x",
            "smtp://:pw@x",
            "smtp://u:pw@mail.example.org",
            "smtp://u:pw@mail.example.org?tls=none",
        ] {
            assert!(parse_smtp_url(bad).is_err(), "{bad}");
        }
        // A password over plain SMTP only to this machine.
        for local in [
            "smtp://u:pw@localhost:1025",
            "smtp://u:pw@127.0.0.1:1025",
            "smtp://u:pw@[::1]:25",
        ] {
            assert!(parse_smtp_url(local).is_ok(), "{local}");
        }
        let e = parse_smtp_url("smtp://u:hunter2@mail.example.org").unwrap_err();
        assert!(e.contains("unencrypted") && !e.contains("hunter2"), "{e}");
        let e = parse_smtp_url("ftp://u:hunter2@x").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn routes_and_sender() {
        let m = input(None, None, true).resolve().unwrap();
        assert!(matches!(m.route, MailRoute::DemoMailbox));
        assert_eq!(m.from, DEMO_MAIL_FROM);
        let m = input(None, None, false).resolve().unwrap();
        assert!(matches!(m.route, MailRoute::NotConfigured));
        let e = input(Some("smtp://localhost"), None, true)
            .resolve()
            .unwrap_err();
        assert!(e.contains("MAIL_FROM"), "{e}");
        let m = input(
            Some("smtp://localhost"),
            Some("Office <o@example.org>"),
            false,
        )
        .resolve()
        .unwrap();
        assert!(matches!(m.route, MailRoute::Smtp(_)));
        for rate in [0, 6001] {
            let mut i = input(None, None, true);
            i.rate_per_min = rate;
            let e = i.resolve().unwrap_err();
            assert!(e.contains("MAIL_RATE_PER_MIN"), "{e}");
        }
        let mut i = input(None, None, true);
        i.retry_secs = 0;
        assert!(i.resolve().unwrap_err().contains("MAIL_RETRY_SECS"));
        for bad in ["nobody", "a@", "@b", "Office <o@example.org", "a b@c"] {
            assert!(check_mailbox("MAIL_FROM", bad).is_err(), "{bad}");
        }
    }
}
