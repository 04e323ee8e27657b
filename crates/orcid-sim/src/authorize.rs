//! `GET|POST /oauth/authorize`: the page where a test researcher signs in and authorizes
//! (or denies) the client, and the redirects back to it.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::authorize_page::{build_page, sign_in, FormInput};
use super::pages::{error_page, html, unavailable};
use super::params::{param, validate, AuthorizeRequest, Rejection};
use super::state::{now, CodeRecord, State as Registry};
use super::{Inner, MockOrcid, SESSION_COOKIE};
use orcid::OrcidId;

/// The session id in the simulation's own cookie, if it looks like one.
pub(crate) fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn set_cookie(inner: &Inner, resp: &mut Response, sid: &str) {
    let path = if inner.base_path.is_empty() {
        "/"
    } else {
        &inner.base_path
    };
    let secure = if inner.secure_cookie { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={sid}; Path={path}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

/// A 302 to the client (ORCID answers authorize with 302).
fn redirect(inner: &Inner, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut resp = StatusCode::FOUND.into_response();
            resp.headers_mut().insert(LOCATION, v);
            resp.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(_) => error_page(
            inner,
            StatusCode::BAD_REQUEST,
            "Redirect URI not usable",
            "The redirect URI contains characters that cannot be sent back to the application.",
        ),
    }
}

fn reject(inner: &Inner, rejection: Rejection) -> Response {
    match rejection {
        Rejection::Page { title, message } => {
            error_page(inner, StatusCode::BAD_REQUEST, &title, &message)
        }
        Rejection::Redirect(location) => redirect(inner, &location),
    }
}

fn parse_query(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

pub(crate) async fn show(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let inner = &mock.inner;
    let pairs = parse_query(query);
    let req = match validate(inner, &pairs) {
        Ok(req) => req,
        Err(rejection) => return reject(inner, rejection),
    };
    let Ok(mut st) = inner.lock() else {
        return unavailable(inner);
    };
    let existing = session_id(&headers).filter(|sid| st.sessions.contains_key(sid));
    if req.prompt_is("none") {
        let signed_in = existing
            .as_ref()
            .and_then(|sid| st.sessions.get(sid))
            .and_then(|s| Some((s.researcher?, s.auth_time.unwrap_or_else(now))));
        let location = match signed_in {
            None => req.error_redirect("login_required", None),
            Some((id, auth_time)) if st.has_authorization(&id, &req.client_id, &req.scopes) => {
                let code = issue_code(&mut st, &req, id, auth_time);
                inner.persist(&st);
                code_redirect(&req, &code)
            }
            Some(_) => req.error_redirect("interaction_required", None),
        };
        return redirect(inner, &location);
    }
    let (sid, fresh) = match existing {
        Some(sid) => (sid, false),
        None => (st.new_session(None, None), true),
    };
    if fresh {
        inner.persist(&st);
    }
    let Some(session) = st.sessions.get(&sid).cloned() else {
        return unavailable(inner);
    };
    let page = build_page(inner, &st, &req, &pairs, &session, None, None);
    drop(st);
    let mut resp = html(StatusCode::OK, &page);
    if fresh {
        set_cookie(inner, &mut resp, &sid);
    }
    resp
}

pub(crate) async fn decide(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let inner = &mock.inner;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let req = match validate(inner, &pairs) {
        Ok(req) => req,
        Err(rejection) => return reject(inner, rejection),
    };
    let Ok(mut st) = inner.lock() else {
        return unavailable(inner);
    };
    let session = session_id(&headers).and_then(|sid| Some((st.sessions.get(&sid)?.clone(), sid)));
    let sent_csrf = param(&pairs, "csrf_token").unwrap_or_default();
    let Some((session, old_sid)) =
        session.filter(|(s, _)| bool::from(s.csrf.as_bytes().ct_eq(sent_csrf.as_bytes())))
    else {
        return error_page(
            inner,
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The simulated ORCID could not match this form to your browser session (cookies may be blocked, or the page is old). Go back to the application and connect again.",
        );
    };
    let input = FormInput::from_pairs(&pairs);
    match param(&pairs, "decision") {
        Some("deny") => redirect(
            inner,
            &req.error_redirect("access_denied", Some("User denied access")),
        ),
        Some("authorize") => match sign_in(&mut st, &input) {
            Ok(id) => {
                let auth_time = now();
                st.sessions.remove(&old_sid);
                let sid = st.new_session(Some(id), Some(auth_time));
                let code = issue_code(&mut st, &req, id, auth_time);
                inner.persist(&st);
                drop(st);
                tracing::info!(client_id = %req.client_id, orcid = %id, "simulated ORCID authorized a client");
                let mut resp = redirect(inner, &code_redirect(&req, &code));
                set_cookie(inner, &mut resp, &sid);
                resp
            }
            Err(message) => {
                let page = build_page(
                    inner,
                    &st,
                    &req,
                    &pairs,
                    &session,
                    Some(&input),
                    Some(message),
                );
                html(StatusCode::BAD_REQUEST, &page)
            }
        },
        _ => {
            let message = "Choose Authorize access or Deny access.".to_owned();
            let page = build_page(
                inner,
                &st,
                &req,
                &pairs,
                &session,
                Some(&input),
                Some(message),
            );
            html(StatusCode::BAD_REQUEST, &page)
        }
    }
}

fn issue_code(st: &mut Registry, req: &AuthorizeRequest, orcid: OrcidId, auth_time: u64) -> String {
    st.issue_code(CodeRecord {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        scopes: req.scopes.clone(),
        nonce: if req.has_openid() {
            req.nonce.clone()
        } else {
            None
        },
        orcid,
        auth_time,
        created_at: 0,
        used: false,
        tokens: Vec::new(),
    })
}

fn code_redirect(req: &AuthorizeRequest, code: &str) -> String {
    let mut extra = vec![("code", code)];
    if let Some(s) = &req.state {
        extra.push(("state", s));
    }
    super::params::redirect_with(&req.redirect_uri, &extra)
}
