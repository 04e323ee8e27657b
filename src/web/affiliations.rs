//! The researcher's own affiliations: add (for the sections the institution offers),
//! edit, end and delete those idlink added. Other sources' items are read-only.

use axum::extract::{Path, State};
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::affiliation_pages::{AffiliationDeletePage, AffiliationFormPage, Purpose};
use super::csrf::CsrfForm;
use super::error::PageError;
use super::flash::{self, Flash};
use super::pages::{render, Layout};
use super::researcher::Researcher;
use super::works::{held_page, needs_write_access};
use super::works_view::message_flash;
use crate::affiliations::draft::Draft;
use crate::affiliations::form::AffiliationForm;
use crate::affiliations::outcome::item_words;
use crate::affiliations::prefill;
use crate::affiliations::write::{Actor, AffiliationOutcome};
use crate::state::AppState;
use crate::store::{CachedAffiliation, CachedSection};
use crate::works::WriteOutcome;
use orcid::model::{AffiliationSection, Organization};
use orcid::OrcidId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/affiliations/{section}/new", get(new_form).post(add))
        .route(
            "/me/affiliations/{section}/{put_code}/edit",
            get(edit_form).post(update),
        )
        .route("/me/affiliations/{section}/{put_code}/end", get(end_form))
        .route(
            "/me/affiliations/{section}/{put_code}/delete",
            get(confirm_delete).post(delete),
        )
}

type Pairs = Vec<(String, String)>;

/// The section named in the address.
fn section_of(name: &str) -> Result<AffiliationSection, PageError> {
    AffiliationSection::parse(name).ok_or_else(PageError::not_found)
}

/// A section researchers may add to here (`AFFILIATION_FORM_SECTIONS`).
fn offered(state: &AppState, name: &str) -> Result<AffiliationSection, PageError> {
    let section = section_of(name)?;
    if !state.settings.affiliation_form_sections.contains(&section) {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "Not offered here",
            format!(
                "{} does not offer adding your {} here. Add it at orcid.org, or ask your institution's ORCID team.",
                state.settings.institution_name,
                item_words(section)
            ),
        )
        .with_action("/me", "Back to your page"));
    }
    Ok(section)
}

/// The organisation every affiliation carries, or the page saying which setting is missing.
fn organization(state: &AppState) -> Result<&Organization, PageError> {
    state.affiliations.organization().map_err(|outcome| {
        let AffiliationOutcome::OrgIncomplete(words) = outcome else {
            return PageError::internal("organisation check");
        };
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Affiliations cannot be added yet",
            words,
        )
        .with_action("/me", "Back to your page")
    })
}

fn form_page(
    state: &AppState,
    csrf: &str,
    section: AffiliationSection,
    purpose: Purpose,
    form: AffiliationForm,
) -> AffiliationFormPage {
    AffiliationFormPage::new(
        Layout::new(state, true, csrf.to_string()),
        section,
        purpose,
        &state.affiliations.institution().known,
        form,
    )
}

async fn new_form(
    State(state): State<AppState>,
    me: Researcher,
    Path(section): Path<String>,
) -> Result<Response, PageError> {
    let section = offered(&state, &section)?;
    organization(&state)?;
    if let Some(r) = needs_write_access(&state, &me).await? {
        return Ok(r);
    }
    let prefill = prefill::for_person(&state.store, &me.orcid, section).await?;
    let form = prefill
        .as_ref()
        .map(AffiliationForm::from_prefill)
        .unwrap_or_default();
    let csrf = me.csrf().await?;
    let page = form_page(&state, &csrf, section, Purpose::Add, form).prefilled(prefill.is_some());
    Ok(render(&page))
}

async fn add(
    State(state): State<AppState>,
    me: Researcher,
    Path(section): Path<String>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let section = offered(&state, &section)?;
    let orcid = me.orcid;
    let form = AffiliationForm::from_pairs(&pairs);
    let csrf = me.csrf().await?;
    let page = || form_page(&state, &csrf, section, Purpose::Add, form.clone());
    let draft = match checked(&state, &me, section, &form, &page).await? {
        Ok(draft) => draft,
        Err(answer) => return Ok(answer),
    };
    let outcome = state
        .affiliations
        .for_person(orcid)
        .add(own(&orcid), section, &draft)
        .await;
    finish(&state, &me, section, outcome, page).await
}

async fn edit_form(
    State(state): State<AppState>,
    me: Researcher,
    Path((section, put_code)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let section = section_of(&section)?;
    let item = idlinks_item(&state, &me.orcid, section, put_code).await?;
    let csrf = me.csrf().await?;
    let form = AffiliationForm::from_cached(&item);
    let page = form_page(&state, &csrf, section, Purpose::Edit(put_code), form);
    Ok(render(&page))
}

async fn end_form(
    State(state): State<AppState>,
    me: Researcher,
    Path((section, put_code)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let section = section_of(&section)?;
    let item = idlinks_item(&state, &me.orcid, section, put_code).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let form = AffiliationForm::from_cached(&item).ending_on((
        today.year(),
        u8::from(today.month()),
        today.day(),
    ));
    let csrf = me.csrf().await?;
    let page = form_page(&state, &csrf, section, Purpose::End(put_code), form);
    Ok(render(&page))
}

async fn update(
    State(state): State<AppState>,
    me: Researcher,
    Path((section, put_code)): Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let section = section_of(&section)?;
    let orcid = me.orcid;
    let form = AffiliationForm::from_pairs(&pairs);
    let csrf = me.csrf().await?;
    let page = || {
        form_page(
            &state,
            &csrf,
            section,
            Purpose::Edit(put_code),
            form.clone(),
        )
    };
    let affiliations = state.affiliations.for_person(orcid);
    if !affiliations.is_idlinks(&orcid, section, put_code).await? {
        return Err(not_ours(section));
    }
    let draft = match checked(&state, &me, section, &form, &page).await? {
        Ok(draft) => draft,
        Err(answer) => return Ok(answer),
    };
    let outcome = affiliations
        .revise(own(&orcid), section, put_code, &draft)
        .await;
    finish(&state, &me, section, outcome, page).await
}

async fn confirm_delete(
    State(state): State<AppState>,
    me: Researcher,
    Path((section, put_code)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let section = section_of(&section)?;
    let item = idlinks_item(&state, &me.orcid, section, put_code).await?;
    let what: Vec<&str> = [item.role_title.as_deref(), Some(item.org_name.as_str())]
        .into_iter()
        .flatten()
        .collect();
    Ok(render(&AffiliationDeletePage {
        layout: Layout::new(&state, true, me.csrf().await?),
        action: format!("/me/affiliations/{section}/{put_code}/delete"),
        description: what.join(", "),
        item: item_words(section),
    }))
}

async fn delete(
    State(state): State<AppState>,
    me: Researcher,
    Path((section, put_code)): Path<(String, i64)>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let section = section_of(&section)?;
    let orcid = me.orcid;
    let outcome = state
        .affiliations
        .for_person(orcid)
        .delete(own(&orcid), section, put_code)
        .await;
    match outcome {
        AffiliationOutcome::NotIdlinks => return Err(not_ours(section)),
        AffiliationOutcome::Sent(WriteOutcome::Held(held)) => return Err(held_page(held)),
        _ => {}
    }
    flash::set(&me.session, flash_of(&state, &orcid, section, &outcome)).await?;
    Ok(Redirect::to("/me#affiliations").into_response())
}

fn own(orcid: &OrcidId) -> Actor<'_> {
    Actor {
        actor: orcid,
        orcid,
    }
}

fn flash_of(
    state: &AppState,
    orcid: &OrcidId,
    section: AffiliationSection,
    outcome: &AffiliationOutcome,
) -> Flash {
    let name = &state.affiliations.institution().known.name;
    message_flash(
        outcome.message(section, name),
        &state.orcid.record_url(orcid),
    )
}

/// After a write: success and what cannot be mended on the form go back to /me with a
/// message; a refusal the person can act on comes back on the form, still filled.
async fn finish(
    state: &AppState,
    me: &Researcher,
    section: AffiliationSection,
    outcome: AffiliationOutcome,
    page: impl FnOnce() -> AffiliationFormPage,
) -> Result<Response, PageError> {
    let flash = flash_of(state, &me.orcid, section, &outcome);
    let status = match &outcome {
        AffiliationOutcome::NotIdlinks => return Err(not_ours(section)),
        AffiliationOutcome::Sent(WriteOutcome::Held(held)) => {
            // The 429 or 503 answer carries the form, still filled, so nothing typed is lost.
            let held = held_page(*held);
            let mut res = (held.status, render(&page().with_flash(flash))).into_response();
            if let Some(secs) = held.retry_after {
                res.headers_mut().insert(RETRY_AFTER, secs.into());
            }
            return Ok(res);
        }
        AffiliationOutcome::OrgIncomplete(_) => Some(StatusCode::SERVICE_UNAVAILABLE),
        AffiliationOutcome::Invalid(_) => Some(StatusCode::UNPROCESSABLE_ENTITY),
        AffiliationOutcome::Sent(
            WriteOutcome::Invalid(_) | WriteOutcome::Busy | WriteOutcome::Unavailable,
        ) => Some(StatusCode::BAD_GATEWAY),
        _ => None,
    };
    match status {
        Some(status) => Ok((status, render(&page().with_flash(flash))).into_response()),
        None => {
            flash::set(&me.session, flash).await?;
            Ok(Redirect::to("/me#affiliations").into_response())
        }
    }
}

/// The form as the draft to send, checked as ORCID checks it against the institution's
/// organisation; or the page that says what to mend.
async fn checked(
    state: &AppState,
    me: &Researcher,
    section: AffiliationSection,
    form: &AffiliationForm,
    page: impl Fn() -> AffiliationFormPage,
) -> Result<Result<Draft, Response>, PageError> {
    let org = match state.affiliations.organization() {
        Ok(org) => org,
        Err(refused) => return finish(state, me, section, refused, page).await.map(Err),
    };
    Ok(form
        .validate(section, org)
        .map_err(|errors| invalid(page().with_errors(errors))))
}

fn invalid(page: AffiliationFormPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
}

/// The cached item, when idlink added it; else the refusal.
async fn idlinks_item(
    state: &AppState,
    orcid: &OrcidId,
    section: AffiliationSection,
    put_code: i64,
) -> Result<CachedAffiliation, PageError> {
    if !state
        .affiliations
        .is_idlinks(orcid, section, put_code)
        .await?
    {
        return Err(not_ours(section));
    }
    state
        .store
        .cached_affiliation(orcid, CachedSection::from(section), put_code)
        .await?
        .ok_or_else(|| not_ours(section))
}

fn not_ours(section: AffiliationSection) -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "This affiliation cannot be changed here",
        format!(
            "idlink can only edit, end or delete the affiliations it added to your record. This {} is managed by its source, or by you at orcid.org. Nothing was changed.",
            item_words(section)
        ),
    )
    .with_action("/me", "Back to your page")
}
