//! "Page 3 of 12" with Previous and Next links, drawn by `templates/_pager.html` on every
//! paged list; the hrefs are built by the page that owns the list.

use super::format::clip;

/// Lines per page on every staff list.
pub const PAGE_SIZE: i64 = 50;

pub struct Pager {
    /// Names the list for screen readers ("Pages of works"): a page may have two pagers,
    /// and two navigation landmarks with one name cannot be told apart.
    pub label: &'static str,
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(label: &'static str, page: i64, pages: i64, href: impl Fn(i64) -> String) -> Self {
        Pager {
            label,
            page,
            pages,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// The number of pages `total` lines fill at `per_page` a page (at least one).
pub fn last_page(total: i64, per_page: i64) -> i64 {
    let per_page = per_page.max(1);
    ((total + per_page - 1) / per_page).max(1)
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

#[cfg(test)]
mod tests {
    use super::{last_page, parse_page};

    #[test]
    fn pages() {
        assert_eq!(last_page(0, 50), 1);
        assert_eq!(last_page(50, 50), 1);
        assert_eq!(last_page(51, 50), 2);
        assert_eq!(last_page(1200, 50), 24);
        assert_eq!(last_page(21, 10), 3);
        let mut notes = vec![];
        assert_eq!(parse_page("", &mut notes), 1);
        assert_eq!(parse_page("3", &mut notes), 3);
        assert!(notes.is_empty());
        assert_eq!(parse_page("-2", &mut notes), 1);
        assert_eq!(notes.len(), 1);
    }
}
