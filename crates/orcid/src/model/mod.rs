//! The ORCID Member API v3.0 JSON data model (works, works summary, bulk, affiliations and
//! their groups, errors, record and activities).
//!
//! Field names and shapes come from orcid-model's `work-3.0.xsd`, `common-3.0.xsd`,
//! `bulk-3.0.xsd` and `error-3.0.xsd`, checked against the captured samples in
//! `samples/` (see orcid-api.md §6–§8).
//!
//! Two rules shape every type here:
//! - **Reading is lenient.** ORCID writes `null` for absent fields and adds fields over time,
//!   so every field may be `null` or missing and unknown fields are ignored. A `{"value": …}`
//!   wrapper is also accepted as a bare value (ORCID's own bulk sample sends
//!   `"url": "https://…"` and `"subtitle": "…"`).
//! - **Writing is strict.** ORCID rejects unknown properties (400, error 9047), so nothing is
//!   serialised as `null`, and [`Work::for_write`] strips what only ORCID may set.

mod affiliation;
mod affiliation_groups;
mod common;
mod record;
mod work;
mod works;

#[cfg(test)]
mod tests_affiliation;
#[cfg(test)]
mod tests_read;
#[cfg(test)]
mod tests_work;
#[cfg(test)]
mod tests_xml;

pub use affiliation::{
    Affiliation, AffiliationSection, DisambiguatedOrganization, DisambiguationSource, Organization,
    OrganizationAddress,
};
pub use affiliation_groups::{AffiliationGroup, AffiliationGroups, AffiliationSummary};
pub use common::{
    ClientIdentifier, ExternalId, ExternalIds, FuzzyDate, OrcidIdentifier, Source, TransientError,
    TransientValue, Value,
};
pub use record::{ActivitiesSummary, Biography, Email, Emails, Name, Person, Record};
pub use work::{
    Citation, Contributor, ContributorAttributes, Contributors, PublicationDate, TranslatedTitle,
    Work, WorkTitle, WORK_PROPERTIES,
};
pub use works::{
    BulkItem, BulkRequest, BulkResponse, BulkWork, OrcidErrorBody, WorkGroup, WorkSummary, Works,
    MAX_BULK,
};

/// Reads and parses a file of the crate's vendored `samples/` (see `samples/SOURCES.md`).
#[cfg(test)]
#[track_caller]
fn sample<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/");
    let text = std::fs::read_to_string(format!("{DIR}{rel}"))
        .unwrap_or_else(|e| panic!("reading sample {rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing sample {rel}: {e}"))
}
