//! Steps the affiliation tests share: idlink with the demo researcher (whose record holds
//! other sources' affiliations) signed in, one affiliation's article on /me, and the
//! audit log's actions for a researcher.

use orcid::OrcidId;
use orcid_sim::SOFIA_GARCIA_ORCID;
use reqwest::Client;

use crate::common::TestApp;

/// A fresh idlink, and a browser signed in as the demo researcher Sofia Garcia.
pub async fn sofia_signed_in() -> (TestApp, Client, OrcidId) {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let sofia = OrcidId::parse(SOFIA_GARCIA_ORCID).unwrap();
    app.sign_in_as(&client, &sofia, "").await;
    (app, client, sofia)
}

/// The `<article>` on the page for one affiliation.
#[track_caller]
pub fn article(html: &str, put_code: i64) -> &str {
    let marker = format!("data-affiliation-put-code=\"{put_code}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("affiliation {put_code} is not on the page:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</article>").expect("the article ends")]
}

/// The actions of `who`'s last ten audit entries, newest first.
pub async fn audit_actions(app: &TestApp, who: &OrcidId) -> Vec<&'static str> {
    app.state
        .store
        .audit_for(who, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action.as_str())
        .collect()
}
