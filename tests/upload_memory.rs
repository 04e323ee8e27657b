//! Uploads are bounded by what they contain, not only by bytes (issue 7): a header of a
//! million columns and a file of too many rows are refused before anything is stored, and
//! two million bad rows keep a bounded report. idlink runs in this process, so its peak
//! resident memory (VmHWM, reset through /proc/self/clear_refs before each upload) is
//! measured here; the figures are in BENCHMARKS.md. One test, so nothing else runs in the
//! process meanwhile.

mod common;

use common::{location, multipart, TestApp};
use orcid::OrcidId;
use reqwest::{Client, StatusCode};

const STAFF: &str = "0000-0002-1825-0097";

/// The most an upload may add to the process's peak memory (before the limits, the
/// million-column header alone took ~700 MB). The file is held twice in this process:
/// the client's body and idlink's copy.
const PEAK_BOUND_MB: u64 = 64;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Uploads `bytes` and returns the answer's status, its body or location, and how far
/// the peak resident memory rose above the resident memory before the upload (MB).
async fn upload(app: &TestApp, staff: &Client, bytes: Vec<u8>) -> (StatusCode, String, u64) {
    let csrf = app.csrf_on(staff, "/admin/jobs").await;
    let (content_type, body) = multipart(&csrf, "works.csv", &bytes);
    drop(bytes);
    // Linux: writing 5 resets the peak (VmHWM) to the current resident size.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    let before = status_kb("VmRSS:");
    let res = staff
        .post(app.url("/admin/jobs"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    let said = if status.is_redirection() {
        location(&res).to_string()
    } else {
        res.text().await.expect("page")
    };
    let grew_mb = status_kb("VmHWM:").saturating_sub(before) / 1024;
    (status, said, grew_mb)
}

async fn staff_app(extra: &[&str]) -> (TestApp, Client) {
    let mut args = vec!["--staff-orcids", STAFF];
    args.extend_from_slice(extra);
    let app = TestApp::spawn_with(&args).await;
    let staff_id = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff_id, "Sam", "Staff");
    let staff = app.browser();
    app.sign_in_as(&staff, &staff_id, "").await;
    (app, staff)
}

async fn jobs(app: &TestApp) -> usize {
    app.state.store.recent_jobs(10).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathological_uploads_are_refused_or_bounded_in_memory() {
    let (app, staff) = staff_app(&[]).await;

    // A 3 MB header of a million columns: refused, nothing stored.
    let mut wide = b"orcid,title,type".to_vec();
    wide.extend(std::iter::repeat_n(b",xy".as_slice(), 1_000_000).flatten());
    wide.extend_from_slice(b"\n0000-0002-1825-0097,T,book\n");
    let (status, page, grew) = upload(&app, &staff, wide).await;
    println!("1M-column header: {status}, peak +{grew} MB");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("more than 64 values"), "{page}");
    assert_eq!(jobs(&app).await, 0, "nothing stored");
    assert!(grew < PEAK_BOUND_MB, "peak +{grew} MB");

    // One row more than the limit: refused, nothing stored; the page states the limits.
    let mut long = b"orcid,title,type\n".to_vec();
    long.extend(std::iter::repeat_n(b"x,,\n".as_slice(), 50_001).flatten());
    let (status, page, grew) = upload(&app, &staff, long).await;
    println!("50,001 rows: {status}, peak +{grew} MB");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("more than 50000 rows"), "{page}");
    assert!(page.contains("50,000 rows and 64 columns"), "{page}");
    assert_eq!(jobs(&app).await, 0, "nothing stored");
    assert!(grew < PEAK_BOUND_MB, "peak +{grew} MB");

    // Two million bad rows (8 MB) where the row limit allows them: a bounded report.
    let (app, staff) = staff_app(&["--upload-max-rows", "2000000"]).await;
    let mut bad = b"orcid,title,type\n".to_vec();
    bad.extend(std::iter::repeat_n(b"x,,\n".as_slice(), 2_000_000).flatten());
    let (status, to, grew) = upload(&app, &staff, bad).await;
    println!("2M bad rows: {status}, peak +{grew} MB");
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    assert!(grew < PEAK_BOUND_MB, "peak +{grew} MB");
    let id: i64 = to
        .trim_start_matches("/admin/jobs/")
        .trim_end_matches("#report")
        .parse()
        .unwrap();
    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_eq!((job.rows_total, job.rows_invalid), (2_000_000, 2_000_000));
    let (kept, total) = app.state.store.row_errors_first(id, 10_000).await.unwrap();
    assert_eq!(
        (kept.len(), total),
        (1000, 1000),
        "findings kept word for word"
    );
    let omitted = app.state.store.findings_omitted(id).await.unwrap();
    let counted: i64 = omitted.iter().map(|(_, n)| n).sum();
    println!("2M bad rows: {counted} findings counted, not kept: {omitted:?}");
    assert!(counted > 2_000_000, "the rest are counted: {omitted:?}");

    // The page and the report file say how many more there are.
    let page = format!("/admin/jobs/{id}");
    let (_, html) = app.get_text(&staff, &page).await;
    assert!(
        html.contains("more rows with a problem in “orcid”"),
        "{html}"
    );
    let res = app
        .post_form(&staff, &page, &format!("{page}/errors.csv"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let report = res.text().await.unwrap();
    assert_eq!(report.lines().count(), 1 + 1000 + omitted.len(), "{report}");
    assert!(report.contains("more rows with a problem in “title”"));
}
