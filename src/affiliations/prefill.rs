//! What the researcher's affiliation form starts with: what staff uploaded for that person.

use orcid::model::{Affiliation, AffiliationSection, FuzzyDate};
use orcid::OrcidId;

use crate::store::Store;

/// The uploaded department, role title and dates for one section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub department: Option<String>,
    pub role_title: Option<String>,
    pub start: Option<FuzzyDate>,
    pub end: Option<FuzzyDate>,
}

/// The latest staff upload row for `orcid` in `section`, if any.
pub async fn for_person(
    store: &Store,
    orcid: &OrcidId,
    section: AffiliationSection,
) -> Result<Option<Prefill>, sqlx::Error> {
    let Some(payload) = store.uploaded_affiliation(orcid, section.into()).await? else {
        return Ok(None);
    };
    // Written by idlink's own upload check; a row that no longer reads prefills nothing.
    let Ok(a) = serde_json::from_str::<Affiliation>(&payload) else {
        tracing::warn!(orcid = %orcid, "an uploaded affiliation could not be read for the form");
        return Ok(None);
    };
    Ok(Some(Prefill {
        department: a.department_name,
        role_title: a.role_title,
        start: a.start_date,
        end: a.end_date,
    }))
}
