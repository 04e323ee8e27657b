//! The types of bulk-push jobs as the store hands them out, and the rows they are read from.

use orcid::OrcidId;

use crate::store::CachedSection;

/// What a job puts on records (`jobs.kind`): one pipeline serves every activity section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum JobKind {
    Works,
    Affiliations,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Works => "works",
            Self::Affiliations => "affiliations",
        }
    }
}

/// Where a job is in its life (`jobs.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum JobStatus {
    /// Validated, waiting for a staff member to start it.
    Draft,
    Queued,
    Running,
    /// Every item has an outcome.
    Finished,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }

    /// Queued or running: items may still change.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// What became of one item (`job_items.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ItemStatus {
    /// The researcher has not connected (or their grant is revoked or lacks the scope):
    /// queued on its own when they connect again.
    Waiting,
    Pending,
    /// In a request to ORCID right now.
    Sending,
    Done,
    /// ORCID already had it (409/9021, or found on the record before sending).
    AlreadyPresent,
    /// Not sent on purpose (e.g. the researcher deleted it before, no "push again").
    Skipped,
    Failed,
    Cancelled,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 8] = [
        Self::Waiting,
        Self::Pending,
        Self::Sending,
        Self::Done,
        Self::AlreadyPresent,
        Self::Skipped,
        Self::Failed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Done => "done",
            Self::AlreadyPresent => "already_present",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status named in a URL query, if it is one.
    pub fn from_query(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub created_by: String,
    pub created_at: i64,
    pub file_name: String,
    pub kind: JobKind,
    pub status: JobStatus,
    pub push_again: bool,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub rows_total: i64,
    pub rows_invalid: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobItem {
    pub id: i64,
    pub job_id: i64,
    pub line: i64,
    pub orcid: OrcidId,
    pub title: String,
    /// The v3.0 activity to send: a work in its `for_create` form, or an affiliation.
    pub payload: String,
    /// The affiliation section (None for works).
    pub section: Option<CachedSection>,
    /// Normalised self identifiers: (type, value).
    pub identity: Vec<(String, String)>,
    pub status: ItemStatus,
    pub put_code: Option<i64>,
    pub detail: Option<String>,
    pub attempts: i64,
    pub updated_at: i64,
}

/// What became of one item, without the work: a line of the results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    pub id: i64,
    pub line: i64,
    pub orcid: String,
    pub title: String,
    pub status: ItemStatus,
    pub put_code: Option<i64>,
    pub detail: Option<String>,
}

/// An item kept until its researcher connects, as the staff researcher page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingItem {
    pub job_id: i64,
    pub line: i64,
    pub title: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct JobCounts {
    pub waiting: i64,
    pub pending: i64,
    pub sending: i64,
    pub done: i64,
    pub already_present: i64,
    pub skipped: i64,
    pub failed: i64,
    pub cancelled: i64,
}

impl JobCounts {
    pub fn total(&self) -> i64 {
        self.waiting + self.pending + self.sending + self.settled() + self.cancelled
    }

    /// Items with a final outcome from the runner (cancelled ones not included).
    pub fn settled(&self) -> i64 {
        self.done + self.already_present + self.skipped + self.failed
    }

    pub fn get(&self, s: ItemStatus) -> i64 {
        match s {
            ItemStatus::Waiting => self.waiting,
            ItemStatus::Pending => self.pending,
            ItemStatus::Sending => self.sending,
            ItemStatus::Done => self.done,
            ItemStatus::AlreadyPresent => self.already_present,
            ItemStatus::Skipped => self.skipped,
            ItemStatus::Failed => self.failed,
            ItemStatus::Cancelled => self.cancelled,
        }
    }

    pub(super) fn slot(&mut self, s: ItemStatus) -> &mut i64 {
        match s {
            ItemStatus::Waiting => &mut self.waiting,
            ItemStatus::Pending => &mut self.pending,
            ItemStatus::Sending => &mut self.sending,
            ItemStatus::Done => &mut self.done,
            ItemStatus::AlreadyPresent => &mut self.already_present,
            ItemStatus::Skipped => &mut self.skipped,
            ItemStatus::Failed => &mut self.failed,
            ItemStatus::Cancelled => &mut self.cancelled,
        }
    }
}

/// One validation finding: the CSV line (1 is the header), the column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RowError {
    pub line: i64,
    #[sqlx(rename = "column_name")]
    pub column: String,
    pub message: String,
}

/// An upload's check, as a draft job stores it: its row counts, the findings kept word for
/// word, and how many others there were in each column.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftReport<'a> {
    pub rows_total: i64,
    /// Data lines with at least one finding (the jobs domain counts them).
    pub rows_invalid: i64,
    pub kept: &'a [RowError],
    pub omitted: &'a [(String, i64)],
}

/// A valid row, about to become a pending (or waiting) item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJobItem {
    pub line: i64,
    pub orcid: OrcidId,
    pub title: String,
    pub payload: String,
    pub section: Option<CachedSection>,
    pub identity: Vec<(String, String)>,
    /// The researcher cannot be written to yet: kept until they connect.
    pub waiting: bool,
}

/// An iD an upload names for a person idlink holds no connection for, and the file's
/// lines naming it: looked up on ORCID's Public API after the draft is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJobLookup {
    pub orcid: OrcidId,
    pub lines: Vec<i64>,
}

/// What idlink holds for a researcher, as the upload check needs it (no token decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub disconnected: bool,
    /// `None`: no token row (never connected, or disconnected).
    pub token: Option<GrantToken>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantToken {
    pub scope: String,
    pub revoked: bool,
    pub expires_at: i64,
    pub has_refresh: bool,
}

/// An item as read; its iD is checked when it becomes a [`JobItem`], so that a malformed
/// one is reported with the item it belongs to.
#[derive(sqlx::FromRow)]
pub(in crate::store) struct ItemRow {
    pub(in crate::store) id: i64,
    pub(in crate::store) job_id: i64,
    pub(in crate::store) line: i64,
    pub(in crate::store) orcid: String,
    pub(in crate::store) title: String,
    pub(in crate::store) payload: String,
    pub(in crate::store) section: Option<CachedSection>,
    pub(in crate::store) identity: String,
    pub(in crate::store) status: ItemStatus,
    pub(in crate::store) put_code: Option<i64>,
    pub(in crate::store) detail: Option<String>,
    pub(in crate::store) attempts: i64,
    pub(in crate::store) updated_at: i64,
}

/// The error for an item whose stored iD is not valid, naming the row.
pub(in crate::store) fn malformed_item_orcid(
    id: i64,
    job_id: i64,
    line: i64,
    value: &str,
    e: orcid::OrcidIdError,
) -> sqlx::Error {
    sqlx::Error::Decode(
        format!("job_items row {id} (job {job_id}, line {line}): stored ORCID iD {value:?} is malformed: {e}")
            .into(),
    )
}

impl TryFrom<ItemRow> for JobItem {
    type Error = sqlx::Error;
    fn try_from(r: ItemRow) -> Result<Self, sqlx::Error> {
        let decode = |e: Box<dyn std::error::Error + Send + Sync>| sqlx::Error::Decode(e);
        Ok(JobItem {
            id: r.id,
            job_id: r.job_id,
            line: r.line,
            orcid: OrcidId::parse(&r.orcid)
                .map_err(|e| malformed_item_orcid(r.id, r.job_id, r.line, &r.orcid, e))?,
            title: r.title,
            payload: r.payload,
            section: r.section,
            identity: serde_json::from_str(&r.identity).map_err(|e| decode(Box::new(e)))?,
            status: r.status,
            put_code: r.put_code,
            detail: r.detail,
            attempts: r.attempts,
            updated_at: r.updated_at,
        })
    }
}
