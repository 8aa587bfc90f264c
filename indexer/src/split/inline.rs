//! Inline markdown → prose: images and URLs dropped, link anchors kept (their
//! targets recorded), emphasis and code markers removed, exotic spaces made plain.

use crate::markup::decode_entities;

/// Cleans one line of markdown (or plain text). Returns the prose and the link targets.
pub fn clean_inline(line: &str, links: &mut Vec<String>) -> String {
    clean_markup(&decode_entities(line), links)
}

fn clean_markup(line: &str, links: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap();
        if rest.starts_with("![") {
            // an image: dropped whole (or its `![` when it is no image)
            i = parse_link(line, i + 1).map_or(i + 2, |(_, _, end)| end);
            continue;
        }
        if c == '[' {
            if let Some((text, url, end)) = parse_link(line, i) {
                links.extend(url);
                out.push_str(&clean_inline(text, links));
                i = end;
                continue;
            }
        }
        if c == '<' {
            if let Some(len) = html_tag(rest, links) {
                i += len;
                continue;
            }
        }
        let at_word_start = i == 0 || !line.as_bytes()[i - 1].is_ascii_alphanumeric();
        if at_word_start {
            if let Some(len) = bare_url(rest, links) {
                i += len;
                continue;
            }
        }
        i += plain(c, rest, &mut out);
    }
    out
}

/// An HTML tag at the start of `rest` (`<b>`, `</p>`, `<a href=…>`, an
/// autolink `<https://…>`): its length, its link recorded.
fn html_tag(rest: &str, links: &mut Vec<String>) -> Option<usize> {
    let close = rest[1..].find('>').map(|j| j + 1)?;
    let inner = &rest[1..close];
    let is_tag = inner
        .chars()
        .next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '/' || f == '!');
    if close > 300 || !is_tag || inner.contains('\n') {
        return None;
    }
    if inner.starts_with("http://") || inner.starts_with("https://") {
        links.push(inner.to_string());
    } else if let Some(href) = attr_value(inner, "href") {
        links.push(href);
    }
    Some(close + 1)
}

/// A bare URL at the start of `rest`: its length without the sentence's
/// trailing punctuation, the URL recorded.
fn bare_url(rest: &str, links: &mut Vec<String>) -> Option<usize> {
    if !(rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.")) {
        return None;
    }
    let end = rest
        .find(|ch: char| ch.is_whitespace() || ch == '<' || ch == '>' || ch == '"')
        .unwrap_or(rest.len());
    // A URL in prose often ends with punctuation that belongs to the sentence.
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    links.push(url.to_string());
    Some(url.len())
}

/// One character of prose: emphasis and code markers dropped, escapes
/// resolved, exotic spaces made plain. Returns the bytes consumed.
fn plain(c: char, rest: &str, out: &mut String) -> usize {
    match c {
        '*' | '`' => {}
        '_' => {
            let prev_alnum = out.chars().last().is_some_and(char::is_alphanumeric);
            let next_alnum = rest[1..].chars().next().is_some_and(char::is_alphanumeric);
            if prev_alnum && next_alnum {
                out.push('_');
            }
        }
        '\\' => match rest[1..].chars().next() {
            Some(n) if n.is_ascii_punctuation() => {
                out.push(n);
                return 1 + n.len_utf8();
            }
            _ => out.push('\\'),
        },
        '\u{00a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\t' => out.push(' '),
        _ => out.push(c),
    }
    c.len_utf8()
}

fn attr_value(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let q = rest.chars().next()?;
    if q == '"' || q == '\'' {
        let end = rest[1..].find(q)?;
        Some(rest[1..1 + end].to_string())
    } else {
        Some(rest.split_whitespace().next()?.to_string())
    }
}

/// `[text](url "title")` or `[text][ref]` starting at byte `i` (at `[`).
/// Returns (text, url, end byte).
fn parse_link(s: &str, i: usize) -> Option<(&str, Option<String>, usize)> {
    let b = s.as_bytes();
    debug_assert_eq!(b[i], b'[');
    let mut depth = 0usize;
    let mut j = i;
    let close = loop {
        match b.get(j)? {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            _ => {}
        }
        j += 1;
    };
    let text = &s[i + 1..close];
    match b.get(close + 1) {
        Some(b'(') => {
            let mut depth = 0usize;
            let mut k = close + 1;
            let end = loop {
                match b.get(k)? {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break k;
                        }
                    }
                    _ => {}
                }
                k += 1;
            };
            let target = s[close + 2..end].trim();
            let url = target
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(['<', '>']);
            Some((text, (!url.is_empty()).then(|| url.to_string()), end + 1))
        }
        Some(b'[') => {
            let end = s[close + 1..].find(']')? + close + 1;
            Some((text, None, end + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> (String, Vec<String>) {
        let mut links = vec![];
        let t = clean_inline(s, &mut links);
        (t, links)
    }

    #[test]
    fn images_go_links_keep_their_anchor() {
        let (t, l) = clean("![Scribes](_i/scribe.webp)[Contrairement à Luc Julia](https://www.youtube.com/watch?v=e5k&t=3s), je ne");
        assert_eq!(t, "Contrairement à Luc Julia, je ne");
        assert_eq!(l, ["https://www.youtube.com/watch?v=e5k&t=3s"]);
    }

    #[test]
    fn nested_and_titled_links() {
        let (t, l) =
            clean("roman [*Ératosthène*](https://tcrouzet.com/books/e/ \"titre\") et [x](a.md)");
        assert_eq!(t, "roman Ératosthène et x");
        assert_eq!(l, ["https://tcrouzet.com/books/e/", "a.md"]);
        let (t, _) = clean("[![img](i.png)](https://x.org)");
        assert_eq!(t, "");
    }

    #[test]
    fn bare_urls_and_html_are_not_prose() {
        let (t, l) =
            clean("voir https://tcrouzet.com/2024/01/26/x/. Et <b>gras</b> <https://a.org>");
        assert_eq!(t, "voir . Et gras ");
        assert_eq!(l, ["https://tcrouzet.com/2024/01/26/x/", "https://a.org"]);
    }

    #[test]
    fn emphasis_code_and_spaces() {
        let (t, _) = clean("**gras** _it_ `code` snake_case a\u{202f}; b\u{a0}!");
        assert_eq!(t, "gras it code snake_case a ; b !");
    }

    #[test]
    fn html_entities_from_exports_are_decoded() {
        let (t, _) = clean("Qu&#8217;est-ce ? Prix =&gt; z&eacute;ro &amp; co&nbsp;!");
        assert_eq!(t, "Qu’est-ce ? Prix => z&eacute;ro & co !");
        assert_eq!(decode_entities("&#x2019; & &zz; &"), "’ & &zz; &");
    }

    #[test]
    fn unbalanced_brackets_stay_literal() {
        let (t, l) = clean("[note non fermée ( et ![ et ]");
        assert_eq!(t, "[note non fermée ( et  et ]");
        assert!(l.is_empty());
    }
}
