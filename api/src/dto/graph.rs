//! Graphs: ego graphs, the overview, paths and the passage graph.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::*;

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
pub struct MapParams {
    /// Corpora (all if none).
    #[serde(default)]
    pub corpus: Vec<String>,
}

/// A text on the map, at its precomputed position.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapNode {
    pub id: String,
    pub title: String,
    pub corpus: String,
    /// Unix seconds (UTC), when the text is dated.
    pub date: Option<i64>,
    /// Its cluster; none for a text with no shown link.
    pub cluster: Option<usize>,
    pub degree: usize,
    /// Position in [-1, 1], from the embeddings pulled along the links.
    pub x: f32,
    pub y: f32,
}

/// Every text of the chosen corpora, linked or not, with the links shown
/// between them and the clusters (issue 17).
#[derive(Debug, Serialize, ToSchema)]
pub struct MapResponse {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<GraphEdge>,
    pub clusters: Vec<ClusterInfo>,
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
    /// `reuse` when any passage pair of the two texts shares a span, else
    /// the kind of their strongest passage pair.
    pub kind: LinkKind,
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
pub struct PassageNode {
    pub id: String,
    pub text_id: String,
    pub title: String,
    pub ordinal: u64,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageEdge {
    /// The earlier passage when both texts are dated (issue 16).
    pub source: String,
    pub target: String,
    pub score: f32,
    pub dense: f32,
    pub bm25: f32,
    /// `reuse` (a shared span), `echo` (the same idea in other words) or
    /// `theme` (shared rare words, weaker similarity).
    pub kind: LinkKind,
    /// How sure the kind is, 0.5 to 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub confidence: f32,
    /// Salient words both passages share, as written in `source`.
    pub terms: Vec<String>,
    /// For a `reuse`: the byte ranges of each passage's full text (see
    /// `/api/v1/paragraphs/{id}`) it shares with the other.
    pub source_reused: Vec<ByteRange>,
    pub target_reused: Vec<ByteRange>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageGraph {
    pub text: String,
    pub nodes: Vec<PassageNode>,
    pub edges: Vec<PassageEdge>,
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
                .map(|e| PassageEdge {
                    source: e.link.from,
                    target: e.link.to,
                    score: e.link.score,
                    dense: e.link.dense,
                    bm25: e.link.bm25,
                    kind: e.link.kind.into(),
                    confidence: e.link.confidence,
                    terms: e.terms,
                    source_reused: e
                        .from_reused
                        .into_iter()
                        .map(|r| (r.start, r.end).into())
                        .collect(),
                    target_reused: e
                        .to_reused
                        .into_iter()
                        .map(|r| (r.start, r.end).into())
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A passage of a lineage.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineageStep {
    pub paragraph: String,
    pub text: String,
    pub title: String,
    /// Unix seconds (UTC), when the text is dated.
    pub date: Option<i64>,
    /// The passage, cut to its first 300 characters.
    pub passage: String,
    /// The link that brought it in; none for the starting passage.
    pub score: Option<f32>,
    /// `reuse`, `echo` or `theme`; none for the starting passage.
    pub kind: Option<LinkKind>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineageResponse {
    pub paragraph: String,
    /// Dated texts first, oldest first.
    pub steps: Vec<LineageStep>,
}

impl LineageResponse {
    pub fn new(paragraph: String, steps: Vec<rhizome::links::lineage::LineageStep>) -> Self {
        LineageResponse {
            paragraph,
            steps: steps
                .into_iter()
                .map(|s| LineageStep {
                    paragraph: s.paragraph,
                    text: s.text,
                    title: s.title,
                    date: s.date,
                    passage: s.passage,
                    score: s.score,
                    kind: s.kind.map(Into::into),
                })
                .collect(),
        }
    }
}
