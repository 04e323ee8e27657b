//! Steps the staff-page browser tests share: idlink with one staff member known to the
//! simulated ORCID, and following a bulk job until it finishes.

use std::time::Duration;

use orcid::OrcidId;

use crate::browser::Browser;
use crate::common::{wait_until, TestApp};

pub const STAFF: &str = "0000-0002-1825-0097";

/// idlink with `STAFF` as its one staff member, who exists at the simulated ORCID.
pub async fn spawn_with_staff() -> (TestApp, OrcidId) {
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    (app, staff)
}

/// Waits, on a job's page, until its status says "Finished"; fails with what it says
/// instead.
pub async fn wait_for_job_to_finish(b: &Browser) {
    let finished = wait_until(
        || async move { b.text_of("#job-status").await.contains("Finished") },
        Duration::from_secs(60),
    )
    .await;
    if let Err(e) = finished {
        panic!(
            "the job did not finish ({e}): {}",
            b.text_of("#job-status").await
        );
    }
}
