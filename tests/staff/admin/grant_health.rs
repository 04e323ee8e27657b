//! Grant health (/admin/grants): each state reached through the real flows (a sign-in
//! that grants less, a grant never used, one used, one past its expiry, one the
//! researcher revoked at ORCID and the background check found), counts, filters, paging
//! links, the CSV export, and the charts with their titles, descriptions and tables.

use idlink::store::now;
use orcid::OrcidId;

use super::{column, export, html_of, researcher, staff_app, total};

/// `(iD, state)` of each row of the grants list, in order.
fn states(html: &str) -> Vec<(String, String)> {
    html.split("<tr data-orcid=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().unwrap().to_string();
            let state = s.split("data-state=\"").nth(1).unwrap();
            (id, state.split('"').next().unwrap().to_string())
        })
        .collect()
}

fn state_of(html: &str, id: &OrcidId) -> String {
    states(html)
        .into_iter()
        .find(|(i, _)| *i == id.to_string())
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

/// The count shown beside a state's link.
fn count(html: &str, state: &str) -> i64 {
    let s = html
        .split(&format!("data-state=\"{state}\""))
        .nth(1)
        .and_then(|s| s.split("class=\"count\">").nth(1))
        .expect("a count");
    s.split('<').next().unwrap().parse().unwrap()
}

/// Every state, as staff see it, before and after the background check.
#[tokio::test]
async fn each_state_is_shown_counted_and_found_by_the_check() {
    let (app, staff, staff_id) = staff_app().await;
    let (used, used_id) = researcher(&app, "Uma", "Used").await;
    html_of(&app, &used, "/me").await; // reads the works: a successful call
    let (_, idle_id) = researcher(&app, "Ivo", "Idle").await;
    let narrow = app.browser();
    let narrow_id = app.mock.add_researcher("Nia", "Narrow");
    app.sign_in_as(&narrow, &narrow_id, "?access=signin").await;
    let (_, expired_id) = researcher(&app, "Eve", "Expired").await;
    app.lapse_stored_token(&expired_id).await;
    let (_, gone_id) = researcher(&app, "Rex", "Revoked").await;

    let html = html_of(&app, &staff, "/admin/grants").await;
    assert_eq!(state_of(&html, &used_id), "active");
    assert_eq!(state_of(&html, &idle_id), "never_used");
    assert_eq!(state_of(&html, &staff_id), "never_used");
    assert_eq!(state_of(&html, &narrow_id), "missing_scope");
    assert_eq!(state_of(&html, &expired_id), "expired");
    assert_eq!(
        state_of(&html, &gone_id),
        "never_used",
        "ORCID has not been asked yet"
    );
    assert_eq!(count(&html, "never_used"), 3);
    assert_eq!(count(&html, "active"), 1);
    assert_eq!(count(&html, "revoked"), 0);
    assert_eq!(total(&html), 6);

    // The researcher removes idlink under "Trusted organizations"; the next check finds it.
    app.mock
        .revoke_all_for(&gone_id, app.state.orcid.client_id());
    let period = 7 * 86_400;
    let checked = app
        .state
        .grants
        .check_due_grants(now() + period + 1)
        .await
        .unwrap();
    assert_eq!(checked, 6, "every grant idlink still holds as active");
    let html = html_of(&app, &staff, "/admin/grants").await;
    assert_eq!(state_of(&html, &gone_id), "revoked");
    assert_eq!(count(&html, "revoked"), 1);
    assert_eq!(
        state_of(&html, &expired_id),
        "never_used",
        "the check renewed the expired token with its refresh token"
    );
    assert_eq!(
        state_of(&html, &idle_id),
        "never_used",
        "a check is not a use"
    );
    let idle_row = html
        .split(&format!("data-orcid=\"{idle_id}\""))
        .nth(1)
        .unwrap();
    let idle_row = idle_row.split("</tr>").next().unwrap();
    assert!(
        !idle_row.contains("not yet"),
        "the check was recorded: {idle_row}"
    );
    // The due times moved a period on: nothing is due again at once.
    let again = app.state.grants.check_due_grants(now() + period + 1).await;
    assert_eq!(again.unwrap(), 0);
}

#[tokio::test]
async fn filters_paging_and_the_csv_export_follow_the_view() {
    let (app, staff, _) = staff_app().await;
    let (_, a) = researcher(&app, "Ann", "Alpha").await;
    let narrow = app.browser();
    let b = app.mock.add_researcher("Ben", "Beta");
    app.sign_in_as(&narrow, &b, "?access=signin").await;

    let html = html_of(&app, &staff, "/admin/grants?state=missing_scope").await;
    let ids: Vec<String> = states(&html).into_iter().map(|(i, _)| i).collect();
    assert_eq!(ids, [b.to_string()]);
    assert!(html.contains("<strong id=\"matching\">1</strong>"));

    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().unwrap().to_string();
    let html = html_of(&app, &staff, &format!("/admin/grants?after={tomorrow}")).await;
    assert!(states(&html).is_empty(), "nobody connected after today");
    assert!(
        html.contains(&format!("value=\"{tomorrow}\"")),
        "the date is kept"
    );
    let html = html_of(&app, &staff, &format!("/admin/grants?before={tomorrow}")).await;
    assert_eq!(states(&html).len(), 3);

    // Bad input: named in plain words, kept in the form, the rest of the view shown.
    let html = html_of(
        &app,
        &staff,
        "/admin/grants?after=31%2F12%2F2026&state=nope",
    )
    .await;
    assert!(
        html.contains("Connected on or after&#34; should be a date like"),
        "{html}"
    );
    assert!(html.contains("There is no state"));
    assert!(html.contains("value=\"31/12/2026\""));
    assert_eq!(states(&html).len(), 3);

    let (headers, records) = export(
        &app,
        &staff,
        "/admin/grants/export",
        &[("state", "never_used"), ("after", ""), ("before", "")],
    )
    .await;
    let mut exported = column(&headers, &records, "orcid");
    exported.sort();
    let mut expected = vec![a.to_string(), super::STAFF.to_string()];
    expected.sort();
    assert_eq!(exported, expected);
    assert_eq!(column(&headers, &records, "state"), ["never_used"; 2]);
    let (_, all) = export(&app, &staff, "/admin/grants/export", &[]).await;
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn the_csv_export_streams_every_batch() {
    let (app, staff, _) = staff_app().await;
    let rows: Vec<idlink::store::LoadResearcher> = (0..2_345u64)
        .map(|i| idlink::store::LoadResearcher {
            orcid: OrcidId::from_base_digits(30_000_000 + i * 7),
            name: format!("Load {i}"),
            connected_at: now() - i as i64 * 60,
            status: idlink::store::ConnectionStatus::Active,
            scope: "openid /read-limited /activities/update".into(),
            works_added: 0,
            last_refresh: None,
            last_write: None,
        })
        .collect();
    app.state
        .store
        .insert_researchers_for_load(&rows)
        .await
        .unwrap();
    let (headers, records) = export(&app, &staff, "/admin/grants/export", &[]).await;
    assert_eq!(records.len(), 2_346);
    let ids = column(&headers, &records, "orcid");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no grant twice across batches");
    let html = html_of(&app, &staff, "/admin/grants?page=2").await;
    assert!(html.contains("Page 2 of 47"), "50 a page");
}

#[tokio::test]
async fn charts_have_titles_descriptions_and_their_numbers_beside() {
    let (app, staff, _) = staff_app().await;
    let (_, _) = researcher(&app, "Cy", "Chart").await;
    let dashboard = html_of(&app, &staff, "/admin").await;
    assert!(
        dashboard.contains("href=\"/admin/grants\""),
        "linked from the dashboard and nav"
    );
    let html = html_of(&app, &staff, "/admin/grants").await;
    for (chart, title) in [
        ("weeks", "New connections per week"),
        ("states", "Grants by state"),
    ] {
        let svg_start = html
            .find(&format!(
                "aria-labelledby=\"{chart}-chart-title {chart}-chart-desc\""
            ))
            .unwrap_or_else(|| panic!("{chart} chart"));
        let svg = &html[svg_start..];
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(
            html[..svg_start].ends_with("<svg role=\"img\" "),
            "an image to assistive tech"
        );
        assert!(svg.contains(&format!(
            "<title id=\"{chart}-chart-title\">{title}</title>"
        )));
        assert!(svg.contains(&format!("<desc id=\"{chart}-chart-desc\">")));
        assert!(svg.contains("<rect"), "plotters drew bars");
        assert!(
            !svg.contains("style="),
            "no inline style for the CSP to block"
        );
        assert!(!svg.contains("<script"));
        assert!(html.contains(&format!(
            "<table class=\"admin-table\" id=\"{chart}-table\">"
        )));
    }
    // Two researchers connected this week (the staff member and Cy): the week table's
    // last row, and the states table, say so.
    let weeks = html.split("id=\"weeks-table\"").nth(1).unwrap();
    let weeks = weeks.split("</table>").next().unwrap();
    let last = weeks.rsplit("<tr>").next().unwrap();
    assert!(last.contains("<td class=\"num\">2</td>"), "{last}");
    let states_table = html.split("id=\"states-table\"").nth(1).unwrap();
    assert!(states_table.contains("<th scope=\"row\">never used</th><td class=\"num\">2</td>"));
    assert!(
        html.contains("never used 2"),
        "the description gives the numbers too"
    );
}
