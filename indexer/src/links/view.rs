//! The related view of one text: its shown related texts with titles, and
//! each evidence passage with its text and byte range in the source — what
//! the widget, the fragment and the API show.
//!
//! Owns: joining the link graph with the catalogue and the stored
//! paragraphs. Must not: know how the view is serialised or rendered.

use std::collections::HashMap;

use serde::Serialize;

use super::Links;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::manifest::Catalogue;
use crate::store::{point_id, StoredParagraph};

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    pub text: String,
    pub title: String,
    pub related: Vec<RelatedTextView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedTextView {
    pub text: String,
    pub title: String,
    pub corpus: String,
    pub url: Option<String>,
    pub score: f32,
    pub author: bool,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    pub from: PassageView,
    pub to: PassageView,
    pub dense: f32,
    pub bm25: f32,
    pub terms: Vec<String>,
    pub kind: super::LinkKind,
}

/// A passage as stored: its text and byte range in the source (empty when
/// the paragraph is no longer indexed).
#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub id: String,
    pub text: String,
    pub start: u64,
    pub end: u64,
}

/// The related view of text `id`; `NotFound` when it is not indexed.
pub fn related_view(
    engine: &Engine,
    catalogue: &Catalogue,
    links: &Links,
    id: &str,
) -> Result<RelatedView> {
    let entry = catalogue
        .texts
        .get(id)
        .ok_or_else(|| Error::NotFound(format!("no text {id:?}")))?;
    let related = links.related.get(id).map_or(&[][..], Vec::as_slice);
    let points: Vec<u64> = related
        .iter()
        .flat_map(|r| &r.evidence)
        .flat_map(|e| [point_id(&e.from), point_id(&e.to)])
        .collect();
    let stored = stored_by_id(engine, points)?;
    let passage = |pid: &str| match stored.get(pid) {
        Some(p) => PassageView {
            id: p.id.clone(),
            text: p.text.clone(),
            start: p.start,
            end: p.end,
        },
        None => PassageView {
            id: pid.into(),
            text: String::new(),
            start: 0,
            end: 0,
        },
    };
    let related = related
        .iter()
        .map(|r| {
            let t = catalogue.texts.get(&r.text);
            RelatedTextView {
                text: r.text.clone(),
                title: t.map_or(r.text.clone(), |t| t.title.clone()),
                corpus: t.map_or(String::new(), |t| t.corpus.clone()),
                url: t.and_then(|t| t.url.clone()),
                score: r.score,
                author: r.author,
                evidence: r
                    .evidence
                    .iter()
                    .map(|e| EvidenceView {
                        from: passage(&e.from),
                        to: passage(&e.to),
                        dense: e.dense,
                        bm25: e.bm25,
                        terms: e.terms.clone(),
                        kind: e.kind,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(RelatedView {
        text: id.to_string(),
        title: entry.title.clone(),
        related,
    })
}

/// The graph zoomed in to one text: its paragraphs and the passages of
/// other texts they echo, each cut to its first 300 characters.
#[derive(Debug, Clone, Serialize)]
pub struct PassageGraphView {
    pub text: String,
    pub nodes: Vec<PassageNodeView>,
    pub edges: Vec<super::PassageLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageNodeView {
    pub id: String,
    pub text_id: String,
    pub title: String,
    pub ordinal: u64,
    pub text: String,
}

/// Characters of a passage shown in the passage graph.
const PASSAGE_NODE_CHARS: usize = 300;

/// The passage graph of text `id`.
pub fn passage_graph(engine: &Engine, links: &Links, id: &str) -> Result<PassageGraphView> {
    let (ids, edges) = crate::graph::passages(links, id);
    let points: Vec<u64> = ids.iter().map(|p| point_id(p)).collect();
    let nodes = engine
        .text_index()
        .get(&points)?
        .into_iter()
        .map(|p| PassageNodeView {
            id: p.id,
            text_id: p.text_id,
            title: p.title,
            ordinal: p.ordinal,
            text: p.text.chars().take(PASSAGE_NODE_CHARS).collect(),
        })
        .collect();
    Ok(PassageGraphView {
        text: id.to_string(),
        nodes,
        edges: edges.into_iter().cloned().collect(),
    })
}

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
    pub kind: Option<super::LinkKind>,
}

/// The link that reached a passage: its score and kind (none for the start).
type Via = Option<(f32, super::LinkKind)>;

/// The passages within `LINEAGE_HOPS` links of `paragraph`, each with the
/// link that first reached it (breadth first).
fn reach(links: &Links, paragraph: &str) -> HashMap<String, Via> {
    let mut adjacent: HashMap<&str, Vec<&super::PassageLink>> = HashMap::new();
    for l in &links.passage_links {
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
/// across the years. `NotFound` when the paragraph is not indexed.
pub fn lineage(engine: &Engine, links: &Links, paragraph: &str) -> Result<Vec<LineageStep>> {
    let reached = reach(links, paragraph);
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

/// The stored paragraphs of these points, by paragraph id.
fn stored_by_id(engine: &Engine, points: Vec<u64>) -> Result<HashMap<String, StoredParagraph>> {
    Ok(engine
        .text_index()
        .get(&points)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect())
}
