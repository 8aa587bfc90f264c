//! BM25 as a sparse vector (issue 14): the same French analysis and the same
//! formula as the tantivy index, in a form any Qdrant deployment can store
//! and search, so that the cluster path needs no tantivy.
//!
//! A point's vector holds, for each analyzed term of each field (body, title,
//! heading), the saturated and length-normalised term frequency
//! `tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len))`; the store multiplies the
//! query's weights by the term's IDF (`Modifier::Idf`, the formula tantivy
//! uses: `ln(1 + (N − df + 0.5)/(df + 0.5))`). Fields are kept apart by
//! hashing `field:term`, so each has its own document frequencies, and the
//! query carries tantivy's field boosts (title 0.5, heading 0.3). A score is
//! then Σ boost · idf · weight: tantivy's BM25, field lengths rounded to one
//! byte as tantivy (and Lucene) store them ([`stored_length`]), so that both
//! lexical paths give the same scores and link discovery the same links.
//!
//! Owns: the encoding. Must not: store, search or know a backend.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyzer::{french_analyzer, terms};

/// tantivy's BM25 constants, kept equal so that both lexical paths agree.
pub const K1: f32 = 1.2;
pub const B: f32 = 0.75;

/// A query word's weight in a paragraph's title and in its heading, against
/// 1 in its body: the same for [`crate::store::TextIndex`]'s queries.
pub const TITLE_BOOST: f32 = 0.5;
pub const HEADING_BOOST: f32 = 0.3;

/// The fields a point's words come from, with the query boost of each.
const FIELDS: [(Field, &str, f32); 3] = [
    (Field::Body, "b", 1.0),
    (Field::Title, "t", TITLE_BOOST),
    (Field::Heading, "h", HEADING_BOOST),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Body,
    Title,
    Heading,
}

/// A sparse vector: dimension ids (sorted, unique) and their weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sparse {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl Sparse {
    fn from_map(m: BTreeMap<u32, f32>) -> Sparse {
        let (indices, values) = m.into_iter().unzip();
        Sparse { indices, values }
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The dot product with another sparse vector (both sorted).
    pub fn dot(&self, other: &Sparse) -> f32 {
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < self.indices.len() && j < other.indices.len() {
            match self.indices[i].cmp(&other.indices[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += self.values[i] * other.values[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }
}

/// Average field lengths of one level (paragraphs or units), measured on
/// the corpus at indexing.
pub use crate::manifest::FieldLengths as AvgLen;

/// The analyzed terms of one point, by field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointTerms {
    body: Vec<String>,
    title: Vec<String>,
    heading: Vec<String>,
}

impl PointTerms {
    /// Analyzes a point's text, its text's title and its section heading as
    /// the tantivy index does.
    pub fn analyze(body: &str, title: &str, heading: Option<&str>) -> PointTerms {
        let mut a = french_analyzer();
        PointTerms {
            body: terms(&mut a, body),
            title: terms(&mut a, title),
            heading: heading.map(|h| terms(&mut a, h)).unwrap_or_default(),
        }
    }

    fn field(&self, f: Field) -> &[String] {
        match f {
            Field::Body => &self.body,
            Field::Title => &self.title,
            Field::Heading => &self.heading,
        }
    }
}

/// Sums of field lengths, to average over a level's points.
#[derive(Debug, Clone, Copy, Default)]
pub struct LenSums {
    points: u64,
    body: u64,
    title: u64,
    heading: u64,
}

impl LenSums {
    pub fn add(&mut self, t: &PointTerms) {
        self.points += 1;
        self.body += t.body.len() as u64;
        self.title += t.title.len() as u64;
        self.heading += t.heading.len() as u64;
    }

    /// The averages, as tantivy computes them (over every point, empty
    /// fields included); 1 where nothing was seen.
    pub fn average(&self) -> AvgLen {
        let avg = |s: u64| {
            if self.points == 0 || s == 0 {
                1.0
            } else {
                s as f32 / self.points as f32
            }
        };
        AvgLen {
            body: avg(self.body),
            title: avg(self.title),
            heading: avg(self.heading),
        }
    }
}

/// The dimension of `term` in field `prefix`.
fn dim(prefix: &str, term: &str) -> u32 {
    let h = blake3::hash(format!("{prefix}:{term}").as_bytes());
    u32::from_le_bytes(h.as_bytes()[..4].try_into().expect("4 bytes"))
}

/// A field of `len` terms as tantivy stores its length (its "fieldnorm"):
/// exact up to 40, then rounded down on a log scale of 8 steps per doubling,
/// one byte per field. BM25 normalises by this rounded length, so the sparse
/// vectors must too: with exact lengths the two lexical paths differed on
/// paragraphs of more than 40 words, enough to swap two related texts
/// (issue 14's backends test).
pub fn stored_length(len: u32) -> u32 {
    if len <= 40 {
        return len;
    }
    // Ids 41 to 255: groups of 8 steps, each group's step twice the last.
    let (mut value, mut step) = (40u64, 2u64);
    for id in 41..=255u32 {
        if value + step > u64::from(len) {
            break;
        }
        value += step;
        if (id - 40) % 8 == 0 {
            step *= 2;
        }
    }
    value as u32
}

/// BM25's document-side weight of a term seen `tf` times in a field of
/// `len` terms whose average is `avg`.
pub fn term_weight(tf: f32, len: f32, avg: f32) -> f32 {
    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
}

/// A point's stored vector.
pub fn point_vector(t: &PointTerms, avg: &AvgLen) -> Sparse {
    let mut m = BTreeMap::new();
    for (field, prefix, _) in FIELDS {
        let words = t.field(field);
        let avg = match field {
            Field::Body => avg.body,
            Field::Title => avg.title,
            Field::Heading => avg.heading,
        };
        let mut tf: BTreeMap<&str, f32> = BTreeMap::new();
        for w in words {
            *tf.entry(w.as_str()).or_default() += 1.0;
        }
        for (w, n) in tf {
            // Two terms hashing alike add up, as one term would.
            let len = stored_length(words.len() as u32) as f32;
            *m.entry(dim(prefix, w)).or_default() += term_weight(n, len, avg);
        }
    }
    Sparse::from_map(m)
}

/// A query's vector: each occurrence of a term counts once per field, with
/// the field's boost (as tantivy's query parser sums one clause per term
/// occurrence and field). The store multiplies in the IDF.
pub fn query_vector(query: &str) -> Sparse {
    let mut m = BTreeMap::new();
    for w in terms(&mut french_analyzer(), query) {
        for (_, prefix, boost) in FIELDS {
            *m.entry(dim(prefix, &w)).or_default() += boost;
        }
    }
    Sparse::from_map(m)
}

/// BM25's inverse document frequency of a term in `df` of `total` points
/// (tantivy's and Qdrant's `Modifier::Idf` formula).
pub fn bm25_idf(total: u64, df: u64) -> f32 {
    let (n, df) = (total.max(1) as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The IDF of analyzed terms in paragraph bodies, from wherever the words
/// live: the tantivy index, or the store's sparse vectors ([`BodyFrequencies`]).
pub trait TermIdf: Sync {
    fn idf(&self, term: &str) -> f32;
}

/// Document frequencies of body terms counted over a store's sparse
/// vectors: the statistics link discovery needs on a deployment without
/// tantivy (issue 14). Dimensions are term hashes, so a term is looked up
/// by its hash; title and heading dimensions hash apart and are never asked.
#[derive(Debug, Default)]
pub struct BodyFrequencies {
    df: std::collections::HashMap<u32, u32>,
    total: u64,
}

impl BodyFrequencies {
    /// Counts one point's vector.
    pub fn add(&mut self, v: &Sparse) {
        self.total += 1;
        for &d in &v.indices {
            *self.df.entry(d).or_default() += 1;
        }
    }
}

impl TermIdf for BodyFrequencies {
    fn idf(&self, term: &str) -> f32 {
        let df = self.df.get(&dim("b", term)).copied().unwrap_or(0);
        bm25_idf(self.total, df as u64)
    }
}

/// The `n` most distinctive words of `text` (tf·idf), as (analyzed term,
/// idf), best first: a "more like this" query. Terms shorter than three
/// letters and numbers are left out.
pub fn salient_terms(idf: &dyn TermIdf, text: &str, n: usize) -> Vec<(String, f32)> {
    let mut tf: BTreeMap<String, f32> = BTreeMap::new();
    for t in terms(&mut french_analyzer(), text) {
        if t.chars().count() >= 3 && !t.chars().all(|c| c.is_ascii_digit()) {
            *tf.entry(t).or_default() += 1.0;
        }
    }
    let mut scored: Vec<(String, f32, f32)> = tf
        .into_iter()
        .map(|(t, f)| {
            let i = idf.idf(&t);
            (t, f * i, i)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().take(n).map(|(t, _, i)| (t, i)).collect()
}

/// A "more like this" query on paragraph bodies: each analyzed term once,
/// weight 1 (the store multiplies in the IDF), as the text index's
/// `search_terms` scores a disjunction of body terms.
pub fn body_terms_query(terms: &[String]) -> Sparse {
    let mut m = BTreeMap::new();
    for t in terms {
        m.insert(dim("b", t), 1.0);
    }
    Sparse::from_map(m)
}

/// An HTML snippet of `text` (at most `max_chars` characters) with the
/// words that match the query's analyzed terms in `<mark>`: tantivy's
/// snippet without tantivy, for a deployment that has none. The window is
/// the one holding the most distinct matched terms, earliest first.
pub fn highlight(query: &str, text: &str, max_chars: usize) -> String {
    let wanted: std::collections::HashSet<String> =
        terms(&mut french_analyzer(), query).into_iter().collect();
    let mut matches: Vec<(usize, usize, String)> = Vec::new();
    let mut analyzer = french_analyzer();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if wanted.contains(&t.text) {
            matches.push((t.offset_from, t.offset_to, t.text.clone()));
        }
    }
    let (start, end) = best_window(text, &matches, max_chars);
    let mut out = String::new();
    let mut at = start;
    for (a, b, _) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
        out.push_str(&escape(&text[at..*a]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[*a..*b]));
        out.push_str("</mark>");
        at = *b;
    }
    out.push_str(&escape(&text[at..end]));
    out
}

/// The byte range of at most `max_chars` characters of `text` that holds
/// the most distinct matched terms: all of it when it fits, else from a
/// match (the start of the text when none).
fn best_window(text: &str, matches: &[(usize, usize, String)], max_chars: usize) -> (usize, usize) {
    let end_of = |from: usize| {
        text[from..]
            .char_indices()
            .nth(max_chars)
            .map_or(text.len(), |(i, _)| from + i)
    };
    let mut best = (0, end_of(0), 0usize);
    if best.1 == text.len() {
        return (0, text.len()); // it all fits
    }
    for (i, m) in matches.iter().enumerate() {
        let end = end_of(m.0);
        let distinct: std::collections::HashSet<&str> = matches[i..]
            .iter()
            .take_while(|x| x.1 <= end)
            .map(|x| x.2.as_str())
            .collect();
        if distinct.len() > best.2 {
            best = (m.0, end, distinct.len());
        }
    }
    (best.0, best.1)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_rounded_as_tantivy_stores_them() {
        // Values of tantivy's `FIELD_NORMS_TABLE` (tantivy 0.25).
        for exact in [0, 1, 17, 40] {
            assert_eq!(stored_length(exact), exact);
        }
        assert_eq!(stored_length(41), 40);
        assert_eq!(stored_length(42), 42);
        assert_eq!(stored_length(57), 56);
        assert_eq!(stored_length(60), 60);
        assert_eq!(stored_length(100), 96);
        assert_eq!(stored_length(1_047), 984);
        assert_eq!(stored_length(1_048), 1_048);
        assert_eq!(stored_length(2_013_265_944), 2_013_265_944);
        assert_eq!(stored_length(u32::MAX), 2_013_265_944);
    }

    #[test]
    fn weight_is_bm25_saturation_and_length_normalisation() {
        // tf 1 in a field of average length: (k1+1)/(1+k1) = 1.
        assert!((term_weight(1.0, 10.0, 10.0) - 1.0).abs() < 1e-6);
        // Saturation: more occurrences weigh more, never past k1 + 1.
        assert!(term_weight(3.0, 10.0, 10.0) > term_weight(2.0, 10.0, 10.0));
        assert!(term_weight(1000.0, 10.0, 10.0) < K1 + 1.0);
        // A longer field weighs each occurrence less.
        assert!(term_weight(1.0, 40.0, 10.0) < term_weight(1.0, 10.0, 10.0));
    }

    #[test]
    fn french_analysis_feeds_both_sides() {
        let avg = AvgLen::default();
        let doc = point_vector(
            &PointTerms::analyze("L’État et les libertés", "Titre", None),
            &avg,
        );
        // Elision, stemming and folding: "etat" typed bare finds "l’État".
        assert!(doc.dot(&query_vector("etat")) > 0.0);
        assert!(doc.dot(&query_vector("liberté")) > 0.0);
        // Stop words carry nothing.
        assert!(query_vector("les et le").is_empty());
    }

    #[test]
    fn fields_are_apart_and_the_query_carries_their_boosts() {
        let avg = AvgLen::default();
        let in_body = point_vector(&PointTerms::analyze("servitude", "autre", None), &avg);
        let in_title = point_vector(&PointTerms::analyze("autre", "servitude", None), &avg);
        let q = query_vector("servitude");
        assert!((in_body.dot(&q) - 1.0).abs() < 1e-6);
        assert!((in_title.dot(&q) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn averages_count_every_point_and_never_divide_by_zero() {
        let mut s = LenSums::default();
        assert_eq!(s.average(), AvgLen::default());
        s.add(&PointTerms::analyze("servitude volontaire", "Titre", None));
        s.add(&PointTerms::analyze("foule", "Titre", Some("Section")));
        let a = s.average();
        assert!((a.body - 1.5).abs() < 1e-6);
        assert!((a.heading - 0.5).abs() < 1e-6);
    }

    #[test]
    fn highlight_marks_the_analyzed_matches_and_escapes_the_rest() {
        let h = highlight("les libertés", "<b>L’État</b> et la Liberté d’agir", 240);
        assert_eq!(
            h,
            "&lt;b&gt;L’État&lt;/b&gt; et la <mark>Liberté</mark> d’agir"
        );
        // No match: the start of the text, cut at a character boundary.
        assert_eq!(highlight("zzz", "éééé", 2), "éé");
        // The window goes where the matches are.
        let long = format!("{} servitude volontaire", "mot ".repeat(100));
        let h = highlight("servitude volontaire", &long, 40);
        assert!(
            h.starts_with("<mark>servitude</mark> <mark>volontaire</mark>"),
            "{h}"
        );
    }

    #[test]
    fn vectors_are_sorted_and_unique() {
        let v = point_vector(
            &PointTerms::analyze("foule foule idée idées", "Foule", Some("Idée")),
            &AvgLen::default(),
        );
        assert!(v.indices.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(v.indices.len(), v.values.len());
    }

    #[test]
    fn body_frequencies_give_the_idf_tantivy_would() {
        let avg = AvgLen::default();
        let mut f = BodyFrequencies::default();
        for body in ["la foule gronde", "une foule immense", "le silence"] {
            f.add(&point_vector(
                &PointTerms::analyze(body, "Titre", None),
                &avg,
            ));
        }
        let foule = terms(&mut french_analyzer(), "foule").remove(0);
        assert_eq!(f.idf(&foule), bm25_idf(3, 2));
        // A title word is counted in its own field, not in bodies.
        let titre = terms(&mut french_analyzer(), "titre").remove(0);
        assert_eq!(f.idf(&titre), bm25_idf(3, 0));
        assert!(bm25_idf(3, 0) > bm25_idf(3, 2));
    }

    #[test]
    fn salient_terms_rank_by_tf_idf_and_skip_short_words_and_numbers() {
        struct Rare;
        impl TermIdf for Rare {
            fn idf(&self, term: &str) -> f32 {
                if term.starts_with("zib") {
                    5.0
                } else {
                    1.0
                }
            }
        }
        let got = salient_terms(
            &Rare,
            "La zibeline court, court, court en 1905 vers un lac.",
            3,
        );
        let words: Vec<&str> = got.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(words.len(), 3, "{got:?}");
        assert!(words[0].starts_with("zib"), "{got:?}");
        assert!(words[1].starts_with("cour"), "{got:?}");
        assert!(!words
            .iter()
            .any(|w| w.chars().count() < 3 || w.starts_with("190")));
    }

    #[test]
    fn a_more_like_this_query_weighs_each_body_term_once() {
        let q = body_terms_query(&["foul".into(), "foul".into(), "silenc".into()]);
        assert_eq!(q.indices.len(), 2);
        assert!(q.values.iter().all(|&w| w == 1.0));
        assert!(q.indices.contains(&dim("b", "foul")));
    }
}
