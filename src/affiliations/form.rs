//! The researcher's affiliation form: what they typed, kept as text so a refused form
//! comes back filled, checked with ORCID's own rules (`orcid::affiliation_rules`) and
//! each problem put beside the field it names.

use orcid::affiliation_rules::{self, Field};
use orcid::model::{AffiliationSection, FuzzyDate, Organization};

use super::draft::Draft;
use super::prefill::Prefill;
use crate::store::CachedAffiliation;
use crate::works::form::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AffiliationForm {
    pub department: String,
    pub role_title: String,
    pub start: DateInput,
    pub end: DateInput,
}

/// A date as typed: year, month (`01`–`12` or empty) and day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateInput {
    pub year: String,
    pub month: String,
    pub day: String,
}

impl DateInput {
    fn of(date: Option<&FuzzyDate>) -> Self {
        let [year, month, day] = date.map(FuzzyDate::parts).unwrap_or_default();
        let text = |p: Option<&str>| p.unwrap_or_default().to_string();
        DateInput {
            year: text(year),
            month: text(month),
            day: text(day),
        }
    }

    fn of_parts(year: &Option<String>, month: &Option<String>, day: &Option<String>) -> Self {
        let text = |p: &Option<String>| p.clone().unwrap_or_default();
        DateInput {
            year: text(year),
            month: text(month),
            day: text(day),
        }
    }

    /// None when nothing was typed. A one-digit month or day is written with two, as
    /// ORCID wants them.
    fn to_date(&self) -> Option<FuzzyDate> {
        let two = |s: &str| match s.len() {
            1 if s.bytes().all(|b| b.is_ascii_digit()) => format!("0{s}"),
            _ => s.to_string(),
        };
        let (month, day) = (two(&self.month), two(&self.day));
        let any = [&self.year, &month, &day].iter().any(|s| !s.is_empty());
        any.then(|| FuzzyDate::new(&self.year, Some(&month), Some(&day)))
    }

    pub fn is_empty(&self) -> bool {
        self.year.is_empty() && self.month.is_empty() && self.day.is_empty()
    }
}

impl AffiliationForm {
    /// Reads `department`, `role_title`, `start_year`, `start_month`, `start_day`,
    /// `end_year`, `end_month`, `end_day`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = AffiliationForm::default();
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k.as_str() {
                "department" => f.department = v,
                "role_title" => f.role_title = v,
                "start_year" => f.start.year = v,
                "start_month" => f.start.month = v,
                "start_day" => f.start.day = v,
                "end_year" => f.end.year = v,
                "end_month" => f.end.month = v,
                "end_day" => f.end.day = v,
                _ => {}
            }
        }
        f
    }

    /// A new form with what staff uploaded for the person.
    pub fn from_prefill(p: &Prefill) -> Self {
        AffiliationForm {
            department: p.department.clone().unwrap_or_default(),
            role_title: p.role_title.clone().unwrap_or_default(),
            start: DateInput::of(p.start.as_ref()),
            end: DateInput::of(p.end.as_ref()),
        }
    }

    /// The form for editing an affiliation as the record has it.
    pub fn from_cached(a: &CachedAffiliation) -> Self {
        AffiliationForm {
            department: a.department.clone().unwrap_or_default(),
            role_title: a.role_title.clone().unwrap_or_default(),
            start: DateInput::of_parts(&a.start_year, &a.start_month, &a.start_day),
            end: DateInput::of_parts(&a.end_year, &a.end_month, &a.end_day),
        }
    }

    /// Ends the affiliation on `date` (year, month, day) unless an end date is there.
    pub fn ending_on(mut self, (year, month, day): (i32, u8, u8)) -> Self {
        if self.end.is_empty() {
            self.end = DateInput {
                year: year.to_string(),
                month: format!("{month:02}"),
                day: format!("{day:02}"),
            };
        }
        self
    }

    pub fn draft(&self) -> Draft {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Draft {
            department: text(&self.department),
            role_title: text(&self.role_title),
            start: self.start.to_date(),
            end: self.end.to_date(),
            ..Draft::default()
        }
    }

    /// The draft, or a message per field ORCID would refuse, in the form's order.
    pub fn validate(
        &self,
        section: AffiliationSection,
        organization: &Organization,
    ) -> Result<Draft, FieldErrors> {
        let draft = self.draft();
        let problems = affiliation_rules::check(section, &draft.to_affiliation(organization));
        let mut errors = FieldErrors::default();
        for p in problems {
            let (field, input) = place(p.field, &p.message);
            if errors.get(field).is_none() {
                errors.add_at(field, input, p.message);
            }
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }
}

/// The form field a problem is about and the input to fix: a date's part by what the
/// message names.
fn place(field: Field, message: &str) -> (&'static str, String) {
    let part = |prefix: &str| {
        let name = if message.contains("month") && !message.contains("day") {
            "month"
        } else if message.contains("day") && !message.contains("end date must") {
            "day"
        } else {
            "year"
        };
        format!("{prefix}_{name}")
    };
    match field {
        Field::DepartmentName => ("department", "department".into()),
        Field::RoleTitle => ("role_title", "role_title".into()),
        Field::StartDate => ("start", part("start")),
        Field::EndDate => ("end", part("end")),
        _ => ("organization", "organization".into()),
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
