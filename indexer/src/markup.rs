//! Text-level markup shared by the readers (`source`) and the splitter
//! (`split`), below both so that neither imports the other: HTML entities
//! left by exports, and line iteration with byte offsets. Must not know
//! documents or paragraphs.

/// Decodes the HTML entities that exports leave in markdown (`&gt;`,
/// `&#8217;`, `&nbsp;`…), every named entity of HTML5, by `html-escape`.
/// Unknown names and a lone `&` stay as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    html_escape::decode_html_entities(s).into_owned()
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
