//! Text-level markup shared by the readers (`source`) and the splitter
//! (`split`), below both so that neither imports the other: HTML entities
//! left by exports, and line iteration with byte offsets. Must not know
//! documents or paragraphs.

/// Decodes the HTML entities that exports leave in markdown (`&gt;`, `&#8217;`, `&nbsp;`…).
///
/// Hand-written on purpose (issue 13 weighed `html-escape`): the crate
/// decodes every HTML5 name, which changes what the splitter's tests pin
/// (`z&eacute;ro` stays as written) while the shared corpora hold no entity
/// beyond `&gt;`; numeric references and the names exports use are here.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
        let decoded = end.and_then(|j| {
            let name = &rest[1..j];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "laquo" => Some('«'),
                "raquo" => Some('»'),
                "hellip" => Some('…'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Lines of `text[from..to]`: each line's start and its text without the newline.
pub fn lines(text: &str, from: usize, to: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= to {
            return None;
        }
        let end = text[pos..to].find('\n').map_or(to, |i| pos + i + 1);
        let line = &text[pos..end];
        let start = pos;
        pos = end;
        Some((start, line.trim_end_matches(['\n', '\r'])))
    })
}

/// Lines of `text[range]` with their byte ranges.
pub fn line_ranges(text: &str, from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = from;
    while pos < to {
        let end = text[pos..to].find('\n').map_or(to, |i| pos + i + 1);
        out.push((pos, end));
        pos = end;
    }
    out
}
