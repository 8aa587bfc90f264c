//! The author's tools: link suggestions for a draft, inbound suggestions for
//! a text, and the author's verdicts on links. Translation only: the work is
//! in `rhizome::author` and `rhizome::feedback`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use crate::dto::{FeedbackRequest, InboundResponse, SuggestRequest, SuggestResponse};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::{AppState, Knowledge};

/// Where to put links in a draft: per paragraph, at most a few suggestions,
/// each with its anchor words in the draft; none when nothing is good enough.
#[utoipa::path(post, path = "/api/v1/drafts/suggest", request_body = SuggestRequest, tag = "author",
    responses((status = 200, body = SuggestResponse), (status = 400, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody),
        (status = 503, description = "the vector store is unreachable, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SuggestRequest>,
) -> ApiResult<Json<SuggestResponse>> {
    rhizome::author::check_draft(&state.engine.config, &req.text)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let found = tokio::task::spawn_blocking(move || {
        rhizome::author::suggest(&engine, &req.text, req.id.as_deref())
    })
    .await??;
    Ok(Json(found.into()))
}

/// The older texts that should now link to this one, each with the sentence
/// and the words to link from. (Routed through `/texts/{id}`: ids hold slashes.)
#[utoipa::path(get, path = "/api/v1/texts/{id}/inbound",
    params(("id" = String, Path, description = "text id", example = "crouzet-blog/posts/2025/01/technofascisme")), tag = "author",
    responses((status = 200, body = InboundResponse), (status = 404, body = crate::error::ErrorBody),
        (status = 503, description = "no links computed yet", body = crate::error::ErrorBody)))]
pub async fn inbound(state: AppState, id: String) -> ApiResult<Json<InboundResponse>> {
    let links = state.links()?;
    let engine = state.engine.clone();
    let text = id.clone();
    let found =
        tokio::task::spawn_blocking(move || rhizome::author::inbound(&engine, &links, &text))
            .await??;
    Ok(Json(InboundResponse {
        text: id,
        inbound: found.into_iter().map(Into::into).collect(),
    }))
}

/// The author accepts or rejects a link (a related text or a suggestion): a
/// rejected pair never shows again; an accepted one is marked as the author's.
/// Requires `Authorization: Bearer <RHIZOME_ADMIN_TOKEN>`.
#[utoipa::path(post, path = "/api/v1/feedback", request_body = FeedbackRequest, tag = "author", security(("bearer" = [])),
    responses((status = 200, body = FeedbackRequest), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, description = "an unknown text, or the admin routes are off (no RHIZOME_ADMIN_TOKEN)", body = crate::error::ErrorBody),
        (status = 409, description = "source and target are the same text", body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> ApiResult<Json<FeedbackRequest>> {
    super::require_admin(&state, &headers)?;
    if req.source == req.target {
        // Well-formed but meaningless: a conflict, not a malformed request.
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            "a text cannot be linked to itself",
        ));
    }
    let engine = state.engine.clone();
    let (source, target, verdict) = (req.source.clone(), req.target.clone(), req.verdict);
    tokio::task::spawn_blocking(move || {
        rhizome::feedback::record(&engine, &source, &target, verdict.into())
    })
    .await??;
    let fresh = Knowledge::load(&state.engine);
    *state.knowledge.write().unwrap_or_else(|p| p.into_inner()) = fresh;
    Ok(Json(req))
}
