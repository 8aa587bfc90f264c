//! The plain sections of the configuration: model, splitting, search,
//! indexing, the server and the author's tools, each with its defaults.
//!
//! Owns: what each setting means and its default. Must not: read files or
//! the environment (see `config/mod.rs`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The author's tools (`rhizome suggest`, `rhizome inbound`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthorConfig {
    /// A draft paragraph and a passage are worth a link when their cosine
    /// stands this many background deviations (`links.prior_std`) above the
    /// background mean (`links.prior_mean`), and they share a salient word.
    /// On the demo, passages on a draft's theme stand at 2.5–4.5, those of an
    /// unrelated paragraph below 1.
    pub suggest_min_z: f32,
    /// Suggestions kept per draft paragraph (one per target text).
    pub suggestions_per_paragraph: usize,
    /// Passages of the corpora compared with each draft paragraph.
    pub suggest_candidates: usize,
    /// Inbound suggestions kept per text.
    pub inbound_per_text: usize,
}

impl Default for AuthorConfig {
    fn default() -> Self {
        AuthorConfig {
            suggest_min_z: 2.5,
            suggestions_per_paragraph: 3,
            suggest_candidates: 20,
            inbound_per_text: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Folder with `tokenizer.json`, `config.json`, … and the ONNX file.
    pub dir: PathBuf,
    /// ONNX file inside `dir`.
    pub file: String,
    /// Identifies the model in the embedding cache; change it when the weights change.
    pub id: String,
    /// `libonnxruntime.so`; `ORT_DYLIB_PATH` overrides it.
    pub ort_dylib: PathBuf,
    /// ONNX Runtime threads in all (0 = number of cores, at most 4).
    pub threads: usize,
    /// Inference sessions run side by side, sharing `threads` (0 = one per
    /// thread). Batch-1 inference of a small encoder parallelises poorly
    /// inside one session: two 1-thread sessions do 1.48x the work of one
    /// 2-thread session on 2 cores (BENCHMARKS.md), for ~100 MB more memory.
    pub sessions: usize,
    /// Paragraphs per inference batch (batches hold paragraphs of similar length).
    /// 1 for the int8 model: its dynamic quantisation scales activations per
    /// batch, so a paragraph's vector would depend on its batch mates (cosine
    /// 0.997 measured), and batch 1 is also the fastest on 2 cores (BENCHMARKS.md).
    pub batch_size: usize,
    /// Token window of the model; longer paragraphs are split before embedding.
    pub max_tokens: usize,
    /// ONNX Runtime session options, as its config entries (e.g.
    /// `"session.intra_op.allow_spinning" = "0"`: threads sleep between
    /// queries instead of spinning; `rhizome serve` sets it unless given).
    pub session_config: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitConfig {
    /// Paragraphs shorter than this are merged with their neighbour.
    pub min_chars: usize,
    /// Paragraphs longer than this are split at sentence boundaries
    /// (about 1,500 characters of French fit in e5's 512-token window).
    pub max_chars: usize,
    /// Retrieval units: consecutive paragraphs of one section packed up to
    /// this many characters, embedded with the title and heading (a text
    /// shorter than this is one unit). 0 turns units off.
    pub unit_max_chars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FusionMethod {
    /// Reciprocal rank fusion: Σ 1/(k + rank).
    Rrf,
    /// Weighted sum of per-retriever z-scores (see `fusion.rs`).
    Weighted,
}

/// Where BM25 runs (issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LexicalSource {
    /// The tantivy index beside the data (the embedded default).
    TextIndex,
    /// The vector store's sparse BM25 vectors: the same analysis and
    /// formula, served by Qdrant (the cluster path needs no tantivy).
    VectorStore,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub fusion: FusionMethod,
    /// Where search's BM25 runs.
    pub lexical: LexicalSource,
    pub rrf_k: f32,
    /// Weight of the dense retriever in weighted fusion (BM25 gets 1 - w).
    pub dense_weight: f32,
    /// Candidates fetched from each retriever before fusion.
    pub candidates: usize,
    /// Largest `k` a caller may ask for.
    pub max_k: usize,
    /// Longest query accepted, in characters.
    pub max_query_chars: usize,
    /// Share of a paragraph's fused score that comes from its retrieval
    /// unit's ranks (the rest from its own): 0.5 weighs both levels alike.
    pub unit_weight: f32,
    /// The best units of each list whose paragraphs become candidates.
    pub unit_expand: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexConfig {
    /// Files larger than this are refused (reported, not indexed).
    pub max_file_bytes: u64,
    /// Commit both stores and the catalogue every this many texts, so that an
    /// interrupted run resumes from the last checkpoint.
    pub checkpoint_texts: usize,
    /// Build the HNSW graph once the store holds more points than this
    /// (below it, exact search is fast and exact).
    pub hnsw_threshold: usize,
}

/// Settings of `rhizome serve` (plain data: the engine itself serves nothing).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub addr: String,
    /// Origins allowed to call the API from a browser (the blog's, for the widget).
    pub cors_origins: Vec<String>,
    /// Folder of the web pages served at `/`.
    pub web_dir: PathBuf,
    /// Largest request body; larger ones get 413. Room for a draft of
    /// `max_draft_chars` even in JSON's six-byte `\uXXXX` escapes, so that a
    /// draft too long is told so (400) rather than cut off as a body.
    pub max_body_bytes: usize,
    pub timeout_secs: u64,
    /// CPU-heavy calls (search, drafts) running at once; the rest wait.
    pub cpu_concurrency: usize,
    /// Longest draft accepted, in characters.
    pub max_draft_chars: usize,
    /// Embedding sessions of the server (`model.sessions` is for indexing).
    /// The sessions share one tokenizer and the model's large weights, so
    /// each after the first costs about 25 MB: one per core lets concurrent
    /// queries embed side by side within the server's 600 MB (issues 12 and
    /// 15). 0: `model.sessions`.
    pub model_sessions: usize,
    /// Where `serve` reads the catalogue, the links and the verdicts, and
    /// the passages it shows (issue 14).
    pub state: StateSource,
    /// How often a server reading the cluster's state polls its versions.
    pub state_poll_ms: u64,
}

/// Where a server's state comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateSource {
    /// Its data dir (the embedded default, and the indexing machine).
    DataDir,
    /// The Qdrant cluster: the `<collection>_state` documents the indexer
    /// publishes, the passages in the points' payloads, BM25 from the
    /// sparse vectors. Any number of servers answer alike, none reading
    /// its data dir for search, related texts and graphs.
    Cluster,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
            cors_origins: vec!["https://tcrouzet.com".into()],
            web_dir: PathBuf::from("web"),
            max_body_bytes: 1024 * 1024,
            timeout_secs: 30,
            cpu_concurrency: 2,
            max_draft_chars: 100_000,
            model_sessions: 2,
            state: StateSource::DataDir,
            state_poll_ms: 2000,
        }
    }
}

/// Link discovery: how candidate pairs are found, scored and kept.
///
/// e5 cosines are squeezed into a narrow band (unrelated French pairs ≈ 0.84,
/// paraphrases ≈ 0.95), so a fixed threshold cannot work. A pair's dense
/// evidence is its z-score: how many standard deviations its cosine stands
/// above each paragraph's cosines to every paragraph of other texts (averaged
/// over both ends). `score = z + bm25_weight × bm25_norm`, where `bm25_norm`
/// is the pair's "more like this" BM25 score over the paragraph's own score.
impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            dir: PathBuf::from("models/multilingual-e5-small"),
            file: "model_int8.onnx".into(),
            id: "multilingual-e5-small-int8-v2".into(),
            ort_dylib: PathBuf::from("models/onnxruntime/libonnxruntime.so"),
            threads: 0,
            sessions: 0,
            batch_size: 1,
            max_tokens: 512,
            session_config: Default::default(),
        }
    }
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig {
            min_chars: 60,
            max_chars: 1500,
            unit_max_chars: 1200,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            fusion: FusionMethod::Weighted,
            lexical: LexicalSource::TextIndex,
            rrf_k: 60.0,
            dense_weight: 0.5,
            candidates: 100,
            max_k: 100,
            max_query_chars: 2000,
            unit_weight: 0.75,
            unit_expand: 20,
        }
    }
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            max_file_bytes: 20 * 1024 * 1024,
            checkpoint_texts: 500,
            hnsw_threshold: 50_000,
        }
    }
}
