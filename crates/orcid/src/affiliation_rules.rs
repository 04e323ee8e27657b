//! ORCID's rules for an affiliation a client writes (orcid-api.md §11), as a pure function,
//! so a form can name every problem before anything is sent and the simulated ORCID can
//! refuse with ORCID's own codes.
//!
//! [`check`] lists the problems in ORCID's order (organisation, then dates, then their
//! order). Each carries the field it is about, a message in plain words, and the ORCID
//! error code when ORCID's API itself refuses it; problems without a code are ones ORCID
//! reports differently or only its schema states (years 1900–2100, 4,000 characters, the
//! country list, the ROR checksum), which idlink checks so they never reach ORCID.

use crate::countries::is_country_code;
use crate::model::{Affiliation, AffiliationSection, DisambiguationSource, FuzzyDate};
use crate::ror;

/// `common:long-text` fields hold at most this many characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The years `common:year` allows.
pub const YEARS: std::ops::RangeInclusive<u32> = 1900..=2100;

/// The part of an affiliation a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Organization,
    OrganizationName,
    City,
    Region,
    Country,
    DisambiguatedOrganization,
    DepartmentName,
    RoleTitle,
    StartDate,
    EndDate,
}

impl Field {
    /// The field's name as a person reads it on a form.
    pub fn label(self) -> &'static str {
        match self {
            Field::Organization => "Organisation",
            Field::OrganizationName => "Organisation name",
            Field::City => "City",
            Field::Region => "Region",
            Field::Country => "Country",
            Field::DisambiguatedOrganization => "Organisation identifier",
            Field::DepartmentName => "Department",
            Field::RoleTitle => "Role title",
            Field::StartDate => "Start date",
            Field::EndDate => "End date",
        }
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Field,
    /// A sentence naming the field in plain words.
    pub message: String,
    /// ORCID's error code when its API refuses this (e.g. 9045, 9049, 9055).
    pub orcid_code: Option<u32>,
}

impl Problem {
    fn new(field: Field, orcid_code: Option<u32>, message: impl Into<String>) -> Self {
        Problem {
            field,
            message: message.into(),
            orcid_code,
        }
    }
}

/// Every problem of `a` as an item of `section`, in ORCID's order; empty when ORCID
/// would accept it.
pub fn check(section: AffiliationSection, a: &Affiliation) -> Vec<Problem> {
    let mut out = Vec::new();
    check_organization(section, a, &mut out);
    check_text(
        Field::DepartmentName,
        a.department_name.as_deref(),
        &mut out,
    );
    check_text(Field::RoleTitle, a.role_title.as_deref(), &mut out);
    let start = a
        .start_date
        .as_ref()
        .and_then(|d| check_date(Field::StartDate, d, &mut out));
    let end = a
        .end_date
        .as_ref()
        .and_then(|d| check_date(Field::EndDate, d, &mut out));
    if let (Some(start), Some(end)) = (start, end) {
        if starts_after(start, end) {
            out.push(Problem::new(
                Field::EndDate,
                Some(9055),
                "End date: the end date must not be before the start date.",
            ));
        }
    }
    out
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

fn check_organization(section: AffiliationSection, a: &Affiliation, out: &mut Vec<Problem>) {
    let Some(org) = &a.organization else {
        let code = if section.needs_disambiguated_org() {
            9045
        } else {
            9046
        };
        out.push(Problem::new(
            Field::Organization,
            Some(code),
            "Organisation: an organisation is required.",
        ));
        return;
    };
    let disambiguated = org
        .disambiguated_organization
        .as_ref()
        .filter(|d| !d.disambiguated_organization_identifier.trim().is_empty());
    let address = org.address.clone().unwrap_or_default();
    let place = Place {
        city: address.city.as_deref(),
        region: address.region.as_deref(),
        country: address.country.as_deref(),
    };
    if section.needs_disambiguated_org() {
        check_employment_org(section, disambiguated.is_some(), &place, out);
    } else {
        let has_external_id = a
            .external_ids
            .as_ref()
            .is_some_and(|ids| !ids.external_id.is_empty());
        let identified = disambiguated.is_some() || has_external_id;
        check_activity_org(section, identified, &place, out);
    }
    if org.name.trim().is_empty() {
        out.push(Problem::new(
            Field::OrganizationName,
            Some(9046),
            "Organisation name: the organisation's name is required.",
        ));
    }
    check_text(Field::OrganizationName, Some(&org.name), out);
    check_text(Field::City, place.city, out);
    check_text(Field::Region, place.region, out);
    if let Some(c) = place.country.map(str::trim).filter(|c| !c.is_empty()) {
        if !is_country_code(c) {
            out.push(Problem::new(
                Field::Country,
                None,
                format!("Country: \"{c}\" is not a two-letter ISO 3166-1 country code such as US or GB."),
            ));
        }
    }
    if let Some(d) = disambiguated {
        check_org_id(
            &d.disambiguation_source,
            &d.disambiguated_organization_identifier,
            out,
        );
    }
}

/// An organisation's address parts.
struct Place<'a> {
    city: Option<&'a str>,
    region: Option<&'a str>,
    country: Option<&'a str>,
}

/// Employment and education: an organisation id (9045), a city and a country (9060).
fn check_employment_org(
    section: AffiliationSection,
    disambiguated: bool,
    place: &Place,
    out: &mut Vec<Problem>,
) {
    if !disambiguated {
        out.push(Problem::new(
            Field::DisambiguatedOrganization,
            Some(9045),
            format!(
                "Organisation identifier: a {section} needs the organisation's ROR or Ringgold id."
            ),
        ));
    }
    if blank(place.city) {
        out.push(Problem::new(
            Field::City,
            Some(9060),
            "City: the organisation's city is required.",
        ));
    }
    if blank(place.country) {
        out.push(Problem::new(
            Field::Country,
            Some(9060),
            "Country: the organisation's country is required.",
        ));
    }
}

/// The other five: an organisation id or an external id (9062), and no city or region
/// without a country (9061).
fn check_activity_org(
    section: AffiliationSection,
    identified: bool,
    place: &Place,
    out: &mut Vec<Problem>,
) {
    if !identified {
        out.push(Problem::new(
            Field::DisambiguatedOrganization,
            Some(9062),
            format!("Organisation identifier: a {section} needs the organisation's ROR or Ringgold id, or an external identifier."),
        ));
    }
    if blank(place.country) && !(blank(place.city) && blank(place.region)) {
        out.push(Problem::new(
            Field::Country,
            Some(9061),
            "Country: a city or region needs the organisation's country too.",
        ));
    }
}

fn check_org_id(source: &DisambiguationSource, id: &str, out: &mut Vec<Problem>) {
    let field = Field::DisambiguatedOrganization;
    if !source.is_known() {
        out.push(Problem::new(
            field,
            None,
            format!("Organisation identifier: \"{}\" is not a source ORCID accepts (ROR, RINGGOLD, GRID, FUNDREF or LEI).", source.as_str()),
        ));
    } else if *source == DisambiguationSource::Ror {
        match ror::normalize(id) {
            Ok(full) if full == id.trim() => {}
            Ok(full) => out.push(Problem::new(
                field,
                None,
                format!("Organisation identifier: write the ROR id in full, as {full}."),
            )),
            Err(e) => out.push(Problem::new(
                field,
                None,
                format!("Organisation identifier: {e}."),
            )),
        }
    }
}

fn check_text(field: Field, text: Option<&str>, out: &mut Vec<Problem>) {
    let Some(text) = text else { return };
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        out.push(Problem::new(
            field,
            None,
            format!(
                "{}: at most {MAX_TEXT_CHARS} characters are allowed ({chars} given).",
                field.label()
            ),
        ));
    }
}

/// Checks one date's parts; its `(year, month, day)` when it is a real date.
fn check_date(field: Field, date: &FuzzyDate, out: &mut Vec<Problem>) -> Option<(u32, u32, u32)> {
    let [year, month, day] = date.parts();
    let label = field.label();
    let invalid = |message: String| Problem::new(field, Some(9049), message);
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let Some(y) = year.and_then(|y| number(y, 4)) else {
        out.push(invalid(format!(
            "{label}: the year must be four digits, such as 2024."
        )));
        return None;
    };
    let m = match month {
        None => 0,
        Some(m) => match number(m, 2).filter(|m| (1..=12).contains(m)) {
            Some(m) => m,
            None => {
                out.push(invalid(format!("{label}: the month must be 01 to 12.")));
                return None;
            }
        },
    };
    let d = match day {
        None => 0,
        Some(_) if m == 0 => {
            out.push(invalid(format!("{label}: a day needs a month.")));
            return None;
        }
        Some(d) => match number(d, 2).filter(|d| (1..=days_in_month(y, m)).contains(d)) {
            Some(d) => d,
            None => {
                out.push(invalid(format!(
                    "{label}: that day does not exist in that month."
                )));
                return None;
            }
        },
    };
    if !YEARS.contains(&y) {
        out.push(Problem::new(
            field,
            None,
            format!(
                "{label}: the year must be between {} and {}.",
                YEARS.start(),
                YEARS.end()
            ),
        ));
        return None;
    }
    Some((y, m, d))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `start` is after `end`, comparing only the parts both give (0 = not given).
fn starts_after(start: (u32, u32, u32), end: (u32, u32, u32)) -> bool {
    let (sy, sm, sd) = start;
    let (ey, em, ed) = end;
    if sy != ey {
        return sy > ey;
    }
    if sm == 0 || em == 0 || sm != em {
        return sm != 0 && em != 0 && sm > em;
    }
    sd != 0 && ed != 0 && sd > ed
}

#[cfg(test)]
#[path = "affiliation_rules_tests.rs"]
mod tests;
