//! Related texts: each compared pair, in both directions, with its evidence
//! (the pair's passage links, or its closest paragraph pairs), ranked per
//! source and cut at the calibrated thresholds.
//!
//! Owns: the lists readers see and the unthresholded ranking a recall
//! measure reads. Must not: compute signals.

use std::collections::{BTreeMap, HashMap};

use super::candidates::Candidates;
use super::dense::DensePass;
use super::input::LinkInput;
use super::model::{Evidence, LinkKind, Related};
use super::passages::{ParagraphPair, PassageLinks};
use super::score::{link_score, salient_min_idf, shared_terms, similarity_kind};
use super::text_level::TextPair;
use crate::config::LinksConfig;

/// What the related lists are made from.
pub(super) struct Aggregate<'a> {
    pub input: &'a LinkInput,
    pub idf: &'a dyn crate::lexical::TermIdf,
    pub dense: &'a DensePass,
    pub candidates: &'a Candidates,
    pub passages: &'a PassageLinks,
    pub author_links: &'a BTreeMap<String, Vec<String>>,
    pub cfg: &'a LinksConfig,
    /// The kind of each kept passage link, by (paragraph, paragraph) ids in
    /// both orders.
    pub kinds: HashMap<(String, String), (LinkKind, f32)>,
}

/// Each kept passage link's kind, by its paragraph ids in both orders.
pub(super) fn kinds_of(passages: &PassageLinks) -> HashMap<(String, String), (LinkKind, f32)> {
    passages
        .links
        .iter()
        .flat_map(|l| {
            [
                ((l.from.clone(), l.to.clone()), (l.kind, l.confidence)),
                ((l.to.clone(), l.from.clone()), (l.kind, l.confidence)),
            ]
        })
        .collect()
}

/// Related lists: (shown, ranked) per source text.
pub(super) type RelatedLists = (
    BTreeMap<String, Vec<Related>>,
    BTreeMap<String, Vec<String>>,
);

/// Shown lists (score ≥ `related_min_score`, robust ≥ `related_min_robust`,
/// ordered by rank) and the best `related_per_text` ids by rank whatever
/// their score. Evidence (the
/// costly part: shared terms through the text index) is gathered only for
/// the shown entries, on all cores.
pub(super) fn related_lists(
    agg: &Aggregate,
    level: &HashMap<(usize, usize), TextPair>,
) -> RelatedLists {
    let cfg = agg.cfg;
    let ids = &agg.input.text_ids;
    // Per source: (target, the compared pair), before any evidence.
    let mut ranked_all: BTreeMap<&str, Vec<(usize, &TextPair)>> = BTreeMap::new();
    for (&(a, b), pair) in level {
        for (src, dst) in [(a, b), (b, a)] {
            ranked_all.entry(&ids[src]).or_default().push((dst, pair));
        }
    }
    let mut ranked = BTreeMap::new();
    let mut shown: Vec<(usize, usize, &TextPair)> = Vec::new();
    for (src, mut list) in ranked_all {
        list.sort_by(|x, y| y.1.rank.total_cmp(&x.1.rank).then(ids[x.0].cmp(&ids[y.0])));
        ranked.insert(
            src.to_string(),
            list.iter()
                .take(cfg.related_per_text)
                .map(|r| ids[r.0].clone())
                .collect(),
        );
        // Gated before the cut: the rank orders what passes, never what passes.
        let src = agg.input.text_index[src];
        shown.extend(
            list.into_iter()
                .filter(|r| {
                    r.1.score >= cfg.related_min_score && r.1.robust >= cfg.related_min_robust
                })
                .take(cfg.related_per_text)
                .map(|(dst, pair)| (src, dst, pair)),
        );
    }
    let entries = super::parallel::par_ranges(shown.len(), |range| {
        shown[range]
            .iter()
            .map(|&(src, dst, pair)| related_entry(agg, src, dst, pair))
            .collect::<Vec<_>>()
    });
    let mut related: BTreeMap<String, Vec<Related>> = BTreeMap::new();
    for (&(src, _, _), entry) in shown.iter().zip(entries.into_iter().flatten()) {
        related.entry(ids[src].clone()).or_default().push(entry);
    }
    (related, ranked)
}

/// One shown entry of `src`'s list: `dst` with its evidence.
fn related_entry(agg: &Aggregate, src: usize, dst: usize, pair: &TextPair) -> Related {
    let ids = &agg.input.text_ids;
    let (ida, idb) = (&ids[src], &ids[dst]);
    let key = if ida < idb { (ida, idb) } else { (idb, ida) };
    let evidence = match agg
        .passages
        .by_text_pair
        .get(&(key.0.clone(), key.1.clone()))
    {
        Some(pairs) => passage_evidence(agg, pairs, src),
        None => closest_evidence(agg, pair, src),
    };
    let author = agg
        .author_links
        .get(ida)
        .is_some_and(|t| t.iter().any(|x| x == idb));
    Related {
        text: idb.clone(),
        score: pair.score,
        rank: pair.rank,
        robust: pair.robust,
        author,
        evidence,
    }
}

/// The pair's passage links, best first, oriented from the source.
fn passage_evidence(agg: &Aggregate, pairs: &[ParagraphPair], src: usize) -> Vec<Evidence> {
    let mut pairs = pairs.to_vec();
    pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    pairs
        .iter()
        .take(agg.cfg.evidence)
        .map(|&(i, j, score)| {
            let (f, t) = if agg.input.text_of[i] == src {
                (i, j)
            } else {
                (j, i)
            };
            let c = &agg.candidates[&(f.min(t), f.max(t))];
            evidence(agg, f, t, score, c.dense, c.bm25)
        })
        .collect()
}

/// No passage link: the closest paragraph pairs the text level found.
fn closest_evidence(agg: &Aggregate, pair: &TextPair, src: usize) -> Vec<Evidence> {
    pair.best
        .iter()
        .take(agg.cfg.evidence)
        .map(|&(i, j, cos)| {
            let (f, t) = if agg.input.text_of[i] == src {
                (i, j)
            } else {
                (j, i)
            };
            let score = link_score(
                agg.dense.z(f, cos),
                agg.dense.z(t, cos),
                0.0,
                agg.cfg.bm25_weight,
            );
            evidence(agg, f, t, score, cos, 0.0)
        })
        .collect()
}

fn evidence(agg: &Aggregate, f: usize, t: usize, score: f32, dense: f32, bm25: f32) -> Evidence {
    let (pf, pt) = (&agg.input.paragraphs[f], &agg.input.paragraphs[t]);
    let min_idf = salient_min_idf(agg.input.len());
    // A pair with no kept passage link is an echo or a theme by its cosine.
    let (kind, confidence) = agg
        .kinds
        .get(&(pf.id.clone(), pt.id.clone()))
        .copied()
        .unwrap_or_else(|| {
            similarity_kind(
                agg.dense.z(f, dense),
                agg.dense.z(t, dense),
                agg.cfg.echo_min_z,
            )
        });
    Evidence {
        from: pf.id.clone(),
        to: pt.id.clone(),
        dense,
        bm25,
        score,
        terms: shared_terms(agg.idf, &pf.text, &pt.text, min_idf),
        kind,
        confidence,
    }
}
