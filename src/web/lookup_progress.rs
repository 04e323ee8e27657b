//! A draft's Public API lookups (a roster's or a bulk upload's), in the shape the job
//! page's script reads (static/job.js); the page reloads when they are done, to offer
//! Send or Start with every name filled in.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LookupProgressView {
    pub status: &'static str,
    pub status_label: &'static str,
    pub active: bool,
    pub counts: LookupCounts,
    pub total: i64,
    pub waiting: i64,
    pub completed: i64,
    pub percent: f64,
}

#[derive(Debug, Serialize)]
pub struct LookupCounts {
    pub looked_up: i64,
}

impl LookupProgressView {
    /// `total` iDs to look up, `pending` of them not yet answered.
    pub fn new(total: i64, pending: i64) -> Self {
        let completed = total - pending;
        let active = pending > 0;
        LookupProgressView {
            status: if active { "running" } else { "finished" },
            status_label: if active {
                "Looking up the iDs on ORCID"
            } else {
                "Every iD looked up"
            },
            active,
            counts: LookupCounts {
                looked_up: completed,
            },
            total,
            waiting: pending,
            completed,
            percent: percent(completed, total),
        }
    }
}

impl LookupProgressView {
    /// The same progress, in words about what is looked up.
    pub fn with_labels(mut self, running: &'static str, finished: &'static str) -> Self {
        self.status_label = if self.active { running } else { finished };
        self
    }
}

/// `part` of `total` in percent, to one decimal (100 for nothing to do).
pub fn percent(part: i64, total: i64) -> f64 {
    if total > 0 {
        ((part as f64 / total as f64) * 1000.0).round() / 10.0
    } else {
        100.0
    }
}
