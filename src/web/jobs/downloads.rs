//! CSV downloads: the upload template, a job's results, and a draft's validation report.

use crate::web::csv_download::{cell, csv_response};
use axum::extract::{Path, State};
use axum::response::Response;

use super::{job_of, job_ref, PageError};
use crate::jobs::csv_rows;
use crate::state::AppState;
use crate::store::AuditAction;
use crate::web::staff::Staff;

/// Items fetched per query while writing the results.
const BATCH: i64 = 1000;

pub async fn template(_staff: Staff) -> Response {
    csv_response(
        "idlink-bulk-template.csv",
        csv_rows::template().into_bytes(),
    )
}

/// Every item's outcome: line, orcid, title, status, put_code, detail.
pub async fn results(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (job, _) = job_of(&state, &id).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    write(
        &mut out,
        ["line", "orcid", "title", "status", "put_code", "detail"],
    )?;
    let mut after = 0;
    loop {
        let items = state.store.job_outcomes_after(job.id, after, BATCH).await?;
        for i in &items {
            let put_code = i.put_code.map(|p| p.to_string()).unwrap_or_default();
            write(
                &mut out,
                [
                    i.line.to_string().as_str(),
                    &i.orcid,
                    &i.title,
                    i.status.as_str(),
                    &put_code,
                    i.detail.as_deref().unwrap_or(""),
                ],
            )?;
        }
        match items.last() {
            Some(last) if items.len() as i64 == BATCH => after = last.id,
            _ => break,
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| PageError::internal(e.error().to_string()))?;
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::JobDownloadResults,
            "ok",
            Some(&job_ref(&job)),
        )
        .await;
    Ok(csv_response(&format!("job-{}-results.csv", job.id), body))
}

/// A draft's findings: line, column, message.
pub async fn errors(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (job, _) = job_of(&state, &id).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    write(&mut out, ["line", "column", "message"])?;
    for e in state.store.row_errors(job.id).await? {
        write(
            &mut out,
            [e.line.to_string().as_str(), &e.column, &e.message],
        )?;
    }
    let body = out
        .into_inner()
        .map_err(|e| PageError::internal(e.error().to_string()))?;
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::JobDownloadReport,
            "ok",
            Some(&job_ref(&job)),
        )
        .await;
    Ok(csv_response(&format!("job-{}-report.csv", job.id), body))
}

/// One row; text a spreadsheet would run as a formula is defused.
fn write<const N: usize>(out: &mut csv::Writer<Vec<u8>>, row: [&str; N]) -> Result<(), PageError> {
    out.write_record(row.map(cell)).map_err(PageError::internal)
}
