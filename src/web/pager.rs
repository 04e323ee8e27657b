//! "Page 3 of 12" with Previous and Next links, drawn by `templates/_pager.html` on every
//! paged list; the hrefs are built by the page that owns the list.

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
