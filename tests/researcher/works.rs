//! Works on /me: read, add, edit and delete through the Member API, against the
//! simulated ORCID over real HTTP.

use crate::common::{hidden_value, location, ok, with_token, work_form, TestApp};
use orcid::OrcidId;
use orcid_sim::Fault;
use reqwest::{Client, StatusCode};
use secrecy::ExposeSecret;

/// Adds a work through the form; returns the response after the redirect was followed.
async fn add(app: &TestApp, client: &Client, title: &str, doi: &str) -> (StatusCode, String) {
    let res = app
        .post_form(client, "/me", "/me/works/new", &work_form(title, doi))
        .await;
    let status = res.status();
    if status == StatusCode::SEE_OTHER {
        return (status, ok(app.get_text(client, "/me").await));
    }
    (status, res.text().await.unwrap())
}

fn put_codes_on(html: &str) -> Vec<i64> {
    html.split("data-put-code=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

async fn our_put_code(app: &TestApp, who: &OrcidId) -> i64 {
    let ours = app.state.store.idlink_works(who).await.unwrap();
    ours.last().expect("a work idlink added").put_code
}

#[tokio::test]
async fn the_record_is_listed_with_sources_from_the_cache() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    app.mock.add_work_from_source(&who, "Crossref", Some("APP-CROSSREF00000001"), serde_json::json!({
        "title": {"title": {"value": "Planted by Crossref"}},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2021"}, "month": {"value": "03"}},
        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.5555/planted.1",
            "external-id-relationship": "self"}]}
    }));
    let res = app
        .post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    assert_eq!(location(&res), "/me#works");
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("Planted by Crossref"), "{html}");
    assert!(html.contains("Source: Crossref"));
    assert!(html.contains("Journal article"), "type as a human label");
    assert!(html.contains("March 2021"), "partial date as given");
    assert!(
        html.contains("href=\"https://doi.org/10.5555/planted.1\""),
        "DOI links to its resolver"
    );
    assert!(html.contains("Last synced with ORCID just now"));
    assert!(
        html.contains("up to date with ORCID"),
        "flash after refresh"
    );
    assert!(
        !html.contains("/edit\">Edit"),
        "other sources are read-only"
    );

    // ORCID goes away: the page still renders from the cache and says so.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 500,
        times: 1000,
    }));
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        html.contains("Planted by Crossref"),
        "cached works still shown"
    );
    assert!(html.contains("could not be reached"), "{html}");
}

#[tokio::test]
async fn add_edit_and_delete_a_work() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    assert!(ok(app.get_text(&client, "/me").await).contains("href=\"/me/works/new\""));
    let form_page = client
        .get(app.url("/me/works/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form_page.contains("<label for=\"title\">Title"),
        "visible labels"
    );
    assert!(
        form_page.contains("value=\"dissertation-thesis\""),
        "all work types offered"
    );

    let (status, html) = add(
        &app,
        &client,
        "Sea ice and us",
        "https://doi.org/10.1234/SEA.ICE",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(html.contains("was added to your ORCID record"), "{html}");
    assert!(html.contains("Sea ice and us"));
    assert!(html.contains("10.1234/sea.ice"), "DOI normalised");
    assert_eq!(app.mock.works_of(&who), 1);
    let put_code = our_put_code(&app, &who).await;
    assert!(put_codes_on(&html).contains(&put_code));
    assert!(
        html.contains(&format!("/me/works/{put_code}/edit")),
        "ours can be edited"
    );

    // Edit: the form comes back filled from ORCID; the change shows on /me.
    let edit = client
        .get(app.url(&format!("/me/works/{put_code}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(edit.contains("value=\"Sea ice and us\""), "{edit}");
    let edit_page = format!("/me/works/{put_code}/edit");
    let res = app
        .post_form(
            &client,
            &edit_page,
            &edit_page,
            &work_form("Sea ice and all of us", "10.1234/sea.ice"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("Sea ice and all of us"));
    assert!(html.contains("was updated"));

    // Delete, with a confirmation page first.
    let confirm = client
        .get(app.url(&format!("/me/works/{put_code}/delete")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("Remove this work"));
    let delete_page = format!("/me/works/{put_code}/delete");
    let res = app
        .post_form(&client, &delete_page, &delete_page, &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("was removed"));
    assert!(!html.contains("Sea ice and all of us"));
    assert_eq!(app.mock.works_of(&who), 0);

    let audit = app.state.store.audit_for(&who, 10).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.outcome.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("delete_work", "ok"),
            ("update_work", "ok"),
            ("add_work", "ok")
        ]
    );
    assert!(audit
        .iter()
        .all(|a| a.actor.as_str() == who.as_str() && a.put_code == Some(put_code)));
}

#[tokio::test]
async fn an_invalid_form_comes_back_filled_with_field_messages() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let mut form = work_form("", "not-a-doi");
    form.retain(|(k, _)| *k != "year");
    form.push(("year", "23"));
    form.push(("contrib_orcid_0", "0000-0002-1825-0098"));
    let res = app.post_form(&client, "/me", "/me/works/new", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter the title of the work."), "{html}");
    assert!(html.contains("four digits"));
    assert!(html.contains("valid DOI"));
    assert!(html.contains("check digit"));
    assert!(
        html.contains("value=\"Journal of Tests\""),
        "the form is kept filled"
    );
    assert!(html.contains("value=\"not-a-doi\""));
    assert_eq!(app.mock.works_of(&who), 0, "nothing sent");
    assert_eq!(
        app.mock.member_api_requests(),
        1,
        "only the first works list"
    );
}

#[tokio::test]
async fn field_messages_lead_to_the_input_that_failed() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_in(&client).await;
    let mut form = work_form("A title", "10.5555/rel.1");
    form.retain(|(k, _)| !matches!(*k, "id_rel_0" | "contrib_orcid_0" | "contrib_role_0"));
    form.push(("id_rel_0", "nonsense"));
    form.push(("contrib_orcid_0", "0000-0002-1825-0097"));
    form.push(("contrib_role_0", "nonsense"));
    let res = app
        .post_form(&client, "/me/works/new", "/me/works/new", &form)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    let tag = |id: &str| {
        let start = html.find(&format!("id=\"{id}\"")).unwrap();
        html[start..start + html[start..].find('>').unwrap()].to_string()
    };
    for (right, wrong) in [
        ("id_rel_0", "id_value_0"),
        ("contrib_role_0", "contrib_orcid_0"),
    ] {
        assert!(html.contains(&format!("href=\"#{right}\"")), "{html}");
        assert!(
            tag(right).contains("aria-invalid=\"true\""),
            "{}",
            tag(right)
        );
        assert!(!html.contains(&format!("href=\"#{wrong}\"")));
        assert!(!tag(wrong).contains("aria-invalid"), "{}", tag(wrong));
    }
}

#[tokio::test]
async fn no_second_copies_of_another_sources_work() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    app.mock.add_work_from_source(&who, "Crossref Metadata Search", Some("APP-CROSSREF00000001"), serde_json::json!({
        "title": {"title": {"value": "The crossref copy"}},
        "type": "journal-article",
        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.5555/Dup.42",
            "external-id-relationship": "self"}]}
    }));
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;

    let (status, html) = add(&app, &client, "My copy", "doi:10.5555/DUP.42").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("already on your record"), "{html}");
    assert!(html.contains("added by Crossref Metadata Search"));
    assert!(html.contains("Add it anyway"));
    assert_eq!(app.mock.works_of(&who), 1, "nothing was added");

    // On purpose: the person confirms.
    // The token comes from the answer to the POST, a page that cannot be opened again.
    let csrf = hidden_value(&html, "csrf").unwrap();
    let mut form = work_form("My copy", "doi:10.5555/DUP.42");
    form.push(("confirm_duplicate", "1"));
    let res = app
        .post_fields(&client, "/me/works/new", &with_token(&csrf, &form))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.mock.works_of(&who), 2);
}

#[tokio::test]
async fn orcids_own_duplicate_answer_is_shown_as_already_there() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    add(&app, &client, "Once", "10.1234/once").await;
    let first = our_put_code(&app, &who).await;
    // Skip idlink's own check to reach ORCID's 409/9021.
    let mut form = work_form("Once again", "10.1234/ONCE");
    form.push(("confirm_duplicate", "1"));
    let res = app.post_form(&client, "/me", "/me/works/new", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("already on your ORCID record"), "{html}");
    assert_eq!(app.mock.works_of(&who), 1);
    let audit = app.state.store.audit_for(&who, 1).await.unwrap();
    assert_eq!(
        (audit[0].outcome.as_str(), audit[0].put_code),
        ("duplicate", Some(first))
    );
}

#[tokio::test]
async fn a_work_the_researcher_deleted_at_orcid_is_not_brought_back() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    add(&app, &client, "Short-lived", "10.1234/gone").await;
    let put_code = our_put_code(&app, &who).await;
    app.mock.remove_work(&who, put_code);
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    let ours = app.state.store.idlink_works(&who).await.unwrap();
    assert_eq!(
        ours[0].status,
        idlink::store::IdlinkWorkStatus::DeletedByResearcher
    );
    assert!(!ok(app.get_text(&client, "/me").await).contains("Short-lived"));
    assert_eq!(app.mock.works_of(&who), 0, "refresh re-adds nothing");
    // Its edit page now says it is gone.
    let res = client
        .get(app.url(&format!("/me/works/{put_code}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/me");
    assert!(ok(app.get_text(&client, "/me").await).contains("no longer on your ORCID record"));
}

#[tokio::test]
async fn revoked_access_is_reported_and_remembered() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    app.mock.revoke_all_for(&who, orcid_sim::DEMO_CLIENT_ID);
    let (status, html) = add(&app, &client, "Too late", "10.1234/late").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(html.contains("You revoked idlink"), "{html}");
    assert!(
        html.contains("href=\"/orcid/connect\""),
        "offers to reconnect"
    );
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_eq!(tokens.status, idlink::store::TokenStatus::Revoked);
    assert!(
        ok(app.get_text(&client, "/me").await).contains("revoked"),
        "/me says so until they reconnect"
    );
    // Reconnecting clears it.
    app.sign_in_as(&client, &who, "").await;
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_eq!(tokens.status, idlink::store::TokenStatus::Active);
}

#[tokio::test]
async fn missing_permission_asks_to_reconnect_with_it() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Sign", "Only");
    app.sign_in_as(&client, &who, "?access=signin").await;
    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        !html.contains("href=\"/me/works/new\""),
        "no add button without the scope"
    );
    let res = client.get(app.url("/me/works/new")).send().await.unwrap();
    assert_eq!(location(&res), "/me");
    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        html.contains("needs your permission to add works"),
        "{html}"
    );
    assert!(html.contains("/orcid/connect?need=works"));
    let authorize = app.start(&client, "?need=works").await;
    let scope = crate::common::query_param(&authorize, "scope").unwrap();
    assert!(scope.contains("/activities/update"), "{scope}");

    // ORCID's own 403/9038 answer is reported the same way.
    let app = TestApp::spawn_with(&["--orcid-scopes", "openid /read-limited"]).await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let mut form = work_form("Not allowed", "10.1234/nope");
    form.push(("confirm_duplicate", "1"));
    app.post_form(&client, "/me", "/me/works/new", &form).await;
    assert!(ok(app.get_text(&client, "/me").await).contains("needs your permission to add works"));
    let _ = who;
}

/// The edit page and the add form tell each ORCID refusal in the same words: a missing
/// permission and a grant for another record are neither "could not reach ORCID" nor
/// "you revoked idlink's access".
#[tokio::test]
async fn wrong_record_and_missing_permission_are_told_in_their_own_words() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let (status, _) = add(&app, &client, "Tides", "10.1234/tides").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let put_code = our_put_code(&app, &who).await;

    // ORCID refuses the edit page's read with 403/9038.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 403,
        times: 1,
    }));
    let res = client
        .get(app.url(&format!("/me/works/{put_code}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/me");
    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        html.contains("needs your permission to add works"),
        "{html}"
    );
    assert!(html.contains("/orcid/connect?need=works"));
    assert!(!html.contains("could not reach ORCID"), "{html}");

    // idlink holds another researcher's grant for this record: ORCID's 401/9017.
    let other_client = app.browser();
    let other = app.mock.add_researcher("Grace", "Hopper");
    app.sign_in_as(&other_client, &other, "").await;
    let theirs = app.state.store.tokens(&other).await.unwrap().unwrap();
    app.state
        .store
        .update_tokens(
            &who,
            &idlink::store::NewTokens {
                access_token: theirs.access_token,
                refresh_token: theirs.refresh_token,
                scope: theirs.scope,
                expires_at: theirs.expires_at,
            },
        )
        .await
        .unwrap();
    let mut form = work_form("Currents", "10.1234/currents");
    form.push(("confirm_duplicate", "1"));
    let res = app.post_form(&client, "/me", "/me/works/new", &form).await;
    assert_eq!(location(&res), "/me#works");
    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        html.contains("belongs to a different ORCID record"),
        "{html}"
    );
    assert!(!html.contains("You revoked idlink"), "{html}");
    let res = client
        .get(app.url(&format!("/me/works/{put_code}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/me");
    assert!(ok(app.get_text(&client, "/me").await).contains("belongs to a different ORCID record"));
    // A grant for the wrong record is not a revoked one.
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_eq!(tokens.status, idlink::store::TokenStatus::Active);
    assert_eq!(app.mock.works_of(&who), 1);
}

/// Researcher pages send a signed-out visitor to the start page, before any form is read.
#[tokio::test]
async fn signed_out_visitors_are_sent_to_the_start() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    for path in [
        "/me",
        "/me/works/new",
        "/me/works/1/edit",
        "/me/works/1/delete",
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "GET {path}");
        assert_eq!(location(&res), "/", "GET {path}");
    }
    for path in [
        "/me/works/refresh",
        "/me/works/new",
        "/me/works/1/edit",
        "/me/works/1/delete",
        "/me/disconnect",
    ] {
        let res = app.post_fields(&client, path, &[("csrf", "none")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(location(&res), "/", "POST {path}");
    }
    assert_eq!(app.mock.member_api_requests(), 0);
}

/// Every researcher POST checks the CSRF token before it does anything.
#[tokio::test]
async fn every_researcher_post_refuses_a_forged_token() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let (status, _) = add(&app, &client, "Tides", "10.1234/tides").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let put_code = our_put_code(&app, &who).await;
    let sent = app.mock.member_api_requests();
    for path in [
        "/me/works/refresh".to_string(),
        "/me/works/new".into(),
        format!("/me/works/{put_code}/edit"),
        format!("/me/works/{put_code}/delete"),
    ] {
        for token in ["forged", ""] {
            let form = with_token(token, &work_form("Changed", "10.1234/changed"));
            let res = app.post_fields(&client, &path, &form).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
            assert!(res.text().await.unwrap().contains("This form has expired"));
        }
    }
    assert_eq!(
        app.mock.member_api_requests(),
        sent,
        "nothing reached ORCID"
    );
    assert_eq!(app.mock.works_of(&who), 1);
}

#[tokio::test]
async fn transient_orcid_failures_are_retried() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    ok(app.get_text(&client, "/me").await);
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 2,
    }));
    let (status, html) = add(&app, &client, "Persistent", "10.1234/retry").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(html.contains("was added"), "{html}");
    assert_eq!(app.mock.works_of(&who), 1);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"endpoint="add_work",outcome="retried_503""#),
        "{metrics}"
    );

    // When retries are spent: "ORCID is busy", nothing lost from the form.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 1000,
    }));
    let (status, html) = add(&app, &client, "Unlucky", "10.1234/busy").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(html.contains("ORCID is busy"), "{html}");
    assert!(html.contains("value=\"Unlucky\""));
    assert_eq!(app.mock.works_of(&who), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_stored_encrypted() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let old = app.state.store.tokens(&who).await.unwrap().unwrap();
    app.lapse_stored_token(&who).await;
    let (status, _) = add(&app, &client, "After refresh", "10.1234/fresh").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let new = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_ne!(
        new.access_token.expose_secret(),
        old.access_token.expose_secret()
    );
    assert!(new.expires_at > idlink::store::now());
    assert!(app
        .mock
        .is_access_token_active(new.access_token.expose_secret()));
    assert_eq!(app.mock.works_of(&who), 1);
}

#[tokio::test]
async fn a_record_with_1200_works_loads_in_one_call_and_pages() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = OrcidId::parse(orcid_sim::PROLIFIC_AUTHOR_ORCID).unwrap();
    app.sign_in_as(&client, &who, "").await;
    let before = app.mock.member_api_requests();
    let html = ok(app.get_text(&client, "/me").await);
    assert_eq!(
        app.mock.member_api_requests() - before,
        1,
        "one GET /works for 1,200 works"
    );
    assert!(html.contains("Page 1 of"), "paged");
    let groups = html.matches("class=\"work-group\"").count();
    assert_eq!(groups, 50);
    let page2 = client
        .get(app.url("/me?page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page2.contains("Page 2 of"));
    assert_ne!(put_codes_on(&html), put_codes_on(&page2));
    // Later views come from the cache: no more calls.
    ok(app.get_text(&client, "/me").await);
    assert_eq!(app.mock.member_api_requests() - before, 1);
}

#[tokio::test]
async fn works_forms_need_csrf_and_only_ours_can_change() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let res = app
        .post_fields(
            &client,
            "/me/works/new",
            &with_token("forged", &work_form("X", "10.1/x")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let planted = app.mock.add_work_from_source(&who, "Scopus", Some("APP-SCOPUS0000000001"), serde_json::json!({
        "title": {"title": {"value": "Theirs"}}, "type": "book",
        "external-ids": {"external-id": [{"external-id-type": "isbn", "external-id-value": "978-3-16-148410-0",
            "external-id-relationship": "self"}]}
    }));
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    for path in [
        format!("/me/works/{planted}/edit"),
        format!("/me/works/{planted}/delete"),
    ] {
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .post_form(&client, "/me", &format!("/me/works/{planted}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.mock.works_of(&who), 1);
}

#[tokio::test]
async fn the_person_is_read_from_the_member_api() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    let person = app
        .state
        .orcid
        .person(&tokens.access_token, &who)
        .await
        .unwrap();
    let name = person.name.expect("a name");
    assert_eq!(name.display().as_deref(), Some("Ada Lovelace"));

    // Another researcher's record with this token: ORCID's 401/9017.
    let other = app.mock.add_researcher("Grace", "Hopper");
    let err = app
        .state
        .orcid
        .person(&tokens.access_token, &other)
        .await
        .unwrap_err();
    assert!(matches!(err, orcid::ApiError::WrongRecord), "{err:?}");
}
