//! Reading a staff member's affiliations upload: the same file and header checks as works
//! ([`super::parse_rows`]), then each row becomes the affiliation idlink would send (at the
//! institution's organisation) and is checked by ORCID's rules
//! ([`orcid::affiliation_rules::check`]), each finding tied to a line and a column.

use std::collections::HashMap;

use orcid::affiliation_rules::{self, Field};
use orcid::model::{
    Affiliation, AffiliationSection, ExternalId, ExternalIds, FuzzyDate, Organization, Value,
};
use orcid::{external_ids, OrcidId};

use super::{parse_rows, row_start, FileError, Header, Layout, Limits, ParsedFile};
use crate::jobs::findings::Findings;
use crate::store::RowError;

/// The columns of an affiliations upload, in the template's order.
pub const COLUMNS: [&str; 13] = [
    "orcid",
    "affiliation_type",
    "department",
    "role_title",
    "start_year",
    "start_month",
    "start_day",
    "end_year",
    "end_month",
    "end_day",
    "url",
    "external_id_type",
    "external_id_value",
];

/// Columns the header must name.
pub const REQUIRED: [&str; 2] = ["orcid", "affiliation_type"];

pub const LAYOUT: Layout = Layout {
    columns: &COLUMNS,
    required: &REQUIRED,
};

/// A row that passed every check of its own; the researcher's grant is looked at later.
#[derive(Debug, Clone)]
pub struct AffiliationRow {
    pub line: i64,
    pub orcid: OrcidId,
    pub section: AffiliationSection,
    /// What idlink sends, at the institution's organisation.
    pub affiliation: Affiliation,
}

impl AffiliationRow {
    /// How staff see the row in reports: "employment: Lecturer, Chemistry (2020–2024)".
    pub fn title(&self) -> String {
        describe(self.section, &self.affiliation)
    }
}

/// "employment: Lecturer, Chemistry (2020-03 – 2024)": an affiliation in a few words.
pub fn describe(section: AffiliationSection, a: &Affiliation) -> String {
    let what: Vec<&str> = [a.role_title.as_deref(), a.department_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    let mut out = section.to_string();
    if !what.is_empty() {
        out.push_str(": ");
        out.push_str(&what.join(", "));
    }
    let start = a.start_date.as_ref().and_then(FuzzyDate::display);
    let end = a.end_date.as_ref().and_then(FuzzyDate::display);
    match (start, end) {
        (Some(s), Some(e)) => out.push_str(&format!(" ({s} – {e})")),
        (Some(s), None) => out.push_str(&format!(" (since {s})")),
        (None, Some(e)) => out.push_str(&format!(" (until {e})")),
        (None, None) => {}
    }
    out
}

/// Reads and checks a whole affiliations upload; every row is written at `organization`.
pub fn parse(
    bytes: &[u8],
    organization: &Organization,
    limits: &Limits,
) -> Result<ParsedFile<AffiliationRow>, FileError> {
    let mut seen: HashMap<MeaningKey, i64> = HashMap::new();
    parse_rows(bytes, limits, &LAYOUT, |header, line, fields, findings| {
        let row = check_row(header, line, fields, organization, findings)?;
        let key = meaning_key(&row);
        if let Some(first) = seen.get(&key) {
            findings.push(RowError {
                line: row.line,
                column: "(row)".into(),
                message: format!(
                    "Duplicate of line {first}: the same researcher, affiliation type, department, role title and start date. Only line {first} is kept."
                ),
            });
            return None;
        }
        seen.insert(key, row.line);
        Some(row)
    })
}

/// What the template offers: the header and one example row.
pub fn template() -> String {
    let example = [
        "0000-0002-1825-0097",
        "employment",
        "Department of Chemistry",
        "Senior Lecturer",
        "2019",
        "2",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    format!("{}\r\n{}\r\n", COLUMNS.join(","), example.join(","))
}

/// Two rows with the same key would write the same affiliation twice.
type MeaningKey = (OrcidId, AffiliationSection, String, String, [u32; 3]);

fn meaning_key(row: &AffiliationRow) -> MeaningKey {
    let fold = |s: Option<&String>| {
        s.map(|s| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .unwrap_or_default()
    };
    let start = row
        .affiliation
        .start_date
        .as_ref()
        .map(|d| {
            d.parts()
                .map(|p| p.and_then(|p| p.parse().ok()).unwrap_or(0))
        })
        .unwrap_or_default();
    (
        row.orcid,
        row.section,
        fold(row.affiliation.department_name.as_ref()),
        fold(row.affiliation.role_title.as_ref()),
        start,
    )
}

fn check_row(
    header: &Header,
    line: u64,
    fields: &[String],
    organization: &Organization,
    findings: &mut Findings,
) -> Option<AffiliationRow> {
    let (line, orcid) = row_start(header, line, fields, findings)?;
    let mut report = |column: &str, message: String| findings.report(line, column, message);
    let get = |c: &'static str| header.get(fields, c);
    let section = match get("affiliation_type") {
        "" => {
            report(
                "affiliation_type",
                format!(
                    "The affiliation type is empty; it is required: one of {}.",
                    types()
                ),
            );
            None
        }
        raw => {
            let section = AffiliationSection::parse(&raw.to_lowercase().replace('_', "-"));
            if section.is_none() {
                report(
                    "affiliation_type",
                    format!(
                        "“{raw}” is not an affiliation type. Use one of {}.",
                        types()
                    ),
                );
            }
            section
        }
    };
    let mut ok = true;
    let start = date_of(header, fields, DateColumns::START, &mut report, &mut ok);
    let end = date_of(header, fields, DateColumns::END, &mut report, &mut ok);
    let url = get("url");
    let web_address = url.starts_with("https://") || url.starts_with("http://");
    if !url.is_empty() && !web_address {
        report(
            "url",
            format!("“{url}” is not a web address: it must start with https:// or http://."),
        );
        ok = false;
    }
    let external_ids = external_id(get("external_id_type"), get("external_id_value"))
        .map_err(|(column, message)| {
            report(column, message);
            ok = false;
        })
        .ok()
        .flatten();
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let affiliation = Affiliation {
        department_name: text(get("department")),
        role_title: text(get("role_title")),
        start_date: start,
        end_date: end,
        organization: Some(organization.clone()),
        url: text(url).map(Value::new),
        external_ids,
        ..Affiliation::default()
    };
    let section = section?;
    for problem in affiliation_rules::check(section, &affiliation) {
        report(column_of(problem.field, &problem.message), problem.message);
        ok = false;
    }
    let orcid = orcid?;
    ok.then_some(AffiliationRow {
        line,
        orcid,
        section,
        affiliation,
    })
}

fn types() -> String {
    AffiliationSection::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The three columns of a date.
struct DateColumns {
    which: &'static str,
    year: &'static str,
    month: &'static str,
    day: &'static str,
}

impl DateColumns {
    const START: Self = Self {
        which: "start",
        year: "start_year",
        month: "start_month",
        day: "start_day",
    };
    const END: Self = Self {
        which: "end",
        year: "end_year",
        month: "end_month",
        day: "end_day",
    };
}

/// The date of the `start_…` or `end_…` columns. Spreadsheets drop leading zeros, so a
/// one-digit month or day gets its zero back (ORCID wants two digits).
fn date_of(
    header: &Header,
    fields: &[String],
    c: DateColumns,
    report: &mut impl FnMut(&str, String),
    ok: &mut bool,
) -> Option<FuzzyDate> {
    let year = header.get(fields, c.year);
    let month = header.get(fields, c.month);
    let day = header.get(fields, c.day);
    if year.is_empty() {
        if !month.is_empty() || !day.is_empty() {
            let which = c.which;
            report(
                c.year,
                format!("The {which} year is empty, but a {which} month or day is given: a date needs its year."),
            );
            *ok = false;
        }
        return None;
    }
    let pad = |s: &str| {
        if s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit()) {
            format!("0{s}")
        } else {
            s.to_string()
        }
    };
    let (month, day) = (pad(month), pad(day));
    Some(FuzzyDate::new(year, Some(&month), Some(&day)))
}

/// The row's own identifier, if it has one: both columns or neither.
fn external_id(id_type: &str, value: &str) -> Result<Option<ExternalIds>, (&'static str, String)> {
    match (id_type.is_empty(), value.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Err((
            "external_id_value",
            format!("The identifier value is empty, but its type “{id_type}” is given: give both or neither."),
        )),
        (true, false) => Err((
            "external_id_type",
            "The identifier type is empty, but a value is given: name its type (for example grant_number or uri), or leave both empty.".into(),
        )),
        (false, false) => {
            let id_type = id_type.to_lowercase();
            if !external_ids::is_known_type(&id_type) {
                return Err((
                    "external_id_type",
                    format!("“{id_type}” is not an identifier type ORCID knows (for example grant_number, uri, doi)."),
                ));
            }
            Ok(Some(ExternalIds {
                external_id: vec![ExternalId::new(&id_type, value, "self")],
            }))
        }
    }
}

/// The column a rule's finding is about.
fn column_of(field: Field, message: &str) -> &'static str {
    let part = |prefix: &'static [&'static str; 3]| {
        if message.contains("day") {
            prefix[2]
        } else if message.contains("month") {
            prefix[1]
        } else {
            prefix[0]
        }
    };
    match field {
        Field::DepartmentName => "department",
        Field::RoleTitle => "role_title",
        Field::StartDate => part(&["start_year", "start_month", "start_day"]),
        Field::EndDate if message.contains("before the start") => "end_year",
        Field::EndDate => part(&["end_year", "end_month", "end_day"]),
        // The organisation comes from the ORG_* settings, not from the file.
        _ => "(settings)",
    }
}

#[cfg(test)]
#[path = "affiliations_tests.rs"]
mod tests;
