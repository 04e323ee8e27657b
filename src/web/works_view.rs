//! What the works pages show: view models built from the cache and the form, and the
//! plain-words message for every write outcome.

use askama::Template;

use super::flash::Flash;
use super::pager::{last_page, Pager};
use super::pages::Layout;
use crate::state::AppState;
use orcid::{external_ids, work_types, OrcidId};
use std::sync::Arc;

use crate::store::{CachedId, CachedWork, IdentifierMatch, SyncStatus};
use crate::works::form::{ContributorRow, FieldErrors, IdRow, WorkForm, RELATIONSHIPS, ROLES};
use crate::works::{LinkTo, Message, Tone, WriteOutcome};

/// Groups of works shown per page of /me.
pub const GROUPS_PER_PAGE: i64 = 50;

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The works part of /me (and of a researcher's page for staff): the cached page as it
/// is, with the grouping and the labels worked out as the template asks, so a page view
/// copies no work.
pub struct WorksSection {
    works: Arc<Vec<CachedWork>>,
    /// Indexes into `works`, one list per ORCID group, idlink's own work first.
    pub groups: Vec<Vec<usize>>,
    pub total_groups: i64,
    pub page: i64,
    pub pages: i64,
    /// "3 minutes ago", or empty when never synced.
    pub synced: String,
    pub refreshing: bool,
    pub sync_error: Option<String>,
    pub can_write: bool,
    /// Staff see put-codes.
    pub staff_view: bool,
    client_id: String,
    institution: String,
}

impl WorksSection {
    /// The pager under the list on /me.
    pub fn pager(&self) -> Pager {
        Pager::new("Pages of works", self.page, self.pages, |n| {
            format!("/me?page={n}#works")
        })
    }

    pub fn new(
        state: &AppState,
        works: Arc<Vec<CachedWork>>,
        total_groups: i64,
        page: i64,
        status: Option<&SyncStatus>,
        refreshing: bool,
        can_write: bool,
    ) -> Self {
        let client_id = state.orcid.client_id().to_string();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut last_group = None;
        for (n, w) in works.iter().enumerate() {
            if last_group != Some(w.group_index) {
                groups.push(Vec::new());
                last_group = Some(w.group_index);
            }
            if let Some(g) = groups.last_mut() {
                g.push(n);
            }
        }
        // Within a group, idlink's own work first: it is the one the person can change.
        for g in &mut groups {
            g.sort_by_key(|&n| works[n].source_client_id.as_deref() != Some(client_id.as_str()));
        }
        WorksSection {
            groups,
            total_groups,
            page,
            pages: last_page(total_groups, GROUPS_PER_PAGE),
            synced: status
                .and_then(|s| s.synced_at)
                .map(ago)
                .unwrap_or_default(),
            refreshing,
            sync_error: status.and_then(|s| s.last_error.clone()),
            can_write,
            staff_view: false,
            client_id,
            institution: state.settings.institution_name.clone(),
            works,
        }
    }

    pub fn for_staff(mut self) -> Self {
        self.staff_view = true;
        self
    }

    pub fn work(&self, n: &usize) -> &CachedWork {
        &self.works[*n]
    }

    pub fn is_ours(&self, w: &CachedWork) -> bool {
        w.source_client_id.as_deref() == Some(self.client_id.as_str())
    }

    pub fn type_label(&self, w: &CachedWork) -> &'static str {
        work_types::lookup(&w.work_type).map_or("Other", |t| t.label)
    }

    /// "2021", "March 2021" or "4 March 2021", as ORCID has it.
    pub fn date(&self, w: &CachedWork) -> Option<String> {
        let y = w.pub_year.as_ref()?;
        Some(match (&w.pub_month, &w.pub_day) {
            (Some(m), Some(d)) => format!("{} {} {y}", d.trim_start_matches('0'), month_name(m)),
            (Some(m), None) => format!("{} {y}", month_name(m)),
            _ => y.clone(),
        })
    }

    /// Links only to web addresses.
    pub fn link<'a>(&self, w: &'a CachedWork) -> Option<&'a str> {
        w.url
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    }

    /// The work's own identifiers (not the journal's ISSN and the like).
    pub fn ids<'a>(&self, w: &'a CachedWork) -> Vec<&'a CachedId> {
        w.external_ids
            .iter()
            .filter(|i| i.relationship.as_deref() != Some("part-of"))
            .collect()
    }

    pub fn id_label(&self, i: &CachedId) -> &'static str {
        external_ids::lookup(&i.id_type).map_or("Identifier", |t| t.label)
    }

    pub fn source(&self, w: &CachedWork) -> String {
        if self.is_ours(w) {
            format!("{} (added with idlink)", self.institution)
        } else {
            w.source_name
                .clone()
                .unwrap_or_else(|| "an unnamed source".into())
        }
    }
}

fn month_name(m: &str) -> &'static str {
    m.parse::<usize>()
        .ok()
        .and_then(|n| MONTHS.get(n.wrapping_sub(1)))
        .copied()
        .unwrap_or("")
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(unix: i64) -> String {
    let secs = (crate::store::now() - unix).max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=119 => "1 minute ago".into(),
        120..=3599 => format!("{} minutes ago", secs / 60),
        3600..=7199 => "1 hour ago".into(),
        7200..=86399 => format!("{} hours ago", secs / 3600),
        86400..=172799 => "yesterday".into(),
        _ => format!("{} days ago", secs / 86400),
    }
}

/// A write's outcome as a flash message: the domain's words, with its link made an address.
pub fn outcome_flash(outcome: &WriteOutcome, record_url: &str) -> Flash {
    message_flash(outcome.message(), record_url)
}

/// A domain message as a flash message, its link made an address.
pub fn message_flash(message: Message, record_url: &str) -> Flash {
    let Message { tone, text, link } = message;
    let flash = match tone {
        Tone::Ok => Flash::ok(text),
        Tone::Warn => Flash::warn(text),
        Tone::Error => Flash::error(text),
    };
    match link {
        Some((to, label)) => {
            let href = match to {
                LinkTo::Record => record_url,
                LinkTo::Connect => "/orcid/connect",
                LinkTo::ConnectForWorks => "/orcid/connect?need=works",
            };
            flash.with_link(href, label)
        }
        None => flash,
    }
}

pub struct DuplicateView {
    pub title: String,
    pub source: String,
    pub id: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct ChoiceGroup {
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "work_form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub put_code: Option<i64>,
    pub form: WorkForm,
    pub errors: FieldErrors,
    pub id_rows: Vec<IdRow>,
    pub contributor_rows: Vec<ContributorRow>,
    pub duplicates: Vec<DuplicateView>,
    pub record_url: String,
    pub flash: Option<Flash>,
    pub type_groups: Vec<ChoiceGroup>,
    pub id_types: Vec<Choice>,
    pub relationships: &'static [(&'static str, &'static str)],
    pub roles: &'static [(&'static str, &'static str)],
    pub months: Vec<(String, &'static str)>,
}

impl FormPage {
    pub fn new(layout: Layout, put_code: Option<i64>, form: WorkForm) -> Self {
        FormPage {
            layout,
            put_code,
            id_rows: form.id_rows(0),
            contributor_rows: form.contributor_rows(0),
            form,
            errors: FieldErrors::default(),
            duplicates: vec![],
            record_url: String::new(),
            flash: None,
            type_groups: work_types::groups()
                .map(|(label, types)| ChoiceGroup {
                    label,
                    choices: types
                        .into_iter()
                        .map(|t| Choice {
                            value: t.slug,
                            label: t.label,
                        })
                        .collect(),
                })
                .collect(),
            id_types: external_ids::EXTERNAL_ID_TYPES
                .iter()
                .map(|t| Choice {
                    value: t.id_type,
                    label: t.label,
                })
                .collect(),
            relationships: RELATIONSHIPS,
            roles: ROLES,
            months: MONTHS
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("{:02}", i + 1), *m))
                .collect(),
        }
    }

    pub fn with_errors(mut self, errors: FieldErrors) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_flash(mut self, flash: Flash) -> Self {
        self.flash = Some(flash);
        self
    }

    /// One more identifier or contributor row.
    pub fn with_more(mut self, which: &str) -> Self {
        match which {
            "id" => self.id_rows = self.form.id_rows(1),
            "contributor" => self.contributor_rows = self.form.contributor_rows(1),
            _ => {}
        }
        self
    }

    pub fn with_duplicates(
        mut self,
        state: &AppState,
        orcid: &OrcidId,
        matches: Vec<IdentifierMatch>,
    ) -> Self {
        self.record_url = state.orcid.record_url(orcid);
        self.duplicates = matches
            .into_iter()
            .map(|m| DuplicateView {
                title: m.title,
                source: if m.source_client_id.as_deref() == Some(state.orcid.client_id()) {
                    "idlink".into()
                } else {
                    m.source_name.unwrap_or_else(|| "another source".into())
                },
                id: format!("{}: {}", external_ids::label(&m.id_type), m.id_value),
            })
            .collect();
        self
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    pub fn month_selected(&self, value: &str) -> bool {
        self.form.month.parse::<u32>().ok() == value.parse::<u32>().ok()
            && !self.form.month.is_empty()
    }

    pub fn id_error(&self, n: &usize) -> Option<&str> {
        self.errors.get(&format!("id_{n}"))
    }

    pub fn contributor_error(&self, n: &usize) -> Option<&str> {
        self.errors.get(&format!("contributor_{n}"))
    }

    /// Whether validation failed on the form input with this id (for `aria-invalid`).
    pub fn invalid(&self, input: &str) -> bool {
        self.errors.marks(input)
    }

    /// [`Self::invalid`] for input `part` (`type`, `value`, `rel`) of identifier row `n`.
    pub fn id_invalid(&self, n: &usize, part: &str) -> bool {
        self.errors.marks(&format!("id_{part}_{n}"))
    }

    /// [`Self::invalid`] for input `part` (`name`, `orcid`, `role`) of contributor row `n`.
    pub fn contributor_invalid(&self, n: &usize, part: &str) -> bool {
        self.errors.marks(&format!("contrib_{part}_{n}"))
    }
}

#[derive(Template)]
#[template(path = "work_delete.html")]
pub struct DeletePage {
    pub layout: Layout,
    pub put_code: i64,
    pub title: String,
}
