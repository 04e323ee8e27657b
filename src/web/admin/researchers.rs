//! The dashboard (`GET /admin`): connected researchers, searched, filtered, sorted and
//! paged in the database. Its CSV export is in `export.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::state::AppState;
use crate::store::{
    ConnectionStatus, DashboardFilter, DashboardRow, DashboardSort, LastCall, RevocationBacklog,
    Search,
};
use crate::web::error::PageError;
use crate::web::format::{day, when};
use crate::web::pager::PAGE_SIZE;
use crate::web::pager::{last_page, parse_page, Pager};
use crate::web::pages::{render, Layout};
use crate::web::staff::Staff;
use orcid::{scopes, OrcidId};

/// The dashboard's query string (and the export form's fields). All text, so that any
/// input reaches the page and gets a message rather than a bare 400.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ViewParams {
    q: String,
    status: String,
    sort: String,
    dir: String,
    page: String,
}

/// The view asked for, checked: the filter, the page, and what was wrong with the input.
pub(super) struct View {
    pub(super) filter: DashboardFilter,
    pub(super) q: String,
    pub(super) page: i64,
    pub(super) notices: Vec<String>,
}

impl View {
    pub(super) fn parse(p: &ViewParams) -> Self {
        let mut notices = vec![];
        let q: String = p.q.trim().chars().take(200).collect();
        let status = match p.status.trim() {
            "" | "all" => None,
            s => ConnectionStatus::from_slug(s).or_else(|| {
                notices.push(format!(
                    "There is no status \"{}\"; showing every status.",
                    crate::web::format::clip(s)
                ));
                None
            }),
        };
        let sort = match p.sort.trim() {
            "" | "name" => DashboardSort::Name,
            "connected" => DashboardSort::Connected,
            "last_call" => DashboardSort::LastCall,
            s => {
                notices.push(format!(
                    "Cannot sort by \"{}\"; sorted by name.",
                    crate::web::format::clip(s)
                ));
                DashboardSort::Name
            }
        };
        let descending = match p.dir.trim() {
            "" => sort != DashboardSort::Name,
            "asc" => false,
            "desc" => true,
            s => {
                notices.push(format!(
                    "\"{}\" is not a sort direction (asc or desc).",
                    crate::web::format::clip(s)
                ));
                false
            }
        };
        let page = parse_page(&p.page, &mut notices);
        View {
            filter: DashboardFilter {
                search: parse_search(&q),
                status,
                sort,
                descending,
            },
            q,
            page,
            notices,
        }
    }

    /// The query string of this view on another page, or sorted another way.
    pub(super) fn href(&self, sort: DashboardSort, descending: bool, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if let Some(s) = self.filter.status {
            pairs.push(("status", s.slug().into()));
        }
        pairs.push(("sort", sort_slug(sort).into()));
        pairs.push(("dir", if descending { "desc" } else { "asc" }.into()));
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!(
            "/admin?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

fn sort_slug(s: DashboardSort) -> &'static str {
    match s {
        DashboardSort::Name => "name",
        DashboardSort::Connected => "connected",
        DashboardSort::LastCall => "last_call",
    }
}

/// What the search box matches: a whole iD exactly; digits, hyphens and X as part of an
/// iD (`0009-0001`, also inside a record URL); anything else as part of a name.
pub fn parse_search(q: &str) -> Option<Search> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    if let Ok(id) = OrcidId::parse(q) {
        return Some(Search::Id(id));
    }
    // The last path segment, so part of a pasted record URL works too.
    let bare = q.trim_end_matches('/').rsplit('/').next().unwrap_or(q);
    let id_like = bare
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | 'x' | 'X'));
    if id_like && bare.chars().any(|c| c.is_ascii_digit()) {
        return Some(Search::IdFragment(
            bare.replace('-', "").to_ascii_uppercase(),
        ));
    }
    Some(Search::Name(q.to_owned()))
}

pub struct LastCallView {
    pub text: String,
    pub when: String,
    pub failed: bool,
}

/// "works refresh: ok", "works refresh: failed — why", or "add_work: duplicate".
pub(super) fn last_call_text(c: &LastCall) -> (String, bool) {
    match c {
        LastCall::WorksRefresh { error: None, .. } => ("works refresh: ok".into(), false),
        LastCall::WorksRefresh { error: Some(e), .. } => {
            (format!("works refresh: failed — {e}"), true)
        }
        LastCall::Audit {
            action, outcome, ..
        } => (format!("{action}: {outcome}"), outcome != "ok"),
    }
}

pub struct RowView {
    pub orcid: String,
    pub name: String,
    pub page_href: String,
    pub id_url: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub scopes: Vec<&'static str>,
    pub connected_since: String,
    pub disconnected_on: Option<String>,
    pub works_added: i64,
    pub last_call: Option<LastCallView>,
    pub is_staff: bool,
}

fn row_view(state: &AppState, r: DashboardRow) -> RowView {
    RowView {
        page_href: format!("/admin/researchers/{}", r.orcid),
        id_url: state.orcid.record_url(&r.orcid),
        orcid: r.orcid.to_string(),
        name: r.name,
        status: r.status.slug(),
        status_label: r.status.label(),
        scopes: scopes::describe_all(r.scope.split_whitespace()),
        connected_since: day(r.first_connected_at),
        disconnected_on: r.disconnected_at.map(day),
        works_added: r.works_added,
        last_call: r.last_call.as_ref().map(|c| {
            let (text, failed) = last_call_text(c);
            LastCallView {
                text,
                when: when(c.at()),
                failed,
            }
        }),
        is_staff: r.is_staff,
    }
}

/// A column heading that sorts: its link and its current `aria-sort`.
pub struct SortLink {
    pub href: String,
    pub aria: &'static str,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub q: String,
    pub status: &'static str,
    pub sort: &'static str,
    pub descending: bool,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub rows: Vec<RowView>,
    pub total: i64,
    pub pager: Pager,
    pub by_name: SortLink,
    pub by_connected: SortLink,
    pub by_last_call: SortLink,
    pub jobs: Vec<crate::web::jobs::JobSummary>,
    pub to_revoke: ToRevoke,
    /// Which `ORG_*` settings affiliation writes still wait for.
    pub org_missing: Option<String>,
    /// The outcome of the last form sent from this page (the test message).
    pub flash: Option<crate::web::flash::Flash>,
    pub mail: super::mail_test::MailView,
}

/// "Access still to revoke": grants idlink gave up that ORCID has not yet confirmed
/// revoked (the revoker keeps trying).
pub struct ToRevoke {
    pub count: i64,
    pub researchers: i64,
    /// The day the oldest was given up.
    pub since: String,
    pub last_error: String,
}

impl From<RevocationBacklog> for ToRevoke {
    fn from(b: RevocationBacklog) -> Self {
        ToRevoke {
            count: b.count,
            researchers: b.researchers,
            since: b.oldest_at.map(day).unwrap_or_default(),
            last_error: b.last_error.unwrap_or_default(),
        }
    }
}

fn sort_link(v: &View, col: DashboardSort) -> SortLink {
    let current = v.filter.sort == col;
    let descending = if current {
        !v.filter.descending
    } else {
        col != DashboardSort::Name
    };
    SortLink {
        href: v.href(col, descending, 1),
        aria: match (current, v.filter.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        },
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    staff: Staff,
    Query(params): Query<ViewParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    let total = state.store.dashboard_count(&view.filter).await?;
    let page = view.page.min(last_page(total, PAGE_SIZE));
    let rows = state
        .store
        .dashboard_page(&view.filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let f = &view.filter;
    Ok(render(&DashboardPage {
        layout: staff.layout(&state).await?,
        nav: "dashboard",
        q: view.q.clone(),
        status: f.status.map_or("", ConnectionStatus::slug),
        sort: sort_slug(f.sort),
        descending: f.descending,
        statuses: ConnectionStatus::ALL
            .iter()
            .map(|s| (s.slug(), s.label()))
            .collect(),
        rows: rows.into_iter().map(|r| row_view(&state, r)).collect(),
        total,
        pager: Pager::new(
            "Pages of researchers",
            page,
            last_page(total, PAGE_SIZE),
            |n| view.href(f.sort, f.descending, n),
        ),
        by_name: sort_link(&view, DashboardSort::Name),
        by_connected: sort_link(&view, DashboardSort::Connected),
        jobs: crate::web::jobs::recent(&state, 5).await?,
        to_revoke: state.store.revocation_backlog().await?.into(),
        by_last_call: sort_link(&view, DashboardSort::LastCall),
        notices: view.notices,
        org_missing: state.settings.org.missing_message(),
        flash: crate::web::flash::take(&staff.session).await?,
        mail: super::mail_test::MailView::new(&state),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_kinds() {
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        assert_eq!(parse_search(" 0000-0002-1825-0097 "), Some(Search::Id(id)));
        assert_eq!(
            parse_search("https://orcid.org/0000-0002-1825-0097"),
            Some(Search::Id(id))
        );
        assert_eq!(
            parse_search("http://localhost:8080/mock-orcid/0009-0001-2"),
            Some(Search::IdFragment("000900012".into()))
        );
        assert_eq!(
            parse_search("0009-0001"),
            Some(Search::IdFragment("00090001".into()))
        );
        assert_eq!(
            parse_search("1825-009x"),
            Some(Search::IdFragment("1825009X".into()))
        );
        assert_eq!(parse_search("x"), Some(Search::Name("x".into())));
        assert_eq!(
            parse_search("Lovelace"),
            Some(Search::Name("Lovelace".into()))
        );
        assert_eq!(parse_search("  "), None);
    }

    #[test]
    fn bad_view_input_is_reported_not_refused() {
        let v = View::parse(&ViewParams {
            status: "sleeping".into(),
            sort: "age".into(),
            dir: "up".into(),
            page: "two".into(),
            ..Default::default()
        });
        assert_eq!(v.notices.len(), 4);
        assert_eq!(v.filter, DashboardFilter::default());
        assert_eq!(v.page, 1);
    }
}
