//! The Qdrant server backend (the scale-out path), behind the same
//! [`VectorStore`] trait as the embedded store. Built with the
//! `qdrant-server` feature; chosen by `vector_store.backend = "server"` or
//! `QDRANT_URL`.
//!
//! The client is async (gRPC); the trait is blocking, like the engine's
//! callers (which run off the async runtime), so each call runs on a small
//! runtime of its own. Writes wait for the server's acknowledgement: no
//! success is reported for unwritten points.

use std::time::Duration;

use qdrant_client::qdrant::point_id::PointIdOptions;
use qdrant_client::qdrant::vector_output;
use qdrant_client::qdrant::vectors_output::VectorsOptions;
use qdrant_client::qdrant::{
    Condition, CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder,
    DeletePointsBuilder, Distance, FieldType, Filter as QFilter, GetPointsBuilder, PointId,
    PointStruct, Range, ScalarQuantizationBuilder, SearchPointsBuilder, UpsertPointsBuilder,
    VectorParamsBuilder,
};
use qdrant_client::{Payload, Qdrant};

use super::{Filter, VectorPoint, VectorStore};
use crate::config::VectorStoreConfig;
use crate::error::{Error, Result};

pub struct ServerStore {
    client: Qdrant,
    collection: String,
    rt: tokio::runtime::Runtime,
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::VectorStore(format!("Qdrant server: {what}: {e}"))
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

impl ServerStore {
    /// Connects, and creates the collection (cosine, on-disk vectors, int8
    /// scalar quantisation, payload indexes for the filter fields) if needed.
    pub fn open(cfg: &VectorStoreConfig, dim: usize) -> Result<Self> {
        let url = cfg
            .url
            .clone()
            .ok_or_else(|| Error::Config("vector_store.url (or QDRANT_URL) is required".into()))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| err("runtime", e))?;
        let mut builder = Qdrant::from_url(&url)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5));
        if let Ok(key) = std::env::var("QDRANT_API_KEY") {
            builder = builder.api_key(key);
        }
        let client = builder
            .build()
            .map_err(|e| err(&format!("cannot connect to {url}"), e))?;
        let store = ServerStore {
            client,
            collection: cfg.collection.clone(),
            rt,
        };
        let exists = store
            .rt
            .block_on(store.client.collection_exists(&store.collection))
            .map_err(|e| err(&format!("{url} is unreachable"), e))?;
        if !exists {
            let mut create = CreateCollectionBuilder::new(&store.collection)
                .vectors_config(
                    VectorParamsBuilder::new(dim as u64, Distance::Cosine).on_disk(true),
                )
                .quantization_config(ScalarQuantizationBuilder::default());
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
}

impl VectorStore for ServerStore {
    fn backend(&self) -> &'static str {
        "server"
    }

    fn upsert(&self, points: Vec<VectorPoint>) -> Result<()> {
        for chunk in points.chunks(256) {
            let batch: Vec<PointStruct> = chunk
                .iter()
                .map(|p| {
                    let payload = Payload::try_from(
                        serde_json::to_value(&p.payload).expect("payload serialises"),
                    )
                    .map_err(|e| err("payload", e))?;
                    Ok(PointStruct::new(p.id, p.vector.clone(), payload))
                })
                .collect::<Result<_>>()?;
            // A few retries with backoff: a busy or restarting node is not a failure yet.
            let mut attempt = 0;
            loop {
                let res = self.rt.block_on(self.client.upsert_points(
                    UpsertPointsBuilder::new(&self.collection, batch.clone()).wait(true),
                ));
                match res {
                    Ok(_) => break,
                    Err(e) if attempt < 3 => {
                        attempt += 1;
                        tracing::warn!(error = %e, attempt, "upsert failed, retrying");
                        std::thread::sleep(Duration::from_millis(200 << attempt));
                    }
                    Err(e) => return Err(err("upsert", e)),
                }
            }
        }
        Ok(())
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
        let mut req = SearchPointsBuilder::new(&self.collection, vector.to_vec(), k as u64);
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
            .filter_map(|p| match p.id.and_then(|i| i.point_id_options) {
                Some(PointIdOptions::Num(n)) => Some((n, p.score)),
                _ => None,
            })
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
            let Some(PointIdOptions::Num(n)) = p.id.and_then(|i| i.point_id_options) else {
                continue;
            };
            if let Some(VectorsOptions::Vector(v)) = p.vectors.and_then(|v| v.vectors_options) {
                // Servers from 1.16 fill the `vector` oneof; older ones the deprecated `data`.
                #[allow(deprecated)]
                let data = match v.vector {
                    Some(vector_output::Vector::Dense(d)) => d.data,
                    _ => v.data,
                };
                by_id.insert(n, data);
            }
        }
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
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
