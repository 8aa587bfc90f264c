//! The exact dense pass of `rhizome links` (`links::exact`) on synthetic
//! e5-like vectors: its time at a given size, and a check of sampled rows
//! against a plain f32 computation.
//!
//! Usage: exact_knn [--rows 216990] [--texts 3058] [--samples 50] [--plain 1]
//! Prints the wall time of `all_pairs`, the pairs per second, the rows it
//! had to recompute and the sampled rows that differ from the plain
//! computation (0 expected). With `--plain 1`, also the time of the pass it
//! replaced (f32 row blocks against all rows through ndarray's
//! matrixmultiply, every pair twice), for the ratio in one run.

use std::time::Instant;

use ndarray::Array2;
use rhizome::links::exact::{all_pairs, Problem};
use rhizome_benches::{e5_like, Args};

fn main() -> anyhow::Result<()> {
    let args = Args::from_env();
    let n = args.number("--rows", 216_990)?;
    let texts = args.number("--texts", 3_058)?.max(1);
    let samples = args.number("--samples", 50)?;
    let v = e5_like(n, 384);
    // Texts as runs of consecutive rows, as the index stores them.
    let text_of: Vec<usize> = (0..n).map(|i| i * texts / n).collect();
    let rows: Vec<usize> = (0..n).collect();
    let problem = Problem {
        v: &v,
        rows: &rows,
        text_of: &text_of,
        k: 10,
        same_cosine: 0.97,
    };
    let t = Instant::now();
    let found = all_pairs(&problem);
    let secs = t.elapsed().as_secs_f64();
    let pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    println!(
        "rows {n}: {secs:.2} s, {:.2} G pairs/s, {:.1} GMAC/s, {} rows recomputed",
        pairs / secs / 1e9,
        pairs * 384.0 / secs / 1e9,
        found.recomputed
    );
    if args.number("--plain", 0)? == 1 {
        let t = Instant::now();
        let top = plain_pass(&v, &text_of, 10);
        let plain = t.elapsed().as_secs_f64();
        // Equal but for ties within f32 rounding (sums in another order).
        let equal = |a: &Vec<(usize, f32)>, b: &Vec<(usize, f32)>| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.0 == y.0 || (x.1 - y.1).abs() < 1e-6)
        };
        let same = top
            .iter()
            .zip(&found.top)
            .filter(|(a, b)| equal(a, b))
            .count();
        println!("plain pass (before): {plain:.2} s, {:.1}× slower; identical neighbour lists {same} of {n}", plain / secs);
    }
    let mut differ = 0;
    for i in (0..n).step_by((n / samples.max(1)).max(1)).take(samples) {
        let sims = v.dot(&v.row(i));
        let mut all: Vec<(usize, f32)> = (0..n)
            .filter(|&j| text_of[j] != text_of[i])
            .map(|j| (j, sims[j]))
            .collect();
        all.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let same = all
            .iter()
            .take(10)
            .zip(&found.top[i])
            .all(|(a, b)| a.0 == b.0 || (a.1 - b.1).abs() < 1e-6);
        differ += usize::from(!same);
    }
    println!("sampled rows against plain f32: {differ} of {samples} differ");
    anyhow::ensure!(
        differ == 0,
        "the exact pass differs from the plain computation"
    );
    Ok(())
}

/// The pass `all_pairs` replaced: 256 rows at a time against every row
/// (ndarray's f32 matrix product), the best `k` of other texts kept per row.
fn plain_pass(v: &Array2<f32>, text_of: &[usize], k: usize) -> Vec<Vec<(usize, f32)>> {
    let n = v.nrows();
    let half = n.div_ceil(512) * 256;
    // Two halves on the two cores, as `rhizome links` ran it.
    std::thread::scope(|s| {
        let a = s.spawn(|| plain_rows(v, text_of, k, 0..half.min(n)));
        let b = s.spawn(|| plain_rows(v, text_of, k, half.min(n)..n));
        let mut out = a.join().unwrap();
        out.extend(b.join().unwrap());
        out
    })
}

fn plain_rows(
    v: &Array2<f32>,
    text_of: &[usize],
    k: usize,
    range: std::ops::Range<usize>,
) -> Vec<Vec<(usize, f32)>> {
    let mut out = Vec::with_capacity(range.len());
    for start in range.clone().step_by(256) {
        let end = (start + 256).min(range.end);
        let sims = v.slice(ndarray::s![start..end, ..]).dot(&v.t());
        for (r, row) in sims.rows().into_iter().enumerate() {
            let i = start + r;
            let mut top: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
            for (j, &c) in row.iter().enumerate() {
                if text_of[j] != text_of[i] && (top.len() < k || c > top[top.len() - 1].1) {
                    let pos = top.partition_point(|x| x.1 >= c);
                    top.insert(pos, (j, c));
                    top.truncate(k);
                }
            }
            out.push(top);
        }
    }
    out
}
