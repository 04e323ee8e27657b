//! A roster (or one person from the form) checked end to end before anything is sent:
//! the rows ([`super::roster`]), then who is already connected, then each named iD on
//! ORCID's Public API ([`crate::lookups`]), whose public name staff see beside it. One
//! person's iD is looked up at once; a roster's are marked for the background lookups
//! ([`crate::lookups::background`]), so a large roster is stored without waiting on ORCID.

use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};

use super::roster::{self, ParsedRoster, RosterError, RosterRow};
use crate::jobs::findings::Findings;
use crate::lookups::{no_record_message, Found, LookupFailed, PublicLookup};
use crate::store::{now, NewInvitation, RowError, Store};
use orcid::OrcidId;

/// Public API lookups in flight at once (each still waits for the shared limiter).
const LOOKUPS_AT_ONCE: usize = 8;

/// What a draft batch is made of.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub rows_total: i64,
    pub findings: Findings,
    pub invitations: Vec<NewInvitation>,
}

impl Review {
    pub fn rows_invalid(&self) -> i64 {
        self.findings.invalid_lines()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    File(#[from] RosterError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the roster check stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Checks a roster file; its named iDs are left for the background lookups. Parsing
/// runs off the async threads: a large file takes a moment.
pub async fn review_roster(store: &Store, bytes: Vec<u8>) -> Result<Review, IntakeError> {
    let parsed = tokio::task::spawn_blocking(move || roster::parse(&bytes)).await??;
    review(store, Lookups::Later, parsed).await
}

/// Checks one person from the form: the same rules as a roster row.
pub async fn review_person(
    store: &Store,
    lookup: Option<&PublicLookup>,
    row: RosterRow,
) -> Result<Review, IntakeError> {
    let parsed = ParsedRoster {
        rows_total: 1,
        findings: Findings::default(),
        rows: vec![row],
    };
    let lookups = match lookup {
        Some(lookup) => Lookups::Now(lookup),
        None => Lookups::Skip,
    };
    review(store, lookups, parsed).await
}

/// When named iDs are looked up on the Public API.
#[derive(Clone, Copy)]
enum Lookups<'a> {
    /// Before the draft is stored (one person: staff wait a moment).
    Now(&'a PublicLookup),
    /// After, in the background (a roster).
    Later,
    /// Not at all (tests of the rows alone).
    Skip,
}

async fn review(
    store: &Store,
    lookups: Lookups<'_>,
    parsed: ParsedRoster,
) -> Result<Review, IntakeError> {
    let mut orcids: Vec<OrcidId> = parsed.rows.iter().filter_map(|r| r.orcid).collect();
    orcids.sort_unstable();
    orcids.dedup();
    let grants = store.grants_of(&orcids).await?;
    let t = now();
    let connected: HashSet<OrcidId> = grants
        .iter()
        .filter(|(_, g)| {
            !g.disconnected
                && g.token
                    .as_ref()
                    .is_some_and(|k| !k.revoked && k.expires_at > t)
        })
        .map(|(id, _)| *id)
        .collect();
    let emails: Vec<String> = parsed.rows.iter().map(|r| r.email.clone()).collect();
    let connected_emails = store.connected_invitation_emails(&emails).await?;

    let mut findings = parsed.findings;
    let mut kept = Vec::with_capacity(parsed.rows.len());
    for row in parsed.rows {
        let problem = match row.orcid {
            Some(id) if connected.contains(&id) => Some((
                "orcid",
                format!("{id} is already connected to idlink: not invited."),
            )),
            _ if connected_emails.contains(&row.email.to_lowercase()) => Some((
                "email",
                "This person already connected through an earlier invitation: not invited."
                    .to_string(),
            )),
            _ => None,
        };
        match problem {
            Some((column, message)) => findings.push(RowError {
                line: row.line,
                column: column.into(),
                message,
            }),
            None => kept.push(row),
        }
    }

    let names = match lookups {
        Lookups::Now(lookup) => look_up(lookup, &kept).await,
        Lookups::Later | Lookups::Skip => vec![None; kept.len()],
    };
    let mut invitations = Vec::with_capacity(kept.len());
    let mut late = Vec::new();
    for (row, found) in kept.into_iter().zip(names) {
        let public_name = match found {
            Some(Ok(Found::NoRecord)) => {
                let id = row.orcid.map(|i| i.to_string()).unwrap_or_default();
                late.push(RowError {
                    line: row.line,
                    column: "orcid".into(),
                    message: no_record_message(&id),
                });
                continue;
            }
            Some(Ok(Found::Record { public_name })) => Some(public_name),
            Some(Err(e)) => {
                tracing::warn!(line = row.line, error = %e, "a named iD could not be looked up");
                None
            }
            None => None,
        };
        let lookup_pending = matches!(lookups, Lookups::Later) && row.orcid.is_some();
        invitations.push(NewInvitation {
            lookup_pending,
            line: row.line,
            email: row.email,
            given_names: row.given_names,
            family_names: row.family_names,
            department: row.department,
            named_orcid: row.orcid,
            public_name,
        });
    }
    // Kept in file order with the other findings.
    for f in late {
        findings.push(f);
    }
    Ok(Review {
        rows_total: parsed.rows_total,
        findings,
        invitations,
    })
}

/// The iDs looked up at once (the form's one person): an answer per row, `None` for a
/// row without an iD.
async fn look_up(
    lookup: &PublicLookup,
    rows: &[RosterRow],
) -> Vec<Option<Result<Found, LookupFailed>>> {
    let ids: Vec<Option<OrcidId>> = rows.iter().map(|r| r.orcid).collect();
    stream::iter(ids)
        .map(|id| {
            let lookup = lookup.clone();
            async move {
                match id {
                    Some(id) => Some(lookup.find(&id).await),
                    None => None,
                }
            }
        })
        .buffered(LOOKUPS_AT_ONCE)
        .collect()
        .await
}
