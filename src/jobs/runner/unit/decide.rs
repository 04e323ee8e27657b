//! Deciding before sending: items that may have reached ORCID before are looked up on
//! the record; the others are compared with it (works from any source, and works idlink
//! pushed that the researcher deleted).

use super::{settle, Unit, UnitError};
use crate::jobs::retry;
use crate::store::{now, AuditAction, IdentifierMatch, IdlinkWorkStatus, ItemStatus, JobItem};

impl Unit<'_> {
    /// Items that may have reached ORCID before (left `sending`, or tried and failed):
    /// on the record from idlink's client → done with that put-code; else `sending` ones
    /// go back to the queue. Returns the items still to decide, as pending.
    pub(super) async fn resolve_earlier_sends(
        &self,
        items: Vec<JobItem>,
    ) -> Result<Vec<JobItem>, UnitError> {
        let client_id = self.runner.orcid.client_id();
        let mut confirmed = self.batch();
        let mut back = Vec::new();
        let mut back_attempts = 0;
        let mut pending = Vec::with_capacity(items.len());
        for mut item in items {
            if item.status != ItemStatus::Sending && item.attempts == 0 {
                pending.push(item);
                continue;
            }
            let ours = self
                .matches(&item)
                .await?
                .into_iter()
                .find(|m| m.source_client_id.as_deref() == Some(client_id));
            match ours {
                Some(m) => {
                    let detail = "confirmed on the ORCID record after an interrupted request";
                    self.ours(&mut confirmed, &item, m.put_code);
                    let add = AuditAction::AddWork;
                    self.audit(&mut confirmed, &item, add, Some(m.put_code), "ok", detail);
                    settle(
                        &mut confirmed,
                        &item,
                        ItemStatus::Done,
                        Some(m.put_code),
                        detail,
                    );
                }
                None => {
                    if item.status == ItemStatus::Sending {
                        back.push(item.id);
                        back_attempts = back_attempts.max(item.attempts);
                        item.status = ItemStatus::Pending;
                    }
                    pending.push(item);
                }
            }
        }
        self.write(confirmed).await?;
        if !back.is_empty() {
            tracing::info!(job = self.job_id, orcid = %self.orcid, items = back.len(),
                "interrupted items are not on the record: queued again");
            // No attempt is counted, but a failed one still waits out its backoff.
            let retry_at = retry::retry_at(back_attempts, now());
            self.runner
                .store
                .release_items(&back, false, None, retry_at)
                .await?;
        }
        Ok(pending)
    }

    /// Items already on the record (any source) are skipped, naming the source; works
    /// idlink pushed before that the researcher deleted are skipped unless the job says
    /// "push again anyway". Returns the items to send.
    pub(super) async fn compare(&self, pending: Vec<JobItem>) -> Result<Vec<JobItem>, UnitError> {
        let deleted: Vec<_> = self
            .runner
            .store
            .idlink_works(&self.orcid)
            .await?
            .into_iter()
            .filter(|w| w.status == IdlinkWorkStatus::DeletedByResearcher)
            .collect();
        let mut skipped = self.batch();
        let mut to_send = Vec::with_capacity(pending.len());
        for item in pending {
            if let Some(m) = self.matches(&item).await?.first() {
                let detail = format!("already on the record from {}", self.source_of(m));
                settle(
                    &mut skipped,
                    &item,
                    ItemStatus::Skipped,
                    Some(m.put_code),
                    &detail,
                );
                continue;
            }
            let gone = deleted
                .iter()
                .find(|w| w.identifiers.iter().any(|id| item.identity.contains(id)));
            match gone {
                Some(w) if !self.push_again => {
                    let detail = format!(
                        "deleted by the researcher (it was put-code {}); tick \"push again anyway\" to send it again",
                        w.put_code
                    );
                    settle(&mut skipped, &item, ItemStatus::Skipped, None, &detail);
                }
                _ => to_send.push(item),
            }
        }
        self.write(skipped).await?;
        Ok(to_send)
    }

    async fn matches(&self, item: &JobItem) -> Result<Vec<IdentifierMatch>, UnitError> {
        Ok(self
            .runner
            .store
            .works_with_identifiers(&self.orcid, &item.identity)
            .await?)
    }

    fn source_of(&self, m: &IdentifierMatch) -> String {
        if m.source_client_id.as_deref() == Some(self.runner.orcid.client_id()) {
            format!("{} (added with idlink)", self.runner.institution)
        } else {
            m.source_name
                .clone()
                .unwrap_or_else(|| "an unnamed source".into())
        }
    }
}
