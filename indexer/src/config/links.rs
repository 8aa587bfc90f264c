//! The `[links]` section: how link discovery finds, calibrates and keeps
//! passage links and related texts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// Dense nearest neighbours (from other texts) considered per paragraph.
    pub dense_k: usize,
    /// BM25 "more like this" candidates per paragraph, and query terms used.
    pub bm25_k: usize,
    pub bm25_terms: usize,
    pub bm25_weight: f32,
    /// A paragraph link is kept when its score reaches this.
    pub min_score: f32,
    /// Links kept per paragraph (best first).
    pub per_paragraph: usize,
    /// Paragraphs shorter than this make no links (headings, fragments).
    pub min_chars: usize,
    /// Cosine above which two paragraphs are the same passage.
    pub same_passage_cosine: f32,
    /// A passage found in this many texts or more is boilerplate: no links.
    pub boilerplate_texts: usize,
    /// Two texts sharing this share of the shorter one's passages are duplicates.
    pub duplicate_share: f32,
    /// Related texts kept per text, and passage pairs kept as evidence.
    pub related_per_text: usize,
    pub evidence: usize,
    /// The model's background: cosine mean and spread of unrelated paragraphs
    /// (measured on the demo corpora: 0.832 and 0.018). Per-paragraph moments
    /// are shrunk towards it with the weight of `prior_weight` paragraphs.
    pub prior_mean: f32,
    pub prior_std: f32,
    pub prior_weight: f32,
    /// Above this many paragraphs, neighbours come from the vector store's
    /// HNSW index instead of all pairs. Exact costs O(n²): 81 s at 217k on
    /// 2 cores against 300 s for HNSW at ef 512 (recall 0.96), so the
    /// crossover, extrapolated, is near 500k.
    pub exact_max_paragraphs: usize,
    /// HNSW beam width of those neighbour searches (recall against time).
    pub hnsw_ef: usize,
    /// Text level (issue 12): each text is compared as a whole with this many
    /// nearest texts (by centred mean vector) plus every text it shares a
    /// passage link with.
    pub text_candidates: usize,
    /// ... plus this many nearest by tf-idf words: texts whose words meet
    /// but whose vectors do not (short legal articles, a numbered
    /// reference) still get compared.
    pub text_word_candidates: usize,
    /// Paragraphs per text, evenly sampled, in the chamfer comparison (keeps
    /// a novel against a novel to a bounded cost).
    pub chamfer_rows: usize,
    /// A related text is shown (API, widget, graph) only when its fused
    /// z-score reaches this: fewer than k texts rather than weak ones.
    pub related_min_score: f32,
    /// ... and when the same score without the pair's strongest passage
    /// match reaches this: a link must not rest on one shared passage.
    pub related_min_robust: f32,
    /// A span of at least this many words shared by two texts, verbatim or
    /// nearly, makes a `reuse` link (issue 16).
    pub reuse_min_words: usize,
    /// A passage link whose dense z-score (mean of both ends) reaches this
    /// is an `echo` (the same idea); below, the link rests on shared rare
    /// words and is a `theme`. At `min_score` (3), a link under it exists
    /// only because BM25 agreed: its words carried it.
    pub echo_min_z: f32,
    /// A passage (or a reused span) whose word trigrams are at least this
    /// share among its corpus's frequent ones is banal: no link (issue 16).
    pub banal_share: f32,
    /// A trigram is frequent in a corpus when it occurs in at least this
    /// share of its paragraphs (and in `boilerplate_texts` of them).
    pub banal_frequent_share: f32,
    /// Weights of the text-pair signals, in the order: centred mean,
    /// chamfer, tf-idf words, passage links (see `related.rs`): the score
    /// `related_min_score` gates. Measured on both related dev sets
    /// (BENCHMARKS.md): passage links in the gate let passing mentions back
    /// into what readers see, so there they weigh 0. The words weigh 2,
    /// chosen on every related-texts set at once: among the weightings that
    /// keep issue 12's bars on every set, the one whose worst loss (in each
    /// set's standard errors) is smallest.
    pub signal_weights: [f32; 4],
    /// Weight of the passage links in the *order* of a related list only:
    /// the gate (`related_min_score`) reads the `signal_weights` score, so
    /// passage evidence may lift a text that is already related as a whole
    /// but never lets a passing mention in.
    pub passage_rank_weight: f32,
}

impl Default for LinksConfig {
    fn default() -> Self {
        LinksConfig {
            dense_k: 10,
            bm25_k: 10,
            bm25_terms: 12,
            bm25_weight: 2.0,
            min_score: 3.0,
            per_paragraph: 5,
            min_chars: 80,
            same_passage_cosine: 0.97,
            boilerplate_texts: 3,
            duplicate_share: 0.5,
            related_per_text: 20,
            evidence: 3,
            prior_mean: 0.832,
            prior_std: 0.018,
            prior_weight: 50.0,
            exact_max_paragraphs: 500_000,
            hnsw_ef: 512,
            text_candidates: 100,
            text_word_candidates: 100,
            chamfer_rows: 128,
            related_min_score: 1.6,
            related_min_robust: 0.5,
            reuse_min_words: 25,
            echo_min_z: 3.0,
            banal_share: 0.6,
            banal_frequent_share: 0.001,
            signal_weights: [1.0, 1.0, 2.0, 0.0],
            passage_rank_weight: 0.5,
        }
    }
}
