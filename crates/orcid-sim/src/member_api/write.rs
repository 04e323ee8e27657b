//! Writing: create (201 + Location), update (200 + the work), delete (204) and bulk create
//! (200, an element per input work), with ORCID's validation, duplicate and source rules.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::super::activity_store::now_ms;
use super::super::api_error::ApiError;
use super::super::state::State as Registry;
use super::super::work_schema::{WORK, WORK_BULK};
use super::super::work_validation::{check_work, Mode};
use super::super::works_json::{self, Bulk, BulkItem};
use super::super::works_model::{Visibility, WorkData};
use super::super::works_store::MAX_WORKS;
use super::super::MockOrcid;
use super::checks::{body_of, created, not_duplicate, own, parse_put_code, same_put_code, stored};
use super::{links, Access, Ctx};

/// At most this many works in one bulk create (`org.orcid.core.works.bulk.write.max`).
const MAX_BULK_WRITE: usize = 100;

/// Adds one checked work to the record: 9048 when full, 9021 on a same-source duplicate.
fn create_one(st: &mut Registry, ctx: &Ctx, data: WorkData) -> Result<i64, ApiError> {
    if st.works.count(&ctx.orcid) >= MAX_WORKS {
        return Err(ApiError::new(9048));
    }
    let duplicate = st
        .works
        .duplicate_of(&ctx.orcid, &ctx.client_id, &data, None);
    not_duplicate(ctx, duplicate)?;
    Ok(st
        .works
        .create(ctx.orcid, ctx.source(), data, Visibility::Public))
}

pub(crate) async fn create(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
    body: Bytes,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Write);
    let value = match body_of(&headers, &body, &WORK) {
        Ok(v) => v,
        Err(e) => return ctx.error(&e),
    };
    let checked = match check_work(&value, Mode::Create, &ctx.client_name) {
        Ok(c) => c,
        Err(e) => return ctx.error(&e),
    };
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let put_code = match create_one(&mut st, &ctx, checked.data) {
        Ok(pc) => pc,
        Err(e) => return ctx.error(&e),
    };
    inner.persist(&st);
    drop(st);
    tracing::debug!(client_id = %ctx.client_id, orcid = %ctx.orcid, put_code, "simulated ORCID created a work");
    created(inner, &ctx, "work", put_code)
}

pub(crate) async fn update(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Write);
    let value = match body_of(&headers, &body, &WORK) {
        Ok(v) => v,
        Err(e) => return ctx.error(&e),
    };
    let url_put_code = match parse_put_code(&put_code, &ctx.client_name) {
        Ok(pc) => pc,
        Err(e) => return ctx.error(&e),
    };
    let body_put_code = value.get("put-code").and_then(Value::as_i64);
    if let Err(e) = same_put_code(&ctx, url_put_code, body_put_code) {
        return ctx.error(&e);
    }
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let original = match stored(&ctx, &st.works, &put_code).and_then(|w| own(&ctx, w, "work")) {
        Ok(w) => w.visibility,
        Err(e) => return ctx.error(&e),
    };
    let checked = match check_work(&value, Mode::Update { original }, &ctx.client_name) {
        Ok(c) => c,
        Err(e) => return ctx.error(&e),
    };
    let duplicate = st.works.duplicate_of(
        &ctx.orcid,
        &ctx.client_id,
        &checked.data,
        Some(url_put_code),
    );
    if let Err(e) = not_duplicate(&ctx, duplicate) {
        return ctx.error(&e);
    }
    let Some(w) = st.works.get_mut(&ctx.orcid, url_put_code) else {
        return ctx.error(&ApiError::new(9016));
    };
    w.set_data(checked.data);
    w.source.name = ctx.client_name.clone();
    w.modified = now_ms().max(w.modified);
    inner.persist(&st);
    match st.works.get(&ctx.orcid, url_put_code) {
        Some(w) => ctx.json(200, &works_json::full_work(&links(inner), w, true)),
        None => ctx.error(&ApiError::new(9016)),
    }
}

pub(crate) async fn delete(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Delete);
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let put_code = match stored(&ctx, &st.works, &put_code).and_then(|w| own(&ctx, w, "work")) {
        Ok(w) => w.put_code,
        Err(e) => return ctx.error(&e),
    };
    st.works.remove(&ctx.orcid, put_code);
    inner.persist(&st);
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /v3.0/{orcid}/works`: every element is checked and created on its own; the answer
/// holds the created work or the error for each, in input order. Duplicates within the
/// request are caught because each created work is on the record before the next check.
pub(crate) async fn bulk_create(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
    body: Bytes,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Write);
    let value = match body_of(&headers, &body, &WORK_BULK) {
        Ok(v) => v,
        Err(e) => return ctx.error(&e),
    };
    let items = value
        .get("bulk")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if items.len() > MAX_BULK_WRITE {
        let e = ApiError::new(9006).detail(format!(
            "You are allowed to add up to {MAX_BULK_WRITE} elements per request."
        ));
        return ctx.error(&e);
    }
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let outcomes: Vec<Result<i64, ApiError>> = items
        .iter()
        .map(|item| {
            let work = item.get("work").unwrap_or(&Value::Null);
            check_work(work, Mode::Create, &ctx.client_name)
                .and_then(|c| create_one(&mut st, &ctx, c.data))
        })
        .collect();
    inner.persist(&st);
    let l = links(inner);
    let bulk = outcomes
        .into_iter()
        .map(|o| match o {
            Ok(pc) => match st.works.get(&ctx.orcid, pc) {
                Some(w) => BulkItem::Work(Box::new(works_json::full_work(&l, w, false))),
                None => BulkItem::Error(ApiError::new(9016).to_value()),
            },
            Err(e) => BulkItem::Error(e.to_value()),
        })
        .collect();
    ctx.json(200, &Bulk { bulk })
}
