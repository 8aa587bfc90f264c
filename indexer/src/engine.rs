//! The engine: indexing (incremental, checkpointed) and hybrid search.
//!
//! Owns: the pipeline that ties sources, splitter, embedder, cache and stores
//! together, and the query path. Must not: know about HTTP or terminals
//! beyond an optional progress bar.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::cache::{self, EmbeddingCache};
use crate::config::{Config, FusionMethod};
use crate::embed::{Embedder, FastEmbedder};
use crate::error::{Error, Result};
use crate::fusion::{self, Fused, RankScore};
use crate::manifest::{Catalogue, TextEntry};
use crate::source::{self, Document, SourceProblem};
use crate::split::{self, Paragraph};
use crate::store::{
    self, Filter, PointPayload, StoredParagraph, TextIndex, VectorPoint, VectorStore,
};

/// A retriever's list: (point id, score), best first.
pub type Ranked = Vec<(u64, f32)>;

/// Which retrievers a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Hybrid,
    Dense,
    Bm25,
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hybrid" => Ok(Mode::Hybrid),
            "dense" => Ok(Mode::Dense),
            "bm25" => Ok(Mode::Bm25),
            _ => Err(Error::BadRequest(format!(
                "mode {s:?}: expected hybrid, dense or bm25"
            ))),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchOptions {
    pub k: usize,
    pub mode: Mode,
    pub filter: Filter,
    /// At most one hit per text.
    pub group_by_text: bool,
    /// Overrides the configured fusion.
    pub fusion: Option<FusionMethod>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            k: 10,
            mode: Mode::Hybrid,
            filter: Filter::default(),
            group_by_text: false,
            fusion: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchHit {
    pub paragraph: StoredParagraph,
    /// Link back to the source text, if its corpus declares a URL template.
    pub url: Option<String>,
    pub score: f32,
    pub dense: Option<RankScore>,
    pub bm25: Option<RankScore>,
    /// HTML: the paragraph with the query's words in `<mark>`.
    pub snippet: String,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    pub texts_seen: usize,
    pub texts_indexed: usize,
    pub texts_unchanged: usize,
    pub texts_removed: usize,
    pub paragraphs_indexed: usize,
    pub paragraphs_embedded: usize,
    pub paragraphs_from_cache: usize,
    pub problems: Vec<SourceProblem>,
    pub seconds: f64,
}

impl IndexReport {
    /// True when some files could not be indexed.
    pub fn is_partial(&self) -> bool {
        !self.problems.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub texts: usize,
    pub paragraphs: usize,
    pub vectors: usize,
    pub bm25_paragraphs: u64,
    pub corpora: BTreeMap<String, (usize, usize)>,
    pub model: String,
    pub vector_backend: String,
    pub data_dir: PathBuf,
}

pub struct Engine {
    pub config: Config,
    embedder: Arc<dyn Embedder>,
    vectors: Box<dyn VectorStore>,
    text: TextIndex,
    cache: Mutex<EmbeddingCache>,
    catalogue: Mutex<Catalogue>,
}

/// Bump when the reading or splitting code changes what paragraphs a text
/// gives: every text is then re-split (embeddings still come from the cache).
const PIPELINE_VERSION: u32 = 2;

/// Everything that changes a text's paragraphs or their metadata.
fn content_hash(doc: &Document, config: &Config) -> String {
    let mut h = blake3::Hasher::new();
    h.update(&PIPELINE_VERSION.to_le_bytes());
    h.update(doc.text.as_bytes());
    h.update(&[0]);
    h.update(
        serde_json::to_string(&(
            &doc.title,
            &doc.date,
            &doc.tags,
            &doc.url,
            doc.body,
            config.split.min_chars,
            config.split.max_chars,
        ))
        .unwrap_or_default()
        .as_bytes(),
    );
    h.finalize().to_hex()[..32].to_string()
}

impl Engine {
    /// Opens the data dir with the configured embedder (loads the model).
    pub fn open(config: Config) -> Result<Engine> {
        let embedder: Arc<dyn Embedder> = Arc::new(FastEmbedder::load(&config.model)?);
        Engine::open_with(config, embedder)
    }

    /// Opens the data dir with a given embedder.
    pub fn open_with(config: Config, embedder: Arc<dyn Embedder>) -> Result<Engine> {
        let data = &config.data_dir;
        std::fs::create_dir_all(data).map_err(|e| Error::io(data, e))?;
        let catalogue = Catalogue::load(data)?;
        if !catalogue.model_id.is_empty() && catalogue.model_id != embedder.model_id() {
            return Err(Error::Config(format!(
                "{} was indexed with model {:?}, not {:?}: use another data_dir or delete this one",
                data.display(),
                catalogue.model_id,
                embedder.model_id()
            )));
        }
        let vectors =
            crate::store::open(&config.vector_store, &data.join("vectors"), embedder.dim())?;
        let text = TextIndex::open(&data.join("bm25"))?;
        let cache = EmbeddingCache::open(&config.cache_dir, embedder.model_id(), embedder.dim())?;
        Ok(Engine {
            config,
            embedder,
            vectors,
            text,
            cache: Mutex::new(cache),
            catalogue: Mutex::new(catalogue),
        })
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    pub fn vector_store(&self) -> &dyn VectorStore {
        self.vectors.as_ref()
    }

    pub fn text_index(&self) -> &TextIndex {
        &self.text
    }

    /// The embedding cache (link discovery reads vectors from it).
    pub fn cache(&self) -> &Mutex<EmbeddingCache> {
        &self.cache
    }

    pub fn catalogue(&self) -> Catalogue {
        self.catalogue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Indexes every configured corpus: new and changed texts are (re)indexed,
    /// unchanged ones skipped, vanished ones removed. Resumable: work is
    /// committed at checkpoints, and embeddings come from the cache.
    pub fn index(&self, progress: bool) -> Result<IndexReport> {
        let started = Instant::now();
        let mut report = IndexReport::default();
        let mut docs = Vec::new();
        let mut readable_corpora = HashSet::new();
        let mut problem_paths = HashSet::new();
        for corpus in &self.config.corpora {
            let read = source::read_corpus(corpus, self.config.index.max_file_bytes);
            if corpus.path.is_dir() {
                readable_corpora.insert(corpus.name.clone());
            }
            for p in &read.problems {
                tracing::warn!(path = %p.path.display(), reason = %p.reason, "not indexed");
                if let Ok(rel) = p.path.strip_prefix(&corpus.path) {
                    problem_paths.insert((
                        corpus.name.clone(),
                        rel.to_string_lossy().replace('\\', "/"),
                    ));
                }
            }
            report.problems.extend(read.problems);
            docs.extend(read.documents);
        }
        report.texts_seen = docs.len();

        let catalogue = self.catalogue();
        let seen: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let removed: Vec<String> = catalogue
            .texts
            .iter()
            .filter(|(id, e)| {
                !seen.contains(id.as_str())
                    && readable_corpora.contains(&e.corpus)
                    && !problem_paths.contains(&(e.corpus.clone(), e.rel_path.clone()))
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut todo: Vec<(Document, String)> = Vec::new();
        for d in docs {
            let hash = content_hash(&d, &self.config);
            if catalogue.texts.get(&d.id).is_some_and(|e| e.hash == hash) {
                report.texts_unchanged += 1;
            } else {
                todo.push((d, hash));
            }
        }

        // Paragraphs to embed, for the progress bar's total.
        let split: Vec<Vec<Paragraph>> = todo
            .iter()
            .map(|(d, _)| split::split_document(d, &self.config.split))
            .collect();
        let to_embed = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut keys = HashSet::new();
            split
                .iter()
                .flatten()
                .filter(|p| {
                    let k = cache::key(self.embedder.model_id(), &p.text);
                    !cache.contains(&k) && keys.insert(k)
                })
                .count()
        };
        let bar = if progress && to_embed > 0 {
            ProgressBar::new(to_embed as u64)
        } else {
            ProgressBar::with_draw_target(Some(to_embed as u64), ProgressDrawTarget::hidden())
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} embedding [{bar:30}] {pos}/{len} paragraphs  {per_sec}  ETA {eta}  {msg}")
                .unwrap()
                .progress_chars("=> "),
        );
        tracing::info!(
            texts = todo.len(),
            unchanged = report.texts_unchanged,
            removed = removed.len(),
            to_embed,
            "indexing"
        );

        for id in &removed {
            self.vectors.delete_text(id)?;
            self.text.delete_text(id)?;
            report.texts_removed += 1;
        }
        if !removed.is_empty() {
            self.checkpoint(&removed, &[])?;
        }

        // Checkpoints: a batch of texts is embedded, written to both stores, committed,
        // and only then recorded in the catalogue.
        let max_paragraphs = 4000;
        let mut batch: Vec<(Document, String, Vec<Paragraph>)> = Vec::new();
        let mut batch_paragraphs = 0;
        let n = todo.len();
        for (i, ((doc, hash), paragraphs)) in todo.into_iter().zip(split).enumerate() {
            batch_paragraphs += paragraphs.len();
            batch.push((doc, hash, paragraphs));
            if batch.len() >= self.config.index.checkpoint_texts
                || batch_paragraphs >= max_paragraphs
                || i + 1 == n
            {
                self.index_batch(std::mem::take(&mut batch), &bar, &mut report)?;
                batch_paragraphs = 0;
            }
        }
        bar.finish_and_clear();
        if self.vectors.count()? > self.config.index.hnsw_threshold {
            tracing::info!("building the HNSW index");
            self.vectors.build_index()?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    fn index_batch(
        &self,
        batch: Vec<(Document, String, Vec<Paragraph>)>,
        bar: &ProgressBar,
        report: &mut IndexReport,
    ) -> Result<()> {
        let model = self.embedder.model_id().to_string();
        // 1. embed what the cache lacks
        let mut missing: Vec<&str> = Vec::new();
        let mut missing_keys = HashSet::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (_, _, ps) in &batch {
                for p in ps {
                    let k = cache::key(&model, &p.text);
                    if !cache.contains(&k) && missing_keys.insert(k) {
                        missing.push(&p.text);
                    }
                }
            }
        }
        let total: usize = batch.iter().map(|(_, _, p)| p.len()).sum();
        report.paragraphs_embedded += missing.len();
        report.paragraphs_from_cache += total - missing.len();
        // Chunks of a few hundred keep the bar moving and memory flat; within a
        // chunk the embedder batches by length.
        for chunk in missing.chunks(256) {
            let vectors = self.embedder.embed_documents(chunk)?;
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (t, v) in chunk.iter().zip(&vectors) {
                cache.put(cache::key(&model, t), v)?;
            }
            bar.inc(chunk.len() as u64);
        }
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sync()?;

        // 2. write both stores
        let mut entries = Vec::new();
        for (doc, hash, paragraphs) in batch {
            self.vectors.delete_text(&doc.id)?;
            self.text.delete_text(&doc.id)?;
            let mut points = Vec::with_capacity(paragraphs.len());
            let mut stored = Vec::with_capacity(paragraphs.len());
            {
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                for p in &paragraphs {
                    let pid = format!("{}#{}", doc.id, p.ordinal);
                    let point = store::point_id(&pid);
                    let vector = cache
                        .get(&cache::key(&model, &p.text))?
                        .ok_or_else(|| Error::Embedding(format!("no vector for {pid}")))?;
                    points.push(VectorPoint {
                        id: point,
                        vector,
                        payload: PointPayload {
                            paragraph: pid.clone(),
                            text_id: doc.id.clone(),
                            corpus: doc.corpus.clone(),
                            date: doc.date,
                            tags: doc.tags.clone(),
                            ordinal: p.ordinal as u64,
                        },
                    });
                    stored.push(StoredParagraph {
                        point,
                        id: pid,
                        text_id: doc.id.clone(),
                        corpus: doc.corpus.clone(),
                        title: doc.title.clone(),
                        heading: p.heading.clone(),
                        text: p.text.clone(),
                        ordinal: p.ordinal as u64,
                        start: p.start as u64,
                        end: p.end as u64,
                        date: doc.date,
                        tags: doc.tags.clone(),
                    });
                }
            }
            self.vectors.upsert(points)?;
            self.text.add(&stored)?;
            report.paragraphs_indexed += paragraphs.len();
            report.texts_indexed += 1;
            let mut links: Vec<String> = paragraphs
                .iter()
                .flat_map(|p| p.links.iter().cloned())
                .collect();
            links.dedup();
            entries.push((
                doc.id.clone(),
                TextEntry {
                    corpus: doc.corpus.clone(),
                    rel_path: doc.rel_path.clone(),
                    title: doc.title.clone(),
                    date: doc.date,
                    tags: doc.tags.clone(),
                    author: doc.author.clone(),
                    url: doc.url.clone(),
                    hash,
                    paragraphs: paragraphs.len(),
                    chars: paragraphs.iter().map(|p| p.text.chars().count()).sum(),
                    links,
                },
            ));
        }
        self.checkpoint(&[], &entries)?;
        bar.set_message(format!("{} texts done", report.texts_indexed));
        Ok(())
    }

    /// Commits both stores, then records the texts in the catalogue.
    fn checkpoint(&self, removed: &[String], added: &[(String, TextEntry)]) -> Result<()> {
        self.text.commit()?;
        self.vectors.flush()?;
        let mut cat = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        for id in removed {
            cat.texts.remove(id);
        }
        for (id, e) in added {
            cat.texts.insert(id.clone(), e.clone());
        }
        cat.model_id = self.embedder.model_id().to_string();
        cat.save(&self.config.data_dir)
    }

    /// Checks a query and its options; the error names what is wrong.
    pub fn validate(&self, query: &str, opts: &SearchOptions) -> Result<()> {
        if query.trim().is_empty() {
            return Err(Error::BadRequest("the query is empty".into()));
        }
        let n = query.chars().count();
        if n > self.config.search.max_query_chars {
            return Err(Error::BadRequest(format!(
                "the query is {n} characters long; the limit is {}",
                self.config.search.max_query_chars
            )));
        }
        if opts.k == 0 || opts.k > self.config.search.max_k {
            return Err(Error::BadRequest(format!(
                "k must be between 1 and {} (got {})",
                self.config.search.max_k, opts.k
            )));
        }
        for c in &opts.filter.corpora {
            if self.config.corpus(c).is_none() {
                return Err(Error::BadRequest(format!("unknown corpus {c:?}")));
            }
        }
        Ok(())
    }

    /// Candidates of each retriever, best first: (dense, bm25) as (point, score).
    pub fn candidates(
        &self,
        query: &str,
        n: usize,
        mode: Mode,
        filter: &Filter,
    ) -> Result<(Ranked, Ranked)> {
        let dense = if mode != Mode::Bm25 {
            let v = self.embedder.embed_query(query)?;
            self.committed(self.vectors.search(&v, n, filter)?)?
        } else {
            Vec::new()
        };
        let bm25 = if mode != Mode::Dense {
            self.text.search(query, n, filter)?
        } else {
            Vec::new()
        };
        Ok((dense, bm25))
    }

    /// Drops dense hits the text index has not committed. A text's vectors are
    /// written before its checkpoint, so a run that died in between (a crash,
    /// a full disk) leaves points no text owns yet; the rerun replaces them.
    /// Until then they must not shift the fusion's ranks and statistics.
    fn committed(&self, hits: Ranked) -> Result<Ranked> {
        let ids: Vec<u64> = hits.iter().map(|h| h.0).collect();
        let known = self.text.contains(&ids)?;
        Ok(hits
            .into_iter()
            .zip(known)
            .filter_map(|(h, k)| k.then_some(h))
            .collect())
    }

    /// Fuses candidate lists with the configured (or given) method.
    pub fn fuse(
        &self,
        dense: &[(u64, f32)],
        bm25: &[(u64, f32)],
        method: Option<FusionMethod>,
    ) -> Vec<Fused<u64>> {
        let s = &self.config.search;
        match method.unwrap_or(s.fusion) {
            FusionMethod::Rrf => fusion::rrf(dense, bm25, s.rrf_k, s.dense_weight),
            FusionMethod::Weighted => fusion::weighted(dense, bm25, s.dense_weight),
        }
    }

    /// Hybrid (or single-retriever) search over paragraphs.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Vec<SearchHit>> {
        self.validate(query, opts)?;
        let n = self.config.search.candidates.max(opts.k * 4);
        let (dense, bm25) = self.candidates(query, n, opts.mode, &opts.filter)?;
        self.resolve(query, &self.fuse(&dense, &bm25, opts.fusion), opts)
    }

    /// Passages like a given passage (a draft's paragraph): dense neighbours of
    /// its passage vector, fused with BM25 on its most distinctive words.
    pub fn search_passage(
        &self,
        text: &str,
        vector: &[f32],
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let n = self.config.search.candidates.max(opts.k * 4);
        let dense = if opts.mode != Mode::Bm25 {
            self.committed(self.vectors.search(vector, n, &opts.filter)?)?
        } else {
            Vec::new()
        };
        let terms: Vec<String> = self
            .text
            .salient_terms(text, self.config.links.bm25_terms)
            .into_iter()
            .map(|t| t.0)
            .collect();
        let bm25 = if opts.mode != Mode::Dense {
            self.text.search_terms(&terms, n, &opts.filter)?
        } else {
            Vec::new()
        };
        self.resolve(text, &self.fuse(&dense, &bm25, opts.fusion), opts)
    }

    /// Turns fused candidates into hits: stored paragraphs, grouping, snippets.
    fn resolve(
        &self,
        query: &str,
        fused: &[Fused<u64>],
        opts: &SearchOptions,
    ) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::new();
        let mut texts_taken = HashSet::new();
        let catalogue = self.catalogue.lock().unwrap_or_else(|p| p.into_inner());
        for chunk in fused.chunks(opts.k.max(8)) {
            let points: Vec<u64> = chunk.iter().map(|f| f.key).collect();
            let stored: HashMap<u64, StoredParagraph> = self
                .text
                .get(&points)?
                .into_iter()
                .map(|p| (p.point, p))
                .collect();
            for f in chunk {
                let Some(p) = stored.get(&f.key) else {
                    continue;
                };
                if opts.group_by_text && !texts_taken.insert(p.text_id.clone()) {
                    continue;
                }
                let snippet = self.text.highlight(query, &p.text)?;
                hits.push(SearchHit {
                    url: catalogue.texts.get(&p.text_id).and_then(|e| e.url.clone()),
                    paragraph: p.clone(),
                    score: f.score,
                    dense: f.dense,
                    bm25: f.bm25,
                    snippet,
                });
                if hits.len() == opts.k {
                    return Ok(hits);
                }
            }
        }
        Ok(hits)
    }

    pub fn stats(&self) -> Result<Stats> {
        let cat = self.catalogue();
        let mut corpora: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for e in cat.texts.values() {
            let c = corpora.entry(e.corpus.clone()).or_default();
            c.0 += 1;
            c.1 += e.paragraphs;
        }
        Ok(Stats {
            texts: cat.texts.len(),
            paragraphs: cat.paragraphs(),
            vectors: self.vectors.count()?,
            bm25_paragraphs: self.text.num_paragraphs(),
            corpora,
            model: self.embedder.model_id().to_string(),
            vector_backend: self.vectors.backend().to_string(),
            data_dir: self.config.data_dir.clone(),
        })
    }
}
