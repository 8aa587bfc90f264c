//! Hybrid search and drafts: both embed text, so both run off the async
//! runtime, a bounded number at a time.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use rhizome::engine::{Mode, SearchOptions};
use rhizome::store::Filter;

use super::{bounded, list};
use crate::dto::{DraftRequest, DraftResponse, Hit, SearchParams, SearchResponse};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::AppState;

fn year(y: i64, end: bool) -> i64 {
    let t = rhizome::source::civil_to_unix(if end { y + 1 } else { y }, 1, 1, 0, 0);
    if end {
        t - 1
    } else {
        t
    }
}

/// Hybrid (or single-retriever) search over paragraphs.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams), tag = "search",
    responses((status = 200, body = SearchResponse), (status = 400, body = crate::error::ErrorBody), (status = 503, description = "the vector store is unreachable, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Response> {
    // the parsed parameters, not the raw query string: `corpus=a,b` and
    // `corpus=a&corpus=b` are one search
    let key = format!("{p:?}");
    if let Some(body) = state.knowledge().search_cache.get(&key) {
        return Ok(json_body(body));
    }
    let cfg = &state.engine.config.search;
    let k = bounded("k", p.k, 10, 1, cfg.max_k)?;
    // A range whose first year is after its last is empty, not an error: no
    // schema can say "from ≤ to", and a client must not be refused what the
    // document allows (issue 20).
    let opts = options(&p, k);
    let opts_mode = opts.mode;
    state.engine.validate(&p.q, &opts)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let q = p.q.clone();
    let hits = tokio::task::spawn_blocking(move || engine.search(&q, &opts)).await??;
    let body = serde_json::to_vec(&SearchResponse {
        query: p.q,
        mode: format!("{:?}", opts_mode).to_lowercase(),
        hits: hits.into_iter().map(Hit::from).collect(),
    })
    .map_err(|e| {
        crate::error::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    })?;
    let body = std::sync::Arc::new(body);
    state.knowledge().search_cache.put(&key, body.clone());
    Ok(json_body(body))
}

fn json_body(body: crate::bytes_body::Body) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.as_ref().clone(),
    )
        .into_response()
}

/// The passages of the corpora that an unpublished draft echoes (embedded on the fly).
#[utoipa::path(post, path = "/api/v1/drafts/related", request_body = DraftRequest, tag = "related",
    responses((status = 200, body = DraftResponse), (status = 400, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody), (status = 503, description = "the vector store is unreachable, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn draft(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<DraftRequest>,
) -> ApiResult<Json<DraftResponse>> {
    let k = bounded("k", req.k, 3, 1, 20)?;
    rhizome::author::check_draft(&state.engine.config, &req.text)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let found = tokio::task::spawn_blocking(move || {
        rhizome::author::draft_echoes(&engine, &req.text, k, &req.corpus)
    })
    .await??;
    Ok(Json(DraftResponse::from(found)))
}

/// The search options a query's parameters ask for.
fn options(p: &SearchParams, k: usize) -> SearchOptions {
    let mode: Mode = p.mode.map_or(Mode::Hybrid, Mode::from);
    SearchOptions {
        k,
        mode,
        fusion: None,
        group_by_text: p.group.unwrap_or(false),
        filter: Filter {
            corpora: list(&p.corpus),
            tags: list(&p.tag),
            date_from: p.from.map(|y| year(y, false)),
            date_to: p.to.map(|y| year(y, true)),
            exclude_text: None,
        },
    }
}
