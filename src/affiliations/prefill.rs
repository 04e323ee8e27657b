//! What the researcher's affiliation form starts with: what staff uploaded for that person.

use orcid::model::{AffiliationSection, FuzzyDate};
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
    // The rows come from the staff affiliations upload (its waiting rows), not built yet.
    let _ = (store, orcid, section);
    Ok(None)
}
