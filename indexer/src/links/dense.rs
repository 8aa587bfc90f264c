//! The dense pass: for every paragraph, the moments of its cosines with
//! other texts' paragraphs (its calibration), its nearest paragraphs in
//! other texts, and its near-identical twins.
//!
//! Owns: exact all-pairs neighbours by blocked matrix products up to
//! `exact_max_paragraphs`, the store's HNSW index above, and the recall of
//! the latter against the former. Must not: score or filter links.

use std::collections::HashSet;
use std::time::Instant;

use ndarray::{s, Axis};

use super::input::LinkInput;
use super::parallel::par_ranges;
use crate::config::LinksConfig;
use crate::error::Result;
use crate::store::VectorStore;

/// Rows of one block of the all-pairs product (256 × n cosines at a time).
const BLOCK_ROWS: usize = 256;
/// Paragraphs sampled to measure HNSW recall against exact neighbours.
const RECALL_SAMPLES: usize = 200;

/// What the dense pass finds, per paragraph row.
pub(super) struct DensePass {
    /// Mean and spread of its cosines with other texts' paragraphs (shrunk
    /// towards the model's background).
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    /// Its `dense_k` nearest paragraphs in other texts, best first.
    pub top: Vec<Vec<(usize, f32)>>,
    /// Other texts' paragraphs that are the same passage (cosine ≥ `same_passage_cosine`).
    pub same: Vec<Vec<usize>>,
    /// Whether the neighbours came from the HNSW index, and its measured recall.
    pub approximate: bool,
    pub ann_recall: Option<f32>,
}

impl DensePass {
    /// The z-score of cosine `c` for paragraph row `i`.
    pub fn z(&self, i: usize, c: f32) -> f32 {
        (c - self.mean[i]) / self.std[i]
    }
}

/// One paragraph's share of the pass.
struct DenseRow {
    mean: f32,
    std: f32,
    top: Vec<(usize, f32)>,
    same: Vec<usize>,
}

/// Exact or approximate by corpus size, logged with its time and recall.
pub(super) fn neighbours(
    input: &LinkInput,
    store: &dyn VectorStore,
    cfg: &LinksConfig,
) -> Result<DensePass> {
    let phase = Instant::now();
    let approximate = input.len() > cfg.exact_max_paragraphs;
    let rows = if approximate {
        dense_approximate(input, store, cfg)?
    } else {
        dense_exact(input, cfg)
    };
    let mut pass = collect_pass(rows, approximate);
    if approximate {
        let r = ann_recall(input, cfg, &pass.top, RECALL_SAMPLES);
        tracing::info!(
            recall_at_k = r,
            k = cfg.dense_k,
            ef = cfg.hnsw_ef,
            "HNSW neighbours against exact, 200 sampled paragraphs"
        );
        pass.ann_recall = Some(r);
    }
    tracing::info!(
        seconds = phase.elapsed().as_secs_f64(),
        approximate,
        "dense pass"
    );
    if let Some(n) = (!pass.mean.is_empty()).then_some(pass.mean.len() as f32) {
        tracing::debug!(
            mean = pass.mean.iter().sum::<f32>() / n,
            std = pass.std.iter().sum::<f32>() / n,
            "background cosines"
        );
    }
    Ok(pass)
}

/// Moments shrunk towards the background: with few paragraphs (a small
/// corpus) a per-paragraph deviation is not to be trusted.
fn shrunk_moments(sum: f64, sq: f64, cnt: usize, cfg: &LinksConfig) -> (f32, f32) {
    let (n0, m0, s0) = (
        cfg.prior_weight as f64,
        cfg.prior_mean as f64,
        cfg.prior_std as f64,
    );
    let m = (sum + n0 * m0) / (cnt as f64 + n0);
    let e2 = (sq + n0 * (s0 * s0 + m0 * m0)) / (cnt as f64 + n0);
    (m as f32, (e2 - m * m).max(1e-8).sqrt() as f32)
}

/// Every pair, in row blocks of a matrix product: exact, O(n²).
fn dense_exact(input: &LinkInput, cfg: &LinksConfig) -> Vec<DenseRow> {
    let (v, text_of, eligible) = (&input.v, &input.text_of, &input.eligible);
    let parts = par_ranges(v.nrows(), |range| {
        let mut out = Vec::with_capacity(range.len());
        for start in range.clone().step_by(BLOCK_ROWS) {
            let end = (start + BLOCK_ROWS).min(range.end);
            let sims = v.slice(s![start..end, ..]).dot(&v.t());
            for (r, row) in sims.axis_iter(Axis(0)).enumerate() {
                let i = start + r;
                let (mut sum, mut sq, mut cnt) = (0f64, 0f64, 0usize);
                let mut same = Vec::new();
                let mut top = Vec::with_capacity(cfg.dense_k + 1);
                // One pass over the row: moments, twins and the best k together.
                for (j, &c) in row.iter().enumerate() {
                    if text_of[j] == text_of[i] || !eligible[j] {
                        continue;
                    }
                    sum += c as f64;
                    sq += (c as f64) * (c as f64);
                    cnt += 1;
                    if c >= cfg.same_passage_cosine {
                        same.push(j);
                    }
                    keep_best(&mut top, cfg.dense_k, j, c);
                }
                let (mean, std) = shrunk_moments(sum, sq, cnt, cfg);
                out.push(DenseRow {
                    mean,
                    std,
                    top,
                    same,
                });
            }
        }
        out
    });
    parts.into_iter().flatten().collect()
}

/// The `dense_k` best of one row of exact cosines (other texts, eligible).
fn top_k(
    row: ndarray::ArrayView1<f32>,
    i: usize,
    input: &LinkInput,
    k: usize,
) -> Vec<(usize, f32)> {
    let mut top = Vec::with_capacity(k + 1);
    for (j, &c) in row.iter().enumerate() {
        if input.text_of[j] != input.text_of[i] && input.eligible[j] {
            keep_best(&mut top, k, j, c);
        }
    }
    top
}

/// Inserts `(j, c)` into `top` (best first) if it is among the best `k`.
fn keep_best(top: &mut Vec<(usize, f32)>, k: usize, j: usize, c: f32) {
    if top.len() < k || c > top[top.len() - 1].1 {
        let pos = top.partition_point(|x| x.1 >= c);
        top.insert(pos, (j, c));
        top.truncate(k);
    }
}

fn collect_pass(rows: Vec<DenseRow>, approximate: bool) -> DensePass {
    let mut pass = DensePass {
        mean: Vec::with_capacity(rows.len()),
        std: Vec::with_capacity(rows.len()),
        top: Vec::with_capacity(rows.len()),
        same: Vec::with_capacity(rows.len()),
        approximate,
        ann_recall: None,
    };
    for row in rows {
        pass.mean.push(row.mean);
        pass.std.push(row.std);
        pass.top.push(row.top);
        pass.same.push(row.same);
    }
    pass
}

/// Above `exact_max_paragraphs`: neighbours from the vector store's HNSW
/// index (excluding the paragraph's own text), moments from a fixed sample of
/// paragraphs. O(n log n) instead of O(n²).
fn dense_approximate(
    input: &LinkInput,
    store: &dyn VectorStore,
    cfg: &LinksConfig,
) -> Result<Vec<DenseRow>> {
    let (v, eligible) = (&input.v, &input.eligible);
    let n = v.nrows();
    // A deterministic spread of eligible paragraphs for the moments.
    let pool: Vec<usize> = (0..n).filter(|&j| eligible[j]).collect();
    let step = (pool.len() / cfg.moment_sample.max(1)).max(1);
    let sample: Vec<usize> = pool.iter().copied().step_by(step).collect();
    let vs = v.select(Axis(0), &sample);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let parts = par_ranges(n, |range| -> Result<Vec<DenseRow>> {
        let mut out = Vec::with_capacity(range.len());
        for start in range.clone().step_by(BLOCK_ROWS) {
            let end = (start + BLOCK_ROWS).min(range.end);
            let sims = v.slice(s![start..end, ..]).dot(&vs.t());
            for (r, row) in sims.axis_iter(Axis(0)).enumerate() {
                let i = start + r;
                let (mut sum, mut sq, mut cnt) = (0f64, 0f64, 0usize);
                for (&j, &c) in sample.iter().zip(row.iter()) {
                    if input.text_of[j] != input.text_of[i] {
                        sum += c as f64;
                        sq += (c as f64) * (c as f64);
                        cnt += 1;
                    }
                }
                let (mean, std) = shrunk_moments(sum, sq, cnt, cfg);
                let (top, same) = if eligible[i] {
                    store_neighbours(input, store, cfg, i)?
                } else {
                    // Too short to link: no neighbours needed.
                    (Vec::new(), Vec::new())
                };
                out.push(DenseRow {
                    mean,
                    std,
                    top,
                    same,
                });
            }
            let d = done.fetch_add(end - start, std::sync::atomic::Ordering::Relaxed) + end - start;
            if d % 16384 < BLOCK_ROWS {
                tracing::info!(done = d, of = n, "HNSW neighbours");
            }
        }
        Ok(out)
    });
    let mut all = Vec::with_capacity(n);
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// Paragraph `i`'s nearest eligible paragraphs of other texts, and its
/// twins, from the store's HNSW index.
#[allow(clippy::type_complexity)]
fn store_neighbours(
    input: &LinkInput,
    store: &dyn VectorStore,
    cfg: &LinksConfig,
    i: usize,
) -> Result<(Vec<(usize, f32)>, Vec<usize>)> {
    // Some hits are too short to link: asking 4k keeps 10 good ones (ann_recall bench).
    let asked = cfg.dense_k * 4;
    let filter = crate::store::Filter {
        exclude_text: Some(input.paragraphs[i].text_id.clone()),
        ..Default::default()
    };
    let hits = store.search_ef(
        input.v.row(i).as_slice().expect("rows are contiguous"),
        asked,
        &filter,
        cfg.hnsw_ef,
    )?;
    let found: Vec<(usize, f32)> = hits
        .into_iter()
        .filter_map(|(id, c)| input.point_row.get(&id).map(|&j| (j, c)))
        .filter(|&(j, _)| input.eligible[j] && input.text_of[j] != input.text_of[i])
        .collect();
    let same = found
        .iter()
        .filter(|x| x.1 >= cfg.same_passage_cosine)
        .map(|x| x.0)
        .collect();
    Ok((found.into_iter().take(cfg.dense_k).collect(), same))
}

/// Recall@k of the approximate neighbours against exact ones, on `samples`
/// linkable paragraphs spread over the corpus.
fn ann_recall(
    input: &LinkInput,
    cfg: &LinksConfig,
    approx: &[Vec<(usize, f32)>],
    samples: usize,
) -> f32 {
    // Paragraphs long enough to link: the others get no neighbours at all.
    let pool: Vec<usize> = (0..input.len()).filter(|&i| input.eligible[i]).collect();
    let rows: Vec<usize> = pool
        .iter()
        .copied()
        .step_by((pool.len() / samples.max(1)).max(1))
        .take(samples)
        .collect();
    let (mut found, mut total) = (0usize, 0usize);
    for &i in &rows {
        let exact = top_k(input.v.dot(&input.v.row(i)).view(), i, input, cfg.dense_k);
        let got: HashSet<usize> = approx[i].iter().map(|x| x.0).collect();
        found += exact.iter().filter(|x| got.contains(&x.0)).count();
        total += exact.len();
    }
    if total == 0 {
        1.0
    } else {
        found as f32 / total as f32
    }
}
