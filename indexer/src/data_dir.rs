//! Every path under a data dir, named once. The stores, the catalogue, the
//! link graph, the author's verdicts and the lock all ask here; nothing else
//! joins a file name onto a data dir.

use std::path::{Path, PathBuf};

/// A data dir (`data_dir` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct DataDir<'a>(pub &'a Path);

impl DataDir<'_> {
    /// The paragraphs' embedded vector store (qdrant-edge).
    pub fn vectors(&self) -> PathBuf {
        self.0.join("vectors")
    }
    /// The paragraphs' BM25 index (tantivy).
    pub fn bm25(&self) -> PathBuf {
        self.0.join("bm25")
    }
    /// The retrieval units' vector store.
    pub fn unit_vectors(&self) -> PathBuf {
        self.0.join("units").join("vectors")
    }
    /// The retrieval units' BM25 index.
    pub fn unit_bm25(&self) -> PathBuf {
        self.0.join("units").join("bm25")
    }
    /// What is indexed, text by text (written last at each checkpoint).
    pub fn catalogue(&self) -> PathBuf {
        self.0.join("catalogue.json")
    }
    /// The link graph `rhizome links` saves.
    pub fn links(&self) -> PathBuf {
        self.0.join("links.json")
    }
    /// The exact neighbours of the last `rhizome links`, for the next one.
    pub fn neighbours(&self) -> PathBuf {
        self.0.join("neighbours.bin")
    }
    /// The author's verdicts on links.
    pub fn feedback(&self) -> PathBuf {
        self.0.join("feedback.json")
    }
    /// The one-process lock.
    pub fn lock(&self) -> PathBuf {
        self.0.join("rhizome.lock")
    }
}
