//! A job's progress as the job page and its JSON show it: counts, rate and time left.
//! The rate comes from items settled over the last minute, so it follows the runner's
//! real pace (ORCID's rate limit, retries) rather than an average since the start.

use serde::Serialize;

use crate::store::{Job, JobCounts, JobStatus};

/// Items settled this recently make the rate.
pub const RATE_WINDOW_SECS: i64 = 60;
/// Fewer settled items than this (or less time) say too little: "calculating…".
const MIN_SAMPLES: i64 = 5;
const MIN_SECS: i64 = 3;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Progress {
    pub id: i64,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Queued or running: the page keeps polling.
    pub active: bool,
    pub counts: JobCounts,
    pub total: i64,
    /// Pending or being sent.
    pub waiting: i64,
    /// Items with an outcome, cancelled ones included: the progress bar's value.
    pub completed: i64,
    pub percent: f64,
    /// Items a second over the last minute, when known.
    pub rate_per_sec: Option<f64>,
    pub rate_text: String,
    pub eta_secs: Option<i64>,
    pub time_left_text: String,
    /// One sentence for the live region.
    pub summary: String,
}

pub fn status_label(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Draft => "Draft: checked, not started",
        JobStatus::Queued => "Queued: waiting to start",
        JobStatus::Running => "Running",
        JobStatus::Finished => "Finished",
        JobStatus::Cancelled => "Cancelled",
    }
}

/// `recent` is (items settled since the window opened, earliest such time), from
/// [`crate::store::Store::job_settled_since`] with [`window_start`].
pub fn progress(job: &Job, counts: JobCounts, recent: (i64, Option<i64>), now: i64) -> Progress {
    let total = counts.total();
    let completed = total - counts.pending - counts.sending;
    let percent = if total > 0 {
        (completed as f64 * 1000.0 / total as f64).round() / 10.0
    } else {
        0.0
    };
    let active = job.status.is_active();
    let rate = if active {
        rate_now(job, recent.0, now)
    } else {
        None
    };
    let left = counts.pending + counts.sending;
    let eta = rate.map(|r| (left as f64 / r).ceil() as i64);
    let (rate_text, time_left_text) = match job.status {
        JobStatus::Finished => (overall_rate(job, counts), "none: finished".to_string()),
        JobStatus::Cancelled => ("—".into(), "none: cancelled".into()),
        JobStatus::Draft => ("—".into(), "—".into()),
        _ => match (rate, eta) {
            (Some(r), Some(e)) => (rate_words(r), duration_words(e)),
            _ => ("calculating…".into(), "calculating…".into()),
        },
    };
    let summary = format!(
        "{}: {completed} of {total} items have an outcome.",
        status_label(job.status)
    );
    Progress {
        id: job.id,
        status: job.status.as_str(),
        status_label: status_label(job.status),
        active,
        counts,
        total,
        waiting: left,
        completed,
        percent,
        rate_per_sec: rate.map(|r| (r * 10.0).round() / 10.0),
        rate_text,
        eta_secs: eta,
        time_left_text,
        summary,
    }
}

/// Where the rate's window opens: a minute ago, or when the job started if later.
pub fn window_start(job: &Job, now: i64) -> i64 {
    let minute_ago = now - RATE_WINDOW_SECS;
    job.started_at.map_or(minute_ago, |s| s.max(minute_ago))
}

fn rate_now(job: &Job, settled: i64, now: i64) -> Option<f64> {
    let secs = now - window_start(job, now);
    (job.started_at.is_some() && settled >= MIN_SAMPLES && secs >= MIN_SECS)
        .then(|| settled as f64 / secs as f64)
}

fn overall_rate(job: &Job, counts: JobCounts) -> String {
    match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) if f > s && counts.settled() > 0 => {
            format!(
                "{} on average",
                rate_words(counts.settled() as f64 / (f - s) as f64)
            )
        }
        _ => "—".into(),
    }
}

fn rate_words(per_sec: f64) -> String {
    if per_sec >= 1.0 {
        format!("{per_sec:.1} items a second")
    } else {
        format!("{:.1} items a minute", per_sec * 60.0)
    }
}

/// "less than a minute", "about 4 minutes", "about 2 h 5 min".
pub fn duration_words(secs: i64) -> String {
    match secs {
        s if s < 60 => "less than a minute".into(),
        s if s < 90 => "about a minute".into(),
        s if s < 3600 => format!("about {} minutes", (s + 30) / 60),
        s => format!("about {} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: JobStatus, started_at: Option<i64>) -> Job {
        Job {
            id: 7,
            created_by: "0000-0002-1825-0097".into(),
            created_at: 1_000,
            file_name: "works.csv".into(),
            kind: crate::store::JobKind::Works,
            status,
            push_again: false,
            started_at,
            finished_at: None,
            rows_total: 10,
            rows_invalid: 0,
        }
    }

    #[test]
    fn too_few_settled_items_say_calculating() {
        let counts = JobCounts {
            pending: 98,
            done: 2,
            ..JobCounts::default()
        };
        let p = progress(
            &job(JobStatus::Running, Some(1_000)),
            counts,
            (2, Some(1_010)),
            1_030,
        );
        assert_eq!(p.rate_text, "calculating…");
        assert_eq!(p.time_left_text, "calculating…");
        assert_eq!(p.rate_per_sec, None);
        assert!(p.active);
        assert_eq!((p.total, p.completed), (100, 2));
        assert_eq!(p.percent, 2.0);
    }

    #[test]
    fn rate_is_over_the_last_minute_or_since_the_start() {
        let counts = JobCounts {
            pending: 480,
            sending: 20,
            done: 90,
            failed: 10,
            ..JobCounts::default()
        };
        // Started 20 s ago, 100 settled: 5 a second, 500 left: 100 s.
        let p = progress(
            &job(JobStatus::Running, Some(1_000)),
            counts,
            (100, Some(1_001)),
            1_020,
        );
        assert_eq!(p.rate_per_sec, Some(5.0));
        assert_eq!(p.eta_secs, Some(100));
        assert_eq!(p.time_left_text, "about 2 minutes");
        // Started long ago: only the last minute counts.
        let p = progress(
            &job(JobStatus::Running, Some(0)),
            counts,
            (120, Some(1_000)),
            1_060,
        );
        assert_eq!(p.rate_per_sec, Some(2.0));
    }

    #[test]
    fn ended_jobs_do_not_estimate() {
        let counts = JobCounts {
            done: 5,
            cancelled: 5,
            ..JobCounts::default()
        };
        let p = progress(
            &job(JobStatus::Cancelled, Some(1_000)),
            counts,
            (5, None),
            1_060,
        );
        assert!(!p.active);
        assert_eq!(p.percent, 100.0);
        assert_eq!(p.time_left_text, "none: cancelled");
        assert_eq!(duration_words(3 * 3600 + 120), "about 3 h 2 min");
    }
}
