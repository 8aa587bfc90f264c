//! Hybrid search and drafts: both embed text, so both run off the async
//! runtime, a bounded number at a time.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;

use rhizome::engine::{Mode, SearchOptions};
use rhizome::store::Filter;

use super::{bounded, list};
use crate::dto::{
    DraftParagraph, DraftRequest, DraftResponse, DraftTextScore, Echo, Hit, RetrieverScore,
    SearchParams, SearchResponse, UnitHit,
};
use crate::error::{ApiError, ApiResult};
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
    let max = state.engine.config.server.max_draft_chars;
    let n = req.text.chars().count();
    if req.text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the draft is empty (or only spaces): send its text",
        ));
    }
    if n > max {
        return Err(ApiError::bad_request(format!(
            "the draft is {n} characters long; the limit is {max}"
        )));
    }
    state.engine.check_corpora(&req.corpus)?;
    let _permit = state.cpu_permit().await?;
    let engine = state.engine.clone();
    let catalogue_urls: HashMap<String, Option<String>> = state
        .knowledge()
        .catalogue
        .texts
        .iter()
        .map(|(id, e)| (id.clone(), e.url.clone()))
        .collect();
    let response = tokio::task::spawn_blocking(move || -> rhizome::Result<DraftResponse> {
        let doc = rhizome::source::Document {
            id: "draft".into(),
            corpus: "draft".into(),
            rel_path: "draft.md".into(),
            title: "draft".into(),
            date: None,
            tags: vec![],
            author: None,
            url: None,
            format: rhizome::config::CorpusFormat::Markdown,
            body: (0, req.text.len()),
            text: req.text,
        };
        let paragraphs = rhizome::split::split_document(&doc, &engine.config.split);
        let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
        let vectors = engine.embedder().embed_documents(&texts)?;
        let filter = Filter {
            corpora: req.corpus,
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut totals: HashMap<String, (f32, String)> = HashMap::new();
        for (p, v) in paragraphs.iter().zip(&vectors) {
            let opts = SearchOptions {
                k,
                filter: filter.clone(),
                ..Default::default()
            };
            let hits = engine.search_passage(&p.text, v, &opts)?;
            let mut seen = std::collections::HashSet::new();
            let echoes: Vec<Echo> = hits
                .into_iter()
                .enumerate()
                .map(|(rank, h)| {
                    let s = h.paragraph;
                    // each draft paragraph votes once per text, by reciprocal rank
                    if seen.insert(s.text_id.clone()) {
                        totals
                            .entry(s.text_id.clone())
                            .or_insert((0.0, s.title.clone()))
                            .0 += 1.0 / (1.0 + rank as f32);
                    }
                    let dense = h.dense.map_or(0.0, |d| d.score);
                    Echo {
                        paragraph_id: s.id,
                        text_id: s.text_id.clone(),
                        title: s.title,
                        text: s.text,
                        url: catalogue_urls.get(&s.text_id).cloned().flatten(),
                        dense,
                    }
                })
                .collect();
            out.push(DraftParagraph {
                ordinal: p.ordinal,
                text: p.text.clone(),
                echoes,
            });
        }
        let mut texts: Vec<DraftTextScore> = totals
            .into_iter()
            .map(|(text_id, (score, title))| DraftTextScore {
                text_id,
                title,
                score,
            })
            .collect();
        texts.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.text_id.cmp(&b.text_id)));
        texts.truncate(10);
        Ok(DraftResponse {
            paragraphs: out,
            texts,
        })
    })
    .await??;
    Ok(Json(response))
}
