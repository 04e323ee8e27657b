use super::*;
use crate::store::CachedSection;
use orcid::model::{DisambiguatedOrganization, DisambiguationSource, OrganizationAddress};

const IDLINK: &str = "APP-IDLINKDEMO000000";

fn institution() -> Organization {
    Organization {
        name: "Example University".into(),
        address: Some(OrganizationAddress {
            city: Some("Wellington".into()),
            region: None,
            country: Some("NZ".into()),
        }),
        disambiguated_organization: Some(DisambiguatedOrganization {
            disambiguated_organization_identifier: "https://ror.org/0examp183".into(),
            disambiguation_source: DisambiguationSource::Ror,
        }),
    }
}

fn item(put_code: i64, source: &str) -> CachedAffiliation {
    CachedAffiliation {
        section: CachedSection::Employment,
        put_code,
        group_index: 0,
        position: 0,
        org_name: "Example University".into(),
        org_city: Some("Wellington".into()),
        org_region: None,
        org_country: Some("NZ".into()),
        org_id: Some("https://ror.org/0examp183".into()),
        org_id_source: Some("ROR".into()),
        department: Some("Chemistry".into()),
        role_title: Some("Lecturer".into()),
        start_year: Some("2019".into()),
        start_month: Some("02".into()),
        start_day: None,
        end_year: None,
        end_month: None,
        end_day: None,
        source_name: Some(source.into()),
        source_client_id: Some(source.into()),
        visibility: None,
    }
}

fn meaning() -> Meaning {
    Meaning::of(&item(0, IDLINK))
}

fn ours(i: &CachedAffiliation) -> bool {
    i.source_client_id.as_deref() == Some(IDLINK)
}

#[test]
fn idlinks_own_equal_item_needs_nothing() {
    let record = [item(7, IDLINK)];
    let mut m = meaning();
    m.role_title = Some("  lecturer ".into());
    m.start[1] = Some("2".into());
    assert_eq!(
        m.find(&record, &institution(), ours),
        Some(Match::Idlinks {
            put_code: 7,
            changed: false
        })
    );
}

#[test]
fn idlinks_own_item_with_another_end_date_is_updated() {
    let record = [item(7, IDLINK)];
    let mut m = meaning();
    m.end = [Some("2024".into()), Some("06".into()), None];
    assert_eq!(
        m.find(&record, &institution(), ours),
        Some(Match::Idlinks {
            put_code: 7,
            changed: true
        })
    );
}

#[test]
fn another_department_role_start_or_section_is_another_affiliation() {
    let record = [item(7, IDLINK)];
    let org = institution();
    let mut m = meaning();
    m.department = Some("Physics".into());
    assert_eq!(m.find(&record, &org, ours), None, "department");
    let mut m = meaning();
    m.role_title = Some("Professor".into());
    assert_eq!(m.find(&record, &org, ours), None, "role title");
    let mut m = meaning();
    m.start[0] = Some("2020".into());
    assert_eq!(m.find(&record, &org, ours), None, "start date");
    let mut m = meaning();
    m.start[1] = None;
    assert_eq!(m.find(&record, &org, ours), None, "a less precise start");
    let mut m = meaning();
    m.section = AffiliationSection::Education;
    assert_eq!(m.find(&record, &org, ours), None, "section");
}

#[test]
fn another_sources_item_matches_whatever_its_department() {
    let mut theirs = item(3, "HR feed");
    theirs.department = Some("School of Chemistry".into());
    theirs.end_year = Some("2030".into());
    let m = meaning();
    assert_eq!(
        m.find(&[theirs.clone()], &institution(), ours),
        Some(Match::OtherSource {
            put_code: 3,
            source: "HR feed".into()
        })
    );
    // By name and country when it carries no id.
    theirs.org_id = None;
    theirs.org_id_source = None;
    assert!(matches!(
        m.find(&[theirs.clone()], &institution(), ours),
        Some(Match::OtherSource { .. })
    ));
    theirs.org_country = Some("AU".into());
    assert_eq!(m.find(&[theirs], &institution(), ours), None);
}

#[test]
fn idlinks_own_item_wins_over_another_sources() {
    let record = [item(3, "HR feed"), item(7, IDLINK)];
    assert_eq!(
        meaning().find(&record, &institution(), ours),
        Some(Match::Idlinks {
            put_code: 7,
            changed: false
        })
    );
}

#[test]
fn another_organisation_is_another_affiliation() {
    let mut elsewhere = item(3, "HR feed");
    elsewhere.org_name = "Elsewhere".into();
    elsewhere.org_id = Some("https://ror.org/05qwgg493".into());
    let mut own_elsewhere = elsewhere.clone();
    own_elsewhere.source_client_id = Some(IDLINK.into());
    assert_eq!(
        meaning().find(&[elsewhere, own_elsewhere], &institution(), ours),
        None
    );
}
