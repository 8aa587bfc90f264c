//! Hybrid search and drafts: both embed text, so both run off the async
//! runtime, a bounded number at a time.

use axum::extract::State;
use axum::Json;

use rhizome::engine::{Mode, SearchOptions};
use rhizome::store::Filter;

use super::{bounded, list};
use crate::dto::{
    DraftParagraph, DraftRequest, DraftResponse, DraftTextScore, Echo, Hit, RetrieverScore,
    SearchParams, SearchResponse, UnitHit,
};
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
) -> ApiResult<Json<SearchResponse>> {
    let cfg = &state.engine.config.search;
    let k = bounded("k", p.k, 10, 1, cfg.max_k)?;
    // A range whose first year is after its last is empty, not an error: no
    // schema can say "from ≤ to", and a client must not be refused what the
    // document allows (issue 20).
    let mode: Mode = p.mode.map_or(Mode::Hybrid, Mode::from);
    let opts = SearchOptions {
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
    };
    state.engine.validate(&p.q, &opts)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let q = p.q.clone();
    let hits = tokio::task::spawn_blocking(move || engine.search(&q, &opts)).await??;
    let hits = hits
        .into_iter()
        .map(|h| Hit {
            paragraph_id: h.paragraph.id,
            text_id: h.paragraph.text_id,
            title: h.paragraph.title,
            corpus: h.paragraph.corpus,
            date: h.paragraph.date,
            heading: h.paragraph.heading,
            text: h.paragraph.text,
            snippet: h.snippet,
            start: h.paragraph.start,
            end: h.paragraph.end,
            url: h.url,
            score: h.score,
            dense: h.dense.map(RetrieverScore::from),
            bm25: h.bm25.map(RetrieverScore::from),
            unit: h.unit.map(|u| UnitHit {
                id: u.id,
                start: u.start,
                end: u.end,
                dense: u.dense.map(RetrieverScore::from),
                bm25: u.bm25.map(RetrieverScore::from),
            }),
        })
        .collect();
    Ok(Json(SearchResponse {
        query: p.q,
        mode: format!("{mode:?}").to_lowercase(),
        hits,
    }))
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
    let response = DraftResponse {
        paragraphs: found
            .paragraphs
            .into_iter()
            .map(|p| DraftParagraph {
                ordinal: p.ordinal,
                text: p.text,
                echoes: p
                    .echoes
                    .into_iter()
                    .map(|e| Echo {
                        paragraph_id: e.paragraph.id,
                        text_id: e.paragraph.text_id,
                        title: e.paragraph.title,
                        text: e.paragraph.text,
                        url: e.url,
                        dense: e.dense,
                    })
                    .collect(),
            })
            .collect(),
        texts: found
            .texts
            .into_iter()
            .map(|t| DraftTextScore {
                text_id: t.text_id,
                title: t.title,
                score: t.score,
            })
            .collect(),
    };
    Ok(Json(response))
}
