//! What happened to a call on a researcher's works, and the words the researcher reads
//! about it: the one mapping from ORCID's errors to what a page says.

use orcid::{ApiError, Held, OrcidError};

use super::access::{AccessError, CallError};
use super::sync::SyncError;

/// What happened to a write (or to the read before an edit), as the person is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Added {
        put_code: i64,
    },
    Updated {
        put_code: i64,
    },
    Deleted,
    /// 409 / 9021: idlink had already added a work with this identifier.
    AlreadyOnRecord {
        put_code: Option<i64>,
    },
    /// 401: the researcher revoked idlink's access at ORCID.
    Revoked,
    /// 401 / 9017: the grant idlink holds is for another ORCID record.
    WrongRecord,
    /// 403 / 9038: the grant does not allow this.
    MissingScope,
    /// 403 / 9010: another source's work.
    NotSource,
    /// 404: the work is no longer on the record.
    Gone,
    /// 400: ORCID's own `user-message`.
    Invalid(String),
    /// 503 after every retry.
    Busy,
    NotConnected,
    Unavailable,
    /// Not sent: idlink's own limits held it back (ORCID busy, or the person's allowance).
    Held(Held),
}

/// How a message is shown: the CSS class of its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Error,
}

/// Where a message's link leads; the web layer turns it into an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTo {
    /// The researcher's record at ORCID.
    Record,
    /// Connect (again) with the usual permissions.
    Connect,
    /// Connect again, asking for the permission to add works.
    ConnectForWorks,
}

/// A message for the researcher, with an optional link (where, label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub tone: Tone,
    pub text: String,
    pub link: Option<(LinkTo, &'static str)>,
}

impl Message {
    pub fn new(tone: Tone, text: impl Into<String>) -> Self {
        Self {
            tone,
            text: text.into(),
            link: None,
        }
    }

    pub fn link(mut self, to: LinkTo, label: &'static str) -> Self {
        self.link = Some((to, label));
        self
    }
}

impl WriteOutcome {
    /// A short label for the audit log and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Added { .. } | Self::Updated { .. } | Self::Deleted => "ok",
            Self::AlreadyOnRecord { .. } => "duplicate",
            Self::Revoked => "revoked",
            Self::WrongRecord => "wrong_record",
            Self::MissingScope => "missing_scope",
            Self::NotSource => "not_source",
            Self::Gone => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Busy => "busy",
            Self::NotConnected => "not_connected",
            Self::Unavailable => "unavailable",
            Self::Held(h) => h.outcome(),
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Self::Added { .. } | Self::Updated { .. } | Self::Deleted
        )
    }

    /// What an ORCID refusal means for the researcher.
    pub fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::InvalidToken => Self::Revoked,
            ApiError::WrongRecord => Self::WrongRecord,
            ApiError::MissingScope => Self::MissingScope,
            ApiError::NotSource => Self::NotSource,
            ApiError::NotFound => Self::Gone,
            ApiError::Duplicate { existing } => Self::AlreadyOnRecord {
                put_code: *existing,
            },
            ApiError::Invalid {
                user_message,
                developer_message,
                ..
            } => Self::Invalid(if user_message.is_empty() {
                developer_message.clone()
            } else {
                user_message.clone()
            }),
            ApiError::Busy => Self::Busy,
            ApiError::Transport(OrcidError::Held(h)) => Self::Held(*h),
            ApiError::Other { .. } | ApiError::Transport(_) => Self::Unavailable,
        }
    }

    /// What a failed call with the researcher's token means for them.
    pub fn from_call(e: &CallError) -> Self {
        match e {
            CallError::Access(e) => Self::from_access(e),
            CallError::Api(e) => Self::from_api(e),
        }
    }

    /// What a grant that could not be used means for the researcher.
    pub fn from_access(e: &AccessError) -> Self {
        match e {
            AccessError::NotConnected => Self::NotConnected,
            AccessError::Revoked => Self::Revoked,
            AccessError::Refresh(OrcidError::Held(h)) => Self::Held(*h),
            AccessError::Refresh(_) | AccessError::Db(_) => Self::Unavailable,
        }
    }

    /// What a failed refresh of the works means for the researcher.
    pub fn from_sync(e: &SyncError) -> Self {
        match e {
            SyncError::Access(a) => Self::from_access(a),
            SyncError::Api(a) => Self::from_api(a),
            SyncError::Db(_) => Self::Unavailable,
        }
    }

    /// The words the researcher reads after a write (or an edit page that could not open).
    pub fn message(&self) -> Message {
        use LinkTo::{Connect, ConnectForWorks, Record};
        match self {
            Self::Added { .. } => Message::new(Tone::Ok, "The work was added to your ORCID record.")
                .link(Record, "See it on your ORCID record"),
            Self::Updated { .. } => Message::new(Tone::Ok, "The work was updated on your ORCID record.")
                .link(Record, "See it on your ORCID record"),
            Self::Deleted => Message::new(Tone::Ok, "The work was removed from your ORCID record."),
            Self::AlreadyOnRecord { .. } => Message::new(
                Tone::Warn,
                "This work is already on your ORCID record (idlink added it before), so nothing was added twice.",
            )
            .link(Record, "See your ORCID record"),
            Self::Revoked => Message::new(
                Tone::Error,
                "You revoked idlink's access at ORCID, so it can no longer change your record. Reconnect to allow it again.",
            )
            .link(Connect, "Reconnect your ORCID iD"),
            Self::WrongRecord => Message::new(
                Tone::Error,
                "ORCID says the access idlink holds belongs to a different ORCID record, so nothing was changed. Reconnect with your own ORCID iD to fix this.",
            )
            .link(Connect, "Reconnect your ORCID iD"),
            Self::MissingScope => Message::new(
                Tone::Error,
                "idlink needs your permission to add works to your ORCID record. Reconnect and allow \"add and update works\".",
            )
            .link(ConnectForWorks, "Reconnect and allow adding works"),
            Self::NotSource => Message::new(
                Tone::Error,
                "This work was added by another source; only that source (or you, at orcid.org) can change it.",
            ),
            Self::Gone => Message::new(
                Tone::Warn,
                "That work is no longer on your ORCID record: it was removed at orcid.org. idlink will not add it back.",
            ),
            Self::Invalid(m) => Message::new(Tone::Error, format!("ORCID did not accept the work: {m}")),
            Self::Busy | Self::Held(Held::Busy) => Message::new(
                Tone::Error,
                "ORCID is busy right now. Nothing was changed; please try again in a minute.",
            ),
            Self::Held(Held::PersonLimit { .. }) => Message::new(
                Tone::Error,
                "You asked idlink to talk to ORCID many times in a short while. Nothing was changed; please wait a minute and try again.",
            ),
            Self::NotConnected => Message::new(Tone::Error, "Your ORCID iD is not connected.")
                .link(Connect, "Connect your ORCID iD"),
            Self::Unavailable => Message::new(
                Tone::Error,
                "idlink could not reach ORCID. Nothing was changed; please try again in a few minutes.",
            ),
        }
    }

    /// The words for a refresh of the works that failed (kept with the cache and shown
    /// beside the works idlink saw last).
    pub fn refresh_words(&self) -> &'static str {
        match self {
            Self::Revoked => "ORCID no longer accepts idlink's access: you revoked it at ORCID.",
            Self::WrongRecord => {
                "ORCID says the access idlink holds belongs to a different ORCID record: reconnect with your own ORCID iD."
            }
            Self::NotConnected => "Your ORCID iD is not connected.",
            Self::MissingScope => "idlink may not read your works: reconnect and allow it.",
            Self::Busy | Self::Held(Held::Busy) => "ORCID is busy right now.",
            Self::Held(Held::PersonLimit { .. }) => {
                "idlink asked ORCID for your record many times in a short while; try again in a minute."
            }
            _ => "ORCID could not be reached.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_keeps_its_own_words() {
        let wrong = WriteOutcome::from_api(&ApiError::WrongRecord);
        assert_eq!(wrong, WriteOutcome::WrongRecord);
        assert!(wrong.message().text.contains("different ORCID record"));
        assert_ne!(wrong.message(), WriteOutcome::Revoked.message());

        let scope = WriteOutcome::from_api(&ApiError::MissingScope);
        assert_eq!(scope, WriteOutcome::MissingScope);
        assert!(scope.message().text.contains("needs your permission"));
        assert_eq!(
            scope.message().link.map(|(to, _)| to),
            Some(LinkTo::ConnectForWorks)
        );
    }

    #[test]
    fn a_failed_refresh_speaks_as_before() {
        let words = |e: ApiError| WriteOutcome::from_sync(&SyncError::Api(e)).refresh_words();
        assert_eq!(
            words(ApiError::InvalidToken),
            "ORCID no longer accepts idlink's access: you revoked it at ORCID."
        );
        assert_eq!(
            words(ApiError::MissingScope),
            "idlink may not read your works: reconnect and allow it."
        );
        assert_eq!(words(ApiError::NotFound), "ORCID could not be reached.");
        assert!(words(ApiError::WrongRecord).contains("different ORCID record"));
    }
}
