//! "Send a test message" on the admin page (`POST /admin/mail/test`): one message to the
//! address staff type, and the outcome in plain words, so staff can check the mail
//! settings before anything depends on them.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::mail::{LinkMessage, MailStatus};
use crate::state::AppState;
use crate::store::AuditAction;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::staff::Staff;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestMailForm {
    to: String,
}

/// The mail section of the dashboard.
pub struct MailView {
    /// Where mail goes, in words.
    pub route: String,
    /// Whether the test form is worth showing.
    pub can_send: bool,
}

impl MailView {
    pub fn new(state: &AppState) -> Self {
        match state.mailer.status() {
            MailStatus::Smtp { server } => MailView {
                route: format!("Mail is sent through the SMTP server at {server}."),
                can_send: true,
            },
            MailStatus::DemoMailbox => MailView {
                route: "Demo mode: mail goes to the demo mailbox, not to real addresses."
                    .to_string(),
                can_send: true,
            },
            MailStatus::NotConfigured => MailView {
                route: "Mail is not set up, so idlink cannot send email. Set SMTP_URL and MAIL_FROM and restart idlink.".to_string(),
                can_send: false,
            },
        }
    }
}

pub async fn send(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(form): CsrfForm<TestMailForm>,
) -> Result<Response, PageError> {
    let to = form.to.trim();
    let message = LinkMessage::test_message(
        &state.settings.institution_name,
        state.settings.public_url.as_str(),
    )
    .render()
    .map_err(PageError::internal)?;
    let flash = if to.is_empty() {
        Flash::error("Type the address to send the test message to.")
    } else {
        let sent = state.mailer.send(to, &message).await;
        let outcome = if sent.is_ok() { "ok" } else { "failed" };
        let detail = format!("to {to}");
        staff
            .audit(
                &state,
                &staff.orcid,
                AuditAction::MailTest,
                outcome,
                Some(&detail),
            )
            .await;
        match sent {
            Ok(()) if state.mailer.demo_mailbox().is_some() => {
                Flash::ok(format!("The test message to {to} is in the demo mailbox."))
                    .with_link("/demo/mailbox", "Open the demo mailbox")
            }
            Ok(()) => Flash::ok(format!(
                "The mail server accepted the test message to {to}. If it does not arrive, look in the spam folder."
            )),
            Err(e) => {
                tracing::warn!(error = %e, "test message not sent");
                Flash::error(format!("The test message to {to} was not sent: {e}."))
            }
        }
    };
    flash::set(&staff.session, flash).await?;
    Ok(Redirect::to("/admin#mail").into_response())
}
