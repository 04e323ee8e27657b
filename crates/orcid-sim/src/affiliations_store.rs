//! The affiliations of every record (all seven sections) as an [`ActivityStore`], with
//! their put-code numbering and ORCID's duplicate rule.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::activity_store::{Activity, ActivityStore};
use super::ext_ids;
use super::seed_affiliations;
use super::works_model::{Visibility, WorkSource};
use orcid::model::{Affiliation, AffiliationSection};
use orcid::OrcidId;

/// An affiliation as the registry keeps it; `data` holds only what a client may write.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredAffiliation {
    pub put_code: i64,
    pub orcid: OrcidId,
    pub section: AffiliationSection,
    pub source: WorkSource,
    /// Epoch milliseconds.
    pub created: u64,
    pub modified: u64,
    pub visibility: Visibility,
    pub data: Affiliation,
    #[serde(skip)]
    pub seeded: bool,
}

fn self_keys(a: &Affiliation) -> Vec<(String, String)> {
    ext_ids::self_keys(
        a.external_ids
            .iter()
            .flat_map(|ids| ids.external_id.iter())
            .map(|id| {
                (
                    id.external_id_type.as_str(),
                    id.external_id_value.as_str(),
                    id.external_id_relationship.as_deref(),
                )
            }),
    )
}

impl Activity for StoredAffiliation {
    const FILE_KEY: &'static str = "affiliations";
    const FIRST_PUT_CODE: i64 = 3_000_000;

    fn put_code(&self) -> i64 {
        self.put_code
    }

    fn orcid(&self) -> OrcidId {
        self.orcid
    }

    fn seeded(&self) -> bool {
        self.seeded
    }

    fn source(&self) -> &WorkSource {
        &self.source
    }

    fn visibility(&self) -> Visibility {
        self.visibility
    }

    fn self_keys(&self) -> Cow<'_, [(String, String)]> {
        Cow::Owned(self_keys(&self.data))
    }

    fn seeds_for(orcid: &OrcidId) -> Vec<Self> {
        seed_affiliations::affiliations_for(orcid)
    }
}

pub(crate) type AffiliationsStore = ActivityStore<StoredAffiliation>;

impl AffiliationsStore {
    /// Adds a new affiliation with the next put-code; returns it.
    pub fn create(
        &mut self,
        orcid: OrcidId,
        section: AffiliationSection,
        source: WorkSource,
        data: Affiliation,
        visibility: Visibility,
    ) -> i64 {
        self.add(|put_code, now| StoredAffiliation {
            put_code,
            orcid,
            section,
            source,
            created: now,
            modified: now,
            visibility,
            data,
            seeded: false,
        })
    }

    /// ORCID's duplicate rule for affiliations: another item of the same section from the
    /// same client with one of `data`'s `self` ids.
    pub fn duplicate_of(
        &self,
        orcid: &OrcidId,
        section: AffiliationSection,
        client_id: &str,
        data: &Affiliation,
        except: Option<i64>,
    ) -> Option<i64> {
        self.find_duplicate(orcid, client_id, &self_keys(data), except, |a| {
            a.section == section
        })
    }
}
