//! One researcher's share of one job: refresh their record, resolve items that may have
//! reached ORCID before (a kill mid-request, a lost answer), compare the rest with the
//! record, and send what is missing. The claiming, settling, retrying and waiting are the
//! same for every kind of job; how items are sent is the kind's: works in bulk requests
//! of up to 100 (below), affiliations one request each (`affiliations`).
//!
//! So that a kill at any point is recovered without pushing twice: an item is claimed
//! (`sending`) before its request; after the answer, its outcome, idlink's record of the
//! work and the audit line are written in one transaction. An item found `sending` later
//! is looked up on the record by identifier and source, and only sent again if absent
//! (and even then ORCID answers a same-source duplicate with 409: already present).

use secrecy::SecretString;

use super::cache::add_to_cache;
use super::trouble::{item_error, Trouble};
use super::{Runner, MAX_ATTEMPTS};
use crate::jobs::retry;
use crate::store::{
    now, AuditAction, AuditLine, BatchRecord, ItemStatus, JobItem, JobKind, JobUnit, OwnWork,
    Settlement,
};
use orcid::api::BULK_MAX;
use orcid::model::Work;
use orcid::{ApiError, OrcidId};

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A database failure met inside another step (reading the grant, saving a refresh).
    #[error("database: {0}")]
    Inner(String),
}

type Done = Result<(), UnitError>;

mod affiliations;
mod decide;

/// Everything the steps of one unit share.
struct Unit<'a> {
    runner: &'a Runner,
    job_id: i64,
    kind: JobKind,
    orcid: OrcidId,
    /// The staff member who created the job: the actor of every audit line.
    actor: OrcidId,
    push_again: bool,
}

pub async fn process(runner: &Runner, unit: JobUnit) -> Done {
    let Some(job) = runner.store.job(unit.job_id).await? else {
        return Ok(());
    };
    let items = runner.store.unit_items(&unit).await?;
    if items.is_empty() {
        return Ok(());
    }
    let u = Unit {
        runner,
        job_id: unit.job_id,
        kind: job.kind,
        orcid: unit.orcid,
        actor: OrcidId::parse(&job.created_by).unwrap_or(unit.orcid),
        push_again: job.push_again,
    };
    match job.kind {
        JobKind::Works => u.push_works(items).await,
        JobKind::Affiliations => u.push_affiliations(items).await,
    }
}

/// What the bulk answers of a unit brought back.
#[derive(Default)]
struct Pushed {
    /// The works ORCID created, in full.
    works: Vec<Work>,
    /// Some item was answered 409: ORCID has a work idlink's copy did not show.
    duplicates: bool,
}

/// What to do after one request.
enum Next {
    Continue,
    /// Cancelled, or a transient failure: the rest waits (the backoff holds the researcher).
    Stop,
    /// The grant or record refused: the rest is given up for this reason.
    GiveUpRest(Trouble),
}

impl Unit<'_> {
    /// The works strategy: one read of the record's works, then bulk requests.
    async fn push_works(&self, items: Vec<JobItem>) -> Done {
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

    /// The whole request failed: decide for the claimed items and for the rest.
    async fn request_failed(
        &self,
        items: &[&JobItem],
        trouble: Trouble,
    ) -> Result<Next, UnitError> {
        let owned: Vec<JobItem> = items.iter().map(|i| (*i).clone()).collect();
        match trouble {
            Trouble::Transient(why) => {
                self.retry_later(&owned, &why).await?;
                Ok(Next::Stop)
            }
            Trouble::Batch(why) => {
                self.fail(&owned, &why).await?;
                Ok(Next::Continue)
            }
            Trouble::Researcher(_) | Trouble::Grant(_) => {
                self.give_up(&owned, trouble.clone()).await?;
                Ok(Next::GiveUpRest(trouble))
            }
            Trouble::Database(why) => Err(UnitError::Inner(why)),
        }
    }

    /// Applies a failure that happened before anything was sent.
    async fn give_up(&self, items: &[JobItem], trouble: Trouble) -> Done {
        match trouble {
            Trouble::Transient(why) => self.retry_later(items, &why).await,
            Trouble::Grant(why) if self.waits_for_grant() => self.wait(items, &why).await,
            Trouble::Researcher(why) | Trouble::Batch(why) | Trouble::Grant(why) => {
                self.fail(items, &why).await
            }
            Trouble::Database(why) => Err(UnitError::Inner(why)),
        }
    }

    /// Whether this kind's items wait for a new grant rather than fail without one.
    /// Affiliations come from the institution's HR list, uploaded once: each connection
    /// completes the picture. Works fail, so staff see at once whom to ask.
    fn waits_for_grant(&self) -> bool {
        matches!(self.kind, JobKind::Affiliations)
    }

    /// Items kept as waiting until the researcher connects again (then queued on their
    /// own, see [`crate::store::Store::resume_waiting`]).
    async fn wait(&self, items: &[JobItem], why: &str) -> Done {
        let mut waiting = self.batch();
        let detail = format!("waiting for the researcher to connect: {why}");
        for item in items {
            settle(&mut waiting, item, ItemStatus::Waiting, None, &detail);
        }
        self.write(waiting).await
    }

    /// Back to the queue with one more attempt counted (the backoff then holds this
    /// researcher), or failed once the attempts are spent.
    async fn retry_later(&self, items: &[JobItem], why: &str) -> Done {
        let (spent, again): (Vec<&JobItem>, Vec<&JobItem>) =
            items.iter().partition(|i| retry::last_attempt(i.attempts));
        let ids: Vec<i64> = again.iter().map(|i| i.id).collect();
        let detail = format!("will try again: {why}");
        let attempts = again.iter().map(|i| i.attempts + 1).max().unwrap_or(1);
        let retry_at = retry::retry_at(attempts, now());
        self.runner
            .store
            .release_items(&ids, true, Some(&detail), retry_at)
            .await?;
        self.runner.metrics.job_item("retried", ids.len() as u64);
        let why = format!("{why}; gave up after {MAX_ATTEMPTS} attempts");
        let mut failed = self.batch();
        for item in spent {
            settle(&mut failed, item, ItemStatus::Failed, None, &why);
        }
        self.write(failed).await
    }

    async fn fail(&self, items: &[JobItem], why: &str) -> Done {
        let mut failed = self.batch();
        for item in items {
            settle(&mut failed, item, ItemStatus::Failed, None, why);
        }
        self.write(failed).await
    }

    fn batch(&self) -> BatchRecord {
        BatchRecord {
            orcid: self.orcid,
            actor: self.actor,
            settlements: Vec::new(),
            ours: Vec::new(),
            audit: Vec::new(),
        }
    }

    /// Writes what a step decided, in one transaction.
    async fn write(&self, b: BatchRecord) -> Done {
        if b.settlements.is_empty() && b.ours.is_empty() && b.audit.is_empty() {
            return Ok(());
        }
        self.runner.store.record_batch(&b).await?;
        for s in &b.settlements {
            self.runner.metrics.job_item(s.status.as_str(), 1);
        }
        Ok(())
    }

    fn ours(&self, b: &mut BatchRecord, item: &JobItem, put_code: i64) {
        b.ours.push(OwnWork {
            put_code,
            title: item.title.clone(),
            identifiers: item.identity.clone(),
        });
    }

    fn audit(
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

fn settle(
    b: &mut BatchRecord,
    item: &JobItem,
    status: ItemStatus,
    put_code: Option<i64>,
    detail: &str,
) {
    b.settlements.push(Settlement {
        id: item.id,
        status,
        put_code,
        detail: Some(detail.to_string()),
    });
}
