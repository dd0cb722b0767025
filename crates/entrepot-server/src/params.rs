//! Request parameters: bounded in length and count, free of control characters, and
//! parsed into the application layer's requests. A parameter the server cannot use
//! is a 400 with the parameter's name; what it names (a country, a dataset) is left
//! to the application layer, which answers 404 when it does not exist.

use crate::error::{ServerError, ServerResult};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;

/// The most characters of a code, name or period parameter.
pub(crate) const MAX_PARAM_CHARS: usize = 128;

/// The most items of a list parameter (`partners`).
pub(crate) const MAX_LIST_ITEMS: usize = 64;

/// A text parameter: at most [`MAX_PARAM_CHARS`] characters, no control characters,
/// not blank.
pub(crate) fn text(name: &str, value: &str) -> ServerResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServerError::BadRequest(format!("{name} is empty")));
    }
    if v.chars().count() > MAX_PARAM_CHARS {
        return Err(ServerError::BadRequest(format!(
            "{name} is longer than {MAX_PARAM_CHARS} characters"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(ServerError::BadRequest(format!(
            "{name} holds control characters"
        )));
    }
    Ok(v.to_string())
}

/// An optional text parameter ([`text`] when present; an empty value is absent).
pub(crate) fn opt_text(name: &str, value: Option<&String>) -> ServerResult<Option<String>> {
    match value.map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => text(name, v).map(Some),
    }
}

/// A comma-separated list parameter: at most [`MAX_LIST_ITEMS`] items, each a
/// [`text`]; empty items are skipped.
pub(crate) fn list(name: &str, value: Option<&String>) -> ServerResult<Vec<String>> {
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let items: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > MAX_LIST_ITEMS {
        return Err(ServerError::BadRequest(format!(
            "{name} lists more than {MAX_LIST_ITEMS} items"
        )));
    }
    items.into_iter().map(|i| text(name, i)).collect()
}

/// An optional integer parameter within `range`.
pub(crate) fn int<T>(
    name: &str,
    value: Option<&String>,
    range: std::ops::RangeInclusive<T>,
) -> ServerResult<Option<T>>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(v) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match v.parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(ServerError::BadRequest(format!(
            "{name} must be an integer from {} to {}",
            range.start(),
            range.end()
        ))),
    }
}

/// An optional boolean parameter (`true`/`false`, `1`/`0`, `yes`/`no`).
pub(crate) fn flag(name: &str, value: Option<&String>) -> ServerResult<bool> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(_) => Err(ServerError::BadRequest(format!(
            "{name} must be true or false"
        ))),
    }
}

/// One of a fixed set of words (case-insensitive), or the default when absent.
pub(crate) fn choice<'a>(
    name: &str,
    value: Option<&String>,
    choices: &[&'a str],
) -> ServerResult<&'a str> {
    let v = value
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if v.is_empty() {
        return Ok(choices.first().copied().unwrap_or_default());
    }
    choices.iter().find(|c| **c == v).copied().ok_or_else(|| {
        ServerError::BadRequest(format!("{name} must be one of {}", choices.join(", ")))
    })
}

/// A query string axum could not parse (an unknown parameter, a repeated one).
pub(crate) fn query_rejected(e: QueryRejection) -> ServerError {
    ServerError::BadRequest(e.body_text())
}

/// A path segment axum could not decode (not UTF-8).
pub(crate) fn path_rejected(e: PathRejection) -> ServerError {
    ServerError::BadRequest(e.body_text())
}

/// A JSON body axum could not take: over the limit (413) or not the expected JSON.
pub(crate) fn json_rejected(e: JsonRejection) -> ServerError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ServerError::BodyTooLarge(crate::MAX_BODY_BYTES)
    } else {
        ServerError::BadRequest(e.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_bounded_and_clean() {
        assert_eq!(text("reporter", " CHN ").ok().as_deref(), Some("CHN"));
        assert!(text("reporter", "").is_err());
        assert!(text("reporter", &"x".repeat(MAX_PARAM_CHARS + 1)).is_err());
        assert!(text("reporter", "CH\u{1b}N").is_err());
        let many = vec!["USA"; MAX_LIST_ITEMS + 1].join(",");
        assert!(list("partners", Some(&many)).is_err());
        assert_eq!(
            list("partners", Some(&"USA, ,EU27".to_string())).ok(),
            Some(vec!["USA".to_string(), "EU27".to_string()])
        );
        assert_eq!(int("top", Some(&"7".into()), 1..=100).ok(), Some(Some(7)));
        assert!(int::<i32>("top", Some(&"0".into()), 1..=100).is_err());
        assert!(int::<i32>("top", Some(&"1e99".into()), 1..=100).is_err());
        assert!(flag("history", Some(&"maybe".into())).is_err());
        assert_eq!(
            choice("flow", None, &["export", "import"]).ok(),
            Some("export")
        );
        assert_eq!(
            choice("flow", Some(&"IMPORT".into()), &["export", "import"]).ok(),
            Some("import")
        );
        assert!(choice("flow", Some(&"both".into()), &["export", "import"]).is_err());
    }
}
