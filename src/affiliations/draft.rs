//! One affiliation as a researcher's form or a staff upload states it: everything but the
//! organisation, which is always the institution's ([`crate::config::InstitutionOrg`]).

use orcid::model::{
    Affiliation, AffiliationSection, ExternalIds, FuzzyDate, Organization, Source, Value,
};

use super::meaning::Meaning;
use crate::store::CachedAffiliation;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub department: Option<String>,
    pub role_title: Option<String>,
    pub start: Option<FuzzyDate>,
    pub end: Option<FuzzyDate>,
    pub url: Option<String>,
    pub external_ids: Option<ExternalIds>,
}

/// Blank text is no text.
fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

impl Draft {
    /// The v3.0 affiliation idlink sends for this draft at `organization`.
    pub fn to_affiliation(&self, organization: &Organization) -> Affiliation {
        Affiliation {
            department_name: text(&self.department),
            role_title: text(&self.role_title),
            start_date: self.start.clone(),
            end_date: self.end.clone(),
            organization: Some(organization.clone()),
            url: text(&self.url).map(Value::new),
            external_ids: self
                .external_ids
                .clone()
                .filter(|ids| !ids.external_id.is_empty()),
            ..Affiliation::default()
        }
    }

    /// What this draft means in `section`, to compare with what the record has.
    pub fn meaning(&self, section: AffiliationSection) -> Meaning {
        let parts = |d: &Option<FuzzyDate>| {
            d.as_ref()
                .map(FuzzyDate::parts)
                .unwrap_or_default()
                .map(|p| p.map(String::from))
        };
        Meaning {
            section,
            department: text(&self.department),
            role_title: text(&self.role_title),
            start: parts(&self.start),
            end: parts(&self.end),
        }
    }
}

/// The draft an affiliation states; its organisation is left out, as it is always the
/// institution's.
impl From<&Affiliation> for Draft {
    fn from(a: &Affiliation) -> Self {
        Draft {
            department: a.department_name.clone(),
            role_title: a.role_title.clone(),
            start: a.start_date.clone(),
            end: a.end_date.clone(),
            url: a.url.as_ref().map(|u| u.as_str().to_string()),
            external_ids: a.external_ids.clone(),
        }
    }
}

/// The cache row of an affiliation idlink just wrote (its place is set by the store).
pub fn cache_row(
    section: AffiliationSection,
    put_code: i64,
    written: &Affiliation,
    client_id: &str,
) -> CachedAffiliation {
    let mut stored = written.clone();
    stored.put_code = Some(put_code);
    let mut row = super::read::row(section, 0, 0, &stored);
    if written
        .source
        .as_ref()
        .and_then(Source::client_id)
        .is_none()
    {
        row.source_client_id = Some(client_id.to_string());
    }
    row
}
