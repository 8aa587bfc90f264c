//! French-aware paragraph splitting.
//!
//! Owns: turning a [`Document`]'s body into [`Paragraph`]s with byte offsets
//! back into the source. Joins hard-wrapped lines, drops markdown noise
//! (images, URLs, code, forum chrome), keeps headings as context, merges
//! fragments too short to mean anything, and splits paragraphs longer than the
//! model's window at sentence boundaries. Must not: read files or embed.

mod blocks;
mod inline;
mod sentences;
pub mod units;

use serde::{Deserialize, Serialize};

pub use crate::markup::decode_entities;
pub use inline::clean_inline;

use crate::config::{CorpusFormat, SplitConfig};
use crate::source::Document;
use blocks::{clean_range, markdown_blocks, text_blocks};
use sentences::split_long;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// 0-based position in the text.
    pub ordinal: usize,
    /// The prose, cleaned of markup.
    pub text: String,
    /// Byte offsets into the source text (UTF-8 boundaries): `text` came from `source[start..end]`.
    pub start: usize,
    pub end: usize,
    /// The nearest heading above, if any.
    pub heading: Option<String>,
    /// Link targets found in the paragraph (not part of `text`).
    pub links: Vec<String>,
}

/// Splits a document's body into paragraphs.
pub fn split_document(doc: &Document, cfg: &SplitConfig) -> Vec<Paragraph> {
    let blocks = match doc.format {
        CorpusFormat::Markdown | CorpusFormat::BlogMarkdown => markdown_blocks(doc),
        // A dataset's documents carry their original format; `Dataset` never
        // reaches the splitter, and would read as plain text if it did.
        CorpusFormat::Text | CorpusFormat::Jsonl | CorpusFormat::Dataset => text_blocks(doc),
    };
    // 1. clean each block, splitting the long ones
    let mut raw: Vec<Paragraph> = Vec::new();
    for b in blocks {
        for (s, e) in split_long(doc, b.start, b.end, cfg.max_chars) {
            let mut links = Vec::new();
            let text = clean_range(doc, s, e, &mut links);
            if text.chars().any(char::is_alphanumeric) {
                raw.push(Paragraph {
                    ordinal: 0,
                    text,
                    start: s,
                    end: e,
                    heading: b.heading.clone(),
                    links,
                });
            } else if !links.is_empty() {
                // a block of bare links: keep the targets for the document
                if let Some(last) = raw.last_mut() {
                    last.links.extend(links);
                }
            }
        }
    }
    // 2. merge fragments too short to mean anything into a neighbour of the same section
    let mut merged: Vec<Paragraph> = Vec::new();
    let mut pending: Option<Paragraph> = None;
    for p in raw {
        let p = match pending.take() {
            Some(short)
                if short.heading == p.heading
                    && short.text.chars().count() + p.text.chars().count() < cfg.max_chars =>
            {
                join(short, p)
            }
            Some(short) => {
                merged.push(short);
                p
            }
            None => p,
        };
        if p.text.chars().count() < cfg.min_chars {
            pending = Some(p);
        } else {
            merged.push(p);
        }
    }
    if let Some(short) = pending {
        match merged.last_mut() {
            Some(prev)
                if prev.heading == short.heading
                    && prev.text.chars().count() + short.text.chars().count() < cfg.max_chars =>
            {
                let prev_owned = std::mem::replace(prev, short.clone());
                *prev = join(prev_owned, short);
            }
            _ => merged.push(short),
        }
    }
    for (i, p) in merged.iter_mut().enumerate() {
        p.ordinal = i;
    }
    merged
}

fn join(a: Paragraph, b: Paragraph) -> Paragraph {
    let mut links = a.links;
    links.extend(b.links);
    Paragraph {
        ordinal: 0,
        text: format!("{} {}", a.text, b.text),
        start: a.start,
        end: b.end,
        heading: a.heading,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by issue 7's scale run (Rolland, *Jean-Christophe*, ELTeC): a
    /// long paragraph cut just before "..." made the next, identical sentence
    /// end fall before the new piece's start, and slicing panicked.
    #[test]
    fn issue_7_an_ellipsis_after_a_cut_does_not_panic() {
        let cfg = SplitConfig {
            min_chars: 10,
            max_chars: 60,
            ..SplitConfig::default()
        };
        // The sentence that ends in "..." is itself longer than the window.
        let text = "Tout ce déluge de tendresse fade, d'émotion fade, de mélancolie fade, \
                    de poésie fade... Que de belles choses profanées ! Rien à dire."
            .to_string();
        for text in [
            text.clone(),
            text.replace(' ', "\u{a0}"),
            format!("{text}\n{text}"),
        ] {
            let d = doc(CorpusFormat::Text, &text);
            let ps = split_document(&d, &cfg);
            assert!(!ps.is_empty());
            for p in &ps {
                assert!(
                    p.start < p.end
                        && d.text.is_char_boundary(p.start)
                        && d.text.is_char_boundary(p.end)
                );
                assert!(p.text.chars().count() <= cfg.max_chars, "{:?}", p.text);
            }
        }
    }

    fn doc(format: CorpusFormat, text: &str) -> Document {
        Document {
            id: "t/x".into(),
            corpus: "t".into(),
            rel_path: "x".into(),
            title: "x".into(),
            date: None,
            tags: vec![],
            author: None,
            url: None,
            format,
            body: (0, text.len()),
            text: text.into(),
        }
    }

    fn cfg() -> SplitConfig {
        SplitConfig {
            min_chars: 40,
            max_chars: 200,
            ..SplitConfig::default()
        }
    }

    #[test]
    fn markdown_noise_is_dropped_and_headings_kept_as_context() {
        let text = "![Scribes](_i/scribe.webp)\n\nJ’ai eu l’idée de demander aux IA de réécrire [mon roman](https://tcrouzet.com/books/e/), un texte long.\n\n### L’approche brutale\n\n```\ncode();\n```\n\nChatGPT 5 avec sa fenêtre de 400 K tokens est la seule capable d’avaler le roman.\n";
        let d = doc(CorpusFormat::BlogMarkdown, text);
        let ps = split_document(&d, &cfg());
        assert_eq!(ps.len(), 2, "{ps:#?}");
        assert_eq!(
            ps[0].text,
            "J’ai eu l’idée de demander aux IA de réécrire mon roman, un texte long."
        );
        assert_eq!(ps[0].links, ["https://tcrouzet.com/books/e/"]);
        assert_eq!(ps[0].heading, None);
        assert_eq!(ps[1].heading.as_deref(), Some("L’approche brutale"));
        assert!(!ps.iter().any(|p| p.text.contains("code")));
        for p in &ps {
            assert!(d.text.is_char_boundary(p.start) && d.text.is_char_boundary(p.end));
        }
        assert!(d.text[ps[1].start..ps[1].end].starts_with("ChatGPT 5"));
    }

    #[test]
    fn hard_wrapped_lines_are_joined() {
        let text = "Article 1609\n----\nLa délivrance doit se faire au lieu où était, au temps de la vente, la chose qui\nen a fait l'objet, s'il n'en a été autrement convenu.\n";
        let ps = split_document(&doc(CorpusFormat::Markdown, text), &cfg());
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].heading.as_deref(), Some("Article 1609"));
        assert!(ps[0].text.contains("la chose qui en a fait l'objet"));
    }

    #[test]
    fn forum_chrome_is_not_prose() {
        let text = "Alors je lance cet AMA car ça fait un moment que je bouffe du machine learning.\n\n  • keepthepace_OP\n    link\n    fedilink\n    Français\n    arrow-up\n    2\n    arrow-down\n    1\n    ·\n    8 months ago\n\n    Le droit d’auteur français dit que tout ce qui n’est pas prévu par la loi est interdit.\n";
        let ps = split_document(&doc(CorpusFormat::Text, text), &cfg());
        let texts: Vec<_> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(!texts
            .iter()
            .any(|t| t.contains("fedilink") || t.contains("months ago")));
    }

    #[test]
    fn one_paragraph_per_line_text() {
        let text = "Première ligne qui forme un paragraphe entier, assez long pour compter.\nDeuxième ligne, elle aussi un paragraphe entier et assez long pour compter.\n";
        let ps = split_document(&doc(CorpusFormat::Text, text), &cfg());
        assert_eq!(ps.len(), 2);
        assert_eq!(&text[ps[1].start..ps[1].end], ps[1].text);
    }

    #[test]
    fn a_stray_blank_line_does_not_make_a_novel_one_block() {
        let line =
            "— Hé ! Mandine, criait-elle, dépêche-toi de balayer la maison ; plus vite que ça !\n";
        let text = format!(" \n{}", line.repeat(20));
        let ps = split_document(&doc(CorpusFormat::Text, &text), &cfg());
        assert_eq!(ps.len(), 20);
    }

    #[test]
    fn short_fragments_merge_with_their_neighbour() {
        let text = "Hello!\n\nUn paragraphe qui a du sens et qui dépasse largement le seuil minimal.\n\nEnfin bon.\n";
        let ps = split_document(&doc(CorpusFormat::Markdown, text), &cfg());
        assert_eq!(ps.len(), 1, "{ps:#?}");
        assert!(ps[0].text.starts_with("Hello! Un paragraphe"));
        assert!(ps[0].text.ends_with("Enfin bon."));
        assert_eq!((ps[0].start, ps[0].end), (0, text.trim_end().len()));
    }

    #[test]
    fn long_paragraphs_split_at_sentences() {
        let sentence = "Le bon sens est la chose du monde la mieux partagée, car chacun pense en être bien pourvu. ";
        let text = sentence.repeat(6) + "M. Descartes le dit ! Qu’en penser ?";
        let ps = split_document(&doc(CorpusFormat::Text, &text), &cfg());
        assert!(ps.len() >= 3, "{ps:#?}");
        for p in &ps {
            assert!(p.text.chars().count() <= 200, "{}", p.text.len());
            assert!(p.text.ends_with('.') || p.text.ends_with('?'), "{}", p.text);
            assert_eq!(&text[p.start..p.end], p.text);
        }
        assert!(
            !ps.iter().any(|p| p.text.starts_with("Descartes")),
            "M. is not a sentence end"
        );
    }

    #[test]
    fn a_single_huge_sentence_is_cut_at_spaces() {
        let text = "mot ".repeat(200);
        let ps = split_document(&doc(CorpusFormat::Text, &text), &cfg());
        assert!(ps.len() >= 4);
        assert!(ps
            .iter()
            .all(|p| p.text.chars().count() <= 200 && !p.text.starts_with(' ')));
    }
}
