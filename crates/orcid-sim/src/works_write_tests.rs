//! Creating, updating and deleting works: ORCID's status codes, error codes, duplicate and
//! source rules, bulk create.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api_test_support::*;
use super::test_harness::*;
use super::{SEEDED_CROSSREF_DOI, SOFIA_GARCIA_ORCID};

#[tokio::test]
async fn post_is_201_with_an_empty_body_and_a_location() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let resp = post_work(&h, &id, &token, &work("First", "10.5555/first")).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text);
    assert!(resp.text.is_empty());
    let put_code = resp.put_code();
    assert_eq!(
        resp.headers[LOCATION].to_str().unwrap(),
        format!("{}/v3.0/{id}/work/{put_code}", h.base)
    );
    let second = post_work(&h, &id, &token, &work("Second", "10.5555/second"))
        .await
        .put_code();
    assert!(second > put_code);

    // The server sets source, dates, visibility and path; a client-sent source is ignored.
    let mut sneaky = work("Third", "10.5555/third");
    sneaky["source"] = json!({"source-name": {"value": "Someone else"}});
    let third = post_work(&h, &id, &token, &sneaky).await.put_code();
    let w = get(&h, &format!("/v3.0/{id}/work/{third}"), &token)
        .await
        .json();
    assert_eq!(w["source"]["source-name"]["value"], "Test University");
    assert_eq!(w["source"]["source-client-id"]["path"], CLIENT_ID);
    assert_eq!(w["source"]["source-orcid"], Value::Null);
    assert_eq!(w["visibility"], "public");
    assert_eq!(w["path"], format!("/{id}/work/{third}"));
    assert_eq!(w["put-code"], third);
    assert!(w["created-date"]["value"].as_u64().unwrap() > 1_600_000_000_000);
}

#[tokio::test]
async fn each_validation_rule_has_orcids_error_code() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    let cases: Vec<(&str, Value, u16, u64)> = vec![
        (
            "unknown field",
            edited(|w| w["xput-code"] = json!(1)),
            400,
            9047,
        ),
        (
            "nested unknown field",
            edited(|w| w["title"]["title"]["lang"] = json!("en")),
            400,
            9047,
        ),
        (
            "put-code on create",
            edited(|w| w["put-code"] = json!(123)),
            400,
            9024,
        ),
        (
            "no title",
            edited(|w| {
                w.as_object_mut().unwrap().remove("title");
            }),
            400,
            9022,
        ),
        (
            "empty title",
            edited(|w| w["title"]["title"]["value"] = json!("")),
            400,
            9022,
        ),
        ("no type", edited(|w| w["type"] = Value::Null), 400, 9037),
        (
            "bad type",
            edited(|w| w["type"] = json!("journal_article")),
            400,
            9037,
        ),
        (
            "no ids",
            edited(|w| w["external-ids"]["external-id"] = json!([])),
            400,
            9023,
        ),
        (
            "unknown id type",
            edited(|w| w["external-ids"]["external-id"][0]["external-id-type"] = json!("dio")),
            400,
            9023,
        ),
        (
            "empty id value",
            edited(|w| w["external-ids"]["external-id"][0]["external-id-value"] = json!("")),
            400,
            9023,
        ),
        (
            "no self id",
            edited(|w| {
                w["external-ids"]["external-id"][0]["external-id-relationship"] = json!("part-of")
            }),
            400,
            9023,
        ),
        (
            "bad relationship",
            edited(|w| {
                w["external-ids"]["external-id"][0]["external-id-relationship"] = json!("SELF")
            }),
            400,
            9051,
        ),
        (
            "month 13",
            edited(|w| w["publication-date"]["month"] = json!({"value": "13"})),
            400,
            9049,
        ),
        (
            "one-digit month",
            edited(|w| w["publication-date"]["month"] = json!({"value": "4"})),
            400,
            9049,
        ),
        (
            "30 February",
            edited(
                |w| w["publication-date"] = json!({"year": {"value": "2023"}, "month": {"value": "02"}, "day": {"value": "30"}}),
            ),
            400,
            9049,
        ),
        (
            "day without month",
            edited(|w| {
                w["publication-date"] = json!({"year": {"value": "2023"}, "day": {"value": "02"}})
            }),
            400,
            9049,
        ),
        (
            "month without year",
            edited(|w| w["publication-date"] = json!({"month": {"value": "02"}})),
            400,
            9049,
        ),
        (
            "three-digit year",
            edited(|w| w["publication-date"] = json!({"year": {"value": "999"}})),
            400,
            9049,
        ),
        (
            "five-digit year",
            edited(|w| w["publication-date"] = json!({"year": {"value": "20231"}})),
            400,
            9020,
        ),
        (
            "bad role",
            edited(
                |w| w["contributors"] = json!({"contributor": [{"credit-name": {"value": "A"}, "contributor-attributes": {"contributor-role": "writer"}}]}),
            ),
            400,
            9058,
        ),
        (
            "bad contributor iD",
            edited(|w| {
                w["contributors"] =
                    json!({"contributor": [{"contributor-orcid": {"path": "0000-0002-1825-009"}}]})
            }),
            400,
            9020,
        ),
        (
            "bad contributor URI",
            edited(
                |w| w["contributors"] = json!({"contributor": [{"contributor-orcid": {"uri": "orcid.org/0000-0002-1825-0097"}}]}),
            ),
            400,
            9020,
        ),
        (
            "bad citation type",
            edited(|w| w["citation"] = json!({"citation-type": "BIBTEX", "citation-value": "@x"})),
            400,
            9051,
        ),
        (
            "bad language",
            edited(|w| w["language-code"] = json!("english")),
            400,
            9037,
        ),
        (
            "bad country",
            edited(|w| w["country"] = json!({"value": "XX"})),
            400,
            9051,
        ),
    ];
    for (name, body, status, code) in cases {
        let resp = post_work(&h, &id, &token, &body).await;
        assert_eq!(resp.status.as_u16(), status, "{name}: {}", resp.text);
        assert_eq!(resp.json()["error-code"], code, "{name}: {}", resp.text);
    }
    let auth = format!("Bearer {token}");
    let headers = [
        ("accept", VND),
        ("authorization", auth.as_str()),
        ("content-type", VND),
    ];
    for raw in ["{\"title\": ", "", "[1]"] {
        let resp = send_raw(
            &h,
            Method::POST,
            &format!("/v3.0/{id}/work"),
            &headers,
            Some(raw.into()),
        )
        .await;
        assert_error(&resp, 400, 9047);
    }
    assert_eq!(h.mock.works_of(&id), 0);
    // Valid edge cases: partial dates, CRediT roles, a contributor iD with an X.
    let ok = edited(|w| {
        w["publication-date"] =
            json!({"year": {"value": "2024"}, "month": {"value": "02"}, "day": {"value": "29"}});
        w["contributors"] = json!({"contributor": [{
            "contributor-orcid": {"uri": "https://orcid.org/0000-0002-4325-871X", "path": "0000-0002-4325-871X", "host": "orcid.org"},
            "credit-name": {"value": "Fran"},
            "contributor-email": "fran@example.org",
            "contributor-attributes": {"contributor-sequence": "first", "contributor-role": "http://credit.niso.org/contributor-roles/software/"}
        }]});
        w["citation"] = json!({"citation-type": "bibtex", "citation-value": "@article{x}"});
        w["country"] = json!({"value": "CA"});
        w["language-code"] = json!("en");
    });
    assert_eq!(
        post_work(&h, &id, &token, &ok).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn error_texts_follow_orcids_catalogue() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let body = assert_error(
        &post_work(&h, &id, &token, &edited(|w| w["xput-code"] = json!(1))).await,
        400,
        9047,
    );
    let dev = body["developer-message"].as_str().unwrap();
    assert!(dev.starts_with("400 Bad request: invalid JSON - Unrecognized field \"xput-code\" (class org.orcid.jaxb.model.v3.release.record.Work), not marked as ignorable (17 known properties: \"journal-title\", \"path\", \"citation\", \"put-code\","), "{dev}");
    assert!(
        dev.ends_with(
            "(through reference chain: org.orcid.jaxb.model.v3.release.record.Work[\"xput-code\"])"
        ),
        "{dev}"
    );
    assert_eq!(body["user-message"], "Invalid JSON.");

    let body = assert_error(
        &post_work(&h, &id, &token, &edited(|w| w["type"] = json!("paper"))).await,
        400,
        9037,
    );
    let dev = body["developer-message"].as_str().unwrap();
    assert!(
        dev.starts_with("Invalid work type, valid values are: annotation, artistic-performance,"),
        "{dev}"
    );
    assert!(dev.ends_with("working-paper, undefined."), "{dev}");

    let date = json!({"year": {"value": "2023"}, "month": {"value": "02"}, "day": {"value": "30"}});
    let body = assert_error(
        &post_work(&h, &id, &token, &edited(|w| w["publication-date"] = date)).await,
        400,
        9049,
    );
    assert_eq!(
        body["developer-message"],
        "400 Bad request: invalid date: 2023-02-30"
    );

    let body = assert_error(
        &post_work(&h, &id, &token, &edited(|w| w["put-code"] = json!(5))).await,
        400,
        9024,
    );
    assert_eq!(
        body["user-message"],
        "There was an error when updating the record. Please try again. If the error persists, please contact Test University for assistance."
    );
}

#[tokio::test]
async fn duplicates_conflict_only_within_the_same_client() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let mine = member_token(&h, &sofia).await;
    let theirs = other_token(&h, &sofia).await;
    // The seeded Crossref DOI belongs to other sources: no conflict.
    let first = post_work(&h, &sofia, &mine, &work("Mine", SEEDED_CROSSREF_DOI))
        .await
        .put_code();
    // The same DOI again, written differently (URL form, upper case): 409, 9021.
    let again = work(
        "Mine again",
        &format!("https://doi.org/{}", SEEDED_CROSSREF_DOI.to_uppercase()),
    );
    let body = assert_error(&post_work(&h, &sofia, &mine, &again).await, 409, 9021);
    assert_eq!(
        body["developer-message"],
        format!("409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code {first}. If you are trying to edit the item, please use PUT instead of POST.")
    );
    // Another client may add it.
    assert_eq!(
        post_work(&h, &sofia, &theirs, &again).await.status,
        StatusCode::CREATED
    );
    // part-of ids are not compared.
    let mut part = work("Chapter", "10.5555/chapter-1");
    part["external-ids"]["external-id"]
        .as_array_mut()
        .unwrap()
        .push(json!({"external-id-type": "doi", "external-id-value": SEEDED_CROSSREF_DOI, "external-id-relationship": "part-of"}));
    assert_eq!(
        post_work(&h, &sofia, &mine, &part).await.status,
        StatusCode::CREATED
    );
}
