//! Re-consent: asking everyone whose grant was revoked, has expired or lacks a permission
//! to connect again. Each person gets a personal link (an invitation of kind re-consent,
//! single use, expiring like any invitation) at the address staff gave in their
//! invitation, else the one they made public on ORCID (looked up in the background, see
//! [`crate::lookups::background`], so thousands of people do not hold the page). Staff
//! see who it goes to before sending; a second send within [`RESEND_WINDOW_SECS`] mails
//! nobody twice.

use super::send::{batch_name, SendError};
use super::{links, Invitations};
use crate::mail::outbox::MailKind;
use crate::mail::{LinkMessage, Outgoing, Rendered};
use crate::store::{now, GrantState, NewReconsent, PublicEmailStatus, ReconsentCandidate};
use orcid::OrcidId;

/// A person sent a re-consent this recently is not sent another (a double click, or
/// two staff members at once).
pub const RESEND_WINDOW_SECS: i64 = 15 * 60;
/// A public address read from ORCID is used for this long, then read again.
const PUBLIC_EMAIL_FRESH_SECS: i64 = 24 * 60 * 60;
/// After ORCID did not answer about an address (a few times), before it is asked again:
/// meanwhile the preview lists the person as unreachable, so Send is not held.
const PUBLIC_EMAIL_FAILED_SECS: i64 = 10 * 60;
/// Addresses nobody has needed for this long are deleted.
const PUBLIC_EMAIL_FORGET_SECS: i64 = 30 * 24 * 60 * 60;

/// Where a recipient's address came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSource {
    Invitation,
    OrcidPublic,
}

/// Someone a re-consent invitation goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub person: ReconsentCandidate,
    pub email: String,
    pub source: AddressSource,
}

/// Someone idlink has no address for.
#[derive(Debug, Clone)]
pub struct Unreachable {
    pub person: ReconsentCandidate,
    /// ORCID did not answer when asked for the public address, time after time.
    pub lookup_failed: bool,
}

/// Who a re-consent send would reach, and who not.
#[derive(Debug, Clone, Default)]
pub struct ReconsentPreview {
    pub recipients: Vec<Recipient>,
    pub no_address: Vec<Unreachable>,
    /// Their address asked for no more email.
    pub stopped: Vec<Recipient>,
    /// Sent one within [`RESEND_WINDOW_SECS`].
    pub recently_sent: Vec<ReconsentCandidate>,
    /// Their public address is still being looked up on ORCID: Send waits for them.
    pub looking_up: Vec<ReconsentCandidate>,
    /// Public addresses to look up that this preview queued (the lookups task is to be
    /// woken).
    pub queued: u64,
}

/// What a send did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconsentSent {
    /// The batch that follows the messages; `None` when every person had just been sent one.
    pub batch_id: Option<i64>,
    pub queued: usize,
}

/// What stopped working, in plain words for the person.
pub fn what_stopped(state: GrantState, institution: &str) -> String {
    match state {
        GrantState::Revoked => format!("The permission you gave {institution} to work with your ORCID record was withdrawn at ORCID, so {institution} can no longer read or update your record."),
        GrantState::Expired => format!("The permission you gave {institution} to work with your ORCID record has expired, so {institution} can no longer read or update your record."),
        GrantState::MissingScope => format!("Your connection does not include a permission {institution} now asks for, so {institution} cannot add everything it knows about your work to your ORCID record."),
        GrantState::NeverUsed | GrantState::Active => format!("{institution} asks you to confirm your connection with ORCID."),
    }
}

impl Invitations {
    /// Everyone needing to connect again, with the address each message would go to.
    /// `required`: the scopes every grant should hold (as on the health page).
    pub async fn reconsent_preview(
        &self,
        required: &[String],
    ) -> Result<ReconsentPreview, sqlx::Error> {
        let t = now();
        let people = self
            .store
            .reconsent_candidates(required, t, t - RESEND_WINDOW_SECS)
            .await?;
        let mut preview = ReconsentPreview::default();
        let mut to_address = Vec::new();
        for person in people {
            if person.recently_sent {
                preview.recently_sent.push(person);
            } else {
                to_address.push(person);
            }
        }
        let public: Vec<OrcidId> = to_address
            .iter()
            .filter(|p| p.invited_email.is_none())
            .map(|p| p.orcid)
            .collect();
        preview.queued = self
            .store
            .queue_public_emails(
                &public,
                t - PUBLIC_EMAIL_FRESH_SECS,
                t - PUBLIC_EMAIL_FAILED_SECS,
                t - PUBLIC_EMAIL_FORGET_SECS,
            )
            .await?;
        let mut known = self.store.public_emails_of(&public).await?;
        let mut addressed = Vec::with_capacity(to_address.len());
        for person in to_address {
            let (email, source) = match &person.invited_email {
                Some(email) => (email.clone(), AddressSource::Invitation),
                None => match known.remove(&person.orcid) {
                    Some(found) => match (found.status, found.email) {
                        // Being read again (a day old): used meanwhile, so Send waits
                        // only for people idlink knows no address of.
                        (PublicEmailStatus::Found | PublicEmailStatus::Pending, Some(email)) => {
                            (email, AddressSource::OrcidPublic)
                        }
                        (PublicEmailStatus::Pending, _) => {
                            preview.looking_up.push(person);
                            continue;
                        }
                        (status, _) => {
                            preview.no_address.push(Unreachable {
                                person,
                                lookup_failed: status == PublicEmailStatus::Failed,
                            });
                            continue;
                        }
                    },
                    None => {
                        preview.looking_up.push(person);
                        continue;
                    }
                },
            };
            addressed.push(Recipient {
                person,
                email,
                source,
            });
        }
        let emails: Vec<&str> = addressed.iter().map(|r| r.email.as_str()).collect();
        let stopped = self.store.stopped_among(&emails).await?;
        for r in addressed {
            if stopped.contains(&r.email) {
                preview.stopped.push(r);
            } else {
                preview.recipients.push(r);
            }
        }
        Ok(preview)
    }

    /// The message one recipient would get, as staff see it before sending (the link
    /// and the stop link stand in for the personal ones).
    pub fn reconsent_sample(&self, r: &Recipient) -> Result<Rendered, askama::Error> {
        self.reconsent_message(
            &r.person.name,
            r.person.state,
            "(their personal link)",
            "(their stop link)".into(),
        )
        .render()
    }

    /// Sends a re-consent invitation to everyone the preview reaches now, through the
    /// outbox, with an audit line per person naming `staff`.
    pub async fn send_reconsent(
        &self,
        staff: &orcid::OrcidId,
        required: &[String],
    ) -> Result<ReconsentSent, SendError> {
        let preview = self.reconsent_preview(required).await?;
        if !preview.looking_up.is_empty() {
            return Err(SendError::LookingUp);
        }
        if preview.recipients.is_empty() {
            if preview.recently_sent.is_empty() {
                return Err(SendError::Empty);
            }
            return Ok(ReconsentSent {
                batch_id: None,
                queued: 0,
            });
        }
        let tokens: Vec<(String, [u8; 32])> = preview
            .recipients
            .iter()
            .map(|_| links::new_token())
            .collect();
        let people: Vec<NewReconsent> = preview
            .recipients
            .iter()
            .zip(&tokens)
            .map(|(r, (_, hash))| NewReconsent {
                orcid: r.person.orcid,
                name: r.person.name.clone(),
                email: r.email.clone(),
                state: r.person.state,
                link_hash: *hash,
            })
            .collect();
        let t = now();
        let Some((batch_id, stored)) = self
            .store
            .create_reconsent_batch(
                staff,
                &people,
                t + self.settings.ttl_secs,
                t - RESEND_WINDOW_SECS,
            )
            .await?
        else {
            return Ok(ReconsentSent {
                batch_id: None,
                queued: 0,
            });
        };
        let batch = batch_name(batch_id);
        let mut outgoing = Vec::with_capacity(stored.len());
        for (index, invitation_id) in stored {
            let r = &preview.recipients[index];
            let stop_url = self.outbox.stop_url(&r.email).await?;
            let link = self.link_url(&tokens[index].0);
            let message = self
                .reconsent_message(&r.person.name, r.person.state, &link, stop_url)
                .render()?;
            outgoing.push(Outgoing {
                to: r.email.clone(),
                to_name: Some(r.person.name.clone()).filter(|n| !n.trim().is_empty()),
                kind: MailKind::Reconsent,
                invitation_id: Some(invitation_id),
                batch: Some(batch.clone()),
                message,
            });
        }
        let queued = self.outbox.enqueue(outgoing).await?.len();
        tracing::info!(batch = batch_id, queued, "re-consent invitations queued");
        Ok(ReconsentSent {
            batch_id: Some(batch_id),
            queued,
        })
    }

    /// For a re-consent invitation, what had stopped working; `None` for an ordinary one.
    pub async fn reconsent_state(
        &self,
        invitation_id: i64,
    ) -> Result<Option<GrantState>, sqlx::Error> {
        self.store.reconsent_grant_state(invitation_id).await
    }

    /// Queues the re-consent messages a stop left out between storing a batch and
    /// queuing its messages (see [`Invitations::queue_unmailed`]); returns how many.
    pub(super) async fn queue_unmailed_reconsents(
        &self,
        sent_before: i64,
    ) -> Result<usize, SendError> {
        let people = self.store.reconsents_sent_unmailed(sent_before).await?;
        let mut outgoing = Vec::with_capacity(people.len());
        for p in &people {
            let Some(state) = GrantState::from_slug(&p.grant_state) else {
                continue;
            };
            let (token, hash) = links::new_token();
            self.store.add_invitation_link(p.id, &hash).await?;
            let stop_url = self.outbox.stop_url(&p.email).await?;
            let link = self.link_url(&token);
            let message = self
                .reconsent_message(&p.name, state, &link, stop_url)
                .render()?;
            outgoing.push(Outgoing {
                to: p.email.clone(),
                to_name: Some(p.name.clone()).filter(|n| !n.trim().is_empty()),
                kind: MailKind::Reconsent,
                invitation_id: Some(p.id),
                batch: Some(batch_name(p.batch_id)),
                message,
            });
        }
        if outgoing.is_empty() {
            return Ok(0);
        }
        Ok(self.outbox.enqueue(outgoing).await?.len())
    }

    fn reconsent_message(
        &self,
        name: &str,
        state: GrantState,
        link: &str,
        stop_url: String,
    ) -> LinkMessage {
        let institution = &self.institution;
        let name = name.trim();
        LinkMessage {
            subject: format!("Please connect your ORCID iD with {institution} again"),
            institution: institution.clone(),
            greeting: if name.is_empty() {
                "Hello,".to_string()
            } else {
                format!("Dear {name},")
            },
            paragraphs: vec![
                what_stopped(state, institution),
                "Connecting again takes a minute: the link below takes you to ORCID, where you sign in and decide what to share. Anything waiting to be added to your record is then added on its own.".to_string(),
                "The link is personal: please do not forward this message.".to_string(),
            ],
            link_label: "Connect again".to_string(),
            link_url: link.to_string(),
            stop_url: Some(stop_url),
        }
    }
}
