//! The shared documents on a Qdrant cluster (issue 14): a collection
//! `<collection>_state`, replicated like the vectors, where each document is
//! a head point (its version and number of pieces) and its pieces (at most
//! 1 MiB of JSON each, one request per piece).
//!
//! A write puts the new pieces first, then the head, then drops the old
//! pieces: a reader that took the old head either finds its pieces or
//! retries with the new head; a replica that lags is caught by the version,
//! which is the hash of the bytes.

use std::sync::Arc;

use qdrant_client::qdrant::{
    Condition, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, DeletePointsBuilder,
    Distance, FieldType, Filter as QFilter, PointStruct, UpsertPointsBuilder, VectorParamsBuilder,
    WriteOrdering, WriteOrderingType,
};
use qdrant_client::Payload;

use super::server::{connect, err, get_points, point_id_num, Nodes};
use super::state::{chunks, version_of, Doc, SharedState};
use crate::config::VectorStoreConfig;
use crate::error::{Error, Result};

/// Largest piece of a document in one point.
const PIECE_BYTES: usize = 1 << 20;

pub struct QdrantState {
    nodes: Arc<Nodes>,
    rt: tokio::runtime::Runtime,
    collection: String,
}

fn head_id(doc: Doc) -> u64 {
    super::point_id(&format!("state/{}", doc.name()))
}

fn piece_id(doc: Doc, version: &str, i: usize) -> u64 {
    super::point_id(&format!("state/{}/{version}/{i}", doc.name()))
}

impl QdrantState {
    /// Connects to the cluster of `cfg` and creates the state collection
    /// (one shard, the vectors' replication) if needed.
    pub fn open(cfg: &VectorStoreConfig) -> Result<QdrantState> {
        let (nodes, rt, _) = connect(cfg)?;
        let n_nodes = nodes.nodes.len();
        let s = QdrantState {
            nodes: Arc::new(nodes),
            rt,
            collection: format!("{}_state", cfg.collection),
        };
        let name = s.collection.clone();
        let exists = s.block_on("state collection check", |c| {
            let name = name.clone();
            async move { c.collection_exists(&name).await }
        })?;
        if !exists {
            let mut create = CreateCollectionBuilder::new(&s.collection)
                .vectors_config(VectorParamsBuilder::new(1, Distance::Dot))
                .shard_number(1)
                .write_consistency_factor(cfg.write_consistency_factor.max(1));
            if let Some(r) = cfg.replicas(n_nodes) {
                create = create.replication_factor(r);
            }
            let create = create.build();
            s.block_on("create state collection", |c| {
                let create = create.clone();
                async move { c.create_collection(create).await }
            })?;
            let req =
                CreateFieldIndexCollectionBuilder::new(&s.collection, "doc", FieldType::Keyword)
                    .wait(true)
                    .build();
            s.block_on("create state index", |c| {
                let req = req.clone();
                async move { c.create_field_index(req).await }
            })?;
        }
        Ok(s)
    }

    fn block_on<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: Fn(Arc<qdrant_client::Qdrant>) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, qdrant_client::QdrantError>>,
    {
        self.rt.block_on(self.nodes.call(what, call))
    }

    fn upsert(&self, points: Vec<PointStruct>) -> Result<()> {
        let coll = self.collection.clone();
        self.block_on("state write", |c| {
            let req = UpsertPointsBuilder::new(&coll, points.clone())
                .wait(true)
                // Medium, not Strong: Strong goes through the shard's
                // permanent leader and fails while that node is down (the
                // 3-node test found it); Medium elects a live one. A replica
                // that saw writes in another order is caught by the
                // version, the hash of the bytes.
                .ordering(WriteOrdering {
                    r#type: WriteOrderingType::Medium as i32,
                });
            async move { c.upsert_points(req).await }
        })
        .map(|_| ())
    }

    /// The payloads of these points, by id.
    fn payloads(&self, ids: &[u64]) -> Result<Vec<Option<serde_json::Value>>> {
        let points = get_points(&self.nodes, &self.rt, &self.collection, ids, false)?;
        let mut by_id: std::collections::HashMap<u64, serde_json::Value> = points
            .into_iter()
            .filter_map(|p| Some((point_id_num(p.id)?, Payload::from(p.payload).into())))
            .collect();
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
    }

    /// The head of `doc`: (version, pieces).
    fn head(&self, doc: Doc) -> Result<Option<(String, usize)>> {
        let Some(h) = self.payloads(&[head_id(doc)])?.pop().flatten() else {
            return Ok(None);
        };
        let version = h["version"].as_str().unwrap_or_default().to_string();
        let pieces = h["pieces"].as_u64().unwrap_or(0) as usize;
        Ok(Some((version, pieces)))
    }

    /// The pieces of one version joined, if every piece is there and the
    /// bytes hash to the version.
    fn read_version(&self, doc: Doc, version: &str, pieces: usize) -> Result<Option<Vec<u8>>> {
        let ids: Vec<u64> = (0..pieces).map(|i| piece_id(doc, version, i)).collect();
        let mut text = String::new();
        for p in self.payloads(&ids)? {
            match p.as_ref().and_then(|p| p["text"].as_str()) {
                Some(t) => text.push_str(t),
                None => return Ok(None),
            }
        }
        Ok((version_of(text.as_bytes()) == version).then(|| text.into_bytes()))
    }
}

impl SharedState for QdrantState {
    fn backend(&self) -> &'static str {
        "qdrant"
    }

    fn version(&self, doc: Doc) -> Result<Option<String>> {
        Ok(self.head(doc)?.map(|(v, _)| v))
    }

    fn get(&self, doc: Doc) -> Result<Option<(String, Vec<u8>)>> {
        // A head newer than the pieces a lagging replica holds, or pieces
        // dropped by a writer between our two reads: read the head again.
        for _ in 0..5 {
            let Some((version, pieces)) = self.head(doc)? else {
                return Ok(None);
            };
            if let Some(bytes) = self.read_version(doc, &version, pieces)? {
                return Ok(Some((version, bytes)));
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        Err(Error::VectorStore(format!(
            "Qdrant state collection {}: the {} document is incomplete on every read (a replica behind, or a writer that stopped halfway); rerun the command that writes it",
            self.collection,
            doc.name()
        )))
    }

    fn put(&self, doc: Doc, bytes: &[u8]) -> Result<String> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::Corrupt(format!("the {} document is not UTF-8: {e}", doc.name()))
        })?;
        let version = version_of(bytes);
        let parts = chunks(text, PIECE_BYTES);
        for (i, part) in parts.iter().enumerate() {
            let payload = Payload::try_from(serde_json::json!({
                "doc": doc.name(), "kind": "piece", "version": version, "piece": i, "text": part,
            }))
            .map_err(|e| err("state payload", e))?;
            self.upsert(vec![PointStruct::new(
                piece_id(doc, &version, i),
                vec![1.0],
                payload,
            )])?;
        }
        let head = Payload::try_from(serde_json::json!({
            "doc": doc.name(), "kind": "head", "version": version, "pieces": parts.len(),
        }))
        .map_err(|e| err("state payload", e))?;
        self.upsert(vec![PointStruct::new(head_id(doc), vec![1.0], head)])?;
        // The old versions' pieces: no head names them any more.
        let filter = QFilter {
            must: vec![
                Condition::matches("doc", doc.name().to_string()),
                Condition::matches("kind", "piece".to_string()),
            ],
            must_not: vec![Condition::matches("version", version.clone())],
            ..Default::default()
        };
        let req = DeletePointsBuilder::new(&self.collection)
            .points(filter)
            .wait(true)
            .build();
        self.block_on("state cleanup", |c| {
            let req = req.clone();
            async move { c.delete_points(req).await }
        })?;
        Ok(version)
    }
}
