//! The author's tools: where to put a link while writing a draft
//! (`suggest`), and which older texts should now link to a given one
//! (`inbound`). A suggestion is precise or absent: it needs a passage that
//! stands well above the model's background *and* a salient word both share,
//! and its anchor is a short phrase of the author's own words (a byte range of
//! the source, never a whole sentence). The author's rejections
//! ([`crate::feedback`]) are never suggested again. Must not know HTTP.

//!
//! One file per tool: `anchor` (where in a paragraph a link goes),
//! `draft` (a draft's echoes in the corpora), `suggest`, `inbound`.

mod anchor;
mod draft;
mod inbound;
mod suggest;

use serde::Serialize;

pub use anchor::{anchor_span, sentence_span};
pub use draft::{check_draft, draft_echoes, DraftEchoes, DraftParagraphEchoes, Echo, EchoedText};
pub use inbound::inbound;
pub use suggest::suggest;

/// A byte range of a source and the words it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A link to put in a draft paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The words of the draft to make the link from.
    pub anchor: Span,
    pub target_text: String,
    pub title: String,
    pub url: Option<String>,
    /// The passage of the target that the draft paragraph echoes.
    pub paragraph_id: String,
    pub passage: String,
    /// `reuse` (the draft takes up a span of the passage), `echo` (both say
    /// the same thing) or `theme` (see [`crate::links::pair_kind`]).
    pub kind: crate::links::LinkKind,
    /// Cosine of the two passages, and how many background deviations it stands above the model's mean.
    pub dense: f32,
    pub z: f32,
    /// Salient words both use, as written in the draft.
    pub shared_words: Vec<String>,
    /// The draft links to this text already.
    pub already_linked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParagraphSuggestions {
    pub ordinal: usize,
    /// The paragraph's byte range in the draft.
    pub start: usize,
    pub end: usize,
    pub suggestions: Vec<Suggestion>,
}

/// Where an older text should link to a newer one.
#[derive(Debug, Clone, Serialize)]
pub struct Inbound {
    /// The older text, to edit.
    pub source_text: String,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<i64>,
    pub paragraph_id: String,
    /// The sentence where the link would go, and the words to link from
    /// (byte ranges of the older text's source file).
    pub sentence: Span,
    pub anchor: Span,
    /// The related-texts score of the pair.
    pub score: f32,
    pub shared_words: Vec<String>,
}
