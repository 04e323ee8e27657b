//! The affiliations of every record (all seven sections), with ORCID's duplicate rule and
//! put-code numbering. Like works, seeded items are regenerated on every start and only
//! written or planted ones, and the removed seeds, go to the state file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ext_ids;
use super::seed_affiliations;
use super::works_model::{Visibility, WorkSource};
use super::works_store::now_ms;
use orcid::model::{Affiliation, AffiliationSection};
use orcid::OrcidId;

/// Put-codes of new affiliations start here; seeded ones use lower numbers.
const FIRST_PUT_CODE: i64 = 3_000_000;

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

impl StoredAffiliation {
    pub fn is_from_client(&self, client_id: &str) -> bool {
        self.source.client_id.as_deref() == Some(client_id)
    }

    /// The normalised `self` external ids ORCID compares for duplicates.
    pub fn self_keys(&self) -> Vec<(String, String)> {
        self_keys(&self.data)
    }
}

fn self_keys(a: &Affiliation) -> Vec<(String, String)> {
    a.external_ids
        .iter()
        .flat_map(|ids| ids.external_id.iter())
        .filter(|id| matches!(id.external_id_relationship.as_deref(), None | Some("self")))
        .map(|id| ext_ids::match_key(&id.external_id_type, &id.external_id_value))
        .collect()
}

#[derive(Default)]
pub(crate) struct AffiliationsStore {
    records: HashMap<OrcidId, BTreeMap<i64, StoredAffiliation>>,
    next_put_code: i64,
    removed_seeds: BTreeSet<i64>,
}

/// The on-disk form: written and planted affiliations only.
#[derive(Serialize, Deserialize, Default)]
struct Persisted {
    #[serde(default)]
    next_put_code: i64,
    #[serde(default)]
    removed_seeds: Vec<i64>,
    #[serde(default)]
    affiliations: Vec<StoredAffiliation>,
}

impl Serialize for AffiliationsStore {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut affiliations: Vec<StoredAffiliation> = self
            .records
            .values()
            .flat_map(|r| r.values())
            .filter(|a| !a.seeded)
            .cloned()
            .collect();
        affiliations.sort_by_key(|a| a.put_code);
        Persisted {
            next_put_code: self.next_put_code,
            removed_seeds: self.removed_seeds.iter().copied().collect(),
            affiliations,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AffiliationsStore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = Persisted::deserialize(d)?;
        let mut store = AffiliationsStore {
            next_put_code: p.next_put_code,
            removed_seeds: p.removed_seeds.into_iter().collect(),
            ..AffiliationsStore::default()
        };
        for a in p.affiliations {
            store.insert(a);
        }
        Ok(store)
    }
}

impl AffiliationsStore {
    /// Regenerates the seeded affiliations of these researchers, except removed ones.
    pub fn plant_seeds<'a>(&mut self, researchers: impl IntoIterator<Item = &'a OrcidId>) {
        for id in researchers {
            for a in seed_affiliations::affiliations_for(id) {
                let present = self.get(id, a.put_code).is_some();
                if !self.removed_seeds.contains(&a.put_code) && !present {
                    self.insert(a);
                }
            }
        }
    }

    fn insert(&mut self, a: StoredAffiliation) {
        self.next_put_code = self.next_put_code.max(a.put_code.saturating_add(1));
        self.records
            .entry(a.orcid)
            .or_default()
            .insert(a.put_code, a);
    }

    /// Every affiliation of the record, all sections, in put-code order.
    pub fn of(&self, orcid: &OrcidId) -> impl Iterator<Item = &StoredAffiliation> {
        self.records.get(orcid).into_iter().flat_map(|r| r.values())
    }

    pub fn get(&self, orcid: &OrcidId, put_code: i64) -> Option<&StoredAffiliation> {
        self.records.get(orcid)?.get(&put_code)
    }

    pub fn get_mut(&mut self, orcid: &OrcidId, put_code: i64) -> Option<&mut StoredAffiliation> {
        self.records.get_mut(orcid)?.get_mut(&put_code)
    }

    pub fn remove(&mut self, orcid: &OrcidId, put_code: i64) -> Option<StoredAffiliation> {
        let a = self.records.get_mut(orcid)?.remove(&put_code)?;
        if a.seeded {
            self.removed_seeds.insert(put_code);
        }
        Some(a)
    }

    /// Adds a new affiliation with the next put-code; returns it.
    pub fn create(
        &mut self,
        orcid: OrcidId,
        section: AffiliationSection,
        source: WorkSource,
        data: Affiliation,
        visibility: Visibility,
    ) -> i64 {
        let put_code = self.next_put_code.max(FIRST_PUT_CODE);
        let now = now_ms();
        self.insert(StoredAffiliation {
            put_code,
            orcid,
            section,
            source,
            created: now,
            modified: now,
            visibility,
            data,
            seeded: false,
        });
        put_code
    }

    /// ORCID's duplicate rule: an item of the same section **from the same client** with a
    /// `self` external id equal (after normalisation) to one of `data`'s. Without external
    /// ids there is no duplicate: ORCID stores the same affiliation again.
    pub fn duplicate_of(
        &self,
        orcid: &OrcidId,
        section: AffiliationSection,
        client_id: &str,
        data: &Affiliation,
        except: Option<i64>,
    ) -> Option<i64> {
        let keys = self_keys(data);
        if keys.is_empty() {
            return None;
        }
        self.of(orcid)
            .filter(|a| a.section == section && a.is_from_client(client_id))
            .filter(|a| Some(a.put_code) != except)
            .find(|a| a.self_keys().iter().any(|k| keys.contains(k)))
            .map(|a| a.put_code)
    }
}
