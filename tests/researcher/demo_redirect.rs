//! Demo mode's simulated ORCID sends codes only to idlink's own callback
//! (PUBLIC_URL + /orcid/callback), as ORCID does for a registered client: the demo
//! client's secret is public, so a code sent anywhere else would become a write token.

use crate::common::{location, query_param, TestApp};
use reqwest::StatusCode;
use url::Url;

/// `authorize` with `redirect_uri` replaced and `extra` parameters added.
fn with_redirect(authorize: &Url, redirect_uri: &str, extra: &[(&str, &str)]) -> Url {
    let mut url = authorize.clone();
    let mut pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "redirect_uri" && !extra.iter().any(|(e, _)| e == k))
        .collect();
    pairs.push(("redirect_uri".into(), redirect_uri.into()));
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url
}

#[tokio::test]
async fn simulated_orcid_redirects_only_to_the_registered_callback() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    // Signed in at the simulated ORCID and already authorized: prompt=none would
    // answer with a code straight away.
    let who = app.sign_in(&client).await;
    let authorize = app.start(&client, "").await;
    let own = app.url("/orcid/callback");
    assert_eq!(query_param(&authorize, "redirect_uri").unwrap(), own);
    let res = client
        .get(with_redirect(&authorize, &own, &[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = Url::parse(location(&res)).unwrap();
    assert!(back.as_str().starts_with(&own), "{back}");
    assert!(query_param(&back, "code").is_some(), "{back}");

    for foreign in [
        "https://attacker.example/orcid/callback".to_string(),
        "http://localhost:1/orcid/callback".to_string(),
        app.url("/me"),
    ] {
        for extra in [&[("prompt", "none")][..], &[]] {
            let res = client
                .get(with_redirect(&authorize, &foreign, extra))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{foreign}");
            assert!(res.headers().get("location").is_none(), "{foreign}");
            let page = res.text().await.unwrap();
            assert!(page.contains("Redirect URI mismatch"), "{foreign}: {page}");
        }
    }
    // The person can still connect through idlink's own callback.
    app.sign_in_as(&client, &who, "").await;
}
