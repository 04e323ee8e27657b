//! Real-browser tests: what a researcher does, clicked in headless Chromium, every page
//! checked by axe-core, and how pages and files are delivered to the browser.

mod a11y;
mod affiliations;
mod browser;
mod bulk;
mod bulk_affiliations;
#[path = "../common/mod.rs"]
mod common;
mod delivery;
mod grant_health;
mod invite;
mod staff;

use browser::Browser;
use common::TestApp;
use fantoccini::Locator;

#[tokio::test]
async fn researcher_connects_by_clicking_through() {
    let app = TestApp::spawn().await;
    let who = app.mock.add_researcher("Katherine", "Johnson");
    let b = Browser::start().await;
    b.client.goto(&app.url("/")).await.unwrap();
    assert!(b.text_of("body").await.contains("simulated ORCID"));
    b.click(Locator::LinkText("Connect your ORCID iD")).await;

    // At the simulated ORCID: pick the researcher, authorize.
    b.wait_for(Locator::Css("form button[value=authorize]"))
        .await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/oauth/authorize"));
    b.authorize_as(who.as_str()).await;

    // Back at idlink, on /me, with the iD shown the way ORCID asks.
    b.client
        .wait()
        .for_url(url::Url::parse(&app.url("/me")).unwrap())
        .await
        .unwrap();
    let body = b.text_of("main").await;
    assert!(body.contains("Katherine Johnson"), "{body}");
    let link = b.client.find(Locator::Css(".orcid-id a")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    assert_eq!(href, format!("{}/mock-orcid/{who}", app.base));
    assert!(link.text().await.unwrap().contains(who.as_str()));
    assert!(body.contains("add and update works"));
    b.snapshot("me").await;
    b.close().await;
}

#[tokio::test]
async fn researcher_denies_and_is_told_nothing_was_shared() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.click(Locator::LinkText("Connect your ORCID iD")).await;
    b.wait_for(Locator::Css("button[value=deny]")).await;
    b.click_through("button[value=deny]", "main h1").await;
    let body = b.text_of("main").await;
    assert!(body.contains("Nothing was shared"), "{body}");
    b.snapshot("denied").await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/orcid/callback"));
    assert_eq!(app.mock.token_requests(), 0);
    // It offers to try again, with fewer permissions too.
    b.client
        .find(Locator::LinkText("Share only your iD"))
        .await
        .unwrap();
    b.close().await;
}

#[tokio::test]
async fn researcher_adds_edits_and_deletes_a_work() {
    let app = TestApp::spawn().await;
    let who = app.mock.add_researcher("Dorothy", "Hodgkin");
    let b = Browser::start().await;
    b.connect_as(&app.base, who.as_str()).await;
    b.wait_for(Locator::Id("works")).await;

    // An invalid form: field messages, and what was typed is kept.
    b.click(Locator::LinkText("Add a work")).await;
    b.wait_for(Locator::Id("title")).await;
    b.fill("journal_title", "Acta Crystallographica").await;
    b.fill("id_value_0", "not a doi").await;
    b.choose("id_type_0", "doi").await;
    b.click(Locator::Css(".actions button.primary")).await;
    b.wait_for(Locator::Css(".field-error")).await;
    let body = b.text_of("main").await;
    assert!(body.contains("Enter the title of the work."), "{body}");
    assert!(body.contains("Choose the type of work."));
    assert!(body.contains("does not look like a valid DOI"));
    let kept = b.value_of("journal_title").await;
    assert_eq!(kept.as_deref(), Some("Acta Crystallographica"));
    b.snapshot("work-form-errors").await;

    // Fix it and add.
    b.fill("title", "The structure of penicillin").await;
    b.choose("type", "journal-article").await;
    b.fill("year", "1949").await;
    b.fill("id_value_0", "https://doi.org/10.5555/Penicillin.1949")
        .await;
    b.click(Locator::Css(".actions button.primary")).await;
    b.wait_for(Locator::Css(".alert.ok")).await;
    let body = b.text_of("main").await;
    assert!(body.contains("was added to your ORCID record"), "{body}");
    assert!(body.contains("The structure of penicillin"));
    assert!(body.contains("10.5555/penicillin.1949"));
    b.snapshot("work-added").await;

    // Edit it.
    b.click(Locator::LinkText("Edit")).await;
    b.wait_for(Locator::Id("title")).await;
    b.fill(
        "title",
        "The X-ray crystallographic structure of penicillin",
    )
    .await;
    b.click(Locator::Css(".actions button.primary")).await;
    b.wait_for(Locator::Css(".alert.ok")).await;
    assert!(b
        .text_of("main")
        .await
        .contains("The X-ray crystallographic structure of penicillin"));

    // Delete it, confirming.
    b.click(Locator::LinkText("Delete")).await;
    b.wait_for(Locator::Css("button.danger")).await;
    assert!(b.text_of("main").await.contains("Remove this work"));
    b.click(Locator::Css("button.danger")).await;
    b.wait_for(Locator::Css(".alert.ok")).await;
    let body = b.text_of("main").await;
    assert!(body.contains("was removed"), "{body}");
    assert!(!body.contains("crystallographic structure"));
    assert_eq!(app.mock.works_of(&who), 0);
    b.close().await;
}
