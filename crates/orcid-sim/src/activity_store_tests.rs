//! The state file's form of a store, which files written by earlier builds must still load
//! in: `next_put_code`, `removed_seeds` and the written items under the kind's own key.

use serde_json::{json, Value};

use super::affiliations_store::AffiliationsStore;
use super::seed_ids::SOFIA_GARCIA_ORCID;
use super::works_store::WorksStore;

fn written_work() -> Value {
    json!({
        "put_code": 2_000_000,
        "orcid": SOFIA_GARCIA_ORCID,
        "source": {"client_id": "APP-1", "name": "Client"},
        "created": 1,
        "modified": 2,
        "visibility": "limited",
        "data": {"type": "book"},
    })
}

#[test]
fn a_store_keeps_its_on_disk_form() {
    let file = json!({
        "next_put_code": 2_000_001,
        "removed_seeds": [1_000_003],
        "works": [written_work()],
    });
    let store: WorksStore = serde_json::from_value(file).unwrap();
    let again = serde_json::to_value(&store).unwrap();
    let keys: Vec<&String> = again.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["next_put_code", "removed_seeds", "works"]);
    assert_eq!(again["next_put_code"], 2_000_001);
    assert_eq!(again["removed_seeds"], json!([1_000_003]));
    assert_eq!(again["works"][0]["put_code"], 2_000_000);
    assert_eq!(again["works"][0]["visibility"], "limited");
    assert_eq!(again["works"][0]["data"]["type"], "book");

    let affiliations = serde_json::to_value(AffiliationsStore::default()).unwrap();
    assert_eq!(
        affiliations,
        json!({"next_put_code": 0, "removed_seeds": [], "affiliations": []})
    );
}

#[test]
fn missing_and_unknown_keys_load() {
    let store: WorksStore =
        serde_json::from_value(json!({"works": [written_work()], "later": 1})).unwrap();
    let id = SOFIA_GARCIA_ORCID.parse().unwrap();
    assert_eq!(store.count(&id), 1);
    // The put-code counter never falls behind a stored item.
    assert_eq!(
        serde_json::to_value(&store).unwrap()["next_put_code"],
        2_000_001
    );
    let empty: AffiliationsStore = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty.count(&id), 0);
    assert!(serde_json::from_value::<WorksStore>(json!({"works": 3})).is_err());
}
