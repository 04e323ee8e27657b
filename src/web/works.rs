//! The researcher's works on /me: the list (from the cache), refresh, and the add, edit
//! and delete pages.

use axum::extract::{Path, State};
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_sessions::Session;

use super::csrf::CsrfForm;
use super::error::{wait_words, PageError};
use super::flash::{self, Flash};
use super::pages::{render, Layout};
use super::researcher::Researcher;
use super::works_view::{self, DeletePage, FormPage};
use crate::state::AppState;
use crate::works::form::WorkForm;
use crate::works::refresh_gate::NotNow;
use crate::works::sync::{is_stale, Refreshed};
use crate::works::write::Actor;
use crate::works::WriteOutcome;
use orcid::{Held, OrcidId};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/works/refresh", post(refresh))
        .route("/me/works/new", get(new_form).post(add))
        .route("/me/works/{put_code}/edit", get(edit_form).post(update))
        .route(
            "/me/works/{put_code}/delete",
            get(confirm_delete).post(delete),
        )
}

/// The form's fields as sent: the work form reads them as pairs (rows are numbered).
type Pairs = Vec<(String, String)>;

async fn refresh(
    State(state): State<AppState>,
    me: Researcher,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let works = state.works.for_person(me.orcid);
    let flash = match works.refresh_once(&me.orcid).await {
        Refreshed::Ran(Ok(n)) => {
            Flash::ok(format!("Your works are up to date with ORCID ({n} works)."))
        }
        Refreshed::Ran(Err(e)) => match e.held() {
            Some(held) => return Err(held_page(held)),
            None => Flash::error(format!(
                "{} Showing the works idlink saw last.",
                e.for_person()
            )),
        },
        Refreshed::NotNow(NotNow::Running) => Flash::ok(
            "Your works are already being refreshed from ORCID; they will show here in a moment.",
        ),
        Refreshed::NotNow(NotNow::Recent { wait }) => Flash::ok(format!(
            "Your works were just refreshed from ORCID, so idlink did not ask again. You can refresh again in {}.",
            wait_words(wait.as_secs_f64().ceil().max(1.0) as u64)
        )),
    };
    flash::set(&me.session, flash).await?;
    Ok(Redirect::to("/me#works").into_response())
}

/// The page for a request idlink's limits on ORCID calls held back.
pub(super) fn held_page(held: Held) -> PageError {
    PageError::held(held, ("/me", "Back to your page"))
}

async fn new_form(State(state): State<AppState>, me: Researcher) -> Result<Response, PageError> {
    if let Some(r) = needs_write_access(&state, &me).await? {
        return Ok(r);
    }
    Ok(render(&FormPage::new(
        Layout::new(&state, true, me.csrf().await?),
        None,
        WorkForm::default(),
    )))
}

/// When the grant cannot add works, say so and offer to reconnect with that permission.
pub(super) async fn needs_write_access(
    state: &AppState,
    me: &Researcher,
) -> Result<Option<Response>, PageError> {
    let outcome = match state.works.for_person(me.orcid).access(&me.orcid).await {
        Ok(a) if a.can_write_works() => return Ok(None),
        Ok(_) => WriteOutcome::MissingScope,
        Err(e) => match WriteOutcome::from_access(&e) {
            WriteOutcome::Unavailable => return Err(PageError::internal(e)),
            WriteOutcome::Held(held) => return Err(held_page(held)),
            outcome => outcome,
        },
    };
    let flash = works_view::outcome_flash(&outcome, &state.orcid.record_url(&me.orcid));
    flash::set(&me.session, flash).await?;
    Ok(Some(Redirect::to("/me").into_response()))
}

async fn add(
    State(state): State<AppState>,
    me: Researcher,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let orcid = me.orcid;
    let form = WorkForm::from_pairs(&pairs);
    let csrf = me.csrf().await?;
    let layout = || Layout::new(&state, true, csrf.clone());
    if let Some(more) = more_rows(&pairs) {
        return Ok(render(&FormPage::new(layout(), None, form).with_more(more)));
    }
    let work = match form.validate(state.orcid.record_host()) {
        Ok(w) => w,
        Err(errors) => {
            return Ok(invalid(
                FormPage::new(layout(), None, form).with_errors(errors),
            ))
        }
    };
    let identity = form.identity();
    let works = state.works.for_person(orcid);
    if !form.confirm_duplicate {
        // Before adding, look for the same work from any source on the record.
        if is_stale(
            state.store.sync_status(&orcid).await?.as_ref(),
            state.settings.works_refresh_secs,
        ) {
            if let Some(held) = works.refresh(&orcid).await.err().and_then(|e| e.held()) {
                let outcome = WriteOutcome::Held(held);
                return finish(&state, &me.session, &orcid, outcome, || {
                    FormPage::new(layout(), None, form.clone())
                })
                .await;
            }
        }
        let matches = state
            .store
            .works_with_identifiers(&orcid, &identity)
            .await?;
        if !matches.is_empty() {
            let page = FormPage::new(layout(), None, form).with_duplicates(&state, &orcid, matches);
            return Ok((StatusCode::CONFLICT, render(&page)).into_response());
        }
    }
    let who = Actor {
        actor: &orcid,
        orcid: &orcid,
    };
    let outcome = works.add(who, &work, &identity).await;
    finish(&state, &me.session, &orcid, outcome, || {
        FormPage::new(layout(), None, form.clone())
    })
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    me: Researcher,
    Path(put_code): Path<i64>,
) -> Result<Response, PageError> {
    let orcid = me.orcid;
    if !is_ours(&state, &orcid, put_code).await? {
        return Err(not_ours());
    }
    match state
        .works
        .for_person(orcid)
        .work_for_edit(&orcid, put_code)
        .await
    {
        Ok(work) => Ok(render(&FormPage::new(
            Layout::new(&state, true, me.csrf().await?),
            Some(put_code),
            WorkForm::from_work(&work),
        ))),
        Err(WriteOutcome::Held(held)) => Err(held_page(held)),
        Err(outcome) => {
            let record_url = state.orcid.record_url(&orcid);
            flash::set(
                &me.session,
                works_view::outcome_flash(&outcome, &record_url),
            )
            .await?;
            Ok(Redirect::to("/me").into_response())
        }
    }
}

async fn update(
    State(state): State<AppState>,
    me: Researcher,
    Path(put_code): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let orcid = me.orcid;
    if !is_ours(&state, &orcid, put_code).await? {
        return Err(not_ours());
    }
    let form = WorkForm::from_pairs(&pairs);
    let csrf = me.csrf().await?;
    let layout = || Layout::new(&state, true, csrf.clone());
    if let Some(more) = more_rows(&pairs) {
        return Ok(render(
            &FormPage::new(layout(), Some(put_code), form).with_more(more),
        ));
    }
    let work = match form.validate(state.orcid.record_host()) {
        Ok(w) => w,
        Err(errors) => {
            return Ok(invalid(
                FormPage::new(layout(), Some(put_code), form).with_errors(errors),
            ))
        }
    };
    let who = Actor {
        actor: &orcid,
        orcid: &orcid,
    };
    let outcome = state
        .works
        .for_person(orcid)
        .update(who, put_code, &work, &form.identity())
        .await;
    finish(&state, &me.session, &orcid, outcome, || {
        FormPage::new(layout(), Some(put_code), form.clone())
    })
    .await
}

async fn confirm_delete(
    State(state): State<AppState>,
    me: Researcher,
    Path(put_code): Path<i64>,
) -> Result<Response, PageError> {
    let Some(work) = state.store.cached_work(&me.orcid, put_code).await? else {
        return Err(not_ours());
    };
    if work.source_client_id.as_deref() != Some(state.orcid.client_id()) {
        return Err(not_ours());
    }
    Ok(render(&DeletePage {
        layout: Layout::new(&state, true, me.csrf().await?),
        put_code,
        title: work.title,
    }))
}

async fn delete(
    State(state): State<AppState>,
    me: Researcher,
    Path(put_code): Path<i64>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let orcid = me.orcid;
    if !is_ours(&state, &orcid, put_code).await? {
        return Err(not_ours());
    }
    let who = Actor {
        actor: &orcid,
        orcid: &orcid,
    };
    let outcome = state.works.for_person(orcid).delete(who, put_code).await;
    if let WriteOutcome::Held(held) = outcome {
        return Err(held_page(held));
    }
    flash::set(
        &me.session,
        works_view::outcome_flash(&outcome, &state.orcid.record_url(&orcid)),
    )
    .await?;
    Ok(Redirect::to("/me#works").into_response())
}

/// After a write: success and permanent outcomes go back to /me with a message; a
/// refusal of the data comes back on the form, still filled.
async fn finish(
    state: &AppState,
    session: &Session,
    orcid: &OrcidId,
    outcome: WriteOutcome,
    form_page: impl FnOnce() -> FormPage,
) -> Result<Response, PageError> {
    let flash = works_view::outcome_flash(&outcome, &state.orcid.record_url(orcid));
    if let WriteOutcome::Held(held) = outcome {
        // The 429 or 503 answer carries the form, still filled, so nothing typed is lost.
        let held = held_page(held);
        let mut res = (held.status, render(&form_page().with_flash(flash))).into_response();
        if let Some(secs) = held.retry_after {
            res.headers_mut().insert(RETRY_AFTER, secs.into());
        }
        return Ok(res);
    }
    match outcome {
        WriteOutcome::Invalid(_) | WriteOutcome::Busy | WriteOutcome::Unavailable => {
            let page = form_page().with_flash(flash);
            Ok((StatusCode::BAD_GATEWAY, render(&page)).into_response())
        }
        _ => {
            flash::set(session, flash).await?;
            Ok(Redirect::to("/me#works").into_response())
        }
    }
}

fn invalid(page: FormPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
}

/// "Add another identifier/contributor" buttons re-draw the form with more rows.
fn more_rows(pairs: &[(String, String)]) -> Option<&str> {
    pairs
        .iter()
        .find(|(k, _)| k == "more")
        .map(|(_, v)| v.as_str())
}

/// Only works idlink added (ORCID names idlink's client as the source) can be changed.
async fn is_ours(state: &AppState, orcid: &OrcidId, put_code: i64) -> Result<bool, PageError> {
    let cached = state.store.cached_work(orcid, put_code).await?;
    if let Some(w) = cached {
        return Ok(w.source_client_id.as_deref() == Some(state.orcid.client_id()));
    }
    Ok(state
        .store
        .idlink_works(orcid)
        .await?
        .iter()
        .any(|w| w.put_code == put_code))
}

fn not_ours() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "This work cannot be changed here",
        "idlink can only edit or delete works it added to your record. Other works are managed by their source, or by you at orcid.org.",
    )
    .with_action("/me", "Back to your works")
}
