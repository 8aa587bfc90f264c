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
    /// Qdrant server URL (gRPC), for the `server` backend; `QDRANT_URL`
    /// overrides it. A cluster: several nodes' URLs separated by commas
    /// (requests go to one, and to the next when it stops answering).
    pub url: Option<String>,
    pub collection: String,
    /// Server backend: shards of a new collection (the server's default if unset).
    pub shard_number: Option<u32>,
    /// Server backend: copies of each shard in a new collection. Unset: 2
    /// when `url` names several nodes (a cluster survives one node down),
    /// else the server's default (1).
    pub replication_factor: Option<u32>,
    /// Server backend: replicas that must acknowledge a write before it is
    /// reported written (Qdrant's `write_consistency_factor`; 1: one live
    /// replica, so writes go on with a node down; the others catch up
    /// when it returns).
    pub write_consistency_factor: u32,
    /// Server backend: a segment larger than this (KB) gets its HNSW index
    /// (Qdrant's `indexing_threshold`; the server's default, 10,000 KB, if unset).
    pub indexing_threshold_kb: Option<u64>,
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
    /// Server backend: seconds to wait for a node to accept a connection
    /// before trying the next.
    pub connect_timeout_secs: u64,
}

impl VectorStoreConfig {
    /// The node addresses of `url`: one, or several separated by commas.
    pub fn nodes(&self) -> Vec<String> {
        self.url
            .iter()
            .flat_map(|u| u.split(','))
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(String::from)
            .collect()
    }

    /// The replication factor of a new collection on `nodes` nodes.
    pub fn replicas(&self, nodes: usize) -> Option<u32> {
        self.replication_factor.or((nodes > 1).then_some(2))
    }
}

impl Default for VectorStoreConfig {
    fn default() -> Self {
        VectorStoreConfig {
            backend: Backend::Embedded,
            url: None,
            collection: "rhizome".into(),
            shard_number: None,
            replication_factor: None,
            write_consistency_factor: 1,
            indexing_threshold_kb: None,
            on_disk: true,
            quantization: true,
            hnsw_m: None,
            hnsw_ef_construct: None,
            upsert_batch: 256,
            upsert_parallel: 4,
            timeout_secs: 30,
            connect_timeout_secs: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_nodes_make_a_cluster_with_two_replicas() {
        let mut cfg = VectorStoreConfig {
            url: Some(" http://a:6334, http://b:6334,,http://c:6334 ".into()),
            ..Default::default()
        };
        assert_eq!(
            cfg.nodes(),
            ["http://a:6334", "http://b:6334", "http://c:6334"]
        );
        assert_eq!(cfg.replicas(cfg.nodes().len()), Some(2));
        cfg.replication_factor = Some(3);
        assert_eq!(cfg.replicas(3), Some(3));
        cfg.url = Some("http://a:6334".into());
        cfg.replication_factor = None;
        assert_eq!(cfg.nodes().len(), 1);
        assert_eq!(cfg.replicas(1), None, "one node: the server's default");
        assert_eq!(cfg.write_consistency_factor, 1);
    }
}
