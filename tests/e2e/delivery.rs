//! How pages and files reach the browser: compressed when it accepts it, static files
//! under hashed names cached for a year, and idlink's own page for an unknown address.
//! Plain HTTP, no browser: these are what Chromium relies on in the other tests.

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;

use crate::common::TestApp;
use idlink::web::assets::{self, URLS};

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_in(&client).await;

    let plain = client.get(app.url("/me")).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain = plain.bytes().await.unwrap();

    let gzip = client
        .get(app.url("/me"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.status(), StatusCode::OK);
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(
        gzip.headers()[CACHE_CONTROL],
        "no-store",
        "still never cached"
    );
    let body = gzip.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(body.len() < plain.len(), "{} < {}", body.len(), plain.len());

    let br = client
        .get(app.url(&URLS.css))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn static_files_have_hashed_names_and_are_cached_for_a_year() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"{}\"", URLS.css)), "{html}");
    assert!(URLS.css.starts_with("/static/idlink.") && URLS.css != "/static/idlink.css");

    for (url, kind) in [
        (&URLS.css, "text/css"),
        (&URLS.id_icon, "image/svg+xml"),
        (&URLS.job_js, "javascript"),
        (&URLS.form_js, "javascript"),
    ] {
        let res = client.get(app.url(url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert!(
            res.headers()[CONTENT_TYPE].to_str().unwrap().contains(kind),
            "{url}"
        );
        assert_eq!(
            res.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }

    // The plain name still answers, briefly cached; an old hash does not.
    let plain = client
        .get(app.url("/static/idlink.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers()[CACHE_CONTROL], "public, max-age=3600");
    let old = client
        .get(app.url("/static/idlink.000000000000.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    assert_eq!(assets::url("idlink.css"), URLS.css);
}

#[tokio::test]
async fn unknown_addresses_get_the_apps_own_404_page_with_the_account_links() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let res = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("href=\"#main\""), "the skip link");
    assert!(!html.contains("Sign out"), "nobody is signed in");

    app.sign_in(&client).await;
    let html = client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Page not found"));
    assert!(
        html.contains("Sign out"),
        "signed in: the account links stay"
    );
    assert!(html.contains("action=\"/signout\""));
}
