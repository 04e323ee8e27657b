//! The items of one activity kind (works, affiliations) on every record, with put-code
//! numbering and ORCID's duplicate rule.
//!
//! Persistence: only items written through the API or planted by tests are stored in the
//! state file. Seeded items are regenerated, identically, on every start, so the
//! 1,200-work researcher costs nothing on disk; the file only remembers which seeded
//! put-codes a researcher removed.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::works_model::{Visibility, WorkSource};
use orcid::OrcidId;

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// What the store and the Member API need from one stored item; the rest of a work or an
/// affiliation is theirs alone.
pub(crate) trait Activity: Clone + Serialize + DeserializeOwned {
    /// The state file's key for the written items (`works`, `affiliations`).
    const FILE_KEY: &'static str;
    /// Put-codes of new items start here; seeded ones use lower numbers.
    const FIRST_PUT_CODE: i64;

    fn put_code(&self) -> i64;
    fn orcid(&self) -> OrcidId;
    /// Generated on every start, so never written to the state file.
    fn seeded(&self) -> bool;
    fn source(&self) -> &WorkSource;
    fn visibility(&self) -> Visibility;
    /// The normalised `self` external ids ORCID compares for duplicates.
    fn self_keys(&self) -> Cow<'_, [(String, String)]>;
    /// The seeded items of the researcher `orcid` (none for most).
    fn seeds_for(orcid: &OrcidId) -> Vec<Self>;

    fn is_from_client(&self, client_id: &str) -> bool {
        self.source().client_id.as_deref() == Some(client_id)
    }
}

pub(crate) struct ActivityStore<T> {
    records: HashMap<OrcidId, BTreeMap<i64, T>>,
    next_put_code: i64,
    removed_seeds: BTreeSet<i64>,
}

// Derived `Default` would ask for `T: Default`, which no stored item has.
impl<T> Default for ActivityStore<T> {
    fn default() -> Self {
        ActivityStore {
            records: HashMap::new(),
            next_put_code: 0,
            removed_seeds: BTreeSet::new(),
        }
    }
}

const NEXT_PUT_CODE: &str = "next_put_code";
const REMOVED_SEEDS: &str = "removed_seeds";

/// The on-disk form: `{"next_put_code", "removed_seeds", <FILE_KEY>: [written items]}`.
/// Written by hand because the last key differs per kind and serde's field names are fixed.
impl<T: Activity> Serialize for ActivityStore<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut written: Vec<&T> = self
            .records
            .values()
            .flat_map(|r| r.values())
            .filter(|a| !a.seeded())
            .collect();
        written.sort_by_key(|a| a.put_code());
        let removed: Vec<i64> = self.removed_seeds.iter().copied().collect();
        let mut out = s.serialize_struct("Persisted", 3)?;
        out.serialize_field(NEXT_PUT_CODE, &self.next_put_code)?;
        out.serialize_field(REMOVED_SEEDS, &removed)?;
        out.serialize_field(T::FILE_KEY, &written)?;
        out.end()
    }
}

impl<'de, T: Activity> Deserialize<'de> for ActivityStore<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = serde_json::Map::deserialize(d)?;
        let next_put_code: i64 = field(&mut fields, NEXT_PUT_CODE)?;
        let removed_seeds: Vec<i64> = field(&mut fields, REMOVED_SEEDS)?;
        let written: Vec<T> = field(&mut fields, T::FILE_KEY)?;
        let mut store = ActivityStore {
            next_put_code,
            removed_seeds: removed_seeds.into_iter().collect(),
            ..ActivityStore::default()
        };
        for a in written {
            store.insert(a);
        }
        Ok(store)
    }
}

/// One key of the on-disk form; a missing one (an older file) is its default.
fn field<U: DeserializeOwned + Default, E: serde::de::Error>(
    fields: &mut serde_json::Map<String, Value>,
    key: &str,
) -> Result<U, E> {
    match fields.remove(key) {
        None | Some(Value::Null) => Ok(U::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| E::custom(format!("{key}: {e}"))),
    }
}

impl<T: Activity> ActivityStore<T> {
    /// Regenerates the seeded items of these researchers, except the ones a researcher
    /// removed.
    pub fn plant_seeds<'a>(&mut self, researchers: impl IntoIterator<Item = &'a OrcidId>) {
        for id in researchers {
            for a in T::seeds_for(id) {
                let present = self.get(id, a.put_code()).is_some();
                if !self.removed_seeds.contains(&a.put_code()) && !present {
                    self.insert(a);
                }
            }
        }
    }

    fn insert(&mut self, a: T) {
        self.next_put_code = self.next_put_code.max(a.put_code().saturating_add(1));
        self.records
            .entry(a.orcid())
            .or_default()
            .insert(a.put_code(), a);
    }

    /// Every item of the record, in put-code order.
    pub fn of(&self, orcid: &OrcidId) -> impl Iterator<Item = &T> {
        self.records.get(orcid).into_iter().flat_map(|r| r.values())
    }

    pub fn count(&self, orcid: &OrcidId) -> usize {
        self.records.get(orcid).map_or(0, BTreeMap::len)
    }

    pub fn get(&self, orcid: &OrcidId, put_code: i64) -> Option<&T> {
        self.records.get(orcid)?.get(&put_code)
    }

    pub fn get_mut(&mut self, orcid: &OrcidId, put_code: i64) -> Option<&mut T> {
        self.records.get_mut(orcid)?.get_mut(&put_code)
    }

    pub fn remove(&mut self, orcid: &OrcidId, put_code: i64) -> Option<T> {
        let a = self.records.get_mut(orcid)?.remove(&put_code)?;
        if a.seeded() {
            self.removed_seeds.insert(put_code);
        }
        Some(a)
    }

    /// Adds the item `build` makes from the next put-code and the time now; returns the
    /// put-code.
    pub fn add(&mut self, build: impl FnOnce(i64, u64) -> T) -> i64 {
        let put_code = self.next_put_code.max(T::FIRST_PUT_CODE);
        self.insert(build(put_code, now_ms()));
        put_code
    }

    /// ORCID's duplicate rule: an item of this record **from the same client**, other than
    /// `except`, for which `comparable` holds, with a `self` external id equal (after
    /// normalisation) to one of `keys`. Returns its put-code. Without keys there is no
    /// duplicate: ORCID stores the same item again.
    pub fn find_duplicate(
        &self,
        orcid: &OrcidId,
        client_id: &str,
        keys: &[(String, String)],
        except: Option<i64>,
        comparable: impl Fn(&T) -> bool,
    ) -> Option<i64> {
        if keys.is_empty() {
            return None;
        }
        self.of(orcid)
            .filter(|a| a.is_from_client(client_id) && Some(a.put_code()) != except)
            .filter(|a| comparable(a))
            .find(|a| a.self_keys().iter().any(|k| keys.contains(k)))
            .map(Activity::put_code)
    }
}
