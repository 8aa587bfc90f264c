//! The Qdrant server backend (the scale-out path), behind the same
//! [`VectorStore`] trait as the embedded store. Built with the
//! `qdrant-server` feature; chosen by `vector_store.backend = "server"` or
//! `QDRANT_URL`.
//!
//! The client is async (gRPC); the trait is blocking, like the engine's
//! callers (which run off the async runtime), so each call runs on a small
//! runtime of its own. Writes wait for the server's acknowledgement: no
//! success is reported for unwritten points.

use std::sync::Arc;
use std::time::Duration;

use qdrant_client::qdrant::point_id::PointIdOptions;
use qdrant_client::qdrant::vector_output;
use qdrant_client::qdrant::vectors_output::VectorsOptions;
use qdrant_client::qdrant::{
    Condition, CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder,
    DeletePointsBuilder, Distance, FieldType, Filter as QFilter, GetPointsBuilder,
    HnswConfigDiffBuilder, PointId, PointStruct, Range, ScalarQuantizationBuilder,
    ScrollPointsBuilder, SearchParamsBuilder, SearchPointsBuilder, UpsertPointsBuilder,
    VectorParamsBuilder,
};
use qdrant_client::{Payload, Qdrant};

use super::{Filter, PointPayload, VectorPoint, VectorStore};
use crate::config::VectorStoreConfig;
use crate::error::{Error, Result};

pub struct ServerStore {
    client: Arc<Qdrant>,
    collection: String,
    rt: tokio::runtime::Runtime,
    batch: usize,
    parallel: usize,
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    let detail = e.to_string();
    // tonic's transport errors are long; say what happened and what to do first.
    let unreachable = [
        "Connection refused",
        "tcp connect error",
        "Unavailable",
        "transport error",
        "Timeout expired",
        "deadline has elapsed",
    ]
    .iter()
    .any(|m| detail.contains(m));
    if unreachable {
        Error::VectorStore(format!(
            "Qdrant server unreachable during {what}: start it (or fix vector_store.url / QDRANT_URL) and rerun; \
             indexing resumes where it stopped. Cause: {detail}"
        ))
    } else {
        Error::VectorStore(format!("Qdrant server: {what}: {detail}"))
    }
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

fn connect(cfg: &VectorStoreConfig) -> Result<(Qdrant, tokio::runtime::Runtime, String)> {
    let url = cfg
        .url
        .clone()
        .ok_or_else(|| Error::Config("vector_store.url (or QDRANT_URL) is required".into()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| err("runtime", e))?;
    let mut builder = Qdrant::from_url(&url)
        .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
        .connect_timeout(Duration::from_secs(5));
    if let Ok(key) = std::env::var("QDRANT_API_KEY") {
        builder = builder.api_key(key);
    }
    let client = builder
        .build()
        .map_err(|e| err(&format!("cannot connect to {url}"), e))?;
    Ok((client, rt, url))
}

impl ServerStore {
    /// Connects, and creates the collection (cosine, on-disk vectors, int8
    /// scalar quantisation, payload indexes for the filter fields: as
    /// configured) if needed; `dim` 0 only opens an existing one.
    pub fn open(cfg: &VectorStoreConfig, dim: usize) -> Result<Self> {
        let (client, rt, url) = connect(cfg)?;
        let store = ServerStore {
            client: Arc::new(client),
            collection: cfg.collection.clone(),
            rt,
            batch: cfg.upsert_batch.max(1),
            parallel: cfg.upsert_parallel.max(1),
        };
        let exists = store
            .rt
            .block_on(store.client.collection_exists(&store.collection))
            .map_err(|e| err(&format!("{url} is unreachable"), e))?;
        if !exists && dim == 0 {
            // A reader that does not know the dimension (migrate's source)
            // opens an existing collection, as the embedded store does.
            return Err(Error::Config(format!(
                "collection {:?} does not exist on {url}",
                store.collection
            )));
        }
        if !exists {
            let mut create = CreateCollectionBuilder::new(&store.collection).vectors_config(
                VectorParamsBuilder::new(dim as u64, Distance::Cosine).on_disk(cfg.on_disk),
            );
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
            if let Some(n) = cfg.shard_number {
                create = create.shard_number(n);
            }
            if let Some(r) = cfg.replication_factor {
                create = create.replication_factor(r);
            }
            store
                .rt
                .block_on(store.client.create_collection(create))
                .map_err(|e| err("create collection", e))?;
            for (field, kind) in [
                ("text_id", FieldType::Keyword),
                ("corpus", FieldType::Keyword),
                ("tags", FieldType::Keyword),
                ("date", FieldType::Integer),
            ] {
                store
                    .rt
                    .block_on(
                        store.client.create_field_index(
                            CreateFieldIndexCollectionBuilder::new(&store.collection, field, kind)
                                .wait(true),
                        ),
                    )
                    .map_err(|e| err("create payload index", e))?;
            }
        }
        Ok(store)
    }

    /// Deletes the configured collection and every point in it (`migrate --overwrite`).
    pub fn drop_collection(cfg: &VectorStoreConfig) -> Result<()> {
        let (client, rt, _) = connect(cfg)?;
        rt.block_on(async {
            if client.collection_exists(&cfg.collection).await? {
                client.delete_collection(&cfg.collection).await?;
            }
            Ok::<_, qdrant_client::QdrantError>(())
        })
        .map_err(|e| err("delete collection", e))
    }
}

/// One upsert request, retried with backoff: a busy or restarting node is
/// not a failure yet. Waits for the server's acknowledgement.
async fn upsert_batch(
    client: Arc<Qdrant>,
    collection: String,
    batch: Vec<PointStruct>,
) -> Result<()> {
    let mut attempt = 0;
    loop {
        let res = client
            .upsert_points(UpsertPointsBuilder::new(&collection, batch.clone()).wait(true))
            .await;
        match res {
            Ok(_) => return Ok(()),
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "upsert failed, retrying");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            Err(e) => return Err(err("upsert", e)),
        }
    }
}

fn point_id_num(id: Option<PointId>) -> Option<u64> {
    match id.and_then(|i| i.point_id_options) {
        Some(PointIdOptions::Num(n)) => Some(n),
        _ => None,
    }
}

/// A dense vector from a response (servers from 1.16 fill the `vector`
/// oneof; older ones the deprecated `data`).
fn dense(v: Option<qdrant_client::qdrant::VectorsOutput>) -> Option<Vec<f32>> {
    match v.and_then(|v| v.vectors_options)? {
        VectorsOptions::Vector(v) => {
            #[allow(deprecated)]
            let data = match v.vector {
                Some(vector_output::Vector::Dense(d)) => d.data,
                _ => v.data,
            };
            Some(data)
        }
        _ => None,
    }
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
                        Ok(PointStruct::new(p.id, p.vector.clone(), payload))
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
                    self.client.clone(),
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
        self.rt
            .block_on(
                self.client.delete_points(
                    DeletePointsBuilder::new(&self.collection)
                        .points(filter)
                        .wait(true),
                ),
            )
            .map(|_| ())
            .map_err(|e| err("delete", e))
    }

    fn search(&self, vector: &[f32], k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>> {
        self.search_ef(vector, k, filter, 0)
    }

    /// `ef` 0: the server's default beam.
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
        let res = self
            .rt
            .block_on(self.client.search_points(req))
            .map_err(|e| err("search", e))?;
        Ok(res
            .result
            .into_iter()
            .filter_map(|p| point_id_num(p.id).map(|n| (n, p.score)))
            .collect())
    }

    fn vectors(&self, ids: &[u64]) -> Result<Vec<Option<Vec<f32>>>> {
        let pids: Vec<PointId> = ids.iter().map(|&i| PointId::from(i)).collect();
        let res = self
            .rt
            .block_on(
                self.client.get_points(
                    GetPointsBuilder::new(&self.collection, pids)
                        .with_vectors(true)
                        .with_payload(false),
                ),
            )
            .map_err(|e| err("get points", e))?;
        let mut by_id = std::collections::HashMap::new();
        for p in res.result {
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
        let res = self
            .rt
            .block_on(self.client.scroll(req))
            .map_err(|e| err("scroll", e))?;
        let mut points = Vec::with_capacity(res.result.len());
        for p in res.result {
            let id =
                point_id_num(p.id).ok_or_else(|| err("scroll", "a point without a numeric id"))?;
            let vector = dense(p.vectors)
                .ok_or_else(|| err("scroll", format!("point {id} has no dense vector")))?;
            let json = serde_json::Value::from(Payload::from(p.payload));
            let payload: PointPayload = serde_json::from_value(json)
                .map_err(|e| err("scroll", format!("point {id}: unexpected payload: {e}")))?;
            points.push(VectorPoint {
                id,
                vector,
                payload,
            });
        }
        Ok((points, point_id_num(res.next_page_offset)))
    }

    fn count(&self) -> Result<usize> {
        let res = self
            .rt
            .block_on(
                self.client
                    .count(CountPointsBuilder::new(&self.collection).exact(true)),
            )
            .map_err(|e| err("count", e))?;
        Ok(res.result.map_or(0, |r| r.count as usize))
    }

    fn flush(&self) -> Result<()> {
        Ok(()) // every write above waited for the server's acknowledgement
    }

    fn build_index(&self) -> Result<()> {
        Ok(()) // the server builds HNSW in the background above its indexing threshold
    }
}
