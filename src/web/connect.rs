//! Connect your ORCID iD: the landing page, the authorize redirect and the callback.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::error::PageError;
use super::invite;
use super::lang::orcid_lang;
use super::pages::{render, DemoStaff, Denied, Landing, Layout};
use super::pending_signin::{self, PendingAuth, PendingSignIns};
use super::session;
use crate::config::DEMO_STAFF_NAME;
use crate::grants::SignIn;
use crate::invitations::{self, LinkState};
use crate::state::AppState;
use crate::store::{now, NewTokens};
use orcid::{scopes, AuthorizeRequest, OrcidError, OrcidId};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/orcid/connect", get(connect))
        .route("/orcid/callback", get(callback))
}

async fn landing(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let user = session::current_user(&session).await?;
    let name = match &user {
        Some(id) => Some(
            state
                .store
                .researcher(id)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
        ),
        None => None,
    };
    let csrf = if user.is_some() {
        session::csrf_token(&session).await?
    } else {
        String::new()
    };
    Ok(render(&Landing {
        layout: Layout::new(&state, user.is_some(), csrf),
        other_address: other_address(&state, &headers),
        signed_in_name: name,
        signin_only_scope: scopes::signin_only(&state.settings.scopes),
        demo_staff: state.settings.staff.demo.map(|id| DemoStaff {
            name: DEMO_STAFF_NAME,
            orcid: id.to_string(),
        }),
    }))
}

/// In demo mode, the address to use instead when the page was opened at another one
/// (127.0.0.1 for localhost, say): ORCID sends people back to PUBLIC_URL, where this
/// browser's session cookie would be missing. Only in demo mode, where idlink is not
/// behind a proxy that may rewrite the Host header.
fn other_address(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if state.settings.orcid_env != crate::config::OrcidEnv::Mock {
        return None;
    }
    let public = &state.settings.public_url;
    let expected = match public.port() {
        Some(p) => format!("{}:{p}", public.host_str()?),
        None => public.host_str()?.to_string(),
    };
    let host = headers.get(header::HOST)?.to_str().ok()?;
    (!host.eq_ignore_ascii_case(&expected)).then(|| public.as_str().to_string())
}

#[derive(Deserialize)]
struct ConnectParams {
    /// `signin`: ask only for the iD (sign-in only).
    access: Option<String>,
    /// Any value: "Not you?" — make ORCID ask for credentials again.
    switch: Option<String>,
    /// `works`: the grant must also allow reading and adding works.
    need: Option<String>,
    /// A personal invitation link's token: ORCID's form is pre-filled from it.
    invitation: Option<String>,
}

async fn connect(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(params): Query<ConnectParams>,
) -> Result<Response, PageError> {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    if let Err(wait) = state.connect_limiter.check(&headers, peer) {
        return Ok(too_many_sign_ins(wait));
    }
    let invitation = match params.invitation.as_deref() {
        None => None,
        Some(token) => match state.invitations.state_of(token).await? {
            LinkState::Open(inv) => Some(inv),
            other => return Ok(invite::closed_page(&state, &other)),
        },
    };
    let prefill = invitation.as_ref().map(invitations::prefill);
    let configured = &state.settings.scopes;
    // An invitation asks for everything idlink is set up to ask for. Connecting again for a
    // missing scope asks for the whole configured set, not only what is missing: ORCID
    // issues each token with exactly the scopes of the request that made it and has no
    // incremental consent (a refresh may only narrow a token), and idlink keeps one grant
    // per researcher, which the new one replaces.
    let signin_only = params.access.as_deref() == Some("signin") && invitation.is_none();
    let mut scopes: Vec<String> = if signin_only {
        vec![scopes::signin_only(configured).to_string()]
    } else {
        configured.clone()
    };
    if params.need.as_deref() == Some("works") {
        for needed in ["/read-limited", "/activities/update"] {
            if !scopes.iter().any(|s| s == needed) {
                scopes.push(needed.to_string());
            }
        }
    }
    let force_login = params.switch.is_some();
    if force_login && !scopes.iter().any(|s| s == scopes::OPENID) {
        // ORCID honours prompt=login only with openid, which stands in for /authenticate.
        scopes.retain(|s| s != scopes::AUTHENTICATE);
        scopes.insert(0, scopes::OPENID.to_string());
    }
    let nonce = scopes
        .iter()
        .any(|s| s == scopes::OPENID)
        .then(session::random_token);
    let pending = PendingAuth {
        state: session::random_token(),
        nonce,
        scopes,
        created_at: now(),
        invitation: invitation.as_ref().map(|i| i.id),
    };
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(orcid_lang);
    let redirect_uri = state.redirect_uri();
    let url = state.orcid.authorize_url(&AuthorizeRequest {
        scopes: &pending.scopes,
        redirect_uri: &redirect_uri,
        state: &pending.state,
        nonce: pending.nonce.as_deref(),
        lang,
        force_login,
        prefill: prefill.as_ref(),
    });
    // Kept in the browser, not the session: a visitor without an account stores nothing.
    // An unreadable cookie left from before is replaced.
    let ttl = state.settings.oauth_state_ttl_secs;
    let mut signins = PendingSignIns::from_headers(&headers, &state.cipher).unwrap_or_default();
    signins.push(pending, ttl, now());
    let mut res = Redirect::to(url.as_str()).into_response();
    if let Some(cookie) = signins.set_cookie(&state.cipher, state.settings.secure_cookies, ttl) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

/// 429 for a client past `CONNECT_RATE_PER_MIN`: plain text, cheap to send many times.
fn too_many_sign_ins(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    tracing::info!(
        retry_after = secs,
        "sign-in starts over the per-address limit"
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::RETRY_AFTER, secs.to_string()),
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
        ],
        format!(
            "Too many sign-ins were started from your address. Please wait {} and try again.\n",
            duration_words(secs.max(1) as i64)
        ),
    )
        .into_response()
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn start_again(status: StatusCode, title: &'static str, message: &str) -> PageError {
    PageError::new(status, title, message).with_action("/", "Start again")
}

/// "10 minutes", "1 minute", "45 seconds": how long a sign-in may take, in words.
fn duration_words(secs: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs >= 60 && secs % 60 == 0 {
        plural(secs / 60, "minute")
    } else {
        plural(secs, "second")
    }
}

async fn callback(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let secure = state.settings.secure_cookies;
    let Ok(mut signins) = PendingSignIns::from_headers(&headers, &state.cipher) else {
        tracing::warn!("sign-in cookie refused: altered, or sealed under another key");
        let mut res = start_again(
            StatusCode::BAD_REQUEST,
            "This sign-in could not be checked",
            "The sign-in details your browser sent back to idlink were changed or damaged, so idlink did not trust them. Nothing was shared or stored.",
        )
        .into_response();
        res.headers_mut()
            .append(header::SET_COOKIE, pending_signin::removal(secure));
        return res;
    };
    // The state is checked, and spent, before anything else — including error answers.
    let pending = params
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| signins.take(s))
        .filter(|p| state.spent_states.spend(&p.state));
    let mut res = finish_sign_in(&state, &session, pending, params)
        .await
        .into_response();
    let ttl = state.settings.oauth_state_ttl_secs;
    if let Some(cookie) = signins.set_cookie(&state.cipher, secure, ttl) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}

/// The callback once its sign-in is known (`None`: no matching, unused state): checks
/// the answer, exchanges the code, stores the connection and signs the person in.
async fn finish_sign_in(
    state: &AppState,
    session: &Session,
    pending: Option<PendingAuth>,
    params: CallbackParams,
) -> Result<Response, PageError> {
    let Some(pending) = pending else {
        return Err(start_again(
            StatusCode::BAD_REQUEST,
            "This sign-in link is not valid",
            "idlink could not match this answer from ORCID to a sign-in you started in this browser, or it was already used. Nothing was shared or stored.",
        ));
    };
    if now() - pending.created_at > state.settings.oauth_state_ttl_secs {
        return Err(start_again(
            StatusCode::BAD_REQUEST,
            "This sign-in took too long",
            &format!(
                "For your safety a sign-in must be finished within {}. Nothing was shared or stored.",
                duration_words(state.settings.oauth_state_ttl_secs)
            ),
        ));
    }
    if let Some(error) = params.error.as_deref() {
        return callback_error(state, error);
    }
    let Some(code) = params.code.filter(|c| !c.is_empty() && c.len() <= 512) else {
        return Err(start_again(
            StatusCode::BAD_REQUEST,
            "ORCID sent no authorization code",
            "The answer from ORCID was incomplete. Nothing was stored.",
        ));
    };
    let redirect_uri = state.redirect_uri();
    let token = state
        .orcid
        .exchange_code(&code, &redirect_uri)
        .await
        .map_err(token_error)?;
    let orcid = token
        .orcid
        .as_deref()
        .map(OrcidId::parse)
        .and_then(Result::ok)
        .ok_or_else(|| {
            token_error(OrcidError::InvalidResponse(
                "token response without a valid orcid".into(),
            ))
        })?;
    let asked_openid = pending.scopes.iter().any(|s| s == scopes::OPENID);
    let mut name = token.name.clone().unwrap_or_default().trim().to_string();
    match (&token.id_token, asked_openid) {
        (Some(id_token), _) => {
            let claims = state
                .orcid
                .verify_id_token(id_token, pending.nonce.as_deref(), &orcid)
                .await
                .map_err(token_error)?;
            if name.is_empty() {
                name = claims.name.unwrap_or_default();
            }
        }
        (None, true) => {
            return Err(token_error(OrcidError::IdToken(
                "openid was requested but no id_token came back".into(),
            )));
        }
        (None, false) => {}
    }
    let tokens = NewTokens {
        access_token: token.access_token,
        refresh_token: token.refresh_token,
        scope: token.scope,
        expires_at: now().saturating_add(token.expires_in.max(0)),
    };
    let is_staff = state.settings.staff.contains(&orcid);
    // A narrower sign-in keeps the stored grant; the grant given up is revoked at ORCID.
    let outcome = state
        .grants
        .sign_in(SignIn {
            orcid: &orcid,
            name: &name,
            is_staff,
            tokens,
        })
        .await?;
    session::sign_in(session, &orcid).await?;
    tracing::info!(orcid = %orcid, ?outcome, "researcher connected");
    if let Some(id) = pending.invitation {
        // The connection is made; a failure to note it on the invitation must not undo it.
        if let Err(e) = state.invitations.connected(id, &orcid).await {
            tracing::error!(error = %e, invitation = id, "could not record the connection on its invitation");
        }
    }
    // Staff uploads kept for this person until they connected are sent now.
    if let Err(e) = state.runner.resume_waiting(&orcid).await {
        tracing::error!(error = %e, orcid = %orcid, "could not queue the researcher's waiting job items");
    }
    Ok(Redirect::to("/me").into_response())
}

/// ORCID sent the person back with an error instead of a code.
fn callback_error(state: &AppState, error: &str) -> Result<Response, PageError> {
    tracing::info!(error, "ORCID returned an error to the callback");
    let msg = match error {
        "access_denied" => {
            return Ok(render(&Denied {
                layout: Layout::new(state, false, String::new()),
                signin_only_scope: scopes::signin_only(&state.settings.scopes),
            }));
        }
        "invalid_scope" => (
            "ORCID did not accept the permissions asked for",
            "This is a set-up problem on our side, not yours: the permissions idlink asked for are not allowed for its ORCID client. Please tell your institution's ORCID team. Nothing was shared.",
        ),
        "login_required" | "interaction_required" => (
            "Please sign in to ORCID",
            "ORCID needs you to sign in (and confirm) before it can share your iD. Start again and sign in when ORCID asks.",
        ),
        "client_locked" | "client_deactivated" | "unauthorized_client" => (
            "This service is not available at ORCID right now",
            "ORCID has disabled the application idlink uses. Please tell your institution's ORCID team. Nothing was shared.",
        ),
        "server_error" | "temporarily_unavailable" => (
            "ORCID had a problem",
            "ORCID could not finish the sign-in. Nothing was shared. Please try again in a few minutes.",
        ),
        _ => (
            "ORCID could not complete the sign-in",
            "ORCID refused the request. Nothing was shared. Please try again; if it keeps happening, tell your institution's ORCID team.",
        ),
    };
    Err(start_again(StatusCode::BAD_REQUEST, msg.0, msg.1))
}

/// Token exchange and id_token failures: nothing is stored, and the person learns what to do.
fn token_error(e: OrcidError) -> PageError {
    tracing::warn!(error = %e, "token exchange failed");
    match e {
        OrcidError::OAuth { body, .. } if body.error == "invalid_grant" || body.error == "invalid_request" => start_again(
            StatusCode::BAD_REQUEST,
            "This sign-in has expired",
            "The code ORCID gave idlink has expired or was already used. Nothing was stored. Please start again.",
        ),
        OrcidError::OAuth { body, .. } if body.error == "invalid_client" || body.error == "unauthorized_client" => start_again(
            StatusCode::BAD_GATEWAY,
            "ORCID did not recognise this service",
            "ORCID refused idlink's client credentials. This is a set-up problem on our side; please tell your institution's ORCID team. Nothing was stored.",
        ),
        OrcidError::Timeout => start_again(
            StatusCode::GATEWAY_TIMEOUT,
            "ORCID did not answer in time",
            "ORCID is slow or unreachable right now. Nothing was stored. Please try again in a few minutes.",
        ),
        OrcidError::Held(held) => PageError::held(held, ("/", "Back to the start")),
        OrcidError::IdToken(_) => start_again(
            StatusCode::BAD_GATEWAY,
            "idlink could not verify ORCID's answer",
            "The sign-in proof from ORCID did not check out, so idlink did not trust it. Nothing was stored. Please start again.",
        ),
        _ => start_again(
            StatusCode::BAD_GATEWAY,
            "ORCID is having problems",
            "idlink could not complete the connection with ORCID. Nothing was stored. Please try again in a few minutes.",
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sign_in_time_limit_in_words() {
        assert_eq!(super::duration_words(600), "10 minutes");
        assert_eq!(super::duration_words(60), "1 minute");
        assert_eq!(super::duration_words(90), "90 seconds");
        assert_eq!(super::duration_words(1), "1 second");
    }
}
