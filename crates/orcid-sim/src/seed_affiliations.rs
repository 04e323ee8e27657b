//! The seeded researchers' affiliations from other sources, regenerated identically on
//! every start. Sofia Garcia has an employment at the demo institution written by another
//! integration (so the demo and tests show an affiliation that is "already there") and an
//! education she added herself.

use orcid::model::{
    Affiliation, AffiliationSection, DisambiguatedOrganization, DisambiguationSource, FuzzyDate,
    Organization, OrganizationAddress,
};
use orcid::OrcidId;

use super::affiliations_store::StoredAffiliation;
use super::seed_ids::SOFIA_GARCIA_ORCID;
use super::works_model::{Visibility, WorkSource};

/// The demo institution as an ORCID organisation (demo settings can use these values).
pub const DEMO_ORG_NAME: &str = "Example University";
pub const DEMO_ORG_CITY: &str = "Wellington";
pub const DEMO_ORG_COUNTRY: &str = "NZ";
/// A made-up ROR id with a valid checksum.
pub const DEMO_ORG_ROR: &str = "https://ror.org/0examp183";

/// Sofia Garcia's employment at [`DEMO_ORG_NAME`], from [`HR_FEED_NAME`].
pub const SEEDED_EMPLOYMENT_PUT_CODE: i64 = 1_500_001;
pub const SEEDED_EMPLOYMENT_DEPARTMENT: &str = "Department of Chemistry";
pub const SEEDED_EMPLOYMENT_ROLE_TITLE: &str = "Senior Lecturer";
/// Year, month and day of the seeded employment's start.
pub const SEEDED_EMPLOYMENT_START: (&str, &str, &str) = ("2019", "02", "01");
/// The other integration that wrote the seeded employment.
pub const HR_FEED_CLIENT_ID: &str = "APP-HRFEEDEXAMPLE001";
pub const HR_FEED_NAME: &str = "Example University HR feed";

/// Sofia Garcia's education, added by herself.
pub const SEEDED_EDUCATION_PUT_CODE: i64 = 1_500_002;

/// Seeded items are dated 2024-01-01 (epoch milliseconds).
const SEEDED_MS: u64 = 1_704_067_200_000;

fn organization(name: &str, city: &str, source: DisambiguationSource, id: &str) -> Organization {
    Organization {
        name: name.to_owned(),
        address: Some(OrganizationAddress {
            city: Some(city.to_owned()),
            region: None,
            country: Some(DEMO_ORG_COUNTRY.to_owned()),
        }),
        disambiguated_organization: Some(DisambiguatedOrganization {
            disambiguated_organization_identifier: id.to_owned(),
            disambiguation_source: source,
        }),
    }
}

fn stored(
    orcid: OrcidId,
    put_code: i64,
    section: AffiliationSection,
    source: WorkSource,
    data: Affiliation,
) -> StoredAffiliation {
    StoredAffiliation {
        put_code,
        orcid,
        section,
        source,
        created: SEEDED_MS,
        modified: SEEDED_MS,
        visibility: Visibility::Public,
        data,
        seeded: true,
    }
}

/// The seeded affiliations of `id` (none for most researchers).
pub(crate) fn affiliations_for(id: &OrcidId) -> Vec<StoredAffiliation> {
    if id.as_str() != SOFIA_GARCIA_ORCID {
        return Vec::new();
    }
    let (y, m, d) = SEEDED_EMPLOYMENT_START;
    let employment = Affiliation {
        department_name: Some(SEEDED_EMPLOYMENT_DEPARTMENT.to_owned()),
        role_title: Some(SEEDED_EMPLOYMENT_ROLE_TITLE.to_owned()),
        start_date: Some(FuzzyDate::new(y, Some(m), Some(d))),
        organization: Some(organization(
            DEMO_ORG_NAME,
            DEMO_ORG_CITY,
            DisambiguationSource::Ror,
            DEMO_ORG_ROR,
        )),
        ..Affiliation::default()
    };
    let education = Affiliation {
        department_name: Some("School of Physical Sciences".to_owned()),
        role_title: Some("PhD".to_owned()),
        start_date: Some(FuzzyDate::new("2012", Some("03"), None)),
        end_date: Some(FuzzyDate::new("2016", Some("11"), None)),
        organization: Some(organization(
            "Northern Institute of Technology",
            "Auckland",
            DisambiguationSource::Ringgold,
            "385123",
        )),
        ..Affiliation::default()
    };
    vec![
        stored(
            *id,
            SEEDED_EMPLOYMENT_PUT_CODE,
            AffiliationSection::Employment,
            WorkSource {
                client_id: Some(HR_FEED_CLIENT_ID.to_owned()),
                name: HR_FEED_NAME.to_owned(),
            },
            employment,
        ),
        stored(
            *id,
            SEEDED_EDUCATION_PUT_CODE,
            AffiliationSection::Education,
            WorkSource {
                client_id: None,
                name: "Sofia Garcia".to_owned(),
            },
            education,
        ),
    ]
}
