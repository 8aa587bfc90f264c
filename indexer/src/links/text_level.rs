//! The text level (issue 12): every text against its candidate texts as
//! wholes — centred mean, chamfer of paragraphs, tf-idf words and the
//! passage links ([`crate::related`]) — z-scored within each source's
//! candidates, a pair's score the mean of both directions.
//!
//! Owns: which text pairs are compared, their full and robust scores, and
//! their closest paragraph pairs (evidence when no passage link exists).
//! Must not: decide what is shown.

use std::collections::{HashMap, HashSet};

use ndarray::{Array1, Array2, Axis};

use super::input::LinkInput;
use super::parallel::par_ranges;
use crate::config::LinksConfig;
use crate::related::{
    centred, chamfer, chamfer_without, document_frequencies, fuse_signals, intern,
    lexical_neighbours, mean_row, sorted_counts, sparse_dot, text_means, tfidf_vector,
    tfidf_without, PairSignals, Sparse,
};

/// A text's heaviest words that look up its nearest texts by words: enough
/// for what it is about, few enough that a novel's common words never pair
/// it with every text.
const QUERY_TERMS: usize = 64;

/// What the text level reads beside the paragraphs.
pub(super) struct TextLevelInput<'a> {
    /// Paragraphs that may carry a link (long enough, not boilerplate).
    pub usable: &'a [bool],
    /// Text pairs (low, high) with passage links, and their strength
    /// ([`super::text_score`]): always compared.
    pub linked: &'a HashMap<(usize, usize), f32>,
    /// Text pairs never related (duplicates).
    pub excluded: &'a HashSet<(usize, usize)>,
    pub cfg: &'a LinksConfig,
}

/// A compared text pair: its fused score and its closest paragraph pairs.
pub(super) struct TextPair {
    /// The order of a related list: [`TextPair::score`]'s signals with the
    /// passage links weighted `passage_rank_weight`.
    pub rank: f32,
    /// From the signals of both whole texts (`signal_weights`): the gate of
    /// what is shown.
    pub score: f32,
    /// From the same signals without the pair's strongest passage match:
    /// a shown link must keep `related_min_robust` without it.
    pub robust: f32,
    /// (paragraph, paragraph, raw cosine), best first, at most `evidence`.
    pub best: Vec<(usize, usize, f32)>,
}

/// A pair's signals with and without its strongest passage match, and its
/// closest paragraph pairs.
struct Measured {
    full: PairSignals,
    robust: PairSignals,
    best: Vec<(usize, usize, f32)>,
}

/// The texts' vectors, centred on the corpus's usable paragraphs.
struct Centred {
    /// Centred paragraph rows.
    vc: Array2<f32>,
    /// Cosines of the texts' centred means.
    mean_cos: Array2<f32>,
    /// Sum of each text's centred rows (its mean before normalising).
    sums: Vec<Array1<f32>>,
    /// Each text's rows in the chamfer comparison, and their vectors.
    sampled: Vec<Vec<usize>>,
    blocks: Vec<Array2<f32>>,
}

/// Each text's and each paragraph's words, on one vocabulary.
struct Words {
    /// Each paragraph's and each text's counts, sorted by term id.
    by_paragraph: HashMap<usize, Vec<(u32, u32)>>,
    sorted_texts: Vec<Vec<(u32, u32)>>,
    df: Vec<u32>,
    vectors: Vec<Sparse>,
}

/// The texts compared as wholes: every compared pair (low, high) with its
/// scores, and each text's centred mean vector (unit length; what the map's
/// layout starts from).
pub(super) struct TextLevel {
    pub pairs: HashMap<(usize, usize), TextPair>,
    pub means: Array2<f32>,
}

pub(super) fn compare(input: &LinkInput, level: &TextLevelInput) -> TextLevel {
    let rows = text_rows(input, level.usable);
    let centred = centre(input, level, &rows);
    let means = text_means(centred.vc.view(), &rows);
    TextLevel {
        pairs: compare_pairs(input, level, &rows, &centred),
        means,
    }
}

/// Every compared pair (low, high) with its scores.
fn compare_pairs(
    input: &LinkInput,
    level: &TextLevelInput,
    rows: &[Vec<usize>],
    centred: &Centred,
) -> HashMap<(usize, usize), TextPair> {
    let words = words(input, rows);
    let lexical = lexical_neighbours(&words.vectors, QUERY_TERMS, level.cfg.text_word_candidates);
    let cand = candidate_texts(&centred.mean_cos, &lexical, level);
    let pairs: Vec<(usize, usize)> = (0..cand.len())
        .flat_map(|a| {
            cand[a]
                .iter()
                .filter(move |&&b| b > a)
                .map(move |&b| (a, b))
        })
        .collect();
    let measured: Vec<Measured> = par_ranges(pairs.len(), |range| {
        range
            .map(|k| measure(input, level, rows, centred, &words, pairs[k]))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let directional = directional_scores(&cand, &pairs, &measured, level.cfg);
    pairs
        .iter()
        .zip(measured)
        .map(|(&(a, b), m)| {
            let (x, y) = (directional[&(a, b)], directional[&(b, a)]);
            let pair = TextPair {
                rank: (x.0 + y.0) / 2.0,
                score: (x.1 + y.1) / 2.0,
                robust: (x.2 + y.2) / 2.0,
                best: m.best,
            };
            ((a, b), pair)
        })
        .collect()
}

/// Rows of each text: usable paragraphs, or all of them for a text that has none.
fn text_rows(input: &LinkInput, usable: &[bool]) -> Vec<Vec<usize>> {
    let n_texts = input.n_texts();
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n_texts];
    let mut all_rows: Vec<Vec<usize>> = vec![Vec::new(); n_texts];
    for (i, &t) in input.text_of.iter().enumerate() {
        if usable[i] {
            rows[t].push(i);
        }
        all_rows[t].push(i);
    }
    for (r, all) in rows.iter_mut().zip(all_rows) {
        if r.is_empty() {
            *r = all;
        }
    }
    rows
}

fn centre(input: &LinkInput, level: &TextLevelInput, rows: &[Vec<usize>]) -> Centred {
    let v = &input.v;
    let picked: Vec<usize> = (0..input.len()).filter(|&i| level.usable[i]).collect();
    let mu = if picked.is_empty() {
        mean_row(v.view())
    } else {
        mean_row(v.select(Axis(0), &picked).view())
    };
    let vc = centred(v.view(), &mu);
    let means = text_means(vc.view(), rows);
    let mean_cos = means.dot(&means.t());
    let sums = rows
        .iter()
        .map(|rs| vc.select(Axis(0), rs).sum_axis(Axis(0)))
        .collect();
    let sampled: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| sample_evenly(r, level.cfg.chamfer_rows))
        .collect();
    let blocks = sampled.iter().map(|r| vc.select(Axis(0), r)).collect();
    Centred {
        vc,
        mean_cos,
        sums,
        sampled,
        blocks,
    }
}

/// Each text's candidates: its `text_candidates` nearest by centred mean,
/// its `text_word_candidates` nearest by words (`lexical`), and its
/// passage-linked texts, made symmetric; duplicates left out.
fn candidate_texts(
    mean_cos: &Array2<f32>,
    lexical: &[Vec<usize>],
    level: &TextLevelInput,
) -> Vec<HashSet<usize>> {
    let n_texts = mean_cos.nrows();
    let mut cand: Vec<HashSet<usize>> = vec![HashSet::new(); n_texts];
    for a in 0..n_texts {
        let mut order: Vec<usize> = (0..n_texts).filter(|&b| b != a).collect();
        order.sort_by(|&x, &y| {
            mean_cos[[a, y]]
                .total_cmp(&mean_cos[[a, x]])
                .then(x.cmp(&y))
        });
        for &b in order.iter().take(level.cfg.text_candidates) {
            cand[a].insert(b);
            cand[b].insert(a);
        }
    }
    for (a, near) in lexical.iter().enumerate() {
        for &b in near {
            cand[a].insert(b);
            cand[b].insert(a);
        }
    }
    for &(a, b) in level.linked.keys() {
        cand[a].insert(b);
        cand[b].insert(a);
    }
    for &(a, b) in level.excluded {
        cand[a].remove(&b);
        cand[b].remove(&a);
    }
    cand
}

/// Words of each paragraph of `rows` and of each text (one vocabulary).
fn words(input: &LinkInput, rows: &[Vec<usize>]) -> Words {
    let mut slot = vec![usize::MAX; input.len()];
    let order: Vec<usize> = rows.iter().flatten().copied().collect();
    for (k, &i) in order.iter().enumerate() {
        slot[i] = k;
    }
    // The analysis (tokens, elisions, stems) on all cores, one analyzer each.
    let bags: Vec<Vec<String>> = par_ranges(order.len(), |range| {
        let mut analyzer = crate::analyzer::french_analyzer();
        order[range]
            .iter()
            .map(|&i| crate::analyzer::terms(&mut analyzer, &input.paragraphs[i].text))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    // A text's title counts once among its words: a reference names the
    // text it cites by its title ("l'article 1699", a post's title quoted),
    // and nothing in its paragraphs says it (Code civil citations: recall@10
    // 0.329 → 0.377 alone, BENCHMARKS.md). A word every title holds
    // ("article") is in every text and weighs nothing.
    let titles: Vec<Vec<String>> = {
        let mut analyzer = crate::analyzer::french_analyzer();
        rows.iter()
            .map(|rs| match rs.first() {
                Some(&i) => crate::analyzer::terms(&mut analyzer, &input.paragraphs[i].title),
                None => Vec::new(),
            })
            .collect()
    };
    let bags: Vec<Vec<String>> = bags.into_iter().chain(titles).collect();
    let (counts, vocab) = intern(&bags);
    let texts: Vec<HashMap<u32, u32>> = rows
        .iter()
        .enumerate()
        .map(|(t, rs)| {
            let mut c: HashMap<u32, u32> = HashMap::new();
            let title = &counts[order.len() + t];
            for bag in rs.iter().map(|&i| &counts[slot[i]]).chain([title]) {
                for (k, v) in bag {
                    *c.entry(*k).or_default() += v;
                }
            }
            c
        })
        .collect();
    let df = document_frequencies(&texts, vocab);
    let by_paragraph = (0..input.len())
        .filter(|&i| slot[i] != usize::MAX)
        .map(|i| (i, sorted_counts(&counts[slot[i]])))
        .collect();
    let sorted_texts = texts.iter().map(sorted_counts).collect();
    let vectors = texts
        .iter()
        .map(|c| tfidf_vector(c, &df, rows.len()))
        .collect();
    Words {
        by_paragraph,
        sorted_texts,
        df,
        vectors,
    }
}

/// One pair's signals, with and without its strongest passage match.
fn measure(
    input: &LinkInput,
    level: &TextLevelInput,
    rows: &[Vec<usize>],
    c: &Centred,
    words: &Words,
    (a, b): (usize, usize),
) -> Measured {
    let n_texts = rows.len();
    let cos_c = c.blocks[a].dot(&c.blocks[b].t());
    // The robust signals leave out the pair's strongest passage
    // match (issue 12): a shown link must not rest on one shared
    // passage (a title in passing, a date, a feed snapshot).
    let (x0, y0) = argmax(&cos_c);
    let (i0, j0) = (c.sampled[a][x0], c.sampled[b][y0]);
    let lone = rows[a].len() < 2 || rows[b].len() < 2;
    let unit = |x: Array1<f32>| {
        let n = x.dot(&x).sqrt().max(1e-12);
        x / n
    };
    let mean = if lone {
        c.mean_cos[[a, b]]
    } else {
        unit(&c.sums[a] - &c.vc.row(i0)).dot(&unit(&c.sums[b] - &c.vc.row(j0)))
    };
    let words_of = |t: usize, i: usize| match words.by_paragraph.get(&i) {
        Some(p) if !lone => tfidf_without(&words.sorted_texts[t], p, &words.df, n_texts),
        _ => words.vectors[t].clone(),
    };
    let passages = level.linked.get(&(a, b)).copied().unwrap_or(0.0);
    Measured {
        robust: PairSignals {
            mean,
            chamfer: chamfer_without(cos_c.view(), x0, y0),
            words: sparse_dot(&words_of(a, i0), &words_of(b, j0)),
            passages,
        },
        full: PairSignals {
            mean: c.mean_cos[[a, b]],
            chamfer: chamfer(cos_c.view()),
            words: sparse_dot(&words.vectors[a], &words.vectors[b]),
            passages,
        },
        best: closest_pairs(input, level, c, &cos_c, (a, b)),
    }
}

/// The closest paragraph pairs of two texts, by raw cosine, as evidence:
/// each sampled row of `a` with its best row of `b`, both usable.
fn closest_pairs(
    input: &LinkInput,
    level: &TextLevelInput,
    c: &Centred,
    cos_c: &Array2<f32>,
    (a, b): (usize, usize),
) -> Vec<(usize, usize, f32)> {
    let mut best: Vec<(usize, usize, f32)> = Vec::new();
    for (x, &i) in c.sampled[a].iter().enumerate() {
        let (y, _) = cos_c
            .row(x)
            .iter()
            .enumerate()
            .fold(
                (0, f32::NEG_INFINITY),
                |m, (y, &c)| {
                    if c > m.1 {
                        (y, c)
                    } else {
                        m
                    }
                },
            );
        let j = c.sampled[b][y];
        if level.usable[i] && level.usable[j] {
            let cos = input.v.row(i).dot(&input.v.row(j));
            keep_best_pairs(&mut best, (i, j, cos), level.cfg.evidence);
        }
    }
    best
}

/// Directional scores: z-scores within each source's candidates, for the
/// rank, the full and the robust signals, each on its own z scale.
fn directional_scores(
    cand: &[HashSet<usize>],
    pairs: &[(usize, usize)],
    measured: &[Measured],
    cfg: &LinksConfig,
) -> HashMap<(usize, usize), (f32, f32, f32)> {
    let index: HashMap<(usize, usize), usize> =
        pairs.iter().enumerate().map(|(k, &p)| (p, k)).collect();
    let mut directional = HashMap::new();
    for (a, others) in cand.iter().enumerate() {
        let mut others: Vec<usize> = others.iter().copied().collect();
        others.sort_unstable();
        let of = |b: &usize| &measured[index[&(a.min(*b), a.max(*b))]];
        let full: Vec<PairSignals> = others.iter().map(|b| of(b).full).collect();
        let robust: Vec<PairSignals> = others.iter().map(|b| of(b).robust).collect();
        let mut rank_weights = cfg.signal_weights;
        rank_weights[3] += cfg.passage_rank_weight;
        let (rank, full, robust) = (
            fuse_signals(&full, rank_weights),
            fuse_signals(&full, cfg.signal_weights),
            fuse_signals(&robust, cfg.signal_weights),
        );
        for (k, b) in others.into_iter().enumerate() {
            directional.insert((a, b), (rank[k], full[k], robust[k]));
        }
    }
    directional
}

/// Evenly spaced picks of at most `k` items (all when there are fewer).
fn sample_evenly(rows: &[usize], k: usize) -> Vec<usize> {
    if rows.len() <= k || k == 0 {
        return rows.to_vec();
    }
    (0..k).map(|i| rows[i * rows.len() / k]).collect()
}

/// Row and column of a matrix's largest entry (0, 0 when empty).
fn argmax(m: &Array2<f32>) -> (usize, usize) {
    let mut best = ((0, 0), f32::NEG_INFINITY);
    for ((r, c), &x) in m.indexed_iter() {
        if x > best.1 {
            best = ((r, c), x);
        }
    }
    best.0
}

/// Keeps the `k` best (by cosine) paragraph pairs, one per paragraph pair.
fn keep_best_pairs(best: &mut Vec<(usize, usize, f32)>, p: (usize, usize, f32), k: usize) {
    if best.iter().any(|b| b.0 == p.0 && b.1 == p.1) {
        return;
    }
    best.push(p);
    best.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    best.truncate(k);
}
