//! What `rhizome links` produces and saves: passage links, related texts
//! with their evidence, duplicates, boilerplate.
//!
//! Owns: the saved link graph's types and its file (atomic save, load with
//! a clear error). Must not: compute anything.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One passage pair that makes two texts related.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub from: String,
    pub to: String,
    /// Cosine of the two paragraphs' embeddings.
    pub dense: f32,
    /// BM25 "more like this" score (0 when BM25 did not propose the pair).
    pub bm25: f32,
    /// Calibrated score (see [`super::link_score`]).
    pub score: f32,
    /// Salient words both passages share, as written in `from`.
    pub terms: Vec<String>,
    /// What connects the two passages (issue 16).
    #[serde(default)]
    pub kind: LinkKind,
    /// How sure the kind is, 0.5 to 1 (see `PassageLink::confidence`).
    #[serde(default)]
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Related {
    pub text: String,
    /// The pair's fused z-score as whole texts (see `related.rs`); shown
    /// only when it reaches `links.related_min_score`.
    pub score: f32,
    /// What orders a list: `score` with the pair's passage links weighted
    /// `links.passage_rank_weight` (issue 12). Passage evidence lifts a text
    /// already related as a whole; it never shows one that is not.
    #[serde(default)]
    pub rank: f32,
    /// The same without the pair's strongest passage match; shown only when
    /// it reaches `links.related_min_robust` (one shared passage — a title
    /// in passing, a date, a feed snapshot — must not carry a link).
    #[serde(default)]
    pub robust: f32,
    /// The source text already links to this one (the author's own link).
    pub author: bool,
    pub evidence: Vec<Evidence>,
}

/// What connects two passages (issue 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// They share a span of text, verbatim or nearly (see `Links::reuse`).
    Reuse,
    /// The same idea in other words: high calibrated similarity.
    #[default]
    Echo,
    /// A shared subject carried by rare shared words, weaker similarity.
    Theme,
}

impl std::str::FromStr for LinkKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<LinkKind, String> {
        match s {
            "reuse" => Ok(LinkKind::Reuse),
            "echo" => Ok(LinkKind::Echo),
            "theme" => Ok(LinkKind::Theme),
            _ => Err("expected reuse, echo or theme".into()),
        }
    }
}

impl LinkKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkKind::Reuse => "reuse",
            LinkKind::Echo => "echo",
            LinkKind::Theme => "theme",
        }
    }
}

/// A link between two paragraphs of different texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageLink {
    pub from: String,
    pub to: String,
    pub score: f32,
    pub dense: f32,
    pub bm25: f32,
    #[serde(default)]
    pub kind: LinkKind,
    /// How sure the kind is: for `reuse`, the share of the span's words
    /// aligned identically; for `echo` and `theme`, a logistic of the mean
    /// dense z-score's distance from `links.echo_min_z` (0.5 on it).
    #[serde(default)]
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub a: String,
    pub b: String,
    /// Share of the shorter text's passages found in the other.
    pub share: f32,
}

/// The link graph, as computed and saved by `rhizome links`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Links {
    pub model_id: String,
    /// For each text, its related texts that are shown (score at least
    /// `links.related_min_score`), best first.
    pub related: BTreeMap<String, Vec<Related>>,
    /// For each text, the best `related_per_text` candidates whatever their
    /// score (what a recall measure ranks; not shown to readers).
    #[serde(default)]
    pub ranked: BTreeMap<String, Vec<String>>,
    /// The author's own links, resolved to text ids: source → targets.
    pub author_links: BTreeMap<String, Vec<String>>,
    pub duplicates: Vec<Duplicate>,
    /// Paragraph ids that recur across texts (boilerplate): they make no links.
    pub boilerplate: Vec<String>,
    /// Paragraph ids made mostly of their corpus's formulas (banal): they
    /// make no links either (issue 16).
    #[serde(default)]
    pub banal: Vec<String>,
    pub paragraph_links: usize,
    /// Every kept paragraph link (the graph zoomed in to passages).
    #[serde(default)]
    pub passage_links: Vec<PassageLink>,
    pub paragraphs: usize,
    pub seconds: f64,
    /// How dense neighbours were found: `exact` (all pairs) or `hnsw`.
    #[serde(default)]
    pub neighbours: String,
    /// With `hnsw`: recall@dense_k against exact neighbours on a sample.
    #[serde(default)]
    pub ann_recall: Option<f32>,
    /// Where the last run's exact neighbours were reused: how many rows were
    /// kept, new, gone, and scanned again (`None`: every pair computed).
    #[serde(default)]
    pub reused: Option<super::NeighbourReuse>,
    /// Spans two texts share verbatim or nearly, earlier text first.
    #[serde(default)]
    pub reuse: Vec<super::reuse::Reuse>,
    /// Every text's position on the map (x, y in [-1, 1]), computed once
    /// per link graph (issue 17).
    #[serde(default)]
    pub layout: BTreeMap<String, [f32; 2]>,
}

impl Links {
    pub fn path(data_dir: &Path) -> std::path::PathBuf {
        crate::data_dir::DataDir(data_dir).links()
    }

    /// Loads the saved links; `NotFound` if `rhizome links` has not run.
    pub fn load(data_dir: &Path) -> Result<Links> {
        let path = Self::path(data_dir);
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::NotFound(format!(
                    "no link graph in {} (run `rhizome links`)",
                    data_dir.display()
                ))
            } else {
                Error::io(&path, e)
            }
        })?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Corrupt(format!("{}: {e}", path.display())))
    }

    /// Saves atomically (temp file, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        crate::manifest::write_atomic(
            &Self::path(data_dir),
            &serde_json::to_vec(self).map_err(|e| Error::Corrupt(e.to_string()))?,
        )
    }
}
