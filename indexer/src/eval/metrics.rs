//! Ranking and correlation metrics, as pure functions: nDCG@k, recall@k,
//! MRR@k (as BEIR's pytrec_eval), Pearson and Spearman.

use std::collections::{HashMap, HashSet};

/// nDCG@k with linear gains (as BEIR's pytrec_eval).
pub fn ndcg_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    let dcg: f32 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| rels.get(d).copied().unwrap_or(0.0) / (i as f32 + 2.0).log2())
        .sum();
    let mut ideal: Vec<f32> = rels.values().copied().filter(|&r| r > 0.0).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f32 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, r)| r / (i as f32 + 2.0).log2())
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

pub fn recall_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    let relevant: HashSet<&String> = rels
        .iter()
        .filter(|(_, &r)| r > 0.0)
        .map(|(d, _)| d)
        .collect();
    if relevant.is_empty() {
        return 0.0;
    }
    ranked
        .iter()
        .take(k)
        .filter(|d| relevant.contains(d))
        .count() as f32
        / relevant.len() as f32
}

pub fn mrr_at(ranked: &[String], rels: &HashMap<String, f32>, k: usize) -> f32 {
    ranked
        .iter()
        .take(k)
        .position(|d| rels.get(d).is_some_and(|&r| r > 0.0))
        .map_or(0.0, |i| 1.0 / (i as f32 + 1.0))
}

/// Ranks with ties averaged (1-based).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &t in &idx[i..=j] {
            r[t] = avg;
        }
        i = j + 1;
    }
    r
}

pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va.sqrt() * vb.sqrt())
}

pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(pairs: &[(&str, f32)]) -> HashMap<String, f32> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }
    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranking_metrics() {
        let r = rels(&[("a", 1.0)]);
        assert_eq!(ndcg_at(&ranked(&["a", "b"]), &r, 10), 1.0);
        assert!((ndcg_at(&ranked(&["b", "a"]), &r, 10) - 1.0 / 3f32.log2()).abs() < 1e-6);
        assert_eq!(mrr_at(&ranked(&["b", "c", "a"]), &r, 10), 1.0 / 3.0);
        assert_eq!(mrr_at(&ranked(&["b"]), &r, 10), 0.0);
        let r2 = rels(&[("a", 1.0), ("b", 1.0)]);
        assert_eq!(recall_at(&ranked(&["a", "x"]), &r2, 10), 0.5);
        assert_eq!(recall_at(&ranked(&["x", "a"]), &r2, 1), 0.0);
    }

    #[test]
    fn spearman_handles_ties_and_order() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-9);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-9);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
    }
}
