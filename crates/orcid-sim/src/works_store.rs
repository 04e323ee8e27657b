//! The works of every record, with ORCID's duplicate rule and put-code numbering.
//!
//! Persistence: only works written through the API or planted by tests are stored in the
//! state file. Seeded works (see [`super::seed`]) are regenerated, identically, on every
//! start, so the 1,200-work researcher costs nothing on disk; the file only remembers which
//! seeded put-codes a researcher removed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ext_ids;
use super::seed;
use super::works_model::{StoredWork, Visibility, WorkData, WorkSource};
use orcid::OrcidId;

/// ORCID's limit of works on one record (409, 9048).
pub(crate) const MAX_WORKS: usize = 10_000;
/// Put-codes of new works start here; seeded works use lower numbers.
const FIRST_PUT_CODE: i64 = 2_000_000;

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[derive(Default)]
pub(crate) struct WorksStore {
    records: HashMap<OrcidId, BTreeMap<i64, StoredWork>>,
    next_put_code: i64,
    removed_seeds: BTreeSet<i64>,
}

/// The on-disk form: written works only.
#[derive(Serialize, Deserialize, Default)]
struct Persisted {
    #[serde(default)]
    next_put_code: i64,
    #[serde(default)]
    removed_seeds: Vec<i64>,
    #[serde(default)]
    works: Vec<StoredWork>,
}

impl Serialize for WorksStore {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut works: Vec<StoredWork> = self
            .records
            .values()
            .flat_map(|r| r.values())
            .filter(|w| !w.seeded)
            .cloned()
            .collect();
        works.sort_by_key(|w| w.put_code);
        Persisted {
            next_put_code: self.next_put_code,
            removed_seeds: self.removed_seeds.iter().copied().collect(),
            works,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for WorksStore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = Persisted::deserialize(d)?;
        let mut store = WorksStore {
            next_put_code: p.next_put_code,
            removed_seeds: p.removed_seeds.into_iter().collect(),
            ..WorksStore::default()
        };
        for w in p.works {
            store.insert(w);
        }
        Ok(store)
    }
}

impl WorksStore {
    /// Regenerates the seeded works of those `researchers` that have any, except the ones
    /// a researcher removed.
    pub fn plant_seeds<'a>(&mut self, researchers: impl IntoIterator<Item = &'a OrcidId>) {
        for id in researchers {
            for w in seed::works_for(id) {
                if !self.removed_seeds.contains(&w.put_code) && self.find(w.put_code).is_none() {
                    self.insert(w);
                }
            }
        }
    }

    fn find(&self, put_code: i64) -> Option<&StoredWork> {
        self.records.values().find_map(|r| r.get(&put_code))
    }

    pub fn insert(&mut self, w: StoredWork) {
        self.next_put_code = self.next_put_code.max(w.put_code.saturating_add(1));
        self.records
            .entry(w.orcid)
            .or_default()
            .insert(w.put_code, w);
    }

    pub fn works(&self, orcid: &OrcidId) -> impl Iterator<Item = &StoredWork> {
        self.records.get(orcid).into_iter().flat_map(|r| r.values())
    }

    pub fn count(&self, orcid: &OrcidId) -> usize {
        self.records.get(orcid).map_or(0, BTreeMap::len)
    }

    pub fn get(&self, orcid: &OrcidId, put_code: i64) -> Option<&StoredWork> {
        self.records.get(orcid)?.get(&put_code)
    }

    pub fn get_mut(&mut self, orcid: &OrcidId, put_code: i64) -> Option<&mut StoredWork> {
        self.records.get_mut(orcid)?.get_mut(&put_code)
    }

    pub fn remove(&mut self, orcid: &OrcidId, put_code: i64) -> Option<StoredWork> {
        let w = self.records.get_mut(orcid)?.remove(&put_code)?;
        if w.seeded {
            self.removed_seeds.insert(put_code);
        }
        Some(w)
    }

    /// Adds a new work with the next put-code; returns it.
    pub fn create(
        &mut self,
        orcid: OrcidId,
        source: WorkSource,
        data: WorkData,
        visibility: Visibility,
    ) -> i64 {
        let put_code = self.next_put_code.max(FIRST_PUT_CODE);
        let now = now_ms();
        self.insert(StoredWork {
            put_code,
            orcid,
            source,
            created: now,
            modified: now,
            visibility,
            data,
            seeded: false,
            self_keys: Default::default(),
        });
        put_code
    }

    /// ORCID's duplicate rule: a `self` external id of `data` equal (after normalisation) to
    /// a `self` id of another work **from the same client** on this record. Returns that
    /// work's put-code. `part-of`, `version-of` and `funded-by` ids are not compared.
    pub fn duplicate_of(
        &self,
        orcid: &OrcidId,
        client_id: &str,
        data: &WorkData,
        except: Option<i64>,
    ) -> Option<i64> {
        let keys: Vec<(String, String)> = data
            .ext_ids()
            .iter()
            .filter(|id| is_self(id.external_id_relationship.as_deref()))
            .map(|id| ext_ids::match_key(&id.external_id_type, &id.external_id_value))
            .collect();
        if keys.is_empty() {
            return None;
        }
        self.works(orcid)
            .filter(|w| w.is_from_client(client_id) && Some(w.put_code) != except)
            .find(|w| w.self_keys().iter().any(|k| keys.contains(k)))
            .map(|w| w.put_code)
    }
}

/// ORCID compares ids whose relationships are both `self` (or both absent).
fn is_self(relationship: Option<&str>) -> bool {
    matches!(relationship, None | Some("self"))
}
