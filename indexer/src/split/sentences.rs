//! Sentences: where a long paragraph may be cut (sentence ends, French
//! punctuation and abbreviations), so that no piece exceeds `max_chars`.

use crate::source::Document;

/// Byte positions just after sentence ends in `s`: `.`, `!`, `?`, `…` (plus closing
/// quotes) followed by a space and an upper-case letter, a quote, a dash or a digit.
pub(super) fn sentence_ends(s: &str) -> Vec<usize> {
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
pub(super) fn split_long(
    doc: &Document,
    start: usize,
    end: usize,
    max_chars: usize,
) -> Vec<(usize, usize)> {
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
