//! The dense pass's inner loop: dot products of unit vectors quantised to
//! 16-bit integers, six rows by sixteen columns at a time.
//!
//! Why 16-bit integers: on AVX2 (a VM of 2 Zen 5 cores that exposed AVX2
//! and FMA but no AVX-512) the machine does two vector multiplies per
//! cycle, f32 FMA (8 multiply-adds) or `vpmaddwd` (16, plus an add). In the
//! same 6×16 tile the 16-bit one ran 1.4× the f32 one and
//! halves the memory traffic; its quantisation error on a cosine is about
//! 10⁻⁴, small enough that a few extra candidates per row, rescored in f32,
//! make the neighbours exact (see `exact`). 8-bit products (`vpmaddubsw`,
//! widened) ran 1.9× faster still, but their error bound (≈ 0.03, from the
//! quantisation step) is wider than the gaps between a row's best cosines,
//! so most rows would fail certification and be recomputed in f32.
//!
//! Where the CPU has AVX-512 VNNI (the same Zen 5 in a VM that exposes it),
//! `vpdpwssd` does the 32 multiply-adds of a 512-bit register of i16 pairs
//! and the accumulation in one instruction: the same integers (the sums
//! wrap identically), twice the work per instruction.
//!
//! Owns: quantisation, the packed column panels, one tile of products.
//! Must not: choose neighbours (that is `exact`).

use ndarray::{Array2, ArrayView1};

/// Rows of one tile.
pub(super) const MR: usize = 6;
/// Columns of one tile (two AVX2 registers of eight i32).
pub(super) const NR: usize = 16;
/// Instruction sets a tile can run on, the best one first chosen by [`isa`].
pub(super) const PORTABLE: u8 = 0;
pub(super) const AVX2: u8 = 1;
pub(super) const AVX512: u8 = 2;

/// Largest scale: the product of two rows' scales stays below 2³¹, so no dot
/// product of two quantised unit vectors (nor any partial sum) overflows i32.
const MAX_SCALE: f32 = 46_000.0;

/// The rows of one matrix as pairs of i16 in an i32 (low half: even
/// coordinate), padded to whole tiles, with what bounds the error.
pub(super) struct Quantised {
    /// i32 pairs per row.
    pub pairs: usize,
    /// Rows, padding included (a multiple of `pad_to`).
    pub rows: usize,
    /// Row-major: `rows × pairs`.
    data: Vec<i32>,
    /// Column panels: for panel `p`, `pairs × NR` values, column-minor.
    panels: Vec<i32>,
    /// 1 / scale per row (0 for padding: its products are 0).
    pub inv_scale: Vec<f32>,
    /// Bound on |x·y − x̂·ŷ| for any two rows: ‖x̂‖‖e_y‖ + ‖e_x‖‖ŷ‖ + ‖e_x‖‖e_y‖
    /// with the largest norms and errors, plus f32 rounding of the product.
    pub bound: f32,
}

impl Quantised {
    /// Quantises `rows` of `v` (unit vectors), padded with zeros to a
    /// multiple of `pad_to` rows (a multiple of `MR` and `NR`).
    pub fn new(v: &Array2<f32>, rows: &[usize], pad_to: usize) -> Quantised {
        debug_assert!(pad_to.is_multiple_of(MR) && pad_to.is_multiple_of(NR));
        let dim = v.ncols();
        let pairs = dim.div_ceil(2);
        let padded = rows.len().div_ceil(pad_to).max(1) * pad_to;
        let mut data = vec![0i32; padded * pairs];
        let mut inv_scale = vec![0f32; padded];
        let (mut max_err, mut max_norm) = (0f64, 0f64);
        for (r, &row) in rows.iter().enumerate() {
            let x = v.row(row);
            let (scale, err, norm) = quantise_row(x, &mut data[r * pairs..(r + 1) * pairs]);
            inv_scale[r] = 1.0 / scale;
            max_err = max_err.max(err);
            max_norm = max_norm.max(norm);
        }
        let bound = 2.0 * max_norm * max_err + max_err * max_err;
        // f32 rounding of the i32 → f32 conversion and two products: a few
        // ulps of a cosine, taken generously.
        let bound = bound as f32 + 4e-6;
        let panels = pack_panels(&data, padded, pairs);
        Quantised {
            pairs,
            rows: padded,
            data,
            panels,
            inv_scale,
            bound,
        }
    }

    fn row_ptr(&self, r: usize) -> *const i32 {
        self.data[r * self.pairs..].as_ptr()
    }

    fn panel_ptr(&self, col0: usize) -> *const i32 {
        debug_assert!(col0.is_multiple_of(NR));
        self.panels[(col0 / NR) * self.pairs * NR..].as_ptr()
    }

    /// Integer dot products of rows `row0..row0+MR` with columns
    /// `col0..col0+NR`, row-major into `out`, with the instructions of `ISA`
    /// (which the caller has checked, see [`isa`]). Inlined into the
    /// caller's loop, so the whole loop is compiled for the instructions.
    #[inline(always)]
    pub fn tile<const ISA: u8>(&self, row0: usize, col0: usize, out: &mut [i32; MR * NR]) {
        assert!(row0 + MR <= self.rows && col0 + NR <= self.rows);
        #[cfg(target_arch = "x86_64")]
        {
            let (a, b) = (self.row_ptr(row0), self.panel_ptr(col0));
            // SAFETY: the caller checked the instruction set (`isa()`); both
            // pointers address whole tiles inside `data` and `panels`
            // (asserted above).
            match ISA {
                AVX512 => return unsafe { tile_avx512(a, self.pairs, b, self.pairs, out) },
                AVX2 => return unsafe { tile_avx2(a, self.pairs, b, self.pairs, out) },
                _ => {}
            }
        }
        self.tile_portable(row0, col0, out);
    }

    /// The same products in plain Rust (other CPUs, and the reference the
    /// AVX2 tile is tested against).
    pub fn tile_portable(&self, row0: usize, col0: usize, out: &mut [i32; MR * NR]) {
        let panel = &self.panels[(col0 / NR) * self.pairs * NR..][..self.pairs * NR];
        out.fill(0);
        for r in 0..MR {
            let a = &self.data[(row0 + r) * self.pairs..][..self.pairs];
            let acc = &mut out[r * NR..(r + 1) * NR];
            for (p, &ap) in a.iter().enumerate() {
                let (a0, a1) = split(ap);
                for (c, &bp) in panel[p * NR..(p + 1) * NR].iter().enumerate() {
                    let (b0, b1) = split(bp);
                    acc[c] = acc[c].wrapping_add(a0 * b0 + a1 * b1);
                }
            }
        }
    }
}

/// The best instruction set of this CPU for the tile: [`AVX512`] (with
/// VNNI), [`AVX2`] or [`PORTABLE`]. `RHIZOME_EXACT_ISA=avx2` or `portable`
/// asks for a lesser one (benchmarks compare them in one run).
pub(super) fn isa() -> u8 {
    static ISA: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *ISA.get_or_init(|| {
        let best = detected();
        match std::env::var("RHIZOME_EXACT_ISA").as_deref() {
            Ok("portable") => PORTABLE,
            Ok("avx2") => best.min(AVX2),
            _ => best,
        }
    })
}

fn detected() -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vnni")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            return AVX512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return AVX2;
        }
    }
    PORTABLE
}

/// One tile row's products as cosines (`scores`), and which of the sixteen
/// beat the row's threshold (bit `c` of the first mask) or their column's
/// (the second): the only products that leave the registers.
#[inline(always)]
pub(super) fn above<const ISA: u8>(
    products: &[i32],
    inv_row: f32,
    inv_col: &[f32],
    row_threshold: f32,
    col_threshold: &[f32],
    scores: &mut [f32; NR],
) -> (u32, u32) {
    assert!(products.len() == NR && inv_col.len() == NR && col_threshold.len() == NR);
    #[cfg(target_arch = "x86_64")]
    if ISA >= AVX2 {
        // SAFETY: the caller checked AVX2 (AVX512 implies it); every slice
        // holds NR values (asserted).
        return unsafe {
            above_avx2(
                products,
                inv_row,
                inv_col,
                row_threshold,
                col_threshold,
                scores,
            )
        };
    }
    let (mut row, mut col) = (0, 0);
    for c in 0..NR {
        scores[c] = products[c] as f32 * inv_row * inv_col[c];
        row |= u32::from(scores[c] > row_threshold) << c;
        col |= u32::from(scores[c] > col_threshold[c]) << c;
    }
    (row, col)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn above_avx2(
    products: &[i32],
    inv_row: f32,
    inv_col: &[f32],
    row_threshold: f32,
    col_threshold: &[f32],
    scores: &mut [f32; NR],
) -> (u32, u32) {
    use std::arch::x86_64::*;
    let r = _mm256_set1_ps(inv_row);
    let t = _mm256_set1_ps(row_threshold);
    let (mut row, mut col) = (0u32, 0u32);
    for h in 0..2 {
        let p = _mm256_cvtepi32_ps(_mm256_loadu_si256(
            products.as_ptr().add(8 * h) as *const __m256i
        ));
        // The same order of products as the portable path: (p · inv_row) · inv_col.
        let s = _mm256_mul_ps(
            _mm256_mul_ps(p, r),
            _mm256_loadu_ps(inv_col.as_ptr().add(8 * h)),
        );
        _mm256_storeu_ps(scores.as_mut_ptr().add(8 * h), s);
        let above_row = _mm256_cmp_ps::<_CMP_GT_OQ>(s, t);
        let above_col =
            _mm256_cmp_ps::<_CMP_GT_OQ>(s, _mm256_loadu_ps(col_threshold.as_ptr().add(8 * h)));
        row |= (_mm256_movemask_ps(above_row) as u32) << (8 * h);
        col |= (_mm256_movemask_ps(above_col) as u32) << (8 * h);
    }
    (row, col)
}

/// Two i16 packed in an i32, as `vpmaddwd` reads them.
fn split(x: i32) -> (i32, i32) {
    ((x as i16) as i32, ((x >> 16) as i16) as i32)
}

fn pack(lo: i16, hi: i16) -> i32 {
    (lo as u16 as u32 | ((hi as u16 as u32) << 16)) as i32
}

/// Quantises one unit vector into `out`; returns its scale, the norm of its
/// error and the norm of its quantised copy.
fn quantise_row(x: ArrayView1<f32>, out: &mut [i32]) -> (f32, f64, f64) {
    let max = x.iter().fold(0f32, |m, &c| m.max(c.abs()));
    let scale = if max > 0.0 {
        (32_767.0 / max).min(MAX_SCALE)
    } else {
        1.0
    };
    let (mut err2, mut norm2) = (0f64, 0f64);
    let mut q = |c: f32| -> i16 {
        let v = (c * scale).round().clamp(-32_767.0, 32_767.0);
        let back = v as f64 / scale as f64;
        err2 += (c as f64 - back).powi(2);
        norm2 += back * back;
        v as i16
    };
    for (p, slot) in out.iter_mut().enumerate() {
        let lo = x.get(2 * p).map_or(0, |&c| q(c));
        let hi = x.get(2 * p + 1).map_or(0, |&c| q(c));
        *slot = pack(lo, hi);
    }
    (scale, err2.sqrt(), norm2.sqrt())
}

/// Column panels: `NR` consecutive rows interleaved pair by pair, so one
/// register load brings eight columns' pair `p`.
fn pack_panels(data: &[i32], rows: usize, pairs: usize) -> Vec<i32> {
    let mut panels = vec![0i32; rows * pairs];
    for panel in 0..rows / NR {
        let out = &mut panels[panel * pairs * NR..(panel + 1) * pairs * NR];
        for c in 0..NR {
            let row = &data[(panel * NR + c) * pairs..][..pairs];
            for (p, &x) in row.iter().enumerate() {
                out[p * NR + c] = x;
            }
        }
    }
    panels
}

/// The AVX2 tile: twelve accumulators, two column loads and six row
/// broadcasts per pair of coordinates.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn tile_avx2(
    a: *const i32,
    stride: usize,
    b: *const i32,
    pairs: usize,
    out: &mut [i32; MR * NR],
) {
    use std::arch::x86_64::*;
    let z = _mm256_setzero_si256();
    let (mut c00, mut c01, mut c10, mut c11, mut c20, mut c21) = (z, z, z, z, z, z);
    let (mut c30, mut c31, mut c40, mut c41, mut c50, mut c51) = (z, z, z, z, z, z);
    for p in 0..pairs {
        let b0 = _mm256_loadu_si256(b.add(p * NR) as *const __m256i);
        let b1 = _mm256_loadu_si256(b.add(p * NR + 8) as *const __m256i);
        let a0 = _mm256_set1_epi32(*a.add(p));
        c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(a0, b0));
        c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(a0, b1));
        let a1 = _mm256_set1_epi32(*a.add(stride + p));
        c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(a1, b0));
        c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(a1, b1));
        let a2 = _mm256_set1_epi32(*a.add(2 * stride + p));
        c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(a2, b0));
        c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(a2, b1));
        let a3 = _mm256_set1_epi32(*a.add(3 * stride + p));
        c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(a3, b0));
        c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(a3, b1));
        let a4 = _mm256_set1_epi32(*a.add(4 * stride + p));
        c40 = _mm256_add_epi32(c40, _mm256_madd_epi16(a4, b0));
        c41 = _mm256_add_epi32(c41, _mm256_madd_epi16(a4, b1));
        let a5 = _mm256_set1_epi32(*a.add(5 * stride + p));
        c50 = _mm256_add_epi32(c50, _mm256_madd_epi16(a5, b0));
        c51 = _mm256_add_epi32(c51, _mm256_madd_epi16(a5, b1));
    }
    let o = out.as_mut_ptr() as *mut __m256i;
    for (k, c) in [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51]
        .into_iter()
        .enumerate()
    {
        _mm256_storeu_si256(o.add(k), c);
    }
}

/// The AVX-512 VNNI tile: one register of sixteen columns per row, each
/// row's sum split over even and odd pairs (twelve independent
/// accumulators, so that `vpdpwssd`'s latency does not serialise them).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vnni")]
#[inline]
unsafe fn tile_avx512(
    a: *const i32,
    stride: usize,
    b: *const i32,
    pairs: usize,
    out: &mut [i32; MR * NR],
) {
    use std::arch::x86_64::*;
    let z = _mm512_setzero_si512();
    let mut even = [z; MR];
    let mut odd = [z; MR];
    let mut p = 0;
    while p + 2 <= pairs {
        let b0 = _mm512_loadu_si512(b.add(p * NR) as *const _);
        let b1 = _mm512_loadu_si512(b.add((p + 1) * NR) as *const _);
        for r in 0..MR {
            let row = a.add(r * stride + p);
            even[r] = _mm512_dpwssd_epi32(even[r], _mm512_set1_epi32(*row), b0);
            odd[r] = _mm512_dpwssd_epi32(odd[r], _mm512_set1_epi32(*row.add(1)), b1);
        }
        p += 2;
    }
    if p < pairs {
        let b0 = _mm512_loadu_si512(b.add(p * NR) as *const _);
        for (r, acc) in even.iter_mut().enumerate() {
            *acc = _mm512_dpwssd_epi32(*acc, _mm512_set1_epi32(*a.add(r * stride + p)), b0);
        }
    }
    for (r, (e, o)) in even.iter().zip(&odd).enumerate() {
        _mm512_storeu_si512(
            out.as_mut_ptr().add(r * NR) as *mut _,
            _mm512_add_epi32(*e, *o),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn unit_rows(n: usize, dim: usize, seed: u64) -> Array2<f32> {
        let mut s = seed;
        let mut v = Array2::from_shape_fn((n, dim), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        });
        for mut r in v.rows_mut() {
            let n = r.dot(&r).sqrt();
            r /= n;
        }
        v
    }

    #[test]
    fn a_tile_is_the_dot_products_within_the_bound() {
        let v = unit_rows(40, 384, 7);
        let rows: Vec<usize> = (0..40).collect();
        let q = Quantised::new(&v, &rows, 48);
        let (mut fast, mut plain) = ([0; MR * NR], [0; MR * NR]);
        for (row0, col0) in [(0, 0), (6, 16), (30, 32)] {
            q.tile_portable(row0, col0, &mut plain);
            assert!(
                detected() >= AVX2,
                "the machines this is tested on have AVX2"
            );
            q.tile::<AVX2>(row0, col0, &mut fast);
            assert_eq!(
                fast, plain,
                "AVX2 and portable tiles differ at {row0},{col0}"
            );
            if detected() == AVX512 {
                q.tile::<AVX512>(row0, col0, &mut fast);
                assert_eq!(
                    fast, plain,
                    "AVX-512 and portable tiles differ at {row0},{col0}"
                );
            }
            for r in 0..MR {
                for c in 0..NR {
                    let (i, j) = (row0 + r, col0 + c);
                    if i >= 40 || j >= 40 {
                        assert_eq!(plain[r * NR + c], 0, "padding multiplies to zero");
                        continue;
                    }
                    let approx = plain[r * NR + c] as f32 * q.inv_scale[i] * q.inv_scale[j];
                    let exact = v.row(i).dot(&v.row(j));
                    assert!((approx - exact).abs() <= q.bound, "{approx} vs {exact}");
                }
            }
        }
        assert!(q.bound < 5e-4, "16-bit error bound {}", q.bound);
    }

    #[test]
    fn a_vector_with_one_large_coordinate_does_not_overflow() {
        let mut v = Array2::<f32>::zeros((16, 384));
        for i in 0..16 {
            v[[i, 0]] = 1.0;
        }
        let rows: Vec<usize> = (0..16).collect();
        let q = Quantised::new(&v, &rows, 48);
        let mut out = [0; MR * NR];
        q.tile::<PORTABLE>(0, 0, &mut out);
        let c = out[0] as f32 * q.inv_scale[0] * q.inv_scale[0];
        assert!((c - 1.0).abs() < 1e-4, "{c}");
    }
}
