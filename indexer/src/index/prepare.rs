//! A text prepared for indexing: its content hash (what decides a
//! re-index) and its cut into paragraphs and retrieval units.
//!
//! Owns: the pipeline version and what the model embeds for a text. Must
//! not: write anything.

use crate::config::Config;
use crate::source::Document;
use crate::split::{self, units::Unit, Paragraph};

/// Bump when the reading or splitting code changes what paragraphs a text
/// gives: every text is then re-split (embeddings still come from the cache).
const PIPELINE_VERSION: u32 = 6;

/// Everything that changes a text's paragraphs or their metadata.
pub(crate) fn content_hash(doc: &Document, config: &Config) -> String {
    let mut h = blake3::Hasher::new();
    h.update(&PIPELINE_VERSION.to_le_bytes());
    h.update(doc.text.as_bytes());
    h.update(&[0]);
    h.update(
        serde_json::to_string(&(
            &doc.title,
            &doc.date,
            &doc.tags,
            &doc.url,
            doc.body,
            config.split.min_chars,
            config.split.max_chars,
            config.split.unit_max_chars,
        ))
        .unwrap_or_default()
        .as_bytes(),
    );
    h.finalize().to_hex()[..32].to_string()
}

/// A text cut for indexing: its paragraphs (the unit of evidence) and its
/// retrieval units with the text each is embedded as.
pub(crate) struct Split {
    pub(crate) paragraphs: Vec<Paragraph>,
    pub(crate) units: Vec<Unit>,
    pub(crate) unit_texts: Vec<String>,
}

impl Split {
    pub(crate) fn of(doc: &Document, cfg: &crate::config::SplitConfig) -> Split {
        let paragraphs = split::split_document(doc, cfg);
        let units = if cfg.unit_max_chars == 0 {
            Vec::new()
        } else {
            split::units::units(&paragraphs, cfg.unit_max_chars)
        };
        // A unit of one long paragraph (half the unit size or more) is
        // embedded as that paragraph, a cache hit: the title weighs little
        // beside it, and re-embedding those cost a third of the units' time
        // on the demo (BENCHMARKS.md, issue 12 cost).
        // A title that is only the id (a record or a file without one) says
        // nothing: "cnil-d000 : …" put noise into every CNIL answer.
        let slug = doc.id.rsplit('/').next().unwrap_or(&doc.id);
        let title = if doc.title == slug {
            ""
        } else {
            doc.title.as_str()
        };
        let unit_texts = units
            .iter()
            .map(|u| {
                let p = &paragraphs[u.first];
                if u.first == u.last && 2 * p.text.chars().count() >= cfg.unit_max_chars {
                    p.text.clone()
                } else {
                    u.embedding_text(title)
                }
            })
            .collect();
        Split {
            paragraphs,
            units,
            unit_texts,
        }
    }

    /// Every text the model embeds for this text.
    pub(crate) fn embedding_texts(&self) -> impl Iterator<Item = &str> {
        self.paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .chain(self.unit_texts.iter().map(String::as_str))
    }
}
