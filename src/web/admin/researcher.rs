//! One researcher for staff (`GET /admin/researchers/{orcid}`): who they are and where
//! their connection stands, their works as they see them (from the cache; this page makes
//! no ORCID call), what idlink wrote to their record, the uploaded rows waiting for them
//! to connect, and their audit entries. Someone who never connected has a page too when
//! rows wait for them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::audit::{audit_view, AuditView};
use crate::state::AppState;
use crate::store::{AuditFilter, DashboardRow, IdlinkWrite, WaitingItem};
use crate::web::error::PageError;
use crate::web::format::{clip, day, when};
use crate::web::pager::{last_page, parse_page, Pager, PAGE_SIZE};
use crate::web::pages::{render, IdDisplay, Layout};
use crate::web::staff::Staff;
use crate::web::works_view::{WorksSection, GROUPS_PER_PAGE};
use orcid::{external_ids, scopes, OrcidId};

/// Audit entries shown here; the rest are one click away in the audit log.
const AUDIT_SHOWN: i64 = 50;
/// Waiting rows listed here; their jobs have them all.
const WAITING_SHOWN: i64 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageParams {
    /// Page of the cached works.
    works: String,
    /// Page of idlink's writes.
    writes: String,
}

pub struct WriteView {
    pub put_code: i64,
    pub title: String,
    pub identifiers: String,
    pub status: &'static str,
    pub added: String,
    pub updated: String,
}

fn write_view(w: IdlinkWrite) -> WriteView {
    WriteView {
        put_code: w.put_code,
        title: w.title,
        identifiers: w
            .identifiers
            .iter()
            .map(|(t, v)| format!("{}: {v}", external_ids::label(t)))
            .collect::<Vec<_>>()
            .join(", "),
        status: match w.status.as_str() {
            "active" => "on the record",
            "deleted" => "deleted by idlink",
            "deleted_by_researcher" => "removed by the researcher at ORCID",
            _ => "unknown",
        },
        added: when(w.created_at),
        updated: when(w.updated_at),
    }
}

#[derive(Template)]
#[template(path = "admin/researcher.html")]
pub struct ResearcherPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub who: Identity,
    pub works: WorksSection,
    pub works_pager: Pager,
    pub writes: Vec<WriteView>,
    pub writes_total: i64,
    pub writes_pager: Pager,
    pub audit: Vec<AuditView>,
    pub audit_total: i64,
    /// Uploaded rows kept until the researcher connects.
    pub waiting: Vec<WaitingItem>,
}

/// Who the researcher is and where their connection stands.
pub struct Identity {
    pub orcid: String,
    pub name: String,
    /// `name` is the public name ORCID showed when an upload named this iD.
    pub name_from_orcid: bool,
    pub id: IdDisplay,
    pub is_staff: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    pub granted: Vec<&'static str>,
    pub connected_since: String,
    pub last_signed_in: String,
    pub disconnected_on: Option<String>,
}

fn identity(state: &AppState, row: DashboardRow) -> Identity {
    Identity {
        orcid: row.orcid.to_string(),
        id: IdDisplay {
            url: state.orcid.record_url(&row.orcid),
        },
        name: row.name,
        name_from_orcid: false,
        is_staff: row.is_staff,
        status: row.status.slug(),
        status_label: row.status.label(),
        granted: scopes::describe_all(row.scope.split_whitespace()),
        connected_since: day(row.first_connected_at),
        last_signed_in: when(row.last_signed_in_at),
        disconnected_on: row.disconnected_at.map(day),
    }
}

/// Someone staff uploaded rows for who has not connected yet, by the public name ORCID
/// showed when the upload was checked.
fn never_connected(state: &AppState, orcid: &OrcidId, public_name: Option<String>) -> Identity {
    let name = public_name.unwrap_or_default();
    Identity {
        orcid: orcid.to_string(),
        id: IdDisplay {
            url: state.orcid.record_url(orcid),
        },
        name_from_orcid: !name.is_empty(),
        name,
        is_staff: false,
        status: "never-connected",
        status_label: "Not connected yet",
        granted: Vec::new(),
        connected_since: "—".into(),
        last_signed_in: "—".into(),
        disconnected_on: None,
    }
}

fn not_found(message: String) -> PageError {
    PageError::new(StatusCode::NOT_FOUND, "No such researcher", message)
        .with_action("/admin", "Back to the dashboard")
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, PageError> {
    let orcid = OrcidId::parse(&raw)
        .map_err(|e| not_found(format!("\"{}\" is not an ORCID iD: {e}.", clip(&raw))))?;
    let waiting = state.store.waiting_items_of(&orcid, WAITING_SHOWN).await?;
    let who = match state.store.dashboard_rows(&[orcid]).await?.pop() {
        Some(row) => identity(&state, row),
        None if !waiting.is_empty() => {
            let public_name = state.store.latest_public_name(&orcid).await?;
            never_connected(&state, &orcid, public_name)
        }
        None => {
            return Err(not_found(format!(
                "No researcher with the ORCID iD {orcid} has connected to idlink."
            )))
        }
    };
    let mut notices = vec![];
    let works_page = parse_page(&params.works, &mut notices);
    let writes_page = parse_page(&params.writes, &mut notices);
    let works = works_section(&state, &orcid, works_page).await?;
    let writes_total = state.store.idlink_writes_count(&orcid).await?;
    let writes_page = writes_page.min(last_page(writes_total, PAGE_SIZE));
    let writes = state
        .store
        .idlink_writes_page(&orcid, PAGE_SIZE, (writes_page - 1) * PAGE_SIZE)
        .await?;
    let audit_filter = AuditFilter {
        orcid: Some(orcid),
        ..Default::default()
    };
    let audit_total = state.store.audit_count(&audit_filter).await?;
    let audit = state
        .store
        .audit_page(&audit_filter, AUDIT_SHOWN, 0)
        .await?;
    let base = format!("/admin/researchers/{orcid}");
    let (wp, ip) = (works.page, writes_page);
    Ok(render(&ResearcherPage {
        layout: staff.layout(&state).await?,
        nav: "dashboard",
        notices,
        who,
        works_pager: Pager::new("Pages of works", wp, works.pages, |n| {
            format!("{base}?works={n}&writes={ip}#works")
        }),
        works,
        writes: writes.into_iter().map(write_view).collect(),
        writes_total,
        writes_pager: Pager::new(
            "Pages of works written",
            writes_page,
            last_page(writes_total, PAGE_SIZE),
            |n| format!("{base}?works={wp}&writes={n}#writes"),
        ),
        audit: audit.into_iter().map(audit_view).collect(),
        audit_total,
        waiting,
    }))
}

/// The cached works as the researcher sees them on /me (read-only here).
async fn works_section(
    state: &AppState,
    orcid: &OrcidId,
    page: i64,
) -> Result<WorksSection, PageError> {
    let status = state.store.sync_status(orcid).await?;
    let total = state.store.count_cached_groups(orcid).await?;
    let page = page.min(last_page(total, GROUPS_PER_PAGE));
    let works = state
        .store
        .cached_works_page(orcid, (page - 1) * GROUPS_PER_PAGE, GROUPS_PER_PAGE)
        .await?;
    Ok(WorksSection::new(state, works, total, page, status.as_ref(), false, false).for_staff())
}
