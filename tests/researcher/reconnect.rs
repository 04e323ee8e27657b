//! Connecting again: a researcher whose grant lacks a permission, was revoked at ORCID or
//! has expired sees why on their page and a Connect again button; the request asks ORCID
//! for the whole configured set (ORCID issues each token with exactly the scopes asked
//! for), and on return the grant is whole and healthy again.

use idlink::store::{now, GrantHealthRow, GrantState, HealthQuery, NewTokens, TokenStatus};
use orcid::OrcidId;
use reqwest::{Client, StatusCode};

use crate::common::{location, query_param, TestApp};

/// The grant's row on the staff health page.
async fn health_row(app: &TestApp, id: &OrcidId) -> GrantHealthRow {
    let required = orcid::scopes::required(&app.state.settings.scopes);
    let q = HealthQuery {
        required: required.into_iter().map(String::from).collect(),
        at: now(),
        ..Default::default()
    };
    let rows = app
        .state
        .store
        .grant_health_rows(&q, None, 0, 100)
        .await
        .unwrap();
    rows.into_iter().find(|r| r.orcid == *id).expect("a grant")
}

/// Where the grant stands on the staff health page.
async fn state(app: &TestApp, id: &OrcidId) -> GrantState {
    health_row(app, id).await.state
}

async fn me(app: &TestApp, client: &Client) -> String {
    let res = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// The notice's Connect again button, followed to ORCID and back.
async fn connect_again(app: &TestApp, client: &Client, who: &OrcidId, html: &str) -> url::Url {
    let notice = html
        .split("id=\"connect-again\"")
        .nth(1)
        .expect("a connect-again notice");
    let notice = notice.split("</div>").next().unwrap();
    assert!(notice.contains("href=\"/orcid/connect\""), "{notice}");
    assert!(notice.contains("Connect again"));
    let authorize = app.start(client, "").await;
    let callback = app.decide(client, &authorize, who, true).await;
    let res = client.get(callback).send().await.unwrap();
    assert_eq!(location(&res), "/me");
    authorize
}

#[tokio::test]
async fn a_missing_permission_is_asked_for_with_the_whole_set_and_granted() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Sol", "Scope");
    app.sign_in_as(&client, &who, "?access=signin").await;
    assert_eq!(state(&app, &who).await, GrantState::MissingScope);

    let html = me(&app, &client).await;
    assert!(html.contains("lacks a permission"), "{html}");
    let authorize = connect_again(&app, &client, &who, &html).await;
    let asked = query_param(&authorize, "scope").unwrap();
    let asked: Vec<&str> = asked.split(' ').collect();
    for scope in &app.state.settings.scopes {
        assert!(
            asked.contains(&scope.as_str()),
            "{scope} asked for: {asked:?}"
        );
    }

    let grant = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert!(
        grant.scopes().any(|s| s == "/activities/update"),
        "{}",
        grant.scope
    );
    assert_ne!(state(&app, &who).await, GrantState::MissingScope);
    let html = me(&app, &client).await;
    assert!(!html.contains("id=\"connect-again\""), "healthy: no notice");
    let res = app
        .post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        state(&app, &who).await,
        GrantState::Active,
        "used with success"
    );
    assert_eq!(
        app.mock.live_grants(&who, app.state.orcid.client_id()),
        1,
        "the narrower grant was given up at ORCID"
    );
}

#[tokio::test]
async fn a_grant_revoked_at_orcid_is_restored_by_connecting_again() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    app.mock.revoke_all_for(&who, app.state.orcid.client_id());
    let checked = app.state.grants.check_grant(&who, now()).await.unwrap();
    assert_eq!(checked, idlink::grants::CheckOutcome::Revoked);
    assert_eq!(state(&app, &who).await, GrantState::Revoked);

    let html = me(&app, &client).await;
    assert!(html.contains("You revoked"), "{html}");
    connect_again(&app, &client, &who, &html).await;
    let grant = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_eq!(grant.status, TokenStatus::Active);
    assert_eq!(
        state(&app, &who).await,
        GrantState::NeverUsed,
        "a new grant starts afresh"
    );
    me(&app, &client).await;
    assert_eq!(state(&app, &who).await, GrantState::Active);
}

#[tokio::test]
async fn an_expired_grant_is_explained_and_renewed_by_connecting_again() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let t = app.state.store.tokens(&who).await.unwrap().unwrap();
    app.state
        .store
        .update_tokens(
            &who,
            &NewTokens {
                access_token: t.access_token,
                refresh_token: None,
                scope: t.scope,
                expires_at: now() - 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(state(&app, &who).await, GrantState::Expired);

    let html = me(&app, &client).await;
    assert!(html.contains("has expired"), "{html}");
    connect_again(&app, &client, &who, &html).await;
    let grant = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert!(grant.expires_at > now() + 86_400);
    assert_eq!(grant.status, TokenStatus::Active);
    me(&app, &client).await;
    assert_eq!(state(&app, &who).await, GrantState::Active);
}

/// The last successful call is written once a minute per grant at most, not per call.
#[tokio::test]
async fn successful_use_is_recorded_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    me(&app, &client).await;
    let last_success = || async { health_row(&app, &who).await.last_success_at };
    let first = last_success().await.expect("the page's read was recorded");
    assert!(first >= now() - 5);
    // Pretend the record is older; calls within the minute leave it alone.
    let earlier = first - 3600;
    app.state
        .store
        .note_grant_success(&who, earlier, now())
        .await
        .unwrap();
    for _ in 0..3 {
        let res = app
            .post_form(&client, "/me", "/me/works/refresh", &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(last_success().await, Some(earlier));
}
