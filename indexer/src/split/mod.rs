//! French-aware paragraph splitting.
//!
//! Owns: turning a [`Document`]'s body into [`Paragraph`]s with byte offsets
//! back into the source. Joins hard-wrapped lines, drops markdown noise
//! (images, URLs, code, forum chrome), keeps headings as context, merges
//! fragments too short to mean anything, and splits paragraphs longer than the
//! model's window at sentence boundaries. Must not: read files or embed.

mod inline;
pub mod units;

use serde::{Deserialize, Serialize};

pub use crate::markup::decode_entities;
use crate::markup::lines;
pub use inline::clean_inline;

use crate::config::{CorpusFormat, SplitConfig};
use crate::source::Document;

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

/// A block of source lines before cleaning.
struct Block {
    start: usize,
    end: usize,
    heading: Option<String>,
}

/// Lines that are forum or page chrome, never prose.
const CHROME: &[&str] = &[
    "link",
    "fedilink",
    "arrow-up",
    "arrow-down",
    "reply",
    "répondre",
    "report",
    "signaler",
    "share",
    "partager",
    "permalink",
    "edit",
    "modifier",
    "delete",
    "·",
    "•",
    "-",
    "—",
    "lire aussi",
    "lire la suite",
    "voir aussi",
    "afficher plus",
    "show more",
];

fn is_chrome_line(line: &str) -> bool {
    let t = line.trim().trim_start_matches(['•', '·', '-', '*']).trim();
    if t.is_empty() || CHROME.contains(&t.to_lowercase().as_str()) {
        return true;
    }
    if t.chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || ".,:/-".contains(c))
    {
        return true;
    }
    false
}

/// A short line without sentence punctuation: a username, a language label, "8 months ago".
fn is_label_line(line: &str) -> bool {
    let t = line.trim();
    t.split_whitespace().count() <= 3 && !t.contains(['.', '!', '?', '…', ';', ',', ':', '»', '"'])
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

fn is_rule(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '*')
            || t.chars().all(|c| c == '_')
            || t.chars().all(|c| c == '='))
}

fn atx_heading(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        Some(t[hashes..].trim().trim_end_matches('#').trim())
    } else {
        None
    }
}

fn clean_heading(h: &str) -> String {
    let mut sink = Vec::new();
    collapse_spaces(&clean_inline(h, &mut sink))
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Markdown blocks: blank-line separated, headings and rules cut blocks, code fences skipped.
fn markdown_blocks(doc: &Document) -> Vec<Block> {
    let (text, (from, to)) = (&doc.text, doc.body);
    let mut blocks = Vec::new();
    let mut heading: Option<String> = None;
    let mut cur: Option<(usize, usize, usize)> = None; // start, end, line count
    let mut in_fence = false;
    let flush = |cur: &mut Option<(usize, usize, usize)>,
                 blocks: &mut Vec<Block>,
                 heading: &Option<String>| {
        if let Some((s, e, _)) = cur.take() {
            blocks.push(Block {
                start: s,
                end: e,
                heading: heading.clone(),
            });
        }
    };
    for (start, line) in lines(text, from, to) {
        let end = start + line.len();
        if in_fence {
            in_fence = !is_fence(line);
            continue;
        }
        if is_fence(line) {
            flush(&mut cur, &mut blocks, &heading);
            in_fence = true;
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut cur, &mut blocks, &heading);
            continue;
        }
        if let Some(h) = atx_heading(line) {
            flush(&mut cur, &mut blocks, &heading);
            heading = Some(clean_heading(h)).filter(|h| !h.is_empty());
            continue;
        }
        if is_rule(line) {
            // Setext heading: a single line underlined by `---` or `===`.
            if let Some((s, e, 1)) = cur {
                heading = Some(clean_heading(&text[s..e])).filter(|h| !h.is_empty());
                cur = None;
            } else {
                flush(&mut cur, &mut blocks, &heading);
            }
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("<!--")
            || t.starts_with("[^")
            || (t.starts_with('|') && t.chars().all(|c| "|-: ".contains(c)))
        {
            continue; // comments, footnote definitions, table rules
        }
        cur = Some(match cur {
            Some((s, _, n)) => (s, end, n + 1),
            None => (start, end, 1),
        });
    }
    flush(&mut cur, &mut blocks, &heading);
    blocks
}

/// Plain text: blank-line separated blocks if the text has blank lines, else one per line.
fn text_blocks(doc: &Document) -> Vec<Block> {
    let (text, (from, to)) = (&doc.text, doc.body);
    // Blank-line separated only if blank lines are common: a novel with one
    // paragraph per line and a stray blank line (ELTeC) is still line-based.
    let (blank, full) = lines(text, from, to).fold((0usize, 0usize), |(b, f), (_, l)| {
        if l.trim().is_empty() {
            (b + 1, f)
        } else {
            (b, f + 1)
        }
    });
    let has_blank = blank > 0 && blank * 8 >= full;
    let mut blocks = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    for (start, line) in lines(text, from, to) {
        let end = start + line.len();
        if line.trim().is_empty() || !has_blank {
            if let Some((s, e)) = cur.take() {
                blocks.push(Block {
                    start: s,
                    end: e,
                    heading: None,
                });
            }
            if !has_blank && !line.trim().is_empty() {
                blocks.push(Block {
                    start,
                    end,
                    heading: None,
                });
            }
            continue;
        }
        cur = Some(cur.map_or((start, end), |(s, _)| (s, end)));
    }
    if let Some((s, e)) = cur {
        blocks.push(Block {
            start: s,
            end: e,
            heading: None,
        });
    }
    blocks
}

/// Cleans a source range into prose, skipping chrome lines; joins hard-wrapped lines.
fn clean_range(doc: &Document, start: usize, end: usize, links: &mut Vec<String>) -> String {
    let markdown = matches!(
        doc.format,
        CorpusFormat::Markdown | CorpusFormat::BlogMarkdown
    );
    let src = &doc.text[start..end];
    let all_labels = !markdown
        && src.lines().count() > 1
        && src.lines().all(|l| is_chrome_line(l) || is_label_line(l));
    if all_labels {
        return String::new();
    }
    let mut out = String::new();
    for line in src.lines() {
        if is_chrome_line(line) {
            continue;
        }
        let mut l = line.trim();
        if markdown {
            l = l.trim_start_matches('>').trim_start();
        }
        let cleaned = clean_inline(l, links);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&cleaned);
    }
    collapse_spaces(&out)
}

/// Byte positions just after sentence ends in `s`: `.`, `!`, `?`, `…` (plus closing
/// quotes) followed by a space and an upper-case letter, a quote, a dash or a digit.
fn sentence_ends(s: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut ends = Vec::new();
    for (n, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut k = n + 1;
        while k < chars.len() && matches!(chars[k].1, '»' | '"' | '”' | ')' | '’' | '.' | '!' | '?')
        {
            k += 1;
        }
        if k >= chars.len() || !chars[k].1.is_whitespace() {
            continue;
        }
        let mut m = k;
        while m < chars.len() && chars[m].1.is_whitespace() {
            m += 1;
        }
        let Some(&(_, next)) = chars.get(m) else {
            continue;
        };
        if !(next.is_uppercase()
            || matches!(next, '«' | '"' | '“' | '—' | '–' | '-')
            || next.is_ascii_digit())
        {
            continue;
        }
        if c == '.' {
            // "M. Dupont", "J.-J. Rousseau": an initial or a title, not a sentence end.
            let word: String = chars[..n]
                .iter()
                .rev()
                .take_while(|(_, ch)| ch.is_alphabetic())
                .map(|(_, ch)| *ch)
                .collect();
            if word.chars().count() == 1 && word.chars().all(char::is_uppercase)
                || ["M", "Mme", "Mlle", "Dr", "St", "cf", "p", "etc"]
                    .contains(&word.chars().rev().collect::<String>().as_str())
                    && word != "cte"
            {
                continue;
            }
        }
        let _ = i;
        ends.push(chars[k].0);
    }
    ends
}

/// Splits `doc.text[start..end]` into pieces whose cleaned text fits `max_chars`.
fn split_long(doc: &Document, start: usize, end: usize, max_chars: usize) -> Vec<(usize, usize)> {
    let src = &doc.text[start..end];
    let mut cuts: Vec<usize> = sentence_ends(src).into_iter().map(|p| start + p).collect();
    cuts.push(end);
    // "essi... " ends a sentence once per dot, all at the same place.
    cuts.dedup();
    let mut pieces = Vec::new();
    let mut piece_start = start;
    let mut last_cut = start;
    for &cut in &cuts {
        if cut <= piece_start {
            continue;
        }
        let len = doc.text[piece_start..cut].chars().count();
        if len > max_chars && last_cut > piece_start {
            pieces.push((piece_start, last_cut));
            piece_start = skip_ws(&doc.text, last_cut, end);
        }
        last_cut = cut;
    }
    if piece_start < end {
        pieces.push((piece_start, end));
    }
    // A single sentence longer than the window: cut at spaces.
    let mut out = Vec::new();
    for (s, e) in pieces {
        let mut s = s;
        while doc.text[s..e].chars().count() > max_chars {
            let limit = doc.text[s..e]
                .char_indices()
                .nth(max_chars)
                .map_or(e, |(i, _)| s + i);
            let cut = doc.text[s..limit]
                .rfind(char::is_whitespace)
                .map(|i| s + i)
                .filter(|&c| c > s)
                .unwrap_or(limit);
            out.push((s, cut));
            s = skip_ws(&doc.text, cut, e);
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

fn skip_ws(text: &str, mut pos: usize, end: usize) -> usize {
    while pos < end {
        let c = text[pos..].chars().next().unwrap();
        if !c.is_whitespace() {
            break;
        }
        pos += c.len_utf8();
    }
    pos
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
