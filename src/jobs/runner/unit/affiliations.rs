//! The affiliations strategy. ORCID has no bulk endpoint for affiliations: after one read
//! of the whole record (`GET /activities`), each item is one request through the shared
//! limiter at bulk priority, made by the same write path as the researcher's form
//! ([`crate::affiliations::Affiliations::add`]): idempotent by meaning, audited, and
//! keeping the cache in step.
//!
//! So that a kill at any point is recovered without writing twice: an item is claimed
//! (`sending`) before its request and settled after. An item found `sending` later is
//! simply added again: the record, read first, then holds idlink's item with the same
//! meaning, so nothing is sent and the item is confirmed.

use orcid::model::{Affiliation, AffiliationSection};

use super::super::trouble::{Trouble, REVOKED};
use super::{settle, Done, Next, Unit, UnitError};
use crate::affiliations::draft::Draft;
use crate::affiliations::meaning::{Match, Meaning};
use crate::affiliations::write::{Actor, AffiliationOutcome};
use crate::store::{CachedAffiliation, IdlinkAffiliation, ItemStatus, JobItem};
use crate::works::WriteOutcome;

/// What is known before sending: the record as just read, and what idlink wrote to it.
struct Known {
    record: Vec<CachedAffiliation>,
    written: Vec<IdlinkAffiliation>,
}

impl Unit<'_> {
    /// One read of the record, then one request per item that needs one.
    pub(super) async fn push_affiliations(&self, items: Vec<JobItem>) -> Done {
        let runner = self.runner;
        if let Some(missing) = runner.affiliations.institution().missing_message() {
            return self.give_up(&items, Trouble::Researcher(missing)).await;
        }
        if let Err(e) = runner.works.refresh(&self.orcid).await {
            return self.give_up(&items, Trouble::from_sync(&e)).await;
        }
        let known = Known {
            record: runner.store.cached_affiliations(&self.orcid).await?,
            written: runner.store.idlink_affiliations(&self.orcid).await?,
        };
        for (n, item) in items.iter().enumerate() {
            match self.one_affiliation(item, &known).await? {
                Next::Continue => {}
                Next::Stop => return Ok(()),
                Next::GiveUpRest(trouble) => return self.give_up(&items[n + 1..], trouble).await,
            }
        }
        Ok(())
    }

    async fn one_affiliation(&self, item: &JobItem, known: &Known) -> Result<Next, UnitError> {
        let parsed = item.section.map(AffiliationSection::from).and_then(|s| {
            serde_json::from_str::<Affiliation>(&item.payload)
                .ok()
                .map(|a| (s, a))
        });
        let Some((section, affiliation)) = parsed else {
            tracing::error!(item = item.id, "a stored affiliation could not be read");
            let why = "idlink could not read the stored affiliation; upload it again";
            self.fail(std::slice::from_ref(item), why).await?;
            return Ok(Next::Continue);
        };
        let draft = Draft::from(&affiliation);
        if !self.push_again {
            if let Some(put_code) = deleted_by_researcher(&draft.meaning(section), known, self) {
                let why = format!(
                    "deleted by the researcher (it was put-code {put_code}); tick \"push again anyway\" to send it again"
                );
                let mut skipped = self.batch();
                settle(&mut skipped, item, ItemStatus::Skipped, None, &why);
                self.write(skipped).await?;
                return Ok(Next::Continue);
            }
        }
        if item.status == ItemStatus::Pending {
            let claimed = self
                .runner
                .store
                .claim_items(self.job_id, &[item.id])
                .await?;
            if claimed.is_empty() {
                // The job was cancelled: nothing more is claimed.
                return Ok(Next::Stop);
            }
        }
        let who = Actor {
            actor: &self.actor,
            orcid: &self.orcid,
        };
        let outcome = self.runner.affiliations.add(who, section, &draft).await;
        let interrupted = item.status == ItemStatus::Sending || item.attempts > 0;
        self.settle_affiliation(item, outcome, interrupted).await
    }

    /// Turns the write's outcome into the item's, or into what happens to the rest.
    async fn settle_affiliation(
        &self,
        item: &JobItem,
        outcome: AffiliationOutcome,
        interrupted: bool,
    ) -> Result<Next, UnitError> {
        use AffiliationOutcome as A;
        let (status, put_code, why) = match outcome {
            A::Sent(WriteOutcome::Added { put_code }) => {
                (ItemStatus::Done, Some(put_code), "added to the record".to_string())
            }
            A::Sent(WriteOutcome::Updated { put_code }) => (
                ItemStatus::Done,
                Some(put_code),
                "updated on the record: idlink's affiliation had other details (such as the end date)".into(),
            ),
            A::Sent(WriteOutcome::AlreadyOnRecord { put_code }) => (
                ItemStatus::AlreadyPresent,
                put_code,
                "already on the record: idlink had added it before".into(),
            ),
            A::Unchanged { put_code } if interrupted => (
                ItemStatus::Done,
                Some(put_code),
                "confirmed on the ORCID record after an interrupted request".into(),
            ),
            A::Unchanged { put_code } => (
                ItemStatus::AlreadyPresent,
                Some(put_code),
                format!(
                    "already on the record from {} (added with idlink), unchanged",
                    self.runner.institution
                ),
            ),
            A::OtherSource { put_code, source } => (
                ItemStatus::AlreadyPresent,
                Some(put_code),
                format!("already on the record from {source}"),
            ),
            A::Invalid(problems) => {
                let words: Vec<String> = problems.into_iter().map(|p| p.message).collect();
                let why = format!("ORCID would refuse this affiliation: {}", words.join(" "));
                (ItemStatus::Failed, None, why)
            }
            A::Sent(WriteOutcome::Invalid(m)) => (
                ItemStatus::Failed,
                None,
                format!("ORCID refused this affiliation: {m}"),
            ),
            A::NotIdlinks | A::Sent(WriteOutcome::NotSource) => (
                ItemStatus::Failed,
                None,
                "ORCID refused: the matching affiliation is not idlink's to change".into(),
            ),
            A::Sent(WriteOutcome::Gone) => (
                ItemStatus::Failed,
                None,
                "the affiliation to update is no longer on the record; upload the row again to add it".into(),
            ),
            A::OrgIncomplete(m) => return self.stop_with(item, Trouble::Researcher(m)).await,
            A::Sent(other) => return self.stop_with(item, trouble_of(&other)).await,
        };
        let mut b = self.batch();
        settle(&mut b, item, status, put_code, &why);
        self.write(b).await?;
        Ok(Next::Continue)
    }

    /// A failure about more than this item: it and the rest are decided by `trouble`.
    async fn stop_with(&self, item: &JobItem, trouble: Trouble) -> Result<Next, UnitError> {
        self.request_failed(&[item], trouble).await
    }
}

/// The put-code of an affiliation idlink wrote with this meaning that is no longer on the
/// record: the researcher deleted it (at ORCID or from idlink's page).
fn deleted_by_researcher(meaning: &Meaning, known: &Known, unit: &Unit<'_>) -> Option<i64> {
    let institution = &unit.runner.affiliations.institution().known;
    let gone: Vec<CachedAffiliation> = known
        .written
        .iter()
        .filter(|w| {
            !known
                .record
                .iter()
                .any(|r| r.section == w.section && r.put_code == w.put_code)
        })
        .map(|w| as_written(w, institution))
        .collect();
    match meaning.find(&gone, institution, |_| true) {
        Some(Match::Idlinks { put_code, .. }) => Some(put_code),
        _ => None,
    }
}

/// What idlink wrote, as a cache row at the institution, to compare by meaning.
fn as_written(
    w: &IdlinkAffiliation,
    institution: &orcid::model::Organization,
) -> CachedAffiliation {
    let address = institution.address.as_ref();
    let id = institution.disambiguated_organization.as_ref();
    CachedAffiliation {
        section: w.section,
        put_code: w.put_code,
        group_index: 0,
        position: 0,
        org_name: institution.name.clone(),
        org_city: address.and_then(|a| a.city.clone()),
        org_region: address.and_then(|a| a.region.clone()),
        org_country: address.and_then(|a| a.country.clone()),
        org_id: id.map(|d| d.disambiguated_organization_identifier.clone()),
        org_id_source: id.map(|d| d.disambiguation_source.as_str().to_string()),
        department: w.department.clone(),
        role_title: w.role_title.clone(),
        start_year: w.start_year.clone(),
        start_month: w.start_month.clone(),
        start_day: w.start_day.clone(),
        end_year: w.end_year.clone(),
        end_month: w.end_month.clone(),
        end_day: w.end_day.clone(),
        source_name: None,
        source_client_id: None,
        visibility: None,
    }
}

/// What a write that did not reach a decision on the item means for the unit.
fn trouble_of(outcome: &WriteOutcome) -> Trouble {
    match outcome {
        WriteOutcome::Revoked => Trouble::Grant(REVOKED.into()),
        WriteOutcome::NotConnected => Trouble::Grant(
            "the researcher is not connected to idlink (no ORCID access)".into(),
        ),
        WriteOutcome::MissingScope => Trouble::Grant(
            "the researcher did not allow idlink to add to their record (the /activities/update permission is missing)".into(),
        ),
        WriteOutcome::WrongRecord => {
            Trouble::Researcher("idlink's access belongs to a different ORCID record".into())
        }
        WriteOutcome::Busy => Trouble::Transient("ORCID was busy (503)".into()),
        WriteOutcome::Held(_) => Trouble::Transient("held back by idlink's own limits".into()),
        _ => Trouble::Transient("ORCID or idlink's database could not be reached".into()),
    }
}
