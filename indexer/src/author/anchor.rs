//! Anchors: the short run of the author's own words a link goes on, and the
//! sentence around it, as byte ranges of the source.

use std::collections::HashSet;

use super::Span;

/// Words of `source[start..end]`: byte ranges of runs of letters and digits.
fn words(source: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<usize> = None;
    for (i, c) in source[start..end].char_indices() {
        let at = start + i;
        match (c.is_alphanumeric(), cur) {
            (true, None) => cur = Some(at),
            (false, Some(s)) => {
                out.push((s, at));
                cur = None;
            }
            _ => {}
        }
    }
    if let Some(s) = cur {
        out.push((s, end));
    }
    out
}

fn ends_sentence(gap: &str) -> bool {
    gap.contains(['.', '!', '?', '…', ';', ':']) || gap.contains("\n\n")
}

/// The anchor of a link in `source[start..end]`: the shortest run of at most
/// four words, inside one sentence, that starts and ends on a shared word and
/// holds the most of them; one word when that run would be its whole
/// sentence. `None` when no shared word is there.
pub fn anchor_span(source: &str, start: usize, end: usize, shared: &[String]) -> Option<Span> {
    let shared: HashSet<String> = shared.iter().map(|w| w.to_lowercase()).collect();
    let ws = words(source, start, end);
    let is_shared = |w: &(usize, usize)| shared.contains(&source[w.0..w.1].to_lowercase());
    let mut best: Option<(usize, usize, usize)> = None; // (count, i, j)
    for i in (0..ws.len()).filter(|&i| is_shared(&ws[i])) {
        for j in i..ws.len().min(i + 4) {
            if j > i && ends_sentence(&source[ws[j - 1].1..ws[j].0]) {
                break;
            }
            if !is_shared(&ws[j]) {
                continue;
            }
            let count = (i..=j).filter(|&k| is_shared(&ws[k])).count();
            let better = best.is_none_or(|(c, bi, bj)| {
                count > c || (count == c && ws[j].1 - ws[i].0 < ws[bj].1 - ws[bi].0)
            });
            if better {
                best = Some((count, i, j));
            }
        }
    }
    let (_, mut i, j) = best?;
    let sentence_first = (0..=i)
        .rev()
        .take_while(|&k| k == i || !ends_sentence(&source[ws[k].1..ws[k + 1].0]))
        .last()
        .unwrap_or(i);
    let sentence_last = (j..ws.len())
        .take_while(|&k| k == j || !ends_sentence(&source[ws[k - 1].1..ws[k].0]))
        .last()
        .unwrap_or(j);
    if sentence_first == i && sentence_last == j && j > i {
        i = j; // the whole sentence: keep its last shared word only
    }
    let (s, e) = (ws[i].0, ws[j].1);
    Some(Span {
        start: s,
        end: e,
        text: source[s..e].to_string(),
    })
}

/// The span sits in the text of a markdown link (`[…](…)`): no second link there.
pub(super) fn inside_link_text(source: &str, span: &Span) -> bool {
    let before = &source[..span.start];
    let open = before.rfind('[');
    let close = before.rfind(']');
    open.is_some_and(|o| close.is_none_or(|c| c < o)) && source[span.end..].contains("](")
}

/// The sentence of `source[start..end]` around `at`, trimmed.
pub fn sentence_span(source: &str, start: usize, end: usize, at: usize) -> Span {
    let para = &source[start..end];
    let rel = at - start;
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '…');
    let s = para[..rel]
        .char_indices()
        .filter(|&(_, c)| is_end(c))
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
        .unwrap_or(0);
    let e = para[rel..]
        .char_indices()
        .find(|&(_, c)| is_end(c))
        .map_or(para.len(), |(i, c)| rel + i + c.len_utf8());
    let piece = &para[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let (a, b) = (start + s + lead, start + e - trail);
    Span {
        start: a,
        end: b,
        text: source[a..b].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_anchor_is_a_short_run_of_shared_words_in_one_sentence() {
        let s =
            "Nous parlons souvent du revenu de base inconditionnel. Il libère du travail forcé.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu", "inconditionnel", "travail"])).unwrap();
        assert_eq!(a.text, "revenu de base inconditionnel");
        assert_eq!(&s[a.start..a.end], a.text);
    }

    #[test]
    fn an_anchor_never_is_a_whole_sentence() {
        let s = "Revenu universel. Autre chose ici.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu", "universel"])).unwrap();
        assert_eq!(a.text, "universel");
    }

    #[test]
    fn no_shared_word_no_anchor() {
        let s = "Une tarte aux poireaux.";
        assert_eq!(anchor_span(s, 0, s.len(), &w(&["revenu"])), None);
    }

    #[test]
    fn anchors_match_case_and_accents_as_written() {
        let s = "L’État et la servitude volontaire.";
        let a = anchor_span(s, 0, s.len(), &w(&["servitude", "volontaire"])).unwrap();
        assert_eq!(a.text, "servitude volontaire");
    }

    #[test]
    fn words_already_a_link_are_no_anchor() {
        let s = "Voir [le revenu de base](https://x/y) ici.";
        let a = anchor_span(s, 0, s.len(), &w(&["revenu"])).unwrap();
        assert!(inside_link_text(s, &a));
        let plain = "Le revenu de base, ici.";
        let b = anchor_span(plain, 0, plain.len(), &w(&["revenu"])).unwrap();
        assert!(!inside_link_text(plain, &b));
    }

    #[test]
    fn the_sentence_around_an_anchor() {
        let s = "Premier point. Le revenu de base libère ! Fin.";
        let at = s.find("revenu").unwrap();
        assert_eq!(
            sentence_span(s, 0, s.len(), at).text,
            "Le revenu de base libère !"
        );
    }
}
