//! Recovery after a stop between storing sent invitations and queuing their messages:
//! each person left without a message gets one, once, with a link that works.

use idlink::store::{now, GrantState, NewReconsent};
use orcid::OrcidId;
use reqwest::StatusCode;

use crate::invitations::{link_in, Harness};

const DAY: i64 = 24 * 60 * 60;

/// Moves every invitation's sending an hour into the past.
async fn an_hour_ago(h: &Harness) {
    sqlx::query("UPDATE invitations SET invited_at = invited_at - 3600")
        .execute(&h.db().await)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invitation_left_without_its_message_by_a_stop_is_mailed_once_later() {
    let h = Harness::start(&[]).await;
    let batch = h
        .check_person(&[("email", "cut@example.org"), ("given_names", "Cut")])
        .await;
    let batch_id: i64 = batch.rsplit('/').next().unwrap().parse().unwrap();
    // What a stop right after Send leaves: the batch marked sent, its link stored, and no
    // message queued.
    let store = &h.app.state.store;
    let people = store.batch_invitations(batch_id, 10).await.unwrap();
    assert_eq!(people.len(), 1);
    let expires = now() + 30 * DAY;
    assert!(store
        .send_invitation_batch(batch_id, expires, &[(people[0].id, [7u8; 32])])
        .await
        .unwrap());
    let invitations = &h.app.state.invitations;
    assert_eq!(
        invitations.queue_unmailed().await.unwrap(),
        0,
        "a Send still queuing is left to finish"
    );
    an_hour_ago(&h).await;
    assert_eq!(invitations.queue_unmailed().await.unwrap(), 1);
    assert_eq!(invitations.queue_unmailed().await.unwrap(), 0, "only once");
    let text = h.message(1).await;
    let link = link_in(&text, &h.app.base);
    let res = h.app.browser().get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Cut"));
    assert_eq!(h.smtp.received().len(), 1);
}

#[tokio::test]
async fn a_re_consent_left_without_its_message_by_a_stop_is_mailed_once_later() {
    let h = Harness::start(&[]).await;
    let store = &h.app.state.store;
    let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let person = OrcidId::parse("0000-0002-9079-593X").unwrap();
    // What a stop right after storing a re-consent batch leaves: no message queued.
    let stored = store
        .create_reconsent_batch(
            &staff,
            &[NewReconsent {
                orcid: person,
                name: "Lapsed Grant".into(),
                email: "lapsed@example.org".into(),
                state: GrantState::Revoked,
                link_hash: [9u8; 32],
            }],
            now() + 30 * DAY,
            now() - 60,
        )
        .await
        .unwrap();
    assert!(stored.is_some());
    let invitations = &h.app.state.invitations;
    assert_eq!(invitations.queue_unmailed().await.unwrap(), 0, "too soon");
    an_hour_ago(&h).await;
    assert_eq!(invitations.queue_unmailed().await.unwrap(), 1);
    assert_eq!(invitations.queue_unmailed().await.unwrap(), 0, "only once");
    let text = h.message(1).await;
    assert!(text.contains("again"), "{text}");
    let link = link_in(&text, &h.app.base);
    let res = h.app.browser().get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(h.smtp.received().len(), 1);
}
