//! Storage: the vector store (trait + backends) and the BM25 text index.
//!
//! Owns: persistence of paragraphs, their vectors and their words. Must not:
//! parse sources, embed, or fuse results (the engine does that).

mod edge;
#[cfg(feature = "qdrant-server")]
mod server;
#[cfg(feature = "qdrant-server")]
mod server_state;
pub mod state;
pub mod text;

use serde::{Deserialize, Serialize};

pub use edge::EdgeStore;
#[cfg(feature = "qdrant-server")]
pub use server::{LocalShard, ServerStore};
#[cfg(feature = "qdrant-server")]
pub use server_state::QdrantState;
pub use state::{Doc, FileState, SharedState};
pub use text::{StoredParagraph, TextIndex};

use crate::config::{Backend, VectorStoreConfig};
use crate::error::Result;
pub use crate::lexical::Sparse;

/// Stable 64-bit point id of a paragraph id (`<text id>#<ordinal>`).
pub fn point_id(paragraph_id: &str) -> u64 {
    let h = blake3::hash(paragraph_id.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap()) >> 1 // stay within i64 for JSON consumers
}

/// What the vector store keeps beside each vector (what filters need).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointPayload {
    pub paragraph: String,
    pub text_id: String,
    pub corpus: String,
    pub date: Option<i64>,
    pub tags: Vec<String>,
    pub ordinal: u64,
    /// The passage itself (issue 14): what a deployment without the text
    /// index shows and highlights. Absent in stores made before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<Passage>,
}

/// A stored paragraph's or unit's words and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub text: String,
    /// Byte offsets into the source text.
    pub start: u64,
    pub end: u64,
}

impl PointPayload {
    /// The payload of a stored paragraph or unit, passage included.
    pub fn of(s: &StoredParagraph) -> PointPayload {
        PointPayload {
            paragraph: s.id.clone(),
            text_id: s.text_id.clone(),
            corpus: s.corpus.clone(),
            date: s.date,
            tags: s.tags.clone(),
            ordinal: s.ordinal,
            passage: Some(Passage {
                title: s.title.clone(),
                heading: s.heading.clone(),
                text: s.text.clone(),
                start: s.start,
                end: s.end,
            }),
        }
    }

    /// The stored paragraph this payload describes, when it holds its passage.
    pub fn stored(&self, point: u64) -> Option<StoredParagraph> {
        let p = self.passage.as_ref()?;
        Some(StoredParagraph {
            point,
            id: self.paragraph.clone(),
            text_id: self.text_id.clone(),
            corpus: self.corpus.clone(),
            title: p.title.clone(),
            heading: p.heading.clone(),
            text: p.text.clone(),
            ordinal: self.ordinal,
            start: p.start,
            end: p.end,
            date: self.date,
            tags: self.tags.clone(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct VectorPoint {
    pub id: u64,
    pub vector: Vec<f32>,
    /// BM25 as a sparse vector (see [`crate::lexical`]); `None` in a store
    /// made before it had one.
    pub sparse: Option<Sparse>,
    pub payload: PointPayload,
}

/// Name of the sparse BM25 vector beside the dense one, in every backend.
pub const BM25_VECTOR: &str = "bm25";

/// Restricts a search. Empty fields do not restrict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub corpora: Vec<String>,
    /// Unix seconds, inclusive.
    pub date_from: Option<i64>,
    pub date_to: Option<i64>,
    /// A hit must carry every one of these tags.
    pub tags: Vec<String>,
    /// Leave out the paragraphs of this text (link discovery).
    pub exclude_text: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// Dense vectors and their payload, behind one interface whatever the
/// backend: qdrant-edge in-process (the default) or a Qdrant server.
pub trait VectorStore: Send + Sync {
    /// Which backend this is (`embedded`, `server`).
    fn backend(&self) -> &'static str;
    /// Inserts or replaces points (idempotent: same id, same point).
    fn upsert(&self, points: Vec<VectorPoint>) -> Result<()>;
    /// Removes every paragraph of a text.
    fn delete_text(&self, text_id: &str) -> Result<()>;
    /// Nearest neighbours by cosine, best first: (point id, cosine).
    fn search(&self, vector: &[f32], k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>>;
    /// Like `search`, with the HNSW beam width `ef` (recall against speed,
    /// once the approximate index is built); exact stores ignore it.
    fn search_ef(
        &self,
        vector: &[f32],
        k: usize,
        filter: &Filter,
        ef: usize,
    ) -> Result<Vec<(u64, f32)>> {
        let _ = ef;
        self.search(vector, k, filter)
    }
    /// Whether the store holds BM25 sparse vectors (stores made before
    /// issue 14 do not: re-index into a new one to get them).
    fn has_lexical(&self) -> bool;
    /// BM25 by sparse vectors, best first: (point id, score). The store
    /// applies the IDF; `query` comes from [`crate::lexical::query_vector`].
    fn lexical_search(&self, query: &Sparse, k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>>;
    /// `lexical_search` for several queries, unfiltered, in as few round
    /// trips as the backend allows (link discovery's "more like this").
    fn lexical_search_batch(&self, queries: &[Sparse], k: usize) -> Result<Vec<Vec<(u64, f32)>>> {
        queries
            .iter()
            .map(|q| self.lexical_search(q, k, &Filter::default()))
            .collect()
    }
    /// The payloads of these points (missing ones are `None`): with the
    /// passage, what a deployment without the text index shows.
    fn payloads(&self, ids: &[u64]) -> Result<Vec<Option<PointPayload>>>;
    /// The stored vectors of these points (missing ones are `None`).
    fn vectors(&self, ids: &[u64]) -> Result<Vec<Option<Vec<f32>>>>;
    /// One page of every point with its vector and payload, in id order,
    /// starting at `offset`; returns the next page's offset (`None`: done).
    fn scroll(&self, offset: Option<u64>, limit: usize) -> Result<(Vec<VectorPoint>, Option<u64>)>;
    fn count(&self) -> Result<usize>;
    /// Makes every write so far durable.
    fn flush(&self) -> Result<()>;
    /// Builds the approximate (HNSW) index where the backend needs to be asked.
    fn build_index(&self) -> Result<()>;
}

/// Opens the configured backend: the embedded store in `dir`, or the Qdrant
/// server collection named by `cfg`.
pub fn open(
    cfg: &VectorStoreConfig,
    dir: &std::path::Path,
    dim: usize,
) -> Result<Box<dyn VectorStore>> {
    match cfg.backend {
        Backend::Embedded => Ok(Box::new(EdgeStore::open(dir, dim)?)),
        #[cfg(feature = "qdrant-server")]
        Backend::Server => Ok(Box::new(ServerStore::open(cfg, dim)?)),
        #[cfg(not(feature = "qdrant-server"))]
        Backend::Server => Err(crate::error::Error::Config(
            "vector_store.backend = \"server\" needs a build with `--features rhizome-indexer/qdrant-server`"
                .into(),
        )),
    }
}
