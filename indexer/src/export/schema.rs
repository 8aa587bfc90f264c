//! The dataset's configurations and their columns: one list, read by the
//! writer, the dataset card and the Croissant file alike, so the three never
//! disagree on a column.

use super::table::{Col, Kind};

const fn col(name: &'static str, kind: Kind, nullable: bool, doc: &'static str) -> Col {
    Col {
        name,
        kind,
        nullable,
        doc,
    }
}

pub const TEXTS: &[Col] = &[
    col(
        "id",
        Kind::Text,
        false,
        "Text id: `<corpus>/<path without extension>`.",
    ),
    col(
        "corpus",
        Kind::Text,
        false,
        "The corpus the text belongs to.",
    ),
    col(
        "title",
        Kind::Text,
        false,
        "Title, from the text itself or its corpus.",
    ),
    col(
        "date",
        Kind::Int,
        true,
        "Publication time, Unix seconds (UTC); null when unknown.",
    ),
    col(
        "tags",
        Kind::TextList,
        false,
        "Tags, as the author wrote them.",
    ),
    col(
        "author",
        Kind::Text,
        true,
        "Author, when the source names one.",
    ),
    col("url", Kind::Text, true, "Where the text is published."),
    col(
        "license",
        Kind::Text,
        false,
        "The licence of the text (its corpus's).",
    ),
    col(
        "format",
        Kind::Text,
        false,
        "How the source is read: `blog-markdown`, `markdown`, `text` or `jsonl`.",
    ),
    col(
        "rel_path",
        Kind::Text,
        false,
        "Path of the source file inside its corpus.",
    ),
    col(
        "source",
        Kind::Text,
        false,
        "The source file as published (UTF-8); paragraph offsets are byte offsets into it.",
    ),
    col(
        "body_start",
        Kind::Int,
        false,
        "Byte offset in `source` where the prose starts (after front matter and title).",
    ),
    col(
        "body_end",
        Kind::Int,
        false,
        "Byte offset in `source` where the prose ends.",
    ),
];

pub const PARAGRAPHS: &[Col] = &[
    col(
        "id",
        Kind::Text,
        false,
        "Paragraph id: `<text id>#<ordinal>`.",
    ),
    col(
        "text_id",
        Kind::Text,
        false,
        "The text it belongs to (`texts.id`).",
    ),
    col("ordinal", Kind::Int, false, "Position in the text, from 0."),
    col(
        "heading",
        Kind::Text,
        true,
        "The section heading above it, if any.",
    ),
    col(
        "text",
        Kind::Text,
        false,
        "The paragraph as read: markdown marks removed, hard wraps joined.",
    ),
    col(
        "start",
        Kind::Int,
        false,
        "Byte offset of the paragraph in its text's `source`.",
    ),
    col(
        "end",
        Kind::Int,
        false,
        "Byte offset of its end in `source` (exclusive).",
    ),
];

pub const LINKS: &[Col] = &[
    col(
        "from_paragraph",
        Kind::Text,
        false,
        "The earlier passage (`paragraphs.id`) when both texts are dated.",
    ),
    col(
        "to_paragraph",
        Kind::Text,
        false,
        "The passage that echoes it.",
    ),
    col(
        "from_text",
        Kind::Text,
        false,
        "The text of `from_paragraph`.",
    ),
    col("to_text", Kind::Text, false, "The text of `to_paragraph`."),
    col(
        "kind",
        Kind::Text,
        false,
        "`reuse`: the two passages share a span of text, verbatim or nearly; `echo`: the same idea in other words; `theme`: a shared subject carried by rare shared words, weaker similarity.",
    ),
    col(
        "score",
        Kind::Float,
        false,
        "Calibrated link score: how far the pair stands above each passage's usual neighbours.",
    ),
    col(
        "dense",
        Kind::Float,
        false,
        "Cosine of the two passages' embeddings.",
    ),
    col(
        "bm25",
        Kind::Float,
        false,
        "BM25 more-like-this score (0 when BM25 did not propose the pair).",
    ),
    col(
        "shared_words",
        Kind::TextList,
        false,
        "Salient words both passages use, as written in `from_paragraph`.",
    ),
    col(
        "direction",
        Kind::Text,
        false,
        "`earlier_to_later`, `same_date` or `undated` (one text or both have no date).",
    ),
];

pub const RELATED: &[Col] = &[
    col("text", Kind::Text, false, "The source text (`texts.id`)."),
    col(
        "related_text",
        Kind::Text,
        false,
        "A text related to it, as shown to readers.",
    ),
    col(
        "rank",
        Kind::Int,
        false,
        "Rank among the source's related texts, from 1.",
    ),
    col(
        "score",
        Kind::Float,
        false,
        "Fused z-score of the text-level signals (centred mean, chamfer over paragraphs, tf-idf).",
    ),
    col(
        "robust",
        Kind::Float,
        false,
        "The same without the pair's strongest passage match.",
    ),
    col(
        "author",
        Kind::Bool,
        false,
        "The source text already links to this one (the author's own link).",
    ),
    col(
        "evidence_from",
        Kind::TextList,
        false,
        "Passages of the source that make the link (`paragraphs.id`).",
    ),
    col(
        "evidence_to",
        Kind::TextList,
        false,
        "The passages of the related text they echo, in the same order.",
    ),
];

pub const CLUSTERS: &[Col] = &[
    col(
        "id",
        Kind::Int,
        false,
        "Cluster id (Louvain communities of the text graph).",
    ),
    col(
        "label",
        Kind::Text,
        false,
        "Words shared by the linked passages inside the cluster.",
    ),
    col("size", Kind::Int, false, "Number of texts."),
    col("members", Kind::TextList, false, "Its texts (`texts.id`)."),
];

pub const EMBEDDINGS: &[Col] = &[
    col(
        "paragraph_id",
        Kind::Text,
        false,
        "The paragraph (`paragraphs.id`).",
    ),
    col("model", Kind::Text, false, "The embedding model's id."),
    col(
        "vector",
        Kind::Vector,
        false,
        "The paragraph's embedding (L2-normalised).",
    ),
];

/// Every configuration: name, columns, one line on what a row is.
pub const CONFIGS: &[(&str, &[Col], &str)] = &[
    ("texts", TEXTS, "one row per text, with its source"),
    (
        "paragraphs",
        PARAGRAPHS,
        "one row per paragraph, with its byte range in the source",
    ),
    ("links", LINKS, "one row per passage link between two texts"),
    (
        "related",
        RELATED,
        "one row per related text shown for a text",
    ),
    (
        "clusters",
        CLUSTERS,
        "one row per cluster of the text graph",
    ),
    (
        "embeddings",
        EMBEDDINGS,
        "one row per paragraph: its vector (only with --with-embeddings)",
    ),
];
