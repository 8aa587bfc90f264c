//! The API's own request and response types (the engine's types stay internal).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// Query parameters say `parameter_in = Query`: without it utoipa documents
// them as path parameters (issue 20). Lists are arrays in the usual form
// (`corpus=a&corpus=b`, what generated clients send); `corpus=a,b` works too.
// The served document lists the configured corpora as their only values, and
// the configured limits (`openapi::document_for`).

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

/// A query value, parsed strictly: present means a value of the documented
/// type. Form decoding alone would take `group=on`, or `k=` as absent
/// (Schemathesis found both, issue 20).
fn strict<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    use serde::de::Error;
    let s = String::deserialize(d)?;
    s.parse::<T>()
        .map(Some)
        .map_err(|e| D::Error::custom(format!("{s:?}: {e}")))
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

impl From<rhizome::links::view::PassageView> for Passage {
    fn from(p: rhizome::links::view::PassageView) -> Self {
        Passage {
            id: p.id,
            text: p.text,
            start: p.start,
            end: p.end,
        }
    }
}

impl From<rhizome::links::view::RelatedView> for RelatedResponse {
    fn from(v: rhizome::links::view::RelatedView) -> Self {
        RelatedResponse {
            text: v.text,
            title: v.title,
            related: v
                .related
                .into_iter()
                .map(|r| RelatedText {
                    text: r.text,
                    title: r.title,
                    corpus: r.corpus,
                    url: r.url,
                    score: r.score,
                    author: r.author,
                    evidence: r
                        .evidence
                        .into_iter()
                        .map(|e| Evidence {
                            from: e.from.into(),
                            to: e.to.into(),
                            dense: e.dense,
                            bm25: e.bm25,
                            terms: e.terms,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    /// The draft, as written (markdown or plain text; not only spaces).
    #[schema(
        min_length = 1,
        max_length = 100000,
        pattern = r"\S",
        example = "Le revenu de base libérerait chacun de la nécessité de vendre son temps."
    )]
    pub text: String,
    /// Echoes returned per draft paragraph (default 3, at most 20).
    #[schema(minimum = 1, maximum = 20, value_type = Option<u32>)]
    #[serde(default, deserialize_with = "integer")]
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
#[into_params(parameter_in = Query)]
pub struct EgoParams {
    /// Hops from the text (1 to 3, default 1).
    #[param(minimum = 1, maximum = 3)]
    #[serde(default, deserialize_with = "strict")]
    pub depth: Option<usize>,
    /// Strongest links kept per node (1 to 50, default 10).
    #[param(minimum = 1, maximum = 50)]
    #[serde(default, deserialize_with = "strict")]
    pub k: Option<usize>,
    /// Weakest link drawn (0 to 100, default 0: all).
    #[param(minimum = 0, maximum = 100)]
    #[serde(default, deserialize_with = "strict")]
    pub min_score: Option<f64>,
    /// Corpora (all if none).
    #[serde(default)]
    pub corpus: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewParams {
    /// Most connected texts drawn (10 to 1000, default 300).
    #[param(minimum = 10, maximum = 1000)]
    #[serde(default, deserialize_with = "strict")]
    pub max_nodes: Option<usize>,
    /// Corpora (all if none).
    #[serde(default)]
    pub corpus: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PathParams {
    /// Text id of the start.
    #[param(example = "crouzet-blog/posts/2025/01/technofascisme")]
    pub from: String,
    /// Text id of the end.
    #[param(example = "essais/laboetie1562_servitude")]
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
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The page's address, in any of its forms (http/https, with or without `blog.`).
    #[param(
        min_length = 1,
        pattern = r"\S",
        example = "https://tcrouzet.com/2025/01/24/technofascisme/"
    )]
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

/// A JSON integer, written `16` or `16.0` (JSON Schema counts both as an
/// integer, so a client may send either).
fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(u) = n.as_u64() {
        return usize::try_from(u).map(Some).map_err(D::Error::custom);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) => Ok(Some(f as usize)),
        _ => Err(D::Error::custom(format!(
            "expected a non-negative integer, got {n}"
        ))),
    }
}

// ---- the author's tools ------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
pub struct SuggestRequest {
    /// The draft, in markdown (not only spaces).
    #[schema(
        min_length = 1,
        max_length = 100000,
        pattern = r"\S",
        example = "Le revenu de base libérerait chacun de la nécessité de vendre son temps."
    )]
    pub text: String,
    /// The text id the draft is (or will be), if any: it is not suggested to
    /// itself, and pairs its author rejected are not suggested.
    #[serde(default)]
    pub id: Option<String>,
}

/// A byte range of a source and the words it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl From<rhizome::author::Span> for Span {
    fn from(s: rhizome::author::Span) -> Self {
        Span {
            start: s.start,
            end: s.end,
            text: s.text,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSuggestion {
    /// The words of the draft to link from (a byte range of the draft).
    pub anchor: Span,
    pub target_text: String,
    pub title: String,
    pub url: Option<String>,
    pub paragraph_id: String,
    /// The passage of the target the draft paragraph echoes.
    pub passage: String,
    /// `echo`.
    pub kind: String,
    pub dense: f32,
    /// Background deviations above the model's mean cosine.
    pub z: f32,
    pub shared_words: Vec<String>,
    /// The draft links to this text already.
    pub already_linked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParagraphSuggestions {
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
    /// At most a few; none when nothing is good enough.
    pub suggestions: Vec<LinkSuggestion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    pub paragraphs: Vec<ParagraphSuggestions>,
}

impl From<Vec<rhizome::author::ParagraphSuggestions>> for SuggestResponse {
    fn from(v: Vec<rhizome::author::ParagraphSuggestions>) -> Self {
        SuggestResponse {
            paragraphs: v
                .into_iter()
                .map(|p| ParagraphSuggestions {
                    ordinal: p.ordinal,
                    start: p.start,
                    end: p.end,
                    suggestions: p
                        .suggestions
                        .into_iter()
                        .map(|s| LinkSuggestion {
                            anchor: s.anchor.into(),
                            target_text: s.target_text,
                            title: s.title,
                            url: s.url,
                            paragraph_id: s.paragraph_id,
                            passage: s.passage,
                            kind: s.kind.to_string(),
                            dense: s.dense,
                            z: s.z,
                            shared_words: s.shared_words,
                            already_linked: s.already_linked,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundSuggestion {
    /// The older text that should link here.
    pub source_text: String,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<i64>,
    pub paragraph_id: String,
    /// The sentence where the link would go (byte range of the older text's source).
    pub sentence: Span,
    /// The words to link from, inside that sentence.
    pub anchor: Span,
    pub score: f32,
    pub shared_words: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundResponse {
    pub text: String,
    pub inbound: Vec<InboundSuggestion>,
}

impl From<rhizome::author::Inbound> for InboundSuggestion {
    fn from(i: rhizome::author::Inbound) -> Self {
        InboundSuggestion {
            source_text: i.source_text,
            title: i.title,
            url: i.url,
            date: i.date,
            paragraph_id: i.paragraph_id,
            sentence: i.sentence.into(),
            anchor: i.anchor.into(),
            score: i.score,
            shared_words: i.shared_words,
        }
    }
}

/// The author's verdict on a link.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accept,
    Reject,
}

impl From<Verdict> for rhizome::feedback::Verdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Accept => rhizome::feedback::Verdict::Accept,
            Verdict::Reject => rhizome::feedback::Verdict::Reject,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct FeedbackRequest {
    /// The text the link is shown under (or suggested from).
    #[schema(example = "crouzet-blog/posts/2025/01/technofascisme")]
    pub source: String,
    /// The linked text.
    #[schema(example = "essais/laboetie1562_servitude")]
    pub target: String,
    pub verdict: Verdict,
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

impl From<rhizome::author::DraftEchoes> for DraftResponse {
    fn from(found: rhizome::author::DraftEchoes) -> Self {
        DraftResponse {
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
        }
    }
}

impl From<rhizome::engine::Check> for Backend {
    fn from(c: rhizome::engine::Check) -> Self {
        Backend {
            backend: c.backend,
            ok: c.ok,
            detail: c.detail,
        }
    }
}

impl Health {
    /// The engine's health, and whether links are loaded.
    pub fn new(h: rhizome::engine::Health, links: bool) -> Health {
        Health {
            status: if h.ok() { "ok" } else { "degraded" },
            vector_store: h.vector_store.into(),
            text_index: h.text_index.into(),
            embedder: h.embedder.into(),
            links,
        }
    }
}

impl From<rhizome::links::view::PassageGraphView> for PassageGraph {
    fn from(g: rhizome::links::view::PassageGraphView) -> Self {
        PassageGraph {
            text: g.text,
            nodes: g
                .nodes
                .into_iter()
                .map(|p| PassageNode {
                    id: p.id,
                    text_id: p.text_id,
                    title: p.title,
                    ordinal: p.ordinal,
                    text: p.text,
                })
                .collect(),
            edges: g
                .edges
                .into_iter()
                .map(|l| PassageEdge {
                    source: l.from,
                    target: l.to,
                    score: l.score,
                    dense: l.dense,
                    bm25: l.bm25,
                })
                .collect(),
        }
    }
}
