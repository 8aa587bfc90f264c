//! What must make no link: boilerplate (the same passage in several texts)
//! and duplicate texts (most passages of the shorter one found in the other).
//!
//! Owns: both rules and their thresholds' use. Must not: score pairs.

use std::collections::{HashMap, HashSet};

use super::input::LinkInput;
use super::model::Duplicate;
use crate::config::LinksConfig;

/// Boilerplate, exact: the same normalised passage in `boilerplate_texts`
/// texts or more.
pub(super) fn exact_boilerplate(input: &LinkInput, cfg: &LinksConfig) -> Vec<bool> {
    let mut texts_by_passage: HashMap<String, HashSet<usize>> = HashMap::new();
    for (i, p) in input.paragraphs.iter().enumerate() {
        texts_by_passage
            .entry(normalized(&p.text))
            .or_default()
            .insert(input.text_of[i]);
    }
    input
        .paragraphs
        .iter()
        .map(|p| texts_by_passage[&normalized(&p.text)].len() >= cfg.boilerplate_texts)
        .collect()
}

/// Boilerplate, near: a passage whose twins (cosine ≥ `same_passage_cosine`)
/// span `boilerplate_texts` texts with its own.
pub(super) fn mark_twin_boilerplate(
    boilerplate: &mut [bool],
    input: &LinkInput,
    same_passage: &[Vec<usize>],
    cfg: &LinksConfig,
) {
    for (i, twins) in same_passage.iter().enumerate() {
        let texts: HashSet<usize> = twins
            .iter()
            .map(|&j| input.text_of[j])
            .chain([input.text_of[i]])
            .collect();
        if texts.len() >= cfg.boilerplate_texts {
            boilerplate[i] = true;
        }
    }
}

/// Duplicate texts, and their pairs of text indexes (never related).
pub(super) struct Duplicates {
    pub list: Vec<Duplicate>,
    pub pairs: HashSet<(usize, usize)>,
}

/// Texts that share at least `duplicate_share` of the shorter one's
/// eligible passages (and at least two).
pub(super) fn duplicates(
    input: &LinkInput,
    same_passage: &[Vec<usize>],
    cfg: &LinksConfig,
) -> Duplicates {
    let text_of = &input.text_of;
    let mut text_len: HashMap<usize, usize> = HashMap::new();
    for (i, &t) in text_of.iter().enumerate() {
        if input.eligible[i] {
            *text_len.entry(t).or_default() += 1;
        }
    }
    let mut shared: HashMap<(usize, usize), HashSet<usize>> = HashMap::new();
    for (i, twins) in same_passage.iter().enumerate() {
        for &j in twins {
            shared.entry(input.text_pair(i, j)).or_default().insert(i);
        }
    }
    let len = |t: usize| text_len.get(&t).copied().unwrap_or(0);
    let mut out = Duplicates {
        list: Vec::new(),
        pairs: HashSet::new(),
    };
    for (&(a, b), ps) in &shared {
        // passages of each side that have a twin on the other
        let (na, nb) = (
            ps.iter().filter(|&&i| text_of[i] == a).count(),
            ps.iter().filter(|&&i| text_of[i] == b).count(),
        );
        let share = na.max(nb) as f32 / len(a).min(len(b)).max(1) as f32;
        if share >= cfg.duplicate_share && na.max(nb) >= 2 {
            out.pairs.insert((a, b));
            let (x, y) = (&input.text_ids[a], &input.text_ids[b]);
            out.list.push(Duplicate {
                a: x.min(y).clone(),
                b: x.max(y).clone(),
                share: share.min(1.0),
            });
        }
    }
    out.list.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
    out
}

/// Lowercased letters and digits only: recurring passages compare equal
/// whatever their punctuation or spacing.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
