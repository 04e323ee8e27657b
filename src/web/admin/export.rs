//! The dashboard's CSV export (`POST /admin/export`): the current view (search, status
//! and sort) on every page, read in chunks of iDs so memory holds the CSV, not the rows.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::researchers::{last_call_text, View, ViewParams};
use crate::state::AppState;
use crate::store::{AuditAction, DashboardRow};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{cell, csv_error, csv_response};
use crate::web::error::PageError;
use crate::web::format::iso;
use crate::web::staff::Staff;
use orcid::scopes;

/// iDs whose details are read per query while exporting.
const EXPORT_CHUNK: usize = 500;

const CSV_HEADER: [&str; 10] = [
    "name",
    "orcid",
    "orcid_url",
    "status",
    "scopes",
    "connected_since",
    "disconnected_at",
    "works_added",
    "last_orcid_call",
    "last_orcid_call_at",
];

fn csv_record(state: &AppState, r: &DashboardRow) -> [String; 10] {
    let (call, call_at) = r
        .last_call
        .as_ref()
        .map(|c| (last_call_text(c).0, iso(c.at())))
        .unwrap_or_default();
    [
        cell(&r.name),
        r.orcid.to_string(),
        state.orcid.record_url(&r.orcid),
        r.status.label().into(),
        scopes::describe_all(r.scope.split_whitespace()).join("; "),
        iso(r.first_connected_at),
        r.disconnected_at.map(iso).unwrap_or_default(),
        r.works_added.to_string(),
        cell(&call),
        call_at,
    ]
}

/// Every researcher of the current view (all pages), as CSV, in the view's order.
pub async fn researchers(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(params): CsrfForm<ViewParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    if !view.notices.is_empty() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "This export's filter is not valid",
            view.notices.join(" "),
        )
        .with_action("/admin", "Back to the dashboard"));
    }
    let ids = state.store.dashboard_ids(&view.filter, None, 0).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER).map_err(csv_error)?;
    for chunk in ids.chunks(EXPORT_CHUNK) {
        for r in state.store.dashboard_rows(chunk).await? {
            out.write_record(csv_record(&state, &r))
                .map_err(csv_error)?;
        }
    }
    let body = out.into_inner().map_err(csv_error)?;
    let detail = format!(
        "{} researchers; {}",
        ids.len(),
        view.href(view.filter.sort, view.filter.descending, 1)
    );
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::ExportResearchers,
            "ok",
            Some(&detail),
        )
        .await;
    Ok(csv_response("researchers.csv", body))
}
