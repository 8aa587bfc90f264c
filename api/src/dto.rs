//! The API's own request and response types (the engine's types stay internal).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// The query, in French or any language the model knows.
    #[param(min_length = 1, max_length = 2000)]
    pub q: String,
    /// Number of hits (1 to `search.max_k`, default 10).
    #[param(minimum = 1, maximum = 100)]
    pub k: Option<usize>,
    /// `hybrid` (default), `dense` or `bm25`.
    pub mode: Option<String>,
    /// Corpora, comma-separated.
    pub corpus: Option<String>,
    /// Tags, comma-separated: hits carry all of them.
    pub tag: Option<String>,
    /// First year included.
    pub from: Option<i64>,
    /// Last year included.
    pub to: Option<i64>,
    /// One hit per text.
    pub group: Option<bool>,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Paragraph {
    pub id: String,
    pub text_id: String,
    pub ordinal: u64,
    pub heading: Option<String>,
    pub text: String,
    pub start: u64,
    pub end: u64,
}

impl From<rhizome::store::StoredParagraph> for Paragraph {
    fn from(p: rhizome::store::StoredParagraph) -> Self {
        Paragraph {
            id: p.id,
            text_id: p.text_id,
            ordinal: p.ordinal,
            heading: p.heading,
            text: p.text,
            start: p.start,
            end: p.end,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Text {
    pub id: String,
    pub title: String,
    pub corpus: String,
    pub date: Option<i64>,
    pub tags: Vec<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Passage {
    pub id: String,
    pub text: String,
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub from: Passage,
    pub to: Passage,
    pub dense: f32,
    pub bm25: f32,
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedText {
    pub text: String,
    pub title: String,
    pub corpus: String,
    pub url: Option<String>,
    /// How far the pair stands above the source's usual (a z-score of the
    /// texts compared as wholes); only pairs from `links.related_min_score`
    /// are listed, so a text may have fewer related texts than asked, or none.
    pub score: f32,
    /// The source text already links to this one.
    pub author: bool,
    /// The passage pairs that make the link: its passage links, or the
    /// closest paragraph pairs when the texts are related as wholes only.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedResponse {
    pub text: String,
    pub title: String,
    pub related: Vec<RelatedText>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    /// The draft, as written (markdown or plain text).
    pub text: String,
    /// Echoes returned per draft paragraph (default 3, at most 20).
    pub k: Option<usize>,
    /// Corpora to search, all if empty.
    #[serde(default)]
    pub corpus: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Echo {
    pub paragraph_id: String,
    pub text_id: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub dense: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftParagraph {
    pub ordinal: usize,
    pub text: String,
    pub echoes: Vec<Echo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftTextScore {
    pub text_id: String,
    pub title: String,
    pub score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftResponse {
    pub paragraphs: Vec<DraftParagraph>,
    /// Texts the draft echoes most, summed over its paragraphs.
    pub texts: Vec<DraftTextScore>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EgoParams {
    /// Hops from the text (1 to 3, default 1).
    #[param(minimum = 1, maximum = 3)]
    pub depth: Option<usize>,
    /// Strongest links kept per node (1 to 50, default 10).
    #[param(minimum = 1, maximum = 50)]
    pub k: Option<usize>,
    pub min_score: Option<f32>,
    /// Corpora, comma-separated.
    pub corpus: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OverviewParams {
    /// Most connected texts drawn (10 to 1000, default 300).
    #[param(minimum = 10, maximum = 1000)]
    pub max_nodes: Option<usize>,
    pub corpus: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PathParams {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphNode {
    pub id: String,
    pub title: String,
    pub corpus: String,
    pub date: Option<i64>,
    pub cluster: usize,
    pub degree: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphEdge {
    pub source: String,
    pub target: String,
    pub weight: f32,
    pub author: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterInfo {
    pub id: usize,
    pub label: String,
    pub size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphResponse {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    pub clusters: Vec<ClusterInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PathResponse {
    pub path: Vec<GraphNode>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub vector_store: Backend,
    pub text_index: Backend,
    pub embedder: Backend,
    pub links: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Backend {
    pub backend: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    pub texts: usize,
    pub paragraphs: usize,
    pub vectors: usize,
    pub related_pairs: usize,
    pub corpora: Vec<CorpusStats>,
    pub model: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorpusStats {
    pub name: String,
    pub texts: usize,
    pub paragraphs: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LookupParams {
    /// The page's address, in any of its forms (http/https, with or without `blog.`).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lookup {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageNode {
    pub id: String,
    pub text_id: String,
    pub title: String,
    pub ordinal: u64,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageEdge {
    pub source: String,
    pub target: String,
    pub score: f32,
    pub dense: f32,
    pub bm25: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageGraph {
    pub text: String,
    pub nodes: Vec<PassageNode>,
    pub edges: Vec<PassageEdge>,
}
