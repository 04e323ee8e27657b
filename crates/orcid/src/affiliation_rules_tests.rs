//! Each rule of [`super::check`], on the employment sample and small changes to it.

use super::*;
use crate::model::{ExternalId, ExternalIds, Organization, OrganizationAddress};

fn sample(section: &str) -> Affiliation {
    let path = format!(
        "{}/samples/orcid-model/affiliations/write-{section}-3.0.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn employment() -> Affiliation {
    sample("employment")
}

#[track_caller]
fn codes(section: AffiliationSection, a: &Affiliation) -> Vec<(Field, Option<u32>)> {
    check(section, a)
        .into_iter()
        .map(|p| (p.field, p.orcid_code))
        .collect()
}

fn date(y: &str, m: Option<&str>, d: Option<&str>) -> Option<FuzzyDate> {
    Some(FuzzyDate::new(y, m, d))
}

#[test]
fn every_write_sample_passes() {
    for section in AffiliationSection::ALL {
        let a = sample(section.as_str());
        assert_eq!(check(section, &a), vec![], "{section}");
    }
}

#[test]
fn employment_and_education_need_an_org_id_city_and_country() {
    for section in [
        AffiliationSection::Employment,
        AffiliationSection::Education,
    ] {
        let mut a = employment();
        let org = a.organization.as_mut().unwrap();
        org.disambiguated_organization = None;
        org.address = Some(OrganizationAddress::default());
        assert_eq!(
            codes(section, &a),
            vec![
                (Field::DisambiguatedOrganization, Some(9045)),
                (Field::City, Some(9060)),
                (Field::Country, Some(9060)),
            ]
        );
        a.organization = None;
        assert_eq!(codes(section, &a), vec![(Field::Organization, Some(9045))]);
    }
}

#[test]
fn the_other_five_need_an_org_and_an_org_id_or_external_id() {
    let mut a = employment();
    a.organization = None;
    assert_eq!(
        codes(AffiliationSection::Membership, &a),
        vec![(Field::Organization, Some(9046))]
    );
    let mut a = employment();
    a.organization.as_mut().unwrap().disambiguated_organization = None;
    assert_eq!(
        codes(AffiliationSection::Service, &a),
        vec![],
        "external ids suffice"
    );
    a.external_ids = None;
    assert_eq!(
        codes(AffiliationSection::Service, &a),
        vec![(Field::DisambiguatedOrganization, Some(9062))]
    );
    a.external_ids = Some(ExternalIds {
        external_id: vec![ExternalId::new("grant_number", "g-1", "self")],
    });
    a.organization.as_mut().unwrap().address = Some(OrganizationAddress {
        city: Some("Boston".into()),
        ..OrganizationAddress::default()
    });
    assert_eq!(
        codes(AffiliationSection::Distinction, &a),
        vec![(Field::Country, Some(9061))]
    );
    a.organization.as_mut().unwrap().address = None;
    assert_eq!(
        codes(AffiliationSection::Distinction, &a),
        vec![],
        "no address at all is fine"
    );
}

#[test]
fn dates_need_real_parts_and_years_1900_to_2100() {
    let bad = [
        date("21", None, None),
        date("2021", Some("13"), None),
        date("2021", Some("1"), None),
        date("2021", Some("02"), Some("30")),
        Some(FuzzyDate {
            day: Some(crate::model::Value::new("01".into())),
            ..FuzzyDate::new("2021", None, None)
        }),
        Some(FuzzyDate::default()),
    ];
    for start in bad {
        let a = Affiliation {
            start_date: start.clone(),
            end_date: None,
            ..employment()
        };
        assert_eq!(
            codes(AffiliationSection::Employment, &a),
            vec![(Field::StartDate, Some(9049))],
            "{start:?}"
        );
    }
    for year in ["1899", "2101"] {
        let a = Affiliation {
            end_date: date(year, None, None),
            start_date: None,
            ..employment()
        };
        let problems = check(AffiliationSection::Employment, &a);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].field, problems[0].orcid_code),
            (Field::EndDate, None)
        );
        assert!(
            problems[0].message.contains("between 1900 and 2100"),
            "{}",
            problems[0].message
        );
    }
    let leap = Affiliation {
        start_date: date("2024", Some("02"), Some("29")),
        end_date: None,
        ..employment()
    };
    assert_eq!(codes(AffiliationSection::Employment, &leap), vec![]);
}

#[test]
fn start_must_not_be_after_end() {
    let after = [
        (date("2022", None, None), date("2021", Some("12"), None)),
        (
            date("2021", Some("05"), None),
            date("2021", Some("04"), Some("30")),
        ),
        (
            date("2021", Some("05"), Some("02")),
            date("2021", Some("05"), Some("01")),
        ),
    ];
    for (start, end) in after {
        let a = Affiliation {
            start_date: start,
            end_date: end,
            ..employment()
        };
        assert_eq!(
            codes(AffiliationSection::Employment, &a),
            vec![(Field::EndDate, Some(9055))]
        );
    }
    let fine = [
        (date("2021", Some("05"), None), date("2021", None, None)),
        (
            date("2021", Some("05"), Some("01")),
            date("2021", Some("05"), Some("01")),
        ),
        (date("2021", None, None), date("2021", Some("01"), None)),
    ];
    for (start, end) in fine {
        let a = Affiliation {
            start_date: start,
            end_date: end,
            ..employment()
        };
        assert_eq!(codes(AffiliationSection::Employment, &a), vec![]);
    }
}

#[test]
fn texts_hold_at_most_4000_characters() {
    let long = "é".repeat(MAX_TEXT_CHARS + 1);
    let a = Affiliation {
        department_name: Some(long.clone()),
        role_title: Some("é".repeat(MAX_TEXT_CHARS)),
        ..employment()
    };
    let problems = check(AffiliationSection::Employment, &a);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, Field::DepartmentName);
    assert!(problems[0]
        .message
        .starts_with("Department: at most 4000 characters"));
    let mut a = employment();
    a.organization.as_mut().unwrap().name = long;
    assert_eq!(
        codes(AffiliationSection::Employment, &a),
        vec![(Field::OrganizationName, None)]
    );
}

#[test]
fn country_codes_and_ror_ids_are_checked() {
    let with_org = |country: &str, source: &str, id: &str| {
        let mut a = employment();
        a.organization = Some(Organization {
            name: "Boston University".into(),
            address: Some(OrganizationAddress {
                city: Some("Boston".into()),
                region: None,
                country: Some(country.into()),
            }),
            disambiguated_organization: Some(crate::model::DisambiguatedOrganization {
                disambiguated_organization_identifier: id.into(),
                disambiguation_source: source.to_string().into(),
            }),
        });
        codes(AffiliationSection::Employment, &a)
    };
    assert_eq!(with_org("US", "ROR", "https://ror.org/05qwgg493"), vec![]);
    assert_eq!(with_org("US", "RINGGOLD", "1846"), vec![]);
    assert_eq!(
        with_org("UK", "ROR", "https://ror.org/05qwgg493"),
        vec![(Field::Country, None)]
    );
    assert_eq!(
        with_org("US", "ROR", "https://ror.org/05qwgg494"),
        vec![(Field::DisambiguatedOrganization, None)]
    );
    assert_eq!(
        with_org("US", "ROR", "05qwgg493"),
        vec![(Field::DisambiguatedOrganization, None)],
        "bare form is not what ORCID wants"
    );
    assert_eq!(
        with_org("US", "ISNI", "0000 0004 1936 7558"),
        vec![(Field::DisambiguatedOrganization, None)]
    );
}

#[test]
fn messages_name_the_field_in_plain_words() {
    let mut a = employment();
    a.organization = None;
    a.start_date = date("20x1", None, None);
    for p in check(AffiliationSection::Employment, &a) {
        assert!(p.message.starts_with(p.field.label()), "{}", p.message);
    }
}
