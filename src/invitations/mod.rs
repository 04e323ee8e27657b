//! Invitations to connect an ORCID iD: staff check a roster or one person as a draft
//! ([`intake`]), review it, and send; each person gets a personal link ([`links`]) that
//! opens a page greeting them and starts the connection with ORCID's form pre-filled.
//! The connection it leads to is recorded, with a flag when the iD differs from the one
//! staff named. Messages and reminders go through the outbox ([`send`]).

pub mod intake;
pub mod links;
pub mod reconsent;
pub mod roster;
pub mod send;

use crate::config::InviteSettings;
use crate::lookups::PublicLookup;
use crate::mail::Outbox;
use crate::store::{now, Invitation, Store};
use orcid::{OrcidId, Prefill};

/// What a personal link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Open: the person may connect.
    Open(Invitation),
    /// It already led to a connection.
    Used(Invitation),
    /// Past `INVITE_TTL_DAYS`.
    Expired(Invitation),
    /// No such link (mistyped, or never sent).
    Unknown,
}

/// The invitation rules over the store, shared by the web pages and the background tasks.
#[derive(Clone)]
pub struct Invitations {
    store: Store,
    lookup: PublicLookup,
    outbox: Outbox,
    settings: InviteSettings,
    /// `PUBLIC_URL` without its trailing slash: links in messages start with it.
    public_url: String,
    institution: String,
}

/// What [`Invitations::new`] is made from.
pub struct Parts {
    pub store: Store,
    pub lookup: PublicLookup,
    pub outbox: Outbox,
    pub settings: InviteSettings,
    pub public_url: String,
    pub institution: String,
}

impl Invitations {
    pub fn new(parts: Parts) -> Self {
        Self {
            store: parts.store,
            lookup: parts.lookup,
            outbox: parts.outbox,
            settings: parts.settings,
            public_url: parts.public_url.trim_end_matches('/').to_string(),
            institution: parts.institution,
        }
    }

    pub fn lookup(&self) -> &PublicLookup {
        &self.lookup
    }

    /// The personal link for a token.
    pub fn link_url(&self, token: &str) -> String {
        format!("{}/invite/{token}", self.public_url)
    }

    /// What a link's token leads to, without marking anything.
    pub async fn state_of(&self, token: &str) -> Result<LinkState, sqlx::Error> {
        if !links::plausible(token) {
            return Ok(LinkState::Unknown);
        }
        let Some(inv) = self.store.invitation_by_link(&links::hash(token)).await? else {
            return Ok(LinkState::Unknown);
        };
        Ok(if inv.connected_at.is_some() {
            LinkState::Used(inv)
        } else if inv.is_expired(now()) {
            LinkState::Expired(inv)
        } else {
            LinkState::Open(inv)
        })
    }

    /// The person opened their link: the first time is recorded.
    pub async fn open(&self, token: &str) -> Result<LinkState, sqlx::Error> {
        let state = self.state_of(token).await?;
        if let LinkState::Open(inv) = &state {
            if inv.opened_at.is_none() {
                self.store.mark_invitation_opened(inv.id).await?;
            }
        }
        Ok(state)
    }

    /// The connection an invitation led to. The connection itself is the researcher's
    /// and stands whatever iD it was; a different iD than staff named is flagged.
    pub async fn connected(&self, invitation_id: i64, orcid: &OrcidId) -> Result<(), sqlx::Error> {
        if self
            .store
            .mark_invitation_connected(invitation_id, orcid)
            .await?
        {
            if let Some(inv) = self.store.invitation(invitation_id).await? {
                if inv.mismatch() {
                    tracing::info!(
                        invitation = invitation_id,
                        "an invitation led to a connection with another iD than staff named"
                    );
                }
            }
        }
        Ok(())
    }
}

/// ORCID's sign-in or registration pre-filled from what staff gave.
pub fn prefill(inv: &Invitation) -> Prefill {
    Prefill {
        orcid: inv.named_orcid,
        email: inv.email.clone(),
        given_names: inv.given_names.clone(),
        family_names: inv.family_names.clone(),
    }
}
