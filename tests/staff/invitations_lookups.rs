//! A roster naming hundreds of iDs: the draft is stored at once, the iDs are looked up on
//! ORCID's Public API in the background with live progress, Send waits for them, people
//! whose iD has no record are not sent anything, and lookups carry on after a restart.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{ok, wait_until, wait_until_every};
use crate::invitations::Harness;
use orcid::OrcidId;

/// A roster of `known` people with a record on the simulated ORCID and `unknown` with a
/// checksum-valid iD it has no record for (every tenth row).
fn roster(h: &Harness, known: usize, unknown: usize) -> (String, Vec<String>) {
    let mut csv = String::from("email,given_names,family_names,orcid,department\n");
    let mut nobody = Vec::new();
    let (mut k, mut u) = (0, 0);
    for n in 0..known + unknown {
        let id = if n % 10 == 9 && u < unknown || k == known {
            u += 1;
            let email = format!("nobody{n}@example.org");
            nobody.push(email.clone());
            csv.push_str(&format!(
                "{email},No,Record {n},{},\n",
                OrcidId::from_base_digits(9_000_000_100_000 + n as u64)
            ));
            continue;
        } else {
            k += 1;
            h.app.mock.add_researcher(&format!("Given{n}"), "Person")
        };
        csv.push_str(&format!(
            "person{n}@example.org,Given{n},Person,{id},Physics\n"
        ));
    }
    (csv, nobody)
}

#[tokio::test]
async fn a_roster_of_hundreds_of_ids_is_stored_at_once_and_looked_up_in_the_background() {
    let h = Harness::start(&["--orcid-rate-per-sec", "40", "--orcid-burst", "10"]).await;
    let (csv, nobody) = roster(&h, 270, 30);

    let batch = h.upload_roster_only(&csv).await;
    let first = h.lookups(&batch).await;
    assert_eq!(first["total"], 300, "{first}");
    assert_eq!(
        first["active"], true,
        "the upload did not wait for ORCID: {first}"
    );
    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("lookups.json"), "live progress: {page}");
    assert!(page.contains("data-reload-when-done"), "{page}");
    assert!(
        !page.contains("id=\"send-invitations\""),
        "no Send yet: {page}"
    );

    // Send before the lookups are done sends nothing.
    h.send(&batch).await;
    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("still being looked up"), "{page}");
    assert!(page.contains("Draft"), "{page}");

    // Progress moves, then completes.
    let seen = std::sync::Mutex::new(Vec::new());
    wait_until_every(
        || async {
            let p = h.lookups(&batch).await;
            seen.lock().unwrap().push(p["completed"].as_i64().unwrap());
            !p["active"].as_bool().unwrap()
        },
        Duration::from_secs(90),
        Duration::from_millis(100),
    )
    .await
    .expect("every iD is looked up");
    let seen = seen.into_inner().unwrap();
    assert!(
        seen.iter().any(|c| *c > 0 && *c < 300),
        "progress between none and all was shown: {seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(h.lookups(&batch).await["completed"], 300);

    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("270 of 300 people can be invited"), "{page}");
    assert_eq!(page.matches("No ORCID record").count(), 30, "{page}");
    assert!(
        page.contains("Given0 Person"),
        "public names filled in: {page}"
    );
    assert!(page.contains("Send 270 invitations"), "{page}");

    h.send(&batch).await;
    let db = h.db().await;
    let queued: Vec<String> = sqlx::query_scalar("SELECT to_address FROM mail_outbox ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(queued.len(), 270);
    assert!(
        nobody.iter().all(|n| !queued.contains(n)),
        "no-record rows are not sent"
    );
}

#[tokio::test]
async fn lookups_left_pending_by_a_stop_carry_on_after_a_restart() {
    let mut h = Harness::start(&[]).await;
    let (csv, _) = roster(&h, 9, 1);
    // A stop: no lookups run while the roster is uploaded.
    h.app.lookups.abort();
    let batch = h.upload_roster_only(&csv).await;
    let p = h.lookups(&batch).await;
    assert_eq!(
        (p["total"].as_i64(), p["completed"].as_i64()),
        (Some(10), Some(0))
    );
    let res = h
        .app
        .post_form(&h.staff, &batch, &format!("{batch}/send"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(h.smtp.received().is_empty());

    // Started again, the lookups pick up where they were left.
    h.app.lookups = h.app.state.lookups.start();
    wait_until(
        || async { !h.lookups(&batch).await["active"].as_bool().unwrap() },
        Duration::from_secs(60),
    )
    .await
    .expect("the pending lookups finish after the restart");
    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("9 of 10 people can be invited"), "{page}");
    assert!(page.contains("No ORCID record"), "{page}");
}
