//! Banality (issue 16): a passage made mostly of its corpus's most frequent
//! word sequences — a legal formula ("les modalités d'application du
//! présent article sont fixées par décret en Conseil d'État"), a greeting,
//! a sign-off — makes no link, even when only two texts share it (below the
//! `boilerplate_texts` rule).
//!
//! Learned per corpus, not from a list: a word trigram is *frequent* when
//! it occurs in at least `boilerplate_texts` paragraphs of its corpus and in
//! at least `banal_frequent_share` of them (so the bar rises with the
//! corpus). A passage, or a reused span, whose trigrams are at least
//! `banal_share` frequent is banal. Measured on the shared corpora (share of
//! frequent trigrams per paragraph): median 0.11 on the blog, 0.09 on the
//! essays, 0.27 on the Code civil, whose 1.5 % above 0.6 are its formulas.
//!
//! Owns: the counts and the rule. Must not: score pairs.

use std::collections::HashMap;

use super::input::LinkInput;
use super::reuse::{words_of, Word};
use crate::config::LinksConfig;

/// Words per counted sequence: long enough to be a formula's piece, short
/// enough that a formula's variants share them.
const GRAM: usize = 3;

pub(super) struct Banality {
    /// By paragraph row: the paragraph is banal and makes no link.
    pub banal: Vec<bool>,
    /// By paragraph row, by word position: the trigram starting there is
    /// frequent in the paragraph's corpus.
    frequent: Vec<Vec<bool>>,
}

impl Banality {
    /// Counts every corpus's trigrams (one corpus at a time, so memory is
    /// bounded by the largest corpus) and marks the banal paragraphs.
    pub fn learn(input: &LinkInput, cfg: &LinksConfig) -> Banality {
        let mut rows_by_corpus: HashMap<&str, Vec<usize>> = HashMap::new();
        for (row, p) in input.paragraphs.iter().enumerate() {
            rows_by_corpus.entry(&p.corpus).or_default().push(row);
        }
        let mut frequent: Vec<Vec<bool>> = vec![Vec::new(); input.len()];
        for rows in rows_by_corpus.values() {
            let grams: Vec<Vec<u64>> = super::parallel::par_ranges(rows.len(), |range| {
                rows[range]
                    .iter()
                    .map(|&r| trigram_hashes(&input.paragraphs[r].text))
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .flatten()
            .collect();
            let mut df: HashMap<u64, u32> = HashMap::new();
            for g in &grams {
                let mut seen: Vec<u64> = g.clone();
                seen.sort_unstable();
                seen.dedup();
                for h in seen {
                    *df.entry(h).or_default() += 1;
                }
            }
            let bar = frequent_bar(rows.len(), cfg);
            for (&row, g) in rows.iter().zip(grams) {
                frequent[row] = g.iter().map(|h| df[h] >= bar).collect();
            }
        }
        let banal = frequent
            .iter()
            .enumerate()
            .map(|(row, f)| input.eligible[row] && is_banal(share(f.iter().copied()), cfg))
            .collect();
        Banality { banal, frequent }
    }

    /// Share of frequent trigrams among those that start on `words` (a run
    /// of one text's words, possibly across paragraphs).
    pub fn share_of(&self, words: &[Word]) -> f32 {
        share(
            words
                .iter()
                .filter_map(|w| self.frequent[w.row].get(w.pos).copied()),
        )
    }

    pub fn count(&self) -> usize {
        self.banal.iter().filter(|&&b| b).count()
    }
}

/// How many paragraphs of a corpus of `paragraphs` a trigram must occur in
/// to be frequent there.
fn frequent_bar(paragraphs: usize, cfg: &LinksConfig) -> u32 {
    // less a hair, so that 0.1 % of 100,000 is 100, not 101 by f32 rounding
    let relative = (cfg.banal_frequent_share as f64 * paragraphs as f64 - 1e-3).ceil() as usize;
    relative.max(cfg.boilerplate_texts).max(1) as u32
}

pub(super) fn is_banal(share: f32, cfg: &LinksConfig) -> bool {
    share >= cfg.banal_share
}

fn share(flags: impl Iterator<Item = bool>) -> f32 {
    let (mut hits, mut n) = (0usize, 0usize);
    for f in flags {
        hits += f as usize;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        hits as f32 / n as f32
    }
}

/// The hash of each word trigram of a paragraph, by starting word (the
/// words as `reuse` normalises them, so positions agree).
fn trigram_hashes(text: &str) -> Vec<u64> {
    let mut words = Vec::new();
    words_of(text, 0, &mut words);
    let word_hashes: Vec<u64> = words.iter().map(|w| fnv1a(w.norm.as_bytes())).collect();
    word_hashes
        .windows(GRAM)
        .map(|w| w.iter().fold(0u64, |h, x| h.rotate_left(21) ^ x))
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_counts_flags_and_is_zero_without_any() {
        assert_eq!(share([true, false, true, true].into_iter()), 0.75);
        assert_eq!(share(std::iter::empty()), 0.0);
    }

    #[test]
    fn the_bar_rises_with_the_corpus_but_never_below_the_text_rule() {
        let cfg = LinksConfig::default();
        assert_eq!(frequent_bar(10, &cfg), cfg.boilerplate_texts as u32);
        assert_eq!(frequent_bar(100_000, &cfg), 100);
    }

    #[test]
    fn trigrams_follow_word_order_and_case_folding() {
        let a = trigram_hashes("Le présent article est applicable");
        let b = trigram_hashes("le PRÉSENT article est");
        assert_eq!(a.len(), 3);
        assert_eq!(&a[..2], &b[..]);
        assert_ne!(a[0], trigram_hashes("article présent le")[0]);
    }
}
