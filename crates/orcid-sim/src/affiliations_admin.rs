//! Affiliations seen from tests and the demo: planting one the way another source (or the
//! researcher) adds it at ORCID, listing what a record holds, and the researcher's deletion.

use orcid::model::{Affiliation, AffiliationSection};
use orcid::OrcidId;

use super::works_model::{Visibility, WorkSource};
use super::MockOrcid;

/// One affiliation as the simulation stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimAffiliation {
    pub section: AffiliationSection,
    pub put_code: i64,
    pub source_name: String,
    /// None when the researcher added it.
    pub source_client_id: Option<String>,
    /// `public`, `limited`, `registered-only` or `private`.
    pub visibility: String,
    /// What a client may write (no put-code, source or dates).
    pub affiliation: Affiliation,
}

impl MockOrcid {
    /// Plants an affiliation on `orcid`'s record as if `source_name` had added it: a client
    /// when `source_client_id` is given, else the researcher. Its `visibility` is honoured
    /// (public when absent); it is not validated. Returns the new put-code.
    pub fn add_affiliation_from_source(
        &self,
        orcid: &OrcidId,
        section: AffiliationSection,
        source_name: &str,
        source_client_id: Option<&str>,
        affiliation: &Affiliation,
    ) -> i64 {
        let visibility = affiliation
            .visibility
            .as_deref()
            .and_then(Visibility::parse)
            .unwrap_or(Visibility::Public);
        let source = WorkSource {
            client_id: source_client_id.map(str::to_owned),
            name: source_name.to_owned(),
        };
        let mut st = self.inner.lock_or_recover();
        let put_code = st.affiliations.create(
            *orcid,
            section,
            source,
            affiliation.for_create(),
            visibility,
        );
        self.inner.persist(&st);
        put_code
    }

    /// Every affiliation on `orcid`'s record, all sections and sources, by put-code.
    pub fn affiliations_of(&self, orcid: &OrcidId) -> Vec<SimAffiliation> {
        let st = self.inner.lock_or_recover();
        st.affiliations
            .of(orcid)
            .map(|a| SimAffiliation {
                section: a.section,
                put_code: a.put_code,
                source_name: a.source.name.clone(),
                source_client_id: a.source.client_id.clone(),
                visibility: a.visibility.as_str().to_owned(),
                affiliation: a.data.clone(),
            })
            .collect()
    }

    /// The researcher deletes an affiliation in the registry UI. False if there was none.
    pub fn remove_affiliation(&self, orcid: &OrcidId, put_code: i64) -> bool {
        let mut st = self.inner.lock_or_recover();
        let removed = st.affiliations.remove(orcid, put_code).is_some();
        if removed {
            self.inner.persist(&st);
        }
        removed
    }
}
