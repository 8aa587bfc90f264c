//! The lineage of a passage (issue 16): one idea followed across the
//! years, through the passage links, in date order.
//!
//! Owns: the walk and which passage stands for each text. Must not: know
//! how the steps are serialised.

use std::collections::HashMap;

use serde::Serialize;

use super::view::{stored_by_id, PASSAGE_NODE_CHARS};
use super::{LinkKind, Links};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::{point_id, StoredParagraph};

/// One passage of a lineage: an idea as one text put it, at its date.
#[derive(Debug, Clone, Serialize)]
pub struct LineageStep {
    pub paragraph: String,
    pub text: String,
    pub title: String,
    pub date: Option<i64>,
    /// The passage, cut to its first 300 characters.
    pub passage: String,
    /// The link that brought it in (none for the starting passage).
    pub score: Option<f32>,
    pub kind: Option<LinkKind>,
}

/// The link that reached a passage: its score and kind (none for the start).
type Via = Option<(f32, LinkKind)>;

/// The passages within `LINEAGE_HOPS` links of `paragraph`, each with the
/// link that first reached it (breadth first).
fn reach(links: &Links, paragraph: &str, kind: Option<LinkKind>) -> HashMap<String, Via> {
    let mut adjacent: HashMap<&str, Vec<&super::PassageLink>> = HashMap::new();
    for l in links
        .passage_links
        .iter()
        .filter(|l| kind.is_none_or(|k| l.kind == k))
    {
        adjacent.entry(l.from.as_str()).or_default().push(l);
        adjacent.entry(l.to.as_str()).or_default().push(l);
    }
    let mut reached: HashMap<String, Via> = HashMap::new();
    reached.insert(paragraph.to_string(), None);
    let mut frontier = vec![paragraph.to_string()];
    for _ in 0..LINEAGE_HOPS {
        let mut next = Vec::new();
        for p in &frontier {
            for l in adjacent.get(p.as_str()).into_iter().flatten() {
                let other = if l.from == *p { &l.to } else { &l.from };
                if !reached.contains_key(other) {
                    reached.insert(other.clone(), Some((l.score, l.kind)));
                    next.push(other.clone());
                }
            }
        }
        frontier = next;
    }
    reached
}

/// Hops followed from the starting passage, and passages kept.
const LINEAGE_HOPS: usize = 2;
const LINEAGE_MAX: usize = 20;

/// The lineage of a passage (issue 16): the passages its links reach within
/// two hops, the strongest one per text, in date order — one idea followed
/// across the years; through the links of `kind` only if given. `NotFound`
/// when the paragraph is not indexed.
pub fn lineage(
    engine: &Engine,
    links: &Links,
    paragraph: &str,
    kind: Option<LinkKind>,
) -> Result<Vec<LineageStep>> {
    let reached = reach(links, paragraph, kind);
    let stored = stored_by_id(engine, reached.keys().map(|p| point_id(p)).collect())?;
    if !stored.contains_key(paragraph) {
        return Err(Error::NotFound(format!("no paragraph {paragraph:?}")));
    }
    // the strongest passage per text (the starting one for its own text)
    let mut best: HashMap<&str, (&StoredParagraph, Via)> = HashMap::new();
    for (id, via) in &reached {
        let Some(p) = stored.get(id) else { continue };
        let strength = |v: &Via| v.map_or(f32::INFINITY, |x| x.0);
        let keep = best
            .get(p.text_id.as_str())
            .is_none_or(|(_, old)| strength(via) > strength(old));
        if keep {
            best.insert(p.text_id.as_str(), (p, *via));
        }
    }
    let mut steps: Vec<LineageStep> = best
        .into_values()
        .map(|(p, via)| LineageStep {
            paragraph: p.id.clone(),
            text: p.text_id.clone(),
            title: p.title.clone(),
            date: p.date,
            passage: p.text.chars().take(PASSAGE_NODE_CHARS).collect(),
            score: via.map(|v| v.0),
            kind: via.map(|v| v.1),
        })
        .collect();
    // Undated texts last; the strongest first among the many.
    steps.sort_by(|a, b| {
        (a.date.is_none(), a.date, &a.paragraph).cmp(&(b.date.is_none(), b.date, &b.paragraph))
    });
    keep_strongest(&mut steps, paragraph);
    Ok(steps)
}

/// At most `LINEAGE_MAX` steps: the starting one and the strongest links,
/// in the order they were.
fn keep_strongest(steps: &mut Vec<LineageStep>, paragraph: &str) {
    if steps.len() <= LINEAGE_MAX {
        return;
    }
    let start = paragraph;
    let mut by_strength: Vec<&LineageStep> = steps.iter().collect();
    by_strength.sort_by(|a, b| {
        let s = |x: &LineageStep| {
            if x.paragraph == start {
                f32::INFINITY
            } else {
                x.score.unwrap_or(0.0)
            }
        };
        s(b).total_cmp(&s(a))
    });
    let kept: std::collections::HashSet<String> = by_strength
        .into_iter()
        .take(LINEAGE_MAX)
        .map(|s| s.paragraph.clone())
        .collect();
    steps.retain(|s| kept.contains(&s.paragraph));
}
