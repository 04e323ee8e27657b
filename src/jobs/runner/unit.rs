//! One researcher's share of one job: refresh their record, resolve items that may have
//! reached ORCID before (a kill mid-request, a lost answer), compare the rest with the
//! record, and send what is missing. The claiming, settling, retrying and waiting are the
//! same for every kind of job (here); how items are compared and sent is the kind's:
//! works in bulk requests of up to 100 (`works`, `decide`), affiliations one request
//! each (`affiliations`).
//!
//! So that a kill at any point is recovered without pushing twice: an item is claimed
//! (`sending`) before its request and settled after the answer. An item found `sending`
//! later is looked up on the record (works by identifier and source, affiliations by
//! meaning), and only sent again if absent.

use super::trouble::Trouble;
use super::{Runner, MAX_ATTEMPTS};
use crate::jobs::retry;
use crate::store::{now, BatchRecord, ItemStatus, JobItem, JobKind, JobUnit, Settlement};
use orcid::OrcidId;

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
mod works;

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

/// What to do after one request.
enum Next {
    Continue,
    /// Cancelled, or a transient failure: the rest waits (the backoff holds the researcher).
    Stop,
    /// The grant or record refused: the rest is given up for this reason.
    GiveUpRest(Trouble),
}

impl Unit<'_> {
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
