//! The simple peers Rhizome must beat, computed by the engine on the same
//! texts (issue 12): BM25 over whole texts (as YARPP ranks posts), the mean
//! of a text's paragraph vectors (as Obsidian Smart Connections ranks notes),
//! the best paragraph pair, and plain RRF(60) of the first two.
//!
//! Owns: those rankings, for queries and for text-to-text relatedness. Must
//! not: be used by search or links (they are yardsticks, not features).

use std::collections::HashMap;

use ndarray::Array2;

use crate::engine::Engine;
use crate::error::Result;

/// Okapi BM25 over whole texts (k1 = 1.2, b = 0.75), in memory.
pub struct Bm25Texts {
    tf: Vec<HashMap<String, f32>>,
    len: Vec<f32>,
    avg_len: f32,
    idf: HashMap<String, f32>,
}

impl Bm25Texts {
    /// From each text's analyzed terms.
    pub fn new(texts: &[Vec<String>]) -> Bm25Texts {
        let mut df: HashMap<String, f32> = HashMap::new();
        let tf: Vec<HashMap<String, f32>> = texts
            .iter()
            .map(|terms| {
                let mut m: HashMap<String, f32> = HashMap::new();
                for t in terms {
                    *m.entry(t.clone()).or_default() += 1.0;
                }
                for t in m.keys() {
                    *df.entry(t.clone()).or_default() += 1.0;
                }
                m
            })
            .collect();
        let n = texts.len() as f32;
        let len: Vec<f32> = texts.iter().map(|t| t.len() as f32).collect();
        let avg_len = len.iter().sum::<f32>() / n.max(1.0);
        let idf = df
            .into_iter()
            .map(|(t, d)| (t, (1.0 + (n - d + 0.5) / (d + 0.5)).ln()))
            .collect();
        Bm25Texts {
            tf,
            len,
            avg_len,
            idf,
        }
    }

    /// Every text's score for a bag of query terms.
    pub fn scores(&self, query: &[String]) -> Vec<f32> {
        let (k1, b) = (1.2f32, 0.75f32);
        let mut distinct: Vec<&String> = query.iter().collect();
        distinct.sort();
        distinct.dedup();
        self.tf
            .iter()
            .zip(&self.len)
            .map(|(tf, &len)| {
                distinct
                    .iter()
                    .filter_map(|t| Some((self.idf.get(*t)?, tf.get(*t)?)))
                    .map(|(idf, f)| {
                        idf * f * (k1 + 1.0)
                            / (f + k1 * (1.0 - b + b * len / self.avg_len.max(1.0)))
                    })
                    .sum()
            })
            .collect()
    }
}

/// Indices of `scores` best first, leaving out `skip` (ties: lower index first).
pub fn order(scores: &[f32], skip: Option<usize>) -> Vec<usize> {
    let mut o: Vec<usize> = (0..scores.len()).filter(|&i| Some(i) != skip).collect();
    o.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    o
}

/// Plain reciprocal rank fusion (k = 60) of rankings (lists of indices).
pub fn rrf60(rankings: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut s = vec![0f32; n];
    for r in rankings {
        for (rank, &i) in r.iter().enumerate() {
            s[i] += 1.0 / (60.0 + rank as f32 + 1.0);
        }
    }
    let mut o: Vec<usize> = rankings
        .iter()
        .flatten()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    o.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
    o
}

/// The engine's texts as the peers see them.
pub struct TextPeers {
    pub ids: Vec<String>,
    /// Paragraph vectors of each text (rows), from the embedding cache.
    pub paragraphs: Vec<Array2<f32>>,
    /// Normalised mean of each text's paragraph vectors.
    pub means: Array2<f32>,
    pub bm25: Bm25Texts,
    /// Each text's analyzed terms (its BM25 "query" as a source).
    pub terms: Vec<Vec<String>>,
}

impl TextPeers {
    pub fn from_engine(engine: &Engine) -> Result<TextPeers> {
        let all = engine.text_index().all()?;
        let dim = engine.embedder().dim();
        let mut ids: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<Vec<f32>>> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        {
            for p in &all {
                if ids.last() != Some(&p.text_id) {
                    ids.push(p.text_id.clone());
                    rows.push(Vec::new());
                    texts.push(String::new());
                }
                rows.last_mut().unwrap().push(engine.stored_vector(p)?);
                let t = texts.last_mut().unwrap();
                t.push('\n');
                t.push_str(&p.text);
            }
        }
        let paragraphs: Vec<Array2<f32>> = rows
            .into_iter()
            .map(|r| {
                let n = r.len();
                Array2::from_shape_vec((n, dim), r.into_iter().flatten().collect())
                    .expect("vectors of the model's dimension")
            })
            .collect();
        let mut means = Array2::<f32>::zeros((ids.len(), dim));
        for (t, p) in paragraphs.iter().enumerate() {
            let m = p.sum_axis(ndarray::Axis(0));
            let norm = m.dot(&m).sqrt().max(1e-12);
            means.row_mut(t).assign(&(m / norm));
        }
        let mut analyzer = crate::analyzer::french_analyzer();
        let terms: Vec<Vec<String>> = texts
            .iter()
            .map(|t| crate::analyzer::terms(&mut analyzer, t))
            .collect();
        Ok(TextPeers {
            ids,
            paragraphs,
            means,
            bm25: Bm25Texts::new(&terms),
            terms,
        })
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// Query rankings (text indices): text BM25, text mean embedding.
    pub fn query_rankings(&self, query: &str, vector: &[f32]) -> (Vec<usize>, Vec<usize>) {
        let mut analyzer = crate::analyzer::french_analyzer();
        let q = crate::analyzer::terms(&mut analyzer, query);
        let bm25 = order(&self.bm25.scores(&q), None);
        let qv = ndarray::ArrayView1::from(vector);
        let dense: Vec<f32> = self.means.rows().into_iter().map(|r| r.dot(&qv)).collect();
        (bm25, order(&dense, None))
    }

    /// Related-text rankings of text `s` (indices), by name: `text BM25`,
    /// `mean embedding`, `best paragraph pair`, `plain RRF(60)`.
    pub fn related_rankings(&self, s: usize) -> Vec<(&'static str, Vec<usize>)> {
        let bm25 = order(&self.bm25.scores(&self.terms[s]), Some(s));
        let mean_scores: Vec<f32> = self
            .means
            .rows()
            .into_iter()
            .map(|r| r.dot(&self.means.row(s)))
            .collect();
        let mean = order(&mean_scores, Some(s));
        let best: Vec<f32> = self
            .paragraphs
            .iter()
            .map(|p| {
                let c = self.paragraphs[s].dot(&p.t());
                c.iter().copied().fold(f32::NEG_INFINITY, f32::max)
            })
            .collect();
        let best = order(&best, Some(s));
        let rrf = rrf60(&[bm25.clone(), mean.clone()], self.ids.len());
        vec![
            ("text BM25", bm25),
            ("mean embedding", mean),
            ("best paragraph pair", best),
            ("plain RRF(60)", rrf),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn bm25_prefers_rare_matching_words_and_short_texts() {
        let b = Bm25Texts::new(&[
            w("velo col velo"),
            w("jardin tomate"),
            w("velo jardin a b c d e f"),
        ]);
        let s = b.scores(&w("velo"));
        assert!(s[0] > s[2] && s[2] > 0.0 && s[1] == 0.0, "{s:?}");
        // a repeated query word counts once
        assert_eq!(b.scores(&w("velo velo")), s);
    }

    #[test]
    fn order_and_rrf_break_ties_by_index() {
        assert_eq!(order(&[0.5, 0.9, 0.5], None), [1, 0, 2]);
        assert_eq!(order(&[0.5, 0.9, 0.5], Some(1)), [0, 2]);
        assert_eq!(rrf60(&[vec![0, 1], vec![1, 2]], 3), [1, 0, 2]);
    }
}
