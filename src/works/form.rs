//! The add/edit work form: what the person typed, checked the way ORCID checks it, with a
//! message per field, and turned into a v3.0 [`Work`].

use orcid::external_ids;
use orcid::model::{
    Contributor, ContributorAttributes, Contributors, ExternalId, ExternalIds, OrcidIdentifier,
    PublicationDate, Value, Work, WorkTitle,
};
use orcid::{work_types, OrcidId};

use super::formula::is_formula;

/// Said of a value a spreadsheet would run as a formula ([`is_formula`]).
pub const FORMULA_REFUSED: &str = "This starts like a spreadsheet formula (=, @, or + or - followed by a calculation), which ORCID records must not carry. Reword the start, or remove the sign.";

pub const MIN_ID_ROWS: usize = 2;
pub const MIN_CONTRIBUTOR_ROWS: usize = 2;
/// Rows beyond these are ignored: a form is not a bulk upload.
const MAX_ROWS: usize = 50;

pub const RELATIONSHIPS: &[(&str, &str)] = &[
    ("self", "This work"),
    ("version-of", "A version of this work"),
    (
        "part-of",
        "What this work is part of (e.g. the journal's ISSN)",
    ),
    ("funded-by", "The funding (grant number)"),
];

/// Contributor roles ORCID accepts in v3.0 (legacy list), with labels.
pub const ROLES: &[(&str, &str)] = &[
    ("author", "Author"),
    ("editor", "Editor"),
    ("chair-or-translator", "Chair or translator"),
    ("co-investigator", "Co-investigator"),
    ("co-inventor", "Co-inventor"),
    ("graduate-student", "Graduate student"),
    ("other-inventor", "Other inventor"),
    ("principal-investigator", "Principal investigator"),
    ("postdoctoral-researcher", "Postdoctoral researcher"),
    ("support-staff", "Support staff"),
    ("assignee", "Assignee"),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdRow {
    pub id_type: String,
    pub value: String,
    pub relationship: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContributorRow {
    pub name: String,
    pub orcid: String,
    pub role: String,
}

/// The form as typed. Every field is kept as text so a rejected form comes back filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkForm {
    pub title: String,
    pub subtitle: String,
    pub work_type: String,
    pub year: String,
    pub month: String,
    pub day: String,
    pub journal_title: String,
    pub url: String,
    pub short_description: String,
    pub ids: Vec<IdRow>,
    pub contributors: Vec<ContributorRow>,
    /// The person saw the "already on your record" warning and chose to add it anyway.
    pub confirm_duplicate: bool,
}

/// One thing to fix: the field it is about (`title`, `date`, `ids`, `id_0`,
/// `contributor_1`, …), the form input it failed on (`year`, `id_rel_0`,
/// `contrib_role_1`, …) and what to tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub input: String,
    pub message: String,
}

/// Every message from one validation, in the order the form shows its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// A message about a field that is one input of the same name.
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.add_at(field, field, message);
    }

    /// A message about `field` that `input` (the id of the form input) has to fix.
    pub(crate) fn add_at(
        &mut self,
        field: &str,
        input: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            input: input.into(),
            message: message.into(),
        });
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether a message was recorded against the form input with this id.
    pub fn marks(&self, input: &str) -> bool {
        self.0.iter().any(|e| e.input == input)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl WorkForm {
    /// Reads `application/x-www-form-urlencoded` pairs: `title`, `subtitle`, `type`,
    /// `year`, `month`, `day`, `journal_title`, `url`, `short_description`,
    /// `id_type_N`/`id_value_N`/`id_rel_N`, `contrib_name_N`/`contrib_orcid_N`/`contrib_role_N`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = WorkForm::default();
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k.as_str() {
                "title" => f.title = v,
                "subtitle" => f.subtitle = v,
                "type" => f.work_type = v,
                "year" => f.year = v,
                "month" => f.month = v,
                "day" => f.day = v,
                "journal_title" => f.journal_title = v,
                "url" => f.url = v,
                "short_description" => f.short_description = v,
                "confirm_duplicate" => f.confirm_duplicate = v == "1",
                _ => {
                    if let Some((field, n)) = indexed(k) {
                        match field {
                            "id_type" => row(&mut f.ids, n).id_type = v,
                            "id_value" => row(&mut f.ids, n).value = v,
                            "id_rel" => row(&mut f.ids, n).relationship = v,
                            "contrib_name" => row(&mut f.contributors, n).name = v,
                            "contrib_orcid" => row(&mut f.contributors, n).orcid = v,
                            "contrib_role" => row(&mut f.contributors, n).role = v,
                            _ => {}
                        }
                    }
                }
            }
        }
        f.ids
            .retain(|r| !(r.id_type.is_empty() && r.value.is_empty()));
        f.contributors
            .retain(|c| !(c.name.is_empty() && c.orcid.is_empty()));
        f
    }

    /// The form for editing an existing work.
    pub fn from_work(w: &Work) -> Self {
        let date = w.publication_date.clone().unwrap_or_default();
        let text = |v: &Option<Value<String>>| {
            v.as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default()
        };
        WorkForm {
            title: w.title_text().unwrap_or_default().to_string(),
            subtitle: w
                .title
                .as_ref()
                .map(|t| text(&t.subtitle))
                .unwrap_or_default(),
            work_type: w.work_type.clone(),
            year: text(&date.year),
            month: text(&date.month),
            day: text(&date.day),
            journal_title: text(&w.journal_title),
            url: text(&w.url),
            short_description: w.short_description.clone().unwrap_or_default(),
            ids: w
                .external_ids
                .iter()
                .flat_map(|e| &e.external_id)
                .map(|id| IdRow {
                    id_type: id.external_id_type.clone(),
                    value: id.external_id_value.clone(),
                    relationship: id
                        .external_id_relationship
                        .clone()
                        .unwrap_or_else(|| "self".into()),
                })
                .collect(),
            contributors: w
                .contributors
                .iter()
                .flat_map(|c| &c.contributor)
                .map(|c| ContributorRow {
                    name: c.name().unwrap_or_default().to_string(),
                    orcid: c
                        .contributor_orcid
                        .as_ref()
                        .and_then(OrcidIdentifier::orcid_id)
                        .map(|i| i.to_string())
                        .unwrap_or_default(),
                    role: c
                        .contributor_attributes
                        .as_ref()
                        .and_then(|a| a.contributor_role.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            confirm_duplicate: false,
        }
    }

    /// Rows to draw: what was typed plus empty ones, so there is always room to add.
    pub fn id_rows(&self, extra: usize) -> Vec<IdRow> {
        padded(&self.ids, MIN_ID_ROWS, extra, || IdRow {
            relationship: "self".into(),
            ..IdRow::default()
        })
    }

    pub fn contributor_rows(&self, extra: usize) -> Vec<ContributorRow> {
        padded(&self.contributors, MIN_CONTRIBUTOR_ROWS, extra, || {
            ContributorRow {
                role: "author".into(),
                ..ContributorRow::default()
            }
        })
    }

    /// The normalised `self` and `version-of` identifiers: what makes two works the same.
    pub fn identity(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .ids
            .iter()
            .filter(|r| matches!(r.relationship.as_str(), "self" | "version-of" | ""))
            .filter_map(|r| {
                Some((
                    r.id_type.to_lowercase(),
                    external_ids::normalize(&r.id_type.to_lowercase(), &r.value)?,
                ))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Checks every field as ORCID would and builds the work; or says what to fix.
    /// `record_host` is ORCID's host for contributor iDs (`orcid.org`, `sandbox.orcid.org`).
    pub fn validate(&self, record_host: &str) -> Result<Work, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.title.is_empty() {
            e.add("title", "Enter the title of the work.");
        } else if self.title.chars().count() > 1000 {
            e.add("title", "The title can be at most 1,000 characters.");
        }
        if self.subtitle.chars().count() > 1000 {
            e.add("subtitle", "The subtitle can be at most 1,000 characters.");
        }
        for (field, value) in [
            ("title", &self.title),
            ("subtitle", &self.subtitle),
            ("journal_title", &self.journal_title),
            ("short_description", &self.short_description),
        ] {
            if is_formula(value) {
                e.add(field, FORMULA_REFUSED);
            }
        }
        if self.work_type.is_empty() {
            e.add("type", "Choose the type of work.");
        } else if work_types::lookup(&self.work_type).is_none() {
            e.add("type", "Choose one of the types in the list.");
        }
        let date = self.check_date(&mut e);
        if self.journal_title.chars().count() > 1000 {
            e.add(
                "journal_title",
                "The journal or container title can be at most 1,000 characters.",
            );
        }
        if !self.url.is_empty() && !is_web_url(&self.url) {
            e.add(
                "url",
                "Enter a web address starting with https:// or http://.",
            );
        }
        if self.short_description.chars().count() > 5000 {
            e.add(
                "short_description",
                "The description can be at most 5,000 characters.",
            );
        }
        let ids = self.check_ids(&mut e);
        let contributors = self.check_contributors(&mut e, record_host);
        if !e.is_empty() {
            return Err(e);
        }
        let opt = |s: &str| (!s.is_empty()).then(|| Value::new(s.to_string()));
        Ok(Work {
            title: Some(WorkTitle {
                subtitle: opt(&self.subtitle),
                ..WorkTitle::new(&self.title)
            }),
            work_type: self.work_type.clone(),
            publication_date: date,
            journal_title: opt(&self.journal_title),
            url: opt(&self.url),
            short_description: (!self.short_description.is_empty())
                .then(|| self.short_description.clone()),
            external_ids: Some(ExternalIds { external_id: ids }),
            contributors: (!contributors.is_empty()).then_some(Contributors {
                contributor: contributors,
            }),
            ..Work::default()
        })
    }

    fn check_date(&self, e: &mut FieldErrors) -> Option<PublicationDate> {
        let (y, m, d) = (&self.year, &self.month, &self.day);
        if y.is_empty() && m.is_empty() && d.is_empty() {
            return None;
        }
        let year = if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
            y.parse::<u32>().ok()
        } else {
            None
        };
        let Some(year) = year.filter(|y| (1000..=2100).contains(y)) else {
            e.add_at("date", "year", "Enter the year as four digits, e.g. 2024.");
            return None;
        };
        let month = match m.as_str() {
            "" => None,
            m => match m.parse::<u32>().ok().filter(|m| (1..=12).contains(m)) {
                Some(m) => Some(m),
                None => {
                    e.add_at(
                        "date",
                        "month",
                        "Choose a month from the list, or leave it empty.",
                    );
                    return None;
                }
            },
        };
        let day = match (d.as_str(), month) {
            ("", _) => None,
            (_, None) => {
                e.add_at(
                    "date",
                    "month",
                    "A day needs a month: choose the month too, or leave the day empty.",
                );
                return None;
            }
            (d, Some(month)) => match d
                .parse::<u32>()
                .ok()
                .filter(|d| *d >= 1 && *d <= days_in(year, month))
            {
                Some(d) => Some(d),
                None => {
                    e.add_at(
                        "date",
                        "day",
                        format!(
                            "That month has {} days; enter a day from 1 to {}.",
                            days_in(year, month),
                            days_in(year, month)
                        ),
                    );
                    return None;
                }
            },
        };
        Some(PublicationDate {
            year: Some(Value::new(year.to_string())),
            month: month.map(|m| Value::new(format!("{m:02}"))),
            day: day.map(|d| Value::new(format!("{d:02}"))),
        })
    }

    fn check_ids(&self, e: &mut FieldErrors) -> Vec<ExternalId> {
        if self.ids.is_empty() {
            e.add_at(
                "ids",
                "id_type_0",
                "Add at least one identifier (for example the DOI): ORCID requires one.",
            );
            return vec![];
        }
        let mut out = Vec::new();
        for (n, r) in self.ids.iter().enumerate() {
            let field = format!("id_{n}");
            let at = |input: &str| format!("id_{input}_{n}");
            let ty = r.id_type.to_lowercase();
            let rel = if r.relationship.is_empty() {
                "self"
            } else {
                r.relationship.as_str()
            };
            if ty.is_empty() {
                e.add_at(&field, at("type"), "Choose the identifier type.");
            } else if !external_ids::is_known_type(&ty) {
                e.add_at(
                    &field,
                    at("type"),
                    "Choose an identifier type from the list.",
                );
            } else if r.value.is_empty() {
                e.add_at(&field, at("value"), "Enter the identifier's value.");
            } else if r.value.chars().count() > 2084 {
                e.add_at(&field, at("value"), "This identifier is too long.");
            } else if !RELATIONSHIPS.iter().any(|(k, _)| *k == rel) {
                e.add_at(
                    &field,
                    at("rel"),
                    "Choose how the identifier relates to the work.",
                );
            } else if rel == "funded-by"
                && !matches!(ty.as_str(), "grant_number" | "proposal-id" | "uri" | "doi")
            {
                e.add_at(
                    &field,
                    at("rel"),
                    "Only a grant number, proposal id, URI or DOI can name the funding.",
                );
            } else {
                match external_ids::normalize(&ty, &r.value) {
                    None => e.add_at(
                        &field,
                        at("value"),
                        format!(
                            "This does not look like a valid {}.",
                            external_ids::label(&ty)
                        ),
                    ),
                    Some(normalized) => {
                        // DOIs and the like are sent in the form ORCID normalises to, so a
                        // DOI pasted as https://doi.org/10.1/ABC is stored as 10.1/abc.
                        let value = if ty == "doi" {
                            normalized
                        } else {
                            r.value.clone()
                        };
                        let mut id = ExternalId::new(&ty, &value, rel);
                        id.external_id_url =
                            external_ids::resolver_url(&ty, &value).map(Value::new);
                        out.push(id);
                    }
                }
            }
        }
        if e.get("ids").is_none() && !out.is_empty() && !out.iter().any(|i| i.is_self()) {
            e.add_at(
                "ids",
                "id_rel_0",
                "At least one identifier must be of this work itself (relationship \"This work\").",
            );
        }
        out
    }

    fn check_contributors(&self, e: &mut FieldErrors, record_host: &str) -> Vec<Contributor> {
        let mut out = Vec::new();
        for (n, c) in self.contributors.iter().enumerate() {
            let field = format!("contributor_{n}");
            let at = |input: &str| format!("contrib_{input}_{n}");
            if c.name.is_empty() {
                e.add_at(&field, at("name"), "Enter the contributor's name.");
                continue;
            }
            if is_formula(&c.name) {
                e.add_at(&field, at("name"), FORMULA_REFUSED);
                continue;
            }
            let orcid = match c.orcid.as_str() {
                "" => None,
                s => match OrcidId::parse(s) {
                    Ok(id) => Some(id),
                    Err(err) => {
                        e.add_at(&field, at("orcid"), format!("ORCID iD: {err}."));
                        continue;
                    }
                },
            };
            let role = if c.role.is_empty() {
                "author"
            } else {
                c.role.as_str()
            };
            if !ROLES.iter().any(|(k, _)| *k == role) {
                e.add_at(&field, at("role"), "Choose a role from the list.");
                continue;
            }
            out.push(Contributor {
                contributor_orcid: orcid.map(|id| OrcidIdentifier::from_id(&id, record_host)),
                credit_name: Some(Value::new(c.name.clone())),
                contributor_attributes: Some(ContributorAttributes {
                    contributor_sequence: Some(
                        if out.is_empty() {
                            "first"
                        } else {
                            "additional"
                        }
                        .into(),
                    ),
                    contributor_role: Some(role.into()),
                }),
                ..Contributor::default()
            });
        }
        out
    }
}

fn indexed(key: &str) -> Option<(&str, usize)> {
    let (field, n) = key.rsplit_once('_')?;
    let n: usize = n.parse().ok()?;
    (n < MAX_ROWS).then_some((field, n))
}

fn row<T: Default>(rows: &mut Vec<T>, n: usize) -> &mut T {
    while rows.len() <= n {
        rows.push(T::default());
    }
    &mut rows[n]
}

fn padded<T: Clone>(rows: &[T], min: usize, extra: usize, blank: impl Fn() -> T) -> Vec<T> {
    let mut out = rows.to_vec();
    let want = (rows.len() + extra).max(min).min(MAX_ROWS);
    while out.len() < want {
        out.push(blank());
    }
    out
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

fn days_in(year: u32, month: u32) -> u32 {
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok());
    month.map_or(31, |m| u32::from(time::util::days_in_month(m, year as i32)))
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
