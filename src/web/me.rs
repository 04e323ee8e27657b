//! The researcher's own page, sign-out and disconnect.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::affiliations_view::AffiliationsSection;
use super::csrf::CsrfForm;
use super::error::PageError;
use super::flash;
use super::pager::last_page;
use super::pages::{render, IdDisplay, Layout, Notice};
use super::researcher::Researcher;
use super::works_view::{WorksSection, GROUPS_PER_PAGE};
use super::{session, staff};
use crate::affiliations;
use crate::grants::Disconnected;
use crate::state::AppState;
use crate::store::{MeSummary, TokenStatus};
use crate::works::sync::is_stale;
use orcid::scopes;

/// The researcher's own page.
#[derive(Template)]
#[template(path = "me.html")]
pub struct Me {
    pub layout: Layout,
    pub flash: Option<flash::Flash>,
    pub works: Option<WorksSection>,
    pub affiliations: Option<AffiliationsSection>,
    pub name: String,
    pub id: IdDisplay,
    pub connected: bool,
    pub revoked: bool,
    pub granted: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    pub connected_at: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/signout", post(sign_out))
        .route("/me/disconnect", post(disconnect))
}

#[derive(Deserialize)]
struct MeParams {
    page: Option<i64>,
}

async fn me(
    State(state): State<AppState>,
    Researcher { orcid, session }: Researcher,
    Query(params): Query<MeParams>,
) -> Result<Response, PageError> {
    let Some(summary) = state.store.me_summary(&orcid).await? else {
        // The row is gone (deleted by an operator): the session means nothing any more.
        session::sign_out(&session).await?;
        return Ok(Redirect::to("/").into_response());
    };
    let grant = summary.grant.as_ref();
    let granted = grant
        .map(|g| scopes::describe_all(g.scopes()))
        .unwrap_or_default();
    let missing = match grant {
        Some(_) => scopes::describe_all(state.settings.scopes.iter().map(String::as_str))
            .into_iter()
            .filter(|d| !granted.contains(d))
            .collect(),
        None => vec![],
    };
    let revoked = grant.is_some_and(|g| g.status == TokenStatus::Revoked);
    let (works, affiliations) = match grant {
        Some(g) => {
            let can_write =
                g.status == TokenStatus::Active && g.scopes().any(|s| s == "/activities/update");
            let works =
                works_section(&state, &summary, params.page.unwrap_or(1).max(1), can_write).await?;
            let on_record =
                affiliations::on_record(&state.store, &orcid, &state.settings.org.known).await?;
            let written = affiliations::written(&state.store, &orcid).await?;
            (
                Some(works),
                Some(AffiliationsSection::new(
                    &state, on_record, &written, can_write,
                )),
            )
        }
        None => (None, None),
    };
    let flash = flash::take(&session).await?;
    let csrf = session::csrf_token(&session).await?;
    Ok(render(&Me {
        flash,
        works,
        affiliations,
        layout: if staff::admits(&state, &summary.researcher) {
            Layout::new(&state, true, csrf).staff()
        } else {
            Layout::new(&state, true, csrf)
        },
        connected: grant.is_some(),
        connected_at: grant.map(|g| format_time(g.created_at)).unwrap_or_default(),
        name: summary.researcher.name,
        id: IdDisplay {
            url: state.orcid.record_url(&orcid),
        },
        revoked,
        granted,
        missing,
    }))
}

/// The works part of /me, from the cache. A record never synced (or whose affiliations
/// were never read: a bulk push reads works alone) is fetched now; a stale one is shown
/// as it is while a refresh runs in the background.
async fn works_section(
    state: &AppState,
    summary: &MeSummary,
    page: i64,
    can_write: bool,
) -> Result<WorksSection, PageError> {
    let orcid = &summary.researcher.orcid;
    let (mut status, mut total) = (summary.sync.clone(), summary.group_count);
    let mut refreshing = false;
    // Reads for the researcher's own page count against their own allowance.
    let works = state.works.for_person(*orcid);
    if status.is_none() || !state.store.affiliations_synced(orcid).await? {
        // Whatever came of it (a refusal included), the page shows what idlink has.
        let _ = works.refresh_once(orcid).await;
        status = state.store.sync_status(orcid).await?;
        total = state.store.count_cached_groups(orcid).await?;
    } else if is_stale(status.as_ref(), state.settings.works_refresh_secs) {
        refreshing = works.refresh_in_background(*orcid);
    }
    let page = page.min(last_page(total, GROUPS_PER_PAGE));
    let works = state
        .store
        .cached_works_page(orcid, (page - 1) * GROUPS_PER_PAGE, GROUPS_PER_PAGE)
        .await?;
    Ok(WorksSection::new(
        state,
        works,
        total,
        page,
        status.as_ref(),
        refreshing,
        can_write,
    ))
}

async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    _: CsrfForm,
) -> Result<Response, PageError> {
    session::sign_out(&session).await?;
    Ok(render(&Notice {
        layout: Layout::new(&state, false, String::new()),
        title: "You have signed out",
        message: "You are signed out of idlink. Your ORCID connection stays in place. If you are on a shared computer, also sign out at ORCID.",
        action: Some(("/", "Back to the start")),
    }))
}

/// Revokes the grant at ORCID and forgets the tokens, then says what happened.
async fn disconnect(
    State(state): State<AppState>,
    Researcher { orcid, session }: Researcher,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let outcome = state.grants.disconnect(&orcid).await?;
    session::sign_out(&session).await?;
    tracing::info!(orcid = %orcid, ?outcome, "researcher disconnected");
    let message = match outcome {
        Disconnected::Revoked => "idlink revoked its access at ORCID and deleted the keys it held. Nothing on your ORCID record was removed. You can connect again at any time.",
        Disconnected::Queued => "idlink no longer uses its access to your ORCID record, but could not reach ORCID to revoke it there just now. It will keep trying on its own. To end it at once yourself, remove this institution under \"Trusted parties\" in your ORCID account settings. Nothing on your ORCID record was removed.",
    };
    Ok(render(&Notice {
        layout: Layout::new(&state, false, String::new()),
        title: "Your ORCID iD is disconnected",
        message,
        action: Some(("/", "Back to the start")),
    }))
}

fn format_time(unix: i64) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}
