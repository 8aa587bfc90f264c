//! The scoring rules of links, as pure functions: a paragraph pair's
//! calibrated score, a text pair's score from its passage links, and the
//! salient words two passages share.
//!
//! Owns: the formulas and their constants. Must not: read the index beyond
//! the idf of a word.

use std::collections::HashMap;

use crate::lexical::TermIdf;

/// The calibrated score of a paragraph pair: the dense z-score (mean of both
/// ends) plus the normalised BM25 agreement, weighted.
pub fn link_score(z_from: f32, z_to: f32, bm25_norm: f32, bm25_weight: f32) -> f32 {
    (z_from + z_to) / 2.0 + bm25_weight * bm25_norm.clamp(0.0, 1.0)
}

/// The kind of a passage pair that shares no span (issue 16): an `echo`
/// when its cosine alone stands `echo_min_z` above the background at both
/// ends on average, else a `theme` (its shared words carried it); with its
/// confidence, from how far that mean z-score lies from the boundary.
pub fn similarity_kind(z_from: f32, z_to: f32, echo_min_z: f32) -> (super::LinkKind, f32) {
    let z = (z_from + z_to) / 2.0;
    let kind = if z >= echo_min_z {
        super::LinkKind::Echo
    } else {
        super::LinkKind::Theme
    };
    (kind, kind_confidence(z - echo_min_z))
}

/// Z-scores (background standard deviations) from the echo/theme boundary
/// at which a kind is 73 % sure (the logistic's unit).
const CONFIDENCE_Z: f32 = 1.0;

/// Confidence in a kind decided by a margin from its boundary: 0.5 on the
/// boundary, towards 1 away from it (logistic in units of `CONFIDENCE_Z`).
pub fn kind_confidence(margin: f32) -> f32 {
    1.0 / (1.0 + (-margin.abs() / CONFIDENCE_Z).exp())
}

/// Passage links summed into a text pair's strength (the best three).
pub const TEXT_SCORE_BEST: usize = 3;

/// A text pair's score from its paragraph links: the sum of the best `m`
/// scores, so that several echoing passages beat a single one, divided by a
/// slowly growing function of the shorter text's length, so that one long
/// book does not swallow the graph by sheer number of chances.
pub fn text_score(mut link_scores: Vec<f32>, m: usize, shorter_len: usize) -> f32 {
    link_scores.sort_by(|a, b| b.total_cmp(a));
    let sum: f32 = link_scores.iter().take(m).sum();
    sum / (1.0 + (shorter_len.max(1) as f32).ln() / 4.0)
}

/// The smallest idf of a salient word: one in at most 2 % of `n` paragraphs.
pub fn salient_min_idf(n: usize) -> f32 {
    (1.0 + (n as f32 * 0.98 + 0.5) / (n as f32 * 0.02 + 0.5)).ln()
}

/// Salient words two passages share (not function words, at least 4
/// letters, idf at least `min_idf`), as written in `a`, rarest first, at most 6.
pub fn shared_terms(index: &dyn TermIdf, a: &str, b: &str, min_idf: f32) -> Vec<String> {
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

/// Analyzed stems of a text with the first surface word that produced each.
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
    fn a_kind_is_surer_the_further_from_its_boundary() {
        use super::super::LinkKind;
        let (kind, on_boundary) = similarity_kind(3.0, 3.0, 3.0);
        assert_eq!((kind, on_boundary), (LinkKind::Echo, 0.5));
        let (kind, far) = similarity_kind(1.0, 1.0, 3.0);
        assert_eq!(kind, LinkKind::Theme);
        assert!(far > 0.85 && far < 1.0, "{far}");
        assert!(similarity_kind(4.0, 4.0, 3.0).1 < similarity_kind(6.0, 6.0, 3.0).1);
    }
}
