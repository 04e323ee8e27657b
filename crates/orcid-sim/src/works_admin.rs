//! The simulation's Member API seen from tests and the demo: rate limit, request count,
//! planting and removing works the way other sources and the researcher do at ORCID.

use super::{work_conform, work_schema, works_model, MockOrcid};
use orcid::OrcidId;

impl MockOrcid {
    /// Limits Member API calls per client to a token bucket of `(per second, burst)`;
    /// None turns the limit off. The default is ORCID's 24 a second, burst 40.
    pub fn set_rate_limit(&self, limit: Option<(u32, u32)>) {
        let mut rate = self
            .inner
            .api
            .rate
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        rate.set(limit);
    }

    /// Number of Member API (`/v3.0/…`) requests received (any outcome).
    pub fn member_api_requests(&self) -> usize {
        self.inner.hooks.api_requests()
    }

    /// Plants a work on `orcid`'s record as if `source_name` had added it: a client when
    /// `source_client_id` is given, else the researcher themself. `work` is v3.0 work JSON
    /// (title, type, external-ids …; a `visibility` is honoured, other server fields are
    /// ignored). It is not validated. Returns the new put-code.
    pub fn add_work_from_source(
        &self,
        orcid: &OrcidId,
        source_name: &str,
        source_client_id: Option<&str>,
        work: serde_json::Value,
    ) -> i64 {
        let raw = work.to_string();
        let conformed = work_conform::conform(&raw, &work, &work_schema::WORK).unwrap_or(work);
        let visibility = conformed
            .get("visibility")
            .and_then(serde_json::Value::as_str)
            .and_then(works_model::Visibility::parse)
            .unwrap_or(works_model::Visibility::Public);
        let data = serde_json::from_value(conformed).unwrap_or_default();
        let source = works_model::WorkSource {
            client_id: source_client_id.map(str::to_owned),
            name: source_name.to_owned(),
        };
        let mut st = self.inner.lock_or_recover();
        let put_code = st.works.create(*orcid, source, data, visibility);
        self.inner.persist(&st);
        put_code
    }

    /// How many works `orcid`'s record holds, whatever their visibility or source.
    pub fn works_of(&self, orcid: &OrcidId) -> usize {
        self.inner.lock_or_recover().works.count(orcid)
    }

    /// The researcher deletes a work in the registry UI. False if there was none.
    pub fn remove_work(&self, orcid: &OrcidId, put_code: i64) -> bool {
        let mut st = self.inner.lock_or_recover();
        let removed = st.works.remove(orcid, put_code).is_some();
        if removed {
            self.inner.persist(&st);
        }
        removed
    }
}
