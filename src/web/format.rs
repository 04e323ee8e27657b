//! Dates and echoed input as staff pages and CSV files show them.

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

#[cfg(test)]
mod tests {
    use super::{day, iso};

    #[test]
    fn times() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(day(86_400 * 31), "1 February 1970");
    }
}
