use super::*;
use orcid::model::{DisambiguatedOrganization, DisambiguationSource, OrganizationAddress};

fn org() -> Organization {
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

fn form(pairs: &[(&str, &str)]) -> AffiliationForm {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    AffiliationForm::from_pairs(&pairs)
}

fn errors(pairs: &[(&str, &str)]) -> FieldErrors {
    form(pairs)
        .validate(AffiliationSection::Employment, &org())
        .unwrap_err()
}

#[test]
fn a_good_form_becomes_a_draft_with_two_digit_parts() {
    let draft = form(&[
        ("department", " Physics "),
        ("role_title", "Lecturer"),
        ("start_year", "2021"),
        ("start_month", "3"),
        ("start_day", ""),
        ("end_year", ""),
    ])
    .validate(AffiliationSection::Employment, &org())
    .unwrap();
    assert_eq!(draft.department.as_deref(), Some("Physics"));
    assert_eq!(
        draft.start.unwrap().parts(),
        [Some("2021"), Some("03"), None]
    );
    assert_eq!(draft.end, None);
}

#[test]
fn each_rule_names_its_field_and_input() {
    let e = errors(&[("start_year", "21")]);
    assert!(e.get("start").unwrap().starts_with("Start date:"));
    assert!(e.marks("start_year"));
    let e = errors(&[("start_year", "2021"), ("start_month", "13")]);
    assert!(e.marks("start_month"), "{e:?}");
    let e = errors(&[("end_year", "2021"), ("end_month", "02"), ("end_day", "30")]);
    assert!(e.get("end").unwrap().starts_with("End date:"));
    assert!(e.marks("end_day"));
    let e = errors(&[("start_year", "1850")]);
    assert!(e.get("start").unwrap().contains("between 1900 and 2100"));
    let e = errors(&[("start_year", "2022"), ("end_year", "2020")]);
    assert!(e
        .get("end")
        .unwrap()
        .contains("must not be before the start date"));
    let long = "x".repeat(4_001);
    let e = errors(&[("role_title", &long), ("department", &long)]);
    assert!(e.get("role_title").unwrap().starts_with("Role title:"));
    assert!(e.get("department").unwrap().starts_with("Department:"));
}

#[test]
fn the_end_action_fills_in_the_date_only_when_none_is_there() {
    let open = form(&[("start_year", "2020")]).ending_on((2026, 3, 4));
    assert_eq!(open.end.year, "2026");
    assert_eq!(open.end.month, "03");
    assert_eq!(open.end.day, "04");
    let ended = form(&[("end_year", "2024")]).ending_on((2026, 3, 4));
    assert_eq!(ended.end.year, "2024");
    assert_eq!(ended.end.month, "");
}
