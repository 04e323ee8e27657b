//! The iDs of a bulk upload idlink holds no connection for, looked up on ORCID's Public
//! API in the background (`job_lookups`): pending until answered, then the public name
//! beside them, or no record — whose waiting rows leave the draft as findings.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite};

use orcid::OrcidId;

use super::model::NewJobLookup;
use super::INSERT_CHUNK;
use crate::store::{LookupAnswer, Store};

/// An upload's iD still to be looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingJobLookup {
    pub job_id: i64,
    pub orcid: OrcidId,
    /// Times ORCID was asked about it without answering.
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum JobLookupStatus {
    Pending,
    /// The record exists; its public name is beside it.
    Named,
    /// ORCID has no record with this iD.
    NoRecord,
    /// ORCID did not answer, time after time: the rows stay as they were.
    Unchecked,
}

/// An upload's iD as looked up, for the draft's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLookup {
    pub orcid: OrcidId,
    pub status: JobLookupStatus,
    /// ORCID's public name ("" when the person keeps it private).
    pub public_name: Option<String>,
    pub first_line: i64,
    /// The file's rows naming this iD.
    pub rows: i64,
}

/// How far an upload's lookups are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobLookupCounts {
    pub total: i64,
    pub pending: i64,
    pub no_record: i64,
    pub unchecked: i64,
    /// Pending after ORCID did not answer: asked again shortly.
    pub retrying: i64,
}

impl Store {
    /// Stores an upload's iDs to look up, in the draft's transaction.
    pub(super) async fn insert_job_lookups(
        tx: &mut sqlx::SqliteConnection,
        job_id: i64,
        lookups: &[NewJobLookup],
    ) -> Result<(), sqlx::Error> {
        for chunk in lookups.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO job_lookups (job_id, orcid, first_line, lines) ",
            );
            q.push_values(chunk, |mut b, l| {
                let first_line = l.lines.iter().copied().min().unwrap_or(0);
                let lines = serde_json::to_string(&l.lines).unwrap_or_else(|_| "[]".into());
                b.push_bind(job_id)
                    .push_bind(l.orcid)
                    .push_bind(first_line)
                    .push_bind(lines);
            });
            q.build().execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// iDs of uploads to be looked up by `at`, the newest upload first (the one a staff
    /// member is likely looking at; a large upload before it does not hold it up).
    /// Cancelling a job drops its pending lookups.
    pub async fn pending_job_lookups(
        &self,
        at: i64,
        limit: i64,
    ) -> Result<Vec<PendingJobLookup>, sqlx::Error> {
        sqlx::query_as!(
            PendingJobLookup,
            r#"SELECT job_id, orcid AS "orcid: OrcidId", attempts FROM job_lookups
               WHERE status = 'pending' AND retry_at <= ?1
               ORDER BY job_id DESC, first_line DESC LIMIT ?2"#,
            at,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Records lookups' answers in one transaction. For an iD with no record, the
    /// upload's findings about its rows say so, and, while the job is a draft, its
    /// waiting rows leave it as findings (kept word for word while the upload has fewer
    /// than `kept_cap`, counted after that).
    pub async fn record_job_lookups(
        &self,
        answers: &[(PendingJobLookup, LookupAnswer)],
        kept_cap: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for (p, answer) in answers {
            let (status, name) = match answer {
                LookupAnswer::Named(name) => (JobLookupStatus::Named, Some(name.as_str())),
                LookupAnswer::NoRecord(_) => (JobLookupStatus::NoRecord, None),
                LookupAnswer::Unchecked => (JobLookupStatus::Unchecked, None),
                LookupAnswer::Again { retry_at } => {
                    sqlx::query!(
                        "UPDATE job_lookups SET attempts = attempts + 1, retry_at = ?3
                         WHERE job_id = ?1 AND orcid = ?2 AND status = 'pending'",
                        p.job_id,
                        p.orcid,
                        retry_at,
                    )
                    .execute(&mut *tx)
                    .await?;
                    continue;
                }
            };
            let answered = sqlx::query!(
                "UPDATE job_lookups SET status = ?3, public_name = ?4
                 WHERE job_id = ?1 AND orcid = ?2 AND status = 'pending'",
                p.job_id,
                p.orcid,
                status,
                name,
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let LookupAnswer::NoRecord(message) = answer else {
                continue;
            };
            if answered == 0 {
                continue;
            }
            // Rows refused at upload (works for a person not connected) say why anew.
            sqlx::query!(
                "UPDATE job_row_errors SET message = ?3
                 WHERE job_id = ?1 AND column_name = 'orcid' AND line IN (SELECT value FROM
                     json_each((SELECT lines FROM job_lookups WHERE job_id = ?1 AND orcid = ?2)))",
                p.job_id,
                p.orcid,
                message,
            )
            .execute(&mut *tx)
            .await?;
            // A draft's waiting rows are taken out: nobody can ever connect with this iD.
            // (A started job keeps its items as they are.)
            let lines = sqlx::query_scalar!(
                "DELETE FROM job_items WHERE job_id = ?1 AND orcid = ?2 AND status = 'waiting'
                   AND EXISTS (SELECT 1 FROM jobs WHERE id = ?1 AND status = 'draft')
                 RETURNING line",
                p.job_id,
                p.orcid,
            )
            .fetch_all(&mut *tx)
            .await?;
            if lines.is_empty() {
                continue;
            }
            let kept = sqlx::query_scalar!(
                "SELECT COUNT(*) FROM job_row_errors WHERE job_id = ?1",
                p.job_id
            )
            .fetch_one(&mut *tx)
            .await?;
            let room = usize::try_from(kept_cap - kept).unwrap_or(0);
            for line in lines.iter().take(room) {
                sqlx::query!(
                    "INSERT INTO job_row_errors (job_id, line, column_name, message)
                     VALUES (?1, ?2, 'orcid', ?3)",
                    p.job_id,
                    line,
                    message,
                )
                .execute(&mut *tx)
                .await?;
            }
            let counted = lines.len().saturating_sub(room) as i64;
            if counted > 0 {
                sqlx::query!(
                    "INSERT INTO job_findings_omitted (job_id, column_name, count)
                     VALUES (?1, 'orcid', ?2)
                     ON CONFLICT (job_id, column_name) DO UPDATE SET count = count + excluded.count",
                    p.job_id,
                    counted,
                )
                .execute(&mut *tx)
                .await?;
            }
            let refused = lines.len() as i64;
            sqlx::query!(
                "UPDATE jobs SET rows_invalid = rows_invalid + ?2 WHERE id = ?1",
                p.job_id,
                refused,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    pub async fn job_lookup_counts(&self, job_id: i64) -> Result<JobLookupCounts, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT status AS "status: JobLookupStatus", COUNT(*) AS "n!: i64",
                      SUM(attempts > 0) AS "retried!: i64"
               FROM job_lookups WHERE job_id = ?1 GROUP BY status"#,
            job_id
        )
        .fetch_all(&self.pool)
        .await?;
        let mut c = JobLookupCounts::default();
        for r in rows {
            c.total += r.n;
            match r.status {
                JobLookupStatus::Pending => {
                    c.pending += r.n;
                    c.retrying += r.retried;
                }
                JobLookupStatus::NoRecord => c.no_record += r.n,
                JobLookupStatus::Unchecked => c.unchecked += r.n,
                JobLookupStatus::Named => {}
            }
        }
        Ok(c)
    }

    /// The first `limit` of an upload's looked-up iDs: those without a record first, then
    /// in file order.
    pub async fn job_lookups(
        &self,
        job_id: i64,
        limit: i64,
    ) -> Result<Vec<JobLookup>, sqlx::Error> {
        sqlx::query_as!(
            JobLookup,
            r#"SELECT orcid AS "orcid: OrcidId", status AS "status: JobLookupStatus",
                      public_name, first_line, json_array_length(lines) AS "rows!: i64"
               FROM job_lookups WHERE job_id = ?1
               ORDER BY status != 'no_record', first_line LIMIT ?2"#,
            job_id,
            limit
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The public names ORCID showed for these iDs of an upload (only those it named).
    pub async fn job_public_names(
        &self,
        job_id: i64,
        orcids: &[OrcidId],
    ) -> Result<HashMap<OrcidId, String>, sqlx::Error> {
        let ids = serde_json::to_string(orcids).unwrap_or_else(|_| "[]".into());
        let rows = sqlx::query!(
            r#"SELECT orcid AS "orcid: OrcidId", public_name AS "public_name!"
               FROM job_lookups
               WHERE job_id = ?1 AND status = 'named' AND public_name IS NOT NULL
                 AND orcid IN (SELECT value FROM json_each(?2))"#,
            job_id,
            ids
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.orcid, r.public_name)).collect())
    }

    /// The public name ORCID last showed for `orcid` when an upload named it.
    pub async fn latest_public_name(&self, orcid: &OrcidId) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT public_name AS "public_name!" FROM job_lookups
               WHERE orcid = ?1 AND status = 'named' AND public_name IS NOT NULL
               ORDER BY job_id DESC LIMIT 1"#,
            orcid
        )
        .fetch_optional(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_store, DraftReport, JobKind, NewJobItem, RowError};

    const NO_RECORD: &str = "No ORCID record: check the iD.";

    fn staff() -> OrcidId {
        OrcidId::parse("0000-0002-1825-0097").unwrap()
    }

    fn item(line: i64, orcid: OrcidId, waiting: bool) -> NewJobItem {
        NewJobItem {
            line,
            orcid,
            title: format!("employment on line {line}"),
            payload: "{}".into(),
            section: None,
            identity: vec![],
            waiting,
        }
    }

    fn finding(line: i64, column: &str, message: &str) -> RowError {
        RowError {
            line,
            column: column.into(),
            message: message.into(),
        }
    }

    /// A draft of one row waiting for `orcid`, whose iD is to be looked up.
    async fn waiting_draft(store: &Store, orcid: OrcidId) -> i64 {
        let report = DraftReport {
            rows_total: 1,
            ..DraftReport::default()
        };
        let lookups = [NewJobLookup {
            orcid,
            lines: vec![2],
        }];
        let items = [item(2, orcid, true)];
        store
            .create_draft(
                &staff(),
                JobKind::Affiliations,
                "hr.csv",
                report,
                &items,
                &lookups,
            )
            .await
            .unwrap()
    }

    fn pending(job_id: i64, orcid: OrcidId) -> PendingJobLookup {
        PendingJobLookup {
            job_id,
            orcid,
            attempts: 0,
        }
    }

    #[tokio::test]
    async fn an_id_without_a_record_takes_its_waiting_rows_out_as_findings() {
        let (_dir, store) = test_store().await;
        let (connected, nobody, named) = (
            OrcidId::from_base_digits(1),
            OrcidId::from_base_digits(2),
            OrcidId::from_base_digits(3),
        );
        let items = [
            item(2, nobody, true),
            item(3, nobody, true),
            item(4, nobody, true),
            item(6, named, true),
            item(7, connected, false),
        ];
        let kept = [finding(5, "start_year", "Start date: not a year.")];
        let report = DraftReport {
            rows_total: 6,
            rows_invalid: 1,
            kept: &kept,
            omitted: &[],
        };
        let lookups = [
            NewJobLookup {
                orcid: nobody,
                lines: vec![2, 3, 4],
            },
            NewJobLookup {
                orcid: named,
                lines: vec![6],
            },
        ];
        let job = store
            .create_draft(
                &staff(),
                JobKind::Affiliations,
                "hr.csv",
                report,
                &items,
                &lookups,
            )
            .await
            .unwrap();
        assert_eq!(
            store.pending_job_lookups(0, 10).await.unwrap(),
            [pending(job, named), pending(job, nobody)],
            "from the end of the file"
        );
        assert!(
            !store.start_job(job, false).await.unwrap(),
            "rows wait and iDs are still to be looked up"
        );

        let answers = [
            (
                pending(job, nobody),
                LookupAnswer::NoRecord(NO_RECORD.into()),
            ),
            (
                pending(job, named),
                LookupAnswer::Named("Nora Named".into()),
            ),
        ];
        // Room for two more findings word for word; the third is counted.
        store.record_job_lookups(&answers, 3).await.unwrap();
        let c = store.job_lookup_counts(job).await.unwrap();
        assert_eq!(
            c,
            JobLookupCounts {
                total: 2,
                pending: 0,
                no_record: 1,
                unchecked: 0,
                retrying: 0,
            }
        );
        let counts = store.job_counts(job).await.unwrap();
        assert_eq!((counts.pending, counts.waiting), (1, 1), "{counts:?}");
        let errors = store.row_errors(job).await.unwrap();
        let lines: Vec<(i64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(lines, [(2, "orcid"), (3, "orcid"), (5, "start_year")]);
        assert_eq!(errors[0].message, NO_RECORD);
        assert_eq!(
            store.findings_omitted(job).await.unwrap(),
            [("orcid".to_string(), 1)]
        );
        assert_eq!(store.job(job).await.unwrap().unwrap().rows_invalid, 4);

        // An answer recorded twice changes nothing the second time.
        store.record_job_lookups(&answers, 3).await.unwrap();
        assert_eq!(store.job(job).await.unwrap().unwrap().rows_invalid, 4);
        assert_eq!(store.row_errors(job).await.unwrap().len(), 3);

        let names = store
            .job_public_names(job, &[named, nobody, connected])
            .await
            .unwrap();
        assert_eq!(names.len(), 1);
        assert_eq!(names[&named], "Nora Named");
        assert_eq!(
            store.latest_public_name(&named).await.unwrap().as_deref(),
            Some("Nora Named")
        );
        assert_eq!(store.latest_public_name(&nobody).await.unwrap(), None);
        let shown = store.job_lookups(job, 10).await.unwrap();
        assert_eq!(
            shown
                .iter()
                .map(|l| (l.orcid, l.status, l.rows))
                .collect::<Vec<_>>(),
            [
                (nobody, JobLookupStatus::NoRecord, 3),
                (named, JobLookupStatus::Named, 1)
            ],
            "no record first"
        );
        assert!(store.start_job(job, false).await.unwrap());
    }

    #[tokio::test]
    async fn works_refused_for_an_id_without_a_record_say_so_and_do_not_hold_the_start() {
        let (_dir, store) = test_store().await;
        let (connected, nobody) = (OrcidId::from_base_digits(1), OrcidId::from_base_digits(2));
        let not_connected = "This researcher has not connected their ORCID iD to idlink.";
        let kept = [
            finding(2, "orcid", not_connected),
            finding(3, "title", "Title: missing."),
        ];
        let report = DraftReport {
            rows_total: 3,
            rows_invalid: 2,
            kept: &kept,
            omitted: &[],
        };
        let lookups = [NewJobLookup {
            orcid: nobody,
            lines: vec![2],
        }];
        let job = store
            .create_draft(
                &staff(),
                JobKind::Works,
                "works.csv",
                report,
                &[item(4, connected, false)],
                &lookups,
            )
            .await
            .unwrap();
        store
            .record_job_lookups(
                &[(
                    pending(job, nobody),
                    LookupAnswer::NoRecord(NO_RECORD.into()),
                )],
                1000,
            )
            .await
            .unwrap();
        let errors = store.row_errors(job).await.unwrap();
        assert_eq!(errors[0].message, NO_RECORD);
        assert_eq!(errors[1].message, "Title: missing.", "other findings stay");
        assert_eq!(
            store.job(job).await.unwrap().unwrap().rows_invalid,
            2,
            "the row was already refused"
        );

        // Nothing waits in a works upload, so its lookups do not hold the start.
        let other = store
            .create_draft(
                &staff(),
                JobKind::Works,
                "works.csv",
                report,
                &[item(4, connected, false)],
                &lookups,
            )
            .await
            .unwrap();
        assert!(store.start_job(other, false).await.unwrap());
    }

    #[tokio::test]
    async fn an_unanswered_lookup_waits_for_its_retry_and_holds_the_start_meanwhile() {
        let (_dir, store) = test_store().await;
        let nobody = OrcidId::from_base_digits(2);
        let job = waiting_draft(&store, nobody).await;
        store
            .record_job_lookups(
                &[(pending(job, nobody), LookupAnswer::Again { retry_at: 500 })],
                1000,
            )
            .await
            .unwrap();
        assert!(store.pending_job_lookups(499, 10).await.unwrap().is_empty());
        let again = store.pending_job_lookups(500, 10).await.unwrap();
        assert_eq!(again[0].attempts, 1);
        let c = store.job_lookup_counts(job).await.unwrap();
        assert_eq!((c.pending, c.retrying), (1, 1));
        assert!(!store.start_job(job, false).await.unwrap());

        // Cancelled, its lookups are dropped.
        assert!(store.cancel_job(job).await.unwrap());
        assert!(store
            .pending_job_lookups(i64::MAX, 10)
            .await
            .unwrap()
            .is_empty());

        // A started job keeps its items whatever the answer.
        let started = waiting_draft(&store, nobody).await;
        sqlx::query("UPDATE jobs SET status = 'running' WHERE id = ?1")
            .bind(started)
            .execute(store.pool())
            .await
            .unwrap();
        store
            .record_job_lookups(
                &[(
                    pending(started, nobody),
                    LookupAnswer::NoRecord(NO_RECORD.into()),
                )],
                1000,
            )
            .await
            .unwrap();
        assert_eq!(store.job_counts(started).await.unwrap().waiting, 1);
        assert_eq!(store.job(started).await.unwrap().unwrap().rows_invalid, 0);
    }
}
