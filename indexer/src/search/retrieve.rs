//! Candidates of each retriever at both levels, and their fusion.
//!
//! Owns: which points each retriever proposes (committed ones only) and the
//! fusion's settings. Must not: touch stored texts beyond the units a
//! fusion needs.

use std::collections::{HashMap, HashSet};

use super::{Mode, Ranked};
use crate::config::{FusionMethod, LexicalSource};
use crate::engine::Engine;
use crate::error::Result;
use crate::fusion::{self, Fused, FusedLevels, Levels};
use crate::ids;
use crate::store::{self, Filter, StoredParagraph, TextIndex};

/// What each retriever found at both levels: paragraphs and retrieval units.
#[derive(Debug, Clone, Default)]
pub struct Retrieved {
    pub dense: Ranked,
    pub bm25: Ranked,
    pub unit_dense: Ranked,
    pub unit_bm25: Ranked,
}

/// Fused paragraphs (best first) and the stored units they belong to.
pub type FusedSearch = (Vec<FusedLevels<u64, u64>>, HashMap<u64, StoredParagraph>);

impl Engine {
    /// The stored retrieval units of these points, in the given order.
    pub fn unit_stores_get(&self, points: &[u64]) -> Result<Vec<StoredParagraph>> {
        let mut by_point: HashMap<u64, StoredParagraph> = self
            .passages(points, true)?
            .into_iter()
            .map(|u| (u.point, u))
            .collect();
        Ok(points.iter().filter_map(|p| by_point.remove(p)).collect())
    }

    /// Candidates of each retriever at both levels, best first: paragraphs
    /// and retrieval units, as (point, score). The query is embedded once
    /// (or not at all when it was asked recently), and in hybrid mode BM25
    /// runs while it is (issue 15).
    pub fn retrieve(
        &self,
        query: &str,
        n: usize,
        mode: Mode,
        filter: &Filter,
    ) -> Result<Retrieved> {
        match mode {
            Mode::Bm25 => self.retrieve_with(query, &[], n, mode, filter),
            Mode::Dense => self.retrieve_with(query, &self.query_vector(query)?, n, mode, filter),
            Mode::Hybrid => {
                let (v, lexical) = std::thread::scope(|s| {
                    let lexical = s.spawn(|| self.lexical(query, n, filter));
                    (self.query_vector(query), lexical.join())
                });
                let mut r = self.retrieve_with(query, &v?, n, Mode::Dense, filter)?;
                (r.bm25, r.unit_bm25) = lexical.map_err(|_| {
                    crate::error::Error::Corrupt("the BM25 search panicked".into())
                })??;
                Ok(r)
            }
        }
    }

    /// The query's vector, from the recent queries or the model.
    fn query_vector(&self, query: &str) -> Result<std::sync::Arc<Vec<f32>>> {
        if let Some(v) = self.queries.get(query) {
            return Ok(v);
        }
        let v = std::sync::Arc::new(self.embedder.embed_query(query)?);
        self.queries.put(query, v.clone());
        Ok(v)
    }

    /// BM25 candidates at both levels: paragraphs, then units, from the
    /// configured source.
    fn lexical(&self, query: &str, n: usize, filter: &Filter) -> Result<(Ranked, Ranked)> {
        self.lexical_from(self.config.search.lexical, query, n, filter)
    }

    /// BM25 candidates at both levels from `source`: the tantivy index, or
    /// the vector store's sparse vectors (one query per level, the store
    /// applying the IDF). Evaluation compares both (issue 14).
    pub fn lexical_from(
        &self,
        source: LexicalSource,
        query: &str,
        n: usize,
        filter: &Filter,
    ) -> Result<(Ranked, Ranked)> {
        let units_n = (n / 2).max(1);
        match source {
            LexicalSource::TextIndex => Ok((
                self.text.search(query, n, filter)?,
                self.units.text.search(query, units_n, filter)?,
            )),
            LexicalSource::VectorStore => {
                let q = crate::lexical::query_vector(query);
                Ok((
                    self.committed(self.vectors.lexical_search(&q, n, filter)?)?,
                    self.committed_units(self.units.vectors.lexical_search(&q, units_n, filter)?)?,
                ))
            }
        }
    }

    /// [`Engine::retrieve`] with the query's vector already embedded.
    pub fn retrieve_with(
        &self,
        query: &str,
        v: &[f32],
        n: usize,
        mode: Mode,
        filter: &Filter,
    ) -> Result<Retrieved> {
        let mut r = Retrieved::default();
        // Units are fewer than paragraphs and each covers several: half as
        // many candidates (measured: search p50 +19 % over paragraphs alone
        // instead of +32 %, dev nDCG within 0.02; BENCHMARKS.md).
        let units_n = (n / 2).max(1);
        if mode != Mode::Bm25 {
            r.dense = self.committed(self.vectors.search(v, n, filter)?)?;
            r.unit_dense = self.committed_units(self.units.vectors.search(v, units_n, filter)?)?;
        }
        if mode != Mode::Dense {
            (r.bm25, r.unit_bm25) = self.lexical(query, n, filter)?;
        }
        Ok(r)
    }

    /// Fuses both levels (see [`crate::fusion::fuse_levels`]) with the configured
    /// method and weights, or the given ones; returns the fused paragraphs
    /// and the stored units they belong to.
    pub fn fuse_retrieved(
        &self,
        r: &Retrieved,
        method: Option<FusionMethod>,
        unit_weight: Option<f32>,
    ) -> Result<FusedSearch> {
        let s = &self.config.search;
        self.fuse_retrieved_with(
            r,
            method.unwrap_or(s.fusion),
            s.dense_weight,
            unit_weight.unwrap_or(s.unit_weight),
        )
    }

    /// [`Engine::fuse_retrieved`] with every setting given (evaluation sweeps).
    pub fn fuse_retrieved_with(
        &self,
        r: &Retrieved,
        method: FusionMethod,
        dense_weight: f32,
        unit_weight: f32,
    ) -> Result<FusedSearch> {
        let s = &self.config.search;
        // Only the best units of each list lend their score to their
        // paragraphs: fetching a stored unit costs a block decompression, and
        // a unit below `unit_expand` cannot lift a paragraph into the top.
        let unit_points: Vec<u64> = {
            let mut seen = HashSet::new();
            r.unit_dense
                .iter()
                .take(s.unit_expand)
                .chain(r.unit_bm25.iter().take(s.unit_expand))
                .map(|x| x.0)
                .filter(|p| seen.insert(*p))
                .collect()
        };
        let units: HashMap<u64, StoredParagraph> = self
            .passages(&unit_points, true)?
            .into_iter()
            .map(|u| (u.point, u))
            .collect();
        let members: HashMap<u64, Vec<u64>> = units
            .values()
            .map(|u| {
                let ps = ids::unit_paragraphs(&u.id)
                    .iter()
                    .map(|pid| store::point_id(pid))
                    .collect();
                (u.point, ps)
            })
            .collect();
        let method = match method {
            FusionMethod::Rrf => fusion::Method::Rrf { k: s.rrf_k },
            FusionMethod::Weighted => fusion::Method::Weighted,
        };
        let levels = Levels {
            dense: &r.dense,
            bm25: &r.bm25,
            unit_dense: &r.unit_dense,
            unit_bm25: &r.unit_bm25,
        };
        let fused = fusion::fuse_levels(&levels, &members, method, dense_weight, unit_weight);
        Ok((fused, units))
    }

    /// Drops dense hits the text index has not committed. A text's vectors are
    /// written before its checkpoint, so a run that died in between (a crash,
    /// a full disk) leaves points no text owns yet; the rerun replaces them.
    /// Until then they must not shift the fusion's ranks and statistics.
    /// On the cluster the published catalogue is the checkpoint: hits of
    /// texts it does not list are dropped the same way.
    pub(super) fn committed(&self, hits: Ranked) -> Result<Ranked> {
        if self.reads_cluster {
            return self.catalogued_in(self.vectors.as_ref(), hits);
        }
        committed_in(&self.text, hits)
    }

    /// The same for retrieval units.
    fn committed_units(&self, hits: Ranked) -> Result<Ranked> {
        if self.reads_cluster {
            return self.catalogued_in(self.units.vectors.as_ref(), hits);
        }
        committed_in(&self.units.text, hits)
    }

    /// The hits whose texts the (published) catalogue lists.
    fn catalogued_in(&self, store: &dyn store::VectorStore, hits: Ranked) -> Result<Ranked> {
        let ids: Vec<u64> = hits.iter().map(|h| h.0).collect();
        let payloads = store.payloads(&ids)?;
        let cat = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        Ok(hits
            .into_iter()
            .zip(payloads)
            .filter_map(|(h, p)| p.filter(|p| cat.texts.contains_key(&p.text_id)).map(|_| h))
            .collect())
    }

    /// Fuses candidate lists with the configured (or given) method.
    pub fn fuse(
        &self,
        dense: &[(u64, f32)],
        bm25: &[(u64, f32)],
        method: Option<FusionMethod>,
    ) -> Vec<Fused<u64>> {
        let s = &self.config.search;
        match method.unwrap_or(s.fusion) {
            FusionMethod::Rrf => fusion::rrf(dense, bm25, s.rrf_k, s.dense_weight),
            FusionMethod::Weighted => fusion::weighted(dense, bm25, s.dense_weight),
        }
    }
}

/// The hits whose points `index` has committed.
fn committed_in(index: &TextIndex, hits: Ranked) -> Result<Ranked> {
    let ids: Vec<u64> = hits.iter().map(|h| h.0).collect();
    let known = index.contains(&ids)?;
    Ok(hits
        .into_iter()
        .zip(known)
        .filter_map(|(h, k)| k.then_some(h))
        .collect())
}
