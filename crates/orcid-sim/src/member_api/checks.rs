//! The request steps works and affiliations share, each answering with ORCID's error: the
//! body's content type and schema, put-codes (9034, 9019), the item on the record (9016),
//! its visibility (9013, 9038), its source (9010), the same-client duplicate (9021), and
//! the 201 of a create.

use std::fmt::Display;

use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::super::activity_store::{Activity, ActivityStore};
use super::super::api_error::ApiError;
use super::super::work_schema::Class;
use super::super::work_validation::parse_body;
use super::super::works_model::Visibility;
use super::super::Inner;
use super::negotiate::check_content_type;
use super::Ctx;

/// Checks the Content-Type and parses the body against `class` (9047 on an unknown
/// property or a wrong type).
pub(crate) fn body_of(
    headers: &HeaderMap,
    body: &[u8],
    class: &'static Class,
) -> Result<Value, ApiError> {
    check_content_type(headers)?;
    parse_body(body, class)
}

/// ORCID put-codes are numbers; anything else is 400, 9034.
pub(crate) fn parse_put_code(raw: &str, client_name: &str) -> Result<i64, ApiError> {
    raw.trim().parse::<i64>().map_err(|_| {
        ApiError::new(9034)
            .client(client_name)
            .detail(format!("'{raw}' is not a valid put code"))
    })
}

/// An update's body must carry the put-code of its URL (9019).
pub(crate) fn same_put_code(ctx: &Ctx, url: i64, body: Option<i64>) -> Result<(), ApiError> {
    if body == Some(url) {
        return Ok(());
    }
    Err(ApiError::new(9019)
        .param("urlPutCode", url)
        .param(
            "bodyPutCode",
            body.map_or_else(|| "null".to_owned(), |p| p.to_string()),
        )
        .client(&ctx.client_name))
}

/// The item `raw` names on the caller's record: 9034 bad put-code, 9016 unknown.
pub(crate) fn stored<'a, T: Activity>(
    ctx: &Ctx,
    store: &'a ActivityStore<T>,
    raw: &str,
) -> Result<&'a T, ApiError> {
    let put_code = parse_put_code(raw, &ctx.client_name)?;
    store
        .get(&ctx.orcid, put_code)
        .ok_or_else(|| ApiError::new(9016))
}

/// The item if the caller may see it, else 9013 (private) or 9038 (limited).
pub(crate) fn visible<'a, T: Activity>(ctx: &Ctx, item: &'a T) -> Result<&'a T, ApiError> {
    if ctx.can_see(item) {
        Ok(item)
    } else if item.visibility() == Visibility::Private {
        Err(ApiError::new(9013))
    } else {
        Err(ApiError::new(9038))
    }
}

/// The item if this client added it: only that client may change or delete it (9010).
pub(crate) fn own<'a, T: Activity>(
    ctx: &Ctx,
    item: &'a T,
    activity: impl Display,
) -> Result<&'a T, ApiError> {
    if item.is_from_client(&ctx.client_id) {
        Ok(item)
    } else {
        Err(ApiError::new(9010).param("activity", activity))
    }
}

/// The answer to a same-client duplicate found by the store (9021).
pub(crate) fn not_duplicate(ctx: &Ctx, existing: Option<i64>) -> Result<(), ApiError> {
    match existing {
        Some(put_code) => Err(ApiError::new(9021)
            .param("putCode", put_code)
            .client(&ctx.client_name)),
        None => Ok(()),
    }
}

/// 201 with the new item's address, `{base}/v3.0/{orcid}/{kind}/{put_code}`.
pub(crate) fn created(inner: &Inner, ctx: &Ctx, kind: impl Display, put_code: i64) -> Response {
    let location = format!("{}/v3.0/{}/{kind}/{put_code}", inner.base_url, ctx.orcid);
    let mut resp = StatusCode::CREATED.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}
