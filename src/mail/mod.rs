//! Outgoing mail: messages built from templates ([`message`]), sent through the SMTP
//! server in `SMTP_URL`, or in demo mode kept in the simulated [`mailbox`]. Each send is
//! one attempt with a time limit; retrying belongs to the [`outbox`], not here.

pub mod mailbox;
pub mod message;
pub mod outbox;
mod smtp;

use crate::config::{MailRoute, MailSettings};
pub use mailbox::{DemoMailbox, StoredMessage};
pub use message::{LinkMessage, Rendered};
pub use outbox::{Outbox, Outgoing};

/// Why a message was not sent, in words staff can act on.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail is not set up: idlink needs SMTP_URL and MAIL_FROM to send email")]
    NotConfigured,
    #[error("{0:?} is not an email address")]
    BadAddress(String),
    #[error("the mail server at {server} could not be reached ({reason})")]
    Unreachable { server: String, reason: String },
    #[error("the mail server at {server} refused idlink's user name or password")]
    AuthFailed { server: String },
    #[error("the mail server at {server} did not answer within {}", seconds(*secs))]
    Timeout { server: String, secs: u64 },
    #[error("the mail server at {server} did not accept the message: {reason}")]
    Refused { server: String, reason: String },
    /// A permanent (5xx) answer other than to signing in: sending again will not help.
    #[error("the mail server at {server} refused the message for good: {reason}")]
    Rejected { server: String, reason: String },
    #[error("the message could not be built: {0}")]
    Build(String),
}

impl MailError {
    /// Whether the same message may go through if sent again later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            MailError::Unreachable { .. } | MailError::Timeout { .. } | MailError::Refused { .. }
        )
    }

    /// Whether the fault is in idlink's own mail settings or the server's account
    /// (not the message): every message would fail alike until someone fixes it.
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            MailError::NotConfigured | MailError::AuthFailed { .. }
        )
    }
}

/// Who one message goes to, and the Message-ID it keeps on every attempt.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// A bare address.
    pub address: &'a str,
    pub name: Option<&'a str>,
    /// `<unique@domain>`; without it the mail library makes one up.
    pub message_id: Option<&'a str>,
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".into()
    } else {
        format!("{n} seconds")
    }
}

/// A sender, reply-to and recipient parsed once; the sender is checked at start-up.
#[derive(Clone)]
pub struct Mailer {
    route: Route,
    from: lettre::message::Mailbox,
    reply_to: Option<lettre::message::Mailbox>,
}

#[derive(Clone)]
enum Route {
    Smtp(smtp::Smtp),
    Mailbox(DemoMailbox),
    NotConfigured,
}

/// RFC 8058 one-click unsubscribe: mail programs show their own "unsubscribe" button
/// and POST `List-Unsubscribe=One-Click` to the link.
fn with_stop_headers(
    builder: lettre::message::MessageBuilder,
    stop_url: &str,
) -> lettre::message::MessageBuilder {
    use lettre::message::header::{HeaderName, HeaderValue};
    builder
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{stop_url}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ))
}

/// What staff are told about mail on the admin page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailStatus {
    Smtp { server: String },
    DemoMailbox,
    NotConfigured,
}

impl Mailer {
    /// Builds the mailer from the checked settings; refuses a sender or reply-to address
    /// the mail library cannot use.
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let parse = |s: &str| {
            s.parse::<lettre::message::Mailbox>()
                .map_err(|_| MailError::BadAddress(s.to_string()))
        };
        let route = match &settings.route {
            MailRoute::Smtp(server) => Route::Smtp(smtp::Smtp::new(server, settings.timeout)?),
            MailRoute::DemoMailbox => Route::Mailbox(DemoMailbox::default()),
            MailRoute::NotConfigured => Route::NotConfigured,
        };
        Ok(Mailer {
            route,
            from: parse(&settings.from)?,
            reply_to: settings.reply_to.as_deref().map(parse).transpose()?,
        })
    }

    pub fn status(&self) -> MailStatus {
        match &self.route {
            Route::Smtp(s) => MailStatus::Smtp {
                server: s.server.clone(),
            },
            Route::Mailbox(_) => MailStatus::DemoMailbox,
            Route::NotConfigured => MailStatus::NotConfigured,
        }
    }

    /// The simulated mailbox, in demo mode without `SMTP_URL`.
    pub fn demo_mailbox(&self) -> Option<&DemoMailbox> {
        match &self.route {
            Route::Mailbox(m) => Some(m),
            _ => None,
        }
    }

    /// Sends one message to `to` (a bare address): one attempt, within the time limit.
    pub async fn send(&self, to: &str, message: &Rendered) -> Result<(), MailError> {
        let to = Recipient {
            address: to,
            name: None,
            message_id: None,
        };
        self.send_to(to, message).await
    }

    /// Sends one message to a named recipient with a given Message-ID: one attempt,
    /// within the time limit.
    #[tracing::instrument(skip_all, fields(subject = %message.subject))]
    pub async fn send_to(&self, to: Recipient<'_>, message: &Rendered) -> Result<(), MailError> {
        let address: lettre::Address = to
            .address
            .trim()
            .parse()
            .map_err(|_| MailError::BadAddress(to.address.to_string()))?;
        let name = to.name.map(str::trim).filter(|n| !n.is_empty());
        let to_box = lettre::message::Mailbox::new(name.map(str::to_string), address);
        match &self.route {
            Route::NotConfigured => Err(MailError::NotConfigured),
            Route::Mailbox(mailbox) => {
                mailbox.put(StoredMessage::new(
                    self.from.to_string(),
                    self.reply_to.as_ref().map(ToString::to_string),
                    to_box.to_string(),
                    message,
                ));
                Ok(())
            }
            Route::Smtp(smtp) => {
                let mut builder = lettre::Message::builder()
                    .from(self.from.clone())
                    .to(to_box)
                    .subject(message.subject.clone());
                if let Some(r) = &self.reply_to {
                    builder = builder.reply_to(r.clone());
                }
                if let Some(id) = to.message_id {
                    builder = builder.message_id(Some(id.to_string()));
                }
                if let Some(stop) = &message.stop_url {
                    builder = with_stop_headers(builder, stop);
                }
                let email = builder
                    .multipart(lettre::message::MultiPart::alternative_plain_html(
                        message.text.clone(),
                        message.html.clone(),
                    ))
                    .map_err(|e| MailError::Build(e.to_string()))?;
                smtp.send(email).await
            }
        }
    }

    /// At start-up: says in the log where mail goes and, for SMTP, whether the server
    /// answers. Not fatal: the server may come up after idlink.
    pub async fn log_check(&self) {
        match &self.route {
            Route::NotConfigured => tracing::warn!(
                "mail is not configured (SMTP_URL unset): idlink cannot send email; staff see this on the admin page"
            ),
            Route::Mailbox(_) => tracing::info!(
                "demo mode without SMTP_URL: mail goes to the simulated mailbox at /demo/mailbox"
            ),
            Route::Smtp(smtp) => match smtp.check().await {
                Ok(()) => tracing::info!(server = %smtp.server, "mail server answers: mail will be sent through it"),
                Err(e) => tracing::warn!("mail server check failed, mail may not be sent: {e}"),
            },
        }
    }
}
