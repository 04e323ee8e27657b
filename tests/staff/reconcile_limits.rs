//! A staff member's per-researcher reconciliation reads the record from ORCID again; those
//! reads obey the same fair-use limits as a researcher's own: they count against the staff
//! member's allowance, and a record read a moment ago is not read again.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;

use crate::common::{wait_until, TestApp};
use idlink::store::{DraftReport, JobStatus, NewJobItem};
use orcid::model::{ExternalId, ExternalIds, Work, WorkTitle};
use orcid::OrcidId;

const STAFF: &str = "0000-0002-1825-0097";

/// A finished one-work push to a new researcher, and a staff member's browser.
async fn pushed(app: &TestApp) -> (reqwest::Client, String) {
    let who = app.mock.add_researcher("Reconciled", "Researcher");
    app.sign_in_as(&app.browser(), &who, "").await;
    let work = Work {
        title: Some(WorkTitle::new("Reconciled work")),
        work_type: "journal-article".into(),
        external_ids: Some(ExternalIds {
            external_id: vec![ExternalId::new("doi", "10.5555/limits.1", "self")],
        }),
        ..Work::default()
    };
    let item = NewJobItem {
        line: 2,
        orcid: who,
        title: "Reconciled work".into(),
        payload: serde_json::to_string(&work.for_create()).unwrap(),
        section: None,
        identity: vec![("doi".into(), "10.5555/limits.1".into())],
        waiting: false,
    };
    let staff = OrcidId::parse(STAFF).unwrap();
    let store = &app.state.store;
    let job = store
        .create_draft_job(
            &staff,
            "works.csv",
            DraftReport {
                rows_total: 1,
                ..DraftReport::default()
            },
            &[item],
        )
        .await
        .unwrap();
    assert!(store.start_job(job, false).await.unwrap());
    app.state.runner.wake();
    wait_until(
        || async move {
            store.job(job).await.unwrap().map(|j| j.status) == Some(JobStatus::Finished)
        },
        Duration::from_secs(60),
    )
    .await
    .expect("the push finishes");
    app.mock.add_researcher_with_id(&staff, "Staff", "Member");
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    (client, format!("/admin/jobs/{job}/reconcile/{who}"))
}

#[tokio::test]
async fn reconcile_reads_count_against_the_staff_members_allowance() {
    let app = TestApp::spawn_with(&[
        "--staff-orcids",
        STAFF,
        "--researcher-orcid-per-minute",
        "1",
        "--researcher-orcid-burst",
        "2",
    ])
    .await;
    let (staff, page) = pushed(&app).await;
    for _ in 0..2 {
        let before = app.mock.member_api_requests();
        let (status, html) = app.get_text(&staff, &page).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("Record read from ORCID just now"));
        assert_eq!(app.mock.member_api_requests(), before + 1, "read again");
    }
    let before = app.mock.member_api_requests();
    let res = staff.get(app.url(&page)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(RETRY_AFTER));
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many requests to ORCID"), "{html}");
    assert_eq!(app.mock.member_api_requests(), before, "nothing sent");
}

#[tokio::test]
async fn a_record_read_a_moment_ago_is_shown_from_idlinks_copy() {
    let app = TestApp::spawn_with(&[
        "--staff-orcids",
        STAFF,
        "--works-refresh-cooldown-secs",
        "60",
    ])
    .await;
    let (staff, page) = pushed(&app).await;
    let (status, _) = app.get_text(&staff, &page).await;
    assert_eq!(status, StatusCode::OK);
    let before = app.mock.member_api_requests();
    for _ in 0..5 {
        let (status, html) = app.get_text(&staff, &page).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("Record read from ORCID"), "{html}");
    }
    assert_eq!(
        app.mock.member_api_requests(),
        before,
        "five views within the cooldown read ORCID no more"
    );
}
