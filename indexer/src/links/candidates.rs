//! Candidate paragraph pairs: BM25 "more like this" (a paragraph's salient
//! words as a query) merged with the dense neighbours.
//!
//! Owns: which pairs get scored, and each pair's raw signals. Must not:
//! decide which pairs are kept.

use std::collections::HashMap;

use super::input::LinkInput;
use super::parallel::par_ranges;
use super::words::Words;
use crate::config::LinksConfig;
use crate::error::Result;

/// A candidate pair's raw signals.
pub(super) struct Candidate {
    /// Cosine of the two paragraphs.
    pub dense: f32,
    /// BM25 score over the querying paragraph's own score (0 to 1).
    pub bm25_norm: f32,
    pub bm25: f32,
}

/// Candidates keyed by paragraph rows (low, high).
pub(super) type Candidates = HashMap<(usize, usize), Candidate>;

/// A paragraph's "more like this" hits, as (point, BM25), and its own score.
struct MoreLikeThis {
    hits: Vec<(u64, f32)>,
    self_score: f32,
}

/// Every usable paragraph's BM25 and dense candidates in other texts'
/// usable paragraphs.
pub(super) fn gather(
    words: &Words,
    input: &LinkInput,
    usable: &[bool],
    dense_top: &[Vec<(usize, f32)>],
    cfg: &LinksConfig,
) -> Result<Candidates> {
    let mlt = more_like_this(words, input, usable, cfg)?;
    let mut candidates = Candidates::new();
    for i in (0..input.len()).filter(|&i| usable[i]) {
        let m = &mlt[i];
        for &(point, score) in &m.hits {
            let Some(&j) = input.point_row.get(&point) else {
                continue;
            };
            if input.text_of[j] == input.text_of[i] || !usable[j] {
                continue;
            }
            let dense = input.v.row(i).dot(&input.v.row(j));
            let c = candidates.entry((i.min(j), i.max(j))).or_insert(Candidate {
                dense,
                bm25_norm: 0.0,
                bm25: 0.0,
            });
            c.bm25_norm = c.bm25_norm.max(score / m.self_score);
            c.bm25 = c.bm25.max(score);
        }
        for &(j, dense) in &dense_top[i] {
            if usable[j] {
                candidates.entry((i.min(j), i.max(j))).or_insert(Candidate {
                    dense,
                    bm25_norm: 0.0,
                    bm25: 0.0,
                });
            }
        }
    }
    Ok(candidates)
}

/// BM25 "more like this" for every usable paragraph, on all cores.
fn more_like_this(
    words: &Words,
    input: &LinkInput,
    usable: &[bool],
    cfg: &LinksConfig,
) -> Result<Vec<MoreLikeThis>> {
    let n = input.len();
    let parts = par_ranges(n, |range| -> Result<Vec<(usize, MoreLikeThis)>> {
        let rows: Vec<usize> = range.filter(|&i| usable[i]).collect();
        let queries: Vec<Vec<String>> = rows
            .iter()
            .map(|&i| {
                crate::lexical::salient_terms(
                    words.idf(),
                    &input.paragraphs[i].text,
                    cfg.bm25_terms,
                )
                .into_iter()
                .map(|t| t.0)
                .collect()
            })
            .collect();
        let answers = words.more_like(&queries, cfg.bm25_k + 8)?;
        Ok(rows
            .into_iter()
            .zip(answers)
            .map(|(i, hits)| {
                let self_score = hits.iter().map(|h| h.1).fold(0f32, f32::max).max(1e-6);
                (i, MoreLikeThis { hits, self_score })
            })
            .collect())
    });
    let mut mlt: Vec<MoreLikeThis> = (0..n)
        .map(|_| MoreLikeThis {
            hits: Vec::new(),
            self_score: 1.0,
        })
        .collect();
    for part in parts {
        for (i, m) in part? {
            mlt[i] = m;
        }
    }
    Ok(mlt)
}
