//! How pages and files reach the browser: compressed when it accepts it, static files
//! under hashed names cached for a year, and idlink's own page for an unknown address.
//! Plain HTTP, no browser: these are what Chromium relies on in the other tests.

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;

use std::io::Read;

use flate2::read::GzDecoder;
use orcid::OrcidId;

use crate::common::TestApp;
use idlink::web::assets::{self, URLS};

/// `html` with the value of every `csrf` field blanked.
fn without_csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let mut parts = html.split(marker);
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        out.push_str(marker);
        out.push_str(&part[part.find('"').unwrap_or(0)..]);
    }
    out
}

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_it() {
    // A page worth compressing: the seeded researcher with 1,200 works.
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = OrcidId::parse(orcid_sim::PROLIFIC_AUTHOR_ORCID).unwrap();
    app.sign_in_as(&client, &who, "").await;
    let (status, _) = app.get_text(&client, "/me").await;
    assert_eq!(status, StatusCode::OK, "the first visit syncs the works");

    let plain = client.get(app.url("/me")).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain = plain.bytes().await.unwrap();
    assert!(
        plain.len() > 20_000,
        "a full page of works: {} bytes",
        plain.len()
    );

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
    assert!(
        body.len() * 5 < plain.len(),
        "gzip {} bytes is under a fifth of {}",
        body.len(),
        plain.len()
    );
    let mut unzipped = String::new();
    GzDecoder::new(&body[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    // The same page but for its CSRF tokens, masked afresh on every page.
    let plain = String::from_utf8(plain.to_vec()).unwrap();
    assert_eq!(without_csrf(&unzipped), without_csrf(&plain));
    assert_eq!(unzipped.matches("class=\"work-group\"").count(), 50);

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
