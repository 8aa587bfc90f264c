//! Health, stats, metrics, the OpenAPI document and its page, and the admin
//! re-index route (present only when a token is configured).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use crate::dto::{CorpusStats, Health, Stats};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Knowledge};

/// Which backends are up.
#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Response {
    let engine = state.engine.clone();
    let links = state.knowledge().links.is_some();
    match tokio::task::spawn_blocking(move || engine.health()).await {
        Ok(h) => {
            let status = if h.ok() {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (status, Json(Health::new(h, links))).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// What is indexed.
#[utoipa::path(get, path = "/api/v1/stats", tag = "meta", responses((status = 200, body = Stats)))]
pub async fn stats(State(state): State<AppState>) -> ApiResult<Json<Stats>> {
    let engine = state.engine.clone();
    let s = tokio::task::spawn_blocking(move || engine.stats()).await??;
    let pairs = state
        .knowledge()
        .links
        .as_ref()
        .map_or(0, |l| l.related.values().map(Vec::len).sum::<usize>() / 2);
    Ok(Json(Stats {
        texts: s.texts,
        paragraphs: s.paragraphs,
        vectors: s.vectors,
        related_pairs: pairs,
        corpora: s
            .corpora
            .into_iter()
            .map(|(name, (texts, paragraphs))| CorpusStats {
                name,
                texts,
                paragraphs,
            })
            .collect(),
        model: s.model,
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "meta", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// A readable page of the OpenAPI document (no external assets).
pub async fn docs() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}

/// Re-indexes the corpora and recomputes links. Requires `Authorization: Bearer <RHIZOME_ADMIN_TOKEN>`.
#[utoipa::path(post, path = "/api/v1/admin/reindex", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 404, description = "the admin routes are off (no RHIZOME_ADMIN_TOKEN)", body = crate::error::ErrorBody),
        (status = 503, description = "the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn reindex(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    super::require_admin(&state, &headers)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let (report, links) = tokio::task::spawn_blocking(move || -> rhizome::Result<_> {
        let report = engine.index(false)?;
        let links = rhizome::links::compute(&engine)?;
        engine.save_links(&links)?;
        Ok((report, links.paragraph_links))
    })
    .await??;
    let fresh = Knowledge::load(&state.engine);
    *state.knowledge.write().unwrap_or_else(|p| p.into_inner()) = fresh;
    Ok(Json(
        serde_json::json!({"indexed": report.texts_indexed, "unchanged": report.texts_unchanged, "removed": report.texts_removed, "problems": report.problems.len(), "paragraph_links": links}),
    ))
}

/// Any other path under `/api/v1`: a JSON 404 like every API error (the web
/// pages' file server would answer an empty one, or 405 to a POST).
pub async fn no_such_route(
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiError {
    ApiError::not_found(format!(
        "no route {}: see /openapi.json or /docs",
        uri.path()
    ))
}
