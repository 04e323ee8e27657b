//! The researcher's affiliation pages: the add/edit/end form and the delete confirmation.

use askama::Template;

use super::flash::Flash;
use super::pages::Layout;
use super::works_view::MONTHS;
use crate::affiliations::form::{AffiliationForm, DateInput};
use crate::affiliations::outcome::item_words;
use crate::works::form::FieldErrors;
use orcid::model::{AffiliationSection, Organization};

/// What the form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Add,
    Edit(i64),
    /// Edit with today's date as the end date.
    End(i64),
}

#[derive(Template)]
#[template(path = "affiliation_form.html")]
pub struct AffiliationFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub submit: &'static str,
    /// The organisation, fixed: its name and "Wellington, NZ".
    pub org_name: String,
    pub org_place: String,
    pub form: AffiliationForm,
    pub errors: FieldErrors,
    pub flash: Option<Flash>,
    pub months: Vec<(String, &'static str)>,
    /// The form starts from what staff uploaded.
    pub prefilled: bool,
}

impl AffiliationFormPage {
    pub fn new(
        layout: Layout,
        section: AffiliationSection,
        purpose: Purpose,
        org: &Organization,
        form: AffiliationForm,
    ) -> Self {
        let item = item_words(section);
        let name = &org.name;
        let (heading, action, submit) = match purpose {
            Purpose::Add => (
                format!("Add your {item} at {name} to your ORCID record"),
                format!("/me/affiliations/{section}/new"),
                "Add to my ORCID record",
            ),
            Purpose::Edit(put_code) => (
                format!("Edit your {item} at {name}"),
                format!("/me/affiliations/{section}/{put_code}/edit"),
                "Save changes",
            ),
            Purpose::End(put_code) => (
                format!("End your {item} at {name}"),
                format!("/me/affiliations/{section}/{put_code}/edit"),
                "Save the end date",
            ),
        };
        let address = org.address.clone().unwrap_or_default();
        let org_place = [address.city, address.region, address.country]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        AffiliationFormPage {
            layout,
            heading,
            action,
            submit,
            org_name: name.clone(),
            org_place,
            form,
            errors: FieldErrors::default(),
            flash: None,
            months: MONTHS
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("{:02}", i + 1), *m))
                .collect(),
            prefilled: false,
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

    pub fn prefilled(mut self, prefilled: bool) -> Self {
        self.prefilled = prefilled;
        self
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// Whether validation failed on part `part` (`year`, `month`, `day`) of date `which`.
    pub fn part_invalid(&self, which: &str, part: &str) -> bool {
        self.errors.marks(&format!("{which}_{part}"))
    }

    /// The start and end dates, as the form shows them.
    pub fn dates(&self) -> [DateField<'_>; 2] {
        [
            DateField {
                which: "start",
                legend: "Start date",
                open_ended: false,
                date: &self.form.start,
            },
            DateField {
                which: "end",
                legend: "End date",
                open_ended: true,
                date: &self.form.end,
            },
        ]
    }

    /// Whether `value` is the month typed for the date `which` (`start` or `end`).
    pub fn month_selected(&self, which: &str, value: &str) -> bool {
        let typed = match which {
            "start" => &self.form.start.month,
            _ => &self.form.end.month,
        };
        !typed.is_empty() && typed.parse::<u32>().ok() == value.parse::<u32>().ok()
    }
}

/// One date of the form.
pub struct DateField<'a> {
    pub which: &'static str,
    pub legend: &'static str,
    /// May stay empty (the end date while the affiliation goes on).
    pub open_ended: bool,
    pub date: &'a DateInput,
}

#[derive(Template)]
#[template(path = "affiliation_delete.html")]
pub struct AffiliationDeletePage {
    pub layout: Layout,
    pub action: String,
    /// "Lecturer, Example University (2019-02 to present)".
    pub description: String,
    pub item: &'static str,
}
