//! A researcher adds their employment at the institution in a real browser and sees it
//! on /me as the institution's.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::common::TestApp;

#[tokio::test]
async fn researcher_adds_their_employment_and_sees_it_on_me() {
    let app = TestApp::spawn().await;
    let who = app.mock.add_researcher("Beatrice", "Tinsley");
    let b = Browser::start().await;
    b.connect_as(&app.base, who.as_str()).await;
    b.wait_for(Locator::Id("affiliations")).await;

    b.click(Locator::LinkText("Add my employment at Example University"))
        .await;
    b.wait_for(Locator::Id("role_title")).await;
    assert!(b.text_of("main").await.contains("Wellington, NZ"));

    // A start year ORCID would refuse: the message names the field, the rest is kept.
    b.fill("department", "Department of Physics").await;
    b.fill("role_title", "Lecturer").await;
    b.fill("start_year", "1850").await;
    b.choose("start_month", "03").await;
    b.click(Locator::Css(".actions button.primary")).await;
    b.wait_for(Locator::Css(".field-error")).await;
    let body = b.text_of("main").await;
    assert!(
        body.contains("Start date: the year must be between 1900 and 2100."),
        "{body}"
    );
    let kept = b.value_of("role_title").await;
    assert_eq!(kept.as_deref(), Some("Lecturer"));
    b.snapshot("affiliation-form-errors").await;

    b.fill("start_year", "2021").await;
    b.click(Locator::Css(".actions button.primary")).await;
    b.wait_for(Locator::Css(".alert.ok")).await;
    let section = b.text_of("#affiliations").await;
    assert!(
        section.contains("Lecturer, Example University"),
        "{section}"
    );
    assert!(section.contains("from Your institution"));
    assert!(section.contains("Department of Physics"));
    assert!(section.contains("2021-03 to present"));
    assert!(b
        .text_of("main")
        .await
        .contains("Your employment at Example University was added to your ORCID record."));
    b.snapshot("affiliation-added").await;
    assert_eq!(app.mock.affiliations_of(&who).len(), 1);
    b.close().await;
}
