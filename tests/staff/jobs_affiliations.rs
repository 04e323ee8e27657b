//! Bulk pushes of affiliations against the simulated ORCID over real HTTP: the upload's
//! report with its waiting rows, one read per researcher and one request per affiliation
//! written, updates instead of second copies, another source's copy, the researcher's
//! deletions, waiting rows written once the person connects, and a kill mid-way.

use std::time::Duration;

use crate::common::{self, affiliation_item, location, multipart, TestApp};
use crate::job_setup::{
    app, finished, finished_with, kill_mid_way, lookups_done, researchers, staff, staff_browser,
    start,
};
use idlink::store::{DraftReport, ItemStatus, JobItem, JobKind, NewJobItem};
use orcid::model::{Affiliation, AffiliationSection, FuzzyDate};
use orcid::OrcidId;
use orcid_sim::{
    Fault, HR_FEED_NAME, SEEDED_EMPLOYMENT_DEPARTMENT, SEEDED_EMPLOYMENT_ROLE_TITLE,
    SEEDED_EMPLOYMENT_START, SOFIA_GARCIA_ORCID,
};
use reqwest::{Client, StatusCode};

const HEADER: &str = "orcid,affiliation_type,department,role_title,start_year,start_month,start_day,end_year,end_month,end_day,url,external_id_type,external_id_value";

/// One employment at the institution, as an upload row would make it.
fn employment(app: &TestApp, role: &str, start: &str, end: Option<&str>) -> Affiliation {
    common::employment(&app.state.settings.org.known, role, start, end)
}

fn item(line: i64, orcid: &OrcidId, a: &Affiliation) -> NewJobItem {
    affiliation_item(line, orcid, AffiliationSection::Employment, a)
}

/// Runs one job of `items` to its end; its items and the Member API requests it made.
async fn run(app: &TestApp, items: &[NewJobItem], push_again: bool) -> (Vec<JobItem>, usize) {
    let before = app.mock.member_api_requests();
    let got = finished(
        app,
        start(app, JobKind::Affiliations, items, push_again).await,
    )
    .await;
    (got, app.mock.member_api_requests() - before)
}

async fn upload(app: &TestApp, client: &Client, csv: &str) -> reqwest::Response {
    let csrf = app.csrf_on(client, "/admin/jobs").await;
    let (content_type, body) = multipart(&csrf, "hr.csv", csv.as_bytes());
    client
        .post(app.url("/admin/jobs/affiliations"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn job_id_of(res: &reqwest::Response) -> i64 {
    let to = location(res).to_string();
    to.trim_start_matches("/admin/jobs/")
        .trim_end_matches("#report")
        .parse()
        .unwrap_or_else(|_| panic!("redirect to a job page, got {to}"))
}

#[tokio::test]
async fn an_upload_reports_each_problem_by_column_and_counts_waiting_rows() {
    let app = app().await;
    let staff_client = staff_browser(&app).await;
    let ada = researchers(&app, 1).await[0];
    let stranger = app.mock.add_researcher("Stan", "Stranger");
    // The check itself asks ORCID nothing; the background lookup of the stranger's iD is
    // tested in `jobs_lookups`.
    app.lookups.abort();
    let (status, template) = app
        .get_text(&staff_client, "/admin/jobs/affiliations-template.csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(template.starts_with(HEADER), "{template}");
    let page = crate::common::ok(app.get_text(&staff_client, "/admin/jobs").await);
    assert!(page.contains("/admin/jobs/affiliations-template.csv"));

    let csv = format!(
        "{HEADER}\r\n\
         {ada},employment,Physics,Lecturer,2020,3,,,,,,,\r\n\
         {ada},employment,Physics,Professor,2020,13,,,,,,,\r\n\
         {ada},job,Physics,Lecturer,2021,,,,,,,,\r\n\
         {stranger},education,,,2010,,,2014,,,,,\r\n"
    );
    let res = upload(&app, &staff_client, &csv).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = job_id_of(&res);
    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_eq!(
        (job.kind, job.rows_total, job.rows_invalid),
        (JobKind::Affiliations, 4, 2)
    );
    let counts = app.state.store.job_counts(id).await.unwrap();
    assert_eq!((counts.pending, counts.waiting), (1, 1), "{counts:?}");
    let errors = app.state.store.row_errors(id).await.unwrap();
    let found: Vec<(i64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(found, [(3, "start_month"), (4, "affiliation_type")]);
    assert!(
        errors[0].message.starts_with("Start date:"),
        "{}",
        errors[0].message
    );

    let page = crate::common::ok(
        app.get_text(&staff_client, &format!("/admin/jobs/{id}"))
            .await,
    );
    assert!(page.contains("id=\"waiting-rows\""), "{page}");
    assert!(page.contains("1 row is for researchers who have not connected"));
    // The person who never connected has a staff page listing what waits for them.
    let who = crate::common::ok(
        app.get_text(&staff_client, &format!("/admin/researchers/{stranger}"))
            .await,
    );
    assert!(
        who.contains("Waiting for this researcher to connect"),
        "{who}"
    );
    assert!(who.contains("education (2010 – 2014)"), "{who}");
    assert_eq!(
        app.mock.member_api_requests(),
        0,
        "nothing sent before start"
    );
}

#[tokio::test]
async fn one_read_per_researcher_and_one_request_per_affiliation_written() {
    let app = app().await;
    let who = researchers(&app, 3).await;
    let mut items = Vec::new();
    for r in &who {
        for (n, role) in ["Lecturer", "Senior Lecturer", "Professor"]
            .iter()
            .enumerate()
        {
            let line = items.len() as i64 + 2;
            let start = format!("{}", 2010 + n * 4);
            items.push(item(line, r, &employment(&app, role, &start, None)));
        }
    }
    let (got, requests) = run(&app, &items, false).await;
    assert!(got.iter().all(|i| i.status == ItemStatus::Done), "{got:?}");
    assert_eq!(
        requests,
        3 + 9,
        "one GET /activities per researcher, one POST each"
    );
    for r in &who {
        assert_eq!(app.mock.affiliations_of(r).len(), 3);
    }
    let audit = app
        .state
        .store
        .audit_page(&Default::default(), 100, 0)
        .await
        .unwrap();
    let adds = audit
        .iter()
        .filter(|a| a.action == "add_affiliation")
        .count();
    assert_eq!(adds, 9, "every write is audited");
}

#[tokio::test]
async fn a_changed_end_date_updates_the_affiliation_and_an_unchanged_row_sends_nothing() {
    let app = app().await;
    let who = researchers(&app, 1).await[0];
    let (first, requests) = run(
        &app,
        &[item(2, &who, &employment(&app, "Lecturer", "2020", None))],
        false,
    )
    .await;
    assert_eq!(first[0].status, ItemStatus::Done);
    assert_eq!(requests, 2, "a read and a POST");
    let put_code = first[0].put_code.unwrap();

    let leaving = employment(&app, "Lecturer", "2020", Some("2025"));
    let (second, requests) = run(&app, &[item(2, &who, &leaving)], false).await;
    assert_eq!(second[0].status, ItemStatus::Done, "{:?}", second[0].detail);
    assert_eq!(second[0].put_code, Some(put_code), "the same item, updated");
    assert!(second[0].detail.as_deref().unwrap().contains("updated"));
    assert_eq!(requests, 2, "a read and a PUT");
    let on_record = app.mock.affiliations_of(&who);
    assert_eq!(on_record.len(), 1, "never a second copy: {on_record:?}");
    let end = on_record[0].affiliation.end_date.clone().unwrap();
    assert_eq!(end.parts()[0], Some("2025"));

    // The comparison with the record shows the updated item as asked.
    let staff_client = staff_browser(&app).await;
    let page = format!("/admin/jobs/{}/reconcile/{who}", second[0].job_id);
    let html = crate::common::ok(app.get_text(&staff_client, &page).await);
    assert!(html.contains("on the record as asked"), "{html}");
    assert!(html.contains("2020 – 2025"), "{html}");

    let (third, requests) = run(&app, &[item(2, &who, &leaving)], false).await;
    assert_eq!(third[0].status, ItemStatus::AlreadyPresent);
    assert!(third[0].detail.as_deref().unwrap().contains("unchanged"));
    assert_eq!(requests, 1, "only the read");
    assert_eq!(app.mock.affiliations_of(&who).len(), 1);
}

#[tokio::test]
async fn an_employment_already_there_from_another_source_is_not_added() {
    let app = app().await;
    let sofia = OrcidId::parse(SOFIA_GARCIA_ORCID).unwrap();
    app.sign_in_as(&app.browser(), &sofia, "").await;
    let before = app.mock.affiliations_of(&sofia).len();
    let (y, m, d) = SEEDED_EMPLOYMENT_START;
    let row = Affiliation {
        department_name: Some(SEEDED_EMPLOYMENT_DEPARTMENT.into()),
        role_title: Some(SEEDED_EMPLOYMENT_ROLE_TITLE.into()),
        start_date: Some(FuzzyDate::new(y, Some(m), Some(d))),
        organization: Some(app.state.settings.org.known.clone()),
        ..Affiliation::default()
    };
    let (got, requests) = run(&app, &[item(2, &sofia, &row)], false).await;
    assert_eq!(got[0].status, ItemStatus::AlreadyPresent);
    let detail = got[0].detail.as_deref().unwrap();
    assert!(detail.contains(HR_FEED_NAME), "{detail}");
    assert_eq!(requests, 1, "only the read");
    assert_eq!(app.mock.affiliations_of(&sofia).len(), before);
}

#[tokio::test]
async fn a_deleted_affiliation_comes_back_only_when_staff_force_it() {
    let app = app().await;
    let who = researchers(&app, 1).await[0];
    let row = employment(&app, "Lecturer", "2020", None);
    let (first, _) = run(&app, &[item(2, &who, &row)], false).await;
    let put_code = first[0].put_code.unwrap();
    assert!(app.mock.remove_affiliation(&who, put_code));

    let (second, requests) = run(&app, &[item(2, &who, &row)], false).await;
    assert_eq!(second[0].status, ItemStatus::Skipped);
    let detail = second[0].detail.as_deref().unwrap();
    assert!(detail.contains("deleted by the researcher"), "{detail}");
    assert_eq!(requests, 1, "only the read");
    assert!(app.mock.affiliations_of(&who).is_empty());

    let (forced, _) = run(&app, &[item(2, &who, &row)], true).await;
    assert_eq!(forced[0].status, ItemStatus::Done, "{:?}", forced[0].detail);
    assert_eq!(app.mock.affiliations_of(&who).len(), 1);
}

#[tokio::test]
async fn waiting_rows_are_written_once_the_person_connects() {
    let app = app().await;
    let staff_client = staff_browser(&app).await;
    let newcomer = app.mock.add_researcher("Nina", "Newcomer");
    let csv = format!("{HEADER}\r\n{newcomer},employment,Physics,Lecturer,2024,,,,,,,,\r\n");
    let res = upload(&app, &staff_client, &csv).await;
    let id = job_id_of(&res);
    let store = &app.state.store;
    // The newcomer's row waits, so Start waits for their iD to be looked up.
    lookups_done(&app, id).await;
    assert!(store.start_job(id, false).await.unwrap());
    app.state.runner.wake();
    // Nothing to send yet: the job ends with its row waiting.
    let got = finished(&app, id).await;
    assert_eq!(got[0].status, ItemStatus::Waiting);
    assert!(app.mock.affiliations_of(&newcomer).is_empty());

    app.sign_in_as(&app.browser(), &newcomer, "").await;
    let got = finished_with(&app, id, ItemStatus::Done).await;
    assert_eq!(got[0].status, ItemStatus::Done, "{:?}", got[0].detail);
    assert_eq!(app.mock.affiliations_of(&newcomer).len(), 1);
}

#[tokio::test]
async fn a_revoked_grant_keeps_the_rows_waiting_until_the_researcher_connects_again() {
    let app = app().await;
    let who = researchers(&app, 1).await[0];
    app.mock.revoke_all_for(&who, app.state.orcid.client_id());
    let id = start(
        &app,
        JobKind::Affiliations,
        &[item(2, &who, &employment(&app, "Lecturer", "2020", None))],
        false,
    )
    .await;
    let got = finished(&app, id).await;
    assert_eq!(got[0].status, ItemStatus::Waiting, "{:?}", got[0].detail);
    assert!(got[0].detail.as_deref().unwrap().contains("revoked"));

    app.sign_in_as(&app.browser(), &who, "").await;
    let got = finished_with(&app, id, ItemStatus::Done).await;
    assert_eq!(got[0].status, ItemStatus::Done, "{:?}", got[0].detail);
    assert_eq!(app.mock.affiliations_of(&who).len(), 1);
}

#[tokio::test]
async fn a_job_killed_mid_way_resumes_without_second_copies() {
    let mut app = app().await;
    let who = researchers(&app, 3).await;
    let mut items = Vec::new();
    for r in &who {
        for n in 0..8 {
            let line = items.len() as i64 + 2;
            let role = format!("Role {n}");
            items.push(item(line, r, &employment(&app, &role, "2015", None)));
        }
    }
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(150))));
    let id = start(&app, JobKind::Affiliations, &items, false).await;
    let c = kill_mid_way(&mut app, id).await;
    assert!(c.done < 24 && c.sending > 0, "killed mid-request: {c:?}");
    app.mock.set_fault(None);

    app.runner = app.state.runner.start();
    let got = finished(&app, id).await;
    for i in &got {
        assert_eq!(
            i.status,
            ItemStatus::Done,
            "line {}: {:?}",
            i.line,
            i.detail
        );
    }
    for r in &who {
        assert_eq!(app.mock.affiliations_of(r).len(), 8, "none written twice");
    }
}

#[tokio::test]
async fn the_researchers_form_is_prefilled_from_the_newest_upload() {
    let app = app().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Pia", "Prefilled");
    app.sign_in_as(&client, &who, "").await;
    let store = &app.state.store;
    for role in ["Lecturer", "Senior Lecturer"] {
        let row = item(2, &who, &employment(&app, role, "2022", None));
        let report = DraftReport {
            rows_total: 1,
            ..DraftReport::default()
        };
        store
            .create_draft(
                &staff(),
                JobKind::Affiliations,
                "hr.csv",
                report,
                &[row],
                &[],
            )
            .await
            .unwrap();
    }

    let form = crate::common::ok(
        app.get_text(&client, "/me/affiliations/employment/new")
            .await,
    );
    assert!(form.contains("has on file for you"), "{form}");
    assert!(form.contains("value=\"Senior Lecturer\""), "{form}");
    assert!(form.contains("value=\"Physics\""), "{form}");
    assert!(form.contains("value=\"2022\""), "{form}");
    // Nothing uploaded for education: an empty form.
    let education = crate::common::ok(
        app.get_text(&client, "/me/affiliations/education/new")
            .await,
    );
    assert!(!education.contains("has on file for you"));
}
