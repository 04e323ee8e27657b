//! Reading works: the grouped list in ORCID's exact shape, single, bulk and summary reads,
//! grouping by normalised ids, the 1,200-work researcher.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::api_test_support::*;
use super::test_harness::*;
use super::{
    CROSSREF_CLIENT_ID, CROSSREF_NAME, PROLIFIC_AUTHOR_ORCID, PROLIFIC_AUTHOR_WORKS,
    SEEDED_CROSSREF_DOI, SEEDED_CROSSREF_PUT_CODE, SOFIA_GARCIA_ORCID,
};

const WORKS_SAMPLE: &str = include_str!("../testdata/works_x.json");
const WORK_SAMPLE: &str = include_str!("../testdata/work_1537385.json");

/// Every key path (`a.b[].c`) in a JSON document, ignoring values.
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{prefix}.{k}");
                out.insert(p.clone());
                key_paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn paths_of(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    key_paths(v, "", &mut out);
    out
}

#[tokio::test]
async fn works_list_has_the_sample_shape_including_nulls() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let token = member_token(&h, &sofia).await;
    let resp = get(&h, &format!("/v3.0/{sofia}/works"), &token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    assert!(resp.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with(VND));
    let list = resp.json();
    let sample: Value = serde_json::from_str(WORKS_SAMPLE).unwrap();

    assert_eq!(keys(&list), keys(&sample));
    assert_eq!(keys(&list["group"][0]), keys(&sample["group"][0]));
    let summary_keys = keys(&sample["group"][0]["work-summary"][0]);
    for s in summaries(&list) {
        assert_eq!(keys(&s), summary_keys, "{s}");
        assert_eq!(
            keys(&s["source"]),
            keys(&sample["group"][0]["work-summary"][0]["source"])
        );
        assert_eq!(keys(&s["title"]), ["subtitle", "title", "translated-title"]);
        assert!(
            s["put-code"].is_i64() && s["display-index"].is_string(),
            "{s}"
        );
        assert!(s["created-date"]["value"].is_u64());
        for id in s["external-ids"]["external-id"].as_array().unwrap() {
            assert_eq!(
                keys(id),
                keys(&sample["group"][0]["external-ids"]["external-id"][0])
            );
        }
    }
    // Every key path the simulation emits for a summary is one ORCID emits too.
    let ours = paths_of(&list);
    let theirs = paths_of(&sample);
    let extra: Vec<_> = ours.difference(&theirs).collect();
    assert!(extra.is_empty(), "paths ORCID's sample lacks: {extra:?}");

    // Nulls are sent, not omitted.
    let handle = summaries(&list)
        .into_iter()
        .find(|s| s["put-code"] == 1_000_003)
        .unwrap();
    assert_eq!(handle["journal-title"], Value::Null);
    assert_eq!(handle["title"]["subtitle"], Value::Null);
    assert_eq!(
        handle["publication-date"],
        json!({"year": {"value": "2019"}, "month": null, "day": null})
    );
    assert_eq!(handle["source"]["source-client-id"], Value::Null);
    assert_eq!(handle["source"]["source-orcid"]["path"], sofia.as_str());
    assert_eq!(handle["display-index"], "1");
    assert_eq!(list["path"], format!("/{sofia}/works"));
}

#[tokio::test]
async fn works_sharing_a_normalised_self_or_version_of_id_form_one_group() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let token = member_token(&h, &sofia).await;
    let path = format!("/v3.0/{sofia}/works");
    // Crossref and Scopus share the DOI (one in upper case): one group with the union of
    // their self ids (the DOI once, Scopus's EID).
    let list = get(&h, &path, &token).await.json();
    let group = list["group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["work-summary"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["put-code"] == SEEDED_CROSSREF_PUT_CODE)
        })
        .unwrap()
        .clone();
    assert_eq!(group["work-summary"].as_array().unwrap().len(), 2);
    let types: Vec<_> = group["external-ids"]["external-id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["external-id-type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["doi", "eid"]);

    // Our work with the same DOI as a URL joins that group, and it is the newest group.
    let url = format!("https://doi.org/{}", SEEDED_CROSSREF_DOI.to_uppercase());
    let pc = post_work(&h, &sofia, &token, &work("Ours", &url))
        .await
        .put_code();
    let list = get(&h, &path, &token).await.json();
    let first = &list["group"][0];
    let codes: Vec<_> = first["work-summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["put-code"].clone())
        .collect();
    assert_eq!(codes.len(), 3, "{first}");
    assert!(codes.contains(&json!(pc)));
    assert_eq!(first["last-modified-date"], list["last-modified-date"]);
    let ours = first["work-summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["put-code"] == pc)
        .unwrap()
        .clone();
    let id = &ours["external-ids"]["external-id"][0];
    assert_eq!(
        id["external-id-normalized"],
        json!({"value": SEEDED_CROSSREF_DOI, "transient": true})
    );
    assert_eq!(id["external-id-normalized-error"], Value::Null);
    // A part-of id alone does not group.
    let mut chapter = work("Chapter", "10.5555/chapter-9");
    chapter["external-ids"]["external-id"].as_array_mut().unwrap().push(json!({
        "external-id-type": "doi", "external-id-value": SEEDED_CROSSREF_DOI, "external-id-relationship": "part-of"
    }));
    let ch = post_work(&h, &sofia, &token, &chapter).await.put_code();
    let list = get(&h, &path, &token).await.json();
    let group_of_ch = &list["group"][0];
    assert_eq!(group_of_ch["work-summary"].as_array().unwrap().len(), 1);
    assert_eq!(group_of_ch["work-summary"][0]["put-code"], ch);
    assert_eq!(
        group_of_ch["external-ids"]["external-id"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_full_work_read_has_the_sample_shape() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let mut body = work("Full", "doi:book1");
    body["journal-title"] = json!({"value": "pub"});
    body["url"] = json!({"value": "https://example.com"});
    body["publication-date"] =
        json!({"year": {"value": "2022"}, "month": {"value": "03"}, "day": {"value": "04"}});
    let pc = post_work(&h, &id, &token, &body).await.put_code();
    let resp = get(&h, &format!("/v3.0/{id}/work/{pc}"), &token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let w = resp.json();
    let sample: Value = serde_json::from_str(WORK_SAMPLE).unwrap();
    assert_eq!(paths_of(&w), paths_of(&sample));
    assert_eq!(w["contributors"], json!({"contributor": []}));
    assert_eq!(w["short-description"], Value::Null);
    let ext = &w["external-ids"]["external-id"][0];
    assert_eq!(ext["external-id-normalized"], Value::Null);
    assert_eq!(
        ext["external-id-normalized-error"],
        json!({"error-code": "8001", "error-message": "Cannot normalize identifier value doi:doi:book1", "transient": true})
    );

    assert_error(
        &get(&h, &format!("/v3.0/{id}/work/12345"), &token).await,
        404,
        9016,
    );
    let err = assert_error(
        &get(&h, &format!("/v3.0/{id}/work/abc"), &token).await,
        400,
        9034,
    );
    assert_eq!(
        err["developer-message"],
        "400 Bad Request: The put code provided is not valid. Full validation error: 'abc' is not a valid put code"
    );

    let summary = get(&h, &format!("/v3.0/{id}/work/summary/{pc}"), &token)
        .await
        .json();
    let sample_list: Value = serde_json::from_str(WORKS_SAMPLE).unwrap();
    assert_eq!(
        keys(&summary),
        keys(&sample_list["group"][0]["work-summary"][0])
    );
    assert_eq!(summary["put-code"], pc);
}

#[tokio::test]
async fn bulk_read_answers_a_work_or_an_error_per_put_code() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let a = post_work(&h, &id, &token, &work("A", "10.5555/a"))
        .await
        .put_code();
    let b = post_work(&h, &id, &token, &work("B", "10.5555/b"))
        .await
        .put_code();
    let resp = get(&h, &format!("/v3.0/{id}/works/{a},1487805,{b}"), &token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let bulk = resp.json()["bulk"].as_array().unwrap().clone();
    assert_eq!(bulk.len(), 3);
    assert_eq!(bulk[0]["work"]["put-code"], a);
    assert_eq!(bulk[0]["work"]["path"], Value::Null);
    assert_eq!(bulk[2]["work"]["title"]["title"]["value"], "B");
    assert_eq!(
        bulk[1],
        json!({"error": {
            "response-code": 400,
            "developer-message": "400 Bad Request: The put code provided is not valid. Full validation error: '1487805' is not a valid put code",
            "user-message": "There was an error when updating the record. Please try again. If the error persists, please contact Test University for assistance.",
            "error-code": 9034,
            "more-info": "https://members.orcid.org/api/resources/troubleshooting"
        }})
    );
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let resp = get(&h, &format!("/v3.0/{id}/works/{}", many.join(",")), &token).await;
    assert_error(&resp, 400, 9042);
}

#[tokio::test]
async fn the_prolific_author_lists_1200_works_in_one_get() {
    let h = Harness::start().await;
    let prolific = seeded(PROLIFIC_AUTHOR_ORCID);
    let token = member_token(&h, &prolific).await;
    let resp = get(&h, &format!("/v3.0/{prolific}/works"), &token).await;
    assert_eq!(resp.status, StatusCode::OK);
    let list = resp.json();
    let all = summaries(&list);
    assert_eq!(all.len(), PROLIFIC_AUTHOR_WORKS);
    assert_eq!(h.mock.works_of(&prolific), PROLIFIC_AUTHOR_WORKS);
    let groups = list["group"].as_array().unwrap();
    assert!(
        groups.len() < PROLIFIC_AUTHOR_WORKS,
        "some works share DOIs"
    );
    assert!(groups
        .iter()
        .any(|g| g["work-summary"].as_array().unwrap().len() == 2));
    // Groups come most recently modified first.
    let stamps: Vec<u64> = groups
        .iter()
        .map(|g| g["last-modified-date"]["value"].as_u64().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]));
    // Mixed sources, types and (partial or missing) dates.
    let sources: BTreeSet<String> = all
        .iter()
        .map(|s| {
            s["source"]["source-name"]["value"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        sources.contains(CROSSREF_NAME)
            && sources.contains("Prolific Author")
            && sources.len() >= 4
    );
    let types: BTreeSet<&str> = all.iter().map(|s| s["type"].as_str().unwrap()).collect();
    assert!(types.len() >= 10);
    assert!(all.iter().any(|s| s["publication-date"].is_null()));
    assert!(all
        .iter()
        .any(|s| s["publication-date"]["month"].is_null() && !s["publication-date"].is_null()));
    assert!(all.iter().any(|s| s["publication-date"]["day"].is_object()));
    assert!(all
        .iter()
        .any(|s| s["source"]["source-client-id"]["path"] == CROSSREF_CLIENT_ID));
}

#[tokio::test]
async fn planted_and_removed_works_show_in_the_list() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let planted = h.mock.add_work_from_source(
        &id,
        "Scopus - Elsevier",
        Some("APP-SCOPUSELSEVIER01"),
        work("Planted", "10.5555/p"),
    );
    let list = get(&h, &format!("/v3.0/{id}/works"), &token).await.json();
    let s = &summaries(&list)[0];
    assert_eq!(s["put-code"], planted);
    assert_eq!(s["source"]["source-name"]["value"], "Scopus - Elsevier");
    // Not ours: our client may still add the same DOI.
    assert_eq!(
        post_work(&h, &id, &token, &work("Ours", "10.5555/p"))
            .await
            .status,
        StatusCode::CREATED
    );
    assert!(h.mock.remove_work(&id, planted));
    assert!(!h.mock.remove_work(&id, planted));
    assert_eq!(h.mock.works_of(&id), 1);
}
