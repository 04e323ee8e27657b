//! Affiliations on /me: read from ORCID with the works in one call per refresh, grouped
//! by section as ORCID groups them, the institution's own marked.

use orcid::model::{Affiliation, AffiliationSection, FuzzyDate, Organization, OrganizationAddress};
use orcid_sim::{
    Fault, DEMO_ORG_NAME, HR_FEED_NAME, SEEDED_EDUCATION_PUT_CODE, SEEDED_EMPLOYMENT_DEPARTMENT,
    SEEDED_EMPLOYMENT_PUT_CODE, SEEDED_EMPLOYMENT_ROLE_TITLE,
};

use crate::affiliation_steps::{article, sofia_signed_in};
use crate::common::{ok, TestApp};

fn planted(org: &str, country: &str, role: &str) -> Affiliation {
    Affiliation {
        role_title: Some(role.into()),
        start_date: Some(FuzzyDate::new("2015", Some("09"), None)),
        end_date: Some(FuzzyDate::new("2018", None, None)),
        organization: Some(Organization {
            name: org.into(),
            address: Some(OrganizationAddress {
                city: Some("Sydney".into()),
                region: None,
                country: Some(country.into()),
            }),
            disambiguated_organization: None,
        }),
        ..Affiliation::default()
    }
}

/// A metric's value in the Prometheus text, 0 when absent.
fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_demo_researchers_employment_is_marked_as_the_institutions() {
    let (app, client, _sofia) = sofia_signed_in().await;

    let html = ok(app.get_text(&client, "/me").await);

    assert!(html.contains("id=\"affiliations-title\""), "{html}");
    assert!(html.contains("<h3 id=\"affiliations-employment\">Employment</h3>"));
    assert!(html.contains("<h3 id=\"affiliations-education\">Education</h3>"));
    for empty in [
        "Qualifications",
        "Invited positions",
        "Distinctions",
        "Memberships",
    ] {
        assert!(
            !html.contains(&format!(">{empty}</h3>")),
            "no heading for {empty}"
        );
    }
    let employment = article(&html, SEEDED_EMPLOYMENT_PUT_CODE);
    assert!(
        employment.contains(SEEDED_EMPLOYMENT_ROLE_TITLE),
        "{employment}"
    );
    assert!(employment.contains(DEMO_ORG_NAME));
    assert!(employment.contains(SEEDED_EMPLOYMENT_DEPARTMENT));
    assert!(employment.contains("2019-02-01 to present"), "{employment}");
    assert!(employment.contains("Wellington, NZ"));
    assert!(employment.contains(&format!("Source: {HR_FEED_NAME}")));
    assert!(
        employment.contains("from Your institution"),
        "the demo institution's own, by its ROR id: {employment}"
    );
    let education = article(&html, SEEDED_EDUCATION_PUT_CODE);
    assert!(education.contains("2012-03 to 2016-11"), "{education}");
    assert!(!education.contains("from Your institution"), "{education}");
    let employment_at = html.find("affiliations-employment").unwrap();
    let education_at = html.find("affiliations-education").unwrap();
    assert!(employment_at < education_at, "ORCID's order of sections");
}

#[tokio::test]
async fn an_affiliation_from_another_source_is_shown_unmarked() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Grace", "Hopper");
    let elsewhere = app.mock.add_affiliation_from_source(
        &who,
        AffiliationSection::Employment,
        "Another HR system",
        Some("APP-ANOTHERHRSYS0001"),
        &planted("Another University", "AU", "Research Fellow"),
    );
    // Same name as the institution, another country: not the institution.
    let namesake = app.mock.add_affiliation_from_source(
        &who,
        AffiliationSection::Membership,
        "Grace Hopper",
        None,
        &planted(DEMO_ORG_NAME, "AU", "Member"),
    );
    // Same name and country, no id: the institution.
    let by_name = app.mock.add_affiliation_from_source(
        &who,
        AffiliationSection::Service,
        "Grace Hopper",
        None,
        &planted(DEMO_ORG_NAME, "NZ", "Committee member"),
    );
    app.sign_in_as(&client, &who, "").await;

    let html = ok(app.get_text(&client, "/me").await);

    let other = article(&html, elsewhere);
    assert!(
        other.contains("Research Fellow, Another University"),
        "{other}"
    );
    assert!(other.contains("2015-09 to 2018"));
    assert!(other.contains("Source: Another HR system"));
    assert!(!other.contains("from Your institution"), "{other}");
    assert!(!article(&html, namesake).contains("from Your institution"));
    assert!(article(&html, by_name).contains("from Your institution"));
    assert!(html.contains(">Memberships</h3>") && html.contains(">Service</h3>"));
    assert!(!html.contains(">Education</h3>"), "no empty sections");
}

#[tokio::test]
async fn a_refresh_reads_works_and_affiliations_in_one_call() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let calls = app.mock.member_api_requests();
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("There are no affiliations on your ORCID record yet."));
    assert_eq!(
        app.mock.member_api_requests() - calls,
        1,
        "the first /me: one read"
    );

    let added = app.mock.add_affiliation_from_source(
        &who,
        AffiliationSection::Education,
        "Another University",
        Some("APP-ANOTHERHRSYS0001"),
        &planted("Another University", "AU", "PhD"),
    );
    let calls = app.mock.member_api_requests();
    let res = app
        .post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        app.mock.member_api_requests() - calls,
        1,
        "one read for the refresh (the form's page came from the cache)"
    );
    let html = ok(app.get_text(&client, "/me").await);
    assert!(article(&html, added).contains("PhD, Another University"));

    let metrics = app.metrics().await;
    let reads = |endpoint: &str| {
        metric(
            &metrics,
            &format!(r#"idlink_orcid_calls_total{{endpoint="{endpoint}",outcome="ok"}}"#),
        )
    };
    assert_eq!(
        reads("activities"),
        2,
        "both refreshes read /activities\n{metrics}"
    );
    assert_eq!(reads("works"), 0, "no separate works read\n{metrics}");
    assert_eq!(reads("affiliations"), 0, "no per-section read\n{metrics}");

    // Replaced per refresh: gone at ORCID, gone from the page.
    assert!(app.mock.remove_affiliation(&who, added));
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    let html = ok(app.get_text(&client, "/me").await);
    assert!(!html.contains(&format!("data-affiliation-put-code=\"{added}\"")));
}

#[tokio::test]
async fn a_works_only_read_before_a_bulk_push_leaves_affiliations_to_the_next_page_view() {
    let (app, client, sofia) = sofia_signed_in().await;
    app.state
        .works
        .refresh_works(&sofia)
        .await
        .expect("works read");
    let calls = app.mock.member_api_requests();

    let html = ok(app.get_text(&client, "/me").await);

    assert_eq!(
        app.mock.member_api_requests() - calls,
        1,
        "one read of the record"
    );
    assert!(html.contains(&format!(
        "data-affiliation-put-code=\"{SEEDED_EMPLOYMENT_PUT_CODE}\""
    )));
}

#[tokio::test]
async fn a_record_not_yet_read_says_so_and_keeps_its_affiliations_when_orcid_is_away() {
    let (app, client, _sofia) = sofia_signed_in().await;
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 500,
        times: 1000,
    }));

    let html = ok(app.get_text(&client, "/me").await);
    assert!(
        html.contains("Your affiliations have not been read from ORCID yet."),
        "{html}"
    );
    assert!(!html.contains("There are no affiliations on your ORCID record"));

    app.mock.set_fault(None);
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 500,
        times: 1000,
    }));
    app.post_form(&client, "/me", "/me/works/refresh", &[])
        .await;
    let html = ok(app.get_text(&client, "/me").await);
    assert!(html.contains("could not be reached"), "{html}");
    assert!(
        html.contains(&format!(
            "data-affiliation-put-code=\"{SEEDED_EMPLOYMENT_PUT_CODE}\""
        )),
        "a failed refresh leaves the cached affiliations"
    );
}
