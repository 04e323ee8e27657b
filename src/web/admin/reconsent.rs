//! Re-consent from grant health (`/admin/grants/reconsent`): a preview of the message and
//! of who it goes to (and who idlink has no address for), then one click sends it to
//! everyone whose grant was revoked, expired or lacks a permission. The batch page
//! follows the sending.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

use crate::invitations::reconsent::{AddressSource, ReconsentPreview, RESEND_WINDOW_SECS};
use crate::invitations::send::SendError;
use crate::state::AppState;
use crate::store::ReconsentCandidate;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::lookup_progress::LookupProgressView;
use crate::web::pages::{render, Layout};
use crate::web::staff::Staff;
use orcid::scopes;

const PAGE: &str = "/admin/grants/reconsent";

pub struct PersonView {
    pub name: String,
    pub orcid: String,
    pub page_href: String,
    pub state_label: &'static str,
    /// The address, or why there is none.
    pub note: String,
}

fn person(p: &ReconsentCandidate, note: String) -> PersonView {
    PersonView {
        name: if p.name.trim().is_empty() {
            "(no public name)".into()
        } else {
            p.name.clone()
        },
        orcid: p.orcid.to_string(),
        page_href: format!("/admin/researchers/{}", p.orcid),
        state_label: p.state.label(),
        note,
    }
}

#[derive(Template)]
#[template(path = "admin/reconsent.html")]
pub struct ReconsentPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub flash: Option<Flash>,
    pub recipients: usize,
    pub from_orcid: usize,
    pub no_address: Vec<PersonView>,
    pub stopped: Vec<PersonView>,
    pub recently_sent: Vec<PersonView>,
    /// The public addresses being looked up on ORCID; `None` when none is.
    pub lookups: Option<LookupProgressView>,
    pub window_minutes: i64,
    pub subject: String,
    pub text: String,
    pub sample_to: String,
}

fn required(state: &AppState) -> Vec<String> {
    scopes::required(&state.settings.scopes)
        .into_iter()
        .map(String::from)
        .collect()
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let ReconsentPreview {
        recipients,
        no_address,
        stopped,
        recently_sent,
        looking_up,
        queued,
    } = state
        .invitations
        .reconsent_preview(&required(&state))
        .await?;
    if queued > 0 || !looking_up.is_empty() {
        state.lookups.wake();
    }
    // Those waiting for their address, out of everyone without an invitation address.
    let asked = recipients
        .iter()
        .filter(|r| r.source == AddressSource::OrcidPublic)
        .count()
        + no_address.len()
        + stopped
            .iter()
            .filter(|r| r.source == AddressSource::OrcidPublic)
            .count()
        + looking_up.len();
    let lookups = (!looking_up.is_empty()).then(|| {
        LookupProgressView::new(asked as i64, looking_up.len() as i64).with_labels(
            "Looking up public addresses on ORCID",
            "Every address looked up",
        )
    });
    let (subject, text, sample_to) = match recipients.first() {
        Some(r) => {
            let m = state
                .invitations
                .reconsent_sample(r)
                .map_err(PageError::internal)?;
            let to = if r.person.name.trim().is_empty() {
                r.person.orcid.to_string()
            } else {
                r.person.name.clone()
            };
            (m.subject, m.text, to)
        }
        None => Default::default(),
    };
    Ok(render(&ReconsentPage {
        flash: flash::take(&staff.session).await?,
        layout: staff.layout(&state).await?,
        nav: "grants",
        recipients: recipients.len(),
        from_orcid: recipients
            .iter()
            .filter(|r| r.source == AddressSource::OrcidPublic)
            .count(),
        no_address: no_address
            .iter()
            .map(|u| {
                let note = if u.lookup_failed {
                    "ORCID did not answer when asked for a public address; it will be asked again if this page is opened ten or more minutes from now"
                } else {
                    "no invitation address, and no public address on ORCID"
                };
                person(&u.person, note.into())
            })
            .collect(),
        stopped: stopped
            .iter()
            .map(|r| person(&r.person, r.email.clone()))
            .collect(),
        recently_sent: recently_sent
            .iter()
            .map(|p| person(p, String::new()))
            .collect(),
        lookups,
        window_minutes: RESEND_WINDOW_SECS / 60,
        subject,
        text,
        sample_to,
    }))
}

pub async fn send(
    State(state): State<AppState>,
    staff: Staff,
    _form: CsrfForm,
) -> Result<Response, PageError> {
    let sent = state
        .invitations
        .send_reconsent(&staff.orcid, &required(&state))
        .await;
    let (message, to) = match sent {
        Ok(s) => match s.batch_id {
            Some(id) => (
                Flash::ok(format!(
                    "{} re-consent {} queued. They are sent at the mail rate; this page follows them.",
                    s.queued,
                    if s.queued == 1 { "invitation" } else { "invitations" }
                )),
                format!("/admin/invitations/batches/{id}"),
            ),
            None => (
                Flash::warn("Everyone was sent a re-consent invitation a moment ago: nothing was sent again."),
                PAGE.to_string(),
            ),
        },
        Err(SendError::Empty) => (
            Flash::warn("Nobody can be sent a re-consent invitation now."),
            PAGE.to_string(),
        ),
        Err(SendError::LookingUp) => {
            state.lookups.wake();
            (
            Flash::warn("Public addresses are still being looked up on ORCID, so nothing was sent. Send is offered once they are done."),
            PAGE.to_string(),
        )
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    flash::set(&staff.session, message).await?;
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub struct LookupsQuery {
    /// How many addresses the page was waiting for when drawn.
    #[serde(default)]
    total: i64,
}

/// The public addresses still to be looked up, for the preview's live progress.
pub async fn lookups_json(
    State(state): State<AppState>,
    _staff: Staff,
    Query(q): Query<LookupsQuery>,
) -> Result<Response, PageError> {
    let pending = state.store.public_emails_pending().await?;
    let total = q.total.max(0);
    let progress = LookupProgressView::new(total, pending.min(total)).with_labels(
        "Looking up public addresses on ORCID",
        "Every address looked up",
    );
    Ok(Json(progress).into_response())
}
