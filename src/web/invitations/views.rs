//! The invitation pages' templates and the rows they show.

use askama::Template;
use serde::Serialize;

use crate::invitations::roster::{PersonForm, COLUMNS};
use crate::mail::outbox::MailProgress;
use crate::state::AppState;
use crate::store::{BatchStatus, Invitation, InvitationBatch, InvitationRow, RowError};
use crate::web::flash::Flash;
use crate::web::format::{day, when};
use crate::web::lookup_progress::{percent, LookupProgressView};
use crate::web::pager::Pager;
use crate::web::pages::Layout;

#[derive(Template)]
#[template(path = "invitations/new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub nav: &'static str,
    /// What the last action said (a draft discarded).
    pub flash: Option<Flash>,
    pub columns: [&'static str; 5],
    /// The single-invitation form as typed, and its problems by field.
    pub form: PersonForm,
    pub form_errors: Vec<(String, String)>,
    pub roster_error: Option<String>,
}

impl NewPage {
    pub fn new(layout: Layout) -> Self {
        NewPage {
            layout,
            nav: "invitations",
            flash: None,
            columns: COLUMNS,
            form: PersonForm::default(),
            form_errors: vec![],
            roster_error: None,
        }
    }

    /// The problem with a field, for the template.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.form_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// One person of a batch.
pub struct PersonView {
    pub line: i64,
    pub name: String,
    pub email: String,
    pub department: String,
    pub orcid_url: Option<String>,
    /// ORCID's public name for the named iD: `None` when no iD or not checked.
    pub public_name: Option<String>,
    /// The public name does not carry the family name staff typed: maybe the wrong iD.
    pub name_differs: bool,
}

impl PersonView {
    pub fn new(state: &AppState, i: &Invitation) -> Self {
        let name_differs = i.public_name.as_deref().is_some_and(|p| {
            !p.is_empty()
                && !i.family_names.is_empty()
                && !p.to_lowercase().contains(&i.family_names.to_lowercase())
        });
        PersonView {
            line: i.line,
            name: format!("{} {}", i.given_names, i.family_names)
                .trim()
                .to_string(),
            email: i.email.clone(),
            department: i.department.clone(),
            orcid_url: i.named_orcid.map(|id| state.orcid.record_url(&id)),
            public_name: i.named_orcid.and(i.public_name.clone()),
            name_differs,
        }
    }
}

pub struct DraftView {
    pub findings: Vec<RowError>,
    pub omitted: Vec<String>,
    /// The roster's named iDs being looked up on ORCID; `None` when it named none.
    pub lookups: Option<LookupProgressView>,
}

impl DraftView {
    pub fn new(b: &InvitationBatch, findings: Vec<RowError>, omitted: Vec<(String, i64)>) -> Self {
        DraftView {
            lookups: (b.lookups_total > 0)
                .then(|| LookupProgressView::new(b.lookups_total, b.lookups_pending)),
            findings,
            omitted: omitted
                .into_iter()
                .map(|(c, n)| format!("and {n} more with a problem in {c}"))
                .collect(),
        }
    }

    /// Send waits until every named iD has been looked up.
    pub fn looking_up(&self) -> bool {
        self.lookups.as_ref().is_some_and(|l| l.active)
    }
}

/// A sent batch's mail, in the shape the job page's script reads (static/job.js).
#[derive(Debug, Serialize)]
pub struct MailProgressView {
    pub id: i64,
    pub status: &'static str,
    pub status_label: &'static str,
    pub active: bool,
    pub counts: MailCounts,
    pub total: i64,
    pub waiting: i64,
    pub completed: i64,
    pub percent: f64,
    pub rate_text: String,
    pub time_left_text: String,
}

#[derive(Debug, Serialize)]
pub struct MailCounts {
    pub sent: i64,
    pub failed: i64,
    pub stopped: i64,
    pub unknown: i64,
}

impl MailProgressView {
    pub fn new(id: i64, p: MailProgress) -> Self {
        let total = p.total();
        let waiting = p.queued + p.sending;
        let completed = total - waiting;
        let active = waiting > 0;
        let percent = percent(completed, total);
        MailProgressView {
            id,
            status: if active { "running" } else { "finished" },
            status_label: if active {
                "Sending"
            } else {
                "All handed to the mail server"
            },
            active,
            counts: MailCounts {
                sent: p.sent,
                failed: p.failed,
                stopped: p.stopped,
                unknown: p.unknown,
            },
            total,
            waiting,
            completed,
            percent,
            rate_text: "at the mail rate".into(),
            time_left_text: if active {
                "a few minutes or more".into()
            } else {
                "done".into()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "invitations/batch.html")]
pub struct BatchPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub flash: Option<Flash>,
    pub id: i64,
    pub source: String,
    pub created: String,
    pub created_by: String,
    pub status_label: &'static str,
    pub rows_total: i64,
    pub rows_invalid: i64,
    pub invitations: i64,
    pub draft: Option<DraftView>,
    pub people: Vec<PersonView>,
    pub people_shown: i64,
    pub progress: Option<MailProgressView>,
}

impl BatchPage {
    pub fn new(
        layout: Layout,
        flash: Option<Flash>,
        b: &InvitationBatch,
        draft: Option<DraftView>,
        people: Vec<PersonView>,
        progress: Option<MailProgressView>,
    ) -> Self {
        BatchPage {
            layout,
            nav: "invitations",
            flash,
            id: b.id,
            source: if b.source == "form" {
                "one person from the form".into()
            } else {
                b.source.clone()
            },
            created: when(b.created_at),
            created_by: b.created_by.to_string(),
            status_label: match b.status {
                BatchStatus::Draft => "Draft: checked, not sent",
                BatchStatus::Sent => "Sent",
                BatchStatus::Discarded => "Discarded",
            },
            rows_total: b.rows_total,
            rows_invalid: b.rows_invalid,
            invitations: b.invitations,
            draft,
            people_shown: people.len() as i64,
            people,
            progress,
        }
    }
}

/// One invitation on the list.
pub struct InvitationView {
    pub name: String,
    pub email: String,
    pub department: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub named_url: Option<String>,
    pub public_name: Option<String>,
    pub connected_url: Option<String>,
    pub mismatch: bool,
    pub invited: String,
    pub expires: String,
    pub reminders: i64,
    pub mail_error: Option<String>,
    pub batch_href: String,
}

impl InvitationView {
    pub fn new(state: &AppState, r: &InvitationRow) -> Self {
        InvitationView {
            name: format!("{} {}", r.given_names, r.family_names)
                .trim()
                .to_string(),
            email: r.email.clone(),
            department: r.department.clone(),
            status: r.status.as_str(),
            status_label: r.status.label(),
            named_url: r.named_orcid.map(|id| state.orcid.record_url(&id)),
            public_name: r.public_name.clone().filter(|p| !p.is_empty()),
            connected_url: r.connected_orcid.map(|id| state.orcid.record_url(&id)),
            mismatch: r.mismatch(),
            invited: day(r.invited_at),
            expires: day(r.expires_at),
            reminders: r.reminders_sent,
            mail_error: r.mail_error.clone(),
            batch_href: format!("/admin/invitations/batches/{}", r.batch_id),
        }
    }
}

#[derive(Template)]
#[template(path = "invitations/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub q: String,
    pub status: &'static str,
    pub batch: String,
    pub mismatch: bool,
    /// (slug, label, count) for every status.
    pub statuses: Vec<(&'static str, &'static str, i64)>,
    pub total: i64,
    pub rows: Vec<InvitationView>,
    pub pager: Pager,
}
