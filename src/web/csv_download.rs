//! CSV downloads for staff: spreadsheet-safe cells and the response that carries them.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::PageError;

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
    use super::cell;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ada Lovelace"), "Ada Lovelace");
    }
}
