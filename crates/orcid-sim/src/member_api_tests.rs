//! Member API access rules: tokens, records, scopes, content negotiation, faults, and the
//! record/person documents.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::api_test_support::*;
use super::test_harness::*;
use super::{Fault, SOFIA_GARCIA_ORCID};

#[tokio::test]
async fn no_token_is_403_and_a_bad_token_401_in_oauth_shape() {
    let h = Harness::start().await;
    let (id, _) = researcher_with_token(&h).await;
    let path = format!("/v3.0/{id}/works");
    let resp = send_raw(&h, Method::GET, &path, &[("accept", VND)], None).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(
        resp.json(),
        json!({"error": "forbidden", "error_description": "Forbidden: The server understood the request but refuses to authorize it."})
    );
    let resp = get(&h, &path, "FOO").await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.json(),
        json!({"error": "invalid_token", "error_description": "Invalid access token: FOO"})
    );
}

#[tokio::test]
async fn a_revoked_token_is_401_but_a_user_revoked_one_may_still_delete() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let kept = post_work(&h, &id, &token, &work("Kept", "10.5555/kept"))
        .await
        .put_code();
    let gone = post_work(&h, &id, &token, &work("Gone", "10.5555/gone"))
        .await
        .put_code();

    h.mock.revoke_all_for(&id, CLIENT_ID);
    let resp = get(&h, &format!("/v3.0/{id}/works"), &token).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.text);
    assert_eq!(resp.json()["error"], "invalid_token");
    let resp = post_work(&h, &id, &token, &work("New", "10.5555/new")).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    let resp = send(
        &h,
        Method::DELETE,
        &format!("/v3.0/{id}/work/{gone}"),
        &token,
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text);
    assert_eq!(h.mock.works_of(&id), 1);

    // The client revoking its own token: nothing is allowed any more.
    let token2 = member_token(&h, &id).await;
    let (status, _) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", &token2),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    let resp = send(
        &h,
        Method::DELETE,
        &format!("/v3.0/{id}/work/{kept}"),
        &token2,
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.json()["error_description"],
        format!("Invalid access token: {token2}")
    );
}

#[tokio::test]
async fn a_token_for_another_record_is_9017() {
    let h = Harness::start().await;
    let (_, token) = researcher_with_token(&h).await;
    let other = h.mock.add_researcher("Grace", "Hopper");
    let resp = get(&h, &format!("/v3.0/{other}/works"), &token).await;
    let body = assert_error(&resp, 401, 9017);
    assert_eq!(
        body["developer-message"],
        "401 Unauthorized: The client application is not authorized for this ORCID record. Full validation error: Access token is for a different record"
    );
    assert_eq!(
        body["user-message"],
        "The client application is not authorized."
    );
    let resp = post_work(&h, &other, &token, &work("x", "10.5555/x")).await;
    assert_error(&resp, 401, 9017);
}

#[tokio::test]
async fn writing_needs_activities_update_else_9038() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let token = token_with(&h, &id, (CLIENT_ID, SECRET), "/read-limited").await;
    let resp = post_work(&h, &id, &token, &work("x", "10.5555/x")).await;
    let body = assert_error(&resp, 403, 9038);
    assert_eq!(
        body["developer-message"],
        "409 Conflict: The item has a limited or private visibility and your request doesn't have the required scope."
    );
    let resp = get(&h, &format!("/v3.0/{id}/works"), &token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let public = read_public_token(&h).await;
    let resp = post_work(&h, &id, &public, &work("x", "10.5555/x")).await;
    assert_error(&resp, 403, 9038);
}

#[tokio::test]
async fn reads_are_filtered_by_visibility_and_scope() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let count = |body: serde_json::Value| summaries(&body).len();
    let path = format!("/v3.0/{sofia}/works");
    // Seeded: 4 public, 1 limited (Scopus), 1 private (Sofia's own).
    let limited = member_token(&h, &sofia).await;
    assert_eq!(count(get(&h, &path, &limited).await.json()), 5);
    let openid = token_with(&h, &sofia, (CLIENT_ID, SECRET), "openid").await;
    assert_eq!(count(get(&h, &path, &openid).await.json()), 4);
    let public = read_public_token(&h).await;
    let list = get(&h, &path, &public).await.json();
    assert_eq!(count(list.clone()), 4);
    assert!(summaries(&list).iter().all(|s| s["visibility"] == "public"));
    // One limited work read alone without the scope: 9038; the private one: 9013.
    assert_error(
        &get(&h, &format!("/v3.0/{sofia}/work/1000004"), &public).await,
        403,
        9038,
    );
    assert_error(
        &get(&h, &format!("/v3.0/{sofia}/work/1000005"), &limited).await,
        403,
        9013,
    );
    // A /read-public token on a record that does not exist.
    let unknown = orcid::OrcidId::from_base_digits(19);
    let body = assert_error(
        &get(&h, &format!("/v3.0/{unknown}/works"), &public).await,
        404,
        9016,
    );
    assert_eq!(
        body["developer-message"],
        format!("404 Not Found: The resource was not found. Full validation error: ORCID iD {unknown} not found")
    );
}

#[tokio::test]
async fn json_only_accept_and_content_type_rules() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let auth = format!("Bearer {token}");
    let path = format!("/v3.0/{id}/works");
    for accept in [
        VND,
        "application/orcid+json",
        "application/json",
        "application/json, */*;q=0.5",
    ] {
        let resp = send_raw(
            &h,
            Method::GET,
            &path,
            &[("accept", accept), ("authorization", &auth)],
            None,
        )
        .await;
        assert_eq!(resp.status, StatusCode::OK, "{accept}: {}", resp.text);
        let ct = resp.headers["content-type"].to_str().unwrap();
        let first = accept.split(',').next().unwrap();
        assert!(ct.starts_with(first), "{accept} answered {ct}");
    }
    for accept in [
        Some("application/vnd.orcid+xml"),
        Some("application/json, */*"),
        Some("application/xml"),
        Some("*/*"),
        None,
    ] {
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend(accept.map(|a| ("accept", a)));
        let resp = send_raw(&h, Method::GET, &path, &headers, None).await;
        let body = assert_error(&resp, 406, 9001);
        assert!(
            body["developer-message"]
                .as_str()
                .unwrap()
                .contains("JSON only"),
            "{body}"
        );
    }
    let resp = send_raw(
        &h,
        Method::GET,
        &path,
        &[("accept", "text/html"), ("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::NOT_ACCEPTABLE);

    let body = work("x", "10.5555/x").to_string();
    for ct in ["application/vnd.orcid+xml", "text/plain"] {
        let headers = [
            ("accept", VND),
            ("authorization", auth.as_str()),
            ("content-type", ct),
        ];
        let resp = send_raw(
            &h,
            Method::POST,
            &format!("/v3.0/{id}/work"),
            &headers,
            Some(body.clone()),
        )
        .await;
        assert_error(&resp, 415, 9001);
    }
    let headers = [
        ("accept", VND),
        ("authorization", auth.as_str()),
        ("content-type", "application/json; charset=utf-8"),
    ];
    let resp = send_raw(
        &h,
        Method::POST,
        &format!("/v3.0/{id}/work"),
        &headers,
        Some(body),
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text);
}

#[tokio::test]
async fn api_status_fault_answers_n_times_then_service_resumes() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let path = format!("/v3.0/{id}/works");
    let before = h.mock.member_api_requests();
    h.mock.set_fault(Some(Fault::ApiStatus {
        status: 500,
        times: 2,
    }));
    for _ in 0..2 {
        let resp = get(&h, &path, &token).await;
        assert_error(&resp, 500, 9008);
    }
    assert_eq!(get(&h, &path, &token).await.status, StatusCode::OK);
    h.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 1,
    }));
    assert_eq!(
        get(&h, &path, &token).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get(&h, &path, &token).await.status, StatusCode::OK);
    assert_eq!(h.mock.member_api_requests() - before, 5);

    h.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(300))));
    let started = Instant::now();
    assert_eq!(get(&h, &path, &token).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    h.mock.set_fault(None);
}

#[tokio::test]
async fn record_and_person_have_the_sample_shape() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let token = member_token(&h, &sofia).await;
    let record = get(&h, &format!("/v3.0/{sofia}/record"), &token)
        .await
        .json();
    assert_eq!(
        keys(&record),
        [
            "activities-summary",
            "history",
            "orcid-identifier",
            "path",
            "person",
            "preferences"
        ]
    );
    assert_eq!(record["path"], format!("/{sofia}"));
    assert_eq!(record["orcid-identifier"]["path"], sofia.as_str());
    let name = &record["person"]["name"];
    assert_eq!(name["given-names"], json!({"value": "Sofia"}));
    assert_eq!(name["family-name"], json!({"value": "Garcia"}));
    assert_eq!(name["credit-name"], json!({"value": "Sofia Garcia"}));
    let works = &record["activities-summary"]["works"];
    assert_eq!(works["path"], format!("/{sofia}/works"));
    assert_eq!(summaries(works).len(), 5);
    // Sofia's employment from another source is seeded; sections without items are empty.
    let employments = &record["activities-summary"]["employments"]["affiliation-group"];
    assert_eq!(
        employments.as_array().map(Vec::len),
        Some(1),
        "{employments}"
    );
    assert_eq!(
        employments[0]["summaries"][0]["employment-summary"]["put-code"],
        crate::SEEDED_EMPLOYMENT_PUT_CODE
    );
    assert_eq!(
        record["activities-summary"]["memberships"]["affiliation-group"],
        json!([])
    );
    assert_eq!(record["activities-summary"]["fundings"]["group"], json!([]));
    assert_eq!(
        record["activities-summary"]["path"],
        format!("/{sofia}/activities")
    );

    let person = get(&h, &format!("/v3.0/{sofia}/person"), &token)
        .await
        .json();
    assert_eq!(
        keys(&person),
        [
            "addresses",
            "biography",
            "emails",
            "external-identifiers",
            "keywords",
            "last-modified-date",
            "name",
            "other-names",
            "path",
            "researcher-urls"
        ]
    );
    assert_eq!(person["path"], format!("/{sofia}/person"));
    assert_eq!(person["name"], record["person"]["name"]);
}

#[tokio::test]
async fn the_email_section_shows_a_public_address_to_anyone_and_a_limited_one_to_trusted_parties() {
    let h = Harness::start().await;
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    let public = read_public_token(&h).await;
    let member = member_token(&h, &sofia).await;
    let path = format!("/v3.0/{sofia}/email");
    h.mock
        .set_researcher_email(&sofia, Some("sofia@example.org"), false);
    let limited = get(&h, &path, &public).await.json();
    assert_eq!(keys(&limited), ["email", "last-modified-date", "path"]);
    assert_eq!(
        limited["email"],
        json!([]),
        "a limited address is not public"
    );
    assert_eq!(limited["path"], format!("/{sofia}/email"));
    let trusted = get(&h, &path, &member).await.json();
    assert_eq!(trusted["email"][0]["email"], "sofia@example.org");
    assert_eq!(trusted["email"][0]["visibility"], "limited");

    h.mock
        .set_researcher_email(&sofia, Some("sofia@example.org"), true);
    let shown = get(&h, &path, &public).await.json();
    let e = &shown["email"][0];
    assert_eq!(e["email"], "sofia@example.org");
    assert_eq!(
        (&e["visibility"], &e["primary"]),
        (&json!("public"), &json!(true))
    );
    let parsed: orcid::model::Emails = serde_json::from_value(shown).unwrap();
    assert_eq!(parsed.preferred(), Some("sofia@example.org"));
}
