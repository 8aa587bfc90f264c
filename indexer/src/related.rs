//! Text-level relatedness: how close two texts are as wholes, as pure
//! functions over paragraph vectors and analyzed words.
//!
//! Owns: the three text-pair signals, their fusion, and texts ranked by
//! words (`lexical_neighbours`). Must not: read stores, embed, or decide
//! which pairs are candidates (`links` does, from those rankings).
//!
//! Why these three (issue 12, measured on the judged dev set and the
//! author's links at once): the sum of a few paragraph links lost to a plain
//! mean of paragraph vectors, and both let a passing mention (a book title,
//! a date, a feed snapshot) carry a link. Each signal here looks at the whole
//! of both texts:
//! - **centred mean**: the mean of the paragraph vectors after removing the
//!   corpus's mean vector. e5 vectors share a large common direction (every
//!   French paragraph is ≈0.83 from every other); what is left is what the
//!   text is about.
//! - **chamfer**: for each paragraph of one text, its best centred cosine in
//!   the other, averaged over both texts (both directions). Many
//!   paragraphs must find a partner, so one shared mention weighs 1/n.
//! - **tf-idf cosine** of the texts' analyzed words (French stems): the
//!   lexical view, cheap and blind to the model's biases.
//!
//! Each signal is turned into z-scores within the source text's candidates
//! (how far a pair stands above that text's usual), and the three are
//! averaged with `links.signal_weights` (1, 1, 2: the words count twice,
//! chosen on every related-texts set at once, BENCHMARKS.md).

use std::collections::HashMap;

use ndarray::{Array2, ArrayView2, Axis};

/// Mean vector of the rows, or zeros when there are none.
pub fn mean_row(v: ArrayView2<f32>) -> ndarray::Array1<f32> {
    v.mean_axis(Axis(0))
        .unwrap_or_else(|| ndarray::Array1::zeros(v.ncols()))
}

/// Rows minus `mean`, each scaled back to unit length.
pub fn centred(v: ArrayView2<f32>, mean: &ndarray::Array1<f32>) -> Array2<f32> {
    let mut c = &v - mean;
    for mut row in c.rows_mut() {
        let n = row.dot(&row).sqrt().max(1e-12);
        row /= n;
    }
    c
}

/// One vector per text: the normalised mean of its rows (`rows[t]` are the
/// row indices of text `t`); a text without rows gets zeros.
pub fn text_means(v: ArrayView2<f32>, rows: &[Vec<usize>]) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros((rows.len(), v.ncols()));
    for (t, rs) in rows.iter().enumerate() {
        let mut acc = out.row_mut(t);
        for &r in rs {
            acc += &v.row(r);
        }
        let n = acc.dot(&acc).sqrt();
        if n > 0.0 {
            acc /= n;
        }
    }
    out
}

/// Chamfer similarity of two texts from their rows' pairwise cosines
/// (`a × b`): the mean over `a` of each row's best match in `b`, and the
/// same from `b`, averaged. 0 when either side is empty.
pub fn chamfer(cos: ArrayView2<f32>) -> f32 {
    if cos.nrows() == 0 || cos.ncols() == 0 {
        return 0.0;
    }
    let best_a: f32 = cos
        .rows()
        .into_iter()
        .map(|r| r.fold(f32::NEG_INFINITY, |m, &x| m.max(x)))
        .sum::<f32>()
        / cos.nrows() as f32;
    let best_b: f32 = cos
        .columns()
        .into_iter()
        .map(|c| c.fold(f32::NEG_INFINITY, |m, &x| m.max(x)))
        .sum::<f32>()
        / cos.ncols() as f32;
    (best_a + best_b) / 2.0
}

/// A text's words as a sparse tf-idf vector of unit length:
/// `(1 + ln tf) · ln(N / df)` per term.
pub type Sparse = Vec<(u32, f32)>;

/// Term counts of each bag of analyzed terms, with one vocabulary for all.
pub fn intern(bags: &[Vec<String>]) -> (Vec<HashMap<u32, u32>>, usize) {
    let mut vocab: HashMap<&str, u32> = HashMap::new();
    let counts = bags
        .iter()
        .map(|terms| {
            let mut tf: HashMap<u32, u32> = HashMap::new();
            for t in terms {
                let next = vocab.len() as u32;
                *tf.entry(*vocab.entry(t.as_str()).or_insert(next))
                    .or_default() += 1;
            }
            tf
        })
        .collect();
    (counts, vocab.len())
}

/// In how many of these texts each term occurs.
pub fn document_frequencies(texts: &[HashMap<u32, u32>], vocab: usize) -> Vec<u32> {
    let mut df = vec![0u32; vocab];
    for t in texts {
        for id in t.keys() {
            df[*id as usize] += 1;
        }
    }
    df
}

/// A text's unit-length tf-idf vector from its term counts:
/// `(1 + ln tf) · ln(N / df)` per term (terms in every text weigh nothing).
pub fn tfidf_vector(counts: &HashMap<u32, u32>, df: &[u32], n: usize) -> Sparse {
    let n = n.max(1) as f32;
    let mut v: Sparse = counts
        .iter()
        .filter(|(_, &f)| f > 0)
        .map(|(&id, &f)| {
            let d = df[id as usize].max(1) as f32;
            (id, (1.0 + (f as f32).ln()) * (n / d).ln())
        })
        .filter(|x| x.1 > 0.0)
        .collect();
    v.sort_by_key(|x| x.0);
    let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            x.1 /= norm;
        }
    }
    v
}

/// [`tfidf_vector`] of `text`'s counts minus `paragraph`'s, both sorted by
/// term id: the same vector, to the last bit, without building the
/// difference (the text level computes one per compared pair).
pub fn tfidf_without(
    text: &[(u32, u32)],
    paragraph: &[(u32, u32)],
    df: &[u32],
    n: usize,
) -> Sparse {
    let n = n.max(1) as f32;
    let mut p = paragraph.iter().peekable();
    let mut v: Sparse = Vec::with_capacity(text.len());
    for &(id, f) in text {
        while p.next_if(|x| x.0 < id).is_some() {}
        let minus = p.next_if(|x| x.0 == id).map_or(0, |x| x.1);
        let f = f.saturating_sub(minus);
        if f == 0 {
            continue;
        }
        let d = df[id as usize].max(1) as f32;
        let w = (1.0 + (f as f32).ln()) * (n / d).ln();
        if w > 0.0 {
            v.push((id, w));
        }
    }
    let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            x.1 /= norm;
        }
    }
    v
}

/// Counts sorted by term id.
pub fn sorted_counts(counts: &HashMap<u32, u32>) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = counts.iter().map(|(&k, &c)| (k, c)).collect();
    v.sort_unstable();
    v
}

/// Counts of `a` minus those of `b` (what a text says without one paragraph).
pub fn without(a: &HashMap<u32, u32>, b: &HashMap<u32, u32>) -> HashMap<u32, u32> {
    a.iter()
        .map(|(k, &v)| (*k, v.saturating_sub(b.get(k).copied().unwrap_or(0))))
        .filter(|x| x.1 > 0)
        .collect()
}

/// Chamfer similarity with one row and one column left out (the pair's
/// strongest match): what two texts share beyond a single passage. Falls
/// back to [`chamfer`] when a side has a single row.
pub fn chamfer_without(cos: ArrayView2<f32>, row: usize, col: usize) -> f32 {
    if cos.nrows() < 2 || cos.ncols() < 2 {
        return chamfer(cos);
    }
    let rows: Vec<usize> = (0..cos.nrows()).filter(|&r| r != row).collect();
    let cols: Vec<usize> = (0..cos.ncols()).filter(|&c| c != col).collect();
    let sub = cos.select(Axis(0), &rows).select(Axis(1), &cols);
    chamfer(sub.view())
}

/// Dot product of two sorted sparse vectors.
pub fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Each text's `k` nearest texts by tf-idf cosine (other texts only, best
/// first, ties by index), the cosine summed over the text's own `terms`
/// heaviest terms only: the lexical side of the candidate texts, as hybrid
/// search unions dense and BM25 candidates. Pruning the query side keeps the
/// cost to the postings of rare, heavy words (a novel has thousands of terms;
/// its common ones would pair it with every text). Pure.
pub fn lexical_neighbours(vectors: &[Sparse], terms: usize, k: usize) -> Vec<Vec<usize>> {
    let mut postings: HashMap<u32, Vec<(usize, f32)>> = HashMap::new();
    for (t, v) in vectors.iter().enumerate() {
        for &(id, w) in v {
            postings.entry(id).or_default().push((t, w));
        }
    }
    vectors
        .iter()
        .enumerate()
        .map(|(a, v)| {
            let mut heavy: Vec<(u32, f32)> = v.clone();
            heavy.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            heavy.truncate(terms);
            let mut acc: HashMap<usize, f32> = HashMap::new();
            for (id, w) in heavy {
                for &(b, wb) in &postings[&id] {
                    if b != a {
                        *acc.entry(b).or_default() += w * wb;
                    }
                }
            }
            let mut best: Vec<(usize, f32)> = acc.into_iter().collect();
            best.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            best.into_iter().take(k).map(|x| x.0).collect()
        })
        .collect()
}

/// z-scores of a list of values (0 for all when they do not vary).
pub fn z_scores(x: &[f32]) -> Vec<f32> {
    let n = x.len().max(1) as f32;
    let mean = x.iter().sum::<f32>() / n;
    let sd = (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n).sqrt();
    if sd < 1e-9 {
        return vec![0.0; x.len()];
    }
    x.iter().map(|v| (v - mean) / sd).collect()
}

/// The signals of one text pair.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairSignals {
    pub mean: f32,
    pub chamfer: f32,
    pub words: f32,
    /// Strength of the pair's passage links (0 without any).
    pub passages: f32,
}

/// A source's candidates scored from its signals: the weighted mean of the
/// signals' z-scores taken within this source's candidates (weights in the
/// order mean, chamfer, words, passages). Pure; order kept.
pub fn fuse_signals(signals: &[PairSignals], weights: [f32; 4]) -> Vec<f32> {
    let col = |f: fn(&PairSignals) -> f32| z_scores(&signals.iter().map(f).collect::<Vec<_>>());
    let cols = [
        col(|s| s.mean),
        col(|s| s.chamfer),
        col(|s| s.words),
        col(|s| s.passages),
    ];
    let total: f32 = weights.iter().sum::<f32>().max(1e-9);
    (0..signals.len())
        .map(|i| (0..4).map(|k| weights[k] * cols[k][i]).sum::<f32>() / total)
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn tfidf_without_is_tfidf_of_the_difference_to_the_last_bit() {
        let text: HashMap<u32, u32> = [(0, 3), (2, 1), (5, 7), (9, 2), (11, 1)].into();
        let para: HashMap<u32, u32> = [(2, 1), (5, 2), (9, 2), (40, 1)].into();
        let df = vec![1, 3, 2, 1, 1, 4, 1, 1, 1, 2, 1, 9, 1];
        let df: Vec<u32> = df.into_iter().chain(std::iter::repeat_n(1, 40)).collect();
        let expected = tfidf_vector(&without(&text, &para), &df, 12);
        let fast = tfidf_without(&sorted_counts(&text), &sorted_counts(&para), &df, 12);
        assert_eq!(fast, expected);
        assert!(fast.iter().all(|x| x.0 != 2 && x.0 != 9), "{fast:?}");
    }

    use super::*;
    use ndarray::array;

    #[test]
    fn lexical_neighbours_rank_texts_sharing_heavy_words_first() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let texts = [
            w("légataire testament olographe mystique"),
            w("testament olographe écrit daté signé"),
            w("vente délivrance chose prix"),
            w("vente prix acheteur chose"),
            w("légataire universel saisine"),
        ];
        let v = tfidf(&texts);
        let near = lexical_neighbours(&v, 8, 2);
        assert_eq!(near[0], vec![1, 4], "{near:?}");
        assert_eq!(near[2], vec![3], "only text 3 shares a word with text 2");
        assert!(near.iter().enumerate().all(|(a, n)| !n.contains(&a)));
        // Pruned to its single heaviest word (mystique, its own), text 0
        // finds nothing: only the query side's heavy words are looked up.
        assert!(lexical_neighbours(&v, 1, 5)[0].is_empty());
    }

    /// Builds tf-idf vectors from each text's analyzed terms.
    fn tfidf(texts: &[Vec<String>]) -> Vec<Sparse> {
        let (counts, vocab) = intern(texts);
        let df = document_frequencies(&counts, vocab);
        counts
            .iter()
            .map(|c| tfidf_vector(c, &df, texts.len()))
            .collect()
    }

    #[test]
    fn chamfer_averages_best_matches_both_ways() {
        // a0 matches b0 well, a1 matches nothing; b1 matches a1 a little.
        let cos = array![[0.9, 0.1], [0.0, 0.3]];
        let expected = ((0.9 + 0.3) / 2.0 + (0.9 + 0.3) / 2.0) / 2.0;
        assert!((chamfer(cos.view()) - expected).abs() < 1e-6);
        assert_eq!(chamfer(Array2::<f32>::zeros((0, 3)).view()), 0.0);
    }

    #[test]
    fn one_shared_mention_weighs_little_in_chamfer() {
        // Ten paragraphs each side; only one pair is close (a title quoted in passing).
        let mut cos = Array2::<f32>::from_elem((10, 10), 0.0);
        cos[[0, 0]] = 1.0;
        let mut echo = Array2::<f32>::from_elem((10, 10), 0.0);
        for i in 0..10 {
            echo[[i, i]] = 0.5;
        }
        assert!(chamfer(cos.view()) < chamfer(echo.view()));
    }

    #[test]
    fn leaving_out_the_strongest_match_removes_a_single_shared_passage() {
        // One identical passage (a date, a feed snapshot), nothing else in common.
        let mut cos = Array2::<f32>::from_elem((4, 4), 0.0);
        cos[[2, 1]] = 1.0;
        assert!(chamfer(cos.view()) > 0.2);
        assert_eq!(chamfer_without(cos.view(), 2, 1), 0.0);
        // Texts that echo throughout keep their score.
        let echo = Array2::<f32>::from_shape_fn((4, 4), |(i, j)| if i == j { 0.6 } else { 0.0 });
        assert!((chamfer_without(echo.view(), 0, 0) - 0.6).abs() < 1e-6);
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let (c, vocab) = intern(&[w("a b b"), w("b c")]);
        assert_eq!(vocab, 3);
        let left = without(&c[0], &c[1]);
        assert_eq!(left.values().sum::<u32>(), 2);
    }

    #[test]
    fn centring_removes_the_shared_direction() {
        let v = array![[1.0f32, 0.1], [1.0, -0.1]];
        let m = mean_row(v.view());
        let c = centred(v.view(), &m);
        let raw = v.row(0).dot(&v.row(1)) / (v.row(0).dot(&v.row(0)));
        assert!(raw > 0.9);
        assert!((c.row(0).dot(&c.row(1)) + 1.0).abs() < 1e-5, "{c:?}");
    }

    #[test]
    fn text_means_are_unit_length_and_empty_texts_zero() {
        let v = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let t = text_means(v.view(), &[vec![0, 1], vec![], vec![2]]);
        assert!((t.row(0).dot(&t.row(0)) - 1.0).abs() < 1e-6);
        assert_eq!(t.row(1).sum(), 0.0);
        assert!((t.row(0).dot(&t.row(2)) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn tfidf_ignores_words_every_text_has_and_is_unit_length() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let v = tfidf(&[w("vélo col vélo"), w("vélo jardin"), w("vélo col")]);
        assert!(v.iter().all(|x| x.iter().all(|(_, w)| *w > 0.0)));
        // "vélo" is in every text: idf 0, left out
        assert_eq!(v[1].len(), 1);
        for x in &v {
            let n: f32 = x.iter().map(|(_, w)| w * w).sum();
            assert!((n - 1.0).abs() < 1e-5);
        }
        assert!(sparse_dot(&v[0], &v[2]) > 0.99);
        assert_eq!(sparse_dot(&v[0], &v[1]), 0.0);
    }

    #[test]
    fn fused_signals_rank_agreement_first() {
        let s = [
            PairSignals {
                mean: 0.5,
                chamfer: 0.5,
                words: 0.5,
                passages: 0.0,
            },
            PairSignals {
                mean: 0.1,
                chamfer: 0.1,
                words: 0.9,
                passages: 0.0,
            },
            PairSignals {
                mean: 0.1,
                chamfer: 0.1,
                words: 0.1,
                passages: 0.0,
            },
        ];
        let f = fuse_signals(&s, [1.0, 1.0, 1.0, 0.0]);
        assert!(f[0] > f[1] && f[1] > f[2], "{f:?}");
        assert_eq!(z_scores(&[2.0, 2.0]), [0.0, 0.0]);
    }
}
