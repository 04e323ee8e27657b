//! Grouped affiliation summaries: `GET /v3.0/{orcid}/{section}s` and each section of
//! `activities-summary` (`affiliation-group` → `summaries` → `{"employment-summary": …}`).

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::affiliation::{Affiliation, AffiliationSection};
use super::common::{nullable, opt_value, ExternalIds, Value};

/// One section's groups, e.g. the body of `GET /v3.0/{orcid}/employments`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct AffiliationGroups {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(deserialize_with = "nullable")]
    pub affiliation_group: Vec<AffiliationGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl AffiliationGroups {
    /// Every summary of every group, in ORCID's order.
    pub fn summaries(&self) -> impl Iterator<Item = &AffiliationSummary> {
        self.affiliation_group
            .iter()
            .flat_map(|g| g.summaries.iter())
    }
}

/// Affiliations ORCID shows as one (shared external ids), one summary per source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct AffiliationGroup {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    #[serde(deserialize_with = "nullable")]
    pub summaries: Vec<AffiliationSummary>,
}

/// One entry of `summaries`: `{"employment-summary": {…}}`, the key naming the section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffiliationSummary {
    pub section: AffiliationSection,
    pub summary: Affiliation,
}

impl Serialize for AffiliationSummary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.section.summary_key(), &self.summary)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for AffiliationSummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let mut found = map
            .into_iter()
            .filter_map(|(k, v)| AffiliationSection::from_summary_key(&k).map(|s| (s, v)));
        let (section, value) = found
            .next()
            .ok_or_else(|| D::Error::custom("no {section}-summary in an affiliation summary"))?;
        let summary = serde_json::from_value(value).map_err(D::Error::custom)?;
        Ok(AffiliationSummary { section, summary })
    }
}
