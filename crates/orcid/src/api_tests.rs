use super::*;

fn body(code: u16, err: Option<u32>, dev: &str) -> OrcidErrorBody {
    OrcidErrorBody {
        response_code: code,
        developer_message: Some(dev.into()),
        user_message: Some("user words".into()),
        error_code: err,
        more_info: None,
    }
}

#[test]
fn maps_orcid_error_codes() {
    assert!(matches!(
        error_from_body(&body(401, Some(9017), "")),
        ApiError::WrongRecord
    ));
    assert!(matches!(
        error_from_body(&body(403, Some(9038), "")),
        ApiError::MissingScope
    ));
    assert!(matches!(
        error_from_body(&body(403, Some(9010), "")),
        ApiError::NotSource
    ));
    assert!(matches!(
        error_from_body(&body(404, Some(9016), "")),
        ApiError::NotFound
    ));
    let dup = body(409, Some(9021), "409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code 1537385. If you are trying to edit the item, please use PUT instead of POST.");
    assert!(matches!(
        error_from_body(&dup),
        ApiError::Duplicate {
            existing: Some(1537385)
        }
    ));
    match error_from_body(&body(400, Some(9022), "title missing")) {
        ApiError::Invalid {
            code: Some(9022),
            user_message,
            ..
        } => assert_eq!(user_message, "user words"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn finds_put_code_in_messages() {
    assert_eq!(put_code_in("see element with put-code 42."), Some(42));
    assert_eq!(put_code_in("no code here"), None);
    assert_eq!(put_code_in("put-code"), None);
}
