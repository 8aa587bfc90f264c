//! Storage: the vector store (trait + backends) and the BM25 text index.
//!
//! Owns: persistence of paragraphs, their vectors and their words. Must not:
//! parse sources, embed, or fuse results (the engine does that).

mod edge;
#[cfg(feature = "qdrant-server")]
mod server;
pub mod text;

use serde::{Deserialize, Serialize};

pub use edge::EdgeStore;
#[cfg(feature = "qdrant-server")]
pub use server::{LocalShard, ServerStore};
pub use text::{StoredParagraph, TextIndex};

use crate::config::{Backend, VectorStoreConfig};
use crate::error::Result;

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
}

#[derive(Debug, Clone)]
pub struct VectorPoint {
    pub id: u64,
    pub vector: Vec<f32>,
    pub payload: PointPayload,
}

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
