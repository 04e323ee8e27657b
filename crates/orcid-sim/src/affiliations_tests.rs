//! The seven affiliation sections over real sockets: create, read, grouped read, update and
//! delete; ORCID's validation codes, duplicate and source rules; `/activities` and the
//! record; the seeded employment; the test controls; and the `orcid` crate's calls.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api_test_support::*;
use super::test_harness::*;
use super::{
    DEMO_ORG_NAME, DEMO_ORG_ROR, HR_FEED_CLIENT_ID, HR_FEED_NAME, SEEDED_EDUCATION_PUT_CODE,
    SEEDED_EMPLOYMENT_PUT_CODE, SEEDED_EMPLOYMENT_ROLE_TITLE, SEEDED_EMPLOYMENT_START,
    SOFIA_GARCIA_ORCID,
};
use orcid::model::{
    ActivitiesSummary, Affiliation, AffiliationSection, DisambiguatedOrganization,
    DisambiguationSource, ExternalId, ExternalIds, FuzzyDate, Organization, OrganizationAddress,
};
use orcid::OrcidId;

/// A valid affiliation for every section: organisation with ROR, city and country.
fn affiliation(role: &str) -> Affiliation {
    Affiliation {
        department_name: Some("Physics".into()),
        role_title: Some(role.into()),
        start_date: Some(FuzzyDate::new("2020", Some("02"), Some("01"))),
        organization: Some(Organization {
            name: "Boston University".into(),
            address: Some(OrganizationAddress {
                city: Some("Boston".into()),
                region: Some("Massachusetts".into()),
                country: Some("US".into()),
            }),
            disambiguated_organization: Some(DisambiguatedOrganization {
                disambiguated_organization_identifier: "https://ror.org/05qwgg493".into(),
                disambiguation_source: DisambiguationSource::Ror,
            }),
        }),
        ..Affiliation::default()
    }
}

fn body(a: &Affiliation) -> Value {
    serde_json::to_value(a).unwrap()
}

fn with_self_id(mut a: Affiliation, value: &str) -> Affiliation {
    a.external_ids = Some(ExternalIds {
        external_id: vec![ExternalId::new("grant_number", value, "self")],
    });
    a
}

async fn post(h: &Harness, id: &OrcidId, token: &str, s: AffiliationSection, b: &Value) -> Resp {
    send(h, Method::POST, &format!("/v3.0/{id}/{s}"), token, Some(b)).await
}

#[tokio::test]
async fn every_section_is_created_read_grouped_updated_and_deleted() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    for s in AffiliationSection::ALL {
        let resp = post(&h, &id, &token, s, &body(&affiliation("Lecturer"))).await;
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
        let resp = post(&h, &id, &token, s, &b).await;
        let err = assert_error(&resp, status, code);
        assert!(
            err["developer-message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {err}"
        );
    }
    let err = assert_error(
        &post(
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
    post(&h, &id, &token, Employment, &old).await.put_code();
}

#[tokio::test]
async fn only_a_same_client_self_id_is_a_duplicate() {
    let h = Harness::start().await;
    h.mock.set_rate_limit(None);
    let (id, token) = researcher_with_token(&h).await;
    let emp = AffiliationSection::Employment;
    let tagged = body(&with_self_id(affiliation("Lecturer"), "HR-1"));
    let first = post(&h, &id, &token, emp, &tagged).await.put_code();
    let err = assert_error(&post(&h, &id, &token, emp, &tagged).await, 409, 9021);
    assert!(err["developer-message"]
        .as_str()
        .unwrap()
        .contains(&format!("put-code {first}")));
    // Another section, or another client, may hold the same id.
    post(&h, &id, &token, AffiliationSection::Service, &tagged)
        .await
        .put_code();
    let other = other_token(&h, &id).await;
    post(&h, &id, &other, emp, &tagged).await.put_code();
    // Without external ids ORCID stores the same affiliation again.
    let plain = body(&affiliation("Lecturer"));
    let a = post(&h, &id, &token, emp, &plain).await.put_code();
    let b = post(&h, &id, &token, emp, &plain).await.put_code();
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
    let pc = post(&h, &id, &token, emp, &body(&affiliation("Lecturer")))
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
    let seeded = format!("/v3.0/{SOFIA_GARCIA_ORCID}/employment/{SEEDED_EMPLOYMENT_PUT_CODE}");
    let sofia = member_token(&h, &seeded_id()).await;
    assert_error(
        &send(&h, Method::DELETE, &seeded, &sofia, None).await,
        403,
        9010,
    );
}

fn seeded_id() -> OrcidId {
    seeded(SOFIA_GARCIA_ORCID)
}

#[tokio::test]
async fn activities_and_record_hold_works_and_every_section_with_the_seeded_employment() {
    let h = Harness::start().await;
    let id = seeded_id();
    let token = member_token(&h, &id).await;
    let before = h.mock.member_api_requests();
    let resp = get(&h, &format!("/v3.0/{id}/activities"), &token).await;
    assert_eq!(h.mock.member_api_requests() - before, 1);
    let json = resp.json();
    assert_eq!(json["path"], format!("/{id}/activities"));
    let activities: ActivitiesSummary = serde_json::from_value(json).unwrap();
    assert!(activities
        .works
        .as_ref()
        .is_some_and(|w| !w.group.is_empty()));
    for s in AffiliationSection::ALL {
        assert!(activities.section(s).is_some(), "{s}");
    }
    let employment = activities
        .section(AffiliationSection::Employment)
        .and_then(|g| g.summaries().next())
        .expect("the seeded employment");
    let e = &employment.summary;
    assert_eq!(e.put_code, Some(SEEDED_EMPLOYMENT_PUT_CODE));
    assert_eq!(
        e.source.as_ref().and_then(|s| s.client_id()),
        Some(HR_FEED_CLIENT_ID)
    );
    assert_eq!(e.source.as_ref().and_then(|s| s.name()), Some(HR_FEED_NAME));
    assert_eq!(e.organization_name(), Some(DEMO_ORG_NAME));
    assert_eq!(e.role_title.as_deref(), Some(SEEDED_EMPLOYMENT_ROLE_TITLE));
    let (y, m, d) = SEEDED_EMPLOYMENT_START;
    assert_eq!(e.start_date, Some(FuzzyDate::new(y, Some(m), Some(d))));
    let org_id = e
        .organization
        .as_ref()
        .and_then(|o| o.disambiguated_organization.as_ref());
    assert_eq!(
        org_id.map(|d| d.disambiguated_organization_identifier.as_str()),
        Some(DEMO_ORG_ROR)
    );
    let education = activities.section(AffiliationSection::Education).unwrap();
    let ed = &education.summaries().next().unwrap().summary;
    assert_eq!(ed.put_code, Some(SEEDED_EDUCATION_PUT_CODE));
    assert_eq!(ed.source.as_ref().and_then(|s| s.orcid_id()), Some(id));
    // Every seeded item passes ORCID's own rules.
    for s in activities.affiliations() {
        assert_eq!(
            orcid::affiliation_rules::check(s.section, &s.summary),
            vec![]
        );
    }

    let record = get(&h, &format!("/v3.0/{id}/record"), &token).await.json();
    let from_record: ActivitiesSummary =
        serde_json::from_value(record["activities-summary"].clone()).unwrap();
    assert_eq!(from_record, activities);
}

#[tokio::test]
async fn hidden_items_follow_the_visibility_rules() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let private = Affiliation {
        visibility: Some("private".into()),
        ..affiliation("Secret role")
    };
    let pc = h.mock.add_affiliation_from_source(
        &id,
        AffiliationSection::Membership,
        "Someone",
        Some(HR_FEED_CLIENT_ID),
        &private,
    );
    assert_error(
        &get(&h, &format!("/v3.0/{id}/membership/{pc}"), &token).await,
        403,
        9013,
    );
    let list = get(&h, &format!("/v3.0/{id}/memberships"), &token)
        .await
        .json();
    assert_eq!(list["affiliation-group"], json!([]));
}

#[tokio::test]
async fn test_controls_plant_list_and_remove_affiliations() {
    let h = Harness::start().await;
    let id = seeded_id();
    let listed = h.mock.affiliations_of(&id);
    assert_eq!(
        listed
            .iter()
            .map(|a| (a.section, a.put_code))
            .collect::<Vec<_>>(),
        vec![
            (AffiliationSection::Employment, SEEDED_EMPLOYMENT_PUT_CODE),
            (AffiliationSection::Education, SEEDED_EDUCATION_PUT_CODE),
        ]
    );
    assert_eq!(
        listed[0].source_client_id.as_deref(),
        Some(HR_FEED_CLIENT_ID)
    );
    assert_eq!(listed[1].source_client_id, None);
    let planted = h.mock.add_affiliation_from_source(
        &id,
        AffiliationSection::Service,
        "Peer review board",
        None,
        &affiliation("Reviewer"),
    );
    let now = h.mock.affiliations_of(&id);
    let p = now.iter().find(|a| a.put_code == planted).unwrap();
    assert_eq!(
        (p.section, p.source_name.as_str(), p.visibility.as_str()),
        (AffiliationSection::Service, "Peer review board", "public")
    );
    assert_eq!(p.affiliation, affiliation("Reviewer"));
    assert!(h.mock.remove_affiliation(&id, SEEDED_EMPLOYMENT_PUT_CODE));
    assert!(!h.mock.remove_affiliation(&id, SEEDED_EMPLOYMENT_PUT_CODE));
    assert_eq!(h.mock.affiliations_of(&id).len(), 2);
}

#[tokio::test]
async fn written_and_removed_affiliations_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let start = || {
        let file = file.clone();
        Harness::start_with(move |c| c.state_file = Some(file))
    };
    let h = start().await;
    let id = seeded_id();
    let token = member_token(&h, &id).await;
    let pc = post(
        &h,
        &id,
        &token,
        AffiliationSection::Qualification,
        &body(&affiliation("MSc")),
    )
    .await
    .put_code();
    assert!(h.mock.remove_affiliation(&id, SEEDED_EDUCATION_PUT_CODE));
    drop(h);
    let again = start().await;
    let codes: Vec<i64> = again
        .mock
        .affiliations_of(&id)
        .iter()
        .map(|a| a.put_code)
        .collect();
    assert_eq!(codes, vec![SEEDED_EMPLOYMENT_PUT_CODE, pc]);
}

/// The `orcid` crate's affiliation calls, against the simulation over a real socket.
#[tokio::test]
async fn the_orcid_client_reads_and_writes_affiliations() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let token = secrecy::SecretString::from(token);
    let base = url::Url::parse(&format!("{}/", h.base)).unwrap();
    let client = orcid::OrcidClient::new(
        orcid::ClientConfig {
            endpoints: orcid::Endpoints {
                base: base.clone(),
                server_base: base.clone(),
                api: base.clone(),
                public_api: base.clone(),
                issuer: h.base.clone(),
                record_base: format!("{}/", h.base),
            },
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.to_string().into(),
            timeout: Duration::from_secs(10),
            rate_per_sec: 24,
            burst: 40,
            user_agent: "idlink-test".into(),
        },
        Arc::new(()),
    )
    .unwrap();
    let emp = AffiliationSection::Employment;
    let pc = client
        .add_affiliation(&token, &id, emp, &affiliation("Lecturer"))
        .await
        .unwrap();
    let read = client.affiliation(&token, &id, emp, pc).await.unwrap();
    assert_eq!(read.role_title.as_deref(), Some("Lecturer"));
    let ended = Affiliation {
        end_date: Some(FuzzyDate::new("2025", None, None)),
        ..read
    };
    let updated = client
        .update_affiliation(&token, &id, emp, pc, &ended)
        .await
        .unwrap();
    assert_eq!(updated.end_date, ended.end_date);
    let groups = client.affiliations(&token, &id, emp).await.unwrap();
    assert_eq!(
        groups
            .summaries()
            .map(|s| s.summary.put_code)
            .collect::<Vec<_>>(),
        vec![Some(pc)]
    );
    let activities = client.activities(&token, &id).await.unwrap();
    assert_eq!(activities.affiliations().count(), 1);
    let refused = client
        .add_affiliation(
            &token,
            &id,
            emp,
            &Affiliation {
                organization: None,
                ..affiliation("x")
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            orcid::ApiError::Invalid {
                code: Some(9045),
                ..
            }
        ),
        "{refused:?}"
    );
    client
        .delete_affiliation(&token, &id, emp, pc)
        .await
        .unwrap();
    let gone = client.affiliation(&token, &id, emp, pc).await.unwrap_err();
    assert!(matches!(gone, orcid::ApiError::NotFound), "{gone:?}");
}
