//! Link discovery: which paragraph of one text echoes which paragraph of
//! another, and so which texts are related.
//!
//! Owns: candidate generation (dense neighbours + BM25 "more like this"),
//! calibration (per-paragraph z-scores), noise removal (boilerplate, duplicate
//! texts), aggregation into related texts with evidence, the author's own
//! links. Must not: embed (vectors come from the cache) or know about HTTP.
//! The scoring rules are pure functions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use ndarray::{s, Array2, Axis};
use serde::{Deserialize, Serialize};

use crate::config::LinksConfig;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::manifest::Catalogue;
use crate::store::{Filter, StoredParagraph, TextIndex};

/// One passage pair that makes two texts related.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub from: String,
    pub to: String,
    /// Cosine of the two paragraphs' embeddings.
    pub dense: f32,
    /// BM25 "more like this" score (0 when BM25 did not propose the pair).
    pub bm25: f32,
    /// Calibrated score (see [`link_score`]).
    pub score: f32,
    /// Salient words both passages share, as written in `from`.
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Related {
    pub text: String,
    /// The pair's fused z-score (see `related.rs`); shown only when it
    /// reaches `links.related_min_score`.
    pub score: f32,
    /// The same without the pair's strongest passage match; shown only when
    /// it reaches `links.related_min_robust` (one shared passage — a title
    /// in passing, a date, a feed snapshot — must not carry a link).
    #[serde(default)]
    pub robust: f32,
    /// The source text already links to this one (the author's own link).
    pub author: bool,
    pub evidence: Vec<Evidence>,
}

/// A link between two paragraphs of different texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageLink {
    pub from: String,
    pub to: String,
    pub score: f32,
    pub dense: f32,
    pub bm25: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub a: String,
    pub b: String,
    /// Share of the shorter text's passages found in the other.
    pub share: f32,
}

/// The link graph, as computed and saved by `rhizome links`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Links {
    pub model_id: String,
    /// For each text, its related texts that are shown (score at least
    /// `links.related_min_score`), best first.
    pub related: BTreeMap<String, Vec<Related>>,
    /// For each text, the best `related_per_text` candidates whatever their
    /// score (what a recall measure ranks; not shown to readers).
    #[serde(default)]
    pub ranked: BTreeMap<String, Vec<String>>,
    /// The author's own links, resolved to text ids: source → targets.
    pub author_links: BTreeMap<String, Vec<String>>,
    pub duplicates: Vec<Duplicate>,
    /// Paragraph ids that recur across texts (boilerplate): they make no links.
    pub boilerplate: Vec<String>,
    pub paragraph_links: usize,
    /// Every kept paragraph link (the graph zoomed in to passages).
    #[serde(default)]
    pub passage_links: Vec<PassageLink>,
    pub paragraphs: usize,
    pub seconds: f64,
    /// How dense neighbours were found: `exact` (all pairs) or `hnsw`.
    #[serde(default)]
    pub neighbours: String,
    /// With `hnsw`: recall@dense_k against exact neighbours on a sample.
    #[serde(default)]
    pub ann_recall: Option<f32>,
}

/// The calibrated score of a paragraph pair: the dense z-score (mean of both
/// ends) plus the normalised BM25 agreement, weighted.
pub fn link_score(z_from: f32, z_to: f32, bm25_norm: f32, bm25_weight: f32) -> f32 {
    (z_from + z_to) / 2.0 + bm25_weight * bm25_norm.clamp(0.0, 1.0)
}

/// A text pair's score from its paragraph links: the sum of the best `m`
/// scores, so that several echoing passages beat a single one, divided by a
/// slowly growing function of the shorter text's length, so that one long
/// book does not swallow the graph by sheer number of chances.
pub fn text_score(mut link_scores: Vec<f32>, m: usize, shorter_len: usize) -> f32 {
    link_scores.sort_by(|a, b| b.total_cmp(a));
    let sum: f32 = link_scores.iter().take(m).sum();
    sum / (1.0 + (shorter_len.max(1) as f32).ln() / 4.0)
}

/// Lowercased letters and digits only: recurring passages compare equal
/// whatever their punctuation or spacing.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Decodes `%xx` escapes (URL paths and the blog's file names use them).
pub fn percent_decode(s: &str) -> String {
    // The crate, not a hand-written loop: that one sliced `s` two bytes past a
    // `%` and panicked when a multibyte character followed (issue 20).
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Resolves the links written in texts (`https://tcrouzet.com/YYYY/MM/DD/slug/`,
/// `blog.tcrouzet.com/...`, relative `x.md`) to text ids of the same corpus.
pub fn resolve_author_links(catalogue: &Catalogue) -> BTreeMap<String, Vec<String>> {
    // (corpus, decoded slug) → ids; slug = last path segment without extension
    let mut by_slug: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (id, e) in &catalogue.texts {
        let slug = id.rsplit('/').next().unwrap_or(id);
        by_slug
            .entry((e.corpus.clone(), percent_decode(slug).to_lowercase()))
            .or_default()
            .push(id.clone());
    }
    let mut out = BTreeMap::new();
    for (id, e) in &catalogue.texts {
        let mut targets = Vec::new();
        for link in &e.links {
            let l = link.split(['#', '?']).next().unwrap_or(link);
            let is_web =
                l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.");
            if is_web {
                let host = l
                    .split("//")
                    .nth(1)
                    .unwrap_or(l)
                    .split('/')
                    .next()
                    .unwrap_or("");
                if !host.ends_with("tcrouzet.com") {
                    continue;
                }
            }
            let segment = l.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            let slug = segment.strip_suffix(".md").unwrap_or(segment);
            if slug.is_empty() || (is_web && !l.contains(|c: char| c.is_ascii_digit())) {
                continue;
            }
            if let Some(ids) = by_slug.get(&(e.corpus.clone(), percent_decode(slug).to_lowercase()))
            {
                // Several posts may share a slug: prefer the one whose path dates match the URL.
                let best = ids.iter().find(|t| {
                    let parts: Vec<&str> = t.split('/').collect();
                    parts.len() >= 3
                        && l.contains(&format!(
                            "/{}/{}/",
                            parts[parts.len() - 3],
                            parts[parts.len() - 2]
                        ))
                });
                let target = best.unwrap_or(&ids[0]);
                if target != id && !targets.contains(target) {
                    targets.push(target.clone());
                }
            }
        }
        if !targets.is_empty() {
            out.insert(id.clone(), targets);
        }
    }
    out
}

/// Analyzed stems of a text with the first surface word that produced each.
/// The smallest idf of a salient word: one in at most 2 % of `n` paragraphs.
pub fn salient_min_idf(n: usize) -> f32 {
    (1.0 + (n as f32 * 0.98 + 0.5) / (n as f32 * 0.02 + 0.5)).ln()
}

/// Salient words two passages share (not function words, at least 4
/// letters, idf at least `min_idf`), as written in `a`, rarest first, at most 6.
pub fn shared_terms(index: &TextIndex, a: &str, b: &str, min_idf: f32) -> Vec<String> {
    let (sa, sb) = (stems_with_surface(a), stems_with_surface(b));
    let mut terms: Vec<(f32, String)> = sa
        .iter()
        .filter(|(stem, w)| sb.contains_key(*stem) && w.chars().count() >= 4)
        .map(|(stem, w)| (index.idf(stem), w.clone()))
        .filter(|(idf, _)| *idf >= min_idf)
        .collect();
    terms.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    terms.into_iter().take(6).map(|x| x.1).collect()
}

fn stems_with_surface(text: &str) -> HashMap<String, String> {
    let mut analyzer = crate::analyzer::french_analyzer();
    let mut out = HashMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
    {
        if let Some(stem) = crate::analyzer::terms(&mut analyzer, word)
            .into_iter()
            .next()
        {
            out.entry(stem).or_insert_with(|| word.to_lowercase());
        }
    }
    out
}

/// What the text-level pass reads.
struct TextLevelInput<'a> {
    v: &'a Array2<f32>,
    text_of: &'a [usize],
    /// Paragraphs that may carry a link (long enough, not boilerplate).
    usable: &'a [bool],
    paragraphs: &'a [StoredParagraph],
    n_texts: usize,
    /// Text pairs (low, high) with passage links, and their strength
    /// ([`text_score`]): always compared.
    linked: &'a HashMap<(usize, usize), f32>,
    /// Text pairs never related (duplicates).
    excluded: &'a HashSet<(usize, usize)>,
    cfg: &'a LinksConfig,
}

/// A compared text pair: its fused score and its closest paragraph pairs.
struct TextPair {
    /// From the signals of both whole texts: the rank.
    score: f32,
    /// From the same signals without the pair's strongest passage match:
    /// a shown link must keep `related_min_robust` without it.
    robust: f32,
    /// (paragraph, paragraph, raw cosine), best first, at most `evidence`.
    best: Vec<(usize, usize, f32)>,
}

/// Evenly spaced picks of at most `k` items (all when there are fewer).
fn sample_evenly(rows: &[usize], k: usize) -> Vec<usize> {
    if rows.len() <= k || k == 0 {
        return rows.to_vec();
    }
    (0..k).map(|i| rows[i * rows.len() / k]).collect()
}

/// The text level: candidates per text (nearest by centred mean, plus
/// passage-linked texts, made symmetric), the three signals of
/// [`crate::related`] per pair, z-scores within each source's candidates,
/// and the pair's score as the mean of both directions.
fn text_level(input: &TextLevelInput) -> HashMap<(usize, usize), TextPair> {
    use crate::related::{
        centred, chamfer, chamfer_without, document_frequencies, fuse_signals, intern, mean_row,
        sparse_dot, text_means, tfidf_vector, without, PairSignals,
    };
    let TextLevelInput {
        v,
        text_of,
        usable,
        paragraphs,
        n_texts,
        linked,
        excluded,
        cfg,
    } = *input;
    // Rows of each text: usable paragraphs, or all of them for a text that has none.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n_texts];
    for i in (0..text_of.len()).filter(|&i| usable[i]) {
        rows[text_of[i]].push(i);
    }
    let mut all_rows: Vec<Vec<usize>> = vec![Vec::new(); n_texts];
    for (i, &t) in text_of.iter().enumerate() {
        all_rows[t].push(i);
    }
    for t in 0..n_texts {
        if rows[t].is_empty() {
            rows[t] = all_rows[t].clone();
        }
    }
    let picked: Vec<usize> = (0..text_of.len()).filter(|&i| usable[i]).collect();
    let mu = if picked.is_empty() {
        mean_row(v.view())
    } else {
        mean_row(v.select(Axis(0), &picked).view())
    };
    let vc = centred(v.view(), &mu);
    let means = text_means(vc.view(), &rows);
    let mean_cos = means.dot(&means.t());
    // Candidates, symmetric.
    let mut cand: Vec<HashSet<usize>> = vec![HashSet::new(); n_texts];
    for a in 0..n_texts {
        let mut order: Vec<usize> = (0..n_texts).filter(|&b| b != a).collect();
        order.sort_by(|&x, &y| {
            mean_cos[[a, y]]
                .total_cmp(&mean_cos[[a, x]])
                .then(x.cmp(&y))
        });
        for &b in order.iter().take(cfg.text_candidates) {
            cand[a].insert(b);
            cand[b].insert(a);
        }
    }
    for &(a, b) in linked.keys() {
        cand[a].insert(b);
        cand[b].insert(a);
    }
    for &(a, b) in excluded {
        cand[a].remove(&b);
        cand[b].remove(&a);
    }
    // Words of each paragraph and each text (one vocabulary).
    let (paragraph_words, text_words, df) = {
        let mut analyzer = crate::analyzer::french_analyzer();
        let mut slot = vec![usize::MAX; text_of.len()];
        let mut bags: Vec<Vec<String>> = Vec::new();
        for rs in &rows {
            for &i in rs {
                slot[i] = bags.len();
                bags.push(crate::analyzer::terms(&mut analyzer, &paragraphs[i].text));
            }
        }
        let (counts, vocab) = intern(&bags);
        let texts: Vec<HashMap<u32, u32>> = rows
            .iter()
            .map(|rs| {
                let mut c: HashMap<u32, u32> = HashMap::new();
                for &i in rs {
                    for (k, v) in &counts[slot[i]] {
                        *c.entry(*k).or_default() += v;
                    }
                }
                c
            })
            .collect();
        let df = document_frequencies(&texts, vocab);
        let by_paragraph: HashMap<usize, HashMap<u32, u32>> = (0..text_of.len())
            .filter(|&i| slot[i] != usize::MAX)
            .map(|i| (i, counts[slot[i]].clone()))
            .collect();
        (by_paragraph, texts, df)
    };
    let text_vectors: Vec<crate::related::Sparse> = text_words
        .iter()
        .map(|c| tfidf_vector(c, &df, n_texts))
        .collect();
    // Sum of each text's centred rows (its mean before normalising).
    let sums: Vec<ndarray::Array1<f32>> = rows
        .iter()
        .map(|rs| vc.select(Axis(0), rs).sum_axis(Axis(0)))
        .collect();
    let unit = |x: ndarray::Array1<f32>| {
        let n = x.dot(&x).sqrt().max(1e-12);
        x / n
    };
    // Signals of every candidate pair (low, high), chamfer in parallel.
    let pairs: Vec<(usize, usize)> = (0..n_texts)
        .flat_map(|a| {
            cand[a]
                .iter()
                .filter(move |&&b| b > a)
                .map(move |&b| (a, b))
        })
        .collect();
    let sampled: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| sample_evenly(r, cfg.chamfer_rows))
        .collect();
    let blocks: Vec<Array2<f32>> = sampled.iter().map(|r| vc.select(Axis(0), r)).collect();
    let measured = par_ranges(pairs.len(), |range| {
        range
            .map(|k| {
                let (a, b) = pairs[k];
                let cos_c = blocks[a].dot(&blocks[b].t());
                // The robust signals leave out the pair's strongest passage
                // match (issue 12): a shown link must not rest on one shared
                // passage (a title in passing, a date, a feed snapshot).
                let (x0, y0) = argmax(&cos_c);
                let (i0, j0) = (sampled[a][x0], sampled[b][y0]);
                let lone = rows[a].len() < 2 || rows[b].len() < 2;
                let mean = if lone {
                    mean_cos[[a, b]]
                } else {
                    unit(&sums[a] - &vc.row(i0)).dot(&unit(&sums[b] - &vc.row(j0)))
                };
                let words_of = |t: usize, i: usize| {
                    let counts = match paragraph_words.get(&i) {
                        Some(p) if !lone => without(&text_words[t], p),
                        _ => text_words[t].clone(),
                    };
                    tfidf_vector(&counts, &df, n_texts)
                };
                let passages = linked.get(&(a, b)).copied().unwrap_or(0.0);
                let robust = PairSignals {
                    mean,
                    chamfer: chamfer_without(cos_c.view(), x0, y0),
                    words: sparse_dot(&words_of(a, i0), &words_of(b, j0)),
                    passages,
                };
                let full = PairSignals {
                    mean: mean_cos[[a, b]],
                    chamfer: chamfer(cos_c.view()),
                    words: sparse_dot(&text_vectors[a], &text_vectors[b]),
                    passages,
                };
                let signals = (full, robust);
                // closest paragraph pairs, by raw cosine, as evidence
                let mut best: Vec<(usize, usize, f32)> = Vec::new();
                for (x, &i) in sampled[a].iter().enumerate() {
                    let (y, _) = cos_c.row(x).iter().enumerate().fold(
                        (0, f32::NEG_INFINITY),
                        |m, (y, &c)| if c > m.1 { (y, c) } else { m },
                    );
                    let j = sampled[b][y];
                    if usable[i] && usable[j] {
                        keep_best3(&mut best, (i, j, v.row(i).dot(&v.row(j))), cfg.evidence);
                    }
                }
                (signals, best)
            })
            .collect::<Vec<_>>()
    });
    let measured: Vec<Measured> = measured.into_iter().flatten().collect();
    let index: HashMap<(usize, usize), usize> =
        pairs.iter().enumerate().map(|(k, &p)| (p, k)).collect();
    // Directional scores: z-scores within each source's candidates.
    // Both the full and the robust signals, each on its own z scale.
    let mut directional: HashMap<(usize, usize), (f32, f32)> = HashMap::new();
    for a in 0..n_texts {
        let mut others: Vec<usize> = cand[a].iter().copied().collect();
        others.sort_unstable();
        let of = |b: &usize| measured[index[&(a.min(*b), a.max(*b))]].0;
        let full: Vec<PairSignals> = others.iter().map(|b| of(b).0).collect();
        let robust: Vec<PairSignals> = others.iter().map(|b| of(b).1).collect();
        let (full, robust) = (
            fuse_signals(&full, cfg.signal_weights),
            fuse_signals(&robust, cfg.signal_weights),
        );
        for (k, b) in others.into_iter().enumerate() {
            directional.insert((a, b), (full[k], robust[k]));
        }
    }
    pairs
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| {
            let (x, y) = (directional[&(a, b)], directional[&(b, a)]);
            let pair = TextPair {
                score: (x.0 + y.0) / 2.0,
                robust: (x.1 + y.1) / 2.0,
                best: measured[k].1.clone(),
            };
            ((a, b), pair)
        })
        .collect()
}

/// A pair's (full, robust) signals and its closest paragraph pairs.
type Measured = (
    (crate::related::PairSignals, crate::related::PairSignals),
    Vec<(usize, usize, f32)>,
);

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
fn keep_best3(best: &mut Vec<(usize, usize, f32)>, p: (usize, usize, f32), k: usize) {
    if best.iter().any(|b| b.0 == p.0 && b.1 == p.1) {
        return;
    }
    best.push(p);
    best.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    best.truncate(k);
}

/// A paragraph's "more like this" hits: (paragraph, hits as (point, BM25), its own score).
type MltResult = (usize, Vec<(u64, f32)>, f32);

/// (from paragraph, to paragraph, score), indexes into the paragraph list.
type ParagraphPair = (usize, usize, f32);

struct Candidate {
    dense: f32,
    bm25_norm: f32,
    bm25: f32,
}

/// Runs `f` on contiguous parts of `0..n`, one per core, and returns the
/// results in order (CPU work: link discovery must use both cores).
fn par_ranges<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n.max(1));
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                scope.spawn(move || f(t * chunk..((t + 1) * chunk).min(n)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("link worker panicked"))
            .collect()
    })
}

/// What the dense pass reads.
struct DenseInput<'a> {
    v: &'a Array2<f32>,
    text_of: &'a [usize],
    eligible: &'a [bool],
    cfg: &'a LinksConfig,
}

/// What the dense pass finds, per paragraph.
struct DensePass {
    /// Mean and spread of its cosines with other texts' paragraphs (shrunk
    /// towards the model's background).
    mean: Vec<f32>,
    std: Vec<f32>,
    /// Its `dense_k` nearest paragraphs in other texts, best first.
    top: Vec<Vec<(usize, f32)>>,
    /// Other texts' paragraphs that are the same passage (cosine ≥ `same_passage_cosine`).
    same: Vec<Vec<usize>>,
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
fn dense_exact(ctx: &DenseInput) -> DensePass {
    let DenseInput {
        v,
        text_of,
        eligible,
        cfg,
    } = *ctx;
    let n = v.nrows();
    let rows = par_ranges(n, |range| {
        let mut out = Vec::with_capacity(range.len());
        let block = 256;
        for start in range.clone().step_by(block) {
            let end = (start + block).min(range.end);
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
                let (m, sd) = shrunk_moments(sum, sq, cnt, cfg);
                out.push((m, sd, top, same));
            }
        }
        out
    });
    collect_pass(rows.into_iter().flatten())
}

/// The `dense_k` best of one row of exact cosines (other texts, eligible).
fn top_k(row: ndarray::ArrayView1<f32>, i: usize, ctx: &DenseInput) -> Vec<(usize, f32)> {
    let mut top = Vec::with_capacity(ctx.cfg.dense_k + 1);
    for (j, &c) in row.iter().enumerate() {
        if ctx.text_of[j] != ctx.text_of[i] && ctx.eligible[j] {
            keep_best(&mut top, ctx.cfg.dense_k, j, c);
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

fn collect_pass(
    rows: impl Iterator<Item = (f32, f32, Vec<(usize, f32)>, Vec<usize>)>,
) -> DensePass {
    let mut pass = DensePass {
        mean: Vec::new(),
        std: Vec::new(),
        top: Vec::new(),
        same: Vec::new(),
    };
    for (m, sd, top, same) in rows {
        pass.mean.push(m);
        pass.std.push(sd);
        pass.top.push(top);
        pass.same.push(same);
    }
    pass
}

/// Above `exact_max_paragraphs`: neighbours from the vector store's HNSW
/// index (excluding the paragraph's own text), moments from a fixed sample of
/// paragraphs. O(n log n) instead of O(n²).
fn dense_approximate(
    ctx: &DenseInput,
    store: &dyn crate::store::VectorStore,
    paragraphs: &[StoredParagraph],
) -> Result<DensePass> {
    let DenseInput {
        v,
        text_of,
        eligible,
        cfg,
    } = *ctx;
    let n = v.nrows();
    let point_index: HashMap<u64, usize> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.point, i))
        .collect();
    // A deterministic spread of eligible paragraphs for the moments.
    let pool: Vec<usize> = (0..n).filter(|&j| eligible[j]).collect();
    let step = (pool.len() / cfg.moment_sample.max(1)).max(1);
    let sample: Vec<usize> = pool.iter().copied().step_by(step).collect();
    let vs = v.select(Axis(0), &sample);
    // Some hits are too short to link: asking 4k keeps 10 good ones (ann_recall bench).
    let asked = cfg.dense_k * 4;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let rows = par_ranges(n, |range| -> Result<Vec<_>> {
        let mut out = Vec::with_capacity(range.len());
        for start in range.clone().step_by(256) {
            let end = (start + 256).min(range.end);
            let sims = v.slice(s![start..end, ..]).dot(&vs.t());
            for (r, row) in sims.axis_iter(Axis(0)).enumerate() {
                let i = start + r;
                let (mut sum, mut sq, mut cnt) = (0f64, 0f64, 0usize);
                for (&j, &c) in sample.iter().zip(row.iter()) {
                    if text_of[j] != text_of[i] {
                        sum += c as f64;
                        sq += (c as f64) * (c as f64);
                        cnt += 1;
                    }
                }
                let (m, sd) = shrunk_moments(sum, sq, cnt, cfg);
                if !eligible[i] {
                    // Too short to link: no neighbours needed.
                    out.push((m, sd, Vec::new(), Vec::new()));
                    continue;
                }
                let filter = crate::store::Filter {
                    exclude_text: Some(paragraphs[i].text_id.clone()),
                    ..Default::default()
                };
                let hits = store.search_ef(
                    v.row(i).as_slice().expect("rows are contiguous"),
                    asked,
                    &filter,
                    cfg.hnsw_ef,
                )?;
                let found: Vec<(usize, f32)> = hits
                    .into_iter()
                    .filter_map(|(id, c)| point_index.get(&id).map(|&j| (j, c)))
                    .filter(|&(j, _)| eligible[j] && text_of[j] != text_of[i])
                    .collect();
                let same = found
                    .iter()
                    .filter(|x| x.1 >= cfg.same_passage_cosine)
                    .map(|x| x.0)
                    .collect();
                let top = found.into_iter().take(cfg.dense_k).collect();
                out.push((m, sd, top, same));
            }
            let d = done.fetch_add(end - start, std::sync::atomic::Ordering::Relaxed) + end - start;
            if d % 16384 < 256 {
                tracing::info!(done = d, of = n, "HNSW neighbours");
            }
        }
        Ok(out)
    });
    let mut all = Vec::with_capacity(n);
    for part in rows {
        all.extend(part?);
    }
    Ok(collect_pass(all.into_iter()))
}

/// Recall@k of the approximate neighbours against exact ones, on `samples`
/// linkable paragraphs spread over the corpus.
fn ann_recall(ctx: &DenseInput, approx: &[Vec<(usize, f32)>], samples: usize) -> f32 {
    // Paragraphs long enough to link: the others get no neighbours at all.
    let pool: Vec<usize> = (0..ctx.v.nrows()).filter(|&i| ctx.eligible[i]).collect();
    let rows: Vec<usize> = pool
        .iter()
        .copied()
        .step_by((pool.len() / samples.max(1)).max(1))
        .take(samples)
        .collect();
    let (mut found, mut total) = (0usize, 0usize);
    for &i in &rows {
        let exact = top_k(ctx.v.dot(&ctx.v.row(i)).view(), i, ctx);
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

/// Computes the whole link graph from what the engine has indexed.
pub fn compute(engine: &Engine) -> Result<Links> {
    let started = Instant::now();
    let cfg: &LinksConfig = &engine.config.links;
    let catalogue = engine.catalogue();
    let paragraphs: Vec<StoredParagraph> = engine.text_index().all()?;
    let n = paragraphs.len();
    let dim = engine.embedder().dim();
    // Vectors from the embedding cache (the same for every backend).
    let mut v = Array2::<f32>::zeros((n, dim));
    for (i, p) in paragraphs.iter().enumerate() {
        let vec = engine.stored_vector(p)?;
        v.row_mut(i).assign(&ndarray::ArrayView1::from(&vec[..]));
    }
    let text_of: Vec<usize> = {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        paragraphs
            .iter()
            .map(|p| {
                let k = ids.len();
                *ids.entry(p.text_id.as_str()).or_insert(k)
            })
            .collect()
    };
    let eligible: Vec<bool> = paragraphs
        .iter()
        .map(|p| p.text.chars().count() >= cfg.min_chars)
        .collect();

    // Boilerplate, exact: the same normalised passage in several texts.
    let mut texts_by_passage: HashMap<String, HashSet<usize>> = HashMap::new();
    for (i, p) in paragraphs.iter().enumerate() {
        texts_by_passage
            .entry(normalized(&p.text))
            .or_default()
            .insert(text_of[i]);
    }
    let mut boilerplate: Vec<bool> = paragraphs
        .iter()
        .map(|p| texts_by_passage[&normalized(&p.text)].len() >= cfg.boilerplate_texts)
        .collect();

    // Dense pass: per-paragraph moments against other texts, top-k
    // neighbours, and near-identical passages (for boilerplate and duplicates).
    let phase = Instant::now();
    let ctx = DenseInput {
        v: &v,
        text_of: &text_of,
        eligible: &eligible,
        cfg,
    };
    let approximate = n > cfg.exact_max_paragraphs;
    let DensePass {
        mean,
        std,
        top: dense_top,
        same: same_passage,
    } = if approximate {
        dense_approximate(&ctx, engine.vector_store(), &paragraphs)?
    } else {
        dense_exact(&ctx)
    };
    let ann_recall = if approximate {
        let r = ann_recall(&ctx, &dense_top, 200);
        tracing::info!(
            recall_at_k = r,
            k = cfg.dense_k,
            ef = cfg.hnsw_ef,
            "HNSW neighbours against exact, 200 sampled paragraphs"
        );
        Some(r)
    } else {
        None
    };
    tracing::info!(
        seconds = phase.elapsed().as_secs_f64(),
        approximate,
        "dense pass"
    );
    if n > 0 {
        tracing::debug!(
            mean = mean.iter().sum::<f32>() / n as f32,
            std = std.iter().sum::<f32>() / n as f32,
            "background cosines"
        );
    }
    for i in 0..n {
        let texts: HashSet<usize> = same_passage[i]
            .iter()
            .map(|&j| text_of[j])
            .chain([text_of[i]])
            .collect();
        if texts.len() >= cfg.boilerplate_texts {
            boilerplate[i] = true;
        }
    }

    // Duplicate texts: most passages of the shorter one found in the other.
    let mut text_len: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        if eligible[i] {
            *text_len.entry(text_of[i]).or_default() += 1;
        }
    }
    let mut shared: HashMap<(usize, usize), HashSet<usize>> = HashMap::new();
    for i in 0..n {
        for &j in &same_passage[i] {
            let key = (text_of[i].min(text_of[j]), text_of[i].max(text_of[j]));
            shared.entry(key).or_default().insert(i);
        }
    }
    let text_name: HashMap<usize, &str> = (0..n)
        .map(|i| (text_of[i], paragraphs[i].text_id.as_str()))
        .collect();
    let text_index: HashMap<&str, usize> = text_name.iter().map(|(&i, &t)| (t, i)).collect();
    let mut duplicate_pairs = HashSet::new();
    let mut duplicates = Vec::new();
    for (&(a, b), ps) in &shared {
        // passages of each side that have a twin on the other
        let (na, nb) = (
            ps.iter().filter(|&&i| text_of[i] == a).count(),
            ps.iter().filter(|&&i| text_of[i] == b).count(),
        );
        let shorter = text_len
            .get(&a)
            .copied()
            .unwrap_or(0)
            .min(text_len.get(&b).copied().unwrap_or(0))
            .max(1);
        let share = na.max(nb) as f32 / shorter as f32;
        if share >= cfg.duplicate_share && na.max(nb) >= 2 {
            duplicate_pairs.insert((a, b));
            let (x, y) = (
                text_name[&a].min(text_name[&b]),
                text_name[&a].max(text_name[&b]),
            );
            duplicates.push(Duplicate {
                a: x.to_string(),
                b: y.to_string(),
                share: share.min(1.0),
            });
        }
    }
    duplicates.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));

    // BM25 "more like this" candidates.
    let point_index: HashMap<u64, usize> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.point, i))
        .collect();
    let mut candidates: HashMap<(usize, usize), Candidate> = HashMap::new();
    let usable = |i: usize| eligible[i] && !boilerplate[i];
    let mlt = par_ranges(n, |range| -> Result<Vec<MltResult>> {
        let mut out = Vec::new();
        for i in range.filter(|&i| usable(i)) {
            let terms: Vec<String> = engine
                .text_index()
                .salient_terms(&paragraphs[i].text, cfg.bm25_terms)
                .into_iter()
                .map(|t| t.0)
                .collect();
            let hits =
                engine
                    .text_index()
                    .search_terms(&terms, cfg.bm25_k + 8, &Filter::default())?;
            let self_score = hits.iter().map(|h| h.1).fold(0f32, f32::max).max(1e-6);
            out.push((i, hits, self_score));
        }
        Ok(out)
    });
    let mut mlt_hits: Vec<Vec<(u64, f32)>> = vec![Vec::new(); n];
    let mut self_scores = vec![1f32; n];
    for part in mlt {
        for (i, hits, self_score) in part? {
            mlt_hits[i] = hits;
            self_scores[i] = self_score;
        }
    }
    for i in (0..n).filter(|&i| usable(i)) {
        let self_score = self_scores[i];
        for &(point, score) in &mlt_hits[i] {
            let Some(&j) = point_index.get(&point) else {
                continue;
            };
            if text_of[j] == text_of[i] || !usable(j) {
                continue;
            }
            let key = (i.min(j), i.max(j));
            let dense = v.row(i).dot(&v.row(j));
            let c = candidates.entry(key).or_insert(Candidate {
                dense,
                bm25_norm: 0.0,
                bm25: 0.0,
            });
            c.bm25_norm = c.bm25_norm.max(score / self_score);
            c.bm25 = c.bm25.max(score);
        }
        for &(j, dense) in &dense_top[i] {
            if usable(j) {
                candidates.entry((i.min(j), i.max(j))).or_insert(Candidate {
                    dense,
                    bm25_norm: 0.0,
                    bm25: 0.0,
                });
            }
        }
    }

    // Score, keep the best per paragraph, group by text pair.
    let mut per_paragraph: Vec<Vec<(f32, (usize, usize))>> = vec![Vec::new(); n];
    let mut scored = Vec::new();
    for (&(i, j), c) in &candidates {
        let (ti, tj) = (text_of[i].min(text_of[j]), text_of[i].max(text_of[j]));
        if duplicate_pairs.contains(&(ti, tj)) {
            continue;
        }
        let score = link_score(
            (c.dense - mean[i]) / std[i],
            (c.dense - mean[j]) / std[j],
            c.bm25_norm,
            cfg.bm25_weight,
        );
        if score >= cfg.min_score {
            per_paragraph[i].push((score, (i, j)));
            per_paragraph[j].push((score, (i, j)));
            scored.push(((i, j), score));
        }
    }
    let mut kept: HashSet<(usize, usize)> = HashSet::new();
    for list in &mut per_paragraph {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        kept.extend(list.iter().take(cfg.per_paragraph).map(|x| x.1));
    }
    let mut by_text_pair: BTreeMap<(String, String), Vec<ParagraphPair>> = BTreeMap::new();
    scored.sort_by_key(|s| s.0);
    let mut passage_links = Vec::new();
    for ((i, j), score) in scored {
        if !kept.contains(&(i, j)) {
            continue;
        }
        let c = &candidates[&(i, j)];
        passage_links.push(PassageLink {
            from: paragraphs[i].id.clone(),
            to: paragraphs[j].id.clone(),
            score,
            dense: c.dense,
            bm25: c.bm25,
        });
        let (a, b) = (&paragraphs[i].text_id, &paragraphs[j].text_id);
        let (key, pair) = if a < b {
            ((a.clone(), b.clone()), (i, j, score))
        } else {
            ((b.clone(), a.clone()), (j, i, score))
        };
        by_text_pair.entry(key).or_default().push(pair);
    }
    let paragraph_links = kept.len();

    // Related texts: every text against its candidates as wholes (issue 12),
    // with the passage links as evidence.
    let author_links = resolve_author_links(&catalogue);
    let min_idf = salient_min_idf(n);
    let usable_rows: Vec<bool> = (0..n).map(usable).collect();
    let n_texts = text_name.len();
    let len_of = |t: &str| catalogue.texts.get(t).map_or(1, |e| e.paragraphs);
    let linked: HashMap<(usize, usize), f32> = by_text_pair
        .iter()
        .filter_map(|((a, b), pairs)| {
            let (x, y) = (*text_index.get(a.as_str())?, *text_index.get(b.as_str())?);
            let strength = text_score(
                pairs.iter().map(|p| p.2).collect(),
                3,
                len_of(a).min(len_of(b)),
            );
            Some(((x.min(y), x.max(y)), strength))
        })
        .collect();
    let phase = Instant::now();
    let level = text_level(&TextLevelInput {
        v: &v,
        text_of: &text_of,
        usable: &usable_rows,
        paragraphs: &paragraphs,
        n_texts,
        linked: &linked,
        excluded: &duplicate_pairs,
        cfg,
    });
    tracing::info!(
        seconds = phase.elapsed().as_secs_f64(),
        pairs = level.len(),
        "text level"
    );
    let evidence_of = |f: usize, t: usize, s: f32, dense: f32, bm25: f32| {
        let (pf, pt) = (&paragraphs[f], &paragraphs[t]);
        Evidence {
            from: pf.id.clone(),
            to: pt.id.clone(),
            dense,
            bm25,
            score: s,
            terms: shared_terms(engine.text_index(), &pf.text, &pt.text, min_idf),
        }
    };
    let mut ranked_all: BTreeMap<String, Vec<Related>> = BTreeMap::new();
    for (&(a, b), pair) in &level {
        let (ida, idb) = (text_name[&a], text_name[&b]);
        let key = if ida < idb { (ida, idb) } else { (idb, ida) };
        let passages = by_text_pair.get(&(key.0.to_string(), key.1.to_string()));
        for (src, dst) in [(a, b), (b, a)] {
            let (src_id, dst_id) = (text_name[&src], text_name[&dst]);
            let evidence: Vec<Evidence> = match passages {
                // passage links, best first, oriented from the source
                Some(pairs) => {
                    let mut pairs = pairs.clone();
                    pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
                    pairs
                        .iter()
                        .take(cfg.evidence)
                        .map(|&(i, j, sc)| {
                            let (f, t) = if paragraphs[i].text_id == src_id {
                                (i, j)
                            } else {
                                (j, i)
                            };
                            let c = &candidates[&(f.min(t), f.max(t))];
                            evidence_of(f, t, sc, c.dense, c.bm25)
                        })
                        .collect()
                }
                // no passage link: the closest paragraph pairs the text level found
                None => pair
                    .best
                    .iter()
                    .take(cfg.evidence)
                    .map(|&(i, j, cos)| {
                        let (f, t) = if text_of[i] == src { (i, j) } else { (j, i) };
                        let sc = link_score(
                            (cos - mean[f]) / std[f],
                            (cos - mean[t]) / std[t],
                            0.0,
                            cfg.bm25_weight,
                        );
                        evidence_of(f, t, sc, cos, 0.0)
                    })
                    .collect(),
            };
            let author = author_links
                .get(src_id)
                .is_some_and(|t| t.iter().any(|x| x == dst_id));
            ranked_all
                .entry(src_id.to_string())
                .or_default()
                .push(Related {
                    text: dst_id.to_string(),
                    score: pair.score,
                    robust: pair.robust,
                    author,
                    evidence,
                });
        }
    }
    let mut related: BTreeMap<String, Vec<Related>> = BTreeMap::new();
    let mut ranked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (src, mut list) in ranked_all {
        list.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.text.cmp(&y.text)));
        list.truncate(cfg.related_per_text);
        ranked.insert(src.clone(), list.iter().map(|r| r.text.clone()).collect());
        list.retain(|r| r.score >= cfg.related_min_score && r.robust >= cfg.related_min_robust);
        if !list.is_empty() {
            related.insert(src, list);
        }
    }
    Ok(Links {
        model_id: engine.embedder().model_id().to_string(),
        related,
        ranked,
        author_links,
        duplicates,
        boilerplate: (0..n)
            .filter(|&i| boilerplate[i])
            .map(|i| paragraphs[i].id.clone())
            .collect(),
        paragraph_links,
        passage_links,
        paragraphs: n,
        seconds: started.elapsed().as_secs_f64(),
        neighbours: if approximate { "hnsw" } else { "exact" }.into(),
        ann_recall,
    })
}

impl Links {
    pub fn path(data_dir: &Path) -> std::path::PathBuf {
        crate::data_dir::DataDir(data_dir).links()
    }

    /// Loads the saved links; `NotFound` if `rhizome links` has not run.
    pub fn load(data_dir: &Path) -> Result<Links> {
        let path = Self::path(data_dir);
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::NotFound(format!(
                    "no link graph in {} (run `rhizome links`)",
                    data_dir.display()
                ))
            } else {
                Error::io(&path, e)
            }
        })?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Corrupt(format!("{}: {e}", path.display())))
    }

    /// Saves atomically (temp file, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        crate::manifest::write_atomic(
            &Self::path(data_dir),
            &serde_json::to_vec(self).map_err(|e| Error::Corrupt(e.to_string()))?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_calibrated_and_bounded() {
        assert_eq!(link_score(4.0, 2.0, 0.0, 2.0), 3.0);
        assert_eq!(link_score(4.0, 2.0, 1.0, 2.0), 5.0);
        assert_eq!(
            link_score(4.0, 2.0, 7.0, 2.0),
            5.0,
            "bm25_norm is clamped to 1"
        );
        // more echoing passages beat one; a longer shorter-text is discounted
        assert!(text_score(vec![4.0, 4.0], 3, 10) > text_score(vec![4.0], 3, 10));
        assert!(text_score(vec![4.0], 3, 10) > text_score(vec![4.0], 3, 1000));
        assert_eq!(text_score(vec![1.0, 5.0, 2.0, 3.0], 3, 1), 10.0);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("qu%e2%80%99est-ce"), "qu’est-ce");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zzb"), "a%zzb");
    }

    /// Issue 20: Schemathesis sent `/api/v1/lookup?url=%25_%C3%9E…` and the
    /// server dropped the connection: decoding `%_Þ` sliced into the `Þ`.
    #[test]
    fn issue_20_a_percent_before_a_multibyte_character_decodes() {
        assert_eq!(percent_decode("%_Þ"), "%_Þ");
        assert_eq!(percent_decode("%Þ"), "%Þ");
        assert_eq!(percent_decode("ab%"), "ab%");
        assert_eq!(percent_decode("%c3%a9t%c3%a9"), "été");
    }

    #[test]
    fn author_links_resolve_in_their_three_forms() {
        let mut cat = Catalogue::default();
        let entry = |links: &[&str]| crate::manifest::TextEntry {
            corpus: "blog".into(),
            rel_path: String::new(),
            title: String::new(),
            date: None,
            tags: vec![],
            author: None,
            url: None,
            hash: String::new(),
            paragraphs: 1,
            chars: 1,
            links: links.iter().map(|s| s.to_string()).collect(),
        };
        cat.texts
            .insert("blog/posts/2025/01/technofascisme".into(), entry(&[]));
        cat.texts
            .insert("blog/posts/2008/01/qu%e2%80%99est-ce".into(), entry(&[]));
        cat.texts.insert(
            "blog/posts/2025/03/quitter".into(),
            entry(&[
                "https://tcrouzet.com/2025/01/20/technofascisme/",
                "https://blog.tcrouzet.com/2008/01/10/qu’est-ce/",
                "https://example.org/2025/01/technofascisme/",
            ]),
        );
        cat.texts.insert(
            "blog/posts/2025/04/livre".into(),
            entry(&["quitter.md", "https://tcrouzet.com/books/"]),
        );
        let links = resolve_author_links(&cat);
        assert_eq!(
            links["blog/posts/2025/03/quitter"],
            [
                "blog/posts/2025/01/technofascisme",
                "blog/posts/2008/01/qu%e2%80%99est-ce"
            ]
        );
        assert_eq!(
            links["blog/posts/2025/04/livre"],
            ["blog/posts/2025/03/quitter"]
        );
        assert_eq!(links.len(), 2);
    }
}
