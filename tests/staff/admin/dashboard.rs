//! The dashboard: each status from the real flows, then search, filters, sorting,
//! paging and the CSV export checked against a seeded model.

use idlink::store::NewTokens;
use orcid::OrcidId;
use reqwest::StatusCode;
use secrecy::SecretString;

use super::seed::{expected, load, order};
use super::*;

#[tokio::test]
async fn the_dashboard_shows_each_connection_status_from_the_real_flows() {
    let (app, staff_client, staff) = staff_app().await;
    let client_id = app.state.orcid.client_id().to_string();
    let (alice_client, alice) = researcher(&app, "Alice", "Active").await;
    add_work(&app, &alice_client, "A paper by Alice", "10.5555/alice.1").await;

    let (rita_client, rita) = researcher(&app, "Rita", "Revoked").await;
    app.mock.revoke_all_for(&rita, &client_id);
    app.post_form(&rita_client, "/me", "/me/works/refresh", &[])
        .await;

    let (dora_client, dora) = researcher(&app, "Dora", "Disconnected").await;
    let res = app
        .post_form(&dora_client, "/me", "/me/disconnect", &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (_eddie_client, eddie) = researcher(&app, "Eddie", "Expired").await;
    let past = idlink::store::now() - 3600;
    let tokens = NewTokens {
        access_token: SecretString::from("expired-placeholder"),
        refresh_token: None,
        scope: "openid /read-limited /activities/update".into(),
        expires_at: past,
    };
    app.state
        .store
        .update_tokens(&eddie, &tokens)
        .await
        .unwrap();

    let html = ok(app.get_text(&staff_client, "/admin").await);
    assert!(
        html.contains("href=\"/admin\">Staff</a>"),
        "Staff link in the header"
    );
    assert!(
        html.contains("href=\"/admin/audit\""),
        "navigation to the audit log"
    );
    assert!(
        html.contains("href=\"/admin/jobs\""),
        "navigation to bulk push"
    );
    assert_eq!(total(&html), 5);
    let status_of = |id: &OrcidId| {
        rows(&html)
            .into_iter()
            .find(|(r, _)| r == id.as_str())
            .map(|(_, s)| s)
    };
    assert_eq!(status_of(&alice).as_deref(), Some("active"));
    assert_eq!(status_of(&staff).as_deref(), Some("active"));
    assert_eq!(status_of(&rita).as_deref(), Some("revoked"));
    assert_eq!(status_of(&dora).as_deref(), Some("disconnected"));
    assert_eq!(status_of(&eddie).as_deref(), Some("expired"));

    let a = row(&html, &alice);
    let url = app.state.orcid.record_url(&alice);
    assert!(
        a.contains(&format!("href=\"{url}\"")) && a.contains(&format!("<span>{url}</span>")),
        "{a}"
    );
    assert!(
        a.contains(&format!(
            "src=\"{}\"",
            idlink::web::assets::url("orcid-id.svg")
        )),
        "the iD icon"
    );
    assert!(a.contains("Alice Active"));
    assert!(a.contains("add and update works"), "scopes in plain words");
    assert!(
        a.contains("<td class=\"num\" data-label=\"Works added\">1</td>"),
        "one work added: {a}"
    );
    assert!(
        a.contains("add_work: ok") || a.contains("works refresh: ok"),
        "{a}"
    );
    let r = row(&html, &rita);
    assert!(r.contains("revoked by the researcher"));
    assert!(r.contains("works refresh: failed"), "{r}");
    let d = row(&html, &dora);
    assert!(d.contains(">disconnected<") && d.contains("nothing"), "{d}");
    assert!(row(&html, &eddie).contains(">expired<"));

    for (status, want) in [
        ("revoked", &rita),
        ("expired", &eddie),
        ("disconnected", &dora),
    ] {
        let html = ok(app
            .get_text(&staff_client, &format!("/admin?status={status}"))
            .await);
        assert_eq!(ids(&html), [want.to_string()], "status={status}");
    }
    let html = ok(app.get_text(&staff_client, "/admin?status=active").await);
    let mut active = ids(&html);
    active.sort();
    let mut want = vec![alice.to_string(), staff.to_string()];
    want.sort();
    assert_eq!(active, want);

    for q in ["rita", "RITA", "Rita Rev"] {
        let html = ok(app
            .get_text(&staff_client, &format!("/admin?q={}", q.replace(' ', "+")))
            .await);
        assert_eq!(ids(&html), [rita.to_string()], "q={q}");
    }
    let html = ok(app
        .get_text(&staff_client, &format!("/admin?q={rita}"))
        .await);
    assert_eq!(ids(&html), [rita.to_string()], "a whole iD");
    let fragment = &rita.as_str()[5..14];
    let html = ok(app
        .get_text(&staff_client, &format!("/admin?q={fragment}"))
        .await);
    let found = ids(&html);
    assert!(found.contains(&rita.to_string()), "partial iD {fragment}");
    let digits = fragment.replace('-', "");
    assert!(found.iter().all(|id| id.replace('-', "").contains(&digits)));

    let (headers, records) = export(
        &app,
        &staff_client,
        "/admin/export",
        &[("status", "active")],
    )
    .await;
    assert_eq!(headers.len(), 10);
    let orcids = column(&headers, &records, "orcid");
    assert_eq!(
        orcids,
        ids(&html_of(&app, &staff_client, "/admin?status=active").await)
    );
    let alice_line = records.iter().find(|r| &r[1] == alice.as_str()).unwrap();
    assert_eq!(&alice_line[0], "Alice Active");
    assert_eq!(&alice_line[3], "active");
    assert_eq!(&alice_line[7], "1", "works added");
}

#[tokio::test]
async fn search_filter_sort_page_and_export_agree() {
    let (app, client, staff) = staff_app().await;
    let seeded = load(130, 1_600_000_000);
    app.state
        .store
        .insert_researchers_for_load(&seeded)
        .await
        .unwrap();
    let all = expected(&app, &seeded, &staff).await;

    let html = html_of(&app, &client, "/admin").await;
    assert_eq!(total(&html), 131);
    assert!(html.contains("Page 1 of 3"));
    for (sort, dir) in [
        ("name", "asc"),
        ("name", "desc"),
        ("connected", "desc"),
        ("connected", "asc"),
        ("last_call", "desc"),
        ("last_call", "asc"),
    ] {
        let want = order(all.clone(), sort, dir == "desc");
        let mut seen = vec![];
        for page in 1..=3 {
            let html = html_of(
                &app,
                &client,
                &format!("/admin?sort={sort}&dir={dir}&page={page}"),
            )
            .await;
            let got = ids(&html);
            assert_eq!(got.len(), if page < 3 { 50 } else { 31 });
            seen.extend(got);
        }
        assert_eq!(seen, want, "sort={sort} dir={dir}");
        let (headers, records) = export(
            &app,
            &client,
            "/admin/export",
            &[("sort", sort), ("dir", dir)],
        )
        .await;
        assert_eq!(
            column(&headers, &records, "orcid"),
            want,
            "CSV sort={sort} dir={dir}"
        );
    }

    // A filter and a search together, exported: same lines, same order, same values.
    let active_smiths: Vec<String> = order(
        all.iter()
            .filter(|e| e.status == "active" && e.name.to_lowercase().contains("smith"))
            .cloned()
            .collect(),
        "connected",
        true,
    );
    let html = html_of(
        &app,
        &client,
        "/admin?q=SMITH&status=active&sort=connected&dir=desc",
    )
    .await;
    assert!(active_smiths.len() > 2, "the sample has a few");
    assert_eq!(ids(&html), active_smiths);
    let (headers, records) = export(
        &app,
        &client,
        "/admin/export",
        &[
            ("q", "SMITH"),
            ("status", "active"),
            ("sort", "connected"),
            ("dir", "desc"),
        ],
    )
    .await;
    assert_eq!(column(&headers, &records, "orcid"), active_smiths);
    for r in &records {
        assert_eq!(&r[3], "active");
        assert!(html.contains(&r[2]), "record URL {} on the page", &r[2]);
        assert!(r[0].to_lowercase().contains("smith"));
    }

    // Bad view input: a message on the page, not an error.
    let html = html_of(&app, &client, "/admin?status=sleeping&sort=age&page=x").await;
    assert!(html.contains("There is no status"), "{html}");
    assert!(html.contains("Cannot sort by"));
    assert_eq!(total(&html), 131);
    // Past the last page: the last page.
    let html = html_of(&app, &client, "/admin?page=99").await;
    assert!(html.contains("Page 3 of 3"));

    // Exports are staff actions in the audit log.
    let html = html_of(&app, &client, "/admin/audit?action=export_researchers").await;
    assert_eq!(total(&html), 7);
    assert!(html.contains(&format!("/admin/researchers/{staff}")));
}

#[tokio::test]
async fn the_dashboard_lists_recent_bulk_pushes() {
    let (app, client, staff) = super::staff_app().await;
    let errors = [idlink::store::RowError {
        line: 3,
        column: "type".into(),
        message: "unknown type".into(),
    }];
    let id = app
        .state
        .store
        .create_draft_job(
            &staff,
            "spring-publications.csv",
            idlink::store::DraftReport {
                rows_total: 2,
                rows_invalid: 1,
                kept: &errors,
                omitted: &[],
            },
            &[],
        )
        .await
        .unwrap();
    let html = super::ok(app.get_text(&client, "/admin").await);
    assert!(
        html.contains(&format!("href=\"/admin/jobs/{id}\"")),
        "{html}"
    );
    assert!(html.contains("spring-publications.csv"));
}
