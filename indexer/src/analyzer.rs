//! The French analyzer for BM25: words split on anything not alphanumeric (so
//! both `'` and `’` cut elisions: l’État → l | état), lower-cased, elided
//! particles and stop words removed, Snowball French stemming, then accents
//! folded so that `etat` typed without accents still finds `État`.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};

/// Name under which the analyzer is registered in the tantivy index.
pub const FRENCH: &str = "rhizome_fr";

/// Elided particles (l’, d’, qu’, jusqu’…) and the most frequent French function words.
pub const STOP_WORDS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
    "quelqu", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et",
    "eux", "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes",
    "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que",
    "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "y", "à", "a", "été", "étée", "étés", "étant", "suis", "es", "est",
    "sommes", "êtes", "sont", "serai", "sera", "serons", "seront", "étais", "était", "étions",
    "étaient", "fut", "ai", "as", "avons", "avez", "ont", "aurai", "aura", "avais", "avait",
    "avaient", "eu", "ayant", "cet", "cette", "cela", "ça", "ceci", "celle", "celui", "ceux",
    "dont", "où", "si", "ni", "donc", "or", "car", "aussi", "plus", "très", "tout", "tous",
    "toute", "toutes", "sans", "sous", "entre", "vers", "chez", "comme", "quand", "alors", "y",
    "là", "ici", "faire", "fait",
];

pub fn french_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|s| s.to_string()),
        ))
        .filter(Stemmer::new(Language::French))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analyzed terms of `text`, in order (used for tests and "more like this").
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        terms(&mut french_analyzer(), s)
    }

    #[test]
    fn both_apostrophes_cut_elisions() {
        assert_eq!(t("l’État"), t("État"));
        assert_eq!(t("l'État"), t("État"));
        assert_eq!(t("qu’il"), t("il"));
        assert_eq!(t("jusqu’au bout"), t("bout"));
        assert_eq!(t("d’une servitude"), t("servitude"));
    }

    #[test]
    fn accents_fold_after_stemming() {
        assert_eq!(t("état"), t("etat"));
        assert_eq!(t("Éducation"), t("education"));
        assert!(!t("servitude volontaire").is_empty());
    }

    #[test]
    fn stemming_groups_inflections() {
        assert_eq!(t("économiques"), t("économique"));
        assert_eq!(t("foules"), t("foule"));
        assert_eq!(t("idées"), t("idée"));
    }

    #[test]
    fn stop_words_and_non_breaking_spaces() {
        assert!(t("le la les de des et à").is_empty());
        assert_eq!(t("Pourquoi\u{a0}?"), t("pourquoi"));
    }
}
