//! Fusion of ranked lists, as pure functions.
//!
//! Two methods: reciprocal rank fusion, and a weighted sum of z-scores. e5
//! cosines live in a narrow band (≈0.80–0.95) while BM25 scores are unbounded,
//! so raw scores cannot be added; z-scores put each list on a common scale
//! while keeping how far a hit stands above the rest (RRF throws that away).

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

    #[test]
    fn empty_lists_are_fine() {
        let none: [(&str, f32); 0] = [];
        assert!(weighted(&none, &none, 0.5).is_empty());
        assert_eq!(weighted(&[("a", 0.9)], &none, 0.5)[0].key, "a");
        assert_eq!(rrf(&none, &[("a", 1.0)], 60.0, 0.5)[0].key, "a");
    }
}
