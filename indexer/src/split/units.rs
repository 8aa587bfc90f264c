//! Retrieval units: runs of consecutive paragraphs of one section, packed up
//! to a size, embedded with their context (the text's title and the section
//! heading).
//!
//! Owns: which paragraphs make a unit and the text a unit is embedded and
//! searched as. Must not: read files, embed, or score.
//!
//! Why units: paragraphs stay the unit of evidence (offsets, highlighting,
//! passage links), but a paragraph alone is often too little to retrieve a
//! text by. In line-oriented texts (FAQ answers, forum posts, the jsonl
//! corpora) a paragraph is one line, embedded without its title or heading.
//! Joining the lines of each answer of the CNIL FAQ lifted hybrid nDCG@10
//! from 0.624 to 0.740 (issue 12). A text shorter than `max_chars` is one
//! unit: the whole text.

use serde::{Deserialize, Serialize};

use super::Paragraph;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// 0-based position in the text.
    pub ordinal: usize,
    /// Ordinals of its first and last paragraphs (inclusive).
    pub first: usize,
    pub last: usize,
    /// Byte offsets into the source: from the first paragraph's start to the
    /// last one's end.
    pub start: usize,
    pub end: usize,
    pub heading: Option<String>,
    /// The paragraphs' prose, joined by newlines (what BM25 indexes).
    pub body: String,
}

impl Unit {
    /// What the model embeds: `title — heading : body`, parts left out when
    /// empty or repeated (a heading equal to the title says nothing new).
    pub fn embedding_text(&self, title: &str) -> String {
        context_text(title, self.heading.as_deref(), &self.body)
    }
}

/// `title — heading : body`, leaving out empty or repeated parts.
pub fn context_text(title: &str, heading: Option<&str>, body: &str) -> String {
    let title = title.trim();
    let heading = heading
        .map(str::trim)
        .filter(|h| !h.is_empty() && !h.eq_ignore_ascii_case(title));
    match (title.is_empty(), heading) {
        (true, None) => body.to_string(),
        (true, Some(h)) => format!("{h} : {body}"),
        (false, None) => format!("{title} : {body}"),
        (false, Some(h)) => format!("{title} — {h} : {body}"),
    }
}

/// Packs consecutive paragraphs of the same section into units of at most
/// `max_chars` characters (a paragraph longer than that is a unit alone).
pub fn units(paragraphs: &[Paragraph], max_chars: usize) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut cur: Option<(Unit, usize)> = None;
    for p in paragraphs {
        let len = p.text.chars().count();
        cur = match cur.take() {
            Some((mut u, chars)) if u.heading == p.heading && chars + 1 + len <= max_chars => {
                u.last = p.ordinal;
                u.end = p.end;
                u.body.push('\n');
                u.body.push_str(&p.text);
                Some((u, chars + 1 + len))
            }
            other => {
                if let Some((u, _)) = other {
                    out.push(u);
                }
                Some((
                    Unit {
                        ordinal: 0,
                        first: p.ordinal,
                        last: p.ordinal,
                        start: p.start,
                        end: p.end,
                        heading: p.heading.clone(),
                        body: p.text.clone(),
                    },
                    len,
                ))
            }
        };
    }
    out.extend(cur.map(|(u, _)| u));
    for (i, u) in out.iter_mut().enumerate() {
        u.ordinal = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(ordinal: usize, text: &str, start: usize, heading: Option<&str>) -> Paragraph {
        Paragraph {
            ordinal,
            text: text.into(),
            start,
            end: start + text.len(),
            heading: heading.map(String::from),
            links: vec![],
        }
    }

    #[test]
    fn consecutive_paragraphs_of_a_section_are_packed_up_to_the_size() {
        let ps = vec![
            para(0, "aaaa", 0, None),
            para(1, "bbbb", 10, None),
            para(2, "cccc", 20, None),
            para(3, "dddd", 30, Some("H")),
        ];
        let u = units(&ps, 9);
        assert_eq!(u.len(), 3);
        assert_eq!((u[0].first, u[0].last, u[0].start, u[0].end), (0, 1, 0, 14));
        assert_eq!(u[0].body, "aaaa\nbbbb");
        assert_eq!((u[1].first, u[1].last), (2, 2));
        // a new heading starts a new unit
        assert_eq!((u[2].first, u[2].heading.as_deref()), (3, Some("H")));
        assert_eq!(u.iter().map(|x| x.ordinal).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn a_short_text_is_one_unit_and_a_long_paragraph_is_alone() {
        let ps = vec![para(0, "un", 0, None), para(1, "deux", 5, None)];
        assert_eq!(units(&ps, 1200).len(), 1);
        let long = "x".repeat(50);
        let ps = vec![para(0, &long, 0, None), para(1, "deux", 60, None)];
        let u = units(&ps, 20);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].body, long);
        assert!(units(&[], 100).is_empty());
    }

    #[test]
    fn context_leaves_out_empty_and_repeated_parts() {
        assert_eq!(context_text("", None, "corps"), "corps");
        assert_eq!(context_text("Titre", None, "corps"), "Titre : corps");
        assert_eq!(
            context_text("Titre", Some("titre"), "corps"),
            "Titre : corps"
        );
        assert_eq!(
            context_text("Titre", Some("Partie"), "corps"),
            "Titre — Partie : corps"
        );
        assert_eq!(context_text(" ", Some("Partie"), "corps"), "Partie : corps");
    }
}
