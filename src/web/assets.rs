//! The few static files, compiled into the binary so the image needs nothing beside it.
//!
//! Pages link to them under content-hashed names (`/static/idlink.3f2a9c1b0d4e.css`), so a
//! browser may keep them for a year: changed bytes get a new name, and nobody is left with
//! a stale stylesheet after an upgrade. The plain names (`/static/idlink.css`) stay for
//! links from outside (mail, bookmarks), cached for an hour as before. A name with an old
//! or unknown hash is a 404.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use super::error::PageError;
use crate::state::AppState;

struct File {
    /// The plain name under /static, e.g. `idlink.css`.
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: &[File] = &[
    File {
        name: "idlink.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/idlink.css"),
    },
    File {
        name: "orcid-id.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/orcid-id.svg"),
    },
    File {
        name: "job.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/job.js"),
    },
    File {
        name: "form.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/form.js"),
    },
];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const PLAIN: &str = "public, max-age=3600";

/// Hex digits of the SHA-256 of the bytes kept in a name: enough to tell builds apart.
const HASH_LEN: usize = 12;

/// Each file's hashed name (`idlink.3f2a9c1b0d4e.css`), in the order of [`FILES`].
static HASHED: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|f| {
            let hex: String = Sha256::digest(f.body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let (stem, ext) = f.name.rsplit_once('.').expect("static names have a dot");
            format!("{stem}.{}.{ext}", &hex[..HASH_LEN])
        })
        .collect()
});

/// The URLs pages link to, the one place templates get them from.
pub struct Urls {
    pub css: String,
    pub id_icon: String,
    pub job_js: String,
    pub form_js: String,
}

pub static URLS: LazyLock<Urls> = LazyLock::new(|| Urls {
    css: url("idlink.css"),
    id_icon: url("orcid-id.svg"),
    job_js: url("job.js"),
    form_js: url("form.js"),
});

/// The hashed URL of a static file by its plain name. Panics on a name that is not one of
/// the files: that is a typo in idlink, found by the first test that draws the page.
pub fn url(name: &str) -> String {
    let i = FILES
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no static file named {name}"));
    format!("/static/{}", HASHED[i])
}

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{file}", get(serve))
}

async fn serve(Path(file): Path<String>) -> Response {
    if let Some(i) = HASHED.iter().position(|h| *h == file) {
        return asset(&FILES[i], IMMUTABLE);
    }
    if let Some(f) = FILES.iter().find(|f| f.name == file) {
        return asset(f, PLAIN);
    }
    PageError::not_found().into_response()
}

fn asset(f: &'static File, cache: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, f.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        f.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_extension_and_change_with_the_bytes() {
        let css = url("idlink.css");
        assert!(
            css.starts_with("/static/idlink.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/static/idlink..css".len() + HASH_LEN);
        let names: std::collections::HashSet<_> = HASHED.iter().collect();
        assert_eq!(names.len(), FILES.len(), "every file has its own name");
        assert_eq!(URLS.id_icon, url("orcid-id.svg"));
    }
}
