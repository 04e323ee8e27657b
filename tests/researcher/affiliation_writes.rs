//! One affiliation written through idlink's write path (the one the form and the staff
//! bulk job share), against the simulated ORCID: dedupe by meaning, updates, deletes.

use idlink::affiliations::draft::Draft;
use idlink::affiliations::write::{Actor, AffiliationOutcome};
use idlink::works::WriteOutcome;
use orcid::model::{AffiliationSection, FuzzyDate};
use orcid::OrcidId;
use orcid_sim::{
    HR_FEED_NAME, SEEDED_EMPLOYMENT_PUT_CODE, SEEDED_EMPLOYMENT_ROLE_TITLE, SEEDED_EMPLOYMENT_START,
};

use crate::affiliation_steps::{audit_actions, sofia_signed_in};
use crate::common::TestApp;

const EMPLOYMENT: AffiliationSection = AffiliationSection::Employment;

fn lecturer() -> Draft {
    Draft {
        department: Some("Physics".into()),
        role_title: Some("Lecturer".into()),
        start: Some(FuzzyDate::new("2021", Some("03"), None)),
        ..Draft::default()
    }
}

fn own(who: &OrcidId) -> Actor<'_> {
    Actor {
        actor: who,
        orcid: who,
    }
}

#[tokio::test]
async fn the_same_affiliation_twice_is_written_once_and_a_new_end_date_updates_it() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let affiliations = app.state.affiliations.for_person(who);

    let first = affiliations.add(own(&who), EMPLOYMENT, &lecturer()).await;
    let AffiliationOutcome::Sent(WriteOutcome::Added { put_code }) = first else {
        panic!("added: {first:?}");
    };
    let again = affiliations.add(own(&who), EMPLOYMENT, &lecturer()).await;
    assert_eq!(again, AffiliationOutcome::Unchanged { put_code });

    let mut leaving = lecturer();
    leaving.role_title = Some(" lecturer".into());
    leaving.end = Some(FuzzyDate::new("2025", Some("12"), None));
    let ended = affiliations.add(own(&who), EMPLOYMENT, &leaving).await;
    assert_eq!(
        ended,
        AffiliationOutcome::Sent(WriteOutcome::Updated { put_code })
    );

    let at_orcid = app.mock.affiliations_of(&who);
    assert_eq!(at_orcid.len(), 1, "one copy: {at_orcid:?}");
    let end = at_orcid[0].affiliation.end_date.clone().unwrap();
    assert_eq!(end.parts(), [Some("2025"), Some("12"), None]);
    let cached = app.state.store.cached_affiliations(&who).await.unwrap();
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0].end_year.as_deref(), Some("2025"));
    let actions = audit_actions(&app, &who).await;
    assert_eq!(actions, ["update_affiliation", "add_affiliation"]);
}

#[tokio::test]
async fn another_sources_equal_affiliation_is_already_there_and_nothing_is_sent() {
    let (app, _client, sofia) = sofia_signed_in().await;
    app.state.works.refresh(&sofia).await.unwrap();
    let (y, m, d) = SEEDED_EMPLOYMENT_START;
    let same = Draft {
        department: Some("Another department".into()),
        role_title: Some(SEEDED_EMPLOYMENT_ROLE_TITLE.to_uppercase()),
        start: Some(FuzzyDate::new(y, Some(m), Some(d))),
        ..Draft::default()
    };
    let calls = app.mock.member_api_requests();
    let before = app.mock.affiliations_of(&sofia).len();

    let outcome = app
        .state
        .affiliations
        .for_person(sofia)
        .add(own(&sofia), EMPLOYMENT, &same)
        .await;

    assert_eq!(
        outcome,
        AffiliationOutcome::OtherSource {
            put_code: SEEDED_EMPLOYMENT_PUT_CODE,
            source: HR_FEED_NAME.into()
        }
    );
    assert_eq!(app.mock.member_api_requests(), calls, "nothing sent");
    assert_eq!(app.mock.affiliations_of(&sofia).len(), before);
}

#[tokio::test]
async fn a_delete_removes_idlinks_item_and_another_sources_is_refused() {
    let (app, _client, sofia) = sofia_signed_in().await;
    let affiliations = app.state.affiliations.for_person(sofia);
    let added = affiliations.add(own(&sofia), EMPLOYMENT, &lecturer()).await;
    let put_code = added.put_code().expect("added");

    let theirs = affiliations
        .delete(own(&sofia), EMPLOYMENT, SEEDED_EMPLOYMENT_PUT_CODE)
        .await;
    assert_eq!(theirs, AffiliationOutcome::NotIdlinks);
    let mine = affiliations.delete(own(&sofia), EMPLOYMENT, put_code).await;
    assert_eq!(mine, AffiliationOutcome::Sent(WriteOutcome::Deleted));

    let left: Vec<_> = app
        .mock
        .affiliations_of(&sofia)
        .iter()
        .map(|a| a.put_code)
        .collect();
    assert!(left.contains(&SEEDED_EMPLOYMENT_PUT_CODE));
    assert!(!left.contains(&put_code));
    let cached = app.state.store.cached_affiliations(&sofia).await.unwrap();
    assert!(cached.iter().all(|c| c.put_code != put_code));
}
