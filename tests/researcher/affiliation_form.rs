//! The researcher's own affiliations on /me: "Add my employment at …", the form checked
//! as ORCID checks it, edit, end and delete of what idlink added, other sources'
//! items read-only, nothing written twice.

use orcid::OrcidId;
use orcid_sim::{
    DEMO_ORG_NAME, HR_FEED_NAME, SEEDED_EMPLOYMENT_PUT_CODE, SEEDED_EMPLOYMENT_ROLE_TITLE,
    SEEDED_EMPLOYMENT_START,
};
use reqwest::{Client, StatusCode};

use crate::affiliation_steps::{article, audit_actions, sofia_signed_in};
use crate::common::{location, ok, TestApp};

const NEW_EMPLOYMENT: &str = "/me/affiliations/employment/new";

fn lecturer<'a>() -> Fields<'a> {
    vec![
        ("department", "Physics"),
        ("role_title", "Lecturer"),
        ("start_year", "2021"),
        ("start_month", "03"),
        ("start_day", ""),
        ("end_year", ""),
        ("end_month", ""),
        ("end_day", ""),
    ]
}

/// A form's fields as a test fills them in.
type Fields<'a> = Vec<(&'static str, &'a str)>;

fn with<'a>(mut form: Fields<'a>, changes: &[(&'static str, &'a str)]) -> Fields<'a> {
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    form
}

/// Adds the form's employment; returns its put-code at the simulated ORCID.
async fn add(app: &TestApp, client: &Client, who: &OrcidId) -> i64 {
    let res = app
        .post_form(client, NEW_EMPLOYMENT, NEW_EMPLOYMENT, &lecturer())
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(location(&res), "/me#affiliations");
    let ours: Vec<_> = app
        .mock
        .affiliations_of(who)
        .into_iter()
        .filter(|a| a.source_client_id.as_deref() == Some(app.state.orcid.client_id()))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    ours[0].put_code
}

#[tokio::test]
async fn an_added_employment_is_shown_on_me_as_the_institutions() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains(&format!(
        "href=\"{NEW_EMPLOYMENT}\">Add my employment at {DEMO_ORG_NAME}</a>"
    )));
    assert!(me.contains(&format!("Add my education at {DEMO_ORG_NAME}")));

    let form = ok(app.get_text(&client, NEW_EMPLOYMENT).await);
    for label in [
        "<label for=\"department\">Department</label>",
        "<label for=\"role_title\">Role title</label>",
        "<legend>Start date</legend>",
        "<label for=\"start_year\">Year</label>",
        "<label for=\"end_year\">Year</label>",
    ] {
        assert!(form.contains(label), "{label}\n{form}");
    }
    assert!(form.contains("End date"));
    assert!(form.contains(&format!("<strong>{DEMO_ORG_NAME}</strong>")));
    assert!(form.contains("Wellington, NZ"));

    let put_code = add(&app, &client, &who).await;

    let me = ok(app.get_text(&client, "/me").await);
    assert!(
        me.contains("Your employment at Example University was added"),
        "{me}"
    );
    let item = article(&me, put_code);
    assert!(item.contains("Lecturer, Example University"), "{item}");
    assert!(item.contains("from Your institution"), "{item}");
    assert!(item.contains("2021-03 to present"));
    assert!(item.contains("Physics"));
    let base = format!("/me/affiliations/employment/{put_code}");
    for action in ["edit", "end", "delete"] {
        assert!(
            item.contains(&format!("href=\"{base}/{action}\"")),
            "{item}"
        );
    }
    let at_orcid = &app.mock.affiliations_of(&who)[0].affiliation;
    let org = at_orcid.organization.as_ref().unwrap();
    assert_eq!(org.name, DEMO_ORG_NAME);
    assert!(org.disambiguated_organization.is_some());
}

#[tokio::test]
async fn each_rule_is_named_in_plain_words_and_nothing_typed_is_lost() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let long = "x".repeat(4_001);
    let cases: Vec<(Fields, &str, &str)> = vec![
        (
            with(lecturer(), &[("start_year", "21")]),
            "Start date: the year must be four digits",
            "value=\"21\"",
        ),
        (
            with(lecturer(), &[("start_month", "13")]),
            "Start date: the month must be 01 to 12.",
            "value=\"Lecturer\"",
        ),
        (
            with(lecturer(), &[("start_month", "04"), ("start_day", "31")]),
            "Start date: that day does not exist in that month.",
            "value=\"31\"",
        ),
        (
            with(lecturer(), &[("start_month", ""), ("start_day", "05")]),
            "Start date: a day needs a month.",
            "value=\"Physics\"",
        ),
        (
            with(lecturer(), &[("start_year", "1850")]),
            "Start date: the year must be between 1900 and 2100.",
            "value=\"1850\"",
        ),
        (
            with(lecturer(), &[("end_year", "2020")]),
            "End date: the end date must not be before the start date.",
            "value=\"2020\"",
        ),
        (
            with(lecturer(), &[("role_title", &long)]),
            "Role title: at most 4000 characters are allowed (4001 given).",
            "value=\"Physics\"",
        ),
        (
            with(lecturer(), &[("department", &long)]),
            "Department: at most 4000 characters are allowed (4001 given).",
            "value=\"Lecturer\"",
        ),
    ];
    let calls = app.mock.member_api_requests();
    for (form, message, kept) in cases {
        let res = app
            .post_form(&client, NEW_EMPLOYMENT, NEW_EMPLOYMENT, &form)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}\n{html}");
        assert!(html.contains(kept), "{kept} kept\n{html}");
        assert!(html.contains("aria-invalid=\"true\""), "{message}");
    }
    assert_eq!(app.mock.member_api_requests(), calls, "nothing sent");
    assert!(app.mock.affiliations_of(&who).is_empty());
}

#[tokio::test]
async fn an_employment_idlink_added_can_be_edited_ended_and_deleted() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let put_code = add(&app, &client, &who).await;
    let base = format!("/me/affiliations/employment/{put_code}");
    let edit = format!("{base}/edit");

    let form = ok(app.get_text(&client, &edit).await);
    assert!(form.contains("value=\"Lecturer\"") && form.contains("value=\"Physics\""));
    let res = app
        .post_form(
            &client,
            &edit,
            &edit,
            &with(lecturer(), &[("role_title", "Senior Lecturer")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = ok(app.get_text(&client, "/me").await);
    assert!(article(&me, put_code).contains("Senior Lecturer, Example University"));
    let at_orcid = &app.mock.affiliations_of(&who)[0];
    assert_eq!(
        at_orcid.affiliation.role_title.as_deref(),
        Some("Senior Lecturer")
    );

    // End: the form comes with today's date as the end date.
    let end_page = format!("{base}/end");
    let form = ok(app.get_text(&client, &end_page).await);
    let today = time::OffsetDateTime::now_utc().date();
    let (year, month, day) = (
        today.year().to_string(),
        format!("{:02}", u8::from(today.month())),
        format!("{:02}", today.day()),
    );
    assert!(
        form.contains(&format!("name=\"end_year\" value=\"{year}\"")),
        "{form}"
    );
    assert!(
        form.contains(&format!("name=\"end_day\" value=\"{day}\"")),
        "{form}"
    );
    let ended = with(
        lecturer(),
        &[
            ("role_title", "Senior Lecturer"),
            ("end_year", &year),
            ("end_month", &month),
            ("end_day", &day),
        ],
    );
    let res = app.post_form(&client, &end_page, &edit, &ended).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = ok(app.get_text(&client, "/me").await);
    let item = article(&me, put_code);
    assert!(
        item.contains(&format!("2021-03 to {year}-{month}-{day}")),
        "{item}"
    );
    assert!(!item.contains("/end\""), "no End once ended: {item}");
    assert_eq!(
        app.mock.affiliations_of(&who).len(),
        1,
        "updated, not added"
    );

    let delete = format!("{base}/delete");
    let confirm = ok(app.get_text(&client, &delete).await);
    assert!(
        confirm.contains("Senior Lecturer, Example University"),
        "{confirm}"
    );
    let res = app.post_form(&client, &delete, &delete, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("The employment was removed from your ORCID record."));
    assert!(!me.contains(&format!("data-affiliation-put-code=\"{put_code}\"")));
    assert!(app.mock.affiliations_of(&who).is_empty());
    let actions = audit_actions(&app, &who).await;
    assert_eq!(
        actions,
        [
            "delete_affiliation",
            "update_affiliation",
            "update_affiliation",
            "add_affiliation"
        ]
    );
}

#[tokio::test]
async fn another_sources_affiliation_is_read_only_and_a_direct_post_is_refused() {
    let (app, client, sofia) = sofia_signed_in().await;
    let me = ok(app.get_text(&client, "/me").await);
    let theirs = article(&me, SEEDED_EMPLOYMENT_PUT_CODE);
    assert!(
        !theirs.contains("Edit") && !theirs.contains("Delete"),
        "{theirs}"
    );
    let base = format!("/me/affiliations/employment/{SEEDED_EMPLOYMENT_PUT_CODE}");
    let before = app.mock.affiliations_of(&sofia);
    let calls = app.mock.member_api_requests();

    let (status, page) = app.get_text(&client, &format!("{base}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("idlink can only edit, end or delete the affiliations it added"));
    let csrf = app.csrf(&client).await;
    for action in ["edit", "delete"] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(lecturer());
        let res = app
            .post_fields(&client, &format!("{base}/{action}"), &form)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{action}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("This affiliation cannot be changed here"),
            "{page}"
        );
        assert!(page.contains("Nothing was changed."));
    }

    assert_eq!(app.mock.member_api_requests(), calls, "nothing sent");
    assert_eq!(app.mock.affiliations_of(&sofia), before);
}

#[tokio::test]
async fn another_sources_equal_employment_is_already_there_and_nothing_is_written() {
    let (app, client, sofia) = sofia_signed_in().await;
    ok(app.get_text(&client, "/me").await);
    let (y, m, d) = SEEDED_EMPLOYMENT_START;
    let same = with(
        lecturer(),
        &[
            ("role_title", SEEDED_EMPLOYMENT_ROLE_TITLE),
            ("start_year", y),
            ("start_month", m),
            ("start_day", d),
        ],
    );
    let before = app.mock.affiliations_of(&sofia);
    let calls = app.mock.member_api_requests();

    let res = app
        .post_form(&client, NEW_EMPLOYMENT, NEW_EMPLOYMENT, &same)
        .await;

    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.mock.member_api_requests(), calls, "no ORCID request");
    assert_eq!(app.mock.affiliations_of(&sofia), before);
    let me = ok(app.get_text(&client, "/me").await);
    assert!(
        me.contains(&format!(
            "This employment is already on your record from {HR_FEED_NAME}"
        )),
        "{me}"
    );
    assert!(app
        .state
        .store
        .idlink_affiliations(&sofia)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_same_employment_added_twice_is_written_once() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    add(&app, &client, &who).await;

    let res = app
        .post_form(&client, NEW_EMPLOYMENT, NEW_EMPLOYMENT, &lecturer())
        .await;

    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.mock.affiliations_of(&who).len(), 1, "no second copy");
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("This employment is already on your ORCID record as you entered it"));
}

#[tokio::test]
async fn without_the_organisation_settings_writes_are_refused_naming_them() {
    // A country alone: demo mode no longer fills in the demo institution.
    let app = TestApp::spawn_with(&["--org-country", "NZ"]).await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let csrf = app.csrf(&client).await;
    let calls = app.mock.member_api_requests();

    let (status, page) = app.get_text(&client, NEW_EMPLOYMENT).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.contains("ORG_CITY") && page.contains("ORG_ROR or ORG_RINGGOLD"),
        "{page}"
    );

    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(lecturer());
    let res = app.post_fields(&client, NEW_EMPLOYMENT, &form).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("until ORG_CITY, ORG_ROR or ORG_RINGGOLD are set"),
        "{page}"
    );
    assert!(
        page.contains("value=\"Lecturer\""),
        "the form is kept: {page}"
    );

    assert_eq!(app.mock.member_api_requests(), calls, "nothing sent");
    assert!(app.mock.affiliations_of(&who).is_empty());
}

#[tokio::test]
async fn only_the_offered_sections_can_be_added() {
    let app = TestApp::spawn_with(&["--affiliation-form-sections", "employment"]).await;
    let client = app.browser();
    app.sign_in(&client).await;
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("Add my employment at"));
    assert!(!me.contains("Add my education at"));
    let (status, page) = app
        .get_text(&client, "/me/affiliations/education/new")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("does not offer adding your education here"));
}
