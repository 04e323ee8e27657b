//! Demo mode has a staff member with no settings: the simulated researcher the landing
//! page names, so a first run shows the staff half of the product.

use idlink::config::{DEMO_STAFF_NAME, DEMO_STAFF_ORCID};
use orcid::OrcidId;
use reqwest::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn in_demo_mode_the_researcher_the_landing_page_names_is_staff() {
    // Demo mode with STAFF_ORCIDS empty.
    let app = TestApp::spawn().await;
    assert!(app.state.settings.staff.listed.is_empty());
    let (status, landing) = app.get_text(&app.browser(), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        landing.contains(DEMO_STAFF_NAME) && landing.contains(DEMO_STAFF_ORCID),
        "{landing}"
    );

    // One of the simulated ORCID's seeded researchers: nobody has to create them.
    let demo: OrcidId = DEMO_STAFF_ORCID.parse().unwrap();
    let client = app.browser();
    app.sign_in_as(&client, &demo, "").await;
    let (status, html) = app.get_text(&client, "/admin").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(DEMO_STAFF_NAME), "{html}");
    let (status, html) = app.get_text(&client, "/admin/jobs").await;
    assert_eq!(status, StatusCode::OK, "the bulk push page: {html}");

    // Anyone else is still a researcher only.
    let other = app.browser();
    app.sign_in(&other).await;
    let (status, _) = app.get_text(&other, "/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
