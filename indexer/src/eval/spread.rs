//! How sure a difference between two rankings is: a paired bootstrap over
//! the set's queries (or sources), the way IR papers test a win (Sakai,
//! "Statistical reform in information retrieval", 2014).
//!
//! A dev set of 24 queries moves by 0.04 nDCG when a single query's answer
//! moves from rank 1 to rank 3; the sets here are 15 to 524 queries, so a
//! win is reported with its 95 % interval, and counts as one only when the
//! whole interval is above zero.
//!
//! Pure functions, seeded: the same inputs give the same interval, so the
//! generated BENCHMARKS table is reproducible byte for byte. Must not:
//! rank, read files or know a metric.

use serde::Serialize;

/// Resamples drawn for every interval.
pub const RESAMPLES: usize = 10_000;
/// The generator's seed (fixed: reports must be reproducible).
const SEED: u64 = 0x005E_ED12;

/// A difference `a − b` and its 95 % percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub diff: f32,
    pub lo: f32,
    pub hi: f32,
}

impl Interval {
    /// The whole interval is above zero: `a` wins beyond chance.
    pub fn wins(&self) -> bool {
        self.lo > 0.0
    }
}

/// The mean of `a[i] − b[i]` (paired per query), with its interval.
/// `None` when the lists are empty or of different lengths.
pub fn paired_mean_diff(a: &[f32], b: &[f32]) -> Option<Interval> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x - y) as f64).collect();
    let n = d.len() as f64;
    Some(bootstrap(d.len(), |sample| {
        sample.iter().map(|&i| d[i]).sum::<f64>() / n
    }))
}

/// The difference of two ratios of sums, `Σ num_a / Σ den_a − Σ num_b /
/// Σ den_b`, resampling the units (a source and its pairs) together: for
/// micro-averaged precision, where each source shows several pairs.
/// `None` when the lists are empty or of different lengths.
pub fn paired_ratio_diff(a: &[(f32, f32)], b: &[(f32, f32)]) -> Option<Interval> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let ratio = |v: &[(f32, f32)], sample: &[usize]| {
        let (num, den) = sample.iter().fold((0f64, 0f64), |(n, d), &i| {
            (n + v[i].0 as f64, d + v[i].1 as f64)
        });
        if den == 0.0 {
            0.0
        } else {
            num / den
        }
    };
    Some(bootstrap(a.len(), |sample| {
        ratio(a, sample) - ratio(b, sample)
    }))
}

/// The statistic on the full set, and the 2.5th and 97.5th percentiles of
/// it over [`RESAMPLES`] resamples of `n` units drawn with replacement.
fn bootstrap(n: usize, stat: impl Fn(&[usize]) -> f64) -> Interval {
    let all: Vec<usize> = (0..n).collect();
    let diff = stat(&all);
    let mut rng = SplitMix64(SEED);
    let mut sample = vec![0usize; n];
    let mut stats: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            for s in sample.iter_mut() {
                *s = rng.below(n);
            }
            stat(&sample)
        })
        .collect();
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * (RESAMPLES - 1) as f64).round() as usize).min(RESAMPLES - 1)];
    Interval {
        diff: diff as f32,
        lo: at(0.025) as f32,
        hi: at(0.975) as f32,
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64):
/// enough for resampling, and no dependency.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2⁻³²
    /// for the set sizes here).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_difference_has_no_spread() {
        let a = vec![0.7f32; 30];
        let b = vec![0.5f32; 30];
        let i = paired_mean_diff(&a, &b).unwrap();
        assert!((i.diff - 0.2).abs() < 1e-6);
        assert!((i.lo - 0.2).abs() < 1e-6 && (i.hi - 0.2).abs() < 1e-6);
        assert!(i.wins());
    }

    #[test]
    fn one_lucky_query_of_twenty_is_not_a_win() {
        // b ties a on 19 queries and loses one: the mean favours a, but a
        // resample without that query shows no difference at all.
        let a = vec![1.0f32; 20];
        let mut b = vec![1.0f32; 20];
        b[7] = 0.0;
        let i = paired_mean_diff(&a, &b).unwrap();
        assert!((i.diff - 0.05).abs() < 1e-6);
        assert_eq!(i.lo, 0.0);
        assert!(i.hi >= 0.1);
        assert!(!i.wins());
    }

    #[test]
    fn many_small_wins_are_a_win_and_the_interval_holds_the_mean() {
        // a beats b by 1 on 60 of 100 queries and loses by 1 on 20.
        let a: Vec<f32> = (0..100).map(|i| if i < 60 { 1.0 } else { 0.0 }).collect();
        let b: Vec<f32> = (0..100)
            .map(|i| if (60..80).contains(&i) { 1.0 } else { 0.0 })
            .collect();
        let i = paired_mean_diff(&a, &b).unwrap();
        assert!((i.diff - 0.4).abs() < 1e-6);
        assert!(i.lo < i.diff && i.diff < i.hi);
        assert!(i.wins(), "{i:?}");
        assert!(i.hi - i.lo < 0.4, "{i:?}");
    }

    #[test]
    fn intervals_are_reproducible() {
        let a: Vec<f32> = (0..50).map(|i| (i % 7) as f32 / 7.0).collect();
        let b: Vec<f32> = (0..50).map(|i| (i % 5) as f32 / 5.0).collect();
        assert_eq!(paired_mean_diff(&a, &b), paired_mean_diff(&a, &b));
    }

    #[test]
    fn ratios_resample_sources_with_their_pairs() {
        // Per source: (relevant, judged). a: 4 of 5 everywhere; b: 2 of 5.
        let a = vec![(4.0f32, 5.0f32); 15];
        let b = vec![(2.0f32, 5.0f32); 15];
        let i = paired_ratio_diff(&a, &b).unwrap();
        assert!((i.diff - 0.4).abs() < 1e-6 && i.wins());
        // A source that shows nothing weighs nothing in a micro average.
        let mut c = a.clone();
        c.push((0.0, 0.0));
        let mut d = b.clone();
        d.push((0.0, 0.0));
        assert!((paired_ratio_diff(&c, &d).unwrap().diff - 0.4).abs() < 1e-6);
    }

    #[test]
    fn mismatched_or_empty_lists_have_no_interval() {
        assert_eq!(paired_mean_diff(&[], &[]), None);
        assert_eq!(paired_mean_diff(&[1.0], &[1.0, 0.0]), None);
        assert_eq!(paired_ratio_diff(&[(1.0, 1.0)], &[]), None);
    }
}
