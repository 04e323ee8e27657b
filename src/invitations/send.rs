//! Sending: a reviewed batch becomes personal links and messages in the outbox, which
//! sends them at `MAIL_RATE_PER_MIN`; reminders follow after `REMIND_AFTER_DAYS`, at
//! most `REMIND_MAX` times, never to someone who connected or asked for no more email.

use std::time::Duration;

use super::{links, Invitations};
use crate::mail::outbox::{MailKind, MailProgress};
use crate::mail::{LinkMessage, Outgoing};
use crate::store::{now, Invitation};

/// How often the reminder task looks for invitations due a reminder.
pub const REMINDER_CHECK: Duration = Duration::from_secs(15 * 60);
/// Reminders queued per look, so one look never holds the database for long.
const REMINDERS_PER_ROUND: i64 = 1000;
/// Messages of a sent batch queued per transaction.
const ENQUEUE_CHUNK: usize = 2000;
/// How long after Send an invitation without a message counts as left unqueued by a
/// stop (a Send of 50,000 queues its last message within seconds).
const UNMAILED_AFTER_SECS: i64 = 10 * 60;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("this batch was already sent or discarded")]
    NotDraft,
    #[error("this batch has nobody to invite")]
    Empty,
    #[error("this batch's iDs are still being looked up on ORCID")]
    LookingUp,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the message could not be drawn: {0}")]
    Render(#[from] askama::Error),
}

/// The outbox's name for a batch's messages (their progress is read by it).
pub fn batch_name(batch_id: i64) -> String {
    format!("invitations-{batch_id}")
}

impl Invitations {
    /// Sends a reviewed draft: links, expiry, audit lines and one message per person, in
    /// the outbox. Returns how many were queued.
    pub async fn send_batch(
        &self,
        batch_id: i64,
        staff: &orcid::OrcidId,
    ) -> Result<usize, SendError> {
        if self
            .store
            .invitation_batch(batch_id)
            .await?
            .is_some_and(|b| b.lookups_pending > 0)
        {
            return Err(SendError::LookingUp);
        }
        let people = self.store.batch_invitations(batch_id, i64::MAX).await?;
        if people.is_empty() {
            return Err(SendError::Empty);
        }
        let tokens: Vec<(String, [u8; 32])> = people.iter().map(|_| links::new_token()).collect();
        let hashes: Vec<(i64, [u8; 32])> = people
            .iter()
            .zip(&tokens)
            .map(|(p, (_, h))| (p.id, *h))
            .collect();
        let expires_at = now() + self.settings.ttl_secs;
        if !self
            .store
            .send_invitation_batch(batch_id, expires_at, &hashes)
            .await?
        {
            return Err(SendError::NotDraft);
        }
        self.store.audit_invitations_sent(staff, batch_id).await?;
        let batch = batch_name(batch_id);
        let mut queued = 0;
        // In chunks: each chunk's stop links and messages are one transaction apiece, so
        // a large batch never holds the database for long, and the first messages go
        // while the rest are still being queued.
        for (people, tokens) in people
            .chunks(ENQUEUE_CHUNK)
            .zip(tokens.chunks(ENQUEUE_CHUNK))
        {
            let addresses: Vec<&str> = people.iter().map(|p| p.email.as_str()).collect();
            let stop_urls = self.outbox.stop_urls(&addresses).await?;
            let outgoing = people
                .iter()
                .zip(tokens)
                .zip(stop_urls)
                .map(|((person, (token, _)), stop_url)| {
                    self.outgoing(person, token, Some(&batch), false, stop_url)
                })
                .collect::<Result<Vec<_>, _>>()?;
            queued += self.outbox.enqueue(outgoing).await?.len();
        }
        tracing::info!(batch = batch_id, queued, "invitations queued");
        Ok(queued)
    }

    /// A batch's messages by outbox status.
    pub async fn progress(&self, batch_id: i64) -> Result<MailProgress, sqlx::Error> {
        self.outbox.progress(&batch_name(batch_id)).await
    }

    /// Queues the reminders due now; returns how many.
    pub async fn send_reminders(&self) -> Result<usize, SendError> {
        if self.settings.remind_max == 0 {
            return Ok(0);
        }
        let t = now();
        let mut queued = 0;
        loop {
            let due = self
                .store
                .invitations_due_reminder(
                    t,
                    t - self.settings.remind_after_secs,
                    self.settings.remind_max,
                    REMINDERS_PER_ROUND,
                )
                .await?;
            if due.is_empty() {
                return Ok(queued);
            }
            for inv in &due {
                // Each reminder carries a link of its own; the earlier ones keep working.
                let (token, hash) = links::new_token();
                self.store.add_invitation_link(inv.id, &hash).await?;
                let stop_url = self.outbox.stop_url(&inv.email).await?;
                let message = self.outgoing(inv, &token, None, true, stop_url)?;
                // Counted before it is queued: a crash in between costs one reminder
                // rather than mailing the same person twice.
                self.store.record_invitation_reminder(inv.id).await?;
                self.outbox.enqueue(vec![message]).await?;
                queued += 1;
            }
        }
    }

    /// Queues the messages a stop left out: a batch is marked sent (its links stored)
    /// before its messages are queued chunk by chunk, so idlink stopping in between leaves
    /// people invited without a message. Each gets one now, with a fresh link (the first
    /// link's token was never mailed). Returns how many.
    pub async fn queue_unmailed(&self) -> Result<usize, SendError> {
        let sent_before = now() - UNMAILED_AFTER_SECS;
        let mut queued = self.queue_unmailed_reconsents(sent_before).await?;
        loop {
            let people = self
                .store
                .invitations_sent_unmailed(sent_before, ENQUEUE_CHUNK as i64)
                .await?;
            if people.is_empty() {
                return Ok(queued);
            }
            let mut outgoing = Vec::with_capacity(people.len());
            for person in &people {
                let (token, hash) = links::new_token();
                self.store.add_invitation_link(person.id, &hash).await?;
                let stop_url = self.outbox.stop_url(&person.email).await?;
                let batch = batch_name(person.batch_id);
                outgoing.push(self.outgoing(person, &token, Some(&batch), false, stop_url)?);
            }
            let now_queued = self.outbox.enqueue(outgoing).await?.len();
            if now_queued == 0 {
                // Nothing the outbox would take: stop rather than ask again forever.
                return Ok(queued);
            }
            queued += now_queued;
        }
    }

    /// Runs [`Invitations::queue_unmailed`] and [`Invitations::send_reminders`] every
    /// [`REMINDER_CHECK`] until idlink stops.
    pub fn start_reminders(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REMINDER_CHECK);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match this.queue_unmailed().await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(
                        invitations = n,
                        "invitations sent without a message (idlink stopped while queuing them) queued now"
                    ),
                    Err(e) => tracing::error!(error = %e, "unqueued invitations could not be queued"),
                }
                match this.send_reminders().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "invitation reminders queued"),
                    Err(e) => {
                        tracing::error!(error = %e, "invitation reminders could not be queued")
                    }
                }
            }
        })
    }

    fn outgoing(
        &self,
        inv: &Invitation,
        token: &str,
        batch: Option<&str>,
        reminder: bool,
        stop_url: String,
    ) -> Result<Outgoing, SendError> {
        let message = self.message(inv, &self.link_url(token), stop_url, reminder);
        Ok(Outgoing {
            to: inv.email.clone(),
            to_name: Some(full_name(inv)),
            kind: if reminder {
                MailKind::Reminder
            } else {
                MailKind::Invitation
            },
            invitation_id: Some(inv.id),
            batch: batch.map(str::to_string),
            message: message.render()?,
        })
    }

    /// The invitation (or reminder) message: the institution's name, a plain word on
    /// what connecting does, the personal link and the stop link.
    fn message(
        &self,
        inv: &Invitation,
        link: &str,
        stop_url: String,
        reminder: bool,
    ) -> LinkMessage {
        let institution = &self.institution;
        let subject = if reminder {
            format!("Reminder: connect your ORCID iD with {institution}")
        } else {
            format!("{institution} invites you to connect your ORCID iD")
        };
        let mut paragraphs = Vec::new();
        if reminder {
            paragraphs.push(format!("A little while ago {institution} invited you to connect your ORCID iD, and you have not done so yet. It takes a minute."));
        } else {
            paragraphs.push(format!("{institution} invites you to connect your ORCID iD, so that your work is recognised as yours and, with your permission, {institution} can add what it knows about it to your ORCID record."));
        }
        paragraphs.push(if inv.named_orcid.is_some() {
            "The link below takes you to ORCID, where you sign in and decide what to share.".to_string()
        } else {
            "The link below takes you to ORCID, where you sign in, or register for a free iD if you have none (the form is filled in for you), and decide what to share.".to_string()
        });
        paragraphs.push("The link is personal: please do not forward this message.".to_string());
        LinkMessage {
            subject,
            institution: institution.clone(),
            greeting: format!("Dear {},", full_name(inv)),
            paragraphs,
            link_label: "Connect your ORCID iD".to_string(),
            link_url: link.to_string(),
            stop_url: Some(stop_url),
        }
    }
}

fn full_name(inv: &Invitation) -> String {
    format!("{} {}", inv.given_names, inv.family_names)
        .trim()
        .to_string()
}
