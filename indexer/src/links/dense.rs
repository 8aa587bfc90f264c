//! The dense pass: for every paragraph, the moments of its cosines with
//! other texts' paragraphs (its calibration), its nearest paragraphs in
//! other texts, and its near-identical twins.
//!
//! Owns: the moments (in closed form), exact neighbours (`exact`) up to
//! `exact_max_paragraphs`, the store's HNSW index above, and the recall of
//! the latter against the former. Must not: score or filter links.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView1, Axis};

use super::exact;
use super::input::LinkInput;
use super::parallel::par_ranges;
use super::saved_neighbours::{self, NeighbourReuse};
use crate::config::LinksConfig;
use crate::error::Result;
use crate::store::VectorStore;

/// Paragraphs sampled to measure HNSW recall against exact neighbours.
const RECALL_SAMPLES: usize = 200;

/// Rows per chunk when the moments stream over the vectors.
const MOMENT_CHUNK: usize = 1024;

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
    /// What the last run's exact neighbours saved, where they were reused.
    pub reuse: Option<NeighbourReuse>,
}

/// Where the last run's exact neighbours are kept, and whether to reuse them.
pub(super) struct Previous<'a> {
    pub file: &'a Path,
    pub reuse: bool,
}

impl DensePass {
    /// The z-score of cosine `c` for paragraph row `i`.
    pub fn z(&self, i: usize, c: f32) -> f32 {
        (c - self.mean[i]) / self.std[i]
    }
}

/// Exact or approximate by corpus size, logged with its time and recall.
pub(super) fn neighbours(
    input: &LinkInput,
    store: &dyn VectorStore,
    cfg: &LinksConfig,
    previous: &Previous,
) -> Result<DensePass> {
    let phase = Instant::now();
    let (mean, std) = moments(input, cfg);
    let moments_seconds = phase.elapsed().as_secs_f64();
    let approximate = input.len() > cfg.exact_max_paragraphs;
    let mut reuse = None;
    let (top, same, ann_recall) = if approximate {
        let (top, same) = dense_approximate(input, store, cfg)?;
        let r = ann_recall(input, cfg, &top, RECALL_SAMPLES);
        tracing::info!(
            recall_at_k = r,
            k = cfg.dense_k,
            ef = cfg.hnsw_ef,
            "HNSW neighbours against exact, 200 sampled paragraphs"
        );
        (top, same, Some(r))
    } else {
        let (top, same, reused) = dense_exact_or_reused(input, cfg, previous);
        reuse = reused;
        (top, same, None)
    };
    tracing::info!(
        seconds = phase.elapsed().as_secs_f64(),
        moments_seconds,
        approximate,
        "dense pass"
    );
    if let Some(n) = (!mean.is_empty()).then_some(mean.len() as f32) {
        tracing::debug!(
            mean = mean.iter().sum::<f32>() / n,
            std = std.iter().sum::<f32>() / n,
            "background cosines"
        );
    }
    Ok(DensePass {
        mean,
        std,
        top,
        same,
        approximate,
        ann_recall,
        reuse,
    })
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

/// Every row's mean and spread of cosines with the eligible rows of other
/// texts, in closed form rather than over all pairs: with `S` the sum and
/// `C` the centred scatter of the eligible vectors, `Σ x·y = x·(S − S_t)`
/// and `Σ (x·(y − μ))² = xᵀCx − (the own text's terms)`.
/// O(n·d² + Σ n_t²·d) instead of O(n²·d).
fn moments(input: &LinkInput, cfg: &LinksConfig) -> (Vec<f32>, Vec<f32>) {
    let v = &input.v;
    let (n, dim) = v.dim();
    let eligible: Vec<usize> = (0..n).filter(|&i| input.eligible[i]).collect();
    if eligible.is_empty() {
        let prior = shrunk_moments(0.0, 0.0, 0, cfg);
        return (vec![prior.0; n], vec![prior.1; n]);
    }
    // Streamed over chunks of rows: at 217k paragraphs a copy of the
    // eligible rows is 333 MB in f32 and twice that in f64 (issue 15's 4 GB).
    let mut total = Array1::<f64>::zeros(dim);
    for chunk in eligible.chunks(MOMENT_CHUNK) {
        total += &v.select(Axis(0), chunk).mapv(f64::from).sum_axis(Axis(0));
    }
    let mu64 = &total / eligible.len() as f64;
    let mu = mu64.mapv(|x| x as f32);
    // The scatter in f64, summed over chunks of f32 products (no long f32 sum).
    let mut scatter = Array2::<f64>::zeros((dim, dim));
    for chunk in eligible.chunks(MOMENT_CHUNK) {
        let centred = &v.select(Axis(0), chunk) - &mu;
        scatter += &centred.t().dot(&centred).mapv(f64::from);
    }
    let scatter = scatter.mapv(|x| x as f32);
    // xᵀCx for every row, a chunk of rows at a time.
    let mut quad = Vec::with_capacity(n);
    for chunk in v.axis_chunks_iter(Axis(0), MOMENT_CHUNK) {
        let products = chunk.dot(&scatter);
        quad.extend(
            products
                .outer_iter()
                .zip(chunk.outer_iter())
                .map(|(p, x)| p.dot(&x)),
        );
    }
    let by_text = rows_by_text(input);
    let own = own_text_terms(input, &by_text, &mu);
    let (mut mean, mut std) = (vec![0f32; n], vec![0f32; n]);
    for (i, own_sum, own_sq) in own {
        let x = v.row(i).mapv(f64::from);
        let cnt = eligible.len() - by_text[input.text_of[i]].1.len();
        let sum = x.dot(&total) - own_sum;
        let centre = x.dot(&mu64);
        let dev2 = (quad[i] as f64 - own_sq).max(0.0);
        // Σ c² = Σ (c − centre)² + 2·centre·Σ c − cnt·centre².
        let sq = dev2 + 2.0 * centre * sum - cnt as f64 * centre * centre;
        (mean[i], std[i]) = shrunk_moments(sum, sq, cnt, cfg);
    }
    (mean, std)
}

/// Per text: all its rows, and its eligible rows.
fn rows_by_text(input: &LinkInput) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut by_text: Vec<(Vec<usize>, Vec<usize>)> = vec![Default::default(); input.n_texts()];
    for i in 0..input.len() {
        let t = &mut by_text[input.text_of[i]];
        t.0.push(i);
        if input.eligible[i] {
            t.1.push(i);
        }
    }
    by_text
}

/// Each row's terms with its own text's eligible rows, which the moments
/// leave out: `(row, Σ x·y, Σ (x·(y − μ))²)`.
fn own_text_terms(
    input: &LinkInput,
    by_text: &[(Vec<usize>, Vec<usize>)],
    mu: &Array1<f32>,
) -> Vec<(usize, f64, f64)> {
    let v = &input.v;
    par_ranges(by_text.len(), |texts| {
        let mut out = Vec::new();
        for (all, elig) in &by_text[texts] {
            let e = v.select(Axis(0), elig);
            // Σ x·y is x·(Σ y); only the squares need every product.
            let total: Array1<f64> = e.mapv(f64::from).sum_axis(Axis(0));
            let centred_t = (&e - mu).reversed_axes();
            // A chunk of rows at a time: a long novel's n_t² products at
            // once would be hundreds of MB per thread.
            for rows in all.chunks(MOMENT_CHUNK) {
                let x = v.select(Axis(0), rows);
                let devs = x.dot(&centred_t);
                for (r, &i) in rows.iter().enumerate() {
                    let sum = x.row(r).mapv(f64::from).dot(&total);
                    let sq = devs.row(r).iter().map(|&c| (c as f64).powi(2)).sum::<f64>();
                    out.push((i, sum, sq));
                }
            }
        }
        out
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The exact neighbours, from the last run's where little changed
/// (`saved_neighbours`), else from every pair; saved for the next run
/// either way (a failure to save costs the next run time, nothing else).
fn dense_exact_or_reused(
    input: &LinkInput,
    cfg: &LinksConfig,
    previous: &Previous,
) -> (Vec<Neighbours>, Vec<Vec<usize>>, Option<NeighbourReuse>) {
    let points = saved_neighbours::points(input);
    let rows = saved_neighbours::rows(input, &points);
    let digests = saved_neighbours::vector_digests(&rows);
    let dim = input.v.ncols();
    let reused = previous
        .reuse
        .then(|| saved_neighbours::load(previous.file, cfg, dim))
        .flatten()
        .and_then(|saved| saved_neighbours::update(&rows, &digests, &saved, cfg));
    let (top, same, reuse) = match reused {
        Some((top, same, reuse)) => {
            tracing::info!(?reuse, "exact neighbours updated from the last run's");
            (top, same, Some(reuse))
        }
        None => {
            let (top, same) = dense_exact(input, cfg);
            (top, same, None)
        }
    };
    if let Err(e) = saved_neighbours::save(previous.file, &rows, &digests, &top, &same, cfg) {
        tracing::warn!(error = %e, "could not save the neighbours for the next run");
    }
    (top, same, reuse)
}

/// Every pair of eligible paragraphs, exact (`exact`): blocked integer
/// products, rescored and certified in f32.
pub(super) fn dense_exact(
    input: &LinkInput,
    cfg: &LinksConfig,
) -> (Vec<Neighbours>, Vec<Vec<usize>>) {
    let n = input.len();
    let rows: Vec<usize> = (0..n).filter(|&i| input.eligible[i]).collect();
    let found = exact::all_pairs(&exact::Problem {
        v: &input.v,
        rows: &rows,
        text_of: &input.text_of,
        k: cfg.dense_k,
        same_cosine: cfg.same_passage_cosine,
    });
    tracing::info!(
        rows = rows.len(),
        recomputed = found.recomputed,
        "exact neighbours (rows the integer pass could not certify are recomputed in f32)"
    );
    let (mut top, mut same) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    for ((&i, t), s) in rows.iter().zip(found.top).zip(found.same) {
        top[i] = t;
        same[i] = s;
    }
    (top, same)
}

/// One row's neighbours: (row, cosine), best first.
type Neighbours = Vec<(usize, f32)>;

/// The `dense_k` best of one row of exact cosines (other texts, eligible).
pub(super) fn top_k(row: ArrayView1<f32>, i: usize, input: &LinkInput, k: usize) -> Neighbours {
    let mut top = Vec::with_capacity(k + 1);
    for (j, &c) in row.iter().enumerate() {
        if input.text_of[j] != input.text_of[i] && input.eligible[j] {
            exact::keep_best(&mut top, k, j, c);
        }
    }
    top
}

/// Above `exact_max_paragraphs`: neighbours from the vector store's HNSW
/// index (excluding the paragraph's own text). O(n log n) instead of O(n²).
fn dense_approximate(
    input: &LinkInput,
    store: &dyn VectorStore,
    cfg: &LinksConfig,
) -> Result<(Vec<Neighbours>, Vec<Vec<usize>>)> {
    let n = input.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let parts = par_ranges(n, |range| -> Result<Vec<_>> {
        let mut out = Vec::with_capacity(range.len());
        for i in range {
            out.push(if input.eligible[i] {
                store_neighbours(input, store, cfg, i)?
            } else {
                // Too short to link: no neighbours needed.
                (Vec::new(), Vec::new())
            });
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(16384) {
                tracing::info!(done = d, of = n, "HNSW neighbours");
            }
        }
        Ok(out)
    });
    let (mut top, mut same) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for part in parts {
        for (t, s) in part? {
            top.push(t);
            same.push(s);
        }
    }
    Ok((top, same))
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
