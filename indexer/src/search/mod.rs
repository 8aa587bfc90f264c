//! Search: a query (or a draft's passage) against both retrievers at both
//! levels, fused, resolved to stored paragraphs with snippets.
//!
//! Owns: the query path's types and phases — `retrieve` (candidates of
//! each retriever, uncommitted points dropped), fusion (the pure functions
//! of [`crate::fusion`]), `resolve` (stored paragraphs, grouping,
//! snippets). Must not: know about HTTP.

mod query_cache;
mod resolve;
mod retrieve;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::config::FusionMethod;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::fusion::{FusedLevels, RankScore};
use crate::store::{Filter, StoredParagraph};

pub use query_cache::RecentCache;
pub(crate) use query_cache::{QueryCache, QUERY_VECTORS};
pub use retrieve::{FusedSearch, Retrieved};

/// A retriever's list: (point id, score), best first.
pub type Ranked = Vec<(u64, f32)>;

/// Which retrievers a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Hybrid,
    Dense,
    Bm25,
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hybrid" => Ok(Mode::Hybrid),
            "dense" => Ok(Mode::Dense),
            "bm25" => Ok(Mode::Bm25),
            _ => Err(Error::BadRequest(format!(
                "mode {s:?}: expected hybrid, dense or bm25"
            ))),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchOptions {
    pub k: usize,
    pub mode: Mode,
    pub filter: Filter,
    /// At most one hit per text.
    pub group_by_text: bool,
    /// Overrides the configured fusion.
    pub fusion: Option<FusionMethod>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            k: 10,
            mode: Mode::Hybrid,
            filter: Filter::default(),
            group_by_text: false,
            fusion: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchHit {
    pub paragraph: StoredParagraph,
    /// Link back to the source text, if its corpus declares a URL template.
    pub url: Option<String>,
    pub score: f32,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
    /// The retrieval unit (run of paragraphs) this paragraph belongs to, with
    /// its own ranks: part of the paragraph's score comes from them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitMatch>,
    /// HTML: the paragraph with the query's words in `<mark>`.
    pub snippet: String,
}

/// A hit's retrieval unit: its id, byte range in the source, and ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitMatch {
    /// `<text id>@<first paragraph>-<last paragraph>`
    pub id: String,
    pub start: u64,
    pub end: u64,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
}

impl Engine {
    /// Checks a query and its options; the error names what is wrong.
    pub fn validate(&self, query: &str, opts: &SearchOptions) -> Result<()> {
        if query.trim().is_empty() {
            return Err(Error::BadRequest("the query is empty".into()));
        }
        let n = query.chars().count();
        if n > self.config.search.max_query_chars {
            return Err(Error::BadRequest(format!(
                "the query is {n} characters long; the limit is {}",
                self.config.search.max_query_chars
            )));
        }
        if opts.k == 0 || opts.k > self.config.search.max_k {
            return Err(Error::BadRequest(format!(
                "k must be between 1 and {} (got {})",
                self.config.search.max_k, opts.k
            )));
        }
        self.check_corpora(&opts.filter.corpora)
    }

    /// Every name is a configured corpus (the error names the first that is not).
    pub fn check_corpora(&self, names: &[String]) -> Result<()> {
        match names.iter().find(|c| self.config.corpus(c).is_none()) {
            Some(c) => Err(Error::BadRequest(format!(
                "unknown corpus {c:?} (configured: {})",
                self.config
                    .corpora
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// Hybrid (or single-retriever) search: paragraphs ranked from their own
    /// scores and their retrieval units' (see [`crate::fusion::fuse_levels`]).
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Vec<SearchHit>> {
        self.validate(query, opts)?;
        let n = self.config.search.candidates.max(opts.k * 4);
        let retrieved = self.retrieve(query, n, opts.mode, &opts.filter)?;
        let (fused, units) = self.fuse_retrieved(&retrieved, opts.fusion, None)?;
        self.resolve(query, &fused, &units, opts)
    }

    /// Passages like a given passage (a draft's paragraph): dense neighbours of
    /// its passage vector, fused with BM25 on its most distinctive words.
    pub fn search_passage(
        &self,
        text: &str,
        vector: &[f32],
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let n = self.config.search.candidates.max(opts.k * 4);
        let dense = if opts.mode != Mode::Bm25 {
            self.committed(self.vectors.search(vector, n, &opts.filter)?)?
        } else {
            Vec::new()
        };
        let terms: Vec<String> = self
            .text
            .salient_terms(text, self.config.links.bm25_terms)
            .into_iter()
            .map(|t| t.0)
            .collect();
        let bm25 = if opts.mode != Mode::Dense {
            self.text.search_terms(&terms, n, &opts.filter)?
        } else {
            Vec::new()
        };
        let fused: Vec<FusedLevels<u64, u64>> = self
            .fuse(&dense, &bm25, opts.fusion)
            .into_iter()
            .map(|f| FusedLevels {
                key: f.key,
                unit: None,
                score: f.score,
                dense: f.dense,
                bm25: f.bm25,
                unit_dense: None,
                unit_bm25: None,
            })
            .collect();
        self.resolve(text, &fused, &HashMap::new(), opts)
    }
}
