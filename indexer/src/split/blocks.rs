//! Blocks: a document's lines grouped into paragraphs-to-be — markdown
//! (headings, fences, rules, site chrome left out) or plain text (blank-line
//! separated, or one per line) — each a byte range of the source.

use super::inline::clean_inline;
use crate::config::CorpusFormat;
use crate::markup::lines;
use crate::source::Document;

/// A block of source lines before cleaning.
pub(super) struct Block {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) heading: Option<String>,
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
pub(super) fn markdown_blocks(doc: &Document) -> Vec<Block> {
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
pub(super) fn text_blocks(doc: &Document) -> Vec<Block> {
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
pub(super) fn clean_range(
    doc: &Document,
    start: usize,
    end: usize,
    links: &mut Vec<String>,
) -> String {
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
