//! Request bodies and query parameters shared by the handlers of this family.

use serde_json::Value;

use super::PAGE_SIZE_MAX;
use crate::http::{ApiError, Req};

pub(super) fn opt_str(
    o: &serde_json::Map<String, Value>,
    k: &str,
) -> Result<Option<String>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{k} must be a string"))),
    }
}

pub(super) fn body_obj(req: &Req) -> Result<serde_json::Map<String, Value>, ApiError> {
    match req.json::<Value>()? {
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::bad_request("body must be a JSON object")),
    }
}

pub(super) fn valid_ident(s: &str, what: &str) -> Result<(), ApiError> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} must be 1-128 characters of letters, digits, '-', '_' or '.'; got {s:?}"
        )))
    }
}

fn query_param(req: &Req, name: &str, default: i64) -> Result<i64, ApiError> {
    match req.query_value(name) {
        None | Some("") => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiError::bad_request(format!("query parameter {name} must be an integer"))
        }),
    }
}

/// `page` (0-based, default 0) and `pageSize` (default 50) of the paged queries.
pub(super) fn paging(req: &Req) -> Result<(i64, i64), ApiError> {
    let page = query_param(req, "page", 0)?;
    let page_size = query_param(req, "pageSize", 50)?;
    if page < 0 {
        return Err(ApiError::bad_request("page must be >= 0"));
    }
    if !(1..=PAGE_SIZE_MAX).contains(&page_size) {
        return Err(ApiError::bad_request(format!(
            "pageSize must be between 1 and {PAGE_SIZE_MAX}"
        )));
    }
    Ok((page, page_size))
}

/// A required integer query parameter of at least `min`.
pub(super) fn required_int(req: &Req, name: &str, min: i64) -> Result<i64, ApiError> {
    let v = req
        .query_value(name)
        .ok_or_else(|| ApiError::bad_request(format!("query parameter {name} is required")))?;
    match v.parse::<i64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "query parameter {name} must be an integer of at least {min}; got {v:?}"
        ))),
    }
}

/// An optional enum query parameter.
pub(super) fn enum_query<'a>(
    req: &'a Req,
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match req.query_value(name) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(ApiError::bad_request(format!(
            "query parameter {name} must be one of {}; got {v:?}",
            allowed.join(", ")
        ))),
    }
}
