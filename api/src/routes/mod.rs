pub mod author;
pub mod graph;
pub mod meta;
pub mod search;
pub mod texts;

use crate::error::ApiError;

/// `["a,b", "", "c"]` → `["a", "b", "c"]`: repeated keys and commas both list.
pub fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// A corpus list, each a configured corpus.
pub fn corpora(state: &crate::AppState, values: &[String]) -> Result<Vec<String>, ApiError> {
    let names = list(values);
    state.engine.check_corpora(&names)?;
    Ok(names)
}

/// Checks that a numeric parameter lies within bounds; the error names it.
pub fn bounded(
    name: &str,
    value: Option<usize>,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize, ApiError> {
    let v = value.unwrap_or(default);
    if v < min || v > max {
        return Err(ApiError::bad_request(format!(
            "{name} must be between {min} and {max} (got {v})"
        )));
    }
    Ok(v)
}

/// The admin routes' guard: 404 when no token is configured (the routes are
/// off), 401 unless `Authorization: Bearer <token>` matches (compared in
/// constant time).
pub fn require_admin(
    state: &crate::AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    use subtle::ConstantTimeEq;
    let expected = state.admin_token.clone().ok_or_else(|| {
        ApiError::not_found(
            "the admin routes are off: start the server with RHIZOME_ADMIN_TOKEN set",
        )
    })?;
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        ));
    }
    Ok(())
}
