//! The record (`GET /v3.0/{orcid}/record`), the person (`GET /person`) and e-mails
//! (`GET /email`): only the parts idlink shows; every other section is ignored.

use serde::{Deserialize, Serialize};

use super::affiliation::AffiliationSection;
use super::affiliation_groups::{AffiliationGroups, AffiliationSummary};
use super::common::{nullable, opt_value, OrcidIdentifier, Source, Value};
use super::works::Works;
use crate::OrcidId;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Record {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orcid_identifier: Option<OrcidIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities_summary: Option<ActivitiesSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Record {
    pub fn orcid_id(&self) -> Option<OrcidId> {
        self.orcid_identifier.as_ref()?.orcid_id()
    }

    pub fn works(&self) -> Option<&Works> {
        self.activities_summary.as_ref()?.works.as_ref()
    }

    /// The researcher's published name, see [`Name::display`].
    pub fn display_name(&self) -> Option<String> {
        self.person.as_ref()?.name.as_ref()?.display()
    }
}

/// `activities-summary`: works and the seven affiliation sections, also the body of
/// `GET /v3.0/{orcid}/activities` (fundings, peer reviews… are ignored when reading).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ActivitiesSummary {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinctions: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub educations: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employments: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_positions: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memberships: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifications: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<AffiliationGroups>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub works: Option<Works>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl ActivitiesSummary {
    /// One affiliation section's groups, if ORCID sent the section.
    pub fn section(&self, section: AffiliationSection) -> Option<&AffiliationGroups> {
        match section {
            AffiliationSection::Employment => self.employments.as_ref(),
            AffiliationSection::Education => self.educations.as_ref(),
            AffiliationSection::Qualification => self.qualifications.as_ref(),
            AffiliationSection::InvitedPosition => self.invited_positions.as_ref(),
            AffiliationSection::Distinction => self.distinctions.as_ref(),
            AffiliationSection::Membership => self.memberships.as_ref(),
            AffiliationSection::Service => self.services.as_ref(),
        }
    }

    /// Every affiliation summary of every section, section by section in
    /// [`AffiliationSection::ALL`] order.
    pub fn affiliations(&self) -> impl Iterator<Item = &AffiliationSummary> {
        AffiliationSection::ALL
            .into_iter()
            .filter_map(|s| self.section(s))
            .flat_map(AffiliationGroups::summaries)
    }
}

/// `person`, reduced to name, biography and e-mails.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Person {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biography: Option<Biography>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Emails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Name {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub given_names: Option<Value<String>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub family_name: Option<Value<String>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub credit_name: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Name {
    /// The credit name if set, else "given family" (either part may be missing), as the
    /// ORCID registry displays it; `None` when the name is not visible to the caller.
    pub fn display(&self) -> Option<String> {
        fn part(v: &Option<Value<String>>) -> Option<&str> {
            v.as_ref()
                .map(|v| v.as_str().trim())
                .filter(|s| !s.is_empty())
        }
        if let Some(credit) = part(&self.credit_name) {
            return Some(credit.to_string());
        }
        let full = [part(&self.given_names), part(&self.family_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!full.is_empty()).then_some(full)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Biography {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

/// `emails` (also the whole body of `GET /email`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Emails {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(deserialize_with = "nullable")]
    pub email: Vec<Email>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Emails {
    /// The primary address if it is visible, else the first verified one.
    pub fn preferred(&self) -> Option<&str> {
        let pick = |f: &dyn Fn(&Email) -> bool| {
            self.email
                .iter()
                .find(|e| f(e))
                .and_then(|e| e.email.as_deref())
        };
        pick(&|e| e.primary).or_else(|| pick(&|e| e.verified))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Email {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub primary: bool,
    #[serde(deserialize_with = "nullable")]
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}
