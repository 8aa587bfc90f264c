//! What every search set shares: metric sums per ranking name, point ids
//! turned into text ids, the plain RRF peer and the fusion sweep.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::config::FusionMethod;
use crate::error::Result;
use crate::fusion;

use super::metrics::{mrr_at, ndcg_at, recall_at};

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Scores {
    #[serde(rename = "ndcg@10")]
    pub ndcg: f32,
    #[serde(rename = "recall@10")]
    pub recall: f32,
    #[serde(rename = "mrr@10")]
    pub mrr: f32,
}

/// Running sums of the ranking metrics, one entry per ranking name, and
/// each query's nDCG@10 (for the paired bootstrap of `spread`).
#[derive(Default)]
pub(super) struct Sums {
    sums: BTreeMap<String, Scores>,
    ndcg: BTreeMap<String, Vec<f32>>,
}

impl Sums {
    pub(super) fn add(&mut self, key: &str, ranked: &[String], rels: &HashMap<String, f32>) {
        let s = self.sums.entry(key.to_string()).or_default();
        let ndcg = ndcg_at(ranked, rels, 10);
        s.ndcg += ndcg;
        s.recall += recall_at(ranked, rels, 10);
        s.mrr += mrr_at(ranked, rels, 10);
        self.ndcg.entry(key.to_string()).or_default().push(ndcg);
    }

    /// Each query's nDCG@10 for these rankings, in the order the queries
    /// were added (rankings never added are left out).
    pub(super) fn per_query_ndcg(&self, keys: &[&str]) -> BTreeMap<String, Vec<f32>> {
        keys.iter()
            .filter_map(|k| Some((k.to_string(), self.ndcg.get(*k)?.clone())))
            .collect()
    }

    pub(super) fn means(self, n: usize) -> BTreeMap<String, Scores> {
        let nf = n.max(1) as f32;
        self.sums
            .into_iter()
            .map(|(k, s)| {
                (
                    k,
                    Scores {
                        ndcg: s.ndcg / nf,
                        recall: s.recall / nf,
                        mrr: s.mrr / nf,
                    },
                )
            })
            .collect()
    }
}

/// Turns ranked point ids into the ranked ids of their texts (first
/// occurrence kept), remembering what the index already returned.
pub(super) struct TextsOf<'a> {
    index: &'a crate::store::TextIndex,
    /// Stripped from text ids (a BEIR corpus's `beir/`).
    prefix: &'a str,
    known: HashMap<u64, String>,
}

impl<'a> TextsOf<'a> {
    pub(super) fn new(index: &'a crate::store::TextIndex, prefix: &'a str) -> Self {
        TextsOf {
            index,
            prefix,
            known: HashMap::new(),
        }
    }

    /// The texts of `points`, best first, leaving out `skip`.
    pub(super) fn of(&mut self, points: &[u64], skip: Option<&str>) -> Result<Vec<String>> {
        let missing: Vec<u64> = points
            .iter()
            .copied()
            .filter(|p| !self.known.contains_key(p))
            .collect();
        for p in self.index.get(&missing)? {
            let id = p.text_id.strip_prefix(self.prefix).unwrap_or(&p.text_id);
            self.known.insert(p.point, id.to_string());
        }
        let mut seen = HashSet::new();
        Ok(points
            .iter()
            .filter_map(|p| self.known.get(p))
            .filter(|t| Some(t.as_str()) != skip && seen.insert((*t).clone()))
            .cloned()
            .collect())
    }
}

/// Plain RRF(60) of two lists, equal weights: the peer, keys only.
pub(super) fn plain_rrf(dense: &[(u64, f32)], bm25: &[(u64, f32)]) -> Vec<u64> {
    fusion::rrf(dense, bm25, 60.0, 0.5)
        .into_iter()
        .map(|f| f.key)
        .collect()
}

/// The fusion settings every search set is scored with: method, dense
/// weight `w`, unit weight `u`.
pub(super) fn sweep_settings() -> Vec<(String, FusionMethod, f32, f32)> {
    [0.0f32, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .flat_map(|&u| {
            [0.3f32, 0.5, 0.7]
                .iter()
                .map(move |&w| {
                    (
                        format!("weighted w={w} u={u}"),
                        FusionMethod::Weighted,
                        w,
                        u,
                    )
                })
                .chain(std::iter::once((
                    format!("rrf w=0.5 u={u}"),
                    FusionMethod::Rrf,
                    0.5,
                    u,
                )))
        })
        .collect()
}
