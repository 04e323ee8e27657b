//! The outbox: mail to many people (invitations, reminders, notices) is stored first and
//! sent by one background sender at `MAIL_RATE_PER_MIN`, so nothing is lost when the mail
//! server is down or idlink restarts, and nothing is sent twice.
//!
//! A message is claimed (`sending`) in the database before the SMTP exchange and settled
//! after it. Failures the server may get over (unreachable, timed out, "try later") are
//! tried again with a doubling wait, up to [`MAX_ATTEMPTS`]; a refusal for good fails the
//! message at once; a sign-in refused by the server is idlink's setup, so the message
//! waits for it to be fixed. A message found `sending` at start-up lost its answer in a
//! crash: it becomes `unknown` and goes again only when staff say so ([`Outbox::send_again`]).

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use super::{Mailer, Recipient, Rendered};
use crate::metrics::Metrics;
use crate::store::{now, ClaimedMail, MailOutcome, NewMail, StopVia, Store};

pub use crate::store::{MailKind, MailProgress, MailStatus, OutboxEntry};

/// Tries of a message the server may get over, before it is reported failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The longest wait between two tries.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(3600);
/// Messages handed to the server at the same time: a slow exchange does not hold the
/// others back, and the rate limit still decides when each one starts.
const IN_FLIGHT: usize = 8;
/// Outcomes recorded in one transaction at most.
const SETTLE_BATCH: usize = 256;
/// How long the sender sleeps with nothing due, unless woken by new mail.
const IDLE_WAIT: Duration = Duration::from_secs(60);
/// After a database error, before the sender looks again.
const DB_ERROR_WAIT: Duration = Duration::from_secs(5);

/// Where sends report how they ended.
type Settled = mpsc::UnboundedSender<MailOutcome>;

/// One message for the outbox.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// A bare address.
    pub to: String,
    pub to_name: Option<String>,
    pub kind: MailKind,
    pub invitation_id: Option<i64>,
    /// Messages enqueued together share a batch name, for [`Outbox::progress`].
    pub batch: Option<String>,
    /// With `stop_url` set from [`Outbox::stop_url`] so the footer shows it; when unset,
    /// the outbox makes a stop link for the header.
    pub message: Rendered,
}

/// The outbox and its sender. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    mailer: Mailer,
    metrics: Metrics,
    public_url: Url,
    /// The domain of every Message-ID: idlink's own host.
    message_domain: String,
    limiter: DefaultDirectRateLimiter,
    /// Messages claimed in one database round trip: a tenth of a second's worth.
    claim_size: i64,
    /// The first wait before a retry; doubled with each attempt.
    retry: Duration,
    /// Woken when mail is enqueued or queued again.
    wake: Notify,
    /// True once idlink stops: claim nothing more, finish what is being sent.
    stop: watch::Sender<bool>,
    /// After the server refused idlink's setup (sign-in, no SMTP_URL), no message is
    /// tried before this: each would fail alike.
    held_until: std::sync::Mutex<Option<Instant>>,
}

impl Outbox {
    pub fn new(
        store: Store,
        mailer: Mailer,
        metrics: Metrics,
        public_url: Url,
        rate_per_min: NonZeroU32,
        retry: Duration,
    ) -> Self {
        // One message each 60/rate seconds, with at most a tenth of a second's worth at
        // once: enough for a turn that came late (a slow database write, a busy machine)
        // to catch up, far from the burst of a whole minute's allowance that trips a
        // provider's limit.
        let period = Duration::from_secs(60) / rate_per_min.get();
        let tenth = NonZeroU32::new(rate_per_min.get() / 600).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_minute(rate_per_min))
            .allow_burst(tenth);
        let message_domain = public_url
            .host_str()
            .unwrap_or("idlink.invalid")
            .to_string();
        Outbox {
            inner: Arc::new(Inner {
                store,
                mailer,
                metrics,
                public_url,
                message_domain,
                limiter: RateLimiter::direct(quota),
                claim_size: i64::from(tenth.get()),
                retry,
                wake: Notify::new(),
                stop: watch::Sender::new(false),
                held_until: std::sync::Mutex::new(None),
            }),
        }
    }

    /// Stores the messages and wakes the sender; their ids, in order.
    pub async fn enqueue(&self, msgs: Vec<Outgoing>) -> Result<Vec<i64>, sqlx::Error> {
        let unlinked: Vec<&str> = msgs
            .iter()
            .filter(|m| m.message.stop_url.is_none())
            .map(|m| m.to.as_str())
            .collect();
        let mut made = self.stop_urls(&unlinked).await?.into_iter();
        let prepared: Vec<(String, String)> = msgs
            .iter()
            .map(|m| {
                let stop_url = m.message.stop_url.clone().or_else(|| made.next());
                (stop_url.unwrap_or_default(), self.message_id())
            })
            .collect();
        let rows: Vec<NewMail<'_>> = msgs
            .iter()
            .zip(&prepared)
            .map(|(m, (stop_url, message_id))| NewMail {
                to_address: m.to.trim(),
                to_name: m.to_name.as_deref(),
                kind: m.kind,
                invitation_id: m.invitation_id,
                batch: m.batch.as_deref(),
                subject: &m.message.subject,
                body_text: &m.message.text,
                body_html: &m.message.html,
                stop_url,
                message_id,
            })
            .collect();
        let ids = self.inner.store.enqueue_mail(&rows).await?;
        self.inner.wake.notify_one();
        Ok(ids)
    }

    /// A fresh one-click stop link for this address: random token, stored only as a hash.
    pub async fn stop_url(&self, address: &str) -> Result<String, sqlx::Error> {
        let mut urls = self.stop_urls(&[address]).await?;
        Ok(urls.pop().unwrap_or_default())
    }

    /// Stop links for many addresses at once (a roster), in the same order.
    pub async fn stop_urls(&self, addresses: &[&str]) -> Result<Vec<String>, sqlx::Error> {
        let tokens: Vec<String> = addresses
            .iter()
            .map(|_| {
                let mut token = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut token);
                URL_SAFE_NO_PAD.encode(token)
            })
            .collect();
        let rows: Vec<(Vec<u8>, &str)> = tokens
            .iter()
            .zip(addresses)
            .map(|(t, a)| (hash(t), a.trim()))
            .collect();
        self.inner.store.add_stop_tokens(&rows).await?;
        let base = &self.inner.public_url;
        Ok(tokens
            .iter()
            .map(|token| {
                let mut url = base.clone();
                url.set_path(&format!("{}mail/stop/{token}", base_path(base)));
                url.set_query(None);
                url.to_string()
            })
            .collect())
    }

    /// The address a stop link's token stands for; `None` for an unknown token.
    pub async fn stop_link_address(&self, token: &str) -> Result<Option<String>, sqlx::Error> {
        self.inner.store.stop_token_address(&hash(token)).await
    }

    /// Follows a stop link: no more mail to its address, queued messages included.
    /// The address, and whether it was newly stopped; `None` for an unknown token.
    pub async fn stop_by_link(
        &self,
        token: &str,
        via: StopVia,
    ) -> Result<Option<(String, bool)>, sqlx::Error> {
        let Some(address) = self.stop_link_address(token).await? else {
            return Ok(None);
        };
        let newly = self.inner.store.stop_address(&address, via).await?;
        Ok(Some((address, newly)))
    }

    pub async fn is_stopped(&self, address: &str) -> Result<bool, sqlx::Error> {
        self.inner.store.is_address_stopped(address.trim()).await
    }

    /// The batch's messages by status.
    pub async fn progress(&self, batch: &str) -> Result<MailProgress, sqlx::Error> {
        self.inner.store.mail_progress(batch).await
    }

    /// Every message in the outbox by status.
    pub async fn counts(&self) -> Result<MailProgress, sqlx::Error> {
        self.inner.store.outbox_counts().await
    }

    pub async fn status_of(&self, ids: &[i64]) -> Result<Vec<(i64, MailStatus)>, sqlx::Error> {
        self.inner.store.mail_statuses(ids).await
    }

    /// Messages staff should look at (failed, unknown, waiting after a failure).
    pub async fn troubles(&self, limit: i64) -> Result<Vec<OutboxEntry>, sqlx::Error> {
        self.inner.store.outbox_troubles(limit).await
    }

    /// Queues an `unknown` or `failed` message again; false if it is neither.
    pub async fn send_again(&self, id: i64) -> Result<bool, sqlx::Error> {
        let queued = self.inner.store.requeue_mail(id).await?;
        if queued {
            self.inner.wake.notify_one();
        }
        Ok(queued)
    }

    /// The sender loop. Aborting the task stops sends in flight: their messages stay
    /// `sending` and become `unknown` at the next start.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        self.inner.stop.send_replace(false);
        let this = self.clone();
        tokio::spawn(async move { this.run().await })
    }

    async fn run(self) {
        match self.inner.store.mail_sending_to_unknown().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                messages = n,
                "idlink stopped while sending these messages: they may or may not have arrived, \
                 so they are not sent again unless staff ask (/admin/mail, the outbox)"
            ),
            Err(e) => tracing::error!(error = %e, "cannot check the outbox at start"),
        }
        let (settled, outcomes) = mpsc::unbounded_channel();
        let sending = async {
            let mut in_flight = JoinSet::new();
            self.feed(&mut in_flight, settled).await;
            // Stopping: what was handed to the server is settled before idlink exits.
            while in_flight.join_next().await.is_some() {}
        };
        // The settler ends once every send has reported.
        tokio::join!(sending, self.settle(outcomes));
    }

    /// Stops the sender cleanly: no message is claimed any more, and those being sent
    /// are settled (within `grace`), so a clean stop leaves none in doubt.
    pub async fn shut_down(&self, sender: tokio::task::JoinHandle<()>, grace: Duration) {
        self.inner.stop.send_replace(true);
        if tokio::time::timeout(grace, sender).await.is_err() {
            tracing::warn!("messages still being sent at the stop are left in doubt");
        }
    }

    /// Hands due messages, at the rate, to tasks of `in_flight` until idlink stops. They
    /// are claimed a few at a time (one database round trip for a tenth of a second's
    /// worth); claimed ones not yet handed over at the stop go back to the queue.
    async fn feed(&self, in_flight: &mut JoinSet<()>, settled: Settled) {
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        let mut stop = self.inner.stop.subscribe();
        let mut claimed: VecDeque<ClaimedMail> = VecDeque::new();
        loop {
            while in_flight.try_join_next().is_some() {}
            if let Some(until) = self.held() {
                self.release(&mut claimed).await;
                tokio::select! {
                    _ = stop.wait_for(|stopping| *stopping) => break,
                    () = tokio::time::sleep_until(until) => continue,
                }
            }
            if claimed.is_empty() {
                tokio::select! {
                    _ = stop.wait_for(|stopping| *stopping) => break,
                    due = self.due_or_wait() => if !due { continue },
                }
            }
            let slot = tokio::select! {
                _ = stop.wait_for(|stopping| *stopping) => break,
                slot = self.turn(&slots) => slot,
            };
            let Some(slot) = slot else {
                continue;
            };
            if claimed.is_empty() {
                // Claimed only once a turn has come, so a message waiting for its turn
                // stays `queued` (a stop link still settles it). Not raced with the stop:
                // a claim cut off half-way would leave its messages in doubt.
                match self.inner.store.claim_mail(self.inner.claim_size).await {
                    Ok(mails) => claimed.extend(mails),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot claim messages from the outbox");
                        tokio::time::sleep(DB_ERROR_WAIT).await;
                        continue;
                    }
                }
            }
            let Some(mail) = claimed.pop_front() else {
                continue;
            };
            let this = self.clone();
            let settled = settled.clone();
            in_flight.spawn(async move {
                let outcome = this.deliver(mail).await;
                drop(slot);
                // Only fails once the settler is gone, i.e. the sender was aborted: the
                // message stays `sending` and becomes `unknown` at the next start.
                let _ = settled.send(outcome);
            });
        }
        self.release(&mut claimed).await;
    }

    /// Puts claimed messages that were not handed to the server back in the queue.
    async fn release(&self, claimed: &mut VecDeque<ClaimedMail>) {
        if claimed.is_empty() {
            return;
        }
        let ids: Vec<i64> = claimed.drain(..).map(|m| m.id).collect();
        if let Err(e) = self.inner.store.release_mail(&ids).await {
            // Left `sending`: they become `unknown` at the next start, never sent twice.
            tracing::error!(error = %e, "cannot put claimed messages back in the queue");
        }
    }

    /// Records outcomes as sends report them: all that arrived while the last write ran
    /// go in one transaction, so settling keeps up at any rate.
    async fn settle(&self, mut outcomes: mpsc::UnboundedReceiver<MailOutcome>) {
        let mut batch = Vec::new();
        while outcomes.recv_many(&mut batch, SETTLE_BATCH).await > 0 {
            if let Err(e) = self.inner.store.settle_mail(&batch).await {
                // Left `sending`: they become `unknown` at the next start, never sent twice.
                tracing::error!(error = %e, "cannot record the outcome of messages");
            }
            if batch.iter().any(|o| o.status == MailStatus::Queued) {
                // The sender may be asleep with nothing else queued: a retry is due soon.
                self.inner.wake.notify_one();
            }
            batch.clear();
        }
    }

    /// Waits for a sending slot and for the rate to allow the next message; `None` when
    /// the slots are gone.
    async fn turn(&self, slots: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
        let slot = slots.clone().acquire_owned().await.ok()?;
        self.inner.limiter.until_ready().await;
        Some(slot)
    }

    /// Whether a message is due now; if not, first waits until one may be (its retry
    /// time, new mail, or the idle wait).
    async fn due_or_wait(&self) -> bool {
        let due = match self.inner.store.next_mail_due_at().await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                tokio::time::sleep(DB_ERROR_WAIT).await;
                return false;
            }
        };
        let t = now();
        let wait = match due {
            Some(at) if at <= t => return true,
            Some(at) => Duration::from_secs(at.saturating_sub(t).unsigned_abs()).min(IDLE_WAIT),
            None => IDLE_WAIT,
        };
        tokio::select! {
            () = self.inner.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
        false
    }

    /// Sends one claimed message; how it ended.
    #[tracing::instrument(skip_all, fields(mail_id = mail.id, attempt = mail.attempts))]
    async fn deliver(&self, mail: ClaimedMail) -> MailOutcome {
        let inner = &self.inner;
        let outcome = |status, error: Option<String>, retry_at| MailOutcome {
            id: mail.id,
            status,
            error,
            retry_at,
        };
        if mail.stopped {
            inner.metrics.mail("stopped");
            let why = "the recipient asked for no more mail".to_string();
            return outcome(MailStatus::Stopped, Some(why), None);
        }
        let message = Rendered {
            subject: mail.subject,
            text: mail.body_text,
            html: mail.body_html,
            stop_url: Some(mail.stop_url),
        };
        let to = Recipient {
            address: &mail.to_address,
            name: mail.to_name.as_deref(),
            message_id: Some(&mail.message_id),
        };
        let Err(e) = inner.mailer.send_to(to, &message).await else {
            inner.metrics.mail("sent");
            return outcome(MailStatus::Sent, None, None);
        };
        let reason = e.to_string();
        let retry_at = now() + self.retry_wait(mail.attempts).as_secs() as i64;
        if e.is_setup() {
            // Every message would fail alike: hold the outbox, try again later, never
            // give up on the message.
            tracing::error!(
                "the mail server refused idlink's mail settings; messages wait until they are fixed: {reason}"
            );
            self.hold(Instant::now() + self.retry_wait(mail.attempts));
            inner.metrics.mail("retried");
            outcome(MailStatus::Queued, Some(reason), Some(retry_at))
        } else if e.is_transient() && mail.attempts < MAX_ATTEMPTS {
            tracing::warn!("message not sent, tried again later: {reason}");
            inner.metrics.mail("retried");
            outcome(MailStatus::Queued, Some(reason), Some(retry_at))
        } else {
            tracing::warn!("message not sent, given up: {reason}");
            inner.metrics.mail("failed");
            outcome(MailStatus::Failed, Some(reason), None)
        }
    }

    fn held(&self) -> Option<Instant> {
        let held = self
            .inner
            .held_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        held.filter(|until| *until > Instant::now())
    }

    fn hold(&self, until: Instant) {
        let mut held = self
            .inner
            .held_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *held = Some(held.map_or(until, |h| h.max(until)));
    }

    /// The wait after the `attempts`-th failed try: doubling, up to an hour.
    fn retry_wait(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(16);
        self.inner
            .retry
            .saturating_mul(1 << doublings)
            .min(MAX_RETRY_WAIT)
    }

    /// `<random@idlink's host>`: the same on every attempt of a message.
    fn message_id(&self) -> String {
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        format!("<{hex}@{}>", self.inner.message_domain)
    }
}

/// A stop token's stored form.
fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// `PUBLIC_URL`'s path with a trailing slash, so idlink behind a path prefix works.
fn base_path(url: &Url) -> String {
    let path = url.path();
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{MailRoute, MailSettings};

    async fn outbox(public_url: &str) -> (tempfile::TempDir, Outbox) {
        let (dir, store) = crate::store::test_store().await;
        let settings = MailSettings {
            route: MailRoute::NotConfigured,
            from: "idlink <idlink@example.org>".into(),
            reply_to: None,
            timeout: Duration::from_secs(1),
            rate_per_min: NonZeroU32::new(60).unwrap(),
            retry: Duration::from_secs(60),
        };
        let outbox = Outbox::new(
            store,
            Mailer::new(&settings).unwrap(),
            Metrics::default(),
            Url::parse(public_url).unwrap(),
            settings.rate_per_min,
            settings.retry,
        );
        (dir, outbox)
    }

    #[tokio::test]
    async fn waits_double_up_to_an_hour() {
        let (_dir, o) = outbox("https://idlink.example.org/").await;
        let waits: Vec<u64> = [1, 2, 3, 6, 7, 40]
            .into_iter()
            .map(|a| o.retry_wait(a).as_secs())
            .collect();
        assert_eq!(waits, [60, 120, 240, 1920, 3600, 3600]);
    }

    #[tokio::test]
    async fn stop_links_live_under_public_url_and_only_their_hash_is_kept() {
        let (_dir, o) = outbox("https://example.ac.nz/idlink").await;
        let url = o.stop_url(" Ada@Example.org ").await.unwrap();
        let token = url
            .strip_prefix("https://example.ac.nz/idlink/mail/stop/")
            .unwrap_or_else(|| panic!("{url}"));
        assert_eq!(token.len(), 43);
        assert_ne!(
            o.stop_url("Ada@Example.org").await.unwrap(),
            url,
            "fresh each time"
        );
        let stored = o.inner.store.stop_token_hashes().await;
        assert!(stored
            .iter()
            .all(|h| h.len() == 32 && h != token.as_bytes()));
        assert_eq!(
            o.stop_link_address(token).await.unwrap().as_deref(),
            Some("Ada@Example.org")
        );
        assert!(!o.is_stopped("ada@example.org").await.unwrap());
        let (address, newly) = o.stop_by_link(token, StopVia::Page).await.unwrap().unwrap();
        assert!(newly && address == "Ada@Example.org");
        assert!(o.is_stopped("ADA@EXAMPLE.ORG").await.unwrap());
        let (_, again) = o
            .stop_by_link(token, StopVia::OneClick)
            .await
            .unwrap()
            .unwrap();
        assert!(!again, "idempotent");
        assert!(o
            .stop_by_link("nope", StopVia::Page)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn messages_are_claimed_a_few_at_once_in_order_and_unsent_ones_go_back() {
        let (_dir, o) = outbox("https://idlink.example.org/").await;
        let msgs = ["a@example.org", "b@example.org", "c@example.org"]
            .map(|to| Outgoing {
                to: to.into(),
                to_name: None,
                kind: MailKind::Notice,
                invitation_id: None,
                batch: None,
                message: Rendered {
                    subject: "s".into(),
                    text: "t".into(),
                    html: "h".into(),
                    stop_url: None,
                },
            })
            .to_vec();
        let ids = o.enqueue(msgs).await.unwrap();
        // b asks for no more mail just as its message is claimed.
        let store = &o.inner.store;
        store.stop_address_alone("b@example.org").await;
        let claimed = store.claim_mail(2).await.unwrap();
        assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), ids[..2]);
        assert!(claimed.iter().all(|m| m.attempts == 1));
        assert!(
            !claimed[0].stopped && claimed[1].stopped,
            "b's is settled unsent"
        );
        let statuses = o.status_of(&ids).await.unwrap();
        assert_eq!(statuses[0].1, MailStatus::Sending);
        assert_eq!(statuses[2].1, MailStatus::Queued);

        store.release_mail(&[ids[0]]).await.unwrap();
        let again = store.claim_mail(10).await.unwrap();
        let again: Vec<(i64, i64)> = again.iter().map(|m| (m.id, m.attempts)).collect();
        assert_eq!(
            again,
            [(ids[0], 1), (ids[2], 1)],
            "the released one's try not counted"
        );
    }

    #[tokio::test]
    async fn message_ids_are_unique_and_on_idlinks_host() {
        let (_dir, o) = outbox("https://idlink.example.org/").await;
        let a = o.message_id();
        assert!(
            a.starts_with('<') && a.ends_with("@idlink.example.org>"),
            "{a}"
        );
        assert_ne!(a, o.message_id());
    }
}
