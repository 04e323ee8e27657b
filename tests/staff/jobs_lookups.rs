//! The iDs a bulk upload names for people idlink has never connected, looked up on ORCID's
//! Public API in the background: live progress on the draft, the public name beside each
//! iD (and later beside the waiting rows and on the person's staff page), an iD without a
//! record taken out of an affiliations draft or named as such in a works report, Start
//! held while rows could still be taken out, lookups ORCID did not answer asked again, and
//! lookups carrying on after a restart.

use std::time::Duration;

use serde_json::Value;

use crate::common::{location, multipart, ok, wait_until, TestApp};
use crate::job_setup::{app, finished, researchers, staff_browser};
use idlink::store::{ItemStatus, JobStatus};
use orcid::OrcidId;
use orcid_sim::Fault;
use reqwest::{Client, StatusCode};

const AFFILIATIONS: &str = "orcid,affiliation_type,department,role_title,start_year,start_month,start_day,end_year,end_month,end_day,url,external_id_type,external_id_value";
const WORKS: &str = "orcid,title,type,year,month,day,journal_title,url,doi,external_id_type,external_id_value,short_description";

/// A checksum-valid iD the simulated ORCID has no record for.
fn nobody() -> OrcidId {
    OrcidId::from_base_digits(9_000_000_200_001)
}

async fn upload(app: &TestApp, client: &Client, path: &str, csv: &str) -> i64 {
    let csrf = app.csrf_on(client, "/admin/jobs").await;
    let (content_type, body) = multipart(&csrf, "file.csv", csv.as_bytes());
    let res = client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res).to_string();
    to.trim_start_matches("/admin/jobs/")
        .trim_end_matches("#report")
        .parse()
        .unwrap_or_else(|_| panic!("redirect to a job page, got {to}"))
}

async fn lookups(app: &TestApp, client: &Client, job: i64) -> Value {
    let (status, body) = app
        .get_text(client, &format!("/admin/jobs/{job}/lookups.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn looked_up(app: &TestApp, client: &Client, job: i64) {
    wait_until(
        || async { !lookups(app, client, job).await["active"].as_bool().unwrap() },
        Duration::from_secs(60),
    )
    .await
    .expect("every iD of the upload is looked up");
}

async fn start(app: &TestApp, client: &Client, job: i64) -> reqwest::Response {
    let page = format!("/admin/jobs/{job}");
    app.post_form(client, &page, &format!("{page}/start"), &[])
        .await
}

#[tokio::test]
async fn an_affiliations_upload_shows_public_names_and_drops_ids_without_a_record() {
    let mut app = app().await;
    let staff = staff_browser(&app).await;
    let ada = researchers(&app, 1).await[0];
    let nora = app.mock.add_researcher("Nora", "Named");
    let nobody = nobody();
    // A stop: nothing is looked up while the file is stored.
    app.lookups.abort();
    let csv = format!(
        "{AFFILIATIONS}\n\
         {ada},employment,Physics,Lecturer,2020,,,,,,,,\n\
         {nora},employment,Chemistry,Professor,2019,,,,,,,,\n\
         {nobody},employment,Biology,Lecturer,2018,,,,,,,,\n\
         {nora},education,Chemistry,,2005,,,2009,,,,,\n\
         {nobody},education,Biology,,2001,,,2004,,,,,\n"
    );
    let job = upload(&app, &staff, "/admin/jobs/affiliations", &csv).await;
    let p = lookups(&app, &staff, job).await;
    assert_eq!(
        (p["total"].as_i64(), p["completed"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(p["active"], true, "{p}");
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(
        page.contains(&format!("/admin/jobs/{job}/lookups.json")),
        "{page}"
    );
    assert!(page.contains("data-reload-when-done"), "{page}");
    assert!(page.contains("id=\"start-waits\""), "{page}");
    assert!(!page.contains("id=\"start-job\""), "no Start yet: {page}");

    // Start before the lookups are done starts nothing.
    let res = start(&app, &staff, job).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("still being looked up"), "{page}");
    let draft = app.state.store.job(job).await.unwrap().unwrap();
    assert_eq!(draft.status, JobStatus::Draft);

    // Started again, the lookups pick up what the stop left.
    app.lookups = app.state.lookups.start();
    looked_up(&app, &staff, job).await;

    let draft = app.state.store.job(job).await.unwrap().unwrap();
    assert_eq!((draft.rows_total, draft.rows_invalid), (5, 2));
    let counts = app.state.store.job_counts(job).await.unwrap();
    assert_eq!((counts.pending, counts.waiting), (1, 2), "{counts:?}");
    let errors = app.state.store.row_errors(job).await.unwrap();
    let found: Vec<(i64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(found, [(4, "orcid"), (6, "orcid")]);
    assert!(
        errors[0].message.starts_with("No ORCID record")
            && errors[0].message.contains(&nobody.to_string()),
        "{}",
        errors[0].message
    );
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("Nora Named"), "the public name: {page}");
    assert!(page.contains("1 has no ORCID record"), "{page}");
    assert!(page.contains("2 rows are for researchers"), "{page}");
    assert!(page.contains("id=\"start-job\""), "{page}");
    assert!(!page.contains("id=\"job-progress\""), "{page}");

    let res = start(&app, &staff, job).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let items = finished(&app, job).await;
    let outcomes: Vec<(OrcidId, ItemStatus)> = items.iter().map(|i| (i.orcid, i.status)).collect();
    assert_eq!(
        outcomes,
        [
            (ada, ItemStatus::Done),
            (nora, ItemStatus::Waiting),
            (nora, ItemStatus::Waiting)
        ]
    );
    let page = ok(app
        .get_text(&staff, &format!("/admin/jobs/{job}?status=waiting"))
        .await);
    assert!(
        page.contains("Nora Named <span class=\"muted\">(public name on ORCID)</span>"),
        "beside the waiting rows: {page}"
    );
    let who = ok(app
        .get_text(&staff, &format!("/admin/researchers/{nora}"))
        .await);
    assert!(who.contains("Nora Named"), "{who}");
    assert!(who.contains("(public name on ORCID)"), "{who}");
}

#[tokio::test]
async fn a_works_upload_names_ids_without_a_record_and_does_not_hold_the_start() {
    let mut app = app().await;
    let staff = staff_browser(&app).await;
    let ada = researchers(&app, 1).await[0];
    let stan = app.mock.add_researcher("Stan", "Stranger");
    let nobody = nobody();
    app.lookups.abort();
    let csv = format!(
        "{WORKS}\n\
         {ada},A paper,journal-article,2024,,,,,10.5555/ok.1,,,\n\
         {stan},Not connected,journal-article,2024,,,,,10.5555/ok.2,,,\n\
         {nobody},No record,journal-article,2024,,,,,10.5555/ok.3,,,\n"
    );
    let job = upload(&app, &staff, "/admin/jobs", &csv).await;
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("id=\"job-progress\""), "{page}");
    assert!(
        page.contains("id=\"start-job\""),
        "nothing waits for a person, so Start is offered: {page}"
    );

    app.lookups = app.state.lookups.start();
    looked_up(&app, &staff, job).await;
    let errors = app.state.store.row_errors(job).await.unwrap();
    let by_line: Vec<(i64, bool)> = errors
        .iter()
        .map(|e| (e.line, e.message.starts_with("No ORCID record")))
        .collect();
    assert_eq!(by_line, [(3, false), (4, true)], "{errors:?}");
    assert!(
        errors[0].message.contains("has not connected"),
        "{errors:?}"
    );
    let draft = app.state.store.job(job).await.unwrap().unwrap();
    assert_eq!(draft.rows_invalid, 2, "each refused row counted once");
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("Stan Stranger"), "{page}");
    assert!(page.contains("No ORCID record"), "{page}");
}

#[tokio::test]
async fn a_lookup_orcid_does_not_answer_is_asked_again_and_holds_the_start_until_then() {
    let app = app().await;
    let staff = staff_browser(&app).await;
    let nora = app.mock.add_researcher("Nora", "Named");
    // ORCID is down.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 1_000_000,
    }));
    let csv = format!("{AFFILIATIONS}\n{nora},employment,Chemistry,Professor,2019,,,,,,,,\n");
    let job = upload(&app, &staff, "/admin/jobs/affiliations", &csv).await;
    let db = &app.state.store;
    let attempts = || async {
        sqlx::query_scalar::<_, i64>("SELECT attempts FROM job_lookups WHERE job_id = ?1")
            .bind(job)
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    wait_until(|| async { attempts().await == 1 }, Duration::from_secs(60))
        .await
        .expect("the unanswered lookup is counted");
    let p = lookups(&app, &staff, job).await;
    assert_eq!(p["active"], true, "still to be looked up: {p}");
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("id=\"lookups-retrying\""), "{page}");
    assert!(page.contains("id=\"start-waits\""), "{page}");

    // ORCID is back; the retry comes due (the wait is played by moving it forward).
    app.mock.set_fault(None);
    sqlx::query("UPDATE job_lookups SET retry_at = 0 WHERE job_id = ?1")
        .bind(job)
        .execute(db.pool())
        .await
        .unwrap();
    app.state.lookups.wake();
    looked_up(&app, &staff, job).await;
    let page = ok(app.get_text(&staff, &format!("/admin/jobs/{job}")).await);
    assert!(page.contains("Nora Named"), "{page}");
    assert!(page.contains("id=\"start-job\""), "{page}");
}
