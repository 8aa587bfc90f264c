//! The related view of one text: its shown related texts with titles, and
//! each evidence passage with its text and byte range in the source — what
//! the widget, the fragment and the API show.
//!
//! Owns: joining the link graph with the catalogue and the stored
//! paragraphs. Must not: know how the view is serialised or rendered.

use std::collections::HashMap;

use serde::Serialize;

use super::{LinkKind, Links};
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
    pub rank: f32,
    pub author: bool,
    /// When the related text was published against this one (issue 16).
    pub time: Chronology,
    pub evidence: Vec<EvidenceView>,
}

/// Which of two texts came first: the later one takes the idea up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chronology {
    /// The related text is the earlier one: this text takes it up.
    Earlier,
    /// The related text is the later one: it takes this text up.
    Later,
    SameDate,
    /// One of the two, or both, has no date.
    Undated,
}

impl Chronology {
    /// Where `other` stands against `this`.
    pub fn of(this: Option<i64>, other: Option<i64>) -> Chronology {
        match (this, other) {
            (Some(a), Some(b)) if b < a => Chronology::Earlier,
            (Some(a), Some(b)) if b > a => Chronology::Later,
            (Some(_), Some(_)) => Chronology::SameDate,
            _ => Chronology::Undated,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    pub from: PassageView,
    pub to: PassageView,
    pub dense: f32,
    pub bm25: f32,
    pub terms: Vec<String>,
    pub kind: LinkKind,
    pub confidence: f32,
}

/// A passage as stored: its text and byte range in the source (empty when
/// the paragraph is no longer indexed).
#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub id: String,
    pub text: String,
    pub start: u64,
    pub end: u64,
    /// For a `reuse`: the byte ranges of `text` that the other passage
    /// shares verbatim or nearly (issue 16); empty otherwise.
    pub reused: Vec<ByteRange>,
}

/// A byte range of a passage's `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ByteRange {
    pub start: usize,
    pub end: usize,
}

/// The byte ranges of `paragraph`'s text that a reuse shares with the
/// paragraph `other`, in order.
pub fn reused_in(links: &Links, paragraph: &str, other: &str) -> Vec<ByteRange> {
    let mut out: Vec<ByteRange> = Vec::new();
    for r in &links.reuse {
        let paired = r
            .pairs
            .iter()
            .any(|[f, t]| (f == paragraph && t == other) || (f == other && t == paragraph));
        if !paired {
            continue;
        }
        let parts = r.from_parts.iter().chain(&r.to_parts);
        out.extend(
            parts
                .filter(|p| p.paragraph == paragraph)
                .map(|p| ByteRange {
                    start: p.start,
                    end: p.end,
                }),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl RelatedView {
    /// Only the related texts with evidence of `kind`, with only that
    /// evidence (the API's `kind=` filter).
    pub fn of_kind(&self, kind: LinkKind) -> RelatedView {
        let related = self
            .related
            .iter()
            .filter_map(|r| {
                let evidence: Vec<EvidenceView> = r
                    .evidence
                    .iter()
                    .filter(|e| e.kind == kind)
                    .cloned()
                    .collect();
                (!evidence.is_empty()).then(|| RelatedTextView {
                    evidence,
                    ..r.clone()
                })
            })
            .collect();
        RelatedView {
            related,
            ..self.clone()
        }
    }
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
    let passage = |pid: &str, other: &str, kind: LinkKind| {
        let reused = if kind == LinkKind::Reuse {
            reused_in(links, pid, other)
        } else {
            Vec::new()
        };
        match stored.get(pid) {
            Some(p) => PassageView {
                id: p.id.clone(),
                text: p.text.clone(),
                start: p.start,
                end: p.end,
                reused,
            },
            None => PassageView {
                id: pid.into(),
                text: String::new(),
                start: 0,
                end: 0,
                reused: Vec::new(),
            },
        }
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
                rank: r.rank,
                author: r.author,
                time: Chronology::of(entry.date, t.and_then(|t| t.date)),
                evidence: r
                    .evidence
                    .iter()
                    .map(|e| EvidenceView {
                        from: passage(&e.from, &e.to, e.kind),
                        to: passage(&e.to, &e.from, e.kind),
                        dense: e.dense,
                        bm25: e.bm25,
                        terms: e.terms.clone(),
                        kind: e.kind,
                        confidence: e.confidence,
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
    pub edges: Vec<PassageEdgeView>,
}

/// A passage link with what a reader sees highlighted on each side.
#[derive(Debug, Clone, Serialize)]
pub struct PassageEdgeView {
    #[serde(flatten)]
    pub link: super::PassageLink,
    /// Salient words both passages share, as written in `from`.
    pub terms: Vec<String>,
    /// For a `reuse`: the byte ranges each passage shares with the other.
    pub from_reused: Vec<ByteRange>,
    pub to_reused: Vec<ByteRange>,
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
pub(super) const PASSAGE_NODE_CHARS: usize = 300;

/// The passage graph of text `id`, with only the links of `kind` if given.
pub fn passage_graph(
    engine: &Engine,
    links: &Links,
    id: &str,
    kind: Option<LinkKind>,
) -> Result<PassageGraphView> {
    let (mut ids, mut edges) = crate::graph::passages(links, id);
    if let Some(kind) = kind {
        edges.retain(|l| l.kind == kind);
        ids.retain(|p| edges.iter().any(|l| l.from == *p || l.to == *p));
    }
    let stored = stored_by_id(engine, ids.iter().map(|p| point_id(p)).collect())?;
    let min_idf = super::salient_min_idf(links.paragraphs.max(1));
    let text_of = |p: &str| stored.get(p).map_or("", |s| s.text.as_str());
    let edges = edges
        .into_iter()
        .map(|l| {
            let reuse = l.kind == LinkKind::Reuse;
            let reused = |a: &str, b: &str| {
                if reuse {
                    reused_in(links, a, b)
                } else {
                    Vec::new()
                }
            };
            PassageEdgeView {
                terms: super::shared_terms(
                    engine.text_index(),
                    text_of(&l.from),
                    text_of(&l.to),
                    min_idf,
                ),
                from_reused: reused(&l.from, &l.to),
                to_reused: reused(&l.to, &l.from),
                link: l.clone(),
            }
        })
        .collect();
    let mut nodes: Vec<PassageNodeView> = stored
        .into_values()
        .map(|p| PassageNodeView {
            id: p.id,
            text_id: p.text_id,
            title: p.title,
            ordinal: p.ordinal,
            text: p.text.chars().take(PASSAGE_NODE_CHARS).collect(),
        })
        .collect();
    nodes.sort_by(|a, b| (&a.text_id, a.ordinal).cmp(&(&b.text_id, b.ordinal)));
    Ok(PassageGraphView {
        text: id.to_string(),
        nodes,
        edges,
    })
}

/// The stored paragraphs of these points, by paragraph id.
pub(super) fn stored_by_id(
    engine: &Engine,
    points: Vec<u64>,
) -> Result<HashMap<String, StoredParagraph>> {
    Ok(engine
        .passages(&points, false)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect())
}
