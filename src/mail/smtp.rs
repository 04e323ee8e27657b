//! The SMTP client (lettre over tokio and rustls), and its errors in plain words.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use super::MailError;
use crate::config::{SmtpSecurity, SmtpServer};

#[derive(Clone)]
pub(super) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// `host:port`, for messages and logs.
    pub(super) server: String,
    timeout: Duration,
}

impl Smtp {
    pub(super) fn new(server: &SmtpServer, timeout: Duration) -> Result<Self, MailError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| MailError::Build(e.to_string()))
        };
        let tls = match server.security {
            SmtpSecurity::Plain => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls(&server.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls(&server.host)?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.as_str())
                .port(server.port)
                .tls(tls)
                .timeout(Some(timeout));
        if let Some((user, password)) = &server.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(Smtp {
            transport: builder.build(),
            server: server.to_string(),
            timeout,
        })
    }

    pub(super) async fn send(&self, email: lettre::Message) -> Result<(), MailError> {
        // lettre's timeout covers each read and write; this one covers the whole send.
        match tokio::time::timeout(self.timeout, self.transport.send(email)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.explain(&e)),
            Err(_) => Err(self.timed_out()),
        }
    }

    /// Connects (and signs in, if configured) without sending.
    pub(super) async fn check(&self) -> Result<(), MailError> {
        match tokio::time::timeout(self.timeout, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(MailError::Refused {
                server: self.server.clone(),
                reason: "it did not answer NOOP".into(),
            }),
            Ok(Err(e)) => Err(self.explain(&e)),
            Err(_) => Err(self.timed_out()),
        }
    }

    fn timed_out(&self) -> MailError {
        MailError::Timeout {
            server: self.server.clone(),
            secs: self.timeout.as_secs(),
        }
    }

    fn explain(&self, e: &lettre::transport::smtp::Error) -> MailError {
        let server = self.server.clone();
        if e.is_timeout() {
            return self.timed_out();
        }
        // 530/534/535: authentication required, too weak, or credentials refused.
        let code = e.status().map(u16::from);
        if matches!(code, Some(530 | 534 | 535)) {
            return MailError::AuthFailed { server };
        }
        if let Some(io) = io_cause(e) {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return self.timed_out();
            }
            return MailError::Unreachable {
                server,
                reason: io.to_string(),
            };
        }
        if e.is_tls() {
            return MailError::Unreachable {
                server,
                reason: format!("TLS failed: {e}"),
            };
        }
        if e.is_permanent() {
            return MailError::Rejected {
                server,
                reason: e.to_string(),
            };
        }
        MailError::Refused {
            server,
            reason: e.to_string(),
        }
    }
}

/// The I/O error behind a transport error (connection refused, reset, …), if any.
fn io_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cause = c.source();
    }
    None
}
