//! What a failed call means for the items of a unit, and the words staff read for it.

use crate::works::access::{AccessError, CallError};
use crate::works::sync::SyncError;
use orcid::{ApiError, OrcidError};

/// The detail of items whose researcher revoked idlink's access.
pub const REVOKED: &str = "the researcher revoked idlink's access";

/// How far a failure reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// ORCID busy or unreachable: try again after a backoff.
    Transient(String),
    /// About the researcher's record: every remaining item of theirs fails.
    Researcher(String),
    /// The researcher's grant is gone (revoked, never given, or without the scope): every
    /// remaining item of theirs fails, or waits for a new grant where the job's kind
    /// says so.
    Grant(String),
    /// About what was sent: the items of this request fail, the others go on.
    Batch(String),
    /// idlink's own database: nothing is decided, the unit is tried again later.
    Database(String),
}

impl Trouble {
    pub fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::InvalidToken => Self::Grant(REVOKED.into()),
            ApiError::WrongRecord => {
                Self::Researcher("idlink's access belongs to a different ORCID record".into())
            }
            ApiError::MissingScope => Self::Grant(
                "the researcher did not allow idlink to add to their record (the /activities/update permission is missing)"
                    .into(),
            ),
            ApiError::NotFound => Self::Researcher("ORCID has no such record".into()),
            ApiError::Invalid {
                user_message,
                developer_message,
                ..
            } => Self::Batch(format!(
                "ORCID refused the request: {}",
                if user_message.is_empty() {
                    developer_message
                } else {
                    user_message
                }
            )),
            ApiError::Busy => Self::Transient("ORCID was busy (503)".into()),
            ApiError::Other { status, .. } if *status >= 500 => {
                Self::Transient(format!("ORCID answered {status}"))
            }
            ApiError::Other {
                status, message, ..
            } => Self::Researcher(format!("ORCID refused ({status}): {message}")),
            ApiError::NotSource | ApiError::Duplicate { .. } => {
                Self::Batch(format!("ORCID refused: {e}"))
            }
            ApiError::Transport(t) => match t {
                OrcidError::Timeout
                | OrcidError::Unreachable(_)
                | OrcidError::InvalidResponse(_)
                | OrcidError::Held(_) => Self::Transient(t.to_string()),
                OrcidError::Status { status } if *status >= 500 => Self::Transient(t.to_string()),
                _ => Self::Researcher(t.to_string()),
            },
        }
    }

    pub fn from_access(e: &AccessError) -> Self {
        match e {
            AccessError::Revoked => Self::Grant(REVOKED.into()),
            AccessError::NotConnected => {
                Self::Grant("the researcher is not connected to idlink (no ORCID access)".into())
            }
            AccessError::Refresh(e) => {
                Self::Transient(format!("could not refresh idlink's access: {e}"))
            }
            AccessError::Db(e) => Self::Database(e.to_string()),
        }
    }

    pub fn from_call(e: &CallError) -> Self {
        match e {
            CallError::Access(e) => Self::from_access(e),
            CallError::Api(e) => Self::from_api(e),
        }
    }

    pub fn from_sync(e: &SyncError) -> Self {
        match e {
            SyncError::Access(a) => Self::from_access(a),
            SyncError::Api(a) => match Self::from_api(a) {
                // A refused read is about the record, not about works to send.
                Self::Batch(m) => Self::Researcher(m),
                t => t,
            },
            SyncError::Db(e) => Self::Database(e.to_string()),
        }
    }
}

/// What a per-item error in a bulk answer says, in ORCID's own words where it has some.
pub fn item_error(e: &ApiError) -> String {
    match e {
        ApiError::Invalid {
            user_message,
            developer_message,
            code,
        } => {
            let words = if user_message.is_empty() {
                developer_message
            } else {
                user_message
            };
            match code {
                Some(c) => format!("ORCID refused this work ({c}): {words}"),
                None => format!("ORCID refused this work: {words}"),
            }
        }
        ApiError::Other {
            code: Some(c),
            message,
            ..
        } => format!("ORCID refused this work ({c}): {message}"),
        other => format!("ORCID refused this work: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_failures() {
        assert_eq!(
            Trouble::from_api(&ApiError::InvalidToken),
            Trouble::Grant(REVOKED.into())
        );
        assert!(matches!(
            Trouble::from_api(&ApiError::Busy),
            Trouble::Transient(_)
        ));
        assert!(matches!(
            Trouble::from_api(&ApiError::Transport(OrcidError::Timeout)),
            Trouble::Transient(_)
        ));
        assert!(matches!(
            Trouble::from_api(&ApiError::Other {
                status: 502,
                code: None,
                message: String::new()
            }),
            Trouble::Transient(_)
        ));
        assert!(matches!(
            Trouble::from_api(&ApiError::Other {
                status: 409,
                code: Some(9018),
                message: "locked".into()
            }),
            Trouble::Researcher(_)
        ));
        assert!(matches!(
            Trouble::from_sync(&SyncError::Api(ApiError::Invalid {
                code: Some(9047),
                user_message: "bad".into(),
                developer_message: String::new()
            })),
            Trouble::Researcher(_)
        ));
        assert_eq!(
            Trouble::from_access(&AccessError::Revoked),
            Trouble::Grant(REVOKED.into())
        );
    }

    #[test]
    fn item_errors_use_orcids_words() {
        let e = ApiError::Invalid {
            code: Some(9037),
            user_message: "Invalid work type".into(),
            developer_message: "dev".into(),
        };
        assert_eq!(
            item_error(&e),
            "ORCID refused this work (9037): Invalid work type"
        );
    }
}
