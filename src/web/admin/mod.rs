//! Staff pages under /admin: the dashboard of connected researchers, one researcher's
//! page, and the audit log. Every handler takes the [`Staff`] extractor, so anyone else
//! gets 403 (and anonymous visitors are sent to the start) before anything else runs.
//! Exports are POST forms with the CSRF token: they write to the audit log.

mod audit;
mod export;
mod researcher;
mod researchers;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::error::PageError;
use crate::state::AppState;

/// Lines per page on every staff list.
pub const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(researchers::dashboard))
        .route("/admin/export", post(export::researchers))
        .route("/admin/researchers/{orcid}", get(researcher::page))
        .route("/admin/audit", get(audit::page))
        .route("/admin/audit/export", post(audit::export))
}

/// "Page 3 of 12" with links; the hrefs are built by the page that owns the pager.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(page: i64, total: i64, href: impl Fn(i64) -> String) -> Self {
        let pages = last_page(total);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// The number of pages `total` lines fill (at least one).
pub fn last_page(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// A page number from a query string: empty means 1; anything else not a positive
/// number is reported.
pub fn parse_page(raw: &str, notices: &mut Vec<String>) -> i64 {
    let raw = raw.trim();
    if raw.is_empty() {
        return 1;
    }
    match raw.parse::<i64>() {
        Ok(n) if n >= 1 => n,
        _ => {
            notices.push(format!(
                "\"{}\" is not a page number; showing the first page.",
                clip(raw)
            ));
            1
        }
    }
}

/// User input echoed in a message, kept short.
pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

fn format(unix: i64, f: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(f).ok())
        .unwrap_or_default()
}

/// "4 March 2026".
pub fn day(unix: i64) -> String {
    format(
        unix,
        time::macros::format_description!("[day padding:none] [month repr:long] [year]"),
    )
}

/// "2026-03-04 17:05 UTC".
pub fn when(unix: i64) -> String {
    format(
        unix,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"),
    )
}

/// "2026-03-04T17:05:09Z", for CSV files.
pub fn iso(unix: i64) -> String {
    format(
        unix,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
}

/// A cell for a CSV file that staff open in spreadsheets: text that a spreadsheet would
/// run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, as OWASP advises.
pub fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// A CSV download.
pub fn csv_response(file_name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The CSV writer failed (it writes to memory, so only on a bug): an internal error.
pub fn csv_error(e: impl std::fmt::Display) -> PageError {
    PageError::internal(format_args!("writing CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ada Lovelace"), "Ada Lovelace");
    }

    #[test]
    fn times_and_pages() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(day(86_400 * 31), "1 February 1970");
        assert_eq!(last_page(0), 1);
        assert_eq!(last_page(50), 1);
        assert_eq!(last_page(51), 2);
        let mut notes = vec![];
        assert_eq!(parse_page("", &mut notes), 1);
        assert_eq!(parse_page("3", &mut notes), 3);
        assert!(notes.is_empty());
        assert_eq!(parse_page("-2", &mut notes), 1);
        assert_eq!(notes.len(), 1);
    }
}
