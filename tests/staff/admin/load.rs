//! 50,000 researchers: the dashboard, a search and the export still answer correctly.
//! (Timings belong to benchmarks; this checks the answers.)

use super::seed::{expected, load, order, Expect};
use super::*;

// Half a minute on a small machine: left out of a plain `cargo test`; `scripts/test` (and
// so `.ci/run`) runs it, as does `cargo test --test staff fifty -- --ignored`.
#[tokio::test]
#[ignore = "long: scripts/test runs it"]
async fn fifty_thousand_researchers() {
    let (app, client, staff) = staff_app().await;
    let seeded = load(50_000, 1_500_000_000);
    app.state
        .store
        .insert_researchers_for_load(&seeded)
        .await
        .unwrap();

    let all = expected(&app, &seeded, &staff).await;

    let by_name = order(all.clone(), "name", false);
    let html = html_of(&app, &client, "/admin").await;
    assert_eq!(total(&html), 50_001);
    assert!(html.contains("Page 1 of 1001"));
    assert_eq!(ids(&html), by_name[..50]);
    let html = html_of(&app, &client, "/admin?page=1001").await;
    assert_eq!(ids(&html), by_name[50_000..]);

    let by_call = order(all.clone(), "last_call", true);
    let html = html_of(&app, &client, "/admin?sort=last_call&dir=desc&page=7").await;
    assert_eq!(ids(&html), by_call[300..350]);

    let revoked = all.iter().filter(|e| e.status == "revoked").count() as i64;
    let html = html_of(&app, &client, "/admin?status=revoked").await;
    assert_eq!(total(&html), revoked);
    assert!(rows(&html).iter().all(|(_, s)| s == "revoked"));

    let named: Vec<Expect> = all
        .iter()
        .filter(|e| e.name.to_lowercase().contains("lovelace"))
        .cloned()
        .collect();
    let html = html_of(&app, &client, "/admin?q=lovelace&sort=connected&dir=desc").await;
    assert_eq!(total(&html), named.len() as i64);
    assert_eq!(ids(&html), order(named, "connected", true)[..50]);

    let fragment = "0000-0002-12";
    let matching = all
        .iter()
        .filter(|e| e.orcid.replace('-', "").contains("0000000212"))
        .count();
    let html = html_of(&app, &client, &format!("/admin?q={fragment}")).await;
    assert_eq!(total(&html), matching as i64);

    let (headers, records) = export(&app, &client, "/admin/export", &[]).await;
    assert_eq!(
        column(&headers, &records, "orcid"),
        by_name,
        "every page of the view"
    );
    let (headers, records) = export(
        &app,
        &client,
        "/admin/export",
        &[("q", "lovelace"), ("status", "expired")],
    )
    .await;
    let want = order(
        all.iter()
            .filter(|e| e.status == "expired" && e.name.to_lowercase().contains("lovelace"))
            .cloned()
            .collect(),
        "name",
        false,
    );
    assert_eq!(column(&headers, &records, "orcid"), want);
}
