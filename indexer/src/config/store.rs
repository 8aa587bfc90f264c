//! The `[vector_store]` section: which backend holds the vectors, and how a
//! server's collections are made.

use serde::{Deserialize, Serialize};

/// Which vector store backs the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// qdrant-edge, in-process, in the data dir (the default).
    #[default]
    Embedded,
    /// A Qdrant server (or cluster) at `vector_store.url`.
    Server,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Embedded => "embedded",
            Backend::Server => "server",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VectorStoreConfig {
    /// `embedded` (qdrant-edge, in-process, the default) or `server` (a Qdrant server).
    pub backend: Backend,
    /// Qdrant server URL (gRPC), for the `server` backend; `QDRANT_URL` overrides it.
    pub url: Option<String>,
    pub collection: String,
    /// Server backend: shards and replicas of a new collection (server defaults if unset).
    pub shard_number: Option<u32>,
    pub replication_factor: Option<u32>,
    /// Server backend: keep the original vectors on disk (mmap).
    pub on_disk: bool,
    /// Server backend: int8 scalar quantisation of a new collection (searched
    /// in RAM, rescored with the originals).
    pub quantization: bool,
    /// Server backend: HNSW `m` and `ef_construct` of a new collection (server defaults if unset).
    pub hnsw_m: Option<u64>,
    pub hnsw_ef_construct: Option<u64>,
    /// Server backend: points per upsert request, and requests in flight at once.
    pub upsert_batch: usize,
    pub upsert_parallel: usize,
    /// Server backend: seconds before a request is abandoned (then retried, for writes).
    pub timeout_secs: u64,
}

impl Default for VectorStoreConfig {
    fn default() -> Self {
        VectorStoreConfig {
            backend: Backend::Embedded,
            url: None,
            collection: "rhizome".into(),
            shard_number: None,
            replication_factor: None,
            on_disk: true,
            quantization: true,
            hnsw_m: None,
            hnsw_ef_construct: None,
            upsert_batch: 256,
            upsert_parallel: 4,
            timeout_secs: 30,
        }
    }
}
