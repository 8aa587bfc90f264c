//! The embedded vector store: qdrant-edge (Qdrant's engine, in-process, on disk).

use std::path::Path;

use qdrant_edge::external::ordered_float::OrderedFloat;
use qdrant_edge::{
    Condition, CountRequest, CreateIndex, Distance, EdgeConfig, EdgeShard, EdgeSparseVectorParams,
    EdgeVectorParams, FieldCondition, FieldIndexOperations, Filter as QFilter, JsonPath, Match,
    Modifier, NamedQuery, PayloadFieldSchema, PayloadSchemaType, PointId, PointInsertOperations,
    PointOperations, PointStruct, QueryEnum, QueryRequest, Range, ScoringQuery, ScrollRequest,
    SearchParams, SparseVector, UpdateOperation, Vector, VectorInternal, Vectors,
    WithPayloadInterface, WithVector,
};
use std::sync::Mutex;

use super::{Filter, PointPayload, Sparse, VectorPoint, VectorStore, BM25_VECTOR};

use crate::error::{Error, Result};

pub struct EdgeStore {
    shard: EdgeShard,
    /// Whether the store was made with the BM25 sparse vector (issue 14).
    lexical: bool,
    /// qdrant-edge serialises updates itself; this keeps flush/optimize out of their way.
    write: Mutex<()>,
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::VectorStore(e.to_string())
}

fn key(k: &str) -> JsonPath {
    k.parse().expect("payload keys are plain names")
}

/// Our filter as a Qdrant filter.
pub(crate) fn to_qdrant(f: &Filter) -> Option<QFilter> {
    let mut must = Vec::new();
    if !f.corpora.is_empty() {
        must.push(Condition::Field(FieldCondition::new_match(
            key("corpus"),
            Match::from(f.corpora.clone()),
        )));
    }
    if f.date_from.is_some() || f.date_to.is_some() {
        must.push(Condition::Field(FieldCondition::new_range(
            key("date"),
            Range {
                gte: f.date_from.map(|d| OrderedFloat(d as f64)),
                lte: f.date_to.map(|d| OrderedFloat(d as f64)),
                lt: None,
                gt: None,
            },
        )));
    }
    for t in &f.tags {
        must.push(Condition::Field(FieldCondition::new_match(
            key("tags"),
            Match::from(t.clone()),
        )));
    }
    let must_not = f.exclude_text.as_ref().map(|t| {
        vec![Condition::Field(FieldCondition::new_match(
            key("text_id"),
            Match::from(t.clone()),
        ))]
    });
    if must.is_empty() && must_not.is_none() {
        return None;
    }
    let mut q = QFilter::new();
    q.must = (!must.is_empty()).then_some(must);
    q.must_not = must_not;
    Some(q)
}

/// The error of a lexical search on a store made without the BM25 vector.
pub(crate) fn no_lexical() -> Error {
    Error::Config(
        "this vector store was made before it held BM25 vectors; set search.lexical = \"text_index\" or re-index into a new data dir".into(),
    )
}

fn payload_json(p: &PointPayload) -> serde_json::Value {
    serde_json::to_value(p).expect("payload serialises")
}

impl EdgeStore {
    /// Opens the store in `dir`, creating it for vectors of `dim` dimensions
    /// (0 opens an existing store with the dimension it was made with).
    pub fn open(dir: &Path, dim: usize) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let config = EdgeConfig::builder()
            .vector(
                "",
                EdgeVectorParams::builder(dim, Distance::Cosine)
                    .on_disk(true)
                    .build(),
            )
            .sparse_vector(
                BM25_VECTOR,
                EdgeSparseVectorParams::builder()
                    .modifier(Modifier::Idf)
                    .on_disk(true)
                    .build(),
            )
            .on_disk_payload(true)
            .build();
        let has_data = dir.join("edge_config.json").exists();
        let shard = if has_data {
            // An existing store keeps the config it was made with: one made
            // before the BM25 vector opens without it.
            EdgeShard::load(dir, None)
        } else {
            EdgeShard::new(dir, config)
        }
        .map_err(|e| Error::VectorStore(format!("cannot open {}: {e}", dir.display())))?;
        let (stored_dim, lexical) = {
            let c = shard.config();
            let dim = c.vectors.get("").map(|v| v.size);
            (dim, c.sparse_vectors.contains_key(BM25_VECTOR))
        };
        if dim > 0 && stored_dim.is_some_and(|d| d != dim) {
            return Err(Error::VectorStore(format!(
                "{} holds vectors of {} dimensions, the model gives {dim}: re-index into a new data dir",
                dir.display(),
                stored_dim.unwrap_or(0)
            )));
        }
        let store = EdgeStore {
            shard,
            lexical,
            write: Mutex::new(()),
        };
        if !has_data {
            // Payload indexes: deleting a text's points and filtering stay cheap as the store grows.
            for (field, kind) in [
                ("text_id", PayloadSchemaType::Keyword),
                ("corpus", PayloadSchemaType::Keyword),
                ("tags", PayloadSchemaType::Keyword),
                ("date", PayloadSchemaType::Integer),
            ] {
                store
                    .shard
                    .update(UpdateOperation::FieldIndexOperation(
                        FieldIndexOperations::CreateIndex(CreateIndex {
                            field_name: key(field),
                            field_schema: Some(PayloadFieldSchema::FieldType(kind)),
                        }),
                    ))
                    .map_err(err)?;
            }
        }
        Ok(store)
    }
}

impl EdgeStore {
    fn query(
        &self,
        query: NamedQuery<VectorInternal>,
        k: usize,
        filter: &Filter,
        ef: Option<usize>,
    ) -> Result<Vec<(u64, f32)>> {
        let request = QueryRequest {
            prefetches: vec![],
            query: Some(ScoringQuery::Vector(QueryEnum::Nearest(query))),
            filter: to_qdrant(filter),
            score_threshold: None,
            limit: k,
            offset: 0,
            params: ef.map(|ef| SearchParams {
                hnsw_ef: Some(ef),
                ..Default::default()
            }),
            with_vector: WithVector::Bool(false),
            with_payload: WithPayloadInterface::Bool(false),
        };
        let points = self.shard.query(request).map_err(err)?;
        Ok(points
            .into_iter()
            .filter_map(|p| match p.id {
                PointId::NumId(id) => Some((id, p.score)),
                _ => None,
            })
            .collect())
    }
}

impl VectorStore for EdgeStore {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    fn upsert(&self, points: Vec<VectorPoint>) -> Result<()> {
        if points.is_empty() {
            return Ok(());
        }
        let points = points
            .into_iter()
            .map(|p| {
                let payload = payload_json(&p.payload);
                match p.sparse.filter(|_| self.lexical) {
                    Some(sp) => {
                        let sparse = SparseVector::new(sp.indices, sp.values).map_err(err)?;
                        let v = Vectors::new_named([
                            ("", Vector::new_dense(p.vector)),
                            (BM25_VECTOR, Vector::from(sparse)),
                        ]);
                        Ok(PointStruct::new(p.id, v, payload).into())
                    }
                    None => Ok(PointStruct::new(p.id, p.vector, payload).into()),
                }
            })
            .collect::<Result<_>>()?;
        let _g = self.write.lock().unwrap_or_else(|p| p.into_inner());
        self.shard
            .update(UpdateOperation::PointOperation(
                PointOperations::UpsertPoints(PointInsertOperations::PointsList(points)),
            ))
            .map_err(err)
    }

    fn delete_text(&self, text_id: &str) -> Result<()> {
        let filter = QFilter::new_must(Condition::Field(FieldCondition::new_match(
            key("text_id"),
            Match::from(text_id.to_string()),
        )));
        let _g = self.write.lock().unwrap_or_else(|p| p.into_inner());
        self.shard
            .update(UpdateOperation::PointOperation(
                PointOperations::DeletePointsByFilter(filter),
            ))
            .map_err(err)
    }

    fn search(&self, vector: &[f32], k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>> {
        self.query(NamedQuery::default_dense(vector.to_vec()), k, filter, None)
    }

    fn has_lexical(&self) -> bool {
        self.lexical
    }

    fn lexical_search(&self, q: &Sparse, k: usize, filter: &Filter) -> Result<Vec<(u64, f32)>> {
        if !self.lexical {
            return Err(no_lexical());
        }
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let sparse = SparseVector::new(q.indices.clone(), q.values.clone()).map_err(err)?;
        let query = NamedQuery::new(VectorInternal::Sparse(sparse), BM25_VECTOR);
        self.query(query, k, filter, None)
    }

    fn search_ef(
        &self,
        vector: &[f32],
        k: usize,
        filter: &Filter,
        ef: usize,
    ) -> Result<Vec<(u64, f32)>> {
        self.query(
            NamedQuery::default_dense(vector.to_vec()),
            k,
            filter,
            Some(ef),
        )
    }

    fn payloads(&self, ids: &[u64]) -> Result<Vec<Option<PointPayload>>> {
        let pids: Vec<PointId> = ids.iter().map(|&i| PointId::NumId(i)).collect();
        let records = self
            .shard
            .retrieve(
                &pids,
                Some(WithPayloadInterface::Bool(true)),
                Some(WithVector::Bool(false)),
            )
            .map_err(err)?;
        let mut by_id = std::collections::HashMap::new();
        for r in records {
            let PointId::NumId(id) = r.id else { continue };
            let json = serde_json::Value::Object(r.payload.map(|p| p.0).unwrap_or_default());
            let payload: PointPayload = serde_json::from_value(json)
                .map_err(|e| err(format!("point {id}: unexpected payload: {e}")))?;
            by_id.insert(id, payload);
        }
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
    }

    fn vectors(&self, ids: &[u64]) -> Result<Vec<Option<Vec<f32>>>> {
        let pids: Vec<PointId> = ids.iter().map(|&i| PointId::NumId(i)).collect();
        let records = self
            .shard
            .retrieve(
                &pids,
                Some(WithPayloadInterface::Bool(false)),
                Some(WithVector::Bool(true)),
            )
            .map_err(err)?;
        let mut by_id = std::collections::HashMap::new();
        for r in records {
            if let (PointId::NumId(id), Some(v)) = (r.id, r.vector) {
                if let qdrant_edge::VectorStructInternal::Single(v) = v {
                    by_id.insert(id, v);
                } else if let qdrant_edge::VectorStructInternal::Named(mut m) = v {
                    if let Some(qdrant_edge::VectorInternal::Dense(v)) = m.remove("") {
                        by_id.insert(id, v);
                    }
                }
            }
        }
        Ok(ids.iter().map(|i| by_id.remove(i)).collect())
    }

    fn scroll(&self, offset: Option<u64>, limit: usize) -> Result<(Vec<VectorPoint>, Option<u64>)> {
        let (records, next) = self
            .shard
            .scroll(ScrollRequest {
                offset: offset.map(PointId::NumId),
                limit: Some(limit.max(1)),
                filter: None,
                with_payload: Some(WithPayloadInterface::Bool(true)),
                with_vector: WithVector::Bool(true),
                order_by: None,
            })
            .map_err(err)?;
        let mut points = Vec::with_capacity(records.len());
        for r in records {
            let PointId::NumId(id) = r.id else {
                return Err(err("a point without a numeric id"));
            };
            let (vector, sparse) = match r.vector {
                Some(qdrant_edge::VectorStructInternal::Single(v)) => (Some(v), None),
                Some(qdrant_edge::VectorStructInternal::Named(mut m)) => {
                    let dense = match m.remove("") {
                        Some(VectorInternal::Dense(v)) => Some(v),
                        _ => None,
                    };
                    let sparse = match m.remove(BM25_VECTOR) {
                        Some(VectorInternal::Sparse(v)) => Some(Sparse {
                            indices: v.indices,
                            values: v.values,
                        }),
                        _ => None,
                    };
                    (dense, sparse)
                }
                _ => (None, None),
            };
            let vector = vector.ok_or_else(|| err(format!("point {id} has no dense vector")))?;
            let json = serde_json::Value::Object(r.payload.map(|p| p.0).unwrap_or_default());
            let payload: PointPayload = serde_json::from_value(json)
                .map_err(|e| err(format!("point {id}: unexpected payload: {e}")))?;
            points.push(VectorPoint {
                id,
                vector,
                sparse,
                payload,
            });
        }
        let next = next.and_then(|n| match n {
            PointId::NumId(n) => Some(n),
            _ => None,
        });
        Ok((points, next))
    }

    fn count(&self) -> Result<usize> {
        self.shard
            .count(CountRequest {
                filter: None,
                exact: true,
            })
            .map_err(err)
    }

    fn flush(&self) -> Result<()> {
        let _g = self.write.lock().unwrap_or_else(|p| p.into_inner());
        self.shard.flush();
        Ok(())
    }

    fn build_index(&self) -> Result<()> {
        let _g = self.write.lock().unwrap_or_else(|p| p.into_inner());
        self.shard.optimize().map_err(err)?;
        Ok(())
    }
}
