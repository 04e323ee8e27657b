//! The dashboard's CSV export (`POST /admin/export`): the current view (search, status
//! and sort) on every page, read in chunks of iDs and streamed, so memory holds one chunk,
//! not the rows nor the file.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::researchers::{last_call_text, View, ViewParams};
use crate::state::AppState;
use crate::store::{AuditAction, DashboardRow};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_stream, Batch};
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

/// One researcher's line; cells are defused by the download.
fn csv_record(state: &AppState, r: &DashboardRow) -> Vec<String> {
    let (call, call_at) = r
        .last_call
        .as_ref()
        .map(|c| (last_call_text(c).0, iso(c.at())))
        .unwrap_or_default();
    vec![
        r.name.clone(),
        r.orcid.to_string(),
        state.orcid.record_url(&r.orcid),
        r.status.label().into(),
        scopes::describe_all(r.scope.split_whitespace()).join("; "),
        iso(r.first_connected_at),
        r.disconnected_at.map(iso).unwrap_or_default(),
        r.works_added.to_string(),
        call,
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
    Ok(csv_stream(
        "researchers.csv",
        &CSV_HEADER,
        0,
        move |from: usize| {
            let state = state.clone();
            let chunk: Vec<_> = ids.iter().skip(from).take(EXPORT_CHUNK).copied().collect();
            let next = (from + EXPORT_CHUNK < ids.len()).then_some(from + EXPORT_CHUNK);
            async move {
                let rows = state.store.dashboard_rows(&chunk).await?;
                let rows = rows.iter().map(|r| csv_record(&state, r)).collect();
                Ok::<Batch<usize>, sqlx::Error>((rows, next))
            }
        },
    ))
}
