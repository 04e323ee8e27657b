//! What came of a write of one affiliation, and the words the researcher reads about it.

use orcid::affiliation_rules::Problem;
use orcid::model::AffiliationSection;

use crate::works::{LinkTo, Message, Tone, WriteOutcome};

/// What came of a write of one affiliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AffiliationOutcome {
    /// ORCID was called: what it answered (a 409 is `AlreadyOnRecord`).
    Sent(WriteOutcome),
    /// idlink's own item on the record already says this: nothing was sent.
    Unchanged { put_code: i64 },
    /// Another source's item on the record means the same: nothing was sent.
    OtherSource { put_code: i64, source: String },
    /// The `ORG_*` settings are incomplete: the words name the missing settings.
    OrgIncomplete(String),
    /// ORCID would refuse it: nothing was sent.
    Invalid(Vec<Problem>),
    /// Not an affiliation idlink added: only its source may change it.
    NotIdlinks,
}

impl AffiliationOutcome {
    /// A short label for the audit log, metrics and job results.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Sent(o) => o.label(),
            Self::Unchanged { .. } => "unchanged",
            Self::OtherSource { .. } => "already_there",
            Self::OrgIncomplete(_) => "org_incomplete",
            Self::Invalid(_) => "invalid",
            Self::NotIdlinks => "not_source",
        }
    }

    /// The put-code of idlink's item this leaves on the record, if any.
    pub fn put_code(&self) -> Option<i64> {
        match self {
            Self::Sent(WriteOutcome::Added { put_code } | WriteOutcome::Updated { put_code })
            | Self::Unchanged { put_code } => Some(*put_code),
            Self::Sent(WriteOutcome::AlreadyOnRecord { put_code }) => *put_code,
            _ => None,
        }
    }
}

/// The section as a sentence names one item of it: "employment", "invited position".
pub fn item_words(section: AffiliationSection) -> &'static str {
    match section {
        AffiliationSection::Employment => "employment",
        AffiliationSection::Education => "education",
        AffiliationSection::Qualification => "qualification",
        AffiliationSection::InvitedPosition => "invited position",
        AffiliationSection::Distinction => "distinction",
        AffiliationSection::Membership => "membership",
        AffiliationSection::Service => "service",
    }
}

impl AffiliationOutcome {
    /// The words for the researcher about their `section` item at `institution`.
    pub fn message(&self, section: AffiliationSection, institution: &str) -> Message {
        let item = item_words(section);
        let see = |m: Message| m.link(LinkTo::Record, "See it on your ORCID record");
        match self {
            Self::Sent(WriteOutcome::Added { .. }) => see(Message::new(
                Tone::Ok,
                format!("Your {item} at {institution} was added to your ORCID record."),
            )),
            Self::Sent(WriteOutcome::Updated { .. }) => see(Message::new(
                Tone::Ok,
                format!("Your {item} at {institution} was updated on your ORCID record."),
            )),
            Self::Sent(WriteOutcome::Deleted) => Message::new(
                Tone::Ok,
                format!("The {item} was removed from your ORCID record."),
            ),
            Self::Sent(WriteOutcome::AlreadyOnRecord { .. }) => see(Message::new(
                Tone::Warn,
                format!("This {item} is already on your ORCID record (idlink added it before), so nothing was added twice."),
            )),
            Self::Sent(WriteOutcome::NotSource) | Self::NotIdlinks => Message::new(
                Tone::Error,
                format!("This {item} was added by another source; only that source (or you, at orcid.org) can change it. Nothing was changed."),
            ),
            Self::Sent(WriteOutcome::Gone) => Message::new(
                Tone::Warn,
                format!("That {item} is no longer on your ORCID record: it was removed at orcid.org. idlink will not add it back."),
            ),
            Self::Sent(WriteOutcome::Invalid(m)) => Message::new(
                Tone::Error,
                format!("ORCID did not accept the {item}: {m}"),
            ),
            Self::Sent(WriteOutcome::MissingScope) => Message::new(
                Tone::Error,
                "idlink needs your permission to update your ORCID record. Reconnect and allow \"add and update\" for your activities.",
            )
            .link(LinkTo::ConnectForWorks, "Reconnect and allow updates"),
            Self::Sent(other) => other.message(),
            Self::Unchanged { .. } => see(Message::new(
                Tone::Ok,
                format!("This {item} is already on your ORCID record as you entered it, so nothing was changed."),
            )),
            Self::OtherSource { source, .. } => see(Message::new(
                Tone::Warn,
                format!("This {item} is already on your record from {source}, so idlink did not add it again."),
            )),
            Self::OrgIncomplete(m) => Message::new(Tone::Error, m.clone()),
            Self::Invalid(problems) => Message::new(
                Tone::Error,
                problems
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
}
