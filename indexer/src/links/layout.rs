//! The map's layout (issue 17): every text's position, computed once per
//! link graph and saved with it, so a reader's page draws thousands of
//! texts at once without laying them out itself.
//!
//! Positions start from the embeddings — the two principal axes of the
//! texts' centred mean vectors, so texts about the same things start close
//! — then are pulled along the shown related links (a few rounds of
//! neighbour averaging: clusters of linked texts tighten into regions), and
//! squashed into [-1, 1] by a tanh of their z-score (outliers do not shrink
//! the rest into a dot).
//!
//! Owns: those three steps, as pure functions. Must not: read the index.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2, Axis};

use super::Related;

/// Rounds of neighbour averaging, and the share of a text's position its
/// neighbours' mean takes each round.
const SMOOTHING_ROUNDS: usize = 8;
const SMOOTHING_PULL: f32 = 0.5;
/// Power-iteration rounds per principal axis (384 dimensions converge in far fewer).
const POWER_ROUNDS: usize = 100;

/// Each text's position, by text id.
pub(super) fn positions(
    text_ids: &[String],
    means: &Array2<f32>,
    related: &BTreeMap<String, Vec<Related>>,
) -> BTreeMap<String, [f32; 2]> {
    let index: HashMap<&str, usize> = text_ids
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize, f32)> = related
        .iter()
        .flat_map(|(src, list)| list.iter().map(move |r| (src, r)))
        .filter_map(|(src, r)| {
            Some((
                *index.get(src.as_str())?,
                *index.get(r.text.as_str())?,
                r.score.max(0.1),
            ))
        })
        .collect();
    let mut xy = principal_axes(means);
    smooth(&mut xy, &edges, SMOOTHING_ROUNDS);
    squash(&mut xy);
    text_ids
        .iter()
        .zip(xy.rows())
        .map(|(t, p)| (t.clone(), [p[0], p[1]]))
        .collect()
}

/// The rows of `x` projected on their two principal axes (n × 2); zeros
/// for fewer than two rows.
pub fn principal_axes(x: &Array2<f32>) -> Array2<f32> {
    let n = x.nrows();
    if n < 2 {
        return Array2::zeros((n, 2));
    }
    let mean = x.mean_axis(Axis(0)).unwrap();
    let xc = x - &mean;
    let cov = xc.t().dot(&xc);
    let first = top_eigenvector(&cov, None);
    let second = top_eigenvector(&cov, Some(&first));
    let mut out = Array2::zeros((n, 2));
    out.column_mut(0).assign(&xc.dot(&first));
    out.column_mut(1).assign(&xc.dot(&second));
    out
}

/// The dominant eigenvector of a symmetric matrix by power iteration,
/// orthogonal to `except` if given; a fixed start, so layouts repeat.
fn top_eigenvector(m: &Array2<f32>, except: Option<&Array1<f32>>) -> Array1<f32> {
    let d = m.nrows();
    let mut v: Array1<f32> = (0..d).map(|i| 1.0 + (i % 7) as f32 / 7.0).collect();
    for _ in 0..POWER_ROUNDS {
        if let Some(e) = except {
            let along = v.dot(e);
            v.scaled_add(-along, e);
        }
        let next = m.dot(&v);
        let norm = next.dot(&next).sqrt();
        if norm < 1e-12 {
            break;
        }
        v = next / norm;
    }
    if let Some(e) = except {
        let along = v.dot(e);
        v.scaled_add(-along, e);
    }
    let norm = v.dot(&v).sqrt().max(1e-12);
    v / norm
}

/// Pulls each text towards the weighted mean of its linked texts.
pub fn smooth(xy: &mut Array2<f32>, edges: &[(usize, usize, f32)], rounds: usize) {
    for _ in 0..rounds {
        let mut sum = Array2::<f32>::zeros(xy.raw_dim());
        let mut weight = vec![0f32; xy.nrows()];
        for &(a, b, w) in edges {
            for (from, to) in [(a, b), (b, a)] {
                sum.row_mut(from).scaled_add(w, &xy.row(to));
                weight[from] += w;
            }
        }
        for (i, &w) in weight.iter().enumerate() {
            if w > 0.0 {
                let target = &sum.row(i) / w;
                let pulled = &xy.row(i) * (1.0 - SMOOTHING_PULL) + target * SMOOTHING_PULL;
                xy.row_mut(i).assign(&pulled);
            }
        }
    }
}

/// Each axis to [-1, 1]: tanh of its z-score over 2.
pub fn squash(xy: &mut Array2<f32>) {
    for mut col in xy.columns_mut() {
        let n = col.len().max(1) as f32;
        let mean = col.sum() / n;
        let std = (col.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
        let std = if std > 1e-12 { std } else { 1.0 };
        col.mapv_inplace(|v| ((v - mean) / std / 2.0).tanh());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_first_axis_follows_the_widest_spread() {
        let x = array![
            [10.0, 0.0, 1.0],
            [-10.0, 0.0, -1.0],
            [5.0, 0.0, 0.0],
            [-5.0, 0.0, 0.5]
        ];
        let p = principal_axes(&x);
        let order: Vec<f32> = p.column(0).to_vec();
        // the projection keeps the points' order along their main direction
        assert!((order[0] - order[1]).abs() > 15.0, "{order:?}");
        assert!(order[2].abs() < order[0].abs());
        assert_eq!(principal_axes(&array![[1.0, 2.0]]).nrows(), 1);
    }

    #[test]
    fn linked_texts_move_closer_and_every_position_fits_the_map() {
        let mut xy = array![[-1.0, 0.0], [1.0, 0.0], [0.0, 5.0]];
        let before = (&xy.row(0) - &xy.row(1)).mapv(|v| v * v).sum();
        smooth(&mut xy, &[(0, 1, 1.0)], 3);
        let after = (&xy.row(0) - &xy.row(1)).mapv(|v| v * v).sum();
        assert!(after < before / 4.0, "{before} → {after}");
        assert_eq!(xy.row(2).to_vec(), [0.0, 5.0], "an unlinked text stays");
        squash(&mut xy);
        assert!(xy.iter().all(|v| (-1.0..=1.0).contains(v)));
    }
}
