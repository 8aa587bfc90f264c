//! The properties the fuzz targets (`fuzz/`) check, kept here so that the
//! regression test over the fuzz corpus runs the very same code in CI.
//!
//! Owns: nothing of the pipeline; it only drives the parser and the splitter
//! and panics when one of their promises is broken.

use crate::config::{CorpusConfig, CorpusFormat, SplitConfig};
use crate::source::{decode_text, file_document};
use crate::split::split_document;

/// Parses `data` as a file of `format` (metadata, hashtags, front matter)
/// and splits it, as indexing would, with small and default windows.
///
/// # Panics
/// If parsing or splitting panics, or a paragraph breaks its promises:
/// offsets on UTF-8 boundaries inside the source, in order, not empty, and
/// no longer than the window.
pub fn parse_and_split(format: CorpusFormat, data: &[u8]) {
    // Invalid UTF-8, NUL bytes, empty files: refused with a reason, never a panic.
    let text = match decode_text(data.to_vec()) {
        Ok(text) => text,
        Err(reason) => {
            assert!(!reason.is_empty());
            return;
        }
    };
    let dir = std::env::temp_dir();
    let mut corpus = CorpusConfig::new("fuzz", dir, format);
    corpus.url_template = Some("https://example.org/{year}/{month}/{day}/{slug}/".into());
    let doc = file_document(&corpus, "2024/01/post.md", text);
    assert!(doc.body.0 <= doc.body.1 && doc.body.1 <= doc.text.len());
    for cfg in [
        SplitConfig::default(),
        SplitConfig {
            min_chars: 5,
            max_chars: 40,
            unit_max_chars: 60,
        },
    ] {
        let mut last_end = 0;
        let paragraphs = split_document(&doc, &cfg);
        // Units cover their paragraphs exactly, in order, and slice the source.
        for u in crate::split::units::units(&paragraphs, cfg.unit_max_chars) {
            assert!(u.first <= u.last && u.last < paragraphs.len());
            assert_eq!(
                (u.start, u.end),
                (paragraphs[u.first].start, paragraphs[u.last].end)
            );
            assert!(doc.text.is_char_boundary(u.start) && doc.text.is_char_boundary(u.end));
        }
        for p in paragraphs {
            assert!(p.start < p.end, "empty range {}..{}", p.start, p.end);
            assert!(p.end <= doc.text.len(), "range past the end");
            assert!(
                doc.text.is_char_boundary(p.start) && doc.text.is_char_boundary(p.end),
                "offsets {}..{} split a character",
                p.start,
                p.end
            );
            assert!(
                p.start >= last_end,
                "paragraphs overlap or are out of order"
            );
            last_end = p.end;
            assert!(!p.text.trim().is_empty(), "empty paragraph");
            assert!(
                // A short fragment merged into a full paragraph, plus the joining space.
                p.text.chars().count() <= cfg.max_chars + cfg.min_chars + 1,
                "paragraph of {} chars for a window of {}",
                p.text.chars().count(),
                cfg.max_chars
            );
        }
    }
}
