//! CSV downloads for staff: spreadsheet-safe cells and the responses that carry them,
//! whole (small files) or streamed batch by batch from the database (anything that grows
//! with the data), so a download never holds the whole file in memory.

use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};

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
    (headers(file_name), body).into_response()
}

/// Rows of a streamed download and where the next batch starts (`None`: this was the last).
pub type Batch<C> = (Vec<Vec<String>>, Option<C>);

/// A CSV download written while it is read: `header`, then `next(cursor)` batch after batch
/// until a batch says nothing follows. Every cell is defused with [`cell`]. A database
/// error part-way is logged and cuts the download off, so the browser reports it failed
/// rather than saving a file that looks whole.
pub fn csv_stream<C, E, F, Fut>(file_name: &str, header: &[&str], first: C, next: F) -> Response
where
    C: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
    F: FnMut(C) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Batch<C>, E>> + Send + 'static,
{
    let head = encode(vec![header.iter().map(|h| h.to_string()).collect()]);
    let name = file_name.to_owned();
    let rows = stream::unfold((Some(first), next), move |(cursor, mut next)| {
        let name = name.clone();
        async move {
            let batch = next(cursor?).await;
            Some(match batch {
                Ok((rows, after)) => (Ok(encode(rows)), (after, next)),
                Err(e) => {
                    tracing::error!(error = %e, file = %name, "a CSV download broke off");
                    (Err(e), (None, next))
                }
            })
        }
    });
    // Fused: the compression layer polls a body again after its end, which an unfold
    // stream must not be.
    let body = stream::once(async move { Ok(head) }).chain(rows).fuse();
    (headers(file_name), Body::from_stream(body)).into_response()
}

fn encode(rows: Vec<Vec<String>>) -> Bytes {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = out.write_record(row.iter().map(|c| cell(c)));
    }
    Bytes::from(out.into_inner().unwrap_or_default())
}

fn headers(file_name: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::{cell, encode};

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ada Lovelace"), "Ada Lovelace");
    }

    #[test]
    fn streamed_rows_are_defused_and_quoted() {
        let bytes = encode(vec![vec!["=1+1".into(), "a, b".into()]]);
        assert_eq!(&bytes[..], b"'=1+1,\"a, b\"\n");
    }
}
