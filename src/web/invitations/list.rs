//! `/admin/invitations`: every sent invitation with its status, filtered by status,
//! text, batch or the mismatch flag, paged, and exported as CSV (streamed in id order).

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::views::{InvitationView, ListPage};
use crate::state::AppState;
use crate::store::{now, AuditAction, InvitationFilter, InvitationRow, InvitationStatus};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_stream, Batch};
use crate::web::error::PageError;
use crate::web::format::{clip, iso};
use crate::web::pager::{last_page, parse_page, Pager, PAGE_SIZE};
use crate::web::pages::render;
use crate::web::staff::Staff;

/// Rows read per query while exporting.
const EXPORT_CHUNK: i64 = 1000;

const CSV_HEADER: [&str; 15] = [
    "email",
    "given_names",
    "family_names",
    "department",
    "status",
    "named_orcid",
    "public_name",
    "connected_orcid",
    "orcid_mismatch",
    "invited_at",
    "expires_at",
    "opened_at",
    "connected_at",
    "reminders_sent",
    "mail_problem",
];

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub batch: String,
    #[serde(default)]
    pub mismatch: String,
    #[serde(default)]
    pub page: String,
}

/// The filter the parameters ask for, and what in them was not understood.
pub struct View {
    pub filter: InvitationFilter,
    pub q: String,
    pub notices: Vec<String>,
}

impl View {
    pub fn parse(p: &ListParams) -> Self {
        let mut notices = vec![];
        let q: String = p.q.trim().chars().take(200).collect();
        let status = match p.status.trim() {
            "" | "all" => None,
            s => InvitationStatus::parse(s).or_else(|| {
                notices.push(format!(
                    "There is no status \"{}\"; showing every status.",
                    clip(s)
                ));
                None
            }),
        };
        let batch = match p.batch.trim() {
            "" => None,
            b => b.parse::<i64>().ok().or_else(|| {
                notices.push(format!(
                    "\"{}\" is not a batch number; showing every batch.",
                    clip(b)
                ));
                None
            }),
        };
        View {
            filter: InvitationFilter {
                status,
                search: (!q.is_empty()).then(|| q.clone()),
                batch,
                mismatch_only: !p.mismatch.trim().is_empty(),
            },
            q,
            notices,
        }
    }

    pub fn href(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if let Some(s) = self.filter.status {
            pairs.push(("status", s.as_str().into()));
        }
        if let Some(b) = self.filter.batch {
            pairs.push(("batch", b.to_string()));
        }
        if self.filter.mismatch_only {
            pairs.push(("mismatch", "1".into()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!(
            "/admin/invitations?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    let mut notices = view.notices.clone();
    let page = parse_page(&params.page, &mut notices);
    let t = now();
    let (rows, total) = state
        .store
        .invitations_page(&view.filter, t, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    let counts = state.store.invitation_counts(t).await?;
    let pages = last_page(total, PAGE_SIZE);
    let pager = Pager::new("Pages of invitations", page.min(pages), pages, |p| {
        view.href(p)
    });
    Ok(render(&ListPage {
        layout: staff.layout(&state).await?,
        nav: "invitations",
        notices,
        q: view.q.clone(),
        status: view.filter.status.map(|s| s.as_str()).unwrap_or_default(),
        batch: view.filter.batch.map(|b| b.to_string()).unwrap_or_default(),
        mismatch: view.filter.mismatch_only,
        statuses: InvitationStatus::ALL
            .iter()
            .map(|s| {
                let n = counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n);
                (s.as_str(), s.label(), n)
            })
            .collect(),
        total,
        rows: rows
            .iter()
            .map(|r| InvitationView::new(&state, r))
            .collect(),
        pager,
    }))
}

fn csv_record(r: &InvitationRow) -> Vec<String> {
    let id = |o: &Option<orcid::OrcidId>| o.map(|i| i.to_string()).unwrap_or_default();
    vec![
        r.email.clone(),
        r.given_names.clone(),
        r.family_names.clone(),
        r.department.clone(),
        r.status.as_str().into(),
        id(&r.named_orcid),
        r.public_name.clone().unwrap_or_default(),
        id(&r.connected_orcid),
        if r.mismatch() { "yes" } else { "" }.into(),
        iso(r.invited_at),
        iso(r.expires_at),
        r.opened_at.map(iso).unwrap_or_default(),
        r.connected_at.map(iso).unwrap_or_default(),
        r.reminders_sent.to_string(),
        r.mail_error.clone().unwrap_or_default(),
    ]
}

/// Every invitation of the current filter, as CSV, streamed in chunks.
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(params): CsrfForm<ListParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    let detail = view.href(1);
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::InviteExport,
            "ok",
            Some(&detail),
        )
        .await;
    let filter = view.filter;
    let t = now();
    Ok(csv_stream(
        "invitations.csv",
        &CSV_HEADER,
        0i64,
        move |after: i64| {
            let state = state.clone();
            let filter = filter.clone();
            async move {
                let rows = state
                    .store
                    .invitations_after(&filter, t, after, EXPORT_CHUNK)
                    .await?;
                let next = (rows.len() as i64 == EXPORT_CHUNK)
                    .then(|| rows.last().map_or(after, |r| r.id));
                let rows = rows.iter().map(csv_record).collect();
                Ok::<Batch<i64>, sqlx::Error>((rows, next))
            }
        },
    ))
}
