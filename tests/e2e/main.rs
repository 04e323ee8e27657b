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
    b.client
        .find(Locator::LinkText("Connect your ORCID iD"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // At the simulated ORCID: pick the researcher, authorize.
    b.client
        .wait()
        .for_element(Locator::Css("form button[value=authorize]"))
        .await
        .unwrap();
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
    b.client
        .find(Locator::LinkText("Connect your ORCID iD"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Css("button[value=deny]"))
        .await
        .unwrap();
    b.client
        .find(Locator::Css("button[value=deny]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
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

async fn choose(b: &Browser, id: &str, value: &str) {
    let el = b.client.find(Locator::Id(id)).await.unwrap();
    el.select_by_value(value).await.unwrap();
}

#[tokio::test]
async fn researcher_adds_edits_and_deletes_a_work() {
    let app = TestApp::spawn().await;
    let who = app.mock.add_researcher("Dorothy", "Hodgkin");
    let b = Browser::start().await;
    b.connect_as(&app.base, who.as_str()).await;
    b.client
        .wait()
        .for_element(Locator::Id("works"))
        .await
        .unwrap();

    // An invalid form: field messages, and what was typed is kept.
    b.client
        .find(Locator::LinkText("Add a work"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Id("title"))
        .await
        .unwrap();
    b.fill("journal_title", "Acta Crystallographica").await;
    b.fill("id_value_0", "not a doi").await;
    choose(&b, "id_type_0", "doi").await;
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
    assert!(body.contains("Enter the title of the work."), "{body}");
    assert!(body.contains("Choose the type of work."));
    assert!(body.contains("does not look like a valid DOI"));
    let kept = b
        .client
        .find(Locator::Id("journal_title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Acta Crystallographica"));
    b.snapshot("work-form-errors").await;

    // Fix it and add.
    b.fill("title", "The structure of penicillin").await;
    choose(&b, "type", "journal-article").await;
    b.fill("year", "1949").await;
    b.fill("id_value_0", "https://doi.org/10.5555/Penicillin.1949")
        .await;
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
    let body = b.text_of("main").await;
    assert!(body.contains("was added to your ORCID record"), "{body}");
    assert!(body.contains("The structure of penicillin"));
    assert!(body.contains("10.5555/penicillin.1949"));
    b.snapshot("work-added").await;

    // Edit it.
    b.client
        .find(Locator::LinkText("Edit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Id("title"))
        .await
        .unwrap();
    b.fill(
        "title",
        "The X-ray crystallographic structure of penicillin",
    )
    .await;
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
    assert!(b
        .text_of("main")
        .await
        .contains("The X-ray crystallographic structure of penicillin"));

    // Delete it, confirming.
    b.client
        .find(Locator::LinkText("Delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .wait()
        .for_element(Locator::Css("button.danger"))
        .await
        .unwrap();
    assert!(b.text_of("main").await.contains("Remove this work"));
    b.client
        .find(Locator::Css("button.danger"))
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
    let body = b.text_of("main").await;
    assert!(body.contains("was removed"), "{body}");
    assert!(!body.contains("crystallographic structure"));
    assert_eq!(app.mock.works_of(&who), 0);
    b.close().await;
}
