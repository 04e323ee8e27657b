//! Adding, updating and deleting one affiliation on a researcher's record with their
//! grant: the researcher's form and the staff bulk job both come through here. Every
//! write carries the institution's organisation, is checked against ORCID's rules and
//! against what the record already has ([`super::meaning`]), is recorded in
//! `idlink_affiliations` with an audit line, and keeps the affiliations cache in step
//! without reading the record again.

use secrecy::SecretString;

use orcid::affiliation_rules;
use orcid::model::{Affiliation, AffiliationSection, Organization};
use orcid::OrcidId;

use super::draft::{cache_row, Draft};
use super::meaning::Match;
pub use super::outcome::AffiliationOutcome;
use super::Affiliations;
use crate::store::{
    AffiliationChange, AuditAction, CachedAffiliation, CachedSection, IdlinkAffiliationStatus,
};
pub use crate::works::write::Actor;
use crate::works::WriteOutcome;

/// The organisation as idlink records it: `ROR:https://ror.org/0…`, or the name and
/// country when it has no id.
fn org_key(org: &Organization) -> String {
    match &org.disambiguated_organization {
        Some(d) => format!(
            "{}:{}",
            d.disambiguation_source.as_str(),
            d.disambiguated_organization_identifier
        ),
        None => {
            let country = org.address.as_ref().and_then(|a| a.country.as_deref());
            format!("NAME:{}|{}", org.name, country.unwrap_or_default())
        }
    }
}

/// The audit line's detail: "employment: Lecturer, Chemistry".
fn detail(section: AffiliationSection, a: &Affiliation) -> String {
    let parts: Vec<&str> = [a.role_title.as_deref(), a.department_name.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        section.to_string()
    } else {
        format!("{section}: {}", parts.join(", "))
    }
}

impl Affiliations {
    /// The organisation every write carries, or why none may be written.
    pub fn organization(&self) -> Result<&Organization, AffiliationOutcome> {
        self.org.writable().ok_or_else(|| {
            AffiliationOutcome::OrgIncomplete(self.org.missing_message().unwrap_or_default())
        })
    }

    /// The affiliation idlink would send for `draft`, or why it would not send it.
    pub fn checked(
        &self,
        section: AffiliationSection,
        draft: &Draft,
    ) -> Result<Affiliation, AffiliationOutcome> {
        let affiliation = draft.to_affiliation(self.organization()?);
        let problems = affiliation_rules::check(section, &affiliation);
        if problems.is_empty() {
            Ok(affiliation)
        } else {
            Err(AffiliationOutcome::Invalid(problems))
        }
    }

    /// Adds `draft` to the record unless it is there already: idlink's own item that
    /// means the same is updated when something else changed (or left alone), another
    /// source's is left as the one on the record. Reads the record first only when its
    /// affiliations were never read.
    pub async fn add(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        draft: &Draft,
    ) -> AffiliationOutcome {
        let affiliation = match self.checked(section, draft) {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        let record = match self.record(who.orcid).await {
            Ok(r) => r,
            Err(outcome) => return AffiliationOutcome::Sent(outcome),
        };
        let institution = &self.org.known;
        let found = draft
            .meaning(section)
            .find(&record.items, institution, |i| record.is_idlinks(i));
        match found {
            Some(Match::Idlinks {
                put_code,
                changed: false,
            }) => AffiliationOutcome::Unchanged { put_code },
            Some(Match::Idlinks { put_code, .. }) => {
                self.put(who, section, put_code, &affiliation).await
            }
            Some(Match::OtherSource { put_code, source }) => {
                AffiliationOutcome::OtherSource { put_code, source }
            }
            None => self.post(who, section, &affiliation).await,
        }
    }

    /// Replaces idlink's item `put_code` with `draft` as it stands.
    pub async fn update(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        put_code: i64,
        draft: &Draft,
    ) -> AffiliationOutcome {
        let affiliation = match self.checked(section, draft) {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        if let Some(refused) = self.unless_idlinks(who.orcid, section, put_code).await {
            return refused;
        }
        self.put(who, section, put_code, &affiliation).await
    }

    /// As [`Affiliations::update`] for a form that shows neither the link nor the
    /// external ids: those of the item at ORCID are kept (one more read).
    pub async fn revise(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        put_code: i64,
        draft: &Draft,
    ) -> AffiliationOutcome {
        if let Some(refused) = self.unless_idlinks(who.orcid, section, put_code).await {
            return refused;
        }
        if self.checked(section, draft).is_err() {
            return self.update(who, section, put_code, draft).await;
        }
        let read = |t: SecretString| async move {
            self.works
                .client()
                .affiliation(&t, who.orcid, section, put_code)
                .await
        };
        let current = match self.works.with_token(who.orcid, read).await {
            Ok(a) => a,
            Err(e) => {
                let outcome = WriteOutcome::from_call(&e);
                if outcome == WriteOutcome::Gone {
                    let change = AffiliationChange::GoneAtOrcid {
                        section: section.into(),
                        put_code,
                    };
                    let audit = (AuditAction::UpdateAffiliation, Some(put_code), None);
                    self.finish(who, audit, &outcome, change).await;
                }
                return AffiliationOutcome::Sent(outcome);
            }
        };
        let kept = Draft {
            url: draft
                .url
                .clone()
                .or_else(|| current.url.as_ref().map(|u| u.as_str().to_string())),
            external_ids: draft.external_ids.clone().or(current.external_ids),
            ..draft.clone()
        };
        self.update(who, section, put_code, &kept).await
    }

    /// Deletes idlink's item `put_code`.
    pub async fn delete(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        put_code: i64,
    ) -> AffiliationOutcome {
        if let Some(refused) = self.unless_idlinks(who.orcid, section, put_code).await {
            return refused;
        }
        let call = |t: SecretString| async move {
            self.works
                .client()
                .delete_affiliation(&t, who.orcid, section, put_code)
                .await
        };
        let outcome = match self.works.with_token(who.orcid, call).await {
            Ok(()) => WriteOutcome::Deleted,
            Err(e) => WriteOutcome::from_call(&e),
        };
        let section_row = CachedSection::from(section);
        let change = match outcome {
            WriteOutcome::Deleted => AffiliationChange::Deleted {
                section: section_row,
                put_code,
            },
            WriteOutcome::Gone => AffiliationChange::GoneAtOrcid {
                section: section_row,
                put_code,
            },
            _ => AffiliationChange::Nothing,
        };
        let audit = (AuditAction::DeleteAffiliation, Some(put_code), None);
        self.finish(who, audit, &outcome, change).await;
        AffiliationOutcome::Sent(outcome)
    }

    /// `None` when idlink added item `put_code`; else the outcome that refuses to touch it.
    async fn unless_idlinks(
        &self,
        orcid: &OrcidId,
        section: AffiliationSection,
        put_code: i64,
    ) -> Option<AffiliationOutcome> {
        match self.is_idlinks(orcid, section, put_code).await {
            Ok(true) => None,
            Ok(false) => Some(AffiliationOutcome::NotIdlinks),
            Err(e) => Some(db_failed(e)),
        }
    }

    /// Whether idlink added the item: ORCID names idlink's client as its source, or
    /// idlink recorded writing it.
    pub async fn is_idlinks(
        &self,
        orcid: &OrcidId,
        section: AffiliationSection,
        put_code: i64,
    ) -> Result<bool, sqlx::Error> {
        let store = self.works.store();
        let section = CachedSection::from(section);
        let cached = store.cached_affiliation(orcid, section, put_code).await?;
        if cached.is_some_and(|c| c.source_client_id.as_deref() == Some(self.client_id())) {
            return Ok(true);
        }
        let written = store.idlink_affiliation(orcid, section, put_code).await?;
        Ok(written.is_some_and(|w| w.status == IdlinkAffiliationStatus::Active))
    }

    fn client_id(&self) -> &str {
        self.works.client().client_id()
    }

    async fn post(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        affiliation: &Affiliation,
    ) -> AffiliationOutcome {
        let call = |t: SecretString| async move {
            self.works
                .client()
                .add_affiliation(&t, who.orcid, section, affiliation)
                .await
        };
        let outcome = match self.works.with_token(who.orcid, call).await {
            Ok(put_code) => WriteOutcome::Added { put_code },
            Err(e) => WriteOutcome::from_call(&e),
        };
        let org_key = org_key(&self.org.known);
        let row = match outcome {
            WriteOutcome::Added { put_code } => {
                Some(cache_row(section, put_code, affiliation, self.client_id()))
            }
            _ => None,
        };
        let change = match &row {
            Some(row) => AffiliationChange::Recorded {
                row,
                org_key: &org_key,
            },
            None => AffiliationChange::Nothing,
        };
        let text = detail(section, affiliation);
        let put_code = match outcome {
            WriteOutcome::Added { put_code } => Some(put_code),
            WriteOutcome::AlreadyOnRecord { put_code } => put_code,
            _ => None,
        };
        let audit = (AuditAction::AddAffiliation, put_code, Some(text.as_str()));
        self.finish(who, audit, &outcome, change).await;
        if matches!(outcome, WriteOutcome::AlreadyOnRecord { .. }) {
            // ORCID named an item idlink's cache does not know: read the record again.
            let _ = self.works.refresh(who.orcid).await;
        }
        AffiliationOutcome::Sent(outcome)
    }

    async fn put(
        &self,
        who: Actor<'_>,
        section: AffiliationSection,
        put_code: i64,
        affiliation: &Affiliation,
    ) -> AffiliationOutcome {
        let call = |t: SecretString| async move {
            self.works
                .client()
                .update_affiliation(&t, who.orcid, section, put_code, affiliation)
                .await
        };
        let (outcome, stored) = match self.works.with_token(who.orcid, call).await {
            Ok(stored) => (WriteOutcome::Updated { put_code }, Some(stored)),
            Err(e) => (WriteOutcome::from_call(&e), None),
        };
        let org_key = org_key(&self.org.known);
        let row = stored
            .as_ref()
            .map(|s| cache_row(section, put_code, s, self.client_id()));
        let change = match (&row, &outcome) {
            (Some(row), _) => AffiliationChange::Recorded {
                row,
                org_key: &org_key,
            },
            (None, WriteOutcome::Gone) => AffiliationChange::GoneAtOrcid {
                section: section.into(),
                put_code,
            },
            _ => AffiliationChange::Nothing,
        };
        let text = detail(section, affiliation);
        let audit = (
            AuditAction::UpdateAffiliation,
            Some(put_code),
            Some(text.as_str()),
        );
        self.finish(who, audit, &outcome, change).await;
        AffiliationOutcome::Sent(outcome)
    }

    /// The record's affiliations as idlink last read them (reading them now if never),
    /// with what idlink wrote.
    async fn record(&self, orcid: &OrcidId) -> Result<Record, WriteOutcome> {
        let store = self.works.store();
        let unavailable = |e: sqlx::Error| {
            tracing::error!(error = %e, "could not read the affiliations cache");
            WriteOutcome::Unavailable
        };
        if !store
            .affiliations_synced(orcid)
            .await
            .map_err(unavailable)?
        {
            self.works
                .refresh(orcid)
                .await
                .map_err(|e| WriteOutcome::from_sync(&e))?;
        }
        let items = store
            .cached_affiliations(orcid)
            .await
            .map_err(unavailable)?;
        let written = super::written(store, orcid).await.map_err(unavailable)?;
        Ok(Record {
            items,
            written,
            client_id: self.client_id().to_string(),
        })
    }

    /// Records idlink's side of the write with its audit line (one transaction).
    async fn finish(
        &self,
        who: Actor<'_>,
        audit: (AuditAction, Option<i64>, Option<&str>),
        outcome: &WriteOutcome,
        change: AffiliationChange<'_>,
    ) {
        let entry = who.audit_entry(audit, outcome);
        let stored = self
            .works
            .store()
            .record_affiliation_write(change, &entry)
            .await;
        if let Err(e) = stored {
            tracing::error!(error = %e, "could not record an affiliation write to ORCID");
        }
    }
}

/// The record's affiliations and which of them idlink wrote.
struct Record {
    items: Vec<CachedAffiliation>,
    written: Vec<(CachedSection, i64)>,
    client_id: String,
}

impl Record {
    fn is_idlinks(&self, item: &CachedAffiliation) -> bool {
        item.source_client_id.as_deref() == Some(self.client_id.as_str())
            || self.written.contains(&(item.section, item.put_code))
    }
}

fn db_failed(e: sqlx::Error) -> AffiliationOutcome {
    tracing::error!(error = %e, "could not read idlink's affiliations");
    AffiliationOutcome::Sent(WriteOutcome::Unavailable)
}
