//! Grant health (`GET /admin/grants`): how every researcher's grant stands — counts per
//! state, two charts, and the grants filtered by state and connection date, paged. The
//! same view as CSV is in `grants_export.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::grant_charts::{bar_chart, Chart};
use crate::state::AppState;
use crate::store::{now, GrantHealthRow, GrantState, HealthQuery};
use crate::web::error::PageError;
use crate::web::format::{clip, day, when};
use crate::web::pager::{last_page, parse_page, Pager, PAGE_SIZE};
use crate::web::pages::{render, Layout};
use crate::web::staff::Staff;
use orcid::scopes;

/// Weeks the connections chart covers.
const WEEKS: i64 = 26;
const WEEK_SECS: i64 = 7 * 86_400;

/// The page's query string (and the export form's fields), all text so that any input
/// reaches the page and gets a message rather than a bare 400.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HealthParams {
    state: String,
    after: String,
    before: String,
    page: String,
}

/// The view asked for, checked.
pub(super) struct View {
    pub(super) state: Option<GrantState>,
    /// As typed, shown again in the form.
    after: String,
    before: String,
    after_at: Option<i64>,
    before_at: Option<i64>,
    page: i64,
    pub(super) notices: Vec<String>,
}

impl View {
    pub(super) fn parse(p: &HealthParams) -> Self {
        let mut notices = vec![];
        let state = match p.state.trim() {
            "" | "all" => None,
            s => GrantState::from_slug(s).or_else(|| {
                notices.push(format!(
                    "There is no state \"{}\"; showing every state.",
                    clip(s)
                ));
                None
            }),
        };
        let after_at = parse_day(&p.after, "Connected on or after", &mut notices);
        // "Before 5 March" leaves 5 March out.
        let before_at = parse_day(&p.before, "Connected before", &mut notices);
        if let (Some(a), Some(b)) = (after_at, before_at) {
            if a >= b {
                notices.push(
                    "\"Connected on or after\" is not earlier than \"Connected before\": no grant can match both."
                        .into(),
                );
            }
        }
        View {
            state,
            after: p.after.trim().chars().take(40).collect(),
            before: p.before.trim().chars().take(40).collect(),
            after_at,
            before_at,
            page: parse_page(&p.page, &mut notices),
            notices,
        }
    }

    pub(super) fn query(&self, state: &AppState) -> HealthQuery {
        HealthQuery {
            required: scopes::required(&state.settings.scopes)
                .into_iter()
                .map(String::from)
                .collect(),
            at: now(),
            state: self.state,
            connected_after: self.after_at,
            connected_before: self.before_at,
        }
    }

    /// This view's query string, on page `page`, or with another state.
    pub(super) fn href(&self, state: Option<GrantState>, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        if let Some(s) = state {
            pairs.push(("state", s.slug().into()));
        }
        if self.after_at.is_some() {
            pairs.push(("after", self.after.clone()));
        }
        if self.before_at.is_some() {
            pairs.push(("before", self.before.clone()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            "/admin/grants".into()
        } else {
            format!("/admin/grants?{query}")
        }
    }
}

/// A day typed as YYYY-MM-DD (what a date field sends), as the Unix time of its start
/// (UTC); anything else is reported under the field's name and ignored.
fn parse_day(raw: &str, field: &str, notices: &mut Vec<String>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(raw, &format) {
        Ok(d) => Some(d.midnight().assume_utc().unix_timestamp()),
        Err(_) => {
            notices.push(format!(
                "\"{field}\" should be a date like 2026-03-31, not \"{}\"; that filter is left out.",
                clip(raw)
            ));
            None
        }
    }
}

pub struct StateCount {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub current: bool,
}

pub struct RowView {
    pub name: String,
    pub orcid: String,
    pub page_href: String,
    pub id_url: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub connected: String,
    pub last_success: String,
    pub last_checked: String,
}

/// One bar of a chart, as the table beside it lists it.
pub struct Bar {
    pub label: String,
    pub value: i64,
}

#[derive(Template)]
#[template(path = "admin/grants.html")]
pub struct GrantsPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub state: &'static str,
    pub after: String,
    pub before: String,
    pub states: Vec<StateCount>,
    pub all_href: String,
    /// Grants within the date filters, any state.
    pub total: i64,
    /// Grants matching every filter.
    pub matching: i64,
    pub needing_reconnect: i64,
    pub rows: Vec<RowView>,
    pub pager: Pager,
    pub check_days: u64,
    pub weeks_chart: Chart,
    pub weeks: Vec<Bar>,
    pub weeks_total: i64,
    pub states_chart: Chart,
}

fn row_view(state: &AppState, r: GrantHealthRow) -> RowView {
    RowView {
        page_href: format!("/admin/researchers/{}", r.orcid),
        id_url: state.orcid.record_url(&r.orcid),
        orcid: r.orcid.to_string(),
        name: r.name,
        state: r.state.slug(),
        state_label: r.state.label(),
        connected: day(r.connected_at),
        last_success: r.last_success_at.map(when).unwrap_or_default(),
        last_checked: r.last_checked_at.map(when).unwrap_or_default(),
    }
}

/// The Monday (00:00 UTC) of the week `t` falls in. 1 January 1970 was a Thursday.
fn week_start(t: i64) -> i64 {
    let days = t.div_euclid(86_400);
    (days - (days + 3).rem_euclid(7)) * 86_400
}

/// "3 Mar": a week's label on the chart and in its table.
fn short_day(t: i64) -> String {
    let format = time::macros::format_description!("[day padding:none] [month repr:short]");
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&format).ok())
        .unwrap_or_default()
}

/// New connections in each of the last [`WEEKS`] weeks, this one included.
async fn weeks(state: &AppState) -> Result<Vec<Bar>, sqlx::Error> {
    let since = week_start(now()) - (WEEKS - 1) * WEEK_SECS;
    let counts = state.store.connections_per_week(since).await?;
    Ok((0..WEEKS)
        .map(|w| Bar {
            label: short_day(since + w * WEEK_SECS),
            value: counts
                .iter()
                .find(|(week, _)| *week == w)
                .map_or(0, |(_, c)| *c),
        })
        .collect())
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(params): Query<HealthParams>,
) -> Result<Response, PageError> {
    let view = View::parse(&params);
    let q = view.query(&state);
    let counts = state.store.grant_state_counts(&q).await?;
    let count_of = |s: GrantState| counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let matching = view.state.map_or(total, count_of);
    let pages = last_page(matching, PAGE_SIZE);
    let page = view.page.min(pages);
    let rows = state
        .store
        .grant_health_rows(&q, None, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    let weeks = weeks(&state).await?;
    let weeks_chart = bar_chart(
        &weeks
            .iter()
            .map(|b| (b.label.clone(), b.value))
            .collect::<Vec<_>>(),
        "Week starting",
        "New connections",
        4,
    );
    let by_state: Vec<(String, i64)> = GrantState::ALL
        .iter()
        .map(|s| (s.label().to_string(), count_of(*s)))
        .collect();
    let states_chart = bar_chart(&by_state, "State", "Grants", 1);
    Ok(render(&GrantsPage {
        layout: staff.layout(&state).await?,
        nav: "grants",
        state: view.state.map_or("", GrantState::slug),
        after: view.after.clone(),
        before: view.before.clone(),
        states: GrantState::ALL
            .iter()
            .map(|s| StateCount {
                slug: s.slug(),
                label: s.label(),
                count: count_of(*s),
                href: view.href(Some(*s), 1),
                current: view.state == Some(*s),
            })
            .collect(),
        all_href: view.href(None, 1),
        total,
        matching,
        needing_reconnect: GrantState::ALL
            .iter()
            .filter(|s| s.needs_reconnect())
            .map(|s| count_of(*s))
            .sum(),
        rows: rows.into_iter().map(|r| row_view(&state, r)).collect(),
        pager: Pager::new("Pages of grants", page, pages, |n| view.href(view.state, n)),
        check_days: state.settings.token_check_every.as_secs() / 86_400,
        weeks_total: weeks.iter().map(|b| b.value).sum(),
        weeks,
        weeks_chart,
        states_chart,
        notices: view.notices,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // Thursday 1 January 1970 belongs to the week of Monday 29 December 1969.
        assert_eq!(week_start(0), -3 * 86_400);
        // Monday 2 March 2026, 10:00 UTC.
        let monday = 1_772_409_600;
        assert_eq!(week_start(monday + 36_000), monday);
        assert_eq!(week_start(monday + 6 * 86_400 + 86_399), monday);
        assert_eq!(short_day(monday), "2 Mar");
    }

    #[test]
    fn bad_filters_are_named_and_kept() {
        let v = View::parse(&HealthParams {
            state: "sleepy".into(),
            after: "31/03/2026".into(),
            before: "2026-02-30".into(),
            page: "0".into(),
        });
        assert_eq!(v.notices.len(), 4, "{:?}", v.notices);
        assert!(v.notices[1].contains("Connected on or after"));
        assert!(v.notices[2].contains("Connected before"));
        assert_eq!(v.after, "31/03/2026", "what was typed is shown again");
        assert_eq!((v.state, v.after_at, v.before_at), (None, None, None));
    }
}
