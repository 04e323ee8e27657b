//! The institution as an ORCID organisation (`ORG_*`): checked at start-up. ORCID refuses
//! employment and education without a disambiguated organisation, a city and a country
//! (orcid-api.md §11), so without them idlink still starts but writes no affiliation.

use orcid::model::{
    AffiliationSection, DisambiguatedOrganization, DisambiguationSource, Organization,
    OrganizationAddress,
};
use orcid::{countries, ror};

/// The demo institution the simulated ORCID seeds. Named here rather than taken from
/// the simulator, which config must not import; a unit test checks that the two agree.
pub const DEMO_ORG_NAME: &str = "Example University";
pub const DEMO_ORG_CITY: &str = "Wellington";
pub const DEMO_ORG_COUNTRY: &str = "NZ";
pub const DEMO_ORG_ROR: &str = "https://ror.org/0examp183";

/// The `ORG_*` settings as typed (blank values count as unset).
pub(super) struct OrgInput<'a> {
    pub name: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub country: Option<&'a str>,
    pub ror: Option<&'a str>,
    pub ringgold: Option<&'a str>,
}

/// The checked organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionOrg {
    /// Everything known of the institution, complete or not: enough to recognise its own
    /// items on a record by id, or by name and country.
    pub known: Organization,
    /// The settings still needed before affiliations may be written, e.g. `ORG_CITY`.
    pub missing: Vec<&'static str>,
}

impl InstitutionOrg {
    /// The organisation every affiliation idlink writes carries; None until complete.
    pub fn writable(&self) -> Option<&Organization> {
        self.missing.is_empty().then_some(&self.known)
    }

    /// Why affiliation writes are off, in words for the operator and staff.
    pub fn missing_message(&self) -> Option<String> {
        (!self.missing.is_empty()).then(|| {
            format!(
                "Affiliations cannot be written to ORCID until {} {} set: ORCID needs the institution's city, country and a ROR or Ringgold id.",
                self.missing.join(", "),
                if self.missing.len() == 1 { "is" } else { "are" }
            )
        })
    }
}

/// `AFFILIATION_FORM_SECTIONS`: section names, comma-separated, each once.
pub(super) fn form_sections(list: &str) -> Result<Vec<AffiliationSection>, String> {
    let mut sections = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let section = AffiliationSection::parse(&name.to_ascii_lowercase()).ok_or_else(|| {
            let all: Vec<&str> = AffiliationSection::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "AFFILIATION_FORM_SECTIONS: {name:?} is not an affiliation section; use some of {}",
                all.join(", ")
            )
        })?;
        if !sections.contains(&section) {
            sections.push(section);
        }
    }
    Ok(sections)
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl OrgInput<'_> {
    /// Whether any setting besides the name is given.
    fn any_place_or_id(&self) -> bool {
        [
            self.city,
            self.region,
            self.country,
            self.ror,
            self.ringgold,
        ]
        .into_iter()
        .any(|v| given(v).is_some())
    }

    /// In demo mode with no place or id given, the simulator's demo institution.
    pub(super) fn or_demo(self, demo: bool) -> Self {
        if !demo || self.any_place_or_id() {
            return self;
        }
        OrgInput {
            name: given(self.name).or(Some(DEMO_ORG_NAME)),
            city: Some(DEMO_ORG_CITY),
            region: None,
            country: Some(DEMO_ORG_COUNTRY),
            ror: Some(DEMO_ORG_ROR),
            ringgold: None,
        }
    }

    /// Checks the values given; `institution_name` stands in for a missing `ORG_NAME`.
    pub(super) fn resolve(self, institution_name: &str) -> Result<InstitutionOrg, String> {
        let name = given(self.name).unwrap_or(institution_name).to_string();
        let country = match given(self.country) {
            None => None,
            Some(c) => {
                let upper = c.to_ascii_uppercase();
                if !countries::is_country_code(&upper) {
                    return Err(format!(
                        "ORG_COUNTRY {c:?} is not an ISO 3166-1 alpha-2 country code, such as NZ, GB or US"
                    ));
                }
                Some(upper)
            }
        };
        let ror = given(self.ror)
            .map(|r| ror::normalize(r).map_err(|e| format!("ORG_ROR {r:?}: {e}")))
            .transpose()?;
        let ringgold = match given(self.ringgold) {
            Some(r) if !r.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(format!(
                    "ORG_RINGGOLD {r:?} must be the institution's Ringgold id, digits only"
                ))
            }
            r => r.map(str::to_string),
        };
        // ROR is preferred when both are given.
        let disambiguated = match (ror, ringgold) {
            (Some(id), _) => Some((id, DisambiguationSource::Ror)),
            (None, Some(id)) => Some((id, DisambiguationSource::Ringgold)),
            (None, None) => None,
        }
        .map(|(id, source)| DisambiguatedOrganization {
            disambiguated_organization_identifier: id,
            disambiguation_source: source,
        });
        let city = given(self.city).map(str::to_string);
        let missing = [
            ("ORG_CITY", city.is_none()),
            ("ORG_COUNTRY", country.is_none()),
            ("ORG_ROR or ORG_RINGGOLD", disambiguated.is_none()),
        ]
        .into_iter()
        .filter_map(|(setting, absent)| absent.then_some(setting))
        .collect();
        Ok(InstitutionOrg {
            known: Organization {
                name,
                address: Some(OrganizationAddress {
                    city,
                    region: given(self.region).map(str::to_string),
                    country,
                }),
                disambiguated_organization: disambiguated,
            },
            missing,
        })
    }
}

#[cfg(test)]
#[path = "org_tests.rs"]
mod tests;
