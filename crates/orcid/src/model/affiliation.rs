//! Affiliations (common-3.0.xsd `affiliation`): the one type behind the seven v3.0
//! sections (employment, education, qualification, invited-position, distinction,
//! membership, service), its organisation, and the section enum. Read and written at
//! `/v3.0/{orcid}/{section}[/{put-code}]` (orcid-api.md §11).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::common::{nullable, opt_text, opt_value, ExternalIds, FuzzyDate, Source, Value};

/// One of the seven affiliation sections of a v3.0 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AffiliationSection {
    Employment,
    Education,
    Qualification,
    InvitedPosition,
    Distinction,
    Membership,
    Service,
}

impl AffiliationSection {
    /// Every section, in the order ORCID's record page lists them.
    pub const ALL: [AffiliationSection; 7] = [
        AffiliationSection::Employment,
        AffiliationSection::Education,
        AffiliationSection::Qualification,
        AffiliationSection::InvitedPosition,
        AffiliationSection::Distinction,
        AffiliationSection::Membership,
        AffiliationSection::Service,
    ];

    /// The singular path segment and element name: `employment`, `invited-position`, …
    pub fn as_str(self) -> &'static str {
        match self {
            AffiliationSection::Employment => "employment",
            AffiliationSection::Education => "education",
            AffiliationSection::Qualification => "qualification",
            AffiliationSection::InvitedPosition => "invited-position",
            AffiliationSection::Distinction => "distinction",
            AffiliationSection::Membership => "membership",
            AffiliationSection::Service => "service",
        }
    }

    /// The grouped-summary path segment and `activities-summary` key: `employments`, …
    pub fn plural(self) -> &'static str {
        match self {
            AffiliationSection::Employment => "employments",
            AffiliationSection::Education => "educations",
            AffiliationSection::Qualification => "qualifications",
            AffiliationSection::InvitedPosition => "invited-positions",
            AffiliationSection::Distinction => "distinctions",
            AffiliationSection::Membership => "memberships",
            AffiliationSection::Service => "services",
        }
    }

    /// The key of a summary inside an `affiliation-group`: `employment-summary`, …
    pub fn summary_key(self) -> &'static str {
        match self {
            AffiliationSection::Employment => "employment-summary",
            AffiliationSection::Education => "education-summary",
            AffiliationSection::Qualification => "qualification-summary",
            AffiliationSection::InvitedPosition => "invited-position-summary",
            AffiliationSection::Distinction => "distinction-summary",
            AffiliationSection::Membership => "membership-summary",
            AffiliationSection::Service => "service-summary",
        }
    }

    /// The section named by its singular or plural path segment.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.plural() == s)
    }

    /// The section whose summary key this is (`employment-summary` → employment).
    pub fn from_summary_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.summary_key() == key)
    }

    /// Employment and education need a disambiguated organisation with an identifier
    /// (9045) and a city and country (9060); the other five need less (orcid-api.md §11).
    pub fn needs_disambiguated_org(self) -> bool {
        matches!(
            self,
            AffiliationSection::Employment | AffiliationSection::Education
        )
    }
}

impl fmt::Display for AffiliationSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A full affiliation, and also its summary (`{section}-summary` has the same fields plus
/// `display-index`). Build one with `Affiliation { organization: Some(…), ..Default::default() }`
/// and send [`Affiliation::for_create`] or [`Affiliation::for_write`].
///
/// Reading is lenient and writing strict, as for works: absent fields are never written as
/// `null`, and server-set fields are stripped before a write.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Affiliation {
    /// Server-set; epoch milliseconds.
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date: Option<Value<i64>>,
    /// Server-set; epoch milliseconds.
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    /// Server-set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Required in a PUT body (9019); forbidden in a POST (9024).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub put_code: Option<i64>,
    /// A plain string, at most 4,000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// A plain string, at most 4,000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<FuzzyDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<FuzzyDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    /// Summaries only: a string in JSON; the researcher's preferred member has the highest.
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub display_index: Option<String>,
    /// Server-set, e.g. `/0000-0002-1825-0097/employment/1234`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Server-set: `private | limited | registered-only | public`. Changing it is 403, 9035.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

impl Affiliation {
    /// A copy holding only what ORCID accepts from a client: `source`, the dates, `path`,
    /// `visibility`, `display-index` and the transient `external-id-normalized*` are
    /// removed. `put-code` is kept (a PUT needs it).
    pub fn for_write(&self) -> Affiliation {
        let mut a = self.clone();
        a.source = None;
        a.created_date = None;
        a.last_modified_date = None;
        a.path = None;
        a.visibility = None;
        a.display_index = None;
        if let Some(ids) = &mut a.external_ids {
            for id in &mut ids.external_id {
                id.external_id_normalized = None;
                id.external_id_normalized_error = None;
            }
        }
        a
    }

    /// [`Affiliation::for_write`] without the put-code: the body of a POST.
    pub fn for_create(&self) -> Affiliation {
        Affiliation {
            put_code: None,
            ..self.for_write()
        }
    }

    /// The organisation's name, trimmed; `None` when missing or blank.
    pub fn organization_name(&self) -> Option<&str> {
        let name = self.organization.as_ref()?.name.trim();
        (!name.is_empty()).then_some(name)
    }
}

/// `organization`: name, address and (for employment and education, required) the
/// disambiguated organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Organization {
    /// A plain string, at most 4,000 characters.
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<OrganizationAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disambiguated_organization: Option<DisambiguatedOrganization>,
}

/// `address`: plain strings; `country` is ISO 3166-1 alpha-2 (see [`crate::countries`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct OrganizationAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `disambiguated-organization`: a ROR id is written in full (`https://ror.org/0…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct DisambiguatedOrganization {
    #[serde(deserialize_with = "nullable")]
    pub disambiguated_organization_identifier: String,
    pub disambiguation_source: DisambiguationSource,
}

/// Who issued a disambiguated organisation id. ORCID accepts ROR, RINGGOLD, GRID, FUNDREF
/// and LEI; any other value read from ORCID is kept as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum DisambiguationSource {
    #[default]
    Ror,
    Ringgold,
    Grid,
    Fundref,
    Lei,
    Other(String),
}

impl DisambiguationSource {
    pub fn as_str(&self) -> &str {
        match self {
            DisambiguationSource::Ror => "ROR",
            DisambiguationSource::Ringgold => "RINGGOLD",
            DisambiguationSource::Grid => "GRID",
            DisambiguationSource::Fundref => "FUNDREF",
            DisambiguationSource::Lei => "LEI",
            DisambiguationSource::Other(s) => s,
        }
    }

    /// One of the five sources ORCID accepts on write.
    pub fn is_known(&self) -> bool {
        !matches!(self, DisambiguationSource::Other(_))
    }
}

impl From<String> for DisambiguationSource {
    fn from(s: String) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "ROR" => DisambiguationSource::Ror,
            "RINGGOLD" => DisambiguationSource::Ringgold,
            "GRID" => DisambiguationSource::Grid,
            "FUNDREF" => DisambiguationSource::Fundref,
            "LEI" => DisambiguationSource::Lei,
            _ => DisambiguationSource::Other(s),
        }
    }
}

impl From<DisambiguationSource> for String {
    fn from(s: DisambiguationSource) -> Self {
        s.as_str().to_string()
    }
}
