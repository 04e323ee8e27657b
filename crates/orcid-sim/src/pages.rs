//! HTML pages of the simulation (error, record, index), its stylesheet and the small
//! `userStatus.json` endpoint ORCID offers for signing out.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{Inner, MockOrcid};
use orcid::OrcidId;

const STYLESHEET: &str = include_str!("../static/mock.css");

/// Languages ORCID's `lang` parameter accepts, and the `<html lang>` each becomes.
const LANGS: [(&str, &str); 15] = [
    ("ar", "ar"),
    ("cs", "cs"),
    ("de", "de"),
    ("en", "en"),
    ("es", "es"),
    ("fr", "fr"),
    ("it", "it"),
    ("ja", "ja"),
    ("ko", "ko"),
    ("pl", "pl"),
    ("pt", "pt"),
    ("ru", "ru"),
    ("tr", "tr"),
    ("zh_CN", "zh-CN"),
    ("zh_TW", "zh-TW"),
];

/// The `<html lang>` for an ORCID `lang` parameter; English when absent or unknown.
pub(crate) fn html_lang(lang: Option<&str>) -> String {
    let wanted = lang.unwrap_or("en").replace('-', "_");
    LANGS
        .iter()
        .find(|(orcid, _)| orcid.eq_ignore_ascii_case(&wanted))
        .map_or("en", |(_, html)| html)
        .to_owned()
}

/// Renders a page with the headers every simulated-ORCID page carries.
pub(crate) fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut resp = (status, body).into_response();
            let h = resp.headers_mut();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "simulated ORCID could not render a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The simulated ORCID could not show this page.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "mock_orcid/error.html")]
pub(crate) struct ErrorPage {
    pub lang: String,
    pub base_path: String,
    pub title: String,
    pub message: String,
}

pub(crate) fn error_page(
    inner: &Inner,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    html(
        status,
        &ErrorPage {
            lang: "en".into(),
            base_path: inner.base_path.clone(),
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

pub(crate) fn unavailable(inner: &Inner) -> Response {
    error_page(
        inner,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The simulated ORCID hit an internal error. Restart it and try again.",
    )
}

pub(crate) async fn not_found(State(mock): State<MockOrcid>) -> Response {
    error_page(
        &mock.inner,
        StatusCode::NOT_FOUND,
        "Page not found",
        "The simulated ORCID has no page at this address.",
    )
}

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// How many works the public record page lists (newest first).
const LISTED_WORKS: usize = 50;

pub(crate) struct ListedWork {
    pub title: String,
    pub kind: String,
    pub year: String,
    pub source: String,
}

/// A public affiliation as the record page lists it.
pub(crate) struct ListedAffiliation {
    /// `employment`, `invited-position`, …
    pub section: String,
    /// Role title, department and organisation, as far as given.
    pub what: String,
    /// `2019-02-01 to present`, `2012-03 to 2016-11`, or empty.
    pub dates: String,
    pub source: String,
}

impl ListedAffiliation {
    fn of(a: &super::affiliations_store::StoredAffiliation) -> Self {
        let d = &a.data;
        let what = [
            d.role_title.as_deref(),
            d.department_name.as_deref(),
            d.organization_name(),
        ]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        let date = |f: &Option<orcid::model::FuzzyDate>| f.as_ref().and_then(|f| f.display());
        let dates = match (date(&d.start_date), date(&d.end_date)) {
            (Some(s), Some(e)) => format!("{s} to {e}"),
            (Some(s), None) => format!("{s} to present"),
            (None, Some(e)) => format!("until {e}"),
            (None, None) => String::new(),
        };
        ListedAffiliation {
            section: a.section.to_string(),
            what,
            dates,
            source: a.source.name.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "mock_orcid/record.html")]
struct RecordPage {
    lang: String,
    base_path: String,
    title: String,
    record_url: String,
    public_works: usize,
    works: Vec<ListedWork>,
    affiliations: Vec<ListedAffiliation>,
}

pub(crate) async fn record(State(mock): State<MockOrcid>, Path(raw): Path<String>) -> Response {
    let inner = &mock.inner;
    let Ok(id) = OrcidId::parse(&raw) else {
        return not_found(State(mock.clone())).await;
    };
    let Ok(st) = inner.lock() else {
        return unavailable(inner);
    };
    let Some(r) = st.researcher(&id) else {
        return error_page(
            inner,
            StatusCode::NOT_FOUND,
            "No such record",
            &format!("The simulated ORCID has no test researcher with the iD {id}."),
        );
    };
    let mut public: Vec<_> = st
        .works
        .of(&id)
        .filter(|w| w.visibility == super::works_model::Visibility::Public)
        .collect();
    public.sort_by_key(|w| std::cmp::Reverse((w.modified, w.put_code)));
    let works = public
        .iter()
        .take(LISTED_WORKS)
        .map(|w| ListedWork {
            title: w.data.title_text().to_owned(),
            kind: w.data.work_type.clone().unwrap_or_default(),
            year: w
                .data
                .publication_date
                .as_ref()
                .and_then(|d| d.year.as_ref())
                .map(|y| y.value.clone())
                .unwrap_or_default(),
            source: w.source.name.clone(),
        })
        .collect();
    let mut affiliations: Vec<_> = st
        .affiliations
        .of(&id)
        .filter(|a| a.visibility == super::works_model::Visibility::Public)
        .collect();
    affiliations.sort_by_key(|a| (a.section, a.put_code));
    html(
        StatusCode::OK,
        &RecordPage {
            lang: "en".into(),
            base_path: inner.base_path.clone(),
            title: r.display_name(),
            record_url: inner.record_url(&id),
            public_works: public.len(),
            works,
            affiliations: affiliations
                .into_iter()
                .map(ListedAffiliation::of)
                .collect(),
        },
    )
}

pub(crate) struct Listed {
    pub name: String,
    pub orcid: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "mock_orcid/index.html")]
struct IndexPage {
    lang: String,
    base_path: String,
    title: String,
    researchers: Vec<Listed>,
}

pub(crate) async fn index(State(mock): State<MockOrcid>) -> Response {
    let inner = &mock.inner;
    let Ok(st) = inner.lock() else {
        return unavailable(inner);
    };
    let researchers = st
        .researchers
        .iter()
        .map(|r| Listed {
            name: r.display_name(),
            orcid: r.orcid.to_string(),
            href: format!("{}/{}", inner.base_path, r.orcid),
        })
        .collect();
    html(
        StatusCode::OK,
        &IndexPage {
            lang: "en".into(),
            base_path: inner.base_path.clone(),
            title: "Test researchers".into(),
            researchers,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct UserStatusQuery {
    #[serde(rename = "logUserOut")]
    log_user_out: Option<String>,
}

#[derive(Serialize)]
struct UserStatus {
    #[serde(rename = "loggedIn")]
    logged_in: bool,
}

/// ORCID's `userStatus.json`; `?logUserOut=true` signs the test researcher out.
pub(crate) async fn user_status(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Query(q): Query<UserStatusQuery>,
) -> Response {
    let inner = &mock.inner;
    let Ok(mut st) = inner.lock() else {
        return super::wire::server_error();
    };
    let sid = super::authorize::session_id(&headers);
    let session = sid.as_deref().and_then(|sid| st.sessions.get_mut(sid));
    let mut logged_in = false;
    if let Some(s) = session {
        if q.log_user_out.as_deref() == Some("true") {
            s.researcher = None;
            s.auth_time = None;
            inner.persist(&st);
        } else {
            logged_in = s.researcher.is_some();
        }
    }
    Json(UserStatus { logged_in }).into_response()
}
