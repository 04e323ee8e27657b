//! Set-up the bulk-push runner tests share: idlink with one staff member, researchers who
//! connected, and a job stored and started directly, then waited on until it finishes.

use std::time::Duration;

use crate::common::{wait_for, wait_until, TestApp};
use idlink::store::{DraftReport, ItemStatus, JobCounts, JobItem, JobKind, JobStatus, NewJobItem};
use orcid::OrcidId;
use reqwest::Client;

pub const STAFF: &str = "0000-0002-1825-0097";

pub fn staff() -> OrcidId {
    OrcidId::parse(STAFF).unwrap()
}

pub async fn app() -> TestApp {
    TestApp::spawn_with(&["--staff-orcids", STAFF]).await
}

/// A browser signed in as the staff member.
pub async fn staff_browser(app: &TestApp) -> Client {
    app.mock.add_researcher_with_id(&staff(), "Sam", "Staff");
    let client = app.browser();
    app.sign_in_as(&client, &staff(), "").await;
    client
}

/// `n` researchers who connected with the default permissions.
pub async fn researchers(app: &TestApp, n: usize) -> Vec<OrcidId> {
    let mut out = Vec::new();
    for i in 0..n {
        let who = app.mock.add_researcher("Test", &format!("Researcher {i}"));
        app.sign_in_as(&app.browser(), &who, "").await;
        out.push(who);
    }
    out
}

/// Saves the items as a draft job of `kind`, starts it and wakes the runner.
pub async fn start(app: &TestApp, kind: JobKind, items: &[NewJobItem], push_again: bool) -> i64 {
    let store = &app.state.store;
    let file = match kind {
        JobKind::Works => "works.csv",
        JobKind::Affiliations => "hr.csv",
    };
    let report = DraftReport {
        rows_total: items.len() as i64,
        ..DraftReport::default()
    };
    let id = store
        .create_draft(&staff(), kind, file, report, items, &[])
        .await
        .unwrap();
    assert!(store.start_job(id, push_again).await.unwrap());
    app.state.runner.wake();
    id
}

/// Waits until every iD of upload `id` has been looked up on ORCID.
pub async fn lookups_done(app: &TestApp, id: i64) {
    let store = &app.state.store;
    wait_until(
        || async move { store.job_lookup_counts(id).await.unwrap().pending == 0 },
        Duration::from_secs(60),
    )
    .await
    .expect("the upload's iDs are looked up");
}

/// Kills the runner while requests are in flight, after some progress; the job's counts
/// then. The runner is started again by the caller.
pub async fn kill_mid_way(app: &mut TestApp, id: i64) -> JobCounts {
    let store = &app.state.store;
    let progress = wait_until(
        || async move {
            let c = store.job_counts(id).await.unwrap();
            c.sending > 0 && c.done > 0
        },
        Duration::from_secs(60),
    )
    .await;
    if progress.is_err() {
        panic!("no progress: {:?}", store.job_counts(id).await.unwrap());
    }
    app.runner.abort();
    let _ = (&mut app.runner).await;
    app.state.store.job_counts(id).await.unwrap()
}

/// Waits for the job to finish; its items.
pub async fn finished(app: &TestApp, id: i64) -> Vec<JobItem> {
    let store = &app.state.store;
    let finished = wait_for(
        || async move {
            let job = store.job(id).await.unwrap().unwrap();
            (job.status == JobStatus::Finished).then_some(job)
        },
        Duration::from_secs(120),
    )
    .await;
    let Ok(job) = finished else {
        panic!(
            "job {id} did not finish: {:?}",
            store.job_counts(id).await.unwrap()
        );
    };
    assert!(job.finished_at.is_some());
    all_items(app, id).await
}

pub async fn all_items(app: &TestApp, id: i64) -> Vec<JobItem> {
    app.state
        .store
        .job_items(id, None, 0, 1_000_000)
        .await
        .unwrap()
}

/// Waits until every item of the job has `status` and the job is finished again.
pub async fn finished_with(app: &TestApp, id: i64, status: ItemStatus) -> Vec<JobItem> {
    let store = &app.state.store;
    let reached = wait_until(
        || async move {
            let job = store.job(id).await.unwrap().unwrap();
            let c = store.job_counts(id).await.unwrap();
            job.status == JobStatus::Finished && c.get(status) == c.total()
        },
        Duration::from_secs(60),
    )
    .await;
    let got = all_items(app, id).await;
    assert!(reached.is_ok(), "items: {got:?}");
    got
}
