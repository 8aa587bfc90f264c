//! The id formats of paragraphs and retrieval units, owned here once.
//!
//! A paragraph is `<text id>#<ordinal>`; a retrieval unit (a run of
//! paragraphs, see `split::units`) is `<text id>@<first>-<last>`, so that a
//! unit hit names the paragraphs it covers without another lookup.

/// `<text id>#<ordinal>`
pub fn paragraph_id(text_id: &str, ordinal: usize) -> String {
    format!("{text_id}#{ordinal}")
}

/// What every paragraph id of a text starts with: `<text id>#`.
pub fn paragraph_prefix(text_id: &str) -> String {
    format!("{text_id}#")
}

/// `<text id>@<first>-<last>` (paragraph ordinals, inclusive).
pub fn unit_id(text_id: &str, first: usize, last: usize) -> String {
    format!("{text_id}@{first}-{last}")
}

/// The text id and paragraph range of a unit id.
pub fn parse_unit_id(id: &str) -> Option<(&str, usize, usize)> {
    let (text, range) = id.rsplit_once('@')?;
    let (a, b) = range.split_once('-')?;
    let (first, last) = (a.parse().ok()?, b.parse().ok()?);
    (first <= last).then_some((text, first, last))
}

/// The paragraph ids a unit covers.
pub fn unit_paragraphs(id: &str) -> Vec<String> {
    parse_unit_id(id)
        .map(|(text, first, last)| (first..=last).map(|n| paragraph_id(text, n)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ids_round_trip_even_with_at_signs_in_the_text_id() {
        let id = unit_id("forum/a@b", 3, 5);
        assert_eq!(id, "forum/a@b@3-5");
        assert_eq!(parse_unit_id(&id), Some(("forum/a@b", 3, 5)));
        assert_eq!(
            unit_paragraphs(&id),
            ["forum/a@b#3", "forum/a@b#4", "forum/a@b#5"]
        );
        assert_eq!(parse_unit_id("t@5-3"), None);
        assert_eq!(parse_unit_id("t#3"), None);
    }
}
