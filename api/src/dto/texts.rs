//! Texts, paragraphs, lookups and related texts with their evidence.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Paragraph {
    pub id: String,
    pub text_id: String,
    pub ordinal: u64,
    pub heading: Option<String>,
    pub text: String,
    pub start: u64,
    pub end: u64,
}

impl From<rhizome::store::StoredParagraph> for Paragraph {
    fn from(p: rhizome::store::StoredParagraph) -> Self {
        Paragraph {
            id: p.id,
            text_id: p.text_id,
            ordinal: p.ordinal,
            heading: p.heading,
            text: p.text,
            start: p.start,
            end: p.end,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Text {
    pub id: String,
    pub title: String,
    pub corpus: String,
    pub date: Option<i64>,
    pub tags: Vec<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Passage {
    pub id: String,
    pub text: String,
    /// Byte offsets of the paragraph in its source text.
    pub start: u64,
    pub end: u64,
    /// For a `reuse`: the byte ranges of `text` the other passage shares
    /// verbatim or nearly, in order; empty for other kinds.
    pub reused: Vec<ByteRange>,
}

/// Where a related text stands in time against the source.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Chronology {
    Earlier,
    Later,
    SameDate,
    Undated,
}

impl From<rhizome::links::view::Chronology> for Chronology {
    fn from(c: rhizome::links::view::Chronology) -> Self {
        use rhizome::links::view::Chronology as C;
        match c {
            C::Earlier => Chronology::Earlier,
            C::Later => Chronology::Later,
            C::SameDate => Chronology::SameDate,
            C::Undated => Chronology::Undated,
        }
    }
}

/// A byte range `start..end` of a passage's `text` (UTF-8).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ByteRange {
    pub start: usize,
    pub end: usize,
}

impl From<(usize, usize)> for ByteRange {
    fn from((start, end): (usize, usize)) -> Self {
        ByteRange { start, end }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub from: Passage,
    pub to: Passage,
    pub dense: f32,
    pub bm25: f32,
    pub terms: Vec<String>,
    /// `reuse` (a span shared verbatim or nearly), `echo` (the same idea in
    /// other words) or `theme` (shared rare words, weaker similarity).
    pub kind: super::LinkKind,
    /// How sure the kind is, 0.5 to 1: for `reuse` the share of the span's
    /// words aligned identically; for `echo` and `theme` how far the pair's
    /// similarity lies from the boundary between them.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedText {
    pub text: String,
    pub title: String,
    pub corpus: String,
    pub url: Option<String>,
    /// How far the pair stands above the source's usual (a z-score of the
    /// texts compared as wholes); only pairs from `links.related_min_score`
    /// are listed, so a text may have fewer related texts than asked, or none.
    pub score: f32,
    /// What orders the list, best first: `score` with the pair's passage
    /// links added (weight `links.passage_rank_weight`). Passage evidence
    /// lifts a text related as a whole; it never lists one that is not.
    pub rank: f32,
    /// The source text already links to this one.
    pub author: bool,
    /// `earlier`: this related text was published first (the source takes
    /// it up); `later`: it takes the source up; `same_date`; `undated`.
    pub time: Chronology,
    /// The passage pairs that make the link: its passage links, or the
    /// closest paragraph pairs when the texts are related as wholes only.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedResponse {
    pub text: String,
    pub title: String,
    pub related: Vec<RelatedText>,
}

impl From<rhizome::links::view::PassageView> for Passage {
    fn from(p: rhizome::links::view::PassageView) -> Self {
        Passage {
            id: p.id,
            text: p.text,
            start: p.start,
            end: p.end,
            reused: p
                .reused
                .into_iter()
                .map(|r| ByteRange {
                    start: r.start,
                    end: r.end,
                })
                .collect(),
        }
    }
}

impl From<rhizome::links::view::RelatedView> for RelatedResponse {
    fn from(v: rhizome::links::view::RelatedView) -> Self {
        RelatedResponse {
            text: v.text,
            title: v.title,
            related: v
                .related
                .into_iter()
                .map(|r| RelatedText {
                    text: r.text,
                    title: r.title,
                    corpus: r.corpus,
                    url: r.url,
                    score: r.score,
                    rank: r.rank,
                    author: r.author,
                    time: r.time.into(),
                    evidence: r
                        .evidence
                        .into_iter()
                        .map(|e| Evidence {
                            from: e.from.into(),
                            to: e.to.into(),
                            dense: e.dense,
                            bm25: e.bm25,
                            terms: e.terms,
                            kind: e.kind.into(),
                            confidence: e.confidence,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The page's address, in any of its forms (http/https, with or without `blog.`).
    #[param(
        min_length = 1,
        pattern = r"\S",
        example = "https://tcrouzet.com/2025/01/24/technofascisme/"
    )]
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lookup {
    pub id: String,
    pub title: String,
}
