//! The works strategy: one read of the record's works, then bulk requests of up to 100
//! works, each answer settled with idlink's record of the works and the audit lines in
//! one transaction.

use secrecy::SecretString;

use super::super::cache::add_to_cache;
use super::super::trouble::{item_error, Trouble};
use super::{settle, Done, Next, Unit, UnitError};
use crate::store::{AuditAction, AuditLine, BatchRecord, ItemStatus, JobItem, OwnWork};
use orcid::api::BULK_MAX;
use orcid::model::Work;
use orcid::ApiError;

/// What the bulk answers of a unit brought back.
#[derive(Default)]
struct Pushed {
    /// The works ORCID created, in full.
    works: Vec<Work>,
    /// Some item was answered 409: ORCID has a work idlink's copy did not show.
    duplicates: bool,
}

impl Unit<'_> {
    /// The works strategy: one read of the record's works, then bulk requests.
    pub(super) async fn push_works(&self, items: Vec<JobItem>) -> Done {
        let runner = self.runner;
        // The record as ORCID has it now: both the recovery and the comparison read it.
        if let Err(e) = runner.works.refresh_works(&self.orcid).await {
            return self.give_up(&items, Trouble::from_sync(&e)).await;
        }
        let pending = self.resolve_earlier_sends(items).await?;
        let to_send = self.compare(pending).await?;
        if to_send.is_empty() {
            return Ok(());
        }
        let Some(mut token) = self.write_token(&to_send).await? else {
            return Ok(());
        };
        let mut pushed = Pushed::default();
        let result = self.push_all(&mut token, &to_send, &mut pushed).await;
        self.update_cache(pushed).await;
        result
    }

    /// The researcher's token for writing, or None when the items were given up (no
    /// grant, or one without the scope).
    async fn write_token(&self, items: &[JobItem]) -> Result<Option<SecretString>, UnitError> {
        match self.runner.works.access(&self.orcid).await {
            Ok(a) if a.can_write_works() => Ok(Some(a.token)),
            Ok(_) => {
                let trouble = Trouble::from_api(&ApiError::MissingScope);
                self.give_up(items, trouble).await.map(|()| None)
            }
            Err(e) => self
                .give_up(items, Trouble::from_access(&e))
                .await
                .map(|()| None),
        }
    }

    /// Sends the items in bulk requests of up to [`BULK_MAX`], claiming each chunk first.
    /// `token` is replaced when ORCID refuses it and a refresh brings a new one.
    async fn push_all(
        &self,
        token: &mut SecretString,
        items: &[JobItem],
        pushed: &mut Pushed,
    ) -> Done {
        let mut rest = items;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(rest.len().min(BULK_MAX));
            match self.send(token, chunk, pushed).await? {
                Next::Continue => rest = tail,
                Next::Stop => return Ok(()),
                Next::GiveUpRest(trouble) => return self.give_up(tail, trouble).await,
            }
        }
        Ok(())
    }

    /// idlink's copy of the record gets the created works from the answers; after a 409
    /// it is read again instead, since it missed something.
    async fn update_cache(&self, pushed: Pushed) {
        if pushed.duplicates {
            let _ = self.runner.works.refresh_works(&self.orcid).await;
        } else if let Err(e) = add_to_cache(&self.runner.store, &self.orcid, &pushed.works).await {
            tracing::error!(error = %e, orcid = %self.orcid, "could not add pushed works to the cache");
        }
    }

    /// Claims one chunk, sends it in one bulk request and settles every claimed item.
    async fn send(
        &self,
        token: &mut SecretString,
        chunk: &[JobItem],
        pushed: &mut Pushed,
    ) -> Result<Next, UnitError> {
        let ids: Vec<i64> = chunk.iter().map(|i| i.id).collect();
        let claimed = self.runner.store.claim_items(self.job_id, &ids).await?;
        if claimed.is_empty() {
            // The job was cancelled: nothing more is claimed.
            return Ok(Next::Stop);
        }
        let mut outcomes = self.batch();
        let mut items = Vec::with_capacity(claimed.len());
        let mut works = Vec::with_capacity(claimed.len());
        for item in chunk
            .iter()
            .filter(|i| claimed.binary_search(&i.id).is_ok())
        {
            match serde_json::from_str::<Work>(&item.payload) {
                Ok(w) => {
                    items.push(item);
                    works.push(w);
                }
                Err(e) => {
                    tracing::error!(item = item.id, error = %e, "a stored work could not be read");
                    let why = "idlink could not read the stored work; upload it again";
                    settle(&mut outcomes, item, ItemStatus::Failed, None, why);
                }
            }
        }
        if works.is_empty() {
            self.write(outcomes).await?;
            return Ok(Next::Continue);
        }
        let (orcid, works) = (&self.orcid, &works);
        let add =
            |t: SecretString| async move { self.runner.orcid.add_works(&t, orcid, works).await };
        let results = match self.runner.works.retrying(orcid, token, add).await {
            Ok(results) => results,
            Err(e) => {
                for item in &items {
                    let (outcome, detail) = (e.outcome(), e.to_string());
                    self.audit(
                        &mut outcomes,
                        item,
                        AuditAction::AddWork,
                        None,
                        outcome,
                        &detail,
                    );
                }
                self.write(outcomes).await?;
                return self.request_failed(&items, Trouble::from_call(&e)).await;
            }
        };
        for (item, result) in items.iter().zip(results) {
            self.item_outcome(&mut outcomes, item, result, pushed);
        }
        self.write(outcomes).await?;
        Ok(Next::Continue)
    }

    /// One element of the bulk answer: recorded as idlink's work when on the record,
    /// written to the audit log, and turned into the item's outcome.
    fn item_outcome(
        &self,
        b: &mut BatchRecord,
        item: &JobItem,
        result: Result<Work, ApiError>,
        pushed: &mut Pushed,
    ) {
        match result {
            Ok(work) => {
                if let Some(pc) = work.put_code {
                    self.ours(b, item, pc);
                }
                self.audit(
                    b,
                    item,
                    AuditAction::AddWork,
                    work.put_code,
                    "ok",
                    &item.title,
                );
                let why = "added to the record";
                settle(b, item, ItemStatus::Done, work.put_code, why);
                pushed.works.push(work);
            }
            Err(ApiError::Duplicate { existing }) => {
                pushed.duplicates = true;
                if let Some(pc) = existing {
                    self.ours(b, item, pc);
                }
                let why = "already on the record: idlink had added it before";
                self.audit(b, item, AuditAction::AddWork, existing, "duplicate", why);
                settle(b, item, ItemStatus::AlreadyPresent, existing, why);
            }
            Err(e) => {
                let why = item_error(&e);
                self.audit(b, item, AuditAction::AddWork, None, e.outcome(), &why);
                settle(b, item, ItemStatus::Failed, None, &why);
            }
        }
    }

    pub(super) fn ours(&self, b: &mut BatchRecord, item: &JobItem, put_code: i64) {
        b.ours.push(OwnWork {
            put_code,
            title: item.title.clone(),
            identifiers: item.identity.clone(),
        });
    }

    pub(super) fn audit(
        &self,
        b: &mut BatchRecord,
        item: &JobItem,
        action: AuditAction,
        put_code: Option<i64>,
        outcome: &'static str,
        detail: &str,
    ) {
        b.audit.push(AuditLine {
            action,
            put_code,
            outcome,
            detail: format!("job {} line {}: {detail}", self.job_id, item.line),
        });
    }
}
