//! One live grant per researcher, never silently narrowed: sign-ins that keep or replace
//! the stored grant, revocation at ORCID (now, or retried by the revoker and shown to
//! staff), disconnect, and refreshes that never mistake a race or an expired access
//! token for a revoked grant.

use std::time::Duration;

use secrecy::ExposeSecret;

use crate::common::{ok, wait_until, TestApp};
use idlink::store::{StoredTokens, TokenStatus};
use orcid::OrcidId;
use orcid_sim::{Fault, DEMO_CLIENT_ID};
use reqwest::StatusCode;

const STAFF: &str = "0000-0002-1825-0097";
const FULL: &str = "openid /read-limited /activities/update";

async fn stored(app: &TestApp, who: &OrcidId) -> StoredTokens {
    app.state
        .store
        .tokens(who)
        .await
        .unwrap()
        .expect("a stored grant")
}

fn token(t: &StoredTokens) -> String {
    t.access_token.expose_secret().to_owned()
}

async fn to_revoke(app: &TestApp) -> i64 {
    app.state.store.revocation_backlog().await.unwrap().count
}

#[tokio::test]
async fn a_narrower_sign_in_keeps_the_grant_and_revokes_the_new_token() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let before = stored(&app, &who).await;

    app.sign_in_as(&client, &who, "?access=signin").await;

    let after = stored(&app, &who).await;
    assert_eq!(token(&after), token(&before), "the stored grant is kept");
    assert_eq!(after.scope, before.scope);
    let revoked = app.mock.revoke_requests();
    assert_eq!(revoked.len(), 1, "the narrower token is revoked at once");
    assert_ne!(revoked[0], token(&before));
    assert!(!app.mock.is_access_token_active(&revoked[0]));
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 1);
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("add and update works"), "{me}");
}

#[tokio::test]
async fn a_wider_sign_in_replaces_the_grant_and_revokes_the_old_one() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Ada", "Lovelace");
    app.sign_in_as(&client, &who, "?access=signin").await;
    let narrow = stored(&app, &who).await;

    app.sign_in_as(&client, &who, "").await;

    let wide = stored(&app, &who).await;
    assert_ne!(token(&wide), token(&narrow));
    assert_eq!(wide.scopes().count(), FULL.split(' ').count());
    assert_eq!(app.mock.revoke_requests(), vec![token(&narrow)]);
    assert!(app.mock.is_access_token_active(&token(&wide)));
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 1);
}

#[tokio::test]
async fn a_failed_revoke_is_retried_in_the_background_and_shown_to_staff() {
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF, "--revoke-retry-secs", "1"]).await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    let staff_client = app.browser();
    app.sign_in_as(&staff_client, &staff, "").await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let old = stored(&app, &who).await;

    app.mock.set_fault(Some(Fault::RevokeStatus(500)));
    // The sign-in goes on although ORCID refuses the revocation.
    app.sign_in_as(&client, &who, "").await;
    assert_ne!(token(&stored(&app, &who).await), token(&old));
    assert_eq!(to_revoke(&app).await, 1);
    let dashboard = ok(app.get_text(&staff_client, "/admin").await);
    assert!(dashboard.contains("Access still to revoke"), "{dashboard}");
    assert!(
        dashboard.contains("<strong>1</strong> grant of 1 researcher"),
        "{dashboard}"
    );
    assert!(app.mock.is_access_token_active(&token(&old)));

    app.mock.set_fault(None);
    wait_until(
        || async { to_revoke(&app).await == 0 },
        Duration::from_secs(20),
    )
    .await
    .expect("the revoker revokes the queued grant");
    assert!(!app.mock.is_access_token_active(&token(&old)));
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 1);
    let dashboard = ok(app.get_text(&staff_client, "/admin").await);
    assert!(
        dashboard.contains("<strong>0</strong> grants"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn disconnect_revokes_every_grant_idlink_holds() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    // A replaced grant whose revocation is still queued, and a narrower sign-in.
    app.mock.set_fault(Some(Fault::RevokeStatus(500)));
    app.sign_in_as(&client, &who, "").await;
    app.mock.set_fault(None);
    app.sign_in_as(&client, &who, "?access=signin").await;
    assert_eq!(to_revoke(&app).await, 1);
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 2);

    let res = app.post_form(&client, "/me", "/me/disconnect", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("revoked its access at ORCID"), "{html}");
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 0);
    assert_eq!(to_revoke(&app).await, 0);
}

#[tokio::test]
async fn disconnect_while_orcid_is_down_says_so_and_revokes_later() {
    let app = TestApp::spawn_with(&["--revoke-retry-secs", "1"]).await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    app.mock.set_fault(Some(Fault::RevokeStatus(503)));

    let res = app.post_form(&client, "/me", "/me/disconnect", &[]).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("could not reach ORCID"), "{html}");
    assert!(html.contains("keep trying"), "{html}");
    assert!(app.state.store.tokens(&who).await.unwrap().is_none());
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 1);

    app.mock.set_fault(None);
    wait_until(
        || async { app.mock.live_grants(&who, DEMO_CLIENT_ID) == 0 },
        Duration::from_secs(20),
    )
    .await
    .expect("the revoker revokes it once ORCID answers");
    assert_eq!(to_revoke(&app).await, 0);
}

#[tokio::test]
async fn three_concurrent_refreshes_of_an_expired_token_keep_the_grant() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    // Opening /me starts a background read of the works; let it finish first.
    let csrf = app.csrf(&client).await;
    wait_until(
        || async { app.state.store.sync_status(&who).await.unwrap().is_some() },
        Duration::from_secs(20),
    )
    .await
    .expect("the first read of the works");
    let old = stored(&app, &who).await;
    app.lapse_stored_token(&who).await;
    let before = app.mock.refresh_grants();

    let post = || {
        client
            .post(app.url("/me/works/refresh"))
            .form(&[("csrf", csrf.as_str())])
            .send()
    };
    let (a, b, c) = tokio::join!(post(), post(), post());
    for res in [a, b, c] {
        assert_eq!(res.unwrap().status(), StatusCode::SEE_OTHER);
    }

    let now = stored(&app, &who).await;
    assert_eq!(now.status, TokenStatus::Active);
    assert_ne!(token(&now), token(&old));
    assert!(app.mock.is_access_token_active(&token(&now)));
    assert_eq!(
        app.mock.refresh_grants(),
        before + 1,
        "one refresh for all three"
    );
    assert_eq!(app.mock.live_grants(&who, DEMO_CLIENT_ID), 1);
    let me = ok(app.get_text(&client, "/me").await);
    assert!(!me.contains("revoked"), "{me}");
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_not_taken_for_revoked() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let old = stored(&app, &who).await;
    // ORCID answers 401 invalid_token; idlink still thinks the token is valid.
    app.mock.expire_access_token(&token(&old));
    let before = app.mock.refresh_grants();

    let res = app
        .post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        app.mock.refresh_grants(),
        before + 1,
        "a refresh_token grant was sent"
    );
    let now = stored(&app, &who).await;
    assert_eq!(now.status, TokenStatus::Active);
    assert_ne!(token(&now), token(&old));
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("up to date with ORCID"), "{me}");
    assert!(!me.contains("You revoked idlink"), "{me}");
}
