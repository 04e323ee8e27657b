//! Updating, deleting and bulk-creating works; the 10,000-work limit.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api_test_support::*;
use super::test_harness::*;
use super::SOFIA_GARCIA_ORCID;

#[tokio::test]
async fn put_updates_own_works_only() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let pc = post_work(&h, &id, &token, &work("Old", "10.5555/put-1"))
        .await
        .put_code();
    let other_pc = post_work(&h, &id, &token, &work("Other", "10.5555/put-2"))
        .await
        .put_code();
    let path = format!("/v3.0/{id}/work/{pc}");

    let mut body = work("New title", "10.5555/put-1");
    body["put-code"] = json!(pc);
    let resp = send(&h, Method::PUT, &path, &token, Some(&body)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let updated = resp.json();
    assert_eq!(updated["title"]["title"]["value"], "New title");
    assert_eq!(updated["put-code"], pc);

    let mut mismatch = body.clone();
    mismatch["put-code"] = json!(pc + 1);
    let err = assert_error(
        &send(&h, Method::PUT, &path, &token, Some(&mismatch)).await,
        400,
        9019,
    );
    assert_eq!(
        err["developer-message"],
        format!(
            "400 Bad Request: The put code in the URL was {pc} whereas the one in the body was {}.",
            pc + 1
        )
    );
    let mut private = body.clone();
    private["visibility"] = json!("private");
    assert_error(
        &send(&h, Method::PUT, &path, &token, Some(&private)).await,
        403,
        9035,
    );
    let mut same = body.clone();
    same["visibility"] = json!("public");
    assert_eq!(
        send(&h, Method::PUT, &path, &token, Some(&same))
            .await
            .status,
        StatusCode::OK
    );
    let mut dup = work("Dup", "10.5555/put-2");
    dup["put-code"] = json!(pc);
    let err = assert_error(
        &send(&h, Method::PUT, &path, &token, Some(&dup)).await,
        409,
        9021,
    );
    assert!(err["developer-message"]
        .as_str()
        .unwrap()
        .contains(&format!("put-code {other_pc}.")));
    let mut missing = body.clone();
    missing["put-code"] = json!(99_999_999);
    let missing_path = format!("/v3.0/{id}/work/99999999");
    assert_error(
        &send(&h, Method::PUT, &missing_path, &token, Some(&missing)).await,
        404,
        9016,
    );

    // Another client's work (and a seeded one) cannot be touched: 9010.
    let theirs = other_token(&h, &id).await;
    let err = assert_error(
        &send(&h, Method::PUT, &path, &theirs, Some(&body)).await,
        403,
        9010,
    );
    assert_eq!(
        err["developer-message"],
        "403 Forbidden: You are not the source of the work, so you are not allowed to update it."
    );
    assert_error(
        &send(&h, Method::DELETE, &path, &theirs, None).await,
        403,
        9010,
    );
}

#[tokio::test]
async fn delete_is_204_then_404() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let pc = post_work(&h, &id, &token, &work("Gone", "10.5555/gone"))
        .await
        .put_code();
    let path = format!("/v3.0/{id}/work/{pc}");
    let resp = send(&h, Method::DELETE, &path, &token, None).await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    assert!(resp.text.is_empty());
    assert_error(
        &send(&h, Method::DELETE, &path, &token, None).await,
        404,
        9016,
    );
    assert_error(
        &send(
            &h,
            Method::DELETE,
            &format!("/v3.0/{id}/work/abc"),
            &token,
            None,
        )
        .await,
        400,
        9034,
    );
    // A seeded work from another source.
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let token = member_token(&h, &sofia).await;
    let resp = send(
        &h,
        Method::DELETE,
        &format!("/v3.0/{sofia}/work/{}", super::SEEDED_CROSSREF_PUT_CODE),
        &token,
        None,
    )
    .await;
    assert_error(&resp, 403, 9010);
}

#[tokio::test]
async fn bulk_create_answers_each_element_in_order() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let existing = post_work(&h, &id, &token, &work("Existing", "10.5555/b-0"))
        .await
        .put_code();
    let bad_type = edited(|w| w["type"] = json!("nonsense"));
    let bulk = json!({"bulk": [
        {"work": work("One", "10.5555/b-1")},
        {"work": work("Dup of existing", "10.5555/B-0")},
        {"work": bad_type},
        {"work": work("Two", "10.5555/b-2")},
        {"work": work("Dup within request", "10.5555/b-2")},
    ]});
    let resp = send(
        &h,
        Method::POST,
        &format!("/v3.0/{id}/works"),
        &token,
        Some(&bulk),
    )
    .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let items = resp.json()["bulk"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["work"]["title"]["title"]["value"], "One");
    assert!(items[0]["work"]["put-code"].as_i64().unwrap() > existing);
    assert_eq!(items[1]["error"]["error-code"], 9021);
    assert!(items[1]["error"]["developer-message"]
        .as_str()
        .unwrap()
        .contains(&format!("put-code {existing}.")));
    assert_eq!(items[2]["error"]["error-code"], 9037);
    assert_eq!(items[3]["work"]["title"]["title"]["value"], "Two");
    assert_eq!(items[4]["error"]["error-code"], 9021);
    assert_eq!(h.mock.works_of(&id), 3);

    let many: Vec<Value> = (0..101)
        .map(|i| json!({"work": work("W", &format!("10.5555/m-{i}"))}))
        .collect();
    let resp = send(
        &h,
        Method::POST,
        &format!("/v3.0/{id}/works"),
        &token,
        Some(&json!({"bulk": many})),
    )
    .await;
    let body = assert_error(&resp, 400, 9006);
    assert_eq!(
        body["developer-message"],
        "The client application sent a bad request to ORCID. Full validation error: You are allowed to add up to 100 elements per request."
    );
    assert_eq!(h.mock.works_of(&id), 3);
}

#[tokio::test]
async fn a_record_holds_at_most_10000_works() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    for i in 0..super::works_store::MAX_WORKS {
        h.mock.add_work_from_source(
            &id,
            "Ada Lovelace",
            None,
            work("W", &format!("10.5555/full-{i}")),
        );
    }
    assert_error(
        &post_work(&h, &id, &token, &work("One more", "10.5555/more")).await,
        409,
        9048,
    );
}
