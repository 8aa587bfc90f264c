//! The Qdrant server backend (the scale-out path), behind the same
//! [`VectorStore`] trait as the embedded store. Built with the
//! `qdrant-server` feature; chosen by `vector_store.backend = "server"` or
//! `QDRANT_URL`.
//!
//! The client is async (gRPC); the trait is blocking, like the engine's
//! callers (which run off the async runtime), so each call runs on a small
//! runtime of its own. Writes wait for the server's acknowledgement: no
//! success is reported for unwritten points.
//!
//! A cluster is given as several node addresses (`vector_store.url` or
//! `QDRANT_URL`, separated by commas). Every request goes to the node that
//! answered last; when it does not answer (refused, reset, timed out) the
//! next one is tried, so one stopped node is a warning, not an outage: any
//! Qdrant node serves reads and writes for the whole collection, routing
//! them to the shards' live replicas (issue 14).

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qdrant_client::qdrant::point_id::PointIdOptions;
use qdrant_client::qdrant::vector_output;
use qdrant_client::qdrant::vectors_output::VectorsOptions;
use qdrant_client::qdrant::{
    Condition, CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder,
    DeletePointsBuilder, Distance, FieldType, Filter as QFilter, GetPointsBuilder,
    HnswConfigDiffBuilder, Modifier, OptimizersConfigDiffBuilder, PointId, PointStruct, Query,
    QueryBatchPointsBuilder, QueryPoints, QueryPointsBuilder, Range, ScalarQuantizationBuilder,
    ScrollPointsBuilder, SearchParamsBuilder, SearchPointsBuilder, SparseVectorParamsBuilder,
    SparseVectorsConfigBuilder, UpsertPointsBuilder, Vector, VectorInput, VectorParamsBuilder,
};
use qdrant_client::{Payload, Qdrant, QdrantError};

use super::{Filter, PointPayload, Sparse, VectorPoint, VectorStore, BM25_VECTOR};
use crate::config::VectorStoreConfig;
use crate::error::{Error, Result};

pub struct ServerStore {
    nodes: Arc<Nodes>,
    collection: String,
    rt: tokio::runtime::Runtime,
    batch: usize,
    parallel: usize,
    /// Whether the collection has the BM25 sparse vector (issue 14).
    lexical: bool,
}

/// Whether an error says the node did not answer (rather than answered
/// with an error). A node that answers that one of the shard replicas it
/// asked is unreachable ("Service internal error: 1 of 1 read operations
/// failed: … tcp connect error …") did answer: the next node cannot do
/// better, and the message names the replica's peer.
fn unreachable(detail: &str) -> bool {
    !detail.contains("Service internal error")
        && [
            "Connection refused",
            "tcp connect error",
            "Failed to connect",
            "Unavailable",
            "transport error",
            "Timeout expired",
            "deadline has elapsed",
            "connection reset",
            "broken pipe",
        ]
        .iter()
        .any(|m| detail.contains(m))
}

pub(super) fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::VectorStore(format!("Qdrant server: {what}: {e}"))
}

/// The cluster's nodes as the client sees them: every address given, and
/// the one that answered last (tried first).
pub(super) struct Nodes {
    pub(super) nodes: Vec<(String, Arc<Qdrant>)>,
    current: AtomicUsize,
}

impl Nodes {
    /// Runs `call` on the current node, then on each other node while they
    /// do not answer. An error the node answered with (a bad request, a
    /// shard with no live replica) is returned as it is, naming the node.
    pub(super) async fn call<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: Fn(Arc<Qdrant>) -> Fut,
        Fut: Future<Output = std::result::Result<T, QdrantError>>,
    {
        let first = self.current.load(Ordering::Relaxed);
        let mut silent = Vec::new();
        for k in 0..self.nodes.len() {
            let i = (first + k) % self.nodes.len();
            let (url, client) = &self.nodes[i];
            match call(client.clone()).await {
                Ok(v) => {
                    if k > 0 {
                        self.current.store(i, Ordering::Relaxed);
                        tracing::warn!(node = %url, silent = ?silent, "Qdrant: carrying on through another node");
                    }
                    return Ok(v);
                }
                Err(e) if unreachable(&e.to_string()) => silent.push(format!("{url}: {e}")),
                Err(e) => {
                    // It answered: the next node cannot do better (a shard
                    // with no live replica: the message names its peer).
                    return Err(err(&format!("{what}: node {url} answered"), e));
                }
            }
        }
        Err(Error::VectorStore(format!(
            "Qdrant server unreachable during {what}: no node answered ({}); start them (or fix \
             vector_store.url / QDRANT_URL) and rerun; indexing resumes where it stopped",
            silent.join("; ")
        )))
    }
}

/// BM25 hits asked beyond `k`, so that ties at the cut are settled below.
const TIE_MARGIN: usize = 16;

/// Hits best first, equal scores by point id, the first `k`. BM25 scores
/// tie often (same terms, same lengths), and a sharded collection merges
/// its shards' ties in no fixed order: without this, two identical
/// requests could rank tied hits apart (issue 14, two servers).
fn tie_ordered(mut hits: Vec<(u64, f32)>, k: usize) -> Vec<(u64, f32)> {
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    hits.truncate(k);
    hits
}

/// A BM25 answer's hits as (point, score), [`tie_ordered`].
fn scored(points: Vec<qdrant_client::qdrant::ScoredPoint>, k: usize) -> Vec<(u64, f32)> {
    tie_ordered(
        points
            .into_iter()
            .filter_map(|p| point_id_num(p.id).map(|n| (n, p.score)))
            .collect(),
        k,
    )
}

fn to_filter(f: &Filter) -> Option<QFilter> {
    let mut must = Vec::new();
    if !f.corpora.is_empty() {
        must.push(Condition::matches("corpus", f.corpora.clone()));
    }
    if f.date_from.is_some() || f.date_to.is_some() {
        must.push(Condition::range(
            "date",
            Range {
                gte: f.date_from.map(|d| d as f64),
                lte: f.date_to.map(|d| d as f64),
                ..Default::default()
            },
        ));
    }
    for t in &f.tags {
        must.push(Condition::matches("tags", t.clone()));
    }
    let must_not: Vec<Condition> = f
        .exclude_text
        .iter()
        .map(|t| Condition::matches("text_id", t.clone()))
        .collect();
    if must.is_empty() && must_not.is_empty() {
        return None;
    }
    Some(QFilter {
        must,
        must_not,
        ..Default::default()
    })
}

pub(super) fn connect(cfg: &VectorStoreConfig) -> Result<(Nodes, tokio::runtime::Runtime, String)> {
    let url = cfg
        .url
        .clone()
        .ok_or_else(|| Error::Config("vector_store.url (or QDRANT_URL) is required".into()))?;
    let urls = cfg.nodes();
    if urls.is_empty() {
        return Err(Error::Config(format!(
            "vector_store.url {url:?} names no Qdrant node"
        )));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| err("runtime", e))?;
    let mut nodes = Vec::with_capacity(urls.len());
    for u in urls {
        let mut builder = Qdrant::from_url(&u)
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs.max(1)));
        if let Ok(key) = std::env::var("QDRANT_API_KEY") {
            builder = builder.api_key(key);
        }
        let client = builder
            .build()
            .map_err(|e| Error::Config(format!("Qdrant node address {u:?}: {e}")))?;
        nodes.push((u, Arc::new(client)));
    }
    let nodes = Nodes {
        nodes,
        current: AtomicUsize::new(0),
    };
    Ok((nodes, rt, url))
}

impl ServerStore {
    /// Connects, and creates the collection (cosine, on-disk vectors, int8
    /// scalar quantisation, payload indexes for the filter fields, shards
    /// and replicas: as configured) if needed; `dim` 0 only opens an
    /// existing one.
    pub fn open(cfg: &VectorStoreConfig, dim: usize) -> Result<Self> {
        let (nodes, rt, url) = connect(cfg)?;
        let store = ServerStore {
            nodes: Arc::new(nodes),
            collection: cfg.collection.clone(),
            rt,
            batch: cfg.upsert_batch.max(1),
            parallel: cfg.upsert_parallel.max(1),
            lexical: true,
        };
        let name = store.collection.clone();
        let exists = store.block_on("collection check", |c| {
            let name = name.clone();
            async move { c.collection_exists(&name).await }
        })?;
        if !exists && dim == 0 {
            // A reader that does not know the dimension (migrate's source)
            // opens an existing collection, as the embedded store does.
            return Err(Error::Config(format!(
                "collection {:?} does not exist on {url}",
                store.collection
            )));
        }
        if !exists {
            store.create(cfg, dim)?;
        }
        let mut store = store;
        store.lexical = store.collection_has_lexical()?;
        Ok(store)
    }

    /// Whether the collection was made with the BM25 sparse vector.
    fn collection_has_lexical(&self) -> Result<bool> {
        let name = self.collection.clone();
        let info = self.block_on("collection info", |c| {
            let name = name.clone();
            async move { c.collection_info(&name).await }
        })?;
        Ok(info
            .result
            .and_then(|i| i.config)
            .and_then(|c| c.params)
            .and_then(|p| p.sparse_vectors_config)
            .is_some_and(|s| s.map.contains_key(BM25_VECTOR)))
    }

    /// Creates the collection and its payload indexes.
    fn create(&self, cfg: &VectorStoreConfig, dim: usize) -> Result<()> {
        let mut create = CreateCollectionBuilder::new(&self.collection).vectors_config(
            VectorParamsBuilder::new(dim as u64, Distance::Cosine).on_disk(cfg.on_disk),
        );
        let mut sparse = SparseVectorsConfigBuilder::default();
        sparse.add_named_vector_params(
            BM25_VECTOR,
            SparseVectorParamsBuilder::default().modifier(Modifier::Idf as i32),
        );
        create = create.sparse_vectors_config(sparse);
        if cfg.quantization {
            create = create.quantization_config(ScalarQuantizationBuilder::default());
        }
        if cfg.hnsw_m.is_some() || cfg.hnsw_ef_construct.is_some() {
            let mut hnsw = HnswConfigDiffBuilder::default();
            if let Some(m) = cfg.hnsw_m {
                hnsw = hnsw.m(m);
            }
            if let Some(ef) = cfg.hnsw_ef_construct {
                hnsw = hnsw.ef_construct(ef);
            }
            create = create.hnsw_config(hnsw);
        }
        if let Some(kb) = cfg.indexing_threshold_kb {
            create = create
                .optimizers_config(OptimizersConfigDiffBuilder::default().indexing_threshold(kb));
        }
        if let Some(n) = cfg.shard_number {
            create = create.shard_number(n);
        }
        if let Some(r) = cfg.replicas(self.nodes.nodes.len()) {
            create = create.replication_factor(r);
        }
        create = create.write_consistency_factor(cfg.write_consistency_factor.max(1));
        let create = create.build();
        self.block_on("create collection", |c| {
            let create = create.clone();
            async move { c.create_collection(create).await }
        })?;
        for (field, kind) in [
            ("text_id", FieldType::Keyword),
            ("corpus", FieldType::Keyword),
            ("tags", FieldType::Keyword),
            ("date", FieldType::Integer),
        ] {
            let req = CreateFieldIndexCollectionBuilder::new(&self.collection, field, kind)
                .wait(true)
                .build();
            self.block_on("create payload index", |c| {
                let req = req.clone();
                async move { c.create_field_index(req).await }
            })?;
        }
        Ok(())
    }

    /// One request through the nodes (see [`Nodes::call`]), on this store's runtime.
    fn block_on<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: Fn(Arc<Qdrant>) -> Fut,
        Fut: Future<Output = std::result::Result<T, QdrantError>>,
    {
        self.rt.block_on(self.nodes.call(what, call))
    }

    /// A BM25 query on the sparse vector, `TIE_MARGIN` hits beyond `k`.
    fn sparse_request(&self, q: &Sparse, k: usize, filter: &Filter) -> QueryPoints {
        let mut req = QueryPointsBuilder::new(&self.collection)
            .query(Query::new_nearest(VectorInput::new_sparse(
                q.indices.clone(),
                q.values.clone(),
            )))
            .using(BM25_VECTOR)
            .limit((k + TIE_MARGIN) as u64);
        if let Some(f) = to_filter(filter) {
            req = req.filter(f);
        }
        req.build()
    }

    /// Deletes the configured collection and every point in it (`migrate --overwrite`).
    pub fn drop_collection(cfg: &VectorStoreConfig) -> Result<()> {
        let (nodes, rt, _) = connect(cfg)?;
        let name = cfg.collection.clone();
        rt.block_on(nodes.call("delete collection", |c| {
            let name = name.clone();
            async move {
                if c.collection_exists(&name).await? {
                    c.delete_collection(&name).await?;
                }
                Ok(())
            }
        }))
    }

    /// Exact (brute-force) nearest neighbours, bypassing HNSW: what
    /// approximate searches are measured against.
    pub fn search_exact(&self, vector: &[f32], k: usize) -> Result<Vec<(u64, f32)>> {
        let req = SearchPointsBuilder::new(&self.collection, vector.to_vec(), k as u64)
            .params(SearchParamsBuilder::default().exact(true))
            .build();
        self.run_search(req)
    }

    fn run_search(&self, req: qdrant_client::qdrant::SearchPoints) -> Result<Vec<(u64, f32)>> {
        let res = self.block_on("search", |c| {
            let req = req.clone();
            async move { c.search_points(req).await }
        })?;
        Ok(res
            .result
            .into_iter()
            .filter_map(|p| point_id_num(p.id).map(|n| (n, p.score)))
            .collect())
    }

    /// Each node's own replicas of the collection: (shard, points, state
    /// name), asked of that node alone; a node that does not answer is an
    /// error naming it.
    pub fn local_shards(&self) -> Vec<(String, Result<Vec<LocalShard>>)> {
        self.nodes
            .nodes
            .iter()
            .map(|(url, c)| {
                let res = self
                    .rt
                    .block_on(c.collection_cluster_info(&self.collection))
                    .map_err(|e| err(&format!("cluster info from node {url}"), e))
                    .map(|info| {
                        info.local_shards
                            .into_iter()
                            .map(|s| {
                                let state = qdrant_client::qdrant::ReplicaState::try_from(s.state)
                                    .map_or_else(
                                        |_| s.state.to_string(),
                                        |r| r.as_str_name().to_string(),
                                    );
                                LocalShard {
                                    shard: s.shard_id,
                                    points: s.points_count,
                                    state,
                                }
                            })
                            .collect()
                    });
                (url.clone(), res)
            })
            .collect()
    }
}

/// One replica of a shard on the node that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalShard {
    pub shard: u32,
    pub points: u64,
    /// Qdrant's replica state: `Active`, `Dead`, `Partial`, `Recovery`…
    pub state: String,
}

/// One upsert request, retried with backoff: a busy or restarting node is
/// not a failure yet (and a node that does not answer is passed over for
/// the next). Waits for the server's acknowledgement; an upsert is
/// idempotent (same ids, same vectors), so a retry cannot duplicate.
async fn upsert_batch(
    nodes: Arc<Nodes>,
    collection: String,
    batch: Vec<PointStruct>,
) -> Result<()> {
    let mut attempt = 0;
    loop {
        let res = nodes
            .call("upsert", |c| {
                let req = UpsertPointsBuilder::new(&collection, batch.clone()).wait(true);
                async move { c.upsert_points(req).await }
            })
            .await;
        match res {
            Ok(_) => return Ok(()),
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "upsert failed, retrying");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// These points of `collection`: with their vectors, or with their payloads.
pub(super) fn get_points(
    nodes: &Nodes,
    rt: &tokio::runtime::Runtime,
    collection: &str,
    ids: &[u64],
    vectors: bool,
) -> Result<Vec<qdrant_client::qdrant::RetrievedPoint>> {
    let pids: Vec<PointId> = ids.iter().map(|&i| PointId::from(i)).collect();
    let req = GetPointsBuilder::new(collection, pids)
        .with_vectors(vectors)
        .with_payload(!vectors)
        .build();
    let res = rt.block_on(nodes.call("get points", |c| {
        let req = req.clone();
        async move { c.get_points(req).await }
    }))?;
    Ok(res.result)
}

pub(super) fn point_id_num(id: Option<PointId>) -> Option<u64> {
    match id.and_then(|i| i.point_id_options) {
        Some(PointIdOptions::Num(n)) => Some(n),
        _ => None,
    }
}

/// One vector of a response (servers from 1.16 fill the `vector` oneof;
/// older ones the deprecated `data`, dense only).
fn one_vector(v: qdrant_client::qdrant::VectorOutput) -> Option<vector_output::Vector> {
    #[allow(deprecated)]
    match v.vector {
        Some(inner) => Some(inner),
        None => Some(vector_output::Vector::Dense(
            qdrant_client::qdrant::DenseVector { data: v.data },
        )),
    }
}

/// The dense (unnamed) and the BM25 vector of a response.
fn both(v: Option<qdrant_client::qdrant::VectorsOutput>) -> (Option<Vec<f32>>, Option<Sparse>) {
    let (dense, sparse) = match v.and_then(|v| v.vectors_options) {
        Some(VectorsOptions::Vector(v)) => (one_vector(v), None),
        Some(VectorsOptions::Vectors(mut named)) => (
            named.vectors.remove("").and_then(one_vector),
            named.vectors.remove(BM25_VECTOR).and_then(one_vector),
        ),
        None => (None, None),
    };
    let dense = match dense {
        Some(vector_output::Vector::Dense(d)) => Some(d.data),
        _ => None,
    };
    let sparse = match sparse {
        Some(vector_output::Vector::Sparse(s)) => Some(Sparse {
            indices: s.indices,
            values: s.values,
        }),
        _ => None,
    };
    (dense, sparse)
}

/// The dense vector of a response.
fn dense(v: Option<qdrant_client::qdrant::VectorsOutput>) -> Option<Vec<f32>> {
    both(v).0
}

impl VectorStore for ServerStore {
    fn backend(&self) -> &'static str {
        "server"
    }

    /// Batches of `upsert_batch` points, `upsert_parallel` requests in flight.
    /// Returns only once every batch is acknowledged; the first failure (after
    /// retries) is the error, and the caller records nothing as written.
    fn upsert(&self, points: Vec<VectorPoint>) -> Result<()> {
        let batches = points
            .chunks(self.batch)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|p| {
                        let payload = Payload::try_from(
                            serde_json::to_value(&p.payload).expect("payload serialises"),
                        )
                        .map_err(|e| err("payload", e))?;
                        Ok(match p.sparse.as_ref().filter(|_| self.lexical) {
                            Some(sp) => {
                                let vectors = std::collections::HashMap::from([
                                    (String::new(), Vector::new_dense(p.vector.clone())),
                                    (
                                        BM25_VECTOR.to_string(),
                                        Vector::new_sparse(sp.indices.clone(), sp.values.clone()),
                                    ),
                                ]);
                                PointStruct::new(p.id, vectors, payload)
                            }
                            None => PointStruct::new(p.id, p.vector.clone(), payload),
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        self.rt.block_on(async {
            let mut in_flight = tokio::task::JoinSet::<Result<()>>::new();
            let mut first_error = None;
            for batch in batches {
                if in_flight.len() >= self.parallel {
                    if let Some(res) = in_flight.join_next().await {
                        first_error = first_error.or(res.map_err(|e| err("upsert task", e))?.err());
                    }
                }
                if first_error.is_some() {
                    break;
                }
                in_flight.spawn(upsert_batch(
                    self.nodes.clone(),
                    self.collection.clone(),
                    batch,
                ));
            }
            while let Some(res) = in_flight.join_next().await {
                first_error = first_error.or(res.map_err(|e| err("upsert task", e))?.err());
            }
            first_error.map_or(Ok(()), Err)
        })
    }

    fn delete_text(&self, text_id: &str) -> Result<()> {
        let filter = QFilter::must([Condition::matches("text_id", text_id.to_string())]);
        let req = DeletePointsBuilder::new(&self.collection)
            .points(filter)
            .wait(true)
            .build();
        self.block_on("delete", |c| {
            let req = req.clone();
            async move { c.delete_points(req).await }
        })
        .map(|_| ())
    }

    fn search(&self, vector: &[f32], k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>> {
        self.search_ef(vector, k, filter, 0)
    }

    /// `ef` 0: the server's default beam.
    fn has_lexical(&self) -> bool {
        self.lexical
    }

    /// One query on the sparse vector; the server applies the IDF (each
    /// shard over its own points).
    fn lexical_search(&self, q: &Sparse, k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>> {
        if !self.lexical {
            return Err(super::edge::no_lexical());
        }
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let req = self.sparse_request(q, k, filter);
        let res = self.block_on("lexical search", |c| {
            let req = req.clone();
            async move { c.query(req).await }
        })?;
        Ok(scored(res.result, k))
    }

    fn lexical_search_batch(&self, queries: &[Sparse], k: usize) -> Result<Vec<Vec<(u64, f32)>>> {
        if !self.lexical {
            return Err(super::edge::no_lexical());
        }
        let asked: Vec<QueryPoints> = queries
            .iter()
            .filter(|q| !q.is_empty())
            .map(|q| self.sparse_request(q, k, &Filter::default()))
            .collect();
        let mut answers = if asked.is_empty() {
            Vec::new()
        } else {
            let req = QueryBatchPointsBuilder::new(&self.collection, asked).build();
            self.block_on("lexical search (batch)", |c| {
                let req = req.clone();
                async move { c.query_batch(req).await }
            })?
            .result
        }
        .into_iter();
        // Empty queries were not sent: they have no hits.
        Ok(queries
            .iter()
            .map(|q| {
                if q.is_empty() {
                    return Vec::new();
                }
                answers
                    .next()
                    .map_or_else(Vec::new, |r| scored(r.result, k))
            })
            .collect())
    }

    fn search_ef(
        &self,
        vector: &[f32],
        k: usize,
        filter: &Filter,
        ef: usize,
    ) -> Result<Vec<(u64, f32)>> {
        let mut req = SearchPointsBuilder::new(&self.collection, vector.to_vec(), k as u64);
        if ef > 0 {
            req = req.params(SearchParamsBuilder::default().hnsw_ef(ef as u64));
        }
        if let Some(f) = to_filter(filter) {
            req = req.filter(f);
        }
        self.run_search(req.build())
    }

    fn payloads(&self, ids: &[u64]) -> Result<Vec<Option<PointPayload>>> {
        let points = get_points(&self.nodes, &self.rt, &self.collection, ids, false)?;
        let mut by_id = std::collections::HashMap::new();
        for p in points {
            let Some(n) = point_id_num(p.id) else {
                continue;
            };
            let json = serde_json::Value::from(Payload::from(p.payload));
            let payload: PointPayload = serde_json::from_value(json).map_err(|e| {
                err(
                    "get payloads",
                    format!("point {n}: unexpected payload: {e}"),
                )
            })?;
            by_id.insert(n, payload);
        }
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
    }

    fn vectors(&self, ids: &[u64]) -> Result<Vec<Option<Vec<f32>>>> {
        let points = get_points(&self.nodes, &self.rt, &self.collection, ids, true)?;
        let mut by_id = std::collections::HashMap::new();
        for p in points {
            if let (Some(n), Some(v)) = (point_id_num(p.id), dense(p.vectors)) {
                by_id.insert(n, v);
            }
        }
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
    }

    fn scroll(&self, offset: Option<u64>, limit: usize) -> Result<(Vec<VectorPoint>, Option<u64>)> {
        let mut req = ScrollPointsBuilder::new(&self.collection)
            .limit(limit.max(1) as u32)
            .with_payload(true)
            .with_vectors(true);
        if let Some(o) = offset {
            req = req.offset(PointId::from(o));
        }
        let req = req.build();
        let res = self.block_on("scroll", |c| {
            let req = req.clone();
            async move { c.scroll(req).await }
        })?;
        let mut points = Vec::with_capacity(res.result.len());
        for p in res.result {
            let id =
                point_id_num(p.id).ok_or_else(|| err("scroll", "a point without a numeric id"))?;
            let (vector, sparse) = both(p.vectors);
            let vector =
                vector.ok_or_else(|| err("scroll", format!("point {id} has no dense vector")))?;
            let json = serde_json::Value::from(Payload::from(p.payload));
            let payload: PointPayload = serde_json::from_value(json)
                .map_err(|e| err("scroll", format!("point {id}: unexpected payload: {e}")))?;
            points.push(VectorPoint {
                id,
                vector,
                sparse,
                payload,
            });
        }
        Ok((points, point_id_num(res.next_page_offset)))
    }

    fn count(&self) -> Result<usize> {
        let req = CountPointsBuilder::new(&self.collection)
            .exact(true)
            .build();
        let res = self.block_on("count", |c| {
            let req = req.clone();
            async move { c.count(req).await }
        })?;
        Ok(res.result.map_or(0, |r| r.count as usize))
    }

    fn flush(&self) -> Result<()> {
        Ok(()) // every write above waited for the server's acknowledgement
    }

    fn build_index(&self) -> Result<()> {
        Ok(()) // the server builds HNSW in the background above its indexing threshold
    }
}

#[cfg(test)]
mod tests {
    use super::{tie_ordered, unreachable};

    #[test]
    fn issue_14_tied_bm25_hits_rank_by_point_id_whatever_the_shards_order() {
        let a = tie_ordered(vec![(9, 5.0), (3, 7.0), (4, 5.0), (1, 5.0)], 3);
        let b = tie_ordered(vec![(1, 5.0), (4, 5.0), (3, 7.0), (9, 5.0)], 3);
        assert_eq!(a, vec![(3, 7.0), (1, 5.0), (4, 5.0)]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_silent_node_is_passed_over_but_a_node_naming_a_dead_replica_answered() {
        assert!(unreachable("Error in the response: Internal error Failed to connect to http://127.0.0.1:20007/: tcp connect error"));
        assert!(unreachable(
            "status: Unavailable, message: \"tcp connect error\""
        ));
        assert!(!unreachable(
            "Error in the response: Internal error Service internal error: 1 of 1 read operations failed: \
             Tonic status error: code: 'The service is currently unavailable', message: \"tcp connect error\""
        ));
        assert!(!unreachable(
            "Wrong input: Vector dimension error: expected dim: 64, got 3"
        ));
    }
}
