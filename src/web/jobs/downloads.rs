//! CSV downloads: the upload template, a job's results, and a draft's validation report.
//! The two job files are written to the audit log, so they are POSTs with the CSRF token
//! (another site cannot cause one by a link), and are streamed from the database.

use axum::extract::{Path, State};
use axum::response::Response;

use super::views::omitted_text;
use super::{job_of, job_ref, PageError};
use crate::jobs::csv_rows;
use crate::state::AppState;
use crate::store::AuditAction;
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_response, csv_stream, Batch};
use crate::web::staff::Staff;

/// Rows fetched per query while writing a file.
const BATCH: i64 = 1000;

pub async fn template(_staff: Staff) -> Response {
    csv_response(
        "idlink-bulk-template.csv",
        csv_rows::template().into_bytes(),
    )
}

pub async fn affiliations_template(_staff: Staff) -> Response {
    csv_response(
        "idlink-affiliations-template.csv",
        csv_rows::affiliations::template().into_bytes(),
    )
}

/// Every item's outcome: line, orcid, title, status, put_code, detail.
pub async fn results(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let (job, _) = job_of(&state, &id).await?;
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::JobDownloadResults,
            "ok",
            Some(&job_ref(&job)),
        )
        .await;
    let (store, job_id) = (state.store.clone(), job.id);
    Ok(csv_stream(
        &format!("job-{job_id}-results.csv"),
        &["line", "orcid", "title", "status", "put_code", "detail"],
        0,
        move |after: i64| {
            let store = store.clone();
            async move {
                let items = store.job_outcomes_after(job_id, after, BATCH).await?;
                let next = match items.last() {
                    Some(last) if items.len() as i64 == BATCH => Some(last.id),
                    _ => None,
                };
                let rows = items
                    .into_iter()
                    .map(|i| {
                        vec![
                            i.line.to_string(),
                            i.orcid,
                            i.title,
                            i.status.as_str().to_string(),
                            i.put_code.map(|p| p.to_string()).unwrap_or_default(),
                            i.detail.unwrap_or_default(),
                        ]
                    })
                    .collect();
                Ok::<Batch<i64>, sqlx::Error>((rows, next))
            }
        },
    ))
}

/// Where the report file has got to: the findings kept, then the count of those only
/// counted.
enum ReportPart {
    /// The kept findings after this (line, rowid), in file order.
    Kept((i64, i64)),
    Omitted,
}

/// A draft's findings: line, column, message; then a line per column whose further
/// findings were only counted.
pub async fn errors(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let (job, _) = job_of(&state, &id).await?;
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::JobDownloadReport,
            "ok",
            Some(&job_ref(&job)),
        )
        .await;
    let (store, job_id) = (state.store.clone(), job.id);
    Ok(csv_stream(
        &format!("job-{job_id}-report.csv"),
        &["line", "column", "message"],
        ReportPart::Kept((0, 0)),
        move |part| {
            let store = store.clone();
            async move {
                let batch: Batch<ReportPart> = match part {
                    ReportPart::Kept(after) => {
                        let found = store.row_errors_after(job_id, after, BATCH).await?;
                        let next = match found.last() {
                            Some((rowid, e)) if found.len() as i64 == BATCH => {
                                ReportPart::Kept((e.line, *rowid))
                            }
                            _ => ReportPart::Omitted,
                        };
                        let rows = found
                            .into_iter()
                            .map(|(_, e)| vec![e.line.to_string(), e.column, e.message])
                            .collect();
                        (rows, Some(next))
                    }
                    ReportPart::Omitted => {
                        let rows = store
                            .findings_omitted(job_id)
                            .await?
                            .into_iter()
                            .map(|(column, n)| {
                                let text = format!("… {}", omitted_text(&column, n));
                                vec![String::new(), column, text]
                            })
                            .collect();
                        (rows, None)
                    }
                };
                Ok::<_, sqlx::Error>(batch)
            }
        },
    ))
}
