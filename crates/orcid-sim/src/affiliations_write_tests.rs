//! Writing affiliations in the seven sections over real sockets: create, read, grouped
//! read, update and delete; ORCID's validation codes, duplicate, put-code, source and
//! visibility rules.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api_test_support::*;
use super::test_harness::*;
use super::{SEEDED_EMPLOYMENT_PUT_CODE, SOFIA_GARCIA_ORCID};
use orcid::model::{Affiliation, AffiliationSection, FuzzyDate};

#[tokio::test]
async fn every_section_is_created_read_grouped_updated_and_deleted() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    for s in AffiliationSection::ALL {
        let resp = post_affiliation(&h, &id, &token, s, &body(&affiliation("Lecturer"))).await;
        let put_code = resp.put_code();
        assert!(resp.text.is_empty());
        assert_eq!(
            resp.headers[LOCATION].to_str().unwrap(),
            format!("{}/v3.0/{id}/{s}/{put_code}", h.base)
        );

        let one = get(&h, &format!("/v3.0/{id}/{s}/{put_code}"), &token)
            .await
            .json();
        assert_eq!(one["put-code"], put_code);
        assert_eq!(one["path"], format!("/{id}/{s}/{put_code}"));
        assert_eq!(one["source"]["source-client-id"]["path"], CLIENT_ID);
        assert_eq!(one["source"]["source-name"]["value"], "Test University");
        assert_eq!(one["visibility"], "public");
        assert_eq!(
            one["organization"]["disambiguated-organization"]["disambiguation-source"],
            "ROR"
        );
        let read: Affiliation = serde_json::from_value(one).unwrap();
        assert_eq!(read.for_create(), affiliation("Lecturer"), "{s}");

        let list = get(&h, &format!("/v3.0/{id}/{}", s.plural()), &token)
            .await
            .json();
        assert_eq!(list["path"], format!("/{id}/{}", s.plural()));
        let summary = &list["affiliation-group"][0]["summaries"][0][s.summary_key()];
        assert_eq!(summary["put-code"], put_code, "{list}");
        assert_eq!(summary["role-title"], "Lecturer");

        let mut ended = affiliation("Lecturer");
        ended.put_code = Some(put_code);
        ended.end_date = Some(FuzzyDate::new("2024", Some("06"), None));
        let path = format!("/v3.0/{id}/{s}/{put_code}");
        let resp = send(&h, Method::PUT, &path, &token, Some(&body(&ended))).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
        assert_eq!(resp.json()["end-date"]["year"]["value"], "2024");

        let resp = send(&h, Method::DELETE, &path, &token, None).await;
        assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text);
        assert_error(&get(&h, &path, &token).await, 404, 9016);
    }
    assert!(h.mock.affiliations_of(&id).is_empty());
}

#[tokio::test]
async fn each_validation_rule_has_orcids_error_code() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    let edit = |f: &dyn Fn(&mut Affiliation)| {
        let mut a = affiliation("Lecturer");
        f(&mut a);
        body(&a)
    };
    use AffiliationSection::{Distinction, Education, Employment, Membership, Service};
    let mut unknown = body(&affiliation("Lecturer"));
    unknown["organization"]["ror"] = json!("05qwgg493");
    let cases: Vec<(&str, AffiliationSection, Value, u16, u64)> = vec![
        ("unknown field", Employment, unknown, 400, 9047),
        (
            "put-code on create",
            Employment,
            edit(&|a| a.put_code = Some(7)),
            400,
            9024,
        ),
        (
            "employment without an org id",
            Employment,
            edit(&|a| a.organization.as_mut().unwrap().disambiguated_organization = None),
            400,
            9045,
        ),
        (
            "education without a city",
            Education,
            edit(&|a| {
                a.organization
                    .as_mut()
                    .unwrap()
                    .address
                    .as_mut()
                    .unwrap()
                    .city = None
            }),
            400,
            9060,
        ),
        (
            "membership without an org",
            Membership,
            edit(&|a| a.organization = None),
            400,
            9046,
        ),
        (
            "service without an org id or external id",
            Service,
            edit(&|a| a.organization.as_mut().unwrap().disambiguated_organization = None),
            400,
            9062,
        ),
        (
            "distinction with a city but no country",
            Distinction,
            edit(&|a| {
                a.organization
                    .as_mut()
                    .unwrap()
                    .address
                    .as_mut()
                    .unwrap()
                    .country = None
            }),
            400,
            9061,
        ),
        (
            "invalid date",
            Employment,
            edit(&|a| a.start_date = Some(FuzzyDate::new("2021", Some("02"), Some("30")))),
            400,
            9049,
        ),
        (
            "start after end",
            Employment,
            edit(&|a| a.end_date = Some(FuzzyDate::new("2019", None, None))),
            400,
            9055,
        ),
    ];
    for (what, s, b, status, code) in cases {
        let resp = post_affiliation(&h, &id, &token, s, &b).await;
        let err = assert_error(&resp, status, code);
        assert!(
            err["developer-message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {err}"
        );
    }
    let err = assert_error(
        &post_affiliation(
            &h,
            &id,
            &token,
            Employment,
            &edit(&|a| a.start_date = Some(FuzzyDate::new("2021", Some("13"), None))),
        )
        .await,
        400,
        9049,
    );
    assert!(
        err["developer-message"]
            .as_str()
            .unwrap()
            .contains("2021-13"),
        "{err}"
    );
    // Nothing was stored by any refused request; ORCID's schema-only limits pass the API.
    assert!(h.mock.affiliations_of(&id).is_empty());
    let old = edit(&|a| a.start_date = Some(FuzzyDate::new("1890", None, None)));
    post_affiliation(&h, &id, &token, Employment, &old)
        .await
        .put_code();
}

#[tokio::test]
async fn only_a_same_client_self_id_is_a_duplicate() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    let emp = AffiliationSection::Employment;
    let tagged = body(&with_self_id(affiliation("Lecturer"), "HR-1"));
    let first = post_affiliation(&h, &id, &token, emp, &tagged)
        .await
        .put_code();
    let err = assert_error(
        &post_affiliation(&h, &id, &token, emp, &tagged).await,
        409,
        9021,
    );
    assert!(err["developer-message"]
        .as_str()
        .unwrap()
        .contains(&format!("put-code {first}")));
    // Another section, or another client, may hold the same id.
    post_affiliation(&h, &id, &token, AffiliationSection::Service, &tagged)
        .await
        .put_code();
    let other = other_token(&h, &id).await;
    post_affiliation(&h, &id, &other, emp, &tagged)
        .await
        .put_code();
    // Without external ids ORCID stores the same affiliation again.
    let plain = body(&affiliation("Lecturer"));
    let a = post_affiliation(&h, &id, &token, emp, &plain)
        .await
        .put_code();
    let b = post_affiliation(&h, &id, &token, emp, &plain)
        .await
        .put_code();
    assert_ne!(a, b);
    // An update may not take another item's id either.
    let mut clash = with_self_id(affiliation("Lecturer"), "HR-1");
    clash.put_code = Some(a);
    let path = format!("/v3.0/{id}/{emp}/{a}");
    assert_error(
        &send(&h, Method::PUT, &path, &token, Some(&body(&clash))).await,
        409,
        9021,
    );
    let list = get(&h, &format!("/v3.0/{id}/employments"), &token)
        .await
        .json();
    let groups = list["affiliation-group"].as_array().unwrap();
    assert_eq!(groups.len(), 3, "the two HR-1 items share a group: {list}");
}

#[tokio::test]
async fn updates_follow_orcids_put_code_source_and_visibility_rules() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    let emp = AffiliationSection::Employment;
    let pc = post_affiliation(&h, &id, &token, emp, &body(&affiliation("Lecturer")))
        .await
        .put_code();
    let path = format!("/v3.0/{id}/{emp}/{pc}");
    let put = |a: Affiliation| {
        let (h, path, token) = (&h, path.clone(), token.clone());
        async move { send(h, Method::PUT, &path, &token, Some(&body(&a))).await }
    };
    assert_error(&put(affiliation("Lecturer")).await, 400, 9019);
    let mut changed = affiliation("Professor");
    changed.put_code = Some(pc);
    changed.visibility = Some("private".into());
    assert_error(&put(changed.clone()).await, 403, 9035);
    changed.visibility = Some("public".into());
    assert_eq!(put(changed).await.json()["role-title"], "Professor");
    // Another section's path does not reach it.
    let wrong = format!("/v3.0/{id}/education/{pc}");
    assert_error(&get(&h, &wrong, &token).await, 404, 9016);
    assert_error(
        &get(&h, &format!("/v3.0/{id}/employment/abc"), &token).await,
        400,
        9034,
    );
    // Only the source may change or delete it.
    let other = other_token(&h, &id).await;
    let mut theirs = affiliation("Hacker");
    theirs.put_code = Some(pc);
    assert_error(
        &send(&h, Method::PUT, &path, &other, Some(&body(&theirs))).await,
        403,
        9010,
    );
    assert_error(
        &send(&h, Method::DELETE, &path, &other, None).await,
        403,
        9010,
    );
    let sofia = member_token(&h, &seeded(SOFIA_GARCIA_ORCID)).await;
    let theirs = format!("/v3.0/{SOFIA_GARCIA_ORCID}/employment/{SEEDED_EMPLOYMENT_PUT_CODE}");
    assert_error(
        &send(&h, Method::DELETE, &theirs, &sofia, None).await,
        403,
        9010,
    );
}
