//! The affiliations upload's checks, row by row.

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

const LIMITS: Limits = Limits {
    max_rows: 100,
    max_columns: 20,
};

#[test]
fn rows_in_any_column_order_become_affiliations() {
    let file = "role_title,orcid,affiliation_type,start_year,start_month\n\
                Lecturer,0000-0002-1825-0097,Employment,2020,3\n";
    let parsed = parse(file.as_bytes(), &org(), &LIMITS).unwrap();
    assert!(
        parsed.findings.kept().is_empty(),
        "{:?}",
        parsed.findings.kept()
    );
    let row = &parsed.rows[0];
    assert_eq!(row.section, AffiliationSection::Employment);
    assert_eq!(row.affiliation.role_title.as_deref(), Some("Lecturer"));
    let start = row.affiliation.start_date.as_ref().unwrap();
    assert_eq!(start.parts(), [Some("2020"), Some("03"), None]);
    assert_eq!(row.title(), "employment: Lecturer (since 2020-03)");
}

#[test]
fn each_problem_names_its_column_in_plain_words() {
    let file = "orcid,affiliation_type,start_year,start_month,end_year,external_id_type,external_id_value\n\
                0000-0002-1825-0097,employment,2020,13,,,x\n\
                0000-0002-1825-0097,education,2020,,2019,,\n\
                0000-0002-1825-0096,employment,,,,,\n\
                0000-0002-1825-0097,job,2020,,,,\n";
    let parsed = parse(file.as_bytes(), &org(), &LIMITS).unwrap();
    let found: Vec<(i64, String)> = parsed
        .findings
        .kept()
        .iter()
        .map(|e| (e.line, e.column.clone()))
        .collect();
    assert!(found.contains(&(5, "affiliation_type".into())), "{found:?}");
    assert!(found.contains(&(2, "start_month".into())), "{found:?}");
    assert!(found.contains(&(2, "external_id_type".into())), "{found:?}");
    assert!(found.contains(&(3, "end_year".into())), "{found:?}");
    assert!(found.contains(&(4, "orcid".into())), "{found:?}");
    assert!(parsed.rows.is_empty());
}

#[test]
fn a_second_row_with_the_same_meaning_is_reported() {
    let file = "orcid,affiliation_type,role_title,start_year\n\
                0000-0002-1825-0097,employment,Lecturer,2020\n\
                0000-0002-1825-0097,employment,  lecturer ,2020\n";
    let parsed = parse(file.as_bytes(), &org(), &LIMITS).unwrap();
    assert_eq!(parsed.rows.len(), 1);
    assert!(parsed.findings.kept()[0]
        .message
        .contains("Duplicate of line 2"));
}

#[test]
fn a_missing_required_column_names_the_affiliation_columns() {
    let err = parse(b"orcid,role_title\nx,y\n", &org(), &LIMITS).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("“affiliation_type”"), "{text}");
    assert!(text.contains("external_id_value"), "{text}");
}
