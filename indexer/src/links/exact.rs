//! Exact nearest neighbours of every paragraph by blocked matrix products,
//! the way faiss does exact k-NN: blocks of rows against blocks of rows,
//! each pair of paragraphs computed once (the product is symmetric), a
//! threshold per row so that only the few products that could enter its
//! best list leave the vector registers.
//!
//! Products are 16-bit integer approximations (`kernel`) whose error is
//! bounded; each row keeps `k + EXTRA` candidates, rescored in f32. A row is
//! certified exact when its `k`-th rescored cosine beats the bound on
//! everything it did not keep; the rare row that is not is recomputed in
//! f32 against every column. The result equals a plain computation.
//!
//! Owns: the blocking, the per-row thresholds, the rescoring and the
//! certification. Must not: compute moments or filter links (`dense`).

use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array2, Axis};

use super::parallel::par_ranges;

use super::kernel::{above, isa, Quantised, AVX2, AVX512, MR, NR, PORTABLE};

/// Rows (and columns) of one block: 40 tiles high, 15 panels wide; one
/// block of the quantised matrix is 180 KB, within L2.
const BLOCK: usize = 240;
/// Candidates kept per row beyond the `k` asked, so that the `k`-th exact
/// cosine clears the error bound of what was not kept.
const EXTRA: usize = 14;

/// What the exact pass returns, in the order of the `rows` it was given.
pub struct ExactNeighbours {
    /// The `k` nearest rows of other texts, best first (global row numbers).
    pub top: Vec<Vec<(usize, f32)>>,
    /// Rows of other texts at cosine ≥ `same_cosine`, in row order.
    pub same: Vec<Vec<usize>>,
    /// Rows that the integer pass could not certify and were recomputed.
    pub recomputed: usize,
}

/// One row's neighbours: (row, cosine), best first.
type Neighbours = Vec<(usize, f32)>;

/// The problem: unit vectors, which rows take part (rows and columns alike)
/// and the text of every row (pairs within a text are never neighbours).
pub struct Problem<'a> {
    pub v: &'a Array2<f32>,
    pub rows: &'a [usize],
    pub text_of: &'a [usize],
    pub k: usize,
    pub same_cosine: f32,
}

/// One worker's view of every row: its best candidates so far (approximate
/// cosines, best first) and the threshold a product must beat to matter.
struct Candidates {
    keep: usize,
    same_cut: f32,
    best: Vec<Vec<(u32, f32)>>,
    threshold: Vec<f32>,
    same: Vec<(u32, u32)>,
}

impl Candidates {
    fn new(rows: usize, keep: usize, same_cut: f32) -> Candidates {
        Candidates {
            keep,
            same_cut,
            best: vec![Vec::new(); rows],
            // Until a row holds `keep` candidates, everything beats it.
            threshold: vec![f32::NEG_INFINITY; rows],
            same: Vec::new(),
        }
    }

    /// Offers product `s` of rows `i` and `j` (local numbers) to row `i`.
    fn offer(&mut self, i: usize, j: usize, s: f32) {
        if s >= self.same_cut {
            self.same.push((i as u32, j as u32));
        }
        let best = &mut self.best[i];
        if keep_best(best, self.keep, j as u32, s) && best.len() == self.keep {
            self.threshold[i] = best[self.keep - 1].1.min(self.same_cut);
        }
    }
}

/// Inserts `(j, c)` into `top` (best first, earlier entries first among
/// equals) if it is among the best `k`; says whether it was.
pub(super) fn keep_best<T>(top: &mut Vec<(T, f32)>, k: usize, j: T, c: f32) -> bool {
    if top.len() < k || c > top[top.len() - 1].1 {
        let pos = top.partition_point(|x| x.1 >= c);
        top.insert(pos, (j, c));
        top.truncate(k);
        return true;
    }
    false
}

/// Best cosine first, then the lower row: the order of every neighbour list.
pub(super) fn best_first<T: Ord>(x: &(T, f32), y: &(T, f32)) -> std::cmp::Ordering {
    y.1.total_cmp(&x.1).then(x.0.cmp(&y.0))
}

/// Every row's exact neighbours among the other rows of other texts.
pub fn all_pairs(problem: &Problem) -> ExactNeighbours {
    let n = problem.rows.len();
    let q = Quantised::new(problem.v, problem.rows, BLOCK);
    // Local text numbers, padding in a text of its own that `offer` never sees.
    let text: Vec<usize> = (0..q.rows)
        .map(|r| {
            problem
                .rows
                .get(r)
                .map_or(usize::MAX, |&g| problem.text_of[g])
        })
        .collect();
    let keep = problem.k + EXTRA;
    let same_cut = problem.same_cosine - q.bound;
    let blocks = q.rows / BLOCK;
    let pairs: Vec<(usize, usize)> = (0..blocks)
        .flat_map(|a| (a..blocks).map(move |b| (a, b)))
        .collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let workers: Vec<Candidates> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut c = Candidates::new(q.rows, keep, same_cut);
                    loop {
                        let w = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(a, b)) = pairs.get(w) else { break };
                        block_pair(&q, &text, n, (a, b), &mut c);
                    }
                    c
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("exact neighbour worker panicked"))
            .collect()
    });
    finish(problem, &q, workers)
}

/// The products of row block `a` with column block `b ≥ a`: row `i` is
/// offered `j` and, off the diagonal, `j` is offered `i` (each pair once).
fn block_pair(q: &Quantised, text: &[usize], n: usize, (a, b): (usize, usize), c: &mut Candidates) {
    #[cfg(target_arch = "x86_64")]
    match isa() {
        // SAFETY: the CPU has the instructions each is compiled for.
        AVX512 => return unsafe { block_pair_avx512(q, text, n, (a, b), c) },
        AVX2 => return unsafe { block_pair_avx2(q, text, n, (a, b), c) },
        _ => {}
    }
    block_pair_with::<PORTABLE>(q, text, n, (a, b), c);
}

/// `block_pair` compiled for AVX2, the tile and its epilogue inlined.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_pair_avx2(
    q: &Quantised,
    text: &[usize],
    n: usize,
    blocks: (usize, usize),
    c: &mut Candidates,
) {
    block_pair_with::<AVX2>(q, text, n, blocks, c);
}

/// `block_pair` compiled for AVX-512 VNNI (the epilogue stays AVX2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512vnni")]
unsafe fn block_pair_avx512(
    q: &Quantised,
    text: &[usize],
    n: usize,
    blocks: (usize, usize),
    c: &mut Candidates,
) {
    block_pair_with::<AVX512>(q, text, n, blocks, c);
}

#[inline(always)]
fn block_pair_with<const ISA: u8>(
    q: &Quantised,
    text: &[usize],
    n: usize,
    (a, b): (usize, usize),
    c: &mut Candidates,
) {
    let mut tile = [0i32; MR * NR];
    let mut scores = [0f32; NR];
    let (rows, cols) = (a * BLOCK..(a + 1) * BLOCK, b * BLOCK..(b + 1) * BLOCK);
    let symmetric = a != b;
    for col0 in cols.step_by(NR) {
        let inv_col = &q.inv_scale[col0..col0 + NR];
        for row0 in rows.clone().step_by(MR) {
            if row0 >= n {
                break;
            }
            q.tile::<ISA>(row0, col0, &mut tile);
            for r in 0..MR {
                let i = row0 + r;
                let (row_mask, col_mask) = above::<ISA>(
                    &tile[r * NR..(r + 1) * NR],
                    q.inv_scale[i],
                    inv_col,
                    c.threshold[i],
                    &c.threshold[col0..col0 + NR],
                    &mut scores,
                );
                let col_mask = if symmetric { col_mask } else { 0 };
                if row_mask | col_mask == 0 || i >= n {
                    continue;
                }
                for cc in ones(row_mask | col_mask) {
                    let j = col0 + cc;
                    // Padding and the row's own text never enter.
                    if j >= n || text[i] == text[j] {
                        continue;
                    }
                    if row_mask >> cc & 1 == 1 {
                        c.offer(i, j, scores[cc]);
                    }
                    if col_mask >> cc & 1 == 1 {
                        c.offer(j, i, scores[cc]);
                    }
                }
            }
        }
    }
}

/// The positions of the set bits of `mask`, lowest first.
fn ones(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let c = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            c
        })
    })
}

/// Merges the workers' candidates, rescores them in f32 and certifies each
/// row; uncertified rows are recomputed against every column.
fn finish(problem: &Problem, q: &Quantised, workers: Vec<Candidates>) -> ExactNeighbours {
    let n = problem.rows.len();
    let keep = problem.k + EXTRA;
    let mut merged: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    let mut same: Vec<Vec<usize>> = vec![Vec::new(); n];
    for w in workers {
        for (i, best) in w.best.into_iter().enumerate().take(n) {
            merged[i].extend(best);
        }
        for (i, j) in w.same {
            same[i as usize].push(j as usize);
        }
    }
    let v = problem.v;
    let global = |local: usize| problem.rows[local];
    let exact = |i: usize, j: usize| v.row(global(i)).dot(&v.row(global(j)));
    // Per row: its certified neighbours (None: recompute) and its twins.
    let rows: Vec<(Option<Neighbours>, Vec<usize>)> = par_ranges(n, |range| {
        range
            .map(|i| {
                let mut cands = merged[i].clone();
                cands.sort_by(best_first);
                cands.truncate(keep);
                // Everything not kept scored at most this, so at most this + bound.
                let unseen_max = (cands.len() == keep).then(|| cands[keep - 1].1 + q.bound);
                let mut rescored: Vec<(usize, f32)> = cands
                    .iter()
                    .map(|&(j, _)| (j as usize, exact(i, j as usize)))
                    .collect();
                rescored.sort_by(best_first);
                rescored.truncate(problem.k);
                let certified = match unseen_max {
                    None => true,
                    Some(m) => rescored.len() == problem.k && rescored[problem.k - 1].1 > m,
                };
                let mut twins: Vec<usize> = same[i]
                    .iter()
                    .copied()
                    .filter(|&j| exact(i, j) >= problem.same_cosine)
                    .map(global)
                    .collect();
                twins.sort_unstable();
                twins.dedup();
                (certified.then_some(rescored), twins)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let uncertain: Vec<usize> = (0..n).filter(|&i| rows[i].0.is_none()).collect();
    let mut recomputed = recompute(problem, &uncertain).into_iter();
    let mut top = Vec::with_capacity(n);
    let mut twins = Vec::with_capacity(n);
    for (t, s) in rows {
        let t = t.unwrap_or_else(|| recomputed.next().expect("one per uncertain row"));
        top.push(t.into_iter().map(|(j, c)| (global(j), c)).collect());
        twins.push(s);
    }
    ExactNeighbours {
        top,
        same: twins,
        recomputed: uncertain.len(),
    }
}

/// The best `k` of the `uncertain` rows against every row of other texts,
/// in f32 matrix products of 64 rows at a time (local numbers).
fn recompute(problem: &Problem, uncertain: &[usize]) -> Vec<Vec<(usize, f32)>> {
    if uncertain.is_empty() {
        return Vec::new();
    }
    let (rows, text_of) = (problem.rows, problem.text_of);
    let all = problem.v.select(Axis(0), rows);
    let chunks: Vec<&[usize]> = uncertain.chunks(64).collect();
    par_ranges(chunks.len(), |range| {
        let mut out = Vec::new();
        for chunk in &chunks[range] {
            let sims = all.select(Axis(0), chunk).dot(&all.t());
            for (r, &i) in chunk.iter().enumerate() {
                let mut best: Vec<(usize, f32)> = sims
                    .row(r)
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| text_of[rows[j]] != text_of[rows[i]])
                    .map(|(j, &c)| (j, c))
                    .collect();
                // The k + EXTRA best by the matrix product, rescored by the
                // same f32 dot product as certified rows (a product sums in
                // another order), so that every saved cosine is that one's
                // (`saved_neighbours` merges new rows by it).
                let keep = (problem.k + EXTRA).min(best.len());
                if keep > 0 && keep < best.len() {
                    best.select_nth_unstable_by(keep - 1, best_first);
                }
                let v = problem.v;
                let mut top: Vec<(usize, f32)> = best[..keep]
                    .iter()
                    .map(|&(j, _)| (j, v.row(rows[i]).dot(&v.row(rows[j]))))
                    .collect();
                top.sort_by(best_first);
                top.truncate(problem.k);
                out.push(top);
            }
        }
        out
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit rows with cosines spread like e5's (a shared direction plus noise).
    fn unit_rows(n: usize, dim: usize) -> Array2<f32> {
        let mut s = 11u64;
        let mut v = Array2::from_shape_fn((n, dim), |(_, d)| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32 - 0.5) + if d % 5 == 0 { 0.8 } else { 0.0 }
        });
        for mut r in v.rows_mut() {
            let norm = r.dot(&r).sqrt();
            r.mapv_inplace(|x| x / norm);
        }
        v
    }

    #[test]
    fn recomputed_rows_carry_the_cosines_certified_rows_carry() {
        let v = unit_rows(300, 48);
        let rows: Vec<usize> = (0..300).collect();
        let text_of: Vec<usize> = (0..300).map(|i| i / 7).collect();
        let problem = Problem {
            v: &v,
            rows: &rows,
            text_of: &text_of,
            k: 10,
            same_cosine: 0.97,
        };
        let certified = all_pairs(&problem);
        let uncertain = [0, 41, 299];
        for (top, &i) in recompute(&problem, &uncertain).iter().zip(&uncertain) {
            // The same neighbours and, to the bit, the same cosines: the
            // next run merges new rows into these lists by this dot product.
            assert_eq!(top, &certified.top[i], "row {i}");
            for &(j, c) in top {
                assert_eq!(c, v.row(i).dot(&v.row(j)));
            }
        }
    }
}
