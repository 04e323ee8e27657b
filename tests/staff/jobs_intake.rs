//! Bulk push, the intake side: a CSV upload checked row by row before anything is sent,
//! malformed files refused with a clear page, drafts started and cancelled, the results
//! download, the progress JSON, and staff-only access to every route.

use crate::common::{location, multipart, TestApp};
use idlink::store::{ItemStatus, JobStatus};
use orcid::OrcidId;
use orcid_sim::Fault;
use reqwest::{Client, StatusCode};

const STAFF: &str = "0000-0002-1825-0097";
const HEADER: &str = "orcid,title,type,year,month,day,journal_title,url,doi,external_id_type,external_id_value,short_description";

struct Setup {
    app: TestApp,
    staff: Client,
    /// Connected with the default permissions.
    ada: OrcidId,
    /// Connected with sign-in only: no /activities/update.
    readonly: OrcidId,
    /// idlink learned the grant was revoked.
    revoked: OrcidId,
    /// Connected, then disconnected.
    gone: OrcidId,
    /// A valid iD idlink never saw.
    stranger: OrcidId,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let staff_id = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff_id, "Sam", "Staff");
    let staff = app.browser();
    app.sign_in_as(&staff, &staff_id, "").await;

    let ada = app.mock.add_researcher("Ada", "Lovelace");
    app.sign_in_as(&app.browser(), &ada, "").await;
    let readonly = app.mock.add_researcher("Rosalind", "Franklin");
    app.sign_in_as(&app.browser(), &readonly, "?access=signin")
        .await;
    let revoked = app.mock.add_researcher("Rita", "Revoked");
    app.sign_in_as(&app.browser(), &revoked, "").await;
    app.state.store.mark_tokens_revoked(&revoked).await.unwrap();
    let gone = app.mock.add_researcher("Gus", "Gone");
    let gone_client = app.browser();
    app.sign_in_as(&gone_client, &gone, "").await;
    let res = app
        .post_form(&gone_client, "/me", "/me/disconnect", &[])
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "disconnect: {}",
        res.status()
    );
    let stranger = app.mock.add_researcher("Stan", "Stranger");
    Setup {
        app,
        staff,
        ada,
        readonly,
        revoked,
        gone,
        stranger,
    }
}

async fn staff_csrf(app: &TestApp, client: &Client) -> String {
    app.csrf_on(client, "/admin/jobs").await
}

async fn upload(app: &TestApp, client: &Client, name: &str, bytes: &[u8]) -> reqwest::Response {
    let csrf = staff_csrf(app, client).await;
    let (content_type, body) = multipart(&csrf, name, bytes);
    client
        .post(app.url("/admin/jobs"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Uploads and follows the redirect to the new draft; returns its id.
async fn upload_draft(app: &TestApp, client: &Client, csv: &str) -> i64 {
    let res = upload(app, client, "works.csv", csv.as_bytes()).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = location(&res).to_string();
    to.trim_start_matches("/admin/jobs/")
        .trim_end_matches("#report")
        .parse()
        .unwrap_or_else(|_| panic!("redirect to a job page, got {to}"))
}

fn csv(rows: &[String]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str("\r\n");
        s.push_str(r);
    }
    s.push_str("\r\n");
    s
}

#[tokio::test]
async fn a_mixed_file_is_reported_row_by_row_and_nothing_is_sent() {
    let s = setup().await;
    let (app, ada) = (&s.app, s.ada);
    let rows = vec![
        format!(
            "{ada},Good by DOI,journal-article,2024,5,,J. Tests,,https://doi.org/10.5555/Good.1,,,"
        ),
        format!("{ada},Good by ISBN,book,2023,,,,,,isbn,978-0-12-345678-9,A book"),
        "0000-0002-1825-0098,Bad checksum,journal-article,,,,,,10.5555/x.1,,,".into(),
        format!("{ada},Unknown type,poem,,,,,,10.5555/x.2,,,"),
        format!("{ada},Bad date,book,2023,2,30,,,10.5555/x.3,,,"),
        format!("{ada},No identifier,book,2023,,,,,,,,"),
        format!("{ada},Bad DOI,book,,,,,,doi:nonsense,,,"),
        format!("{},Not connected,book,,,,,,10.5555/x.4,,,", s.stranger),
        format!("{},Read only,book,,,,,,10.5555/x.5,,,", s.readonly),
        format!("{},Revoked,book,,,,,,10.5555/x.6,,,", s.revoked),
        format!("{},Disconnected,book,,,,,,10.5555/x.7,,,", s.gone),
        format!("{ada},Same DOI again,book,,,,,,10.5555/GOOD.1,,,"),
    ];
    // The check itself asks ORCID nothing; the background lookup of the stranger's iD is
    // tested in `jobs_lookups`.
    app.lookups.abort();
    let before = app.mock.member_api_requests();
    let tokens_before = app.mock.token_requests();
    let with_notes: Vec<String> = rows.iter().map(|r| format!("{r},a note")).collect();
    let file = csv(&with_notes).replace(HEADER, &format!("{HEADER},notes"));
    let id = upload_draft(app, &s.staff, &file).await;
    assert_eq!(
        app.mock.member_api_requests(),
        before,
        "nothing sent to ORCID"
    );
    assert_eq!(
        app.mock.token_requests(),
        tokens_before,
        "not even a token refresh"
    );

    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Draft);
    assert_eq!((job.rows_total, job.rows_invalid), (12, 10));
    let counts = app.state.store.job_counts(id).await.unwrap();
    assert_eq!(counts.pending, 2);
    let items = app.state.store.job_items(id, None, 0, 100).await.unwrap();
    assert_eq!(items.iter().map(|i| i.line).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(
        items[0].identity,
        vec![("doi".to_string(), "10.5555/good.1".to_string())]
    );
    let work: serde_json::Value = serde_json::from_str(&items[1].payload).unwrap();
    assert_eq!(work["type"], "book");
    assert_eq!(work["short-description"], "A book");

    let errors = app.state.store.row_errors(id).await.unwrap();
    let found = |line: i64, column: &str, needle: &str| {
        assert!(
            errors
                .iter()
                .any(|e| e.line == line && e.column == column && e.message.contains(needle)),
            "no finding at line {line}, column {column}, with {needle:?}: {errors:#?}"
        );
    };
    found(1, "notes", "Unknown column “notes”: ignored");
    found(4, "orcid", "wrong check digit");
    found(5, "type", "“poem” is not an ORCID work type");
    found(6, "day", "That month has 28 days");
    found(7, "doi", "No identifier");
    found(8, "doi", "does not look like a valid DOI");
    found(9, "orcid", "has not connected their ORCID iD");
    found(10, "orcid", "/activities/update");
    found(11, "orcid", "revoked idlink's access");
    found(12, "orcid", "disconnected their ORCID iD");
    found(13, "doi", "Duplicate of line 2");

    // The report on the draft's page.
    let (status, html) = app.get_text(&s.staff, &format!("/admin/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 of 12 rows can be sent"), "{html}");
    assert!(html.contains("is not an ORCID work type"));
    assert!(html.contains(
        "<td class=\"num\" data-label=\"Line\">13</td><td data-label=\"Column\"><code>doi</code></td>"
    ));
    assert!(html.contains("Start the job with the 2 valid rows"));
    assert!(html.contains("Push again anyway"));
    assert!(html.contains("fix the file and upload again"));

    // The report as CSV, from the page's form.
    let page = format!("/admin/jobs/{id}");
    let res = app
        .post_form(&s.staff, &page, &format!("{page}/errors.csv"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let report = res.text().await.unwrap();
    assert!(report.starts_with("line,column,message\n"));
    assert_eq!(report.lines().count(), errors.len() + 1);

    // The upload is in the audit log, by the staff member.
    let audit = app
        .state
        .store
        .audit_for(&OrcidId::parse(STAFF).unwrap(), 50)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|a| a.action == "job.upload"
            && a.outcome == "ok"
            && a.detail
                .as_deref()
                .is_some_and(|d| d.contains("12 rows, 2 valid, 10 refused"))),
        "{audit:#?}"
    );
}

#[tokio::test]
async fn malformed_files_get_a_clear_page_and_no_job() {
    let s = setup().await;
    let (app, staff) = (&s.app, &s.staff);
    let sent_before = app.mock.member_api_requests();
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "photo.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "This is not a CSV file",
        ),
        (
            "book.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "spreadsheet workbook",
        ),
        (
            "latin1.csv",
            latin1_on_line_3(&s.ada),
            StatusCode::UNPROCESSABLE_ENTITY,
            "line 3 holds characters in another encoding",
        ),
        (
            "empty.csv",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The file is empty",
        ),
        (
            "header.csv",
            format!("{HEADER}\n").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "header row but no works",
        ),
        (
            "columns.csv",
            b"orcid,name,kind\n0000-0002-1825-0097,A,book\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "has no column “title”, “type”",
        ),
        (
            "semicolons.csv",
            b"orcid;title;type\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "separated by “;”",
        ),
    ];
    for (name, bytes, status, needle) in cases {
        let res = upload(app, staff, name, &bytes).await;
        assert_eq!(res.status(), status, "{name}");
        let html = res.text().await.unwrap();
        assert!(html.contains(needle), "{name}: no {needle:?} in {html}");
        assert!(
            html.contains("Nothing was saved and nothing was sent to ORCID"),
            "{name}"
        );
    }

    // 50 MB: read to the end and answered with the limit, not a reset.
    let mut big = format!("{HEADER}\n").into_bytes();
    let row = format!("{},A title,book,,,,,,10.5555/big,,,\n", s.ada);
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(row.as_bytes());
    }
    let res = upload(app, staff, "big.csv", &big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = res.text().await.unwrap();
    assert!(html.contains("larger than 20 MB"), "{html}");

    // No file chosen.
    let res = upload(app, staff, "", b"").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("Choose the CSV file"));

    // Not multipart at all.
    let res = app
        .post_fields(staff, "/admin/jobs", &[("csrf", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The server is fine and no job was made.
    let (status, html) = app.get_text(staff, "/admin/jobs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No uploads yet"));
    assert!(app.state.store.recent_jobs(10).await.unwrap().is_empty());
    assert_eq!(app.mock.member_api_requests(), sent_before);
}

#[tokio::test]
async fn an_upload_without_the_right_csrf_token_is_refused() {
    let s = setup().await;
    let body = csv(&[format!("{},T,book,,,,,,10.5555/c,,,", s.ada)]);
    let (content_type, bytes) = multipart("forged", "works.csv", body.as_bytes());
    let res = s
        .staff
        .post(s.app.url("/admin/jobs"))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(s.app.state.store.recent_jobs(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_draft_is_started_once_and_the_results_and_progress_follow() {
    let s = setup().await;
    let (app, staff) = (&s.app, &s.staff);
    let id = upload_draft(
        app,
        staff,
        &csv(&[
            format!(
                "{},First work,journal-article,2024,,,,,10.5555/run.1,,,",
                s.ada
            ),
            "0000-0002-1825-0098,Refused,book,,,,,,10.5555/run.2,,,".into(),
            format!(
                "{},\"-Second, with a comma\",book,2024,,,,,10.5555/run.3,,,",
                s.ada
            ),
        ]),
    )
    .await;

    // Progress of the draft: everything waiting.
    let p: serde_json::Value = staff
        .get(app.url(&format!("/admin/jobs/{id}/progress.json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["id"], id);
    assert_eq!(p["status"], "draft");
    assert_eq!(p["active"], false);
    assert_eq!(p["total"], 2);
    assert_eq!(p["waiting"], 2);
    assert_eq!(p["completed"], 0);
    for k in [
        "pending",
        "sending",
        "done",
        "already_present",
        "skipped",
        "failed",
        "cancelled",
    ] {
        assert!(p["counts"][k].is_i64(), "counts.{k} in {p}");
    }
    for k in ["status_label", "rate_text", "time_left_text", "summary"] {
        assert!(p[k].is_string(), "{k} in {p}");
    }
    assert!(p["percent"].is_number());

    // Results of the draft: every valid row, waiting.
    let page = format!("/admin/jobs/{id}");
    let res = app
        .post_form(staff, &page, &format!("{page}/results.csv"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let body = res.text().await.unwrap();
    let mut reader = csv_reader(&body);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["line", "orcid", "title", "status", "put_code", "detail"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][..4], ["2", s.ada.as_str(), "First work", "pending"]);
    assert_eq!(
        rows[1][..4],
        ["4", s.ada.as_str(), "'-Second, with a comma", "pending"],
        "a title a spreadsheet could take for a formula is defused"
    );

    // Start: CSRF checked, then draft → queued (the runner may take it further at once).
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/start"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.job(id).await.unwrap().unwrap().status,
        JobStatus::Draft
    );
    let csrf = staff_csrf(app, staff).await;
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/start"),
            &[("csrf", &csrf), ("push_again", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/admin/jobs/{id}"));
    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_ne!(job.status, JobStatus::Draft);
    assert!(job.push_again);
    let (_, html) = app.get_text(staff, &format!("/admin/jobs/{id}")).await;
    assert!(html.contains("Job started"), "{html}");
    assert!(html.contains("id=\"job-progress\""));
    assert!(html.contains("<progress"));
    assert!(html.contains(&idlink::web::assets::url("job.js")));

    // Starting again is refused and changes nothing.
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/start"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(staff, &format!("/admin/jobs/{id}")).await;
    assert!(html.contains("already started"), "{html}");
    assert!(
        app.state.store.job(id).await.unwrap().unwrap().push_again,
        "not re-queued without push again"
    );
    let audit = app
        .state
        .store
        .audit_for(&OrcidId::parse(STAFF).unwrap(), 50)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "job.start" && a.outcome == "ok"));
    assert!(audit
        .iter()
        .any(|a| a.action == "job.start" && a.outcome == "refused"));
    assert!(audit.iter().any(|a| a.action == "job.download_results"));

    let js = staff.get(app.url("/static/job.js")).send().await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
}

/// Two rows with “Café”; the second é is Latin-1 (E9), so line 3 is not UTF-8.
fn latin1_on_line_3(who: &OrcidId) -> Vec<u8> {
    let mut bytes =
        format!("{HEADER}\n{who},Café,book,,,,,,10.5555/a,,,\n{who},Café,book,,,,,,10.5555/b,,,\n")
            .into_bytes();
    let second = bytes
        .windows(2)
        .enumerate()
        .filter(|(_, w)| *w == [0xC3, 0xA9])
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    bytes.splice(second..second + 2, [0xE9]);
    bytes
}

fn csv_reader(body: &str) -> csv::Reader<&[u8]> {
    csv::Reader::from_reader(body.as_bytes())
}

#[tokio::test]
async fn a_job_is_cancelled_after_confirmation() {
    let s = setup().await;
    let (app, staff) = (&s.app, &s.staff);
    let rows: Vec<String> = (0..30)
        .map(|n| format!("{},Work {n},book,,,,,,10.5555/cancel.{n},,,", s.ada))
        .collect();
    let id = upload_draft(app, staff, &csv(&rows)).await;
    // ORCID is down, so the job cannot get far before it is cancelled.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 1_000_000,
    }));
    let csrf = staff_csrf(app, staff).await;
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/start"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (status, html) = app
        .get_text(staff, &format!("/admin/jobs/{id}/cancel"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Cancel job #"), "{html}");
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/cancel"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
    assert!(job.finished_at.is_some());
    let counts = app.state.store.job_counts(id).await.unwrap();
    assert_eq!(counts.pending, 0, "{counts:?}");
    assert!(counts.cancelled > 0, "{counts:?}");
    let (_, html) = app.get_text(staff, &format!("/admin/jobs/{id}")).await;
    assert!(html.contains("The job was cancelled"), "{html}");
    assert!(
        !html.contains("id=\"job-cancel\""),
        "no cancel button on an ended job"
    );
    let cancelled = app
        .state
        .store
        .job_items(id, Some(ItemStatus::Cancelled), 0, 100)
        .await
        .unwrap();
    assert_eq!(cancelled.len() as i64, counts.cancelled);

    // Cancelling again: nothing to cancel.
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{id}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(staff, &format!("/admin/jobs/{id}")).await;
    assert!(html.contains("already ended"), "{html}");
    app.mock.set_fault(None);

    // A draft can be discarded: nothing was ever sent.
    let draft = upload_draft(
        app,
        staff,
        &csv(&[format!("{},D,book,,,,,,10.5555/d,,,", s.ada)]),
    )
    .await;
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{draft}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.job(draft).await.unwrap().unwrap().status,
        JobStatus::Cancelled
    );
    let res = app
        .post_fields(
            staff,
            &format!("/admin/jobs/{draft}/start"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.job(draft).await.unwrap().unwrap().status,
        JobStatus::Cancelled,
        "a discarded draft cannot start"
    );
}

#[tokio::test]
async fn only_staff_reach_any_jobs_route() {
    let s = setup().await;
    let app = &s.app;
    let id = upload_draft(
        app,
        &s.staff,
        &csv(&[format!("{},T,book,,,,,,10.5555/s,,,", s.ada)]),
    )
    .await;

    let researcher = app.browser();
    let who = app.mock.add_researcher("Nora", "Notstaff");
    app.sign_in_as(&researcher, &who, "").await;
    let csrf = app.csrf(&researcher).await;
    for path in [
        "/admin/jobs".to_string(),
        "/admin/jobs/template.csv".into(),
        format!("/admin/jobs/{id}"),
        format!("/admin/jobs/{id}/progress.json"),
        format!("/admin/jobs/{id}/cancel"),
        format!("/admin/jobs/{id}/reconcile"),
        format!("/admin/jobs/{id}/reconcile/{}", s.ada),
    ] {
        let (status, _) = app.get_text(&researcher, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "GET {path}");
    }
    let (content_type, body) = multipart(
        &csrf,
        "works.csv",
        csv(&[format!("{},T,book,,,,,,10.5555/t,,,", s.ada)]).as_bytes(),
    );
    let res = researcher
        .post(app.url("/admin/jobs"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST /admin/jobs");
    for path in [
        format!("/admin/jobs/{id}/start"),
        format!("/admin/jobs/{id}/cancel"),
        format!("/admin/jobs/{id}/results.csv"),
        format!("/admin/jobs/{id}/errors.csv"),
        format!("/admin/jobs/{id}/reconcile.csv"),
    ] {
        let res = app
            .post_fields(&researcher, &path, &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(
        app.state.store.job(id).await.unwrap().unwrap().status,
        JobStatus::Draft
    );
    assert_eq!(app.state.store.recent_jobs(10).await.unwrap().len(), 1);

    // Signed out: sent to the start page.
    let (status, _) = app.get_text(&app.browser(), "/admin/jobs").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Staff get the template, which the upload accepts as it is.
    let res = s
        .staff
        .get(app.url("/admin/jobs/template.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let template = res.text().await.unwrap();
    assert!(template.starts_with(HEADER));
    let (status, _) = app.get_text(&s.staff, "/admin/jobs/not-a-number").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_text(&s.staff, "/admin/jobs/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn audited_downloads_are_posts_and_a_get_changes_nothing() {
    let s = setup().await;
    let app = &s.app;
    let id = upload_draft(
        app,
        &s.staff,
        &csv(&[
            format!("{},T,book,,,,,,10.5555/g,,,", s.ada),
            format!("{},,book,,,,,,10.5555/h,,,", s.ada),
        ]),
    )
    .await;
    let audit_rows = || async {
        app.state
            .store
            .audit_for(&OrcidId::parse(STAFF).unwrap(), 100)
            .await
            .unwrap()
            .len()
    };
    let before = audit_rows().await;
    let downloads = ["results.csv", "errors.csv", "reconcile.csv"];

    // A link or a navigation from another site: refused, and nothing is written.
    for file in downloads {
        let (status, _) = app
            .get_text(&s.staff, &format!("/admin/jobs/{id}/{file}"))
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "GET {file}");
        let res = app
            .post_fields(&s.staff, &format!("/admin/jobs/{id}/{file}"), &[])
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "POST {file} without a token"
        );
    }
    assert_eq!(
        audit_rows().await,
        before,
        "no audit row without a real form"
    );

    // The pages' forms carry the token: each download is one audit row.
    let page = format!("/admin/jobs/{id}");
    let html = app.get_text(&s.staff, &page).await.1;
    assert!(
        html.contains(&format!("action=\"{page}/errors.csv\"")),
        "{html}"
    );
    for file in downloads {
        let res = app
            .post_form(&s.staff, &page, &format!("{page}/{file}"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::OK, "POST {file}");
        assert!(res.text().await.unwrap().contains(','), "{file}");
    }
    assert_eq!(audit_rows().await, before + downloads.len());
}

#[tokio::test]
async fn a_formula_in_a_text_column_is_refused_and_never_queued() {
    let s = setup().await;
    let app = &s.app;
    let id = upload_draft(
        app,
        &s.staff,
        &csv(&[
            format!(
                "{},\"=HYPERLINK(\"\"http://example.org\"\",\"\"x\"\")\",book,,,,,,10.5555/f.1,,,",
                s.ada
            ),
            format!("{},Deep sea,book,,,,J,,10.5555/f.2,,,@SUM(A1)", s.ada),
            format!("{},-omics of the deep sea,book,,,,,,10.5555/f.3,,,", s.ada),
        ]),
    )
    .await;

    let items = app.state.store.job_items(id, None, 0, 10).await.unwrap();
    assert_eq!(items.len(), 1, "only the -omics title can be sent");
    assert_eq!(items[0].title, "-omics of the deep sea");
    let errors = app.state.store.row_errors(id).await.unwrap();
    let at: Vec<(i64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(at, [(2, "title"), (3, "short_description")]);
    assert!(errors[0].message.contains("spreadsheet formula"));
    let (_, html) = app.get_text(&s.staff, &format!("/admin/jobs/{id}")).await;
    assert!(html.contains("starts like a spreadsheet formula"), "{html}");
}
