//! Affiliations on a researcher's ORCID record (employment, education and the other five
//! sections): turning ORCID's summaries into cache rows, reading them back grouped as
//! ORCID groups them, recognising the institution's own, and writing one affiliation
//! ([`Affiliations`]). Filled by the works refresh, which reads the whole record in one
//! `GET /activities`.

pub mod draft;
pub mod form;
pub mod meaning;
pub mod ours;
pub mod outcome;
pub mod prefill;
pub mod read;
pub mod write;

use orcid::model::{AffiliationSection, Organization};
use orcid::OrcidId;

use crate::config::InstitutionOrg;
use crate::store::{CachedAffiliation, CachedSection, IdlinkAffiliationStatus, Store};
use crate::works::Works;

/// Writing researchers' affiliations: the grant and ORCID calls of [`Works`] (one refresh
/// path, one limiter), and the institution as an ORCID organisation. Cheap to clone.
#[derive(Clone)]
pub struct Affiliations {
    works: Works,
    org: InstitutionOrg,
}

impl Affiliations {
    pub fn new(works: Works, org: InstitutionOrg) -> Self {
        Self { works, org }
    }

    /// For background jobs: every ORCID call waits behind those made for people.
    pub fn bulk(&self) -> Self {
        Self {
            works: self.works.bulk(),
            org: self.org.clone(),
        }
    }

    /// For a request of `person`: every ORCID call counts against their own allowance.
    pub fn for_person(&self, person: OrcidId) -> Self {
        Self {
            works: self.works.for_person(person),
            org: self.org.clone(),
        }
    }

    /// The institution as configured, complete or not.
    pub fn institution(&self) -> &InstitutionOrg {
        &self.org
    }
}

/// One section of the record that has items, in ORCID's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionOnRecord {
    pub section: AffiliationSection,
    /// Groups (items ORCID shows as one), each in ORCID's order.
    pub groups: Vec<Vec<OnRecord>>,
}

/// One affiliation summary, and whether it is the institution's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnRecord {
    pub item: CachedAffiliation,
    pub ours: bool,
}

/// The record's cached affiliations, section by section (only those with items), or
/// None when they were never read from ORCID; `institution` is the configured
/// organisation its own items are recognised by.
pub async fn on_record(
    store: &Store,
    orcid: &OrcidId,
    institution: &Organization,
) -> Result<Option<Vec<SectionOnRecord>>, sqlx::Error> {
    if !store.affiliations_synced(orcid).await? {
        return Ok(None);
    }
    let rows = store.cached_affiliations(orcid).await?;
    Ok(Some(grouped(rows, institution)))
}

/// The items idlink wrote that are still on the record as far as it knows.
pub async fn written(
    store: &Store,
    orcid: &OrcidId,
) -> Result<Vec<(CachedSection, i64)>, sqlx::Error> {
    Ok(store
        .idlink_affiliations(orcid)
        .await?
        .into_iter()
        .filter(|w| w.status == IdlinkAffiliationStatus::Active)
        .map(|w| (w.section, w.put_code))
        .collect())
}

/// Rows already in section, group and position order, folded into sections and groups.
fn grouped(rows: Vec<CachedAffiliation>, institution: &Organization) -> Vec<SectionOnRecord> {
    let mut sections: Vec<SectionOnRecord> = Vec::new();
    let mut last_group = None;
    for item in rows {
        let section = AffiliationSection::from(item.section);
        let group = item.group_index;
        let ours = ours::is_institutions(&item, institution);
        let entry = OnRecord { item, ours };
        match sections.last_mut() {
            Some(current) if current.section == section => match current.groups.last_mut() {
                Some(g) if last_group == Some(group) => g.push(entry),
                _ => current.groups.push(vec![entry]),
            },
            _ => sections.push(SectionOnRecord {
                section,
                groups: vec![vec![entry]],
            }),
        }
        last_group = Some(group);
    }
    sections
}
