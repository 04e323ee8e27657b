//! A staff member's bulk push of affiliations, clicked in headless Chromium: upload the
//! HR list beside the works upload, read the report (with a row waiting for someone who
//! has not connected, whose public name ORCID shows once the page has followed the
//! lookup), start the job and watch it finish.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::staff::{spawn_with_staff, wait_for_job_to_finish};

const HEADER: &str = "orcid,affiliation_type,department,role_title,start_year,start_month,start_day,end_year,end_month,end_day,url,external_id_type,external_id_value";

#[tokio::test]
async fn staff_upload_an_affiliations_csv_start_it_and_see_it_complete() {
    let (app, staff) = spawn_with_staff().await;
    let who = app.mock.add_researcher("Lise", "Meitner");
    app.sign_in_as(&app.browser(), &who, "").await;
    let newcomer = app.mock.add_researcher("Otto", "Frisch");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hr-list.csv");
    let file = format!(
        "{HEADER}\n\
         {who},employment,Physics,Professor,1926,,,1938,,,,,\n\
         {who},education,Physics,,1901,,,1906,,,,,\n\
         {newcomer},employment,Physics,Research Fellow,1934,,,,,,,,\n"
    );
    std::fs::write(&path, file).unwrap();

    let b = Browser::start().await;
    b.connect_as(&app.base, staff.as_str()).await;
    b.client.goto(&app.url("/admin/jobs")).await.unwrap();
    assert!(b
        .text_of("#affiliations")
        .await
        .contains("Download the affiliations template"));
    b.attach("affiliations-file", &path).await;
    b.click(Locator::Id("upload-affiliations")).await;

    b.wait_for(Locator::Id("report")).await;
    // Start is offered once the newcomer's iD has been looked up: the page follows the
    // lookup and reloads by itself.
    b.wait_for(Locator::Id("start-job")).await;
    let lookups = b.text_of("#lookups").await;
    assert!(lookups.contains("Otto Frisch"), "{lookups}");
    assert!(lookups.contains("The iD has been looked up."), "{lookups}");
    let report = b.text_of("#report").await;
    assert!(report.contains("2 of 3 rows can be sent"), "{report}");
    assert!(
        report.contains("1 row is for researchers who have not connected"),
        "{report}"
    );
    b.snapshot("affiliations-report").await;

    b.click(Locator::Id("start-job")).await;
    b.wait_for(Locator::Id("job-progress")).await;
    wait_for_job_to_finish(&b).await;
    // The finished page lists every item's outcome.
    b.client.refresh().await.unwrap();
    let items = b.text_of("#item-table").await;
    assert!(items.contains("Added"), "{items}");
    assert!(
        items.contains("Waiting for the researcher to connect"),
        "{items}"
    );
    b.snapshot("affiliations-finished").await;
    assert_eq!(app.mock.affiliations_of(&who).len(), 2);
    assert!(app.mock.affiliations_of(&newcomer).is_empty());
    b.close().await;
}
