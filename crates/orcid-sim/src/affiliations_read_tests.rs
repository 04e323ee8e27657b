//! Reading affiliations over real sockets: `/activities` and the record with the seeded
//! employment, visibility, the test controls, persistence, and the `orcid` crate's calls.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::api_test_support::*;
use super::test_harness::*;
use super::{
    DEMO_ORG_NAME, DEMO_ORG_ROR, HR_FEED_CLIENT_ID, HR_FEED_NAME, SEEDED_EDUCATION_PUT_CODE,
    SEEDED_EMPLOYMENT_PUT_CODE, SEEDED_EMPLOYMENT_ROLE_TITLE, SEEDED_EMPLOYMENT_START,
    SOFIA_GARCIA_ORCID,
};
use orcid::model::{ActivitiesSummary, Affiliation, AffiliationSection, FuzzyDate};
use orcid::OrcidId;

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
    let pc = post_affiliation(
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
            queue_wait: Duration::from_secs(5),
            person_per_minute: 1_000,
            person_burst: 100,
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

#[tokio::test]
async fn the_public_record_page_lists_public_affiliations() {
    let h = Harness::start().await;
    let id = seeded_id();
    let hidden = Affiliation {
        visibility: Some("private".into()),
        ..affiliation("Secret role")
    };
    h.mock
        .add_affiliation_from_source(&id, AffiliationSection::Service, "Someone", None, &hidden);
    let (status, _, page) = h.get(&h.url(&format!("/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let employment =
        format!("{SEEDED_EMPLOYMENT_ROLE_TITLE}, Department of Chemistry, {DEMO_ORG_NAME}");
    assert!(page.contains(&employment), "{page}");
    assert!(
        page.contains("2019-02-01 to present · source: Example University HR feed"),
        "{page}"
    );
    assert!(page.contains("2012-03 to 2016-11"), "{page}");
    assert!(!page.contains("Secret role"));

    let (_, _, empty) = h
        .get(&h.url(&format!("/{}", seeded(super::TOMAS_NG_ORCID))))
        .await;
    assert!(empty.contains("No public affiliations yet."));
}
