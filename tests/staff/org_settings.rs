//! The institution as an ORCID organisation: staff are told which setting affiliation
//! writes still wait for.

use orcid::OrcidId;
use orcid_sim::SOFIA_GARCIA_ORCID;

use crate::common::{ok, TestApp};

#[tokio::test]
async fn the_dashboard_names_the_missing_organisation_settings() {
    // A place given, so demo mode does not fill in its institution.
    let app = TestApp::spawn_with(&["--org-city", "Dunedin"]).await;
    let client = app.browser();
    app.sign_in_as(&client, &OrcidId::parse(SOFIA_GARCIA_ORCID).unwrap(), "")
        .await;

    let html = ok(app.get_text(&client, "/admin").await);

    assert!(html.contains("id=\"org-settings\""), "{html}");
    assert!(
        html.contains("ORG_COUNTRY, ORG_ROR or ORG_RINGGOLD are set"),
        "{html}"
    );
    assert!(!html.contains("ORG_CITY"), "the city is set");
}

#[tokio::test]
async fn a_complete_organisation_needs_no_notice() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_in_as(&client, &OrcidId::parse(SOFIA_GARCIA_ORCID).unwrap(), "")
        .await;

    let html = ok(app.get_text(&client, "/admin").await);

    assert!(
        !html.contains("id=\"org-settings\""),
        "demo values are complete"
    );
}
