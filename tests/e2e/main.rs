//! Real-browser tests: what a researcher does, clicked in headless Chromium.

mod browser;
#[path = "../common/mod.rs"]
mod common;

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
    b.client
        .find(Locator::Css(&format!("input[name=orcid][value='{who}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .find(Locator::Css("button[value=authorize]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

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
