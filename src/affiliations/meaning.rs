//! When two affiliations mean the same, so idlink never writes a second copy (ORCID keeps
//! the same affiliation twice when it has no `self` external id, orcid-api.md §11):
//!
//! - one of idlink's own items means the same when the section, organisation, department,
//!   role title and start date agree: idlink updates it (PUT) when anything else differs,
//!   such as the end date when someone leaves, and does nothing when nothing does;
//! - another source's item means the same when the section, organisation (same ROR or
//!   Ringgold id, or same name and country: [`super::ours`]), role title and start date
//!   agree: the affiliation is already there and is not added.
//!
//! Texts compare without case or repeated spaces; dates by their numbers (`02` = `2`).

use orcid::model::{AffiliationSection, Organization};

use super::ours::is_institutions;
use crate::store::CachedAffiliation;

/// What an affiliation says that decides whether another is the same one; the
/// organisation is always the institution's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    pub section: AffiliationSection,
    pub department: Option<String>,
    pub role_title: Option<String>,
    pub start: [Option<String>; 3],
    /// Not part of the meaning: what an update of idlink's own item may change.
    pub end: [Option<String>; 3],
}

/// An item already on the record that means the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// idlink's own item; `changed` when it differs in what the meaning leaves out.
    Idlinks { put_code: i64, changed: bool },
    /// Another source's item, named as ORCID names its source.
    OtherSource { put_code: i64, source: String },
}

impl Meaning {
    /// The meaning of a cached item.
    pub fn of(item: &CachedAffiliation) -> Self {
        Meaning {
            section: item.section.into(),
            department: item.department.clone(),
            role_title: item.role_title.clone(),
            start: [
                item.start_year.clone(),
                item.start_month.clone(),
                item.start_day.clone(),
            ],
            end: [
                item.end_year.clone(),
                item.end_month.clone(),
                item.end_day.clone(),
            ],
        }
    }

    /// Whether `item` (of this record, from any source) is at the institution and says
    /// the same role from the same start, in the same section.
    fn same_post(&self, item: &CachedAffiliation, institution: &Organization) -> bool {
        AffiliationSection::from(item.section) == self.section
            && same_text(&self.role_title, &item.role_title)
            && same_date(&self.start, &Meaning::of(item).start)
            && is_institutions(item, institution)
    }

    /// The first item of `record` that means the same, idlink's own before another
    /// source's; `is_idlinks` says which items idlink wrote.
    pub fn find(
        &self,
        record: &[CachedAffiliation],
        institution: &Organization,
        is_idlinks: impl Fn(&CachedAffiliation) -> bool,
    ) -> Option<Match> {
        let same: Vec<&CachedAffiliation> = record
            .iter()
            .filter(|i| self.same_post(i, institution))
            .collect();
        let own = same
            .iter()
            .find(|i| is_idlinks(i) && same_text(&self.department, &i.department));
        if let Some(item) = own {
            return Some(Match::Idlinks {
                put_code: item.put_code,
                changed: !same_date(&self.end, &Meaning::of(item).end),
            });
        }
        same.iter()
            .find(|i| !is_idlinks(i))
            .map(|item| Match::OtherSource {
                put_code: item.put_code,
                source: item
                    .source_name
                    .clone()
                    .unwrap_or_else(|| "another source".into()),
            })
    }
}

/// Texts equal without case or repeated spaces; blank is the same as absent.
fn same_text(a: &Option<String>, b: &Option<String>) -> bool {
    fold(a) == fold(b)
}

fn fold(s: &Option<String>) -> Option<String> {
    let s = s
        .as_deref()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!s.is_empty()).then(|| s.to_lowercase())
}

/// Dates equal part by part, as numbers.
fn same_date(a: &[Option<String>; 3], b: &[Option<String>; 3]) -> bool {
    let n = |p: &Option<String>| {
        p.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u32>().map_err(|_| s.to_string()))
    };
    a.iter().zip(b).all(|(x, y)| n(x) == n(y))
}

#[cfg(test)]
#[path = "meaning_tests.rs"]
mod tests;
