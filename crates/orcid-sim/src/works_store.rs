//! Works as an [`ActivityStore`]: ORCID's limit of works per record, their put-code
//! numbering and duplicate rule.

use std::borrow::Cow;

use super::activity_store::{Activity, ActivityStore};
use super::seed;
use super::works_model::{StoredWork, Visibility, WorkData, WorkSource};
use orcid::OrcidId;

/// ORCID's limit of works on one record (409, 9048).
pub(crate) const MAX_WORKS: usize = 10_000;

pub(crate) type WorksStore = ActivityStore<StoredWork>;

impl Activity for StoredWork {
    const FILE_KEY: &'static str = "works";
    const FIRST_PUT_CODE: i64 = 2_000_000;

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
        Cow::Borrowed(StoredWork::self_keys(self))
    }

    fn seeds_for(orcid: &OrcidId) -> Vec<Self> {
        seed::works_for(orcid)
    }
}

impl WorksStore {
    /// Adds a new work with the next put-code; returns it.
    pub fn create(
        &mut self,
        orcid: OrcidId,
        source: WorkSource,
        data: WorkData,
        visibility: Visibility,
    ) -> i64 {
        self.add(|put_code, now| StoredWork {
            put_code,
            orcid,
            source,
            created: now,
            modified: now,
            visibility,
            data,
            seeded: false,
            self_keys: Default::default(),
        })
    }

    /// ORCID's duplicate rule for works: any other work of the same client on the record
    /// with one of `data`'s `self` ids.
    pub fn duplicate_of(
        &self,
        orcid: &OrcidId,
        client_id: &str,
        data: &WorkData,
        except: Option<i64>,
    ) -> Option<i64> {
        self.find_duplicate(orcid, client_id, &data.self_keys(), except, |_| true)
    }
}
