//! Fusion of ranked lists, as pure functions.
//!
//! Two methods: reciprocal rank fusion, and a weighted sum of z-scores. e5
//! cosines live in a narrow band (≈0.80–0.95) while BM25 scores are unbounded,
//! so raw scores cannot be added; z-scores put each list on a common scale
//! while keeping how far a hit stands above the rest (RRF throws that away).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// A candidate's place in one retriever's list.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankScore {
    /// 1-based rank.
    pub rank: usize,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fused<K> {
    pub key: K,
    pub score: f32,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
}

fn collect<K: Clone + Eq + std::hash::Hash>(
    dense: &[(K, f32)],
    bm25: &[(K, f32)],
) -> Vec<Fused<K>> {
    let mut out: Vec<Fused<K>> = Vec::new();
    let mut pos: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    for (which, list) in [(0, dense), (1, bm25)] {
        for (i, (k, s)) in list.iter().enumerate() {
            let rs = RankScore {
                rank: i + 1,
                score: *s,
            };
            let idx = *pos.entry(k.clone()).or_insert_with(|| {
                out.push(Fused {
                    key: k.clone(),
                    score: 0.0,
                    dense: None,
                    bm25: None,
                });
                out.len() - 1
            });
            if which == 0 {
                out[idx].dense.get_or_insert(rs);
            } else {
                out[idx].bm25.get_or_insert(rs);
            }
        }
    }
    out
}

fn sort<K>(mut v: Vec<Fused<K>>) -> Vec<Fused<K>> {
    v.sort_by(|a, b| b.score.total_cmp(&a.score));
    v
}

/// Reciprocal rank fusion: `w/(k + rank_dense) + (1-w)/(k + rank_bm25)`, scaled by 2
/// so that equal weights give plain RRF. Lists must be sorted best first.
pub fn rrf<K: Clone + Eq + std::hash::Hash>(
    dense: &[(K, f32)],
    bm25: &[(K, f32)],
    k: f32,
    dense_weight: f32,
) -> Vec<Fused<K>> {
    let mut v = collect(dense, bm25);
    for f in &mut v {
        let d = f.dense.map_or(0.0, |r| 1.0 / (k + r.rank as f32));
        let b = f.bm25.map_or(0.0, |r| 1.0 / (k + r.rank as f32));
        f.score = 2.0 * (dense_weight * d + (1.0 - dense_weight) * b);
    }
    sort(v)
}

/// Mean and standard deviation of a list's scores.
fn moments(scores: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let n = scores.clone().count().max(1) as f32;
    let mean = scores.clone().sum::<f32>() / n;
    let var = scores.map(|s| (s - mean) * (s - mean)).sum::<f32>() / n;
    (mean, var.sqrt().max(1e-6))
}

/// Weighted sum of z-scores. A candidate missing from one list takes that
/// list's lowest z-score (it ranked below the cut-off).
pub fn weighted<K: Clone + Eq + std::hash::Hash>(
    dense: &[(K, f32)],
    bm25: &[(K, f32)],
    dense_weight: f32,
) -> Vec<Fused<K>> {
    let (dm, ds) = moments(dense.iter().map(|x| x.1));
    let (bm, bs) = moments(bm25.iter().map(|x| x.1));
    let dmin = dense
        .iter()
        .map(|x| (x.1 - dm) / ds)
        .fold(f32::INFINITY, f32::min);
    let bmin = bm25
        .iter()
        .map(|x| (x.1 - bm) / bs)
        .fold(f32::INFINITY, f32::min);
    let mut v = collect(dense, bm25);
    for f in &mut v {
        let zd = f
            .dense
            .map_or(if dense.is_empty() { 0.0 } else { dmin }, |r| {
                (r.score - dm) / ds
            });
        let zb = f
            .bm25
            .map_or(if bm25.is_empty() { 0.0 } else { bmin }, |r| {
                (r.score - bm) / bs
            });
        f.score = dense_weight * zd + (1.0 - dense_weight) * zb;
    }
    sort(v)
}

/// How one list rates each of its candidates on a scale shared by every
/// list: `1/(k + rank)` for RRF, the z-score for the weighted sum; `floor`
/// for a candidate the list lacks.
struct Contribution<K> {
    by_key: HashMap<K, (f32, RankScore)>,
    floor: f32,
}

fn contribution<K: Clone + Eq + Hash>(list: &[(K, f32)], method: Method) -> Contribution<K> {
    let (m, s) = moments(list.iter().map(|x| x.1));
    let value = |rank: usize, score: f32| match method {
        Method::Rrf { k } => 1.0 / (k + rank as f32),
        Method::Weighted => (score - m) / s,
    };
    let mut by_key = HashMap::with_capacity(list.len());
    for (i, (key, score)) in list.iter().enumerate() {
        let rs = RankScore {
            rank: i + 1,
            score: *score,
        };
        by_key
            .entry(key.clone())
            .or_insert((value(i + 1, *score), rs));
    }
    let floor = match method {
        Method::Rrf { .. } => 0.0,
        Method::Weighted => by_key.values().map(|v| v.0).fold(f32::INFINITY, f32::min),
    };
    Contribution {
        by_key,
        floor: if floor.is_finite() { floor } else { 0.0 },
    }
}

impl<K: Eq + Hash> Contribution<K> {
    fn get(&self, key: &K) -> (f32, Option<RankScore>) {
        self.by_key
            .get(key)
            .map_or((self.floor, None), |&(v, rs)| (v, Some(rs)))
    }
}

/// A fusion method with its parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Rrf { k: f32 },
    Weighted,
}

/// Each retriever's candidates at both levels: paragraphs (`K`) and the
/// retrieval units that contain them (`U`), best first.
pub struct Levels<'a, K, U> {
    pub dense: &'a [(K, f32)],
    pub bm25: &'a [(K, f32)],
    pub unit_dense: &'a [(U, f32)],
    pub unit_bm25: &'a [(U, f32)],
}

/// A paragraph ranked from both levels.
#[derive(Debug, Clone, PartialEq)]
pub struct FusedLevels<K, U> {
    pub key: K,
    pub unit: Option<U>,
    pub score: f32,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
    pub unit_dense: Option<RankScore>,
    pub unit_bm25: Option<RankScore>,
}

/// Fuses paragraph lists with the lists of their units: a paragraph scores
/// `w·((1-u)·dense + u·unit_dense) + (1-w)·((1-u)·bm25 + u·unit_bm25)`,
/// each term on the method's scale (RRF scaled by 2, as [`rrf`]). A unit's
/// score is shared by all its paragraphs, so every paragraph of a unit
/// another list found becomes a candidate; within a unit, its paragraphs'
/// own scores order them. `members` lists each unit's paragraphs.
pub fn fuse_levels<K, U>(
    levels: &Levels<K, U>,
    members: &HashMap<U, Vec<K>>,
    method: Method,
    dense_weight: f32,
    unit_weight: f32,
) -> Vec<FusedLevels<K, U>>
where
    K: Clone + Eq + Hash,
    U: Clone + Eq + Hash,
{
    let (pd, pb) = (
        contribution(levels.dense, method),
        contribution(levels.bm25, method),
    );
    let (ud, ub) = (
        contribution(levels.unit_dense, method),
        contribution(levels.unit_bm25, method),
    );
    let unit_of: HashMap<&K, &U> = members
        .iter()
        .flat_map(|(u, ks)| ks.iter().map(move |k| (k, u)))
        .collect();
    let mut keys: Vec<K> = Vec::new();
    let mut seen: HashSet<K> = HashSet::new();
    let from_units = levels
        .unit_dense
        .iter()
        .chain(levels.unit_bm25)
        .flat_map(|(u, _)| members.get(u).into_iter().flatten());
    for k in levels
        .dense
        .iter()
        .chain(levels.bm25)
        .map(|x| &x.0)
        .chain(from_units)
    {
        if seen.insert(k.clone()) {
            keys.push(k.clone());
        }
    }
    let scale = match method {
        Method::Rrf { .. } => 2.0,
        Method::Weighted => 1.0,
    };
    let (w, u) = (dense_weight, unit_weight);
    let mut out: Vec<(f32, FusedLevels<K, U>)> = keys
        .into_iter()
        .map(|key| {
            let unit = unit_of.get(&key).map(|u| (*u).clone());
            let (d, dense) = pd.get(&key);
            let (b, bm25) = pb.get(&key);
            let ((e, unit_dense), (c, unit_bm25)) = match &unit {
                Some(x) => (ud.get(x), ub.get(x)),
                None => ((ud.floor, None), (ub.floor, None)),
            };
            let score = scale * (w * ((1.0 - u) * d + u * e) + (1.0 - w) * ((1.0 - u) * b + u * c));
            let own = w * d + (1.0 - w) * b;
            (
                own,
                FusedLevels {
                    key,
                    unit,
                    score,
                    dense,
                    bm25,
                    unit_dense,
                    unit_bm25,
                },
            )
        })
        .collect();
    // Ties (paragraphs of one unit when `unit_weight` is 1) go to the
    // paragraph's own scores: the hit shown is the unit's best paragraph.
    out.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(b.0.total_cmp(&a.0)));
    out.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrf_rewards_agreement() {
        let dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)];
        let bm25 = [("b", 12.0), ("d", 9.0), ("a", 1.0)];
        let f = rrf(&dense, &bm25, 60.0, 0.5);
        assert_eq!(f[0].key, "b", "b is 2nd and 1st: best combined rank");
        assert_eq!(
            f[0].dense,
            Some(RankScore {
                rank: 2,
                score: 0.8
            })
        );
        assert_eq!(
            f[0].bm25,
            Some(RankScore {
                rank: 1,
                score: 12.0
            })
        );
        assert!((f[0].score - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-6);
        assert_eq!(f.len(), 4);
        assert!(f.iter().find(|x| x.key == "d").unwrap().dense.is_none());
    }

    #[test]
    fn weight_one_is_the_dense_ranking() {
        let dense = [("a", 0.95), ("b", 0.90), ("c", 0.85)];
        let bm25 = [("c", 30.0), ("b", 3.0)];
        fn keys(v: Vec<Fused<&'static str>>) -> Vec<&'static str> {
            v.into_iter().map(|f| f.key).collect()
        }
        assert_eq!(keys(weighted(&dense, &bm25, 1.0)), ["a", "b", "c"]);
        assert_eq!(keys(weighted(&dense, &bm25, 0.0))[0], "c");
        assert_eq!(keys(rrf(&dense, &bm25, 60.0, 1.0)), ["a", "b", "c"]);
    }

    #[test]
    fn z_scores_keep_margins_that_ranks_lose() {
        // BM25 is sure about "x" (far above the rest); dense barely prefers "y".
        let dense = [("y", 0.861), ("x", 0.860), ("z", 0.80)];
        let bm25 = [("x", 40.0), ("y", 5.0), ("z", 4.0)];
        assert_eq!(weighted(&dense, &bm25, 0.5)[0].key, "x");
    }

    fn members(
        pairs: &[(&'static str, &[&'static str])],
    ) -> HashMap<&'static str, Vec<&'static str>> {
        pairs.iter().map(|(u, ks)| (*u, ks.to_vec())).collect()
    }

    #[test]
    fn a_unit_found_by_one_retriever_lifts_all_its_paragraphs() {
        // "p3" is in no paragraph list, but its unit U2 tops both unit lists.
        let m = members(&[("U1", &["p1", "p2"]), ("U2", &["p3"])]);
        let lv = Levels {
            dense: &[("p1", 0.9), ("p2", 0.8)],
            bm25: &[("p2", 5.0)],
            unit_dense: &[("U2", 0.95), ("U1", 0.7)],
            unit_bm25: &[("U2", 9.0)],
        };
        let f = fuse_levels(&lv, &m, Method::Rrf { k: 60.0 }, 0.5, 0.9);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].key, "p3");
        assert_eq!(f[0].unit, Some("U2"));
        assert!(f[0].dense.is_none());
        assert_eq!(f[0].unit_dense.map(|r| r.rank), Some(1));
        // within U1, p2 (in both paragraph lists) beats p1
        let pos = |k| f.iter().position(|x| x.key == k).unwrap();
        assert!(pos("p2") < pos("p1"));
        // units alone rank; a unit's paragraphs are still ordered by their own scores
        let f = fuse_levels(&lv, &m, Method::Rrf { k: 60.0 }, 0.5, 1.0);
        let pos = |k| f.iter().position(|x| x.key == k).unwrap();
        assert_eq!(pos("p3"), 0);
        assert!(pos("p2") < pos("p1"));
    }

    #[test]
    fn unit_weight_zero_is_the_paragraph_fusion() {
        let m = members(&[("U", &["a", "b", "c"])]);
        let dense = [("a", 0.95), ("b", 0.90), ("c", 0.85)];
        let bm25 = [("c", 30.0), ("b", 3.0)];
        let lv = Levels {
            dense: &dense,
            bm25: &bm25,
            unit_dense: &[("U", 0.9)],
            unit_bm25: &[],
        };
        for (method, w) in [(Method::Weighted, 0.5), (Method::Rrf { k: 60.0 }, 0.3)] {
            let two: Vec<_> = match method {
                Method::Weighted => weighted(&dense, &bm25, w),
                Method::Rrf { k } => rrf(&dense, &bm25, k, w),
            };
            let levels = fuse_levels(&lv, &m, method, w, 0.0);
            let a: Vec<_> = two.iter().map(|f| (f.key, f.score)).collect();
            let b: Vec<_> = levels.iter().map(|f| (f.key, f.score)).collect();
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x.0, y.0);
                assert!((x.1 - y.1).abs() < 1e-5, "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn empty_lists_are_fine() {
        let none: [(&str, f32); 0] = [];
        assert!(weighted(&none, &none, 0.5).is_empty());
        assert_eq!(weighted(&[("a", 0.9)], &none, 0.5)[0].key, "a");
        assert_eq!(rrf(&none, &[("a", 1.0)], 60.0, 0.5)[0].key, "a");
    }
}
