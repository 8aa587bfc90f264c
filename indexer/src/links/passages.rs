//! Passage links: candidate pairs scored ([`super::link_score`]), kept when
//! among the best `per_paragraph` of either end, grouped by text pair.
//!
//! Owns: which paragraph pairs become links. Must not: rank texts.

use std::collections::{BTreeMap, HashSet};

use super::candidates::Candidates;
use super::dense::DensePass;
use super::input::LinkInput;
use super::model::PassageLink;
use super::score::{link_score, similarity_kind};
use crate::config::LinksConfig;

/// (from paragraph, to paragraph, score), rows into the paragraph list,
/// `from` in the text whose id sorts first.
pub(super) type ParagraphPair = (usize, usize, f32);

pub(super) struct PassageLinks {
    /// Every kept link, by paragraph rows.
    pub links: Vec<PassageLink>,
    /// The kept links of each text pair (ids, lower first).
    pub by_text_pair: BTreeMap<(String, String), Vec<ParagraphPair>>,
}

/// Scores every candidate (duplicate texts left out), keeps those at least
/// `min_score` that are among the best `per_paragraph` of either end.
pub(super) fn keep(
    input: &LinkInput,
    candidates: &Candidates,
    dense: &DensePass,
    duplicate_pairs: &HashSet<(usize, usize)>,
    dates: &[Option<i64>],
    cfg: &LinksConfig,
) -> PassageLinks {
    let n = input.len();
    let mut per_paragraph: Vec<Vec<(f32, (usize, usize))>> = vec![Vec::new(); n];
    let mut scored = Vec::new();
    for (&(i, j), c) in candidates {
        if duplicate_pairs.contains(&input.text_pair(i, j)) {
            continue;
        }
        let score = link_score(
            dense.z(i, c.dense),
            dense.z(j, c.dense),
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
    scored.sort_by_key(|s| s.0);
    let mut out = PassageLinks {
        links: Vec::new(),
        by_text_pair: BTreeMap::new(),
    };
    let paragraphs = &input.paragraphs;
    for ((i, j), score) in scored.into_iter().filter(|s| kept.contains(&s.0)) {
        let c = &candidates[&(i, j)];
        // Between dated texts a link points from the earlier to the later
        // (which takes the idea up, issue 16).
        let (f, t) = match (dates[input.text_of[i]], dates[input.text_of[j]]) {
            (Some(a), Some(b)) if b < a => (j, i),
            _ => (i, j),
        };
        let (kind, confidence) =
            similarity_kind(dense.z(i, c.dense), dense.z(j, c.dense), cfg.echo_min_z);
        out.links.push(PassageLink {
            from: paragraphs[f].id.clone(),
            to: paragraphs[t].id.clone(),
            score,
            dense: c.dense,
            bm25: c.bm25,
            kind,
            confidence,
        });
        let (a, b) = (&paragraphs[i].text_id, &paragraphs[j].text_id);
        let (key, pair) = if a < b {
            ((a.clone(), b.clone()), (i, j, score))
        } else {
            ((b.clone(), a.clone()), (j, i, score))
        };
        out.by_text_pair.entry(key).or_default().push(pair);
    }
    out
}
