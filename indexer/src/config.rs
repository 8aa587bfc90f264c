//! Configuration in layers: built-in defaults, then a TOML file, then
//! environment variables (`RHIZOME_*`, `ORT_DYLIB_PATH`, `QDRANT_URL`).
//!
//! Relative paths in a TOML file are resolved against the file's directory,
//! so `rhizome.toml` at the repository root can name `../shared/corpus/...`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the stores live (vector store, text index, catalogue).
    pub data_dir: PathBuf,
    /// Where embeddings are cached, keyed by (model, paragraph text).
    pub cache_dir: PathBuf,
    pub model: ModelConfig,
    pub split: SplitConfig,
    pub search: SearchConfig,
    pub index: IndexConfig,
    pub vector_store: VectorStoreConfig,
    pub links: LinksConfig,
    pub server: ServerConfig,
    pub author: AuthorConfig,
    #[serde(rename = "corpus")]
    pub corpora: Vec<CorpusConfig>,
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub fusion: FusionMethod,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VectorStoreConfig {
    /// `embedded` (qdrant-edge, in-process, the default) or `server` (a Qdrant server).
    pub backend: String,
    /// Qdrant server URL (gRPC), for the `server` backend; `QDRANT_URL` overrides it.
    pub url: Option<String>,
    pub collection: String,
    /// Server backend: shards and replicas of a new collection (server defaults if unset).
    pub shard_number: Option<u32>,
    pub replication_factor: Option<u32>,
    /// Server backend: keep the original vectors on disk (mmap).
    pub on_disk: bool,
    /// Server backend: int8 scalar quantisation of a new collection (searched
    /// in RAM, rescored with the originals).
    pub quantization: bool,
    /// Server backend: HNSW `m` and `ef_construct` of a new collection (server defaults if unset).
    pub hnsw_m: Option<u64>,
    pub hnsw_ef_construct: Option<u64>,
    /// Server backend: points per upsert request, and requests in flight at once.
    pub upsert_batch: usize,
    pub upsert_parallel: usize,
    /// Server backend: seconds before a request is abandoned (then retried, for writes).
    pub timeout_secs: u64,
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
    /// HNSW index instead of all pairs (O(n²) past ~60k paragraphs is minutes).
    pub exact_max_paragraphs: usize,
    /// Paragraphs sampled for the per-paragraph moments on the HNSW path.
    pub moment_sample: usize,
    /// HNSW beam width of those neighbour searches (recall against time).
    pub hnsw_ef: usize,
    /// Text level (issue 12): each text is compared as a whole with this many
    /// nearest texts (by centred mean vector) plus every text it shares a
    /// passage link with.
    pub text_candidates: usize,
    /// Paragraphs per text, evenly sampled, in the chamfer comparison (keeps
    /// a novel against a novel to a bounded cost).
    pub chamfer_rows: usize,
    /// A related text is shown (API, widget, graph) only when its fused
    /// z-score reaches this: fewer than k texts rather than weak ones.
    pub related_min_score: f32,
    /// ... and when the same score without the pair's strongest passage
    /// match reaches this: a link must not rest on one shared passage.
    pub related_min_robust: f32,
    /// Weights of the text-pair signals, in the order: centred mean,
    /// chamfer, tf-idf words, passage links (see `related.rs`). Measured on
    /// both related dev sets (BENCHMARKS.md): passage links as a fourth
    /// signal lift the author's-links recall but let passing mentions back
    /// into what readers see, so they are evidence only (weight 0).
    pub signal_weights: [f32; 4],
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
            exact_max_paragraphs: 60_000,
            moment_sample: 2048,
            hnsw_ef: 512,
            text_candidates: 100,
            chamfer_rows: 128,
            related_min_score: 1.6,
            related_min_robust: 0.5,
            signal_weights: [1.0, 1.0, 1.0, 0.0],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpusFormat {
    /// Blog export: `# Title`, optional `Tags:` line, trailing hashtags, date from path.
    BlogMarkdown,
    /// Markdown with optional YAML front matter (Hugo, Jekyll, Obsidian, essais).
    Markdown,
    /// Plain text: blank-line separated paragraphs, or one paragraph per line.
    Text,
    /// BEIR `corpus.jsonl`: one JSON object per line with `_id`, `title`, `text`.
    Jsonl,
    /// A dataset written by `rhizome export dataset` (its `texts/*.parquet`):
    /// each text keeps its id, corpus and original format, so its paragraphs
    /// keep their ids.
    Dataset,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusConfig {
    pub name: String,
    pub path: PathBuf,
    pub format: CorpusFormat,
    #[serde(default = "default_language")]
    pub language: String,
    /// Only files whose path (relative to `path`) matches one of these
    /// patterns (`*` matches any run of characters) are read. Empty: all.
    #[serde(default)]
    pub include: Vec<String>,
    /// Link back to the source: `{id}`, `{path}`, `{slug}`, `{year}`, `{month}`, `{day}`.
    #[serde(default)]
    pub url_template: Option<String>,
    /// Hosts that publish this corpus (and their subdomains): a link to one
    /// of them in a text of the corpus is the author's link to another of its
    /// texts, and `lookup` treats their addresses as one. Empty: the host of
    /// `url_template`.
    #[serde(default)]
    pub site_hosts: Vec<String>,
    /// Title of texts that have none of their own (a one-file corpus such as a book).
    #[serde(default)]
    pub title: Option<String>,
    /// The corpus's licence (an SPDX id such as `CC-BY-4.0`, or words), as
    /// written in the exported dataset's card.
    #[serde(default)]
    pub license: Option<String>,
    /// Whether `rhizome export dataset` may republish it. Default: only when a
    /// licence is declared; `false` keeps it out of every exported file.
    #[serde(default)]
    pub redistribute: Option<bool>,
}

impl CorpusConfig {
    /// A corpus with every option at its default (French, all files, no URL
    /// template, no licence declared).
    pub fn new(name: &str, path: impl Into<PathBuf>, format: CorpusFormat) -> CorpusConfig {
        CorpusConfig {
            name: name.into(),
            path: path.into(),
            format,
            language: default_language(),
            include: vec![],
            url_template: None,
            site_hosts: vec![],
            title: None,
            license: None,
            redistribute: None,
        }
    }

    /// The hosts that publish this corpus, the canonical one first.
    pub fn hosts(&self) -> Vec<String> {
        if !self.site_hosts.is_empty() {
            return self.site_hosts.iter().map(|h| h.to_lowercase()).collect();
        }
        self.url_template
            .as_deref()
            .and_then(crate::site::host_of)
            .into_iter()
            .collect()
    }

    /// A dataset export may include this corpus (declared licence, not refused).
    pub fn redistributable(&self) -> bool {
        self.redistribute.unwrap_or(self.license.is_some())
    }
}

fn default_language() -> String {
    "fr".into()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(".rhizome/data"),
            cache_dir: PathBuf::from(".rhizome/cache"),
            model: ModelConfig::default(),
            split: SplitConfig::default(),
            search: SearchConfig::default(),
            index: IndexConfig::default(),
            vector_store: VectorStoreConfig::default(),
            links: LinksConfig::default(),
            server: ServerConfig::default(),
            author: AuthorConfig::default(),
            corpora: Vec::new(),
        }
    }
}

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
            rrf_k: 60.0,
            dense_weight: 0.5,
            candidates: 100,
            max_k: 100,
            max_query_chars: 2000,
            unit_weight: 1.0,
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

impl Default for VectorStoreConfig {
    fn default() -> Self {
        VectorStoreConfig {
            backend: "embedded".into(),
            url: None,
            collection: "rhizome".into(),
            shard_number: None,
            replication_factor: None,
            on_disk: true,
            quantization: true,
            hnsw_m: None,
            hnsw_ef_construct: None,
            upsert_batch: 256,
            upsert_parallel: 4,
            timeout_secs: 30,
        }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Parse a TOML file; relative paths are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read config file {}: {e}", path.display()))
        })?;
        let mut config = Config::from_toml(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_relative_to(base);
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    fn resolve_relative_to(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.data_dir);
        fix(&mut self.cache_dir);
        fix(&mut self.model.dir);
        fix(&mut self.model.ort_dylib);
        fix(&mut self.server.web_dir);
        for c in &mut self.corpora {
            fix(&mut c.path);
        }
    }

    /// Environment layer; `get` is injectable so tests need not touch the process env.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = get("RHIZOME_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = get("RHIZOME_CACHE_DIR") {
            self.cache_dir = v.into();
        }
        if let Some(v) = get("RHIZOME_MODEL_DIR") {
            self.model.dir = v.into();
        }
        if let Some(v) = get("ORT_DYLIB_PATH") {
            self.model.ort_dylib = v.into();
        }
        let number = |name: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| Error::Config(format!("{name}={v:?} is not a number")))
        };
        if let Some(v) = get("RHIZOME_THREADS") {
            self.model.threads = number("RHIZOME_THREADS", v)?;
        }
        if let Some(v) = get("RHIZOME_SESSIONS") {
            self.model.sessions = number("RHIZOME_SESSIONS", v)?;
        }
        if let Some(v) = get("RHIZOME_FUSION") {
            self.search.fusion = match v.as_str() {
                "rrf" => FusionMethod::Rrf,
                "weighted" => FusionMethod::Weighted,
                _ => {
                    return Err(Error::Config(format!(
                        "RHIZOME_FUSION={v:?}: expected `rrf` or `weighted`"
                    )))
                }
            };
        }
        if let Some(v) = get("RHIZOME_CORS_ORIGINS") {
            self.server.cors_origins = v
                .split(',')
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(v) = get("RHIZOME_COLLECTION") {
            self.vector_store.collection = v;
        }
        if let Some(v) = get("QDRANT_URL") {
            self.vector_store.backend = "server".into();
            self.vector_store.url = Some(v);
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        for c in &self.corpora {
            if c.name.is_empty() || c.name.contains('/') {
                return Err(Error::Config(format!(
                    "corpus name {:?} must be non-empty and contain no `/`",
                    c.name
                )));
            }
            if !names.insert(&c.name) {
                return Err(Error::Config(format!(
                    "corpus {:?} is declared twice",
                    c.name
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.search.dense_weight) {
            return Err(Error::Config(
                "search.dense_weight must be within [0, 1]".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.search.unit_weight) {
            return Err(Error::Config(
                "search.unit_weight must be within [0, 1]".into(),
            ));
        }
        if self.split.min_chars >= self.split.max_chars {
            return Err(Error::Config(
                "split.min_chars must be below split.max_chars".into(),
            ));
        }
        match self.vector_store.backend.as_str() {
            "embedded" => {}
            "server" if self.vector_store.url.is_some() => {}
            "server" => {
                return Err(Error::Config(
                    "vector_store.backend = \"server\" needs vector_store.url (or QDRANT_URL)"
                        .into(),
                ))
            }
            other => {
                return Err(Error::Config(format!(
                    "vector_store.backend = {other:?}: expected `embedded` or `server`"
                )))
            }
        }
        Ok(())
    }

    pub fn corpus(&self, name: &str) -> Option<&CorpusConfig> {
        self.corpora.iter().find(|c| c.name == name)
    }
}

/// `*` matches any run of characters (including `/`); everything else is literal.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_is_redistributed_only_with_a_licence_and_not_when_refused() {
        let mut c: CorpusConfig =
            toml::from_str("name = \"x\"\npath = \"x\"\nformat = \"text\"").unwrap();
        assert!(!c.redistributable(), "no licence declared");
        c.license = Some("CC-BY-4.0".into());
        assert!(c.redistributable());
        c.redistribute = Some(false);
        assert!(!c.redistributable());
    }

    #[test]
    fn shipped_default_config_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rhizome.toml");
        let config = Config::from_file(&path).expect("rhizome.toml parses");
        config.validate().unwrap();
        assert!(config.corpus("crouzet-blog").is_some());
        assert!(config.data_dir.is_absolute() || config.data_dir.starts_with(".."));
    }

    #[test]
    fn env_overrides_file_and_defaults() {
        let mut c = Config::from_toml("data_dir = \"/x\"\n[search]\nfusion = \"rrf\"").unwrap();
        assert_eq!(c.search.fusion, FusionMethod::Rrf);
        c.apply_env(|k| match k {
            "RHIZOME_DATA_DIR" => Some("/y".into()),
            "RHIZOME_FUSION" => Some("weighted".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/y"));
        assert_eq!(c.search.fusion, FusionMethod::Weighted);
        assert_eq!(c.search.rrf_k, 60.0, "untouched values keep their default");
    }

    #[test]
    fn bad_values_are_named() {
        let e = Config::from_toml("[search]\nfusoin = \"rrf\"").unwrap_err();
        assert!(e.to_string().contains("fusoin"), "{e}");
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "RHIZOME_THREADS").then(|| "two".into()))
            .unwrap_err();
        assert!(e.to_string().contains("RHIZOME_THREADS"), "{e}");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("laboetie*", "laboetie1548_servitude.md"));
        assert!(wildcard_match("*.md", "a/b.md"));
        assert!(wildcard_match("a*c*e", "abcde"));
        assert!(!wildcard_match("a*c*e", "abde"));
        assert!(wildcard_match("exact", "exact"));
    }
}
