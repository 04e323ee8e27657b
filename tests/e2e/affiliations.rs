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
    b.client
        .wait()
        .for_element(Locator::Id("affiliations"))
        .await
        .unwrap();

    b.client
        .find(Locator::LinkText("Add my employment at Example University"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Id("role_title"))
        .await
        .unwrap();
    assert!(b.text_of("main").await.contains("Wellington, NZ"));

    // A start year ORCID would refuse: the message names the field, the rest is kept.
    b.fill("department", "Department of Physics").await;
    b.fill("role_title", "Lecturer").await;
    b.fill("start_year", "1850").await;
    b.client
        .find(Locator::Id("start_month"))
        .await
        .unwrap()
        .select_by_value("03")
        .await
        .unwrap();
    b.client
        .find(Locator::Css(".actions button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Css(".field-error"))
        .await
        .unwrap();
    let body = b.text_of("main").await;
    assert!(
        body.contains("Start date: the year must be between 1900 and 2100."),
        "{body}"
    );
    let kept = b
        .client
        .find(Locator::Id("role_title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Lecturer"));
    b.snapshot("affiliation-form-errors").await;

    b.fill("start_year", "2021").await;
    b.client
        .find(Locator::Css(".actions button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await
        .unwrap();
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
