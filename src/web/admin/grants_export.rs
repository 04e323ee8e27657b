//! The grant health view as CSV (`POST /admin/grants/export`): every grant of the view's
//! filters (all pages), newest connection first, read in batches and streamed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::grants::{HealthParams, View};
use crate::state::AppState;
use crate::store::{AuditAction, GrantHealthRow, HealthCursor};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_stream, Batch};
use crate::web::error::PageError;
use crate::web::format::iso;
use crate::web::staff::Staff;

/// Grants read per query while exporting.
const EXPORT_BATCH: i64 = 1000;

const CSV_HEADER: [&str; 7] = [
    "name",
    "orcid",
    "orcid_url",
    "state",
    "connected_at",
    "last_successful_call_at",
    "last_checked_at",
];

fn csv_record(state: &AppState, r: &GrantHealthRow) -> Vec<String> {
    vec![
        r.name.clone(),
        r.orcid.to_string(),
        state.orcid.record_url(&r.orcid),
        r.state.slug().into(),
        iso(r.connected_at),
        r.last_success_at.map(iso).unwrap_or_default(),
        r.last_checked_at.map(iso).unwrap_or_default(),
    ]
}

/// Every grant of the current view (all pages), newest connection first, as CSV.
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(params): CsrfForm<HealthParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    if !view.notices.is_empty() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "This export's filter is not valid",
            view.notices.join(" "),
        )
        .with_action("/admin/grants", "Back to grant health"));
    }
    let q = view.query(&state);
    let detail = view.href(view.state, 1);
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::ExportGrants,
            "ok",
            Some(&detail),
        )
        .await;
    Ok(csv_stream(
        "grant-health.csv",
        &CSV_HEADER,
        None,
        move |after: Option<HealthCursor>| {
            let (state, q) = (state.clone(), q.clone());
            async move {
                let rows = state
                    .store
                    .grant_health_rows(&q, after, 0, EXPORT_BATCH)
                    .await?;
                let next = (rows.len() as i64 == EXPORT_BATCH)
                    .then(|| rows.last())
                    .flatten()
                    .map(|r| {
                        Some(HealthCursor {
                            connected_at: r.connected_at,
                            orcid: r.orcid,
                        })
                    });
                let lines = rows.iter().map(|r| csv_record(&state, r)).collect();
                Ok::<Batch<Option<HealthCursor>>, sqlx::Error>((lines, next))
            }
        },
    ))
}
