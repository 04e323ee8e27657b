//! ORCID's v3.0 error document and the catalogue texts of the codes the simulation sends
//! (`derived/api-error-codes-v3.0.json`). The HTTP status comes from ORCID's exception
//! mapper, not from the text (9038 says "409 Conflict" but is sent with 403).

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub(crate) const MORE_INFO: &str = "https://members.orcid.org/api/resources/troubleshooting";

/// Content type of the simulation's v3.0 answers unless the client asked for another
/// JSON type (ORCID sends its `qs` parameter along).
pub(crate) const VND_JSON: &str = "application/vnd.orcid+json; qs=4";

/// code, HTTP status, developer-message, user-message.
const CATALOGUE: &[(u32, u16, &str, &str)] = &[
    (9001, 400, "400 Bad Request: There is an issue with your data or the API endpoint. 405 Method Not Allowed: Endpoint and method mismatch. 415 Unsupported Media Type: data must be in XML or JSON format.", "ORCID could not process the data, because they were invalid."),
    (9006, 400, "The client application sent a bad request to ORCID.", "The client application sent a bad request to ORCID."),
    (9008, 500, "Something went wrong in ORCID.", "Something went wrong in ORCID."),
    (9010, 403, "403 Forbidden: You are not the source of the ${activity}, so you are not allowed to update it.", "The client application is not the source of the resource it is trying to access."),
    (9013, 403, "403 Forbidden: The item is private and you are not the source.", "The client application is forbidden to perform the action."),
    (9016, 404, "404 Not Found: The resource was not found.", "The resource was not found."),
    (9017, 401, "401 Unauthorized: The client application is not authorized for this ORCID record.", "The client application is not authorized."),
    (9018, 409, "409 Conflict: The ORCID record is locked and cannot be edited. ORCID ${orcid}", "The ORCID record is locked."),
    (9019, 400, "400 Bad Request: The put code in the URL was ${urlPutCode} whereas the one in the body was ${bodyPutCode}.", "There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance."),
    (9020, 400, "400 Bad Request: Invalid incoming message.", "Invalid incoming message."),
    (9021, 409, "409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code ${putCode}. If you are trying to edit the item, please use PUT instead of POST.", "There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance."),
    (9022, 400, "400 Bad Request: Invalid activity, a title is required.", "Invalid activity:  A title is required."),
    (9023, 400, "400 Bad Request: Invalid activity, an external identifier is required.", "Invalid activity: an external identifier is required."),
    (9024, 400, "400 Bad Request: Put-code is included when not expected. When posting new activities, the put code should be omitted.", "There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance."),
    (9034, 400, "400 Bad Request: The put code provided is not valid.", "There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance."),
    (9035, 403, "403 Forbidden: You can't change the visibility of an item, please remove the visibility or set it to the current value.", "There was an error when updating the record. Please try again. If the error persists, please contact ${clientName} for assistance."),
    (9037, 400, "Invalid ${type}, valid values are: ${values}.", "Please specify a work type."),
    (9038, 403, "409 Conflict: The item has a limited or private visibility and your request doesn't have the required scope.", "You don't have the permissions to execute this action."),
    (9042, 400, "Too many put codes supplied", "Too many put codes supplied"),
    (9045, 400, "400 Bad request: disambiguated-organization must be present and valid", "No valid disambiguated-organization is included in the data."),
    (9046, 400, "400 Bad request: organization must be present and valid", "No valid organization is included in the data."),
    (9047, 400, "400 Bad request: invalid JSON - ${error}", "Invalid JSON."),
    (9048, 409, "409 Conflict: The maximum number of works that can be connected to an ORCID record is 10,000", "The maximum number of works that can be connected to an ORCID record is 10,000 and you have now exceeded this limit. Please remove some works and try again. For more information, see https://support.orcid.org/hc/articles/360006973133"),
    (9049, 400, "400 Bad request: invalid date: ${dateString}", "Invalid date"),
    (9051, 400, "400 Bad request: invalid value '${value}' for enum '${enum}'", "Invalid value for type."),
    (9055, 400, "400 Bad Request: End date must come after start date.", "End date must come after start date."),
    (9058, 400, "404 Bad Request: Invalid contributor role: ${role}. Expected one of ${validRoles}.", "Invalid contributor role."),
    (9060, 400, "City and country are required for education/employment.", "City and country are required for education/employment."),
    (9061, 400, "City or region cannot be provided without a country for the organization address.", "City or region cannot be provided without a country for the organization address."),
    (9062, 400, "Professional activities cannot be added without an organization id/external identifier. One has to be present.", "Professional activities cannot be added without an organization id/external identifier. One has to be present."),
];

/// A v3.0 error, ready to send alone or inside a bulk answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: u32,
    pub developer: String,
    pub user: String,
}

/// `{"response-code","developer-message","user-message","error-code","more-info"}`.
#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    #[serde(rename = "response-code")]
    response_code: u16,
    #[serde(rename = "developer-message")]
    developer_message: &'a str,
    #[serde(rename = "user-message")]
    user_message: &'a str,
    #[serde(rename = "error-code")]
    error_code: u32,
    #[serde(rename = "more-info")]
    more_info: &'static str,
}

impl ApiError {
    /// The catalogue entry for `code` (9008 "Something went wrong" for codes not listed).
    pub fn new(code: u32) -> Self {
        let (code, status, developer, user) = CATALOGUE
            .iter()
            .find(|e| e.0 == code)
            .or_else(|| CATALOGUE.iter().find(|e| e.0 == 9008))
            .copied()
            .unwrap_or((9008, 500, "Something went wrong in ORCID.", ""));
        ApiError {
            status,
            code,
            developer: developer.to_owned(),
            user: user.to_owned(),
        }
    }

    /// Fills `${key}` in both messages.
    pub fn param(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        let placeholder = format!("${{{key}}}");
        let value = value.to_string();
        self.developer = self.developer.replace(&placeholder, &value);
        self.user = self.user.replace(&placeholder, &value);
        self
    }

    /// Fills `${clientName}` (the user-message of most write errors names the client).
    pub fn client(self, name: &str) -> Self {
        self.param("clientName", name)
    }

    /// Appends ORCID's " Full validation error: <detail>" to the developer-message.
    pub fn detail(mut self, detail: impl std::fmt::Display) -> Self {
        self.developer = format!("{} Full validation error: {detail}", self.developer);
        self
    }

    /// An error document outside the catalogue (content negotiation, simulated faults).
    pub fn custom(status: u16, code: u32, developer: &str, user: &str) -> Self {
        ApiError {
            status,
            code,
            developer: developer.to_owned(),
            user: user.to_owned(),
        }
    }

    pub fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            response_code: self.status,
            developer_message: &self.developer,
            user_message: &self.user,
            error_code: self.code,
            more_info: MORE_INFO,
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self.body()).unwrap_or_default()
    }

    pub fn response(&self, content_type: &str) -> Response {
        json_response(self.status, content_type, &self.body())
    }
}

/// Serializes `body` with the given status and content type.
pub(crate) fn json_response(status: u16, content_type: &str, body: &impl Serialize) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut resp = (status, bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(content_type) {
                resp.headers_mut().insert(CONTENT_TYPE, v);
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "simulated ORCID could not serialize an answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Serialize)]
struct OAuthError<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// No bearer token: Spring Security's entry point answers 403 in OAuth style.
pub(crate) fn forbidden_no_token() -> Response {
    json_response(
        403,
        "application/json",
        &OAuthError {
            error: "forbidden",
            error_description:
                "Forbidden: The server understood the request but refuses to authorize it.",
        },
    )
}

/// Unknown, revoked or expired token.
pub(crate) fn invalid_token(token: &str) -> Response {
    let description = format!("Invalid access token: {token}");
    let mut resp = json_response(
        401,
        "application/json",
        &OAuthError {
            error: "invalid_token",
            error_description: &description,
        },
    );
    let challenge = format!(
        "Bearer error=\"invalid_token\", error_description=\"{}\"",
        description.replace(['"', '\\'], "")
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    resp
}
