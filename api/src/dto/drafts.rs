//! The author's tools: draft echoes, link suggestions, inbound links, feedback.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    /// The draft, as written (markdown or plain text; not only spaces).
    #[schema(
        min_length = 1,
        max_length = 100000,
        pattern = r"\S",
        example = "Le revenu de base libérerait chacun de la nécessité de vendre son temps."
    )]
    pub text: String,
    /// Echoes returned per draft paragraph (default 3, at most 20).
    #[schema(minimum = 1, maximum = 20, value_type = Option<u32>)]
    #[serde(default, deserialize_with = "integer")]
    pub k: Option<usize>,
    /// Corpora to search, all if empty.
    #[serde(default)]
    pub corpus: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Echo {
    pub paragraph_id: String,
    pub text_id: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub dense: f32,
    /// `reuse` when the draft paragraph takes up a span of this passage
    /// (25+ words, verbatim or nearly), else `echo` or `theme` by the cosine.
    pub kind: LinkKind,
    /// How sure the kind is, 0.5 to 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub confidence: f32,
    /// For a `reuse`: the byte ranges of `text` shared with the draft paragraph.
    pub reused: Vec<ByteRange>,
    /// ... and the byte ranges of the draft paragraph's `text` shared with it.
    pub draft_reused: Vec<ByteRange>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftParagraph {
    pub ordinal: usize,
    pub text: String,
    pub echoes: Vec<Echo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftTextScore {
    pub text_id: String,
    pub title: String,
    pub score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftResponse {
    pub paragraphs: Vec<DraftParagraph>,
    /// Texts the draft echoes most, summed over its paragraphs.
    pub texts: Vec<DraftTextScore>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SuggestRequest {
    /// The draft, in markdown (not only spaces).
    #[schema(
        min_length = 1,
        max_length = 100000,
        pattern = r"\S",
        example = "Le revenu de base libérerait chacun de la nécessité de vendre son temps."
    )]
    pub text: String,
    /// The text id the draft is (or will be), if any: it is not suggested to
    /// itself, and pairs its author rejected are not suggested.
    #[serde(default)]
    pub id: Option<String>,
}

/// A byte range of a source and the words it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl From<rhizome::author::Span> for Span {
    fn from(s: rhizome::author::Span) -> Self {
        Span {
            start: s.start,
            end: s.end,
            text: s.text,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSuggestion {
    /// The words of the draft to link from (a byte range of the draft).
    pub anchor: Span,
    pub target_text: String,
    pub title: String,
    pub url: Option<String>,
    pub paragraph_id: String,
    /// The passage of the target the draft paragraph echoes.
    pub passage: String,
    /// `reuse`, `echo` or `theme`.
    pub kind: LinkKind,
    pub dense: f32,
    /// Background deviations above the model's mean cosine.
    pub z: f32,
    pub shared_words: Vec<String>,
    /// The draft links to this text already.
    pub already_linked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParagraphSuggestions {
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
    /// At most a few; none when nothing is good enough.
    pub suggestions: Vec<LinkSuggestion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    pub paragraphs: Vec<ParagraphSuggestions>,
}

impl From<Vec<rhizome::author::ParagraphSuggestions>> for SuggestResponse {
    fn from(v: Vec<rhizome::author::ParagraphSuggestions>) -> Self {
        SuggestResponse {
            paragraphs: v
                .into_iter()
                .map(|p| ParagraphSuggestions {
                    ordinal: p.ordinal,
                    start: p.start,
                    end: p.end,
                    suggestions: p
                        .suggestions
                        .into_iter()
                        .map(|s| LinkSuggestion {
                            anchor: s.anchor.into(),
                            target_text: s.target_text,
                            title: s.title,
                            url: s.url,
                            paragraph_id: s.paragraph_id,
                            passage: s.passage,
                            kind: s.kind.into(),
                            dense: s.dense,
                            z: s.z,
                            shared_words: s.shared_words,
                            already_linked: s.already_linked,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundSuggestion {
    /// The older text that should link here.
    pub source_text: String,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<i64>,
    pub paragraph_id: String,
    /// The sentence where the link would go (byte range of the older text's source).
    pub sentence: Span,
    /// The words to link from, inside that sentence.
    pub anchor: Span,
    pub score: f32,
    pub shared_words: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundResponse {
    pub text: String,
    pub inbound: Vec<InboundSuggestion>,
}

impl From<rhizome::author::Inbound> for InboundSuggestion {
    fn from(i: rhizome::author::Inbound) -> Self {
        InboundSuggestion {
            source_text: i.source_text,
            title: i.title,
            url: i.url,
            date: i.date,
            paragraph_id: i.paragraph_id,
            sentence: i.sentence.into(),
            anchor: i.anchor.into(),
            score: i.score,
            shared_words: i.shared_words,
        }
    }
}

/// The author's verdict on a link.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accept,
    Reject,
}

impl From<Verdict> for rhizome::feedback::Verdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Accept => rhizome::feedback::Verdict::Accept,
            Verdict::Reject => rhizome::feedback::Verdict::Reject,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct FeedbackRequest {
    /// The text the link is shown under (or suggested from).
    #[schema(example = "crouzet-blog/posts/2025/01/technofascisme")]
    pub source: String,
    /// The linked text.
    #[schema(example = "essais/laboetie1562_servitude")]
    pub target: String,
    pub verdict: Verdict,
}

impl From<rhizome::author::DraftEchoes> for DraftResponse {
    fn from(found: rhizome::author::DraftEchoes) -> Self {
        DraftResponse {
            paragraphs: found
                .paragraphs
                .into_iter()
                .map(|p| DraftParagraph {
                    ordinal: p.ordinal,
                    text: p.text,
                    echoes: p
                        .echoes
                        .into_iter()
                        .map(|e| Echo {
                            paragraph_id: e.paragraph.id,
                            text_id: e.paragraph.text_id,
                            title: e.paragraph.title,
                            text: e.paragraph.text,
                            url: e.url,
                            dense: e.dense,
                            kind: e.kind.into(),
                            confidence: e.confidence,
                            reused: e.reused.into_iter().map(ByteRange::from).collect(),
                            draft_reused: e.draft_reused.into_iter().map(ByteRange::from).collect(),
                        })
                        .collect(),
                })
                .collect(),
            texts: found
                .texts
                .into_iter()
                .map(|t| DraftTextScore {
                    text_id: t.text_id,
                    title: t.title,
                    score: t.score,
                })
                .collect(),
        }
    }
}
