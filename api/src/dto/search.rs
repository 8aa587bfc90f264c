//! Search: its parameters and hits.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::*;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query, in French or any language the model knows (not only spaces).
    #[param(
        min_length = 1,
        max_length = 2000,
        pattern = r"\S",
        example = "le revenu de base"
    )]
    pub q: String,
    /// Number of hits (1 to `search.max_k`, default 10).
    #[param(minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "strict")]
    pub k: Option<usize>,
    /// Retrievers: `hybrid` (default), `dense` or `bm25`.
    #[param(inline)]
    #[serde(default, deserialize_with = "strict")]
    pub mode: Option<SearchMode>,
    /// Corpora (all if none).
    #[serde(default)]
    pub corpus: Vec<String>,
    /// Tags: hits carry all of them.
    #[serde(default)]
    pub tag: Vec<String>,
    /// First year included. A range whose first year is after its last holds no hit.
    #[serde(default, deserialize_with = "strict")]
    pub from: Option<i64>,
    /// Last year included.
    #[serde(default, deserialize_with = "strict")]
    pub to: Option<i64>,
    /// One hit per text.
    #[serde(default, deserialize_with = "strict")]
    pub group: Option<bool>,
}

/// Which retrievers a search runs.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    Hybrid,
    Dense,
    Bm25,
}

impl std::str::FromStr for SearchMode {
    type Err = String;
    fn from_str(s: &str) -> Result<SearchMode, String> {
        match s {
            "hybrid" => Ok(SearchMode::Hybrid),
            "dense" => Ok(SearchMode::Dense),
            "bm25" => Ok(SearchMode::Bm25),
            _ => Err("expected hybrid, dense or bm25".into()),
        }
    }
}

impl From<SearchMode> for rhizome::engine::Mode {
    fn from(m: SearchMode) -> Self {
        match m {
            SearchMode::Hybrid => rhizome::engine::Mode::Hybrid,
            SearchMode::Dense => rhizome::engine::Mode::Dense,
            SearchMode::Bm25 => rhizome::engine::Mode::Bm25,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetrieverScore {
    pub rank: usize,
    pub score: f32,
}

impl From<rhizome::fusion::RankScore> for RetrieverScore {
    fn from(r: rhizome::fusion::RankScore) -> Self {
        RetrieverScore {
            rank: r.rank,
            score: r.score,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Hit {
    pub paragraph_id: String,
    pub text_id: String,
    pub title: String,
    pub corpus: String,
    /// Unix seconds.
    pub date: Option<i64>,
    pub heading: Option<String>,
    pub text: String,
    /// HTML with the query's words in `<mark>`.
    pub snippet: String,
    /// Byte offsets of the passage in the source text.
    pub start: u64,
    pub end: u64,
    pub url: Option<String>,
    pub score: f32,
    /// The paragraph's own ranks in each retriever (absent when only its
    /// retrieval unit was found).
    pub dense: Option<RetrieverScore>,
    pub bm25: Option<RetrieverScore>,
    /// The retrieval unit (run of paragraphs) the hit belongs to: its ranks
    /// rank the hit (`search.unit_weight`).
    pub unit: Option<UnitHit>,
}

/// A hit's retrieval unit: `<text id>@<first>-<last>`, its byte range in the
/// source text, and its own ranks in each retriever.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitHit {
    pub id: String,
    pub start: u64,
    pub end: u64,
    pub dense: Option<RetrieverScore>,
    pub bm25: Option<RetrieverScore>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub mode: String,
    pub hits: Vec<Hit>,
}

impl From<rhizome::engine::SearchHit> for Hit {
    fn from(h: rhizome::engine::SearchHit) -> Self {
        Hit {
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
        }
    }
}
